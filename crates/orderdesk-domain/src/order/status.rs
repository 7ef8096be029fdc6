use serde::{Deserialize, Serialize};

/// The stage of an order (DESIGN §2), ids in snake_case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    Placed,
    Confirmed,
    Approved,
    Processed,
    Shipped,
    Delivered,
    OnHold,
    Rejected,
    Cancelled,
    Returned,
    Abandoned,
    Archived,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 12] = [
        Self::Placed,
        Self::Confirmed,
        Self::Approved,
        Self::Processed,
        Self::Shipped,
        Self::Delivered,
        Self::OnHold,
        Self::Rejected,
        Self::Cancelled,
        Self::Returned,
        Self::Abandoned,
        Self::Archived,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Placed => "placed",
            Self::Confirmed => "confirmed",
            Self::Approved => "approved",
            Self::Processed => "processed",
            Self::Shipped => "shipped",
            Self::Delivered => "delivered",
            Self::OnHold => "on_hold",
            Self::Rejected => "rejected",
            Self::Cancelled => "cancelled",
            Self::Returned => "returned",
            Self::Abandoned => "abandoned",
            Self::Archived => "archived",
        }
    }

    /// The name a merchant sees.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Placed => "Placed",
            Self::Confirmed => "Confirmed",
            Self::Approved => "Approved",
            Self::Processed => "Processed",
            Self::Shipped => "Shipped",
            Self::Delivered => "Delivered",
            Self::OnHold => "On hold",
            Self::Rejected => "Rejected",
            Self::Cancelled => "Cancelled",
            Self::Returned => "Returned",
            Self::Abandoned => "Abandoned",
            Self::Archived => "Archived",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == s)
    }

    /// Moving to this stage sends the customer an update (DESIGN §2).
    pub fn notifies_customer(&self) -> bool {
        matches!(
            self,
            Self::Approved
                | Self::Processed
                | Self::Shipped
                | Self::Delivered
                | Self::OnHold
                | Self::Rejected
                | Self::Cancelled
                | Self::Returned
        )
    }

    /// The stages an order can be put on hold from.
    pub fn can_be_held(&self) -> bool {
        matches!(self, Self::Confirmed | Self::Approved | Self::Processed)
    }
}

impl std::fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
