//! The checkout bot: turns checkout events into order updates and the
//! messages the customer receives, using the pure machine in
//! `orderdesk_domain::checkout` for every decision.
//!
//! This module renders the machine's reply intents into Cloud API messages
//! and applies outcomes through `Store::update_order` at the version the
//! decision was made from, so a concurrent change makes the decision be
//! taken again rather than applied to a state it did not see.
//!
//! Links are minted when a message is sent, not when it is queued: the
//! first message of an order is queued in the same transaction that creates
//! the order, before its number exists, so its body carries placeholders
//! that the dispatcher fills in ([`fill_placeholders`]).

use chrono::Utc;
use orderdesk_domain::due_timer;
use orderdesk_domain::Actor;
use orderdesk_domain::{
    advance, plan_transition, Address, ButtonAction, ButtonId, CheckoutInput, CheckoutRefusal,
    CheckoutSettings, CheckoutState, Customer, Money, NewOrder, Order, OrderNumber, PaymentChoice,
    PaymentMethod, PaymentStatus, Reply, TimelineEntry, TimelineKind, Timestamp,
};
use orderdesk_store::{customer_key_of, JobKind, NewJob, NewOutbound, OrderUpdate, StoreError};
use orderdesk_whatsapp::{
    Content, Interactive, OutboundError, OutboundMessage, Recipient, ReplyButton, Text,
};
use serde_json::Value;

use crate::form_token::{FormTokens, TokenError};
pub(crate) use crate::links::{issue_link, next_link};
use crate::texts::Texts;
use crate::{Engine, EngineError};
use orderdesk_payments::{PaymentLink, PaymentProvider};
use std::sync::Arc;

/// Stands for the order number in a queued body until it is sent.
pub const ORDER_PLACEHOLDER: &str = "__ORDERDESK_ORDER__";
/// Stands for a fresh address-form token in a queued body until it is sent.
pub const TOKEN_PLACEHOLDER: &str = "__ORDERDESK_TOKEN__";

/// What the bot needs to talk to customers.
#[derive(Clone)]
pub struct CheckoutConfig {
    /// Base of links sent to customers (`ORDERDESK_PUBLIC_URL`).
    pub public_url: String,
    pub tokens: FormTokens,
    pub settings: CheckoutSettings,
    /// Language of the texts customers get (`ORDERDESK_LANGUAGE`).
    pub language: String,
    /// Makes payment links; `None` when payment is taken some other way
    /// (COD only, or staff marking orders paid).
    pub payments: Option<Arc<dyn PaymentProvider>>,
}

impl std::fmt::Debug for CheckoutConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckoutConfig")
            .field("public_url", &self.public_url)
            .field("language", &self.language)
            .field("payments", &self.payments)
            .finish_non_exhaustive()
    }
}

impl CheckoutConfig {
    fn address_url(&self, token: &str) -> String {
        format!("{}/address/{token}", self.public_url)
    }
}

/// What the hosted address form shows.
#[derive(Debug, Clone)]
pub struct AddressForm {
    pub order: Order,
    /// The order's address, else the customer's last one.
    pub prefill: Option<Address>,
    /// Whether the address may still be changed (before the payment step passed).
    pub editable: bool,
    /// Why it may not, when it may not.
    pub locked: Option<AddressLock>,
}

/// Why an order's address can no longer be changed from the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressLock {
    /// The order is over (cancelled, rejected, returned, archived, or
    /// abandoned for good): the customer is told that, not the address rule.
    Closed(orderdesk_domain::OrderStatus),
    /// The checkout moved past the payment step (or the order was replaced).
    Fixed,
}

impl AddressLock {
    fn of(order: &Order) -> Self {
        use orderdesk_domain::OrderStatus::*;
        match order.status {
            Cancelled | Rejected | Returned | Archived | Abandoned => Self::Closed(order.status),
            _ => Self::Fixed,
        }
    }
}

