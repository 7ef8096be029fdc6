//! An order: its data, its human number and the stage machine of DESIGN §2.

pub mod edit;
mod status;
mod transition;

use serde::{Deserialize, Serialize};

pub use status::OrderStatus;
pub use transition::{
    is_legal, plan_transition, staff_moves, staff_needs_reason, StatusChange, TransitionError,
    TransitionRequest, MAX_TEXT,
};

use crate::{CheckoutStep, Currency, Money, MoneyError, PaymentMethod, PaymentStatus, Timestamp};

/// The human order number: sequential per business, starting at 1001.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    utoipa::ToSchema,
)]
#[serde(transparent)]
#[schema(value_type = i64, example = 1001)]
pub struct OrderNumber(i64);

impl OrderNumber {
    pub const FIRST: OrderNumber = OrderNumber(1001);

    /// Accepts any number from 1001 up; anything lower was never issued.
    pub fn new(n: i64) -> Option<Self> {
        (n >= Self::FIRST.0).then_some(Self(n))
    }

    /// Parses a path segment such as `1001` (a leading `#` is tolerated).
    pub fn parse(s: &str) -> Option<Self> {
        s.trim()
            .trim_start_matches('#')
            .parse()
            .ok()
            .and_then(Self::new)
    }

    pub fn get(&self) -> i64 {
        self.0
    }

    /// The number after `self`.
    pub fn next(&self) -> Self {
        Self(self.0.saturating_add(1))
    }
}

impl std::fmt::Display for OrderNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Who ordered. WhatsApp identifies a customer by the business-scoped
/// `user_id` and/or the phone number `wa_id`; either may be missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Customer {
    pub wa_id: Option<String>,
    pub user_id: Option<String>,
    pub name: Option<String>,
}

/// One cart line. Prices are per unit in the order's currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct LineItem {
    pub retailer_id: String,
    pub name: String,
    pub quantity: i64,
    pub unit_price_minor: i64,
}

/// A delivery address, as the hosted form collects it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Address {
    pub name: String,
    pub phone: String,
    pub line1: String,
    #[serde(default)]
    pub line2: String,
    pub city: String,
    #[serde(default)]
    pub state: String,
    pub postal_code: String,
    pub country: String,
}

/// An order as integrators and the dashboard see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Order {
    pub number: OrderNumber,
    pub status: OrderStatus,
    /// While `on_hold`: the stage a release returns to.
    pub held_from: Option<OrderStatus>,
    pub payment_status: PaymentStatus,
    pub payment_method: Option<PaymentMethod>,
    pub checkout_step: CheckoutStep,
    pub customer: Customer,
    pub items: Vec<LineItem>,
    pub currency: Currency,
    pub total_minor: i64,
    pub address: Option<Address>,
    pub note: Option<String>,
    pub cart_text: Option<String>,
    pub tracking: Option<String>,
    /// The payment provider's id of the current payment (link, session,
    /// payment), for finding it in the provider's dashboard.
    #[serde(default)]
    pub payment_reference: Option<String>,
    /// Set when a payment event could not be believed (amount or currency
    /// differs from the order's): why a person must look. Cleared when staff
    /// settle the payment.
    #[serde(default)]
    pub payment_review: Option<String>,
    /// The provider's id of the payment that paid the order (`pay_…`,
    /// `pi_…`), from its paid event: what a refund at the provider names.
    #[serde(default)]
    pub provider_payment_id: Option<String>,
    /// The money returned so far: the `processed` refunds.
    #[serde(default)]
    pub refunded_minor: i64,
    /// Every refund asked for, oldest first.
    #[serde(default)]
    pub refunds: Vec<crate::Refund>,
    /// `INV-2026-00001`, issued with the payment that earns it (online
    /// payment, or cash on delivery recorded); null until then.
    #[serde(default)]
    pub invoice_number: Option<String>,
    #[schema(value_type = String, format = DateTime)]
    pub created_at: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub updated_at: Timestamp,
    /// Optimistic-concurrency version; a write naming an older one is refused.
    pub version: i64,
    /// A shipping fee staff added (minor units; part of `total_minor`).
    #[serde(default)]
    pub shipping_minor: i64,
    /// A discount staff gave off the items (minor units; taken off `total_minor`).
    #[serde(default)]
    pub discount_minor: i64,
    /// Staff's labels, lower case, in the order they were added.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The email of the staff user the order is assigned to.
    #[serde(default)]
    pub assignee: Option<String>,
    /// What the customer typed in the chat at the address step instead of
    /// filling in the form, kept for staff to copy into the address.
    #[serde(default)]
    pub address_as_typed: Option<String>,
    /// Messages at the current checkout step the bot could not use (the
    /// checkout's to count, not part of the JSON).
    #[serde(skip)]
    pub off_script: u32,
    /// Where the customer's confirmation of a cash-on-delivery order
    /// stands; null when it was never asked (`ORDERDESK_COD_CONFIRM`).
    #[serde(default)]
    pub cod_confirmation: Option<crate::followup::CodConfirmation>,
    /// The rating and comment asked after delivery; null until asked.
    #[serde(default)]
    pub feedback: Option<crate::followup::Feedback>,
    /// When a cart-recovery message (the nudge or a later reminder) last
    /// went out: a checkout completed after it counts as recovered.
    #[serde(skip)]
    pub reminded_at: Option<Timestamp>,
    /// When the order last moved to Delivered; null until it did. Cash on
    /// delivery still unrecorded some days after this needs a person.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime)]
    pub delivered_at: Option<Timestamp>,
    /// The money that arrived for the order: every `paid` payment event in
    /// its currency, also those flagged for review; 0 for an order paid
    /// before payments were counted (see [`crate::received_minor`]).
    #[serde(default)]
    pub received_minor: i64,
}

