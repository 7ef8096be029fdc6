//! The inbox: webhook items are stored before the webhook is answered, then
//! processed in the background.
//!
//! Storing is group-committed: concurrent webhook requests hand their items
//! to one writer task, which stores everything queued so far in a single
//! transaction and answers each request when that transaction is durable.
//! One fsync then acknowledges many webhooks, which is how ingestion gets
//! past the per-commit fsync ceiling without weakening durability.
//!
//! Processing reads unprocessed items oldest first, decides what each one
//! means (a cart becomes an order), and applies the decisions in one
//! transaction that also marks the items processed, so an item is applied
//! exactly once even if the process dies halfway.

use std::collections::HashSet;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use orderdesk_domain::{InboxKind, Order};
use orderdesk_store::{
    InboundOutcome, InboundRecord, LanguageSource, MessageState, NewInbound, NewInboundMessage,
    ProcessingLease, Recorded, Store, StoreError,
};
use tokio::sync::{mpsc, oneshot, Notify};
use tracing::{debug, info, warn};

use crate::checkout::handover::Handover;
use crate::checkout::{FollowUp, TypedBatch};
use crate::texts::Texts;
use crate::{CheckoutConfig, EngineError, EventBus};

mod batch;
mod cart_to_order;
use cart_to_order::decide_cart;
pub(crate) use cart_to_order::order_from_cart;

/// Most items one group commit takes; a single 1,000-update webhook still
/// goes in whole, since a request is never split.
const MAX_BATCH_ITEMS: usize = 1024;
/// Most inbox items one processing step handles. The store applies a
/// batch set-based (consecutive carts become orders in one multi-row
/// statement per table, every item is marked in one statement), so a step's
/// cost grows by rows, not by round trips: 1,024 carts take about as many
/// statements as one. On a busy PostgreSQL a round trip costs 1-2 ms of
/// scheduling, about 30 of them per step: 1,024 rather than 256 items a
/// step spreads them four times thinner (session 8, docs/benchmarks.md).
/// A store may ask for shorter transactions ([`Store::apply_limit`]): the
/// step then applies its decisions in parts.
const PROCESS_BATCH: u32 = 1024;
/// How often an idle processor looks again even without a wake-up (a
/// safety net: a wake-up lost in a reconnect costs at most this much).
const IDLE_POLL: Duration = Duration::from_secs(1);
/// How often an instance without the processing lease asks for it, and how
/// often the holder checks it still has it.
const LEASE_RETRY: Duration = Duration::from_secs(1);

/// One caller's items for the group-commit writer, and where to answer.
struct WriteRequest {
    items: Vec<NewInbound>,
    reply: oneshot::Sender<Result<Vec<Recorded>, String>>,
}

/// Hands webhook items to the group-commit writer.
#[derive(Clone)]
pub struct InboxWriter {
    requests: mpsc::Sender<WriteRequest>,
    wake: Arc<Notify>,
}

impl InboxWriter {
    pub(crate) fn spawn(store: Arc<dyn Store>) -> Self {
        let (requests, rx) = mpsc::channel(4096);
        let wake = Arc::new(Notify::new());
        tokio::spawn(write_loop(store, rx, wake.clone()));
        Self { requests, wake }
    }

    /// Stores the items durably; returns once they are committed.
    ///
    /// # Errors
    /// `Store(Unavailable)` when the database refused the batch (nothing of
    /// it is stored: the webhook must not be acknowledged), `ShuttingDown`.
    pub async fn record(&self, items: Vec<NewInbound>) -> Result<Vec<Recorded>, EngineError> {
        if items.is_empty() {
            return Ok(Vec::new());
        }
        let (reply, answer) = oneshot::channel();
        self.requests
            .send(WriteRequest { items, reply })
            .await
            .map_err(|_| EngineError::ShuttingDown)?;
        match answer.await {
            Ok(Ok(recorded)) => Ok(recorded),
            Ok(Err(message)) => Err(EngineError::Store(StoreError::Unavailable(message))),
            Err(_) => Err(EngineError::ShuttingDown),
        }
    }

