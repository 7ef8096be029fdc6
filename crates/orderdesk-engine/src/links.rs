//! Payment links: when the bot or staff get a new one from the provider,
//! and when the open one is sent again instead.
//!
//! Every link costs a provider API call (made while the inbox processes the
//! customer's message) and a row on the provider's side, so a new link is
//! made only when the order has none open: the first request, after the last
//! one failed or expired, or when staff ask with `send_link`; and never more
//! than [`MAX_LINKS_PER_HOUR`] per order. A customer texting during the
//! payment step gets the open link again, and while the bot spoke to them
//! within [`QUIET_AFTER_SEND`], no reply at all (staff still see the text).
//!
//! Which link is open is read from the order's timeline: each issued link
//! leaves a `payment link …` entry naming its reference and address.

use chrono::Duration;
use orderdesk_domain::{
    CheckoutOutcome, Money, Order, PaymentRefusal, PaymentStatus, Reply, TimelineEntry,
    TimelineKind, Timestamp,
};
use orderdesk_payments::{PaymentLink, PaymentRequest, ReferenceId};
use orderdesk_store::Store;

use crate::checkout::CheckoutConfig;
use crate::EngineError;

/// Timeline detail prefix of an issued payment link; counting them gives the
/// next attempt number (providers refuse a reused reference).
pub(crate) const LINK_ISSUED: &str = "payment link";

/// At most this many new links per order in any hour, whoever asks.
pub const MAX_LINKS_PER_HOUR: usize = 5;

/// How long a link is asked to live: inside both providers' limits
/// (Razorpay ≥ 15 min, Stripe ≤ 24 h).
const LINK_LIFETIME: Duration = Duration::hours(23);

/// A link this close to its end is not sent again; a new one is made.
const REUSE_MARGIN: Duration = Duration::minutes(15);

/// The timeline detail of an issued link, which [`open_link`] reads back.
pub(crate) fn issued_detail(link: &PaymentLink) -> String {
    format!(
        "{LINK_ISSUED} {} ({}) {}",
        link.reference_id, link.reference, link.url
    )
}

fn is_issued(e: &TimelineEntry) -> bool {
    e.kind == TimelineKind::PaymentChanged
        && e.detail
            .as_deref()
            .is_some_and(|d| d.starts_with(LINK_ISSUED))
}

/// Reads an issued link back from its timeline entry (`None` for entries
/// written before the address was recorded there).
fn parse_issued(e: &TimelineEntry) -> Option<PaymentLink> {
    let rest = e.detail.as_deref()?.strip_prefix(LINK_ISSUED)?;
    let mut words = rest.split_whitespace();
    let reference_id = ReferenceId::parse(words.next()?)?;
    let reference = words.next()?.strip_prefix('(')?.strip_suffix(')')?;
    let url = words.next().filter(|u| {
        u.starts_with("https://") || u.starts_with("http://") || u.starts_with("upi:")
    })?;
    Some(PaymentLink {
        url: url.to_owned(),
        reference: reference.to_owned(),
        reference_id,
        expires_at: Some(e.at + LINK_LIFETIME),
    })
}

/// The order's open link: the last one issued, still the order's payment
/// reference, its payment `pending` (after `outcome`, when given), and not
/// about to expire.
async fn open_link(
    store: &dyn Store,
    order: &Order,
    outcome: Option<&CheckoutOutcome>,
    now: Timestamp,
) -> Result<Option<PaymentLink>, EngineError> {
    let status = outcome
        .and_then(|o| o.changes.payment_status)
        .unwrap_or(order.payment_status);
    if status != PaymentStatus::Pending || order.payment_reference.is_none() {
        return Ok(None);
    }
    let timeline = store.timeline(order.number).await?;
    let link = timeline
        .iter()
        .rev()
        .find(|e| is_issued(e))
        .and_then(parse_issued)
        .filter(|l| Some(&l.reference) == order.payment_reference.as_ref())
        .filter(|l| l.expires_at.is_some_and(|end| end - REUSE_MARGIN > now));
    Ok(link)
}

/// Why no new link may be made now, if one may not.
pub(crate) async fn new_link_refused(
    store: &dyn Store,
    order: &Order,
    now: Timestamp,
) -> Result<Option<PaymentRefusal>, EngineError> {
    let recent = store
        .timeline(order.number)
        .await?
        .iter()
        .filter(|e| is_issued(e) && e.at > now - Duration::hours(1))
        .count();
    Ok(
        (recent >= MAX_LINKS_PER_HOUR).then_some(PaymentRefusal::TooManyLinks {
            number: order.number,
            limit: MAX_LINKS_PER_HOUR,
        }),
    )
}

/// Whether the outcome sends the customer a payment link.
fn wants_link(outcome: &CheckoutOutcome) -> bool {
    outcome
        .replies
        .iter()
        .any(|r| matches!(r, Reply::AskPayment { cod_offered: false }))
}

/// The link to send with the outcome, when it needs one: the open link, else
/// a new one. A provider failure or the hourly cap is logged and leaves the
/// order waiting (the reply is not sent) rather than losing the customer's input.
pub(crate) async fn issue_link(
    store: &dyn Store,
    config: &CheckoutConfig,
    order: &Order,
    outcome: &CheckoutOutcome,
    now: Timestamp,
) -> Result<Option<PaymentLink>, EngineError> {
    if let Some(open) = open_link_again(store, config, order, outcome, now).await? {
        return Ok(Some(open));
    }
    if !wants_link(outcome) || config.payments.is_none() {
        return Ok(None);
    }
    if let Some(why) = new_link_refused(store, order, now).await? {
        tracing::warn!(order = %order.number, "{why}");
        return Ok(None);
    }
    next_link(store, config, order, now).await
}

/// The open link, when the outcome sends one, and never a new one: what
/// free text from the customer gets.
pub(crate) async fn open_link_again(
    store: &dyn Store,
    config: &CheckoutConfig,
    order: &Order,
    outcome: &CheckoutOutcome,
    now: Timestamp,
) -> Result<Option<PaymentLink>, EngineError> {
    if !wants_link(outcome) || config.payments.is_none() {
        return Ok(None);
    }
    open_link(store, order, Some(outcome), now).await
}

/// Asks the provider for a link for the order's next attempt (numbered from
/// the links already on its timeline). `None` without a provider, or when it
/// failed (logged).
pub(crate) async fn next_link(
    store: &dyn Store,
    config: &CheckoutConfig,
    order: &Order,
    now: Timestamp,
) -> Result<Option<PaymentLink>, EngineError> {
    let Some(provider) = config.payments.as_ref() else {
        return Ok(None);
    };
    let issued = store
        .timeline(order.number)
        .await?
        .iter()
        .filter(|e| is_issued(e))
        .count();
    let request = PaymentRequest {
        order_number: order.number,
        attempt: u32::try_from(issued).unwrap_or(u32::MAX - 1) + 1,
        amount: Money::from_minor(order.total_minor, order.currency),
        description: format!("Order #{}", order.number),
        customer_name: order.customer.name.clone(),
        customer_phone: order.customer.wa_id.clone(),
        customer_email: None,
        callback_url: Some(format!("{}/payment/return", config.public_url)),
        cancel_url: Some(format!("{}/payment/return", config.public_url)),
        expires_at: now + LINK_LIFETIME,
    };
    match provider.create_request(&request).await {
        Ok(link) => Ok(Some(link)),
        Err(e) => {
            tracing::warn!(order = %order.number, error = %e, "could not create a payment link");
            Ok(None)
        }
    }
}
