//! The [`Store`] both SQL backends serve, written once.
//!
//! [`SqlStore`] implements every [`Store`] method whose SQL both dialects
//! share (most writes through the shared write path, most reads through
//! [`crate::SqlRead`]) over a [`SqlBackend`]. A backend supplies its connections and
//! transactions, and answers the few methods whose SQL or locking really
//! differs (listed on [`SqlBackend`]): a method written there is one that
//! could not be written here.

use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use orderdesk_domain::{Order, OrderNumber, OrderStatus, TimelineEntry, Timestamp};
use orderdesk_store::{
    ApiToken, ChatMessage, CustomerRecord, InboundOutcome, InboundRecord, InboundResult,
    MessageState, MessageTemplate, NewApiToken, NewInbound, NewOutbound, NewSession, NewUser,
    OrderPage, OrderQuery, OrderUpdate, OutboxItem, Product, PrunedEvents, Recorded, Role, Session,
    Store, StoreResult, StoredEvent, Timer, User, UserCredentials,
};

use crate::{reads, Durability, SqlBackend, SqlTx};

/// A [`Store`] on a SQL database: the shared implementation over one
/// backend. The backends name theirs (`SqliteStore`, `PgStore`).
#[derive(Debug, Clone)]
pub struct SqlStore<B>(B);

impl<B: SqlBackend> SqlStore<B> {
    pub fn new(backend: B) -> Self {
        Self(backend)
    }

    /// The backend, for what only it offers (closing its pools, say).
    pub fn backend(&self) -> &B {
        &self.0
    }
}

#[async_trait]
impl<B: SqlBackend> Store for SqlStore<B> {
    fn apply_limit(&self) -> usize {
        self.0.apply_limit()
    }

    async fn migrate(&self) -> StoreResult<()> {
        self.0.migrate().await
    }

    async fn ping(&self) -> StoreResult<()> {
        self.0.ping().await
    }

    async fn try_processing_lease(&self) -> StoreResult<Option<orderdesk_store::ProcessingLease>> {
        self.0.try_processing_lease().await
    }

    async fn ops_status(&self) -> StoreResult<orderdesk_store::OpsStatus> {
        self.0.ops_status().await
    }

    async fn record_inbound(&self, batch: &[NewInbound]) -> StoreResult<Vec<Recorded>> {
        self.0.record_inbound(batch).await
    }

    async fn rebuild_stats(&self, time_zone: &str) -> StoreResult<()> {
        self.0.rebuild_stats(time_zone).await
    }

    async fn list_orders(&self, query: &OrderQuery) -> StoreResult<OrderPage> {
        self.0.list_orders(query).await
    }

    async fn count_orders(&self, query: &OrderQuery) -> StoreResult<Vec<(OrderStatus, i64)>> {
        self.0.count_orders(query).await
    }