    pub(crate) fn wake(&self) -> Arc<Notify> {
        self.wake.clone()
    }
}

async fn write_loop(
    store: Arc<dyn Store>,
    mut rx: mpsc::Receiver<WriteRequest>,
    wake: Arc<Notify>,
) {
    while let Some(first) = rx.recv().await {
        let mut requests = vec![first];
        let mut count = requests[0].items.len();
        // Everything that queued up while the previous commit was in flight
        // rides along in this one.
        while count < MAX_BATCH_ITEMS {
            match rx.try_recv() {
                Ok(request) => {
                    count += request.items.len();
                    requests.push(request);
                }
                Err(_) => break,
            }
        }
        let mut all = Vec::with_capacity(count);
        let mut sizes = Vec::with_capacity(requests.len());
        let mut replies = Vec::with_capacity(requests.len());
        for request in requests {
            sizes.push(request.items.len());
            all.extend(request.items);
            replies.push(request.reply);
        }
        match store.record_inbound(&all).await {
            Ok(recorded) => {
                if recorded.iter().any(|r| matches!(r, Recorded::New(_))) {
                    wake.notify_one();
                }
                let mut rest = recorded.into_iter();
                for (size, reply) in sizes.into_iter().zip(replies) {
                    let part: Vec<Recorded> = rest.by_ref().take(size).collect();
                    // A requester that gave up (client went away) is fine to ignore.
                    let _ = reply.send(Ok(part));
                }
            }
            Err(e) => {
                warn!(error = %e, items = all.len(), "could not store webhook items");
                let message = e.to_string();
                for reply in replies {
                    let _ = reply.send(Err(message.clone()));
                }
            }
        }
    }
}

/// Turns stored inbox items into their effects.
pub struct Processor {
    store: Arc<dyn Store>,
    bus: EventBus,
    wake: Arc<Notify>,
    checkout: Option<Arc<CheckoutConfig>>,
    /// The business's settings in force (its hours, for the handover answer).
    settings: crate::settings::Settings,
    /// The typed-order reader's catalog index, shared with the engine.
    catalog: crate::intake::CatalogCache,
}

impl Processor {
    pub(crate) fn new(
        store: Arc<dyn Store>,
        bus: EventBus,
        wake: Arc<Notify>,
        checkout: Option<Arc<CheckoutConfig>>,
        settings: crate::settings::Settings,
        catalog: crate::intake::CatalogCache,
    ) -> Self {
        Self {
            store,
            bus,
            wake,
            checkout,
            settings,
            catalog,
        }
    }

