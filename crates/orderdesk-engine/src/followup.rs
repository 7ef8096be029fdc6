//! After the checkout: the cash-on-delivery confirmation ([`cod`]) and
//! the rating asked after delivery ([`feedback`]). Every decision is the
//! domain's (`orderdesk_domain::followup`); this module turns decisions into
//! order updates and messages, applied at the version they were decided
//! from, and runs their timers through the same store timers as the
//! checkout's (claimed with a lease: each fires once across instances).

use orderdesk_domain::followup::FollowupTap;
use orderdesk_domain::followup::{parse_delay, parse_delay_or_off, parse_switch, CodUnconfirmed};
use orderdesk_domain::{Money, Order, Timestamp};
use orderdesk_store::{
    customer_key_of, InboundOutcome, NewInboundMessage, NewOutbound, Store, StoreError,
};
use orderdesk_whatsapp::{Content, OutboundError, Text};

use crate::checkout::CheckoutConfig;
use crate::settings::Settings;
use crate::texts::Texts;
use crate::EngineError;

pub(crate) mod cod;
pub(crate) mod feedback;

/// Ask cash-on-delivery customers to confirm (`on`/`off`).
pub const COD_CONFIRM: &str = "ORDERDESK_COD_CONFIRM";
/// How long an unanswered question waits before the reminder, and the
/// reminder before the order is cancelled or flagged.
pub const COD_CONFIRM_WAIT: &str = "ORDERDESK_COD_CONFIRM_WAIT";
/// What an unconfirmed order comes to (`cancel`/`call`).
pub const COD_UNCONFIRMED: &str = "ORDERDESK_COD_UNCONFIRMED";
/// How long after delivery the rating is asked (`off` or a duration).
pub const FEEDBACK_AFTER: &str = "ORDERDESK_FEEDBACK_AFTER";

/// The follow-up settings in force now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowupSettings {
    pub cod_confirm: bool,
    pub cod_wait: chrono::Duration,
    pub cod_unconfirmed: CodUnconfirmed,
    pub feedback_after: Option<chrono::Duration>,
}

impl Default for FollowupSettings {
    /// Both off; a 12-hour wait; cancel when unconfirmed.
    fn default() -> Self {
        Self {
            cod_confirm: false,
            cod_wait: chrono::Duration::hours(12),
            cod_unconfirmed: CodUnconfirmed::Cancel,
            feedback_after: None,
        }
    }
}

impl FollowupSettings {
    /// Read at each use, so a change on `/settings` applies at once on
    /// every instance. Values were checked before they were stored; one
    /// that does not parse after all keeps its default.
    pub fn now(live: &Settings) -> Self {
        let d = Self::default();
        Self {
            cod_confirm: live
                .value(COD_CONFIRM)
                .and_then(|v| parse_switch(&v).ok())
                .unwrap_or(d.cod_confirm),
            cod_wait: live
                .value(COD_CONFIRM_WAIT)
                .and_then(|v| parse_delay(&v).ok())
                .unwrap_or(d.cod_wait),
            cod_unconfirmed: live
                .value(COD_UNCONFIRMED)
                .and_then(|v| CodUnconfirmed::parse(&v).ok())
                .unwrap_or(d.cod_unconfirmed),
            feedback_after: match live.value(FEEDBACK_AFTER) {
                Some(v) => parse_delay_or_off(&v).unwrap_or(d.feedback_after),
                None => d.feedback_after,
            },
        }
    }
}

/// The placeholders every follow-up text may use for `order`.
pub(crate) struct Vars {
    pub number: String,
    pub total: String,
    pub items: String,
}

impl Vars {
    pub(crate) fn of(config: &CheckoutConfig, order: &Order) -> Self {
        let local = config.local();
        Self {
            number: order.number.to_string(),
            total: local.money(Money::from_minor(order.total_minor, order.currency)),
            items: crate::order_edit::summary_items(order, &local),
        }
    }

    /// `key`'s text with the order's placeholders and `extra` filled; `None`
    /// when the business turned it off.
    pub(crate) fn text(&self, texts: &Texts, key: &str, extra: &[(&str, &str)]) -> Option<String> {
        let mut vars = vec![
            ("number", self.number.as_str()),
            ("total", self.total.as_str()),
            ("items", self.items.as_str()),
        ];
        vars.extend_from_slice(extra);
        texts.text(key, &vars)
    }
}

/// One message for `order`'s customer, as the chat panel shows it.
pub(crate) fn message(
    order: &Order,
    content: Result<Content, OutboundError>,
    preview: String,
    at: Timestamp,
) -> Option<NewOutbound> {
    crate::checkout::outbound(&order.customer, Some(order.number), content, preview, at)
}

/// A plain text message, when the text is on.
pub(crate) fn plain(order: &Order, text: Option<String>, at: Timestamp) -> Option<NewOutbound> {
    let text = text?;
    message(order, Text::new(text.clone()).map(Into::into), text, at)
}

/// What a tap on a follow-up button or list row does. A tap naming an
/// unknown order, or someone else's, only joins the chat thread.
pub(crate) async fn tap_outcome(
    store: &dyn Store,
    config: &CheckoutConfig,
    mut message: NewInboundMessage,
    tap: FollowupTap,
) -> Result<InboundOutcome, EngineError> {
    let order = match store.order(tap.order()).await {
        Ok(order) => order,
        Err(StoreError::NotFound) => return Ok(InboundOutcome::Message(message)),
        Err(e) => return Err(e.into()),
    };
    if customer_key_of(&order.customer) != Some(message.customer_key.as_str()) {
        return Ok(InboundOutcome::Message(message));
    }
    message.order_number = Some(order.number);
    let texts = Texts::load(store, &config.language).await?;
    let update = match tap {
        FollowupTap::Cod { answer, .. } => {
            cod::answered(config, &texts, &order, answer, message.at)?
        }
        FollowupTap::Rate { value, .. } => feedback::answered(
            config,
            &texts,
            &order,
            orderdesk_domain::followup::FeedbackInput::Rating(value),
            message.at,
        ),
    };
    Ok(applied(&order, message, update))
}

/// The customer's message with what it does to `order` (applied at the
/// version it was decided from), or the message alone.
pub(crate) fn applied(
    order: &Order,
    message: NewInboundMessage,
    update: Option<orderdesk_store::OrderUpdate>,
) -> InboundOutcome {
    match update {
        Some(update) => InboundOutcome::MessageAndUpdate {
            number: order.number,
            expected_version: order.version,
            message,
            update,
        },
        None => InboundOutcome::Message(message),
    }
}
