//! Use-cases of orderdesk, between the HTTP edge and the store: the inbox
//! (group-committed webhook storage and its processor), staff status changes,
//! and the event bus that wakes live streams.
//!
//! Handlers call one method here and map the result; nothing in this crate
//! knows about HTTP or SQL.

pub mod accounts;
mod bulk;
mod bus;
mod chat_products;
pub mod checkout;
mod conversations;
pub mod customers;
mod error;
pub mod followup;
pub mod form_token;
mod inbox;
pub mod intake;
pub mod invoices;
mod links;
mod live_graph;
mod notify;
mod order_edit;
mod orders;
mod outbox;
pub mod payments;
pub mod reconciliation;
pub mod refunds;
mod reopen;
mod replies;
pub mod settings;
pub mod setup;
mod staff_orders;
pub mod stats;
pub mod texts;
mod typed_desk;
mod visibility;

use std::sync::Arc;

use orderdesk_store::Store;

pub use bulk::{BulkAction, BulkError, BulkResult, BulkTarget, MAX_BULK};
pub use bus::EventBus;
pub use chat_products::ProductPick;
pub use checkout::{AddressForm, AddressLock, CheckoutConfig};
pub use conversations::ReadReceipts;
pub use error::EngineError;
pub use inbox::{InboxWriter, Processor};
pub use links::MAX_LINKS_PER_HOUR;
pub use live_graph::LiveGraph;
pub use order_edit::Edited;
pub use orders::{NoteError, PreviewDelivery, StagePreview, REASON_MARK};
pub use outbox::{Delivery, DispatchSettings, Dispatcher};
pub use reopen::{CustomerLanguageView, REOPEN_KEY};
pub use replies::ReplyError;
pub use staff_orders::OrderForCustomer;
pub use typed_desk::{DeskDraft, DraftDeskError};
pub use visibility::Viewer;

/// The shared handle the web layer and workers hold.
#[derive(Clone)]
pub struct Engine {
    store: Arc<dyn Store>,
    bus: EventBus,
    inbox: InboxWriter,
    /// The checkout bot; without it carts still become orders, silently.
    checkout: Option<Arc<CheckoutConfig>>,
    /// WhatsApp read receipts for what staff read; none without a number.
    receipts: Option<ReadReceipts>,
    /// The business's settings as they are now (environment > stored >
    /// default), shared by every part of this instance.
    settings: settings::Settings,
    /// The typed-order reader's index of the catalog, kept between reads.
    intake: intake::CatalogCache,
}

impl Engine {
    /// Wires the engine over a store. Spawns the group-commit writer; the
    /// inbox processor is started separately with [`Engine::spawn_processor`]
    /// so tests and tools can drive it step by step.
    pub fn new(store: Arc<dyn Store>) -> Self {
        let bus = EventBus::new();
        let inbox = InboxWriter::spawn(store.clone());
        Self {
            store,
            bus,
            inbox,
            checkout: None,
            receipts: None,
            settings: settings::Settings::default(),
            intake: intake::CatalogCache::default(),
        }
    }

    /// Sends WhatsApp read receipts when staff read a conversation.
    pub fn with_read_receipts(mut self, receipts: ReadReceipts) -> Self {
        self.receipts = Some(receipts);
        self
    }

    /// Reads settings through this handle (the binary builds it from its
    /// configuration table).
    pub fn with_settings(mut self, settings: settings::Settings) -> Self {
        self.settings = settings;
        self
    }

    pub fn settings(&self) -> &settings::Settings {
        &self.settings
    }

    /// Turns on the checkout bot.
    pub fn with_checkout(mut self, config: CheckoutConfig) -> Self {
        self.checkout = Some(Arc::new(config));
        self
    }

    pub fn checkout(&self) -> Option<&Arc<CheckoutConfig>> {
        self.checkout.as_ref()
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    pub fn bus(&self) -> &EventBus {
        &self.bus
    }

    pub fn inbox(&self) -> &InboxWriter {
        &self.inbox
    }

    /// A processor for the inbox, not yet running.
    pub fn processor(&self) -> Processor {
        Processor::new(
            self.store.clone(),
            self.bus.clone(),
            self.inbox.wake(),
            self.checkout.clone(),
            self.settings.clone(),
            self.intake.clone(),
        )
    }

    /// Runs the inbox processor in the background until `shutdown` resolves.
    pub fn spawn_processor(
        &self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        let processor = self.processor();
        tokio::spawn(processor.run(shutdown))
    }

    /// Pokes the bus whenever another instance on the same database appended
    /// events or queued messages ([`Store::watch_changes`]), so this
    /// instance's event streams and dispatcher look again, and wakes the
    /// processor when another instance stored webhook items
    /// ([`Store::watch_instances`]), until `shutdown` resolves. Ends at once for
    /// a store only this process writes to.
    pub fn spawn_change_watcher(
        &self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> tokio::task::JoinHandle<()> {
        let store = self.store.clone();
        let bus = self.bus.clone();
        let wake = self.inbox.wake();
        tokio::spawn(async move {
            let poke = move || bus.poke();
            let new_items = move || wake.notify_one();
            let watch = async {
                if let Err(e) = store.watch_instances(&poke, &new_items).await {
                    tracing::warn!(error = %e, "cannot watch for other instances' changes; \
                        relying on polling");
                }
            };
            tokio::select! {
                () = watch => {}
                () = shutdown => {}
            }
        })
    }
}