    async fn claim_outbox(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<OutboxItem>> {
        self.0.claim_outbox(now, lease, limit).await
    }

    async fn claim_due_timers(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<Timer>> {
        self.0.claim_due_timers(now, lease, limit).await
    }

    async fn last_event_seq(&self) -> StoreResult<i64> {
        self.0.last_event_seq().await
    }

    async fn prune_events(&self, before: Timestamp) -> StoreResult<PrunedEvents> {
        self.0.prune_events(before).await
    }

    async fn upsert_products(&self, products: &[Product]) -> StoreResult<u64> {
        self.0.upsert_products(products).await
    }

    async fn products_by_ids(&self, ids: &[String]) -> StoreResult<Vec<Product>> {
        self.0.products_by_ids(ids).await
    }

    async fn migrate_unless_busy(&self) -> StoreResult<bool> {
        self.0.migrate_unless_busy().await
    }

    async fn watch_instances(
        &self,
        on_change: &(dyn Fn() + Send + Sync),
        on_inbox: &(dyn Fn() + Send + Sync),
    ) -> StoreResult<()> {
        self.0.watch_instances(on_change, on_inbox).await
    }

    async fn reserve_send_slots(
        &self,
        key: &str,
        count: u32,
        interval: Duration,
    ) -> StoreResult<Option<Duration>> {
        self.0.reserve_send_slots(key, count, interval).await
    }

    async fn record_webhook_verified(&self, at: Timestamp) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::ops_status::record_webhook_verified(&mut tx, at).await?;
        tx.commit().await
    }

    async fn pending_inbound(&self, limit: u32) -> StoreResult<Vec<InboundRecord>> {
        reads::pending_inbound(&self.0, limit).await
    }

    async fn apply_inbound(
        &self,
        batch: &[(i64, InboundOutcome)],
    ) -> StoreResult<Vec<InboundResult>> {
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.0.write(Durability::Deferred).await?;
        let results = crate::complete_inbound(&mut tx, batch, Utc::now()).await?;
        tx.commit().await?;
        Ok(results)
    }

    async fn order(&self, number: OrderNumber) -> StoreResult<Order> {
        reads::order(&self.0, number).await
    }

    async fn timeline(&self, number: OrderNumber) -> StoreResult<Vec<TimelineEntry>> {
        reads::timeline(&self.0, number).await
    }

    async fn payment_events(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> StoreResult<Vec<orderdesk_domain::LedgerEntry>> {
        crate::ledger::payment_events(&self.0, from, to).await
    }

    async fn order_payment_events(
        &self,
        number: OrderNumber,
    ) -> StoreResult<Vec<orderdesk_domain::LedgerEntry>> {
        crate::ledger::order_payment_events(&self.0, number).await
    }

    async fn payment_attention(&self) -> StoreResult<Vec<Order>> {
        crate::ledger::payment_attention(&self.0).await
    }

    async fn stat_totals(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> StoreResult<Vec<(String, i64)>> {
        crate::rollups::totals(&self.0, from, to).await
    }

    async fn stat_days(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        metrics: &[&str],
    ) -> StoreResult<Vec<(chrono::NaiveDate, String, i64)>> {
        crate::rollups::days(&self.0, from, to, metrics).await
    }

    async fn stats_zone(&self) -> StoreResult<Option<String>> {
        crate::rollups::zone(&self.0).await
    }

    async fn set_document_prefixes(&self, invoice: &str, credit_note: &str) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::invoices::set_prefixes(&mut tx, invoice, credit_note).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn status_counts(&self) -> StoreResult<Vec<(OrderStatus, i64)>> {
        reads::status_counts(&self.0).await
    }

    async fn update_order(
        &self,
        number: OrderNumber,
        expected_version: i64,
        update: &OrderUpdate,
        at: Timestamp,
    ) -> StoreResult<Order> {
        let mut tx = self.0.write(Durability::Full).await?;
        let order = crate::update_order(&mut tx, number, expected_version, update, at).await?;
        tx.commit().await?;
        Ok(order)
    }

    async fn edit_order(
        &self,
        number: OrderNumber,
        expected_version: i64,
        fields: &orderdesk_store::OrderFields,
        update: &OrderUpdate,
        at: Timestamp,
    ) -> StoreResult<Order> {
        let mut tx = self.0.write(Durability::Full).await?;
        let order =
            crate::edit_order(&mut tx, number, expected_version, fields, update, at).await?;
        tx.commit().await?;
        Ok(order)
    }

    async fn create_staff_order(
        &self,
        new: &orderdesk_domain::NewOrder,
        creator: &orderdesk_domain::Actor,
        update: &OrderUpdate,
        timers: &[(orderdesk_store::TimerKind, Timestamp)],
    ) -> StoreResult<Order> {
        let mut tx = self.0.write(Durability::Full).await?;
        let order = crate::create_staff_order(&mut tx, new, creator, update, timers).await?;
        tx.commit().await?;
        Ok(order)
    }

    async fn customer_by_wa_id(&self, wa_id: &str) -> StoreResult<Option<CustomerRecord>> {
        crate::customer_by_wa_id(&self.0, wa_id).await
    }

    async fn open_orders_for_customer(&self, key: &str) -> StoreResult<Vec<Order>> {
        reads::open_orders_for_customer(&self.0, key).await
    }

    async fn latest_order_for_customer(&self, key: &str) -> StoreResult<Option<Order>> {
        reads::latest_order_for_customer(&self.0, key).await
    }

    async fn customer(&self, key: &str) -> StoreResult<Option<CustomerRecord>> {
        reads::customer(&self.0, key).await
    }

    async fn queue_outbound(
        &self,
        messages: &[NewOutbound],
        at: Timestamp,
    ) -> StoreResult<Vec<ChatMessage>> {
        if messages.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.0.write(Durability::Full).await?;
        let queued = crate::queue_outbound(&mut tx, messages, at).await?;
        tx.commit().await?;
        Ok(queued)
    }

    async fn outbox_sent(&self, id: i64, wamid: &str, at: Timestamp) -> StoreResult<ChatMessage> {
        let mut tx = self.0.write(Durability::Full).await?;
        let message = crate::outbox_sent(&mut tx, id, wamid, at).await?;
        tx.commit().await?;
        Ok(message)
    }

    async fn outbound_text(&self, id: i64, text: &str) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::outbound_text(&mut tx, id, text).await?;
        tx.commit().await
    }

    async fn outbox_retry(&self, id: i64, not_before: Timestamp, error: &str) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::outbox_retry(&mut tx, id, not_before, error).await?;
        tx.commit().await
    }

    async fn outbox_failed(&self, id: i64, error: &str, at: Timestamp) -> StoreResult<ChatMessage> {
        let mut tx = self.0.write(Durability::Full).await?;
        let message = crate::outbox_failed(&mut tx, id, error, at).await?;
        tx.commit().await?;
        Ok(message)
    }

    async fn message_status(
        &self,
        wamid: &str,
        state: MessageState,
        at: Timestamp,
        error: Option<&str>,
    ) -> StoreResult<Option<ChatMessage>> {
        let mut tx = self.0.write(Durability::Full).await?;
        let changed = crate::message_status(&mut tx, wamid, state, at, error).await?;
        tx.commit().await?;
        Ok(changed)
    }

    async fn messages_for_order(&self, number: OrderNumber) -> StoreResult<Vec<ChatMessage>> {
        reads::messages_for_order(&self.0, number).await
    }

    async fn messages_for_customer(&self, key: &str, limit: u32) -> StoreResult<Vec<ChatMessage>> {
        reads::messages_for_customer(&self.0, key, limit).await
    }

    async fn complete_timer(&self, id: i64) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::complete_timer(&mut tx, id).await?;
        tx.commit().await
    }

