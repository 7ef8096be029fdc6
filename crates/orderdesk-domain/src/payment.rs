//! Payment status and method of an order.

use serde::{Deserialize, Serialize};

/// `pending → paid | failed | expired`; `failed`/`expired` may return to
/// `pending` when a new payment link is sent; `paid → partially_refunded |
/// refunded`, `partially_refunded → refunded` as refunds are processed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentStatus {
    Pending,
    Paid,
    Failed,
    Expired,
    Refunded,
    /// Some of the payment went back.
    PartiallyRefunded,
}

impl PaymentStatus {
    pub const ALL: [PaymentStatus; 6] = [
        Self::Pending,
        Self::Paid,
        Self::Failed,
        Self::Expired,
        Self::Refunded,
        Self::PartiallyRefunded,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Paid => "paid",
            Self::Failed => "failed",
            Self::Expired => "expired",
            Self::Refunded => "refunded",
            Self::PartiallyRefunded => "partially_refunded",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Whether the payment may move from `self` to `to`.
    pub fn can_become(&self, to: PaymentStatus) -> bool {
        use PaymentStatus::*;
        matches!(
            (self, to),
            (Pending, Paid | Failed | Expired)
                | (Failed | Expired, Pending)
                | (Paid, Refunded | PartiallyRefunded)
                | (PartiallyRefunded, Refunded)
        )
    }
}

impl std::fmt::Display for PaymentStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How the customer pays. `None` on an order until a method is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    Razorpay,
    Stripe,
    Upi,
    Cod,
    Simulator,
    Manual,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 6] = [
        Self::Razorpay,
        Self::Stripe,
        Self::Upi,
        Self::Cod,
        Self::Simulator,
        Self::Manual,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Razorpay => "razorpay",
            Self::Stripe => "stripe",
            Self::Upi => "upi",
            Self::Cod => "cod",
            Self::Simulator => "simulator",
            Self::Manual => "manual",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_payment_move_matches_the_design_table() {
        use PaymentStatus::*;
        let legal = [
            (Pending, Paid),
            (Pending, Failed),
            (Pending, Expired),
            (Failed, Pending),
            (Expired, Pending),
            (Paid, Refunded),
            (Paid, PartiallyRefunded),
            (PartiallyRefunded, Refunded),
        ];
        for from in PaymentStatus::ALL {
            for to in PaymentStatus::ALL {
                assert_eq!(
                    from.can_become(to),
                    legal.contains(&(from, to)),
                    "{from} -> {to}"
                );
            }
        }
    }

    #[test]
    fn names_round_trip() {
        for p in PaymentStatus::ALL {
            assert_eq!(PaymentStatus::parse(p.as_str()), Some(p));
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
        }
        for m in PaymentMethod::ALL {
            assert_eq!(PaymentMethod::parse(m.as_str()), Some(m));
            assert_eq!(serde_json::to_value(m).unwrap(), m.as_str());
        }
        assert_eq!(PaymentStatus::parse("PAID"), None);
    }
}