/// Replaces the placeholders in every string of a queued body: the order
/// number, and a freshly minted address-form link.
pub fn fill_placeholders(
    body: &mut Value,
    number: OrderNumber,
    config: &CheckoutConfig,
    now: Timestamp,
) {
    match body {
        Value::String(s) if s.contains(ORDER_PLACEHOLDER) || s.contains(TOKEN_PLACEHOLDER) => {
            let token = config.tokens.issue(number, now);
            *s = s
                .replace(ORDER_PLACEHOLDER, &number.to_string())
                .replace(TOKEN_PLACEHOLDER, &token);
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| fill_placeholders(v, number, config, now)),
        Value::Object(map) => map
            .values_mut()
            .for_each(|v| fill_placeholders(v, number, config, now)),
        _ => {}
    }
}

/// The text a customer reads in a Cloud API message body (a text message's
/// body, an interactive message's body text), if it has one.
pub fn body_text(body: &Value) -> Option<String> {
    body.pointer("/text/body")
        .or_else(|| body.pointer("/interactive/body/text"))
        .and_then(Value::as_str)
        .map(str::to_owned)
}

/// The first messages of a new order's checkout (its number still unknown).
pub(crate) fn first_messages(
    config: &CheckoutConfig,
    texts: &Texts,
    order: &NewOrder,
) -> Vec<NewOutbound> {
    let total = Money::from_minor(order.total_minor, order.currency).to_string();
    let Some(body) = texts.text(
        "order_received",
        &[("number", ORDER_PLACEHOLDER), ("total", &total)],
    ) else {
        return Vec::new();
    };
    let url = config.address_url(TOKEN_PLACEHOLDER);
    let message = Interactive::cta_url(body.clone(), "Add address", url);
    // Until it is sent (and the dispatcher records the text as it went
    // out), the chat panel shows it without the number it does not know.
    let preview = body
        .replace(&format!(" #{ORDER_PLACEHOLDER}"), "")
        .replace(ORDER_PLACEHOLDER, "");
    outbound(
        &order.customer,
        None,
        message.map(Into::into),
        preview,
        order.created_at,
    )
    .into_iter()
    .collect()
}

/// Builds one queued message, or logs why it cannot be (an invalid message
/// is a bug in our texts, not a reason to lose the order change).
pub(crate) fn outbound(
    customer: &Customer,
    number: Option<OrderNumber>,
    content: Result<Content, OutboundError>,
    preview: String,
    at: Timestamp,
) -> Option<NewOutbound> {
    let key = customer_key_of(customer)?.to_owned();
    let built = Recipient::from_ids(customer.wa_id.as_deref(), customer.user_id.as_deref())
        .and_then(|to| content.map(|c| OutboundMessage::new(to, c)))
        .map_err(|e| e.to_string())
        .and_then(|m| serde_json::to_value(&m).map_err(|e| e.to_string()));
    match built {
        Ok(body) => Some(NewOutbound {
            order_number: number,
            customer_key: key,
            to_wa_id: customer.wa_id.clone(),
            to_user_id: customer.user_id.clone(),
            body,
            preview,
            not_before: at,
        }),
        Err(e) => {
            tracing::error!(error = %e, "could not build a checkout message");
            None
        }
    }
}