    async fn events_since(&self, after: i64, limit: u32) -> StoreResult<Vec<StoredEvent>> {
        reads::events_since(&self.0, after, limit).await
    }

    async fn events_pruned_through(&self) -> StoreResult<i64> {
        reads::events_pruned_through(&self.0).await
    }

    async fn create_user(&self, user: &NewUser) -> StoreResult<User> {
        let mut tx = self.0.write(Durability::Full).await?;
        let done = crate::create_user(&mut tx, user).await?;
        tx.commit().await?;
        Ok(done)
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserCredentials>> {
        reads::user_by_email(&self.0, email).await
    }

    async fn create_token(&self, token: &NewApiToken) -> StoreResult<ApiToken> {
        let mut tx = self.0.write(Durability::Full).await?;
        let done = crate::create_token(&mut tx, token).await?;
        tx.commit().await?;
        Ok(done)
    }

    async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<ApiToken>> {
        reads::token_by_hash(&self.0, hash).await
    }

    async fn users(&self) -> StoreResult<Vec<User>> {
        reads::users(&self.0).await
    }

    async fn delete_user(&self, id: i64) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::delete_user(&mut tx, id).await?;
        tx.commit().await
    }

    async fn set_user_role(&self, id: i64, role: Role) -> StoreResult<bool> {
        let mut tx = self.0.write(Durability::Full).await?;
        let changed = crate::set_user_role(&mut tx, id, role).await?;
        tx.commit().await?;
        Ok(changed)
    }