/// What an order still lacks for the checkout to confirm it by itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Address,
    /// Neither paid nor cash on delivery.
    Payment,
}

impl Missing {
    /// How staff read it.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Address => "delivery address",
            Self::Payment => "payment",
        }
    }
}

impl Order {
    /// What the checkout would still wait for before confirming: shown to
    /// staff before they confirm by hand, so an order is not confirmed
    /// without an address or payment unknowingly. Empty once both are in.
    pub fn missing_for_confirmation(&self) -> Vec<Missing> {
        let mut missing = Vec::new();
        if self.address.is_none() {
            missing.push(Missing::Address);
        }
        let settled = matches!(
            self.payment_status,
            PaymentStatus::Paid | PaymentStatus::PartiallyRefunded | PaymentStatus::Refunded
        ) || self.payment_method == Some(PaymentMethod::Cod);
        if !settled {
            missing.push(Missing::Payment);
        }
        missing
    }
}

/// A tracking text that is a web address (http or https, no spaces), to be
/// shown as a link; anything else (a tracking number, `javascript:`…) is
/// shown as text.
pub fn tracking_link(tracking: &str) -> Option<&str> {
    let t = tracking.trim();
    let lower = t.get(..8).unwrap_or(t).to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &t[8..]
    } else if lower.starts_with("http://") {
        &t[7..]
    } else {
        return None;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    let plausible = !host.is_empty()
        && !t.chars().any(|c| c.is_whitespace() || c.is_control())
        && !host.contains(['\\', '@']);
    plausible.then_some(t)
}

/// A cart that is about to become an order (the store assigns the number).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder {
    pub customer: Customer,
    pub items: Vec<LineItem>,
    pub currency: Currency,
    pub total_minor: i64,
    pub cart_text: Option<String>,
    pub created_at: Timestamp,
}

impl NewOrder {
    /// Builds an order from cart lines, computing the total exactly and
    /// refusing an empty cart, a non-positive quantity or mixed currencies.
    pub fn from_cart(
        customer: Customer,
        lines: Vec<(LineItem, Currency)>,
        cart_text: Option<String>,
        created_at: Timestamp,
    ) -> Result<Self, CartError> {
        let currency = match lines.first() {
            Some((_, c)) => *c,
            None => return Err(CartError::Empty),
        };
        let mut total = Money::from_minor(0, currency);
        let mut items = Vec::with_capacity(lines.len());
        for (item, c) in lines {
            if item.quantity <= 0 {
                return Err(CartError::Quantity(item.retailer_id));
            }
            let line = Money::from_minor(item.unit_price_minor, c).times(item.quantity)?;
            total = total.plus(line)?;
            items.push(item);
        }
        let cart_text = cart_text.filter(|t| !t.trim().is_empty());
        Ok(Self {
            customer,
            items,
            currency,
            total_minor: total.minor(),
            cart_text,
            created_at,
        })
    }

    /// The order this cart becomes once it has a number: placed, payment
    /// pending, no method chosen, waiting for an address, version 1.
    /// `at` is the creation time as the store keeps it (its precision).
    pub fn placed(&self, number: OrderNumber, at: Timestamp) -> Order {
        Order {
            number,
            status: OrderStatus::Placed,
            held_from: None,
            payment_status: PaymentStatus::Pending,
            payment_method: None,
            checkout_step: CheckoutStep::AwaitingAddress,
            customer: self.customer.clone(),
            items: self.items.clone(),
            currency: self.currency,
            total_minor: self.total_minor,
            address: None,
            note: None,
            cart_text: self.cart_text.clone(),
            tracking: None,
            payment_reference: None,
            payment_review: None,
            provider_payment_id: None,
            refunded_minor: 0,
            refunds: Vec::new(),
            invoice_number: None,
            created_at: at,
            updated_at: at,
            version: 1,
            shipping_minor: 0,
            discount_minor: 0,
            tags: Vec::new(),
            assignee: None,
            address_as_typed: None,
            off_script: 0,
            cod_confirmation: None,
            feedback: None,
            reminded_at: None,
            delivered_at: None,
            received_minor: 0,
        }
    }
}

/// Why a cart cannot become an order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CartError {
    #[error("the cart has no items")]
    Empty,
    #[error("item {0:?} has a quantity below 1")]
    Quantity(String),
    #[error(transparent)]
    Money(#[from] MoneyError),
}

#[cfg(test)]
mod tests;