/// Renders one reply intent for `order` with the business's texts; `None`
/// when that text is turned off or cannot be sent yet.
pub(crate) fn render(
    config: &CheckoutConfig,
    texts: &Texts,
    link: Option<&PaymentLink>,
    order: &Order,
    reply: &Reply,
    at: Timestamp,
) -> Option<NewOutbound> {
    let n = order.number;
    let number = n.to_string();
    let total = Money::from_minor(order.total_minor, order.currency).to_string();
    let say = |key: &str| texts.text(key, &[("number", &number), ("total", &total)]);
    let plain = |key: &str| -> Option<(Result<Content, OutboundError>, String)> {
        let t = say(key)?;
        Some((Text::new(t.clone()).map(Into::into), t))
    };
    let buttons = |key: &str, choices: [(ButtonAction, &str); 2]| {
        let body = say(key)?;
        let built = choices
            .iter()
            .map(|(action, title)| ReplyButton::new(ButtonId::new(*action, n).encode(), *title))
            .collect::<Result<Vec<_>, _>>()
            .and_then(|b| Interactive::reply_buttons(body.clone(), b))
            .map(Into::into);
        Some((built, body))
    };
    let (content, preview) = match reply {
        Reply::AskAddress => {
            let body = say("ask_address")?;
            let url = config.address_url(&config.tokens.issue(n, at));
            (
                Interactive::cta_url(body.clone(), "Add address", url).map(Into::into),
                body,
            )
        }
        Reply::ThankForAddress => plain("thank_for_address")?,
        Reply::AddressUpdated => plain("address_updated")?,
        Reply::AskPayment { cod_offered: true } => buttons(
            "ask_payment",
            [
                (ButtonAction::PayOnline, "Pay now"),
                (ButtonAction::PayCod, "Cash on delivery"),
            ],
        )?,
        Reply::AskPayment { cod_offered: false } => {
            let Some(link) = link else {
                // No provider, or it failed: the order waits for staff, and
                // the timeline says why (see `issue_link`).
                tracing::info!(order = %n, "no payment link to send; the order waits for payment");
                return None;
            };
            let body = say("ask_payment")?;
            // WhatsApp only opens web links, so a `upi://` link goes through
            // our own page (`/pay/upi/{token}`), which offers it to the phone.
            let url = if link.url.starts_with("https://") || link.url.starts_with("http://") {
                link.url.clone()
            } else {
                format!("{}/pay/upi/{TOKEN_PLACEHOLDER}", config.public_url)
            };
            (
                Interactive::cta_url(body.clone(), "Pay now", url).map(Into::into),
                body,
            )
        }
        Reply::PaymentReceived => plain("payment_received")?,
        Reply::PaymentFailed => plain("payment_failed")?,
        Reply::PaymentExpired => plain("payment_expired")?,
        Reply::CodAccepted => plain("cod_accepted")?,
        Reply::CodUnavailable => plain("cod_unavailable")?,
        Reply::AskNote => buttons(
            "ask_note",
            [
                (ButtonAction::AddNote, "Add a note"),
                (ButtonAction::SkipNote, "Skip"),
            ],
        )?,
        Reply::AskNoteText => plain("ask_note_text")?,
        Reply::NoteSaved => plain("note_saved")?,
        Reply::OrderConfirmed => plain("order_confirmed")?,
        Reply::AlreadyDone => plain("already_done")?,
        Reply::OrderClosed { status } => {
            let status = status.label().to_lowercase();
            let t = texts.text("order_closed", &[("number", &number), ("status", &status)])?;
            (Text::new(t.clone()).map(Into::into), t)
        }
        Reply::Superseded { newer } => {
            let newer = newer.to_string();
            let t = texts.text("superseded", &[("number", &number), ("newer", &newer)])?;
            (Text::new(t.clone()).map(Into::into), t)
        }
        Reply::Reprompt { .. } => plain("reprompt")?,
        Reply::Nudge => plain("nudge")?,
        Reply::WelcomeBack => plain("welcome_back")?,
    };
    outbound(&order.customer, Some(n), content, preview, at)
}

impl Engine {
    fn checkout_config(&self) -> Result<&CheckoutConfig, EngineError> {
        // Without the bot configured no form link was ever issued.
        self.checkout
            .as_deref()
            .ok_or(EngineError::Token(TokenError::Invalid))
    }