    async fn set_user_password(&self, id: i64, password_hash: &str) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::set_user_password(&mut tx, id, password_hash).await?;
        tx.commit().await
    }

    async fn tokens(&self) -> StoreResult<Vec<ApiToken>> {
        reads::tokens(&self.0).await
    }

    async fn revoke_token(&self, id: i64, at: Timestamp) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::revoke_token(&mut tx, id, at).await?;
        tx.commit().await
    }

    async fn create_session(&self, session: &NewSession) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::create_session(&mut tx, session).await?;
        tx.commit().await
    }

    async fn session(&self, id_hash: &str, now: Timestamp) -> StoreResult<Option<Session>> {
        reads::session(&self.0, id_hash, now).await
    }

    async fn delete_session(&self, id_hash: &str) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::delete_session(&mut tx, id_hash).await?;
        tx.commit().await
    }

    async fn message_templates(&self) -> StoreResult<Vec<MessageTemplate>> {
        reads::message_templates(&self.0).await
    }

    async fn put_message_template(&self, t: &MessageTemplate) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::put_message_template(&mut tx, t).await?;
        tx.commit().await
    }

    async fn stored_settings(&self) -> StoreResult<Vec<orderdesk_store::StoredSetting>> {
        crate::stored_settings(&self.0).await
    }

    async fn put_settings(
        &self,
        changes: &[orderdesk_store::SettingChange],
        at: Timestamp,
        by: &str,
    ) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::put_settings(&mut tx, changes, at, by).await?;
        tx.commit().await
    }

    async fn products(&self) -> StoreResult<Vec<Product>> {
        reads::products(&self.0).await
    }

    async fn set_product_keywords(&self, keywords: &[(String, String)]) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::keywords::set(&mut tx, keywords).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn product_keywords(&self) -> StoreResult<Vec<(String, String)>> {
        crate::keywords::list(&self.0).await
    }

    async fn set_product_taxes(&self, taxes: &[orderdesk_store::ProductTax]) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::product_tax::set(&mut tx, taxes).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn product_taxes(&self) -> StoreResult<Vec<orderdesk_store::ProductTax>> {
        crate::product_tax::list(&self.0).await
    }

    async fn save_typed_draft(&self, draft: &orderdesk_store::TypedDraft) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::typed_drafts::save(&mut tx, draft).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn typed_draft(
        &self,
        customer_key: &str,
    ) -> StoreResult<Option<orderdesk_store::TypedDraft>> {
        crate::typed_drafts::get(&self.0, customer_key).await
    }

    async fn list_conversations(
        &self,
        query: &orderdesk_store::ConversationQuery,
    ) -> StoreResult<orderdesk_store::ConversationPage> {
        crate::conversations::list(&self.0, query).await
    }

    async fn conversation(&self, key: &str) -> StoreResult<Option<orderdesk_store::Conversation>> {
        crate::conversations::conversation(&self.0, key).await
    }

    async fn mark_conversation_read(
        &self,
        key: &str,
        at: Timestamp,
    ) -> StoreResult<orderdesk_store::MarkedRead> {
        let mut tx = self.0.write(Durability::Full).await?;
        let marked = crate::conversations::mark_read(&mut tx, key, at).await?;
        tx.commit().await?;
        Ok(marked)
    }

    async fn update_conversation(
        &self,
        key: &str,
        change: &orderdesk_store::ConversationChange,
        at: Timestamp,
    ) -> StoreResult<orderdesk_store::Conversation> {
        let mut tx = self.0.write(Durability::Full).await?;
        let updated = crate::conversations::update(&mut tx, key, change, at).await?;
        tx.commit().await?;
        Ok(updated)
    }

    async fn customers(
        &self,
        query: &orderdesk_store::CustomerQuery,
    ) -> StoreResult<Vec<orderdesk_store::CustomerSummary>> {
        crate::customers::list(&self.0, query).await
    }

    async fn customer_summary(
        &self,
        wa_id: &str,
    ) -> StoreResult<Option<orderdesk_store::CustomerSummary>> {
        crate::customers::summary_of(&self.0, wa_id).await
    }

    async fn customer_orders(&self, wa_id: &str, limit: u32) -> StoreResult<Vec<Order>> {
        crate::customers::orders(&self.0, wa_id, limit).await
    }

    async fn set_customer_blocked(
        &self,
        wa_id: &str,
        blocked: Option<(Timestamp, String)>,
    ) -> StoreResult<()> {
        let mut tx = self.0.write(Durability::Full).await?;
        crate::customers::set_blocked(&mut tx, wa_id, blocked).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn blocked_customers(&self, keys: &[String]) -> StoreResult<Vec<String>> {
        crate::customers::blocked(&self.0, keys).await
    }

    async fn customer_languages(
        &self,
        keys: &[String],
    ) -> StoreResult<Vec<orderdesk_store::CustomerLanguage>> {
        crate::settings::customer_languages(&self.0, keys).await
    }

    async fn customer_language(
        &self,
        customer_key: &str,
    ) -> StoreResult<Option<orderdesk_store::CustomerLanguage>> {
        crate::customer_language(&self.0, customer_key).await
    }

    async fn set_customer_language(
        &self,
        customer_key: &str,
        language: Option<&str>,
        source: orderdesk_store::LanguageSource,
        at: Timestamp,
    ) -> StoreResult<Option<orderdesk_store::CustomerLanguage>> {
        let mut tx = self.0.write(Durability::Full).await?;
        let stored =
            crate::set_customer_language(&mut tx, customer_key, language, source, at).await?;
        tx.commit().await?;
        Ok(stored)
    }

    async fn open_orders_for_customers(&self, keys: &[String]) -> StoreResult<Vec<Order>> {
        reads::open_orders_for_customers(&self.0, keys).await
    }
}