    /// Processes until `shutdown` resolves, while this instance holds the
    /// processing lease ([`Store::try_processing_lease`]): with several
    /// instances on one database one processes and the others stand by,
    /// asking again every [`LEASE_RETRY`], so one takes over within about a
    /// second of the holder dying. While holding it, wakes when items are
    /// stored (by this instance's writer, or another's via
    /// [`Store::watch_instances`]) and otherwise polls now and then.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) {
        tokio::pin!(shutdown);
        let mut standing_by = false;
        loop {
            let lease = match self.store.try_processing_lease().await {
                Ok(Some(lease)) => Some(lease),
                Ok(None) => None,
                Err(e) => {
                    warn!(error = %e, "cannot ask for the processing lease; retrying");
                    None
                }
            };
            match lease {
                Some(lease) => {
                    info!("this instance processes the inbox");
                    standing_by = false;
                    if self.process_while_held(lease, &mut shutdown).await {
                        return;
                    }
                    warn!("lost the processing lease; standing by");
                }
                None if !standing_by => {
                    info!("another instance processes the inbox; standing by");
                    standing_by = true;
                }
                None => {}
            }
            tokio::select! {
                () = &mut shutdown => return,
                () = tokio::time::sleep(LEASE_RETRY) => {}
            }
        }
    }

    /// Processes until `shutdown` resolves (then `true`) or the lease is
    /// lost (`false`). The lease is checked between batches, at most every
    /// [`LEASE_RETRY`], so a holder that lost it stops within about that.
    async fn process_while_held(
        &self,
        mut lease: ProcessingLease,
        shutdown: &mut std::pin::Pin<&mut (impl Future<Output = ()> + Send)>,
    ) -> bool {
        use futures_util::FutureExt as _;
        let mut checked = Instant::now();
        loop {
            // Checked between batches too, so a stop under load is prompt;
            // unprocessed items stay in the inbox for the next start.
            if shutdown.as_mut().now_or_never().is_some() {
                return true;
            }
            if checked.elapsed() >= LEASE_RETRY {
                if !lease.still_held().await {
                    return false;
                }
                checked = Instant::now();
            }
            let idle = match self.step().await {
                Ok(0) => IDLE_POLL,
                Ok(_) => continue,
                Err(e) => {
                    warn!(error = %e, "inbox processing failed; retrying");
                    IDLE_POLL
                }
            };
            tokio::select! {
                () = shutdown.as_mut() => return true,
                () = self.wake.notified() => {}
                () = tokio::time::sleep(idle) => {}
            }
        }
    }

    /// Processes everything pending now; returns how many items it handled.
    ///
    /// # Errors
    /// A store failure; what was applied before it stays applied.
    pub async fn drain(&self) -> Result<usize, EngineError> {
        let mut total = 0;
        loop {
            match self.step().await? {
                0 => return Ok(total),
                n => total += n,
            }
        }
    }

    /// One batch: read pending items, decide, apply in one transaction.
    ///
    /// # Errors
    /// A store failure; then nothing of this batch was applied.
    pub async fn step(&self) -> Result<usize, EngineError> {
        let started = Instant::now();
        let items = self.store.pending_inbound(PROCESS_BATCH).await?;
        if items.is_empty() {
            return Ok(0);
        }
        let read = started.elapsed();
        // Two independent reads, so one round trip's wait instead of two.
        let texts = async {
            match &self.checkout {
                Some(config) => Texts::load(self.store.as_ref(), &config.language_now())
                    .await
                    .map(Some),
                None => Ok(None),
            }
        };
        let (names, texts, blocked, mut languages) = futures_util::future::try_join4(
            self.product_names(&items),
            texts,
            self.blocked_senders(&items),
            self.cart_languages(&items),
        )
        .await?;
        let mut outcomes: Vec<(i64, InboundOutcome)> = Vec::with_capacity(items.len());
        let mut handovers = Vec::new();
        let mut follow_ups = Vec::new();
        let mut typed = TypedBatch {
            catalog: &self.catalog,
            placed: HashSet::new(),
        };
        // Customers whose message this batch has decided: their language
        // may have been guessed from it after the batch's read.
        let mut spoke: HashSet<&str> = HashSet::new();
        for item in &items {
            let from_blocked = item
                .customer_key
                .as_ref()
                .is_some_and(|k| blocked.contains(k));
            let outcome = match InboxKind::parse(&item.kind) {
                // Staff blocked this customer: their carts make no order.
                InboxKind::Cart if from_blocked => InboundOutcome::Ignored,
                InboxKind::Cart => {
                    if let Some(key) = item.customer_key.as_deref().filter(|k| spoke.remove(k)) {
                        // "नमस्ते" then a cart in one batch: the cart's
                        // texts follow the language the message set.
                        let fresh = self.store.customer_languages(&[key.to_owned()]).await?;
                        languages.extend(fresh.into_iter().map(|l| (l.customer_key, l.language)));
                    }
                    let texts = match (&texts, &item.customer_key) {
                        (Some(t), Some(key)) => {
                            Some(t.in_language(languages.get(key).map(String::as_str)))
                        }
                        (t, _) => t.clone(),
                    };
                    decide_cart(item, &names, self.checkout.as_deref().zip(texts.as_ref()))
                }
                // WhatsApp's payment status of an `order_details` message,
                // applied like a provider's event.
                InboxKind::Status(s) if s.starts_with("payment.") => {
                    self.payment(item, true).await?
                }
                InboxKind::Status(_) => decide_status(item),
                InboxKind::Payment(_) => self.payment(item, false).await?,
                InboxKind::Message(_) => {
                    if let Some(key) = item.customer_key.as_deref() {
                        spoke.insert(key);
                    }
                    // A blocked customer's message still joins the
                    // conversation (staff see it); the bot says nothing.
                    let (outcome, asked, follow) = self
                        .decide_message(item, texts.as_ref(), &mut typed, from_blocked)
                        .await?;
                    handovers.extend(asked);
                    follow_ups.extend(follow);
                    outcome
                }
                InboxKind::Change(_) | InboxKind::Other(_) => InboundOutcome::Ignored,
            };
            if let InboundOutcome::Failed(reason) = &outcome {
                // Kept in the inbox, marked failed with this reason, and not
                // retried: the rest of the batch goes on without it.
                warn!(item = item.id, kind = %item.kind, %reason, "inbox item kept as failed");
            }
            outcomes.push((item.id, outcome));
        }
        let decided = started.elapsed();
        let created = self.apply_bounded(&items, &outcomes).await?;
        // The batch's events are committed: streams need not wait for
        // what follows (superseding older orders, handovers).
        self.bus.poke();
        let applied = started.elapsed();
        if let Some(config) = &self.checkout {
            let new_orders: Vec<&Order> = created
                .iter()
                .zip(&outcomes)
                .filter_map(|(order, (_, outcome))| match (order, outcome) {
                    (Some(order), InboundOutcome::CreateOrder { .. }) => Some(order),
                    _ => None,
                })
                .collect();
            // Best effort after the fact (see `supersede_older_all`).
            match crate::checkout::supersede_older_all(self.store.as_ref(), config, &new_orders)
                .await
            {
                Ok(failed) => {
                    for (order, e) in failed {
                        warn!(error = %e, order = %order.number, "could not update the customer's older orders");
                    }
                }
                Err(e) => warn!(error = %e, "could not read the customers' older orders"),
            }
        }
        for follow in &follow_ups {
            // After the message is stored, as the handover's answer; the
            // draft is kept before its offer is queued.
            follow.apply(self.store.as_ref()).await?;
        }
        if let Some(texts) = &texts {
            for h in &handovers {
                // After the message is stored, so its conversation exists.
                let texts = texts.for_key(self.store.as_ref(), h.key()).await?;
                crate::checkout::handover::begin(self.store.as_ref(), &texts, &self.settings, h)
                    .await?;
            }
        }
        // Orders, messages and ticks all append events: wake the streams.
        // Per-phase times (cumulative, ms), to find where a batch's time goes.
        debug!(
            items = outcomes.len(),
            read_ms = read.as_secs_f64() * 1e3,
            decided_ms = decided.as_secs_f64() * 1e3,
            applied_ms = applied.as_secs_f64() * 1e3,
            done_ms = started.elapsed().as_secs_f64() * 1e3,
            "inbox items processed"
        );
        self.bus.poke();
        Ok(items.len())
    }
}