    /// Resolves an address-form token to what the form shows.
    ///
    /// # Errors
    /// `Token` for a tampered or expired link, `Store(NotFound)`.
    pub async fn address_form(&self, token: &str) -> Result<AddressForm, EngineError> {
        let config = self.checkout_config()?;
        let number = config
            .tokens
            .verify(token, Utc::now())
            .map_err(EngineError::Token)?;
        let order = self.store.order(number).await?;
        let state = CheckoutState::from_order(&order);
        let editable = advance(&state, CheckoutInput::AddressSubmitted, &config.settings).is_ok();
        let prefill = match &order.address {
            Some(a) => Some(a.clone()),
            None => match customer_key_of(&order.customer) {
                Some(key) => self.store.customer(key).await?.and_then(|c| c.last_address),
                None => None,
            },
        };
        let locked = (!editable).then(|| AddressLock::of(&order));
        Ok(AddressForm {
            order,
            prefill,
            editable,
            locked,
        })
    }

    /// Saves the address from the hosted form and moves the checkout on
    /// (thank-you and payment request queued in the same transaction).
    ///
    /// # Errors
    /// `Token` for a bad link, `AddressLocked` once the payment step has
    /// passed, `Store(Conflict)` if the order kept changing under us.
    pub async fn submit_address(
        &self,
        token: &str,
        address: Address,
    ) -> Result<Order, EngineError> {
        let config = self.checkout_config()?;
        let number = config
            .tokens
            .verify(token, Utc::now())
            .map_err(EngineError::Token)?;
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self.apply_address(config, number, &address).await {
                Err(EngineError::Store(StoreError::Conflict { .. })) if attempts < 3 => continue,
                other => return other,
            }
        }
    }

    async fn apply_address(
        &self,
        config: &CheckoutConfig,
        number: OrderNumber,
        address: &Address,
    ) -> Result<Order, EngineError> {
        let order = self.store.order(number).await?;
        let state = CheckoutState::from_order(&order);
        let outcome = advance(&state, CheckoutInput::AddressSubmitted, &config.settings).map_err(
            |refusal| match refusal {
                CheckoutRefusal::AddressLocked { .. } => EngineError::AddressLocked,
                other => EngineError::Checkout(other.to_string()),
            },
        )?;
        let now = Utc::now();
        let texts = Texts::load(self.store.as_ref(), &config.language).await?;
        let link = issue_link(self.store.as_ref(), config, &order, &outcome, now).await?;
        let (mut update, further) =
            update_from(config, &texts, link.as_ref(), &order, outcome, now)?;
        update.address = Some(address.clone());
        let mut entry = TimelineEntry::new(now, TimelineKind::AddressSet, &Actor::Customer);
        entry.detail = Some(format!(
            "{}, {} {}",
            address.line1, address.postal_code, address.city
        ));
        update.timeline.insert(0, entry);
        let updated = apply_update(self.store.as_ref(), &order, &update, further, now).await?;
        self.bus.poke();
        Ok(updated)
    }
}

