//! The [`OutboxStore`] part of [`crate::Store`].

use std::time::Duration;

use async_trait::async_trait;
use orderdesk_domain::Timestamp;

use crate::{ChatMessage, MessageState, NewOutbound, OutboxItem, StoreResult};

/// The outbox: messages queued, claimed for sending, sent or failed, their delivery statuses, and the shared send rate.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Queues messages that belong to no order change (a staff reply, an
    /// answer to a customer without an open order), created at `at`, in one
    /// transaction. Returns them as the chat thread shows them.
    ///
    /// # Errors
    /// `Other` when a message names an unknown order; nothing is queued then.
    async fn queue_outbound(
        &self,
        messages: &[NewOutbound],
        at: Timestamp,
    ) -> StoreResult<Vec<ChatMessage>>;

    /// Queues a staff reply (from the inbox or an order's chat) and counts
    /// everything the customer wrote before it as answered, in one
    /// transaction: a message arriving meanwhile is after the reply, so it
    /// still needs one. Announces the conversation when that changes it.
    ///
    /// # Errors
    /// `Other` when the message names an unknown order; nothing is queued.
    async fn queue_reply(&self, message: &NewOutbound, at: Timestamp) -> StoreResult<ChatMessage>;

    /// Claims up to `limit` outbound messages due for sending, oldest first:
    /// `queued` ones whose `not_before` has come, and `sending` ones whose
    /// lease ran out (the sender died between claiming and recording). Only
    /// the oldest unfinished (`queued` or `sending`) message of each
    /// customer can be claimed, so one customer's messages go out in order.
    /// Claimed messages are `sending`, leased until `now + lease`, with one
    /// more attempt counted. Concurrent claimers never get the same message.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure; nothing is claimed then.
    async fn claim_outbox(
        &self,
        now: Timestamp,
        lease: Duration,
        limit: u32,
    ) -> StoreResult<Vec<OutboxItem>>;

    /// Records that a claimed message was accepted by WhatsApp as `wamid`:
    /// state `sent`, sent at `at`, and a `message.sent` event. A message
    /// already further along (sent twice after a lease ran out) is returned
    /// as it is, unchanged.
    ///
    /// # Errors
    /// `NotFound` for an unknown message; `Duplicate` when another message
    /// has this `wamid`.
    async fn outbox_sent(&self, id: i64, wamid: &str, at: Timestamp) -> StoreResult<ChatMessage>;

    /// Replaces the text the chat thread shows for an outbound message
    /// that is not sent yet, with the text as it goes out: a message queued
    /// before its order had a number is completed only at send time, and
    /// staff must see exactly what the customer got. A message already
    /// sent keeps its text.
    ///
    /// # Errors
    /// `NotFound` for an unknown outbound message.
    async fn outbound_text(&self, id: i64, text: &str) -> StoreResult<()>;

    /// Puts a claimed message back in the queue after a passing failure, to
    /// be tried again from `not_before`, keeping `error`. A message no longer
    /// `queued` or `sending` is left alone.
    ///
    /// # Errors
    /// `NotFound` for an unknown message.
    async fn outbox_retry(&self, id: i64, not_before: Timestamp, error: &str) -> StoreResult<()>;

    /// Records that a message cannot be sent: state `failed` with `error`, a
    /// `notice` timeline entry on its order ("message could not be sent: …")
    /// and a `message.status` event. A message no longer `queued` or
    /// `sending` is returned as it is, unchanged.
    ///
    /// # Errors
    /// `NotFound` for an unknown message.
    async fn outbox_failed(&self, id: i64, error: &str, at: Timestamp) -> StoreResult<ChatMessage>;

    /// Applies a delivery status from a webhook to the message sent as
    /// `wamid`, if it moves it on (see [`MessageState::advances_to`]):
    /// statuses arrive out of order and repeated, and a later state is never
    /// undone by an earlier one. A change appends a `message.status` event
    /// (and, for `failed`, a `notice` on the order) and returns the message;
    /// a repeated, older or unknown status changes nothing and returns `None`.
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure.
    async fn message_status(
        &self,
        wamid: &str,
        state: MessageState,
        at: Timestamp,
        error: Option<&str>,
    ) -> StoreResult<Option<ChatMessage>>;

    /// Reserves `count` consecutive send slots `interval` apart on the rate
    /// limit named `key` (the business number), shared by every process on
    /// this database, and returns how long to wait until the first one: the
    /// `k`-th reserved message may go `k × interval` after that. Slots never
    /// come closer than `interval`, whoever reserves them; an idle limit
    /// starts again from the database's clock. `None` when the backend has
    /// no shared limit (one process writes; pace in process).
    ///
    /// # Errors
    /// `Unavailable` or `Other` on database failure; nothing is reserved then.
    async fn reserve_send_slots(
        &self,
        key: &str,
        count: u32,
        interval: Duration,
    ) -> StoreResult<Option<Duration>> {
        let _ = (key, count, interval);
        Ok(None)
    }
}