impl Processor {
    /// A payment event applied to its order: a provider's (stored by the
    /// web edge), or WhatsApp's payment status (`whatsapp`).
    async fn payment(
        &self,
        item: &InboundRecord,
        whatsapp: bool,
    ) -> Result<InboundOutcome, EngineError> {
        let Some(config) = &self.checkout else {
            return Ok(InboundOutcome::Ignored);
        };
        let (store, now) = (self.store.as_ref(), chrono::Utc::now());
        if whatsapp {
            crate::checkout::native::apply_payment_status(store, config, &item.payload, now).await
        } else {
            crate::checkout::apply_payment(store, config, &item.payload, now).await
        }
    }

    /// A customer's message joins the chat thread, linked to their newest
    /// open order if they have one.
    /// Also says whether the customer just asked for a person. A blocked
    /// customer's message only joins the thread.
    async fn decide_message(
        &self,
        item: &InboundRecord,
        texts: Option<&Texts>,
        typed: &mut TypedBatch<'_>,
        blocked: bool,
    ) -> Result<(InboundOutcome, Option<Handover>, Option<FollowUp>), EngineError> {
        let m = match orderdesk_whatsapp::parse_chat_message(&item.payload) {
            Ok(m) => m,
            Err(e) => return Ok((InboundOutcome::Failed(e.to_string()), None, None)),
        };
        let Some(key) = m.user_id.clone().or_else(|| m.wa_id.clone()) else {
            return Ok((
                InboundOutcome::Failed("a message with no sender".to_owned()),
                None,
                None,
            ));
        };
        if self.checkout.is_some() && m.kind == "text" {
            // The customer's language follows their first message we can
            // read (a later guess never replaces it, nor staff's choice).
            if let Some(language) = orderdesk_domain::language::detect(&m.text) {
                self.store
                    .set_customer_language(
                        &key,
                        Some(language),
                        LanguageSource::Detected,
                        item.received_at,
                    )
                    .await?;
            }
        }
        let texts = match texts {
            Some(t) => Some(t.for_key(self.store.as_ref(), &key).await?),
            None => None,
        };
        let asked = texts
            .as_ref()
            .filter(|_| !blocked)
            .and_then(|t| crate::checkout::handover::asked(t, &m, &key));
        let message = NewInboundMessage {
            customer_key: key,
            wa_id: m.wa_id.clone(),
            user_id: m.user_id.clone(),
            name: m.name.clone(),
            order_number: None,
            wamid: m.wamid.clone(),
            kind: m.kind.clone(),
            text: m.text.clone(),
            at: item.received_at,
        };
        // A customer asking for a person, or already with one: the bot
        // stays quiet and the message only joins the conversation.
        // A tap under a typed draft still orders it: a draft with lines it
        // could not read hands the customer over with the offer standing.
        let draft_tap = m
            .reply_id
            .as_deref()
            .and_then(orderdesk_domain::DraftTap::parse)
            .is_some();
        let quiet = blocked
            || asked.is_some()
            || (self.checkout.is_some()
                && !draft_tap
                && crate::checkout::handover::handed_over(
                    self.store.as_ref(),
                    &message.customer_key,
                )
                .await?);
        match (&self.checkout, texts) {
            (Some(config), Some(texts)) if !quiet => {
                let (outcome, follow) = crate::checkout::message_outcome(
                    self.store.as_ref(),
                    config,
                    &texts,
                    typed,
                    message,
                    &m,
                )
                .await?;
                Ok((outcome, None, follow))
            }
            _ => {
                let mut message = message;
                message.order_number = self
                    .store
                    .latest_order_for_customer(&message.customer_key)
                    .await?
                    .map(|o| o.number);
                Ok((InboundOutcome::Message(message), asked, None))
            }
        }
    }
}

/// A delivery tick for one of our messages; payment statuses and anything
/// else unknown are kept for the record only.
fn decide_status(item: &InboundRecord) -> InboundOutcome {
    let s = match orderdesk_whatsapp::parse_status(&item.payload) {
        Ok(s) => s,
        Err(e) => return InboundOutcome::Failed(e.to_string()),
    };
    let state = match s.status.as_str() {
        "sent" => MessageState::Sent,
        "delivered" => MessageState::Delivered,
        "read" => MessageState::Read,
        "failed" => MessageState::Failed,
        _ => return InboundOutcome::Ignored,
    };
    let at =
        s.at.and_then(|secs| chrono::DateTime::from_timestamp(secs, 0))
            .unwrap_or(item.received_at);
    InboundOutcome::Status {
        wamid: s.wamid,
        state,
        at,
        error: s.error,
    }
}