/// The order update a checkout outcome asks for, with its first stage move,
/// and the further moves to make after it (at most one: a resume may be
/// followed by the completion).
pub(crate) fn update_from(
    config: &CheckoutConfig,
    texts: &Texts,
    link: Option<&PaymentLink>,
    order: &Order,
    outcome: orderdesk_domain::CheckoutOutcome,
    now: Timestamp,
) -> Result<(OrderUpdate, Vec<orderdesk_domain::TransitionRequest>), EngineError> {
    let mut update = OrderUpdate::default();
    if outcome.step != order.checkout_step {
        update.checkout_step = Some(outcome.step);
    }
    if let Some(note) = &outcome.changes.note {
        update.note = Some(note.clone());
        let mut entry = TimelineEntry::new(now, TimelineKind::NoteSet, &Actor::Customer);
        entry.detail = Some(note.clone());
        update.timeline.push(entry);
    }
    if let Some(choice) = outcome.changes.payment_method {
        update.payment_method = match choice {
            PaymentChoice::Cod => Some(PaymentMethod::Cod),
            PaymentChoice::Online => None,
        };
    }
    update.payment_status = outcome.changes.payment_status;
    // The right amount arrived: an earlier mismatch no longer needs a look.
    if update.payment_status == Some(PaymentStatus::Paid) && order.payment_review.is_some() {
        update.payment_review = Some(None);
    }
    let mut moves = outcome.moves.into_iter();
    if let Some(first) = moves.next() {
        update.status_change = Some(plan_transition(order.status, order.held_from, first)?);
    }
    let leaves_checkout = update
        .status_change
        .as_ref()
        .is_some_and(|c| c.to != orderdesk_domain::OrderStatus::Placed)
        || outcome.step == orderdesk_domain::CheckoutStep::Complete;
    if leaves_checkout {
        update.cancel_jobs = vec![JobKind::Nudge, JobKind::Abandon];
    } else if outcome.progressed {
        // Progress restarts the idle clock the nudge and abandonment run on.
        update.cancel_jobs = vec![JobKind::Nudge, JobKind::Abandon];
        update.jobs = checkout_timers(&config.settings, now)
            .into_iter()
            .map(|(kind, due_at)| NewJob {
                kind,
                order_number: order.number,
                due_at,
            })
            .collect();
    }
    update.outbound = outcome
        .replies
        .iter()
        .filter_map(|r| render(config, texts, link, order, r, now))
        .collect();
    if let Some(link) = link {
        update.payment_reference = Some(link.reference.clone());
        if let Some(provider) = &config.payments {
            update.payment_method = Some(provider.method());
        }
        // The open link sent again is not a new attempt (see `crate::links`).
        if order.payment_reference.as_ref() != Some(&link.reference) {
            // A new link after a failed or expired one: pending again (DESIGN §2).
            let status = update.payment_status.unwrap_or(order.payment_status);
            if matches!(status, PaymentStatus::Failed | PaymentStatus::Expired) {
                update.payment_status = Some(PaymentStatus::Pending);
            }
            let mut entry = TimelineEntry::new(now, TimelineKind::PaymentChanged, &Actor::Bot);
            entry.detail = Some(crate::links::issued_detail(link));
            update.timeline.push(entry);
        }
    }
    Ok((update, moves.collect()))
}

/// The timers of a checkout that was idle since `since`: one nudge (only
/// when it comes before the abandonment) and the abandonment.
pub(crate) fn checkout_timers(
    settings: &CheckoutSettings,
    since: Timestamp,
) -> Vec<(JobKind, Timestamp)> {
    let mut timers = Vec::with_capacity(2);
    if settings.nudge_after < settings.abandon_after {
        timers.push((JobKind::Nudge, since + settings.nudge_after));
    }
    timers.push((JobKind::Abandon, since + settings.abandon_after));
    timers
}

/// How long a claimed timer is reserved for one runner.
const JOB_LEASE: std::time::Duration = std::time::Duration::from_secs(60);

impl Engine {
    /// Runs the checkout timers that are due (nudge, abandon); returns how
    /// many were handled. Timers live in the store and are claimed with a
    /// lease, so they survive restarts and run once across instances.
    ///
    /// # Errors
    /// A store failure while claiming.
    pub async fn run_due_jobs(&self) -> Result<usize, EngineError> {
        let Some(config) = self.checkout.clone() else {
            return Ok(0);
        };
        let now = Utc::now();
        let jobs = self.store.claim_due_jobs(now, JOB_LEASE, 50).await?;
        for job in &jobs {
            match self.run_job(&config, job, now).await {
                // Someone changed the order meanwhile: the lease runs out and
                // the timer is judged again against the new state.
                Err(EngineError::Store(StoreError::Conflict { .. })) => continue,
                Err(EngineError::Store(StoreError::NotFound)) | Ok(()) => {}
                Err(e) => {
                    tracing::warn!(error = %e, order = %job.order_number, "checkout timer failed; it will be retried");
                    continue;
                }
            }
            self.store.complete_job(job.id).await?;
        }
        if !jobs.is_empty() {
            self.bus.poke();
        }
        Ok(jobs.len())
    }

    async fn run_job(
        &self,
        config: &CheckoutConfig,
        job: &orderdesk_store::Job,
        now: Timestamp,
    ) -> Result<(), EngineError> {
        let delay = match job.kind {
            JobKind::Nudge => config.settings.nudge_after,
            JobKind::Abandon => config.settings.abandon_after,
            JobKind::Archive => return Ok(()),
        };
        // The timer was set `delay` after the checkout last moved (progress
        // resets it), so that is how long the checkout has been idle; the
        // domain's timer rule decides what, if anything, is due now.
        let idle = now - (job.due_at - delay);
        let order = self.store.order(job.order_number).await?;
        let state = CheckoutState::from_order(&order);
        let Some(input) = due_timer(&state, idle, &config.settings) else {
            return Ok(());
        };
        let outcome = match advance(&state, input, &config.settings) {
            Ok(outcome) if !outcome.is_noop(&state) => outcome,
            _ => return Ok(()),
        };
        let texts = Texts::load(self.store.as_ref(), &config.language).await?;
        let link = issue_link(self.store.as_ref(), config, &order, &outcome, now).await?;
        let (update, further) = update_from(config, &texts, link.as_ref(), &order, outcome, now)?;
        apply_update(self.store.as_ref(), &order, &update, further, now).await?;
        Ok(())
    }

    /// Runs checkout timers every second until `shutdown` resolves.
    pub fn spawn_jobs(
        &self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        let engine = self.clone();
        tokio::spawn(async move {
            tokio::pin!(shutdown);
            loop {
                if let Err(e) = engine.run_due_jobs().await {
                    tracing::warn!(error = %e, "checkout timers could not run; retrying");
                }
                tokio::select! {
                    _ = &mut shutdown => return,
                    _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
                }
            }
        })
    }
}

/// What a customer's message does: a tap on one of our buttons goes to the
/// order it names, free text to their newest open order; either may move
/// that order's checkout. Anything else just joins the chat thread.
pub(crate) async fn message_outcome(
    store: &dyn orderdesk_store::Store,
    config: &CheckoutConfig,
    mut message: orderdesk_store::NewInboundMessage,
    chat: &orderdesk_whatsapp::ChatIn,
) -> Result<orderdesk_store::InboundOutcome, EngineError> {
    use orderdesk_store::InboundOutcome;
    let open = store
        .open_orders_for_customer(&message.customer_key)
        .await?;
    let tapped = chat.reply_id.as_deref().and_then(ButtonId::parse);
    let (order, input) = match (tapped, chat.kind.as_str()) {
        (Some(id), _) => match store.order(id.order).await {
            Ok(order) => (Some(order), CheckoutInput::ButtonTapped { id: id.encode() }),
            Err(StoreError::NotFound) => (
                None,
                CheckoutInput::Text {
                    body: String::new(),
                },
            ),
            Err(e) => return Err(e.into()),
        },
        (None, "text") => {
            // Free text goes to the newest order in checkout; with none, to
            // the latest order if it is waiting for a late note.
            let order = match open.first() {
                Some(o) => Some(o.clone()),
                None => store
                    .latest_order_for_customer(&message.customer_key)
                    .await?
                    .filter(|o| {
                        o.checkout_step == orderdesk_domain::CheckoutStep::AwaitingNoteText
                    }),
            };
            (
                order,
                CheckoutInput::Text {
                    body: chat.text.clone(),
                },
            )
        }
        _ => (
            None,
            CheckoutInput::Text {
                body: String::new(),
            },
        ),
    };
    // A tap naming someone else's order never touches it.
    let order =
        order.filter(|o| customer_key_of(&o.customer) == Some(message.customer_key.as_str()));
    let Some(order) = order else {
        // No checkout to move: the message joins the thread of the
        // customer's open order, else of their latest order.
        message.order_number = match open.first() {
            Some(o) => Some(o.number),
            None => store
                .latest_order_for_customer(&message.customer_key)
                .await?
                .map(|o| o.number),
        };
        return Ok(InboundOutcome::Message(message));
    };
    message.order_number = Some(order.number);
    if matches!(input, CheckoutInput::Text { .. })
        && crate::links::quiet(store, &order, message.at).await?
    {
        return Ok(InboundOutcome::Message(message));
    }
    let state = CheckoutState::from_order(&order);
    match advance(&state, input, &config.settings) {
        Ok(outcome) if !outcome.is_noop(&state) => {
            let texts = Texts::load(store, &config.language).await?;
            let link = issue_link(store, config, &order, &outcome, message.at).await?;
            let (update, further) =
                update_from(config, &texts, link.as_ref(), &order, outcome, message.at)?;
            if !further.is_empty() {
                tracing::warn!(order = %order.number, "a second stage move from one message is left for the next input");
            }
            Ok(InboundOutcome::MessageAndUpdate {
                number: order.number,
                expected_version: order.version,
                message,
                update,
            })
        }
        Ok(_) => Ok(InboundOutcome::Message(message)),
        Err(refusal) => {
            tracing::info!(order = %order.number, %refusal, "checkout input refused");
            Ok(InboundOutcome::Message(message))
        }
    }
}

/// A provider's payment event as the inbox stores it (written by the web
/// edge after the signature check).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct StoredPayment {
    pub kind: String,
    pub raw_kind: String,
    pub order_number: Option<i64>,
    pub attempt: Option<u32>,
    pub reference: Option<String>,
    pub payment_id: Option<String>,
    pub amount_minor: Option<i64>,
    pub currency: Option<String>,
}

impl StoredPayment {
    /// The stored form of a verified provider event.
    pub fn from_event(event: &orderdesk_payments::PaymentEvent) -> Self {
        Self {
            kind: match event.kind {
                orderdesk_payments::PaymentEventKind::Paid => "paid",
                orderdesk_payments::PaymentEventKind::Failed => "failed",
                orderdesk_payments::PaymentEventKind::Expired => "expired",
            }
            .to_owned(),
            raw_kind: event.raw_kind.clone(),
            order_number: event.our_reference_id.map(|r| r.order_number.get()),
            attempt: event.our_reference_id.map(|r| r.attempt),
            reference: event.reference.clone(),
            payment_id: event.payment_id.clone(),
            amount_minor: event.amount.map(|m| m.minor()),
            currency: event.amount.map(|m| m.currency().to_string()),
        }
    }
}

/// Applies a stored payment event to its order through the checkout
/// machine (paid → payment received and the note question; failed or
/// expired → a fresh link). Applied with `update_order` here and the inbox
/// item then marked processed: if the process dies in between, the item is
/// processed again and the machine, seeing the payment already recorded,
/// changes nothing. A paid amount or currency that differs from the order
/// total is put on the timeline and not believed.
pub(crate) async fn apply_payment(
    store: &dyn orderdesk_store::Store,
    config: &CheckoutConfig,
    payload: &str,
    now: Timestamp,
) -> Result<orderdesk_store::InboundOutcome, EngineError> {
    use orderdesk_store::InboundOutcome;
    let Ok(p) = serde_json::from_str::<StoredPayment>(payload) else {
        return Ok(InboundOutcome::Failed(
            "unreadable payment event".to_owned(),
        ));
    };
    let Some(number) = p.order_number.and_then(OrderNumber::new) else {
        return Ok(InboundOutcome::Failed(format!(
            "payment event {} names no order of ours",
            p.raw_kind
        )));
    };
    let order = match store.order(number).await {
        Ok(order) => order,
        Err(StoreError::NotFound) => {
            return Ok(InboundOutcome::Failed(format!(
                "payment for unknown order #{number}"
            )))
        }
        Err(e) => return Err(e.into()),
    };
    if p.kind == "paid" {
        let matches = p.amount_minor == Some(order.total_minor)
            && p.currency.as_deref() == Some(order.currency.as_str());
        if !matches {
            let why = format!(
                "{} reported {} {} but the order total is {}; not marked paid",
                p.raw_kind,
                p.amount_minor.map_or("?".to_owned(), |a| a.to_string()),
                p.currency.as_deref().unwrap_or("?"),
                Money::from_minor(order.total_minor, order.currency)
            );
            let mut entry = TimelineEntry::new(now, TimelineKind::Notice, &Actor::Provider);
            entry.detail = Some(format!("payment needs review: {why}"));
            let update = OrderUpdate {
                payment_review: Some(Some(why)),
                timeline: vec![entry],
                ..OrderUpdate::default()
            };
            store
                .update_order(number, order.version, &update, now)
                .await?;
            return Ok(InboundOutcome::Ignored);
        }
    }
    let input = match p.kind.as_str() {
        "paid" => CheckoutInput::PaymentSucceeded,
        "failed" => CheckoutInput::PaymentFailed,
        "expired" => CheckoutInput::PaymentExpired,
        _ => return Ok(InboundOutcome::Ignored),
    };
    let state = CheckoutState::from_order(&order);
    let outcome = match advance(&state, input, &config.settings) {
        Ok(outcome) if !outcome.is_noop(&state) => outcome,
        _ => return Ok(InboundOutcome::Ignored),
    };
    let texts = Texts::load(store, &config.language).await?;
    let link = issue_link(store, config, &order, &outcome, now).await?;
    let (mut update, further) = update_from(config, &texts, link.as_ref(), &order, outcome, now)?;
    let mut entry = TimelineEntry::new(now, TimelineKind::PaymentChanged, &Actor::Provider);
    entry.detail = Some(format!(
        "{} ({})",
        p.raw_kind,
        p.payment_id
            .as_deref()
            .or(p.reference.as_deref())
            .unwrap_or("no reference")
    ));
    update.timeline.insert(0, entry);
    apply_update(store, &order, &update, further, now).await?;
    Ok(InboundOutcome::Ignored)
}

/// A new cart replaced the customer's older open orders: each is told
/// through the machine (`CartReplaced`), which keeps it (default: it is no
/// longer nudged and its timer ends it) or abandons it at once, per
/// `on_newer_cart`.
pub(crate) async fn supersede_older(
    store: &dyn orderdesk_store::Store,
    config: &CheckoutConfig,
    newer: &Order,
) -> Result<(), EngineError> {
    let Some(key) = customer_key_of(&newer.customer) else {
        return Ok(());
    };
    let now = Utc::now();
    let older: Vec<Order> = store
        .open_orders_for_customer(key)
        .await?
        .into_iter()
        .filter(|o| o.number < newer.number)
        .collect();
    if older.is_empty() {
        return Ok(());
    }
    let texts = Texts::load(store, &config.language).await?;
    for order in older {
        let state = CheckoutState::from_order(&order);
        let input = CheckoutInput::CartReplaced {
            newer: newer.number,
        };
        let outcome = match advance(&state, input, &config.settings) {
            Ok(outcome) if !outcome.is_noop(&state) => outcome,
            _ => continue,
        };
        let superseded = outcome.changes.superseded_by.is_some();
        let (mut update, further) = update_from(config, &texts, None, &order, outcome, now)?;
        if superseded && !update.cancel_jobs.contains(&JobKind::Nudge) {
            update.cancel_jobs.push(JobKind::Nudge);
        }
        apply_update(store, &order, &update, further, now).await?;
    }
    Ok(())
}

/// Applies a checkout update at the version it was decided from, then any
/// further stage move the outcome asked for (a resume followed by the
/// completion), each at the version the previous one left.
pub(crate) async fn apply_update(
    store: &dyn orderdesk_store::Store,
    order: &Order,
    update: &OrderUpdate,
    further: Vec<orderdesk_domain::TransitionRequest>,
    now: Timestamp,
) -> Result<Order, EngineError> {
    let mut updated = store
        .update_order(order.number, order.version, update, now)
        .await?;
    for next in further {
        let change = plan_transition(updated.status, updated.held_from, next)?;
        updated = store
            .change_status(order.number, updated.version, &change, now)
            .await?;
    }
    Ok(updated)
}
