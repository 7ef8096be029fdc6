//! The write path of both SQL stores, written once.
//!
//! Everything a write transaction decides without asking the database how —
//! applying an inbound outcome, completing a batch of inbox items, updating
//! an order at the version it was planned from, queueing outbound messages,
//! outbox and timer transitions, the effects owed at the end of a
//! transaction, customer patches, version checks — lives here, generic over
//! [`SqlTx`]: a small trait of SQL primitives (run a statement, fetch rows,
//! take the locks only PostgreSQL needs, append events) that each backend
//! implements with its own driver, SQL dialect and locking. The SQL written
//! here is spelled so both dialects accept it (`$N` placeholders, which
//! SQLite binds by number too); what differs lives in the backends.
//!
//! Row decoding is shared the same way ([`rows`], over [`Cols`]), so the
//! backends' reads decode with the same functions.
//!
//! This crate knows no driver: it depends on neither sqlx nor a database.

mod admin;
mod backend;
mod batch;
pub mod conversations;
pub mod customers;
mod effects;
pub mod invoices;
pub mod keywords;
pub mod ledger;
mod ops;
pub mod ops_status;
mod order_edit;
pub mod order_list;
pub mod product_tax;
pub mod reads;
mod refunds;
pub mod rollups;
pub mod rows;
mod settings;
mod staff_order;
mod store;
pub mod typed_drafts;
mod writes;

use async_trait::async_trait;
use orderdesk_domain::{EventKind, OrderNumber, Timestamp};
use orderdesk_store::StoreResult;

pub use admin::{
    complete_timer, create_session, create_token, create_user, delete_session, delete_user,
    put_message_template, revoke_token, set_user_password, set_user_role,
};
pub use backend::{Durability, SqlBackend};
pub use customers::customer_by_wa_id;
pub use ops::{
    complete_inbound, message_status, outbound_text, outbox_failed, outbox_retry, outbox_sent,
    queue_outbound, queue_reply, update_order,
};
pub use order_edit::edit_order;
pub use order_list::{OrderSql, SearchSource, Sql, Window};
pub use reads::SqlRead;
pub use rows::Cols;
pub use settings::{customer_language, put_settings, set_customer_language, stored_settings};
pub use staff_order::create_staff_order;
pub use store::SqlStore;

/// One bound parameter, in the form the domain has it; each backend binds
/// it in its own column type (a time as `timestamptz` or as fixed-width
/// text, a JSON document as `json` or as text).
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    Int(Option<i64>),
    Text(Option<String>),
    Time(Option<Timestamp>),
    /// A JSON document, already serialised; the SQL casts it with
    /// [`SqlTx::JSON`] after the placeholder.
    Json(Option<String>),
    Bool(bool),
}

impl From<bool> for Arg {
    fn from(v: bool) -> Self {
        Arg::Bool(v)
    }
}

impl From<i64> for Arg {
    fn from(v: i64) -> Self {
        Arg::Int(Some(v))
    }
}
impl From<Option<i64>> for Arg {
    fn from(v: Option<i64>) -> Self {
        Arg::Int(v)
    }
}
impl From<&str> for Arg {
    fn from(v: &str) -> Self {
        Arg::Text(Some(v.to_owned()))
    }
}
impl From<Option<&str>> for Arg {
    fn from(v: Option<&str>) -> Self {
        Arg::Text(v.map(str::to_owned))
    }
}
impl From<Timestamp> for Arg {
    fn from(v: Timestamp) -> Self {
        Arg::Time(Some(v))
    }
}
impl From<Option<Timestamp>> for Arg {
    fn from(v: Option<Timestamp>) -> Self {
        Arg::Time(v)
    }
}
impl From<OrderNumber> for Arg {
    fn from(v: OrderNumber) -> Self {
        Arg::Int(Some(v.get()))
    }
}
impl From<Option<OrderNumber>> for Arg {
    fn from(v: Option<OrderNumber>) -> Self {
        Arg::Int(v.map(|n| n.get()))
    }
}

/// `args![a, b, …]`: the parameters `$1, $2, …` of a statement.
#[macro_export]
macro_rules! args {
    ($($arg:expr),* $(,)?) => { vec![$($crate::Arg::from($arg)),*] };
}

/// An event a transaction appends, its data already serialised.
#[derive(Debug, Clone, PartialEq)]
pub struct NewEvent {
    pub kind: EventKind,
    pub order_number: Option<OrderNumber>,
    pub data: String,
    pub at: Timestamp,
}

/// The SQL primitives of one open write transaction.
///
/// # Lock order (the contract PostgreSQL's implementation relies on)
///
/// Every write transaction built on this trait takes its locks in one
/// order, so that none deadlocks another over them (a deadlock is a 503 to
/// whoever PostgreSQL picks as its victim):
/// 1. inbox rows, by id ([`SqlTx::lock_inbox`], first thing in a batch);
/// 2. orders ([`SqlTx::LOCK_ORDER`]): all the orders a transaction will
///    update before any other row lock of its work. A transaction about one
///    order locks it first thing; a batch of inbox items locks every order
///    its items update at once, by number (`lock_updated_orders`). Only
///    then, as the work reaches them: messages ([`SqlTx::LOCK_ROW`]), a
///    wamid's lock ([`SqlTx::lock_wamid`]) before the message it names, and
///    the invoice and credit-note counters (`document_counters`, taken
///    when a payment or refund earns a number, held to the commit). Every
///    order is locked before a counter: a staff payment holds its order
///    and then takes the counter, so a batch that took the counter for one
///    order and then waited for another would close a cycle;
/// 3. at the end (see `Effects`): the outbox locks of the customers it
///    queues messages for, in the implementation's fixed key order
///    ([`SqlTx::lock_outbox`]), then customer rows by key, then their
///    conversation rows by key, then stage-count rows by status, then the
///    insights' rollup rows (`rollups::write`: customers by key, days by day
///    and metric);
/// 4. last, the event-log lock inside [`SqlTx::append_events`], held to the
///    commit, so that commit order equals event `seq` order (and, on
///    PostgreSQL, the notification queue's lock at the commit itself).
///
/// A backend whose writer is single (SQLite: one connection, `BEGIN
/// IMMEDIATE`) already holds everything and implements the lock primitives
/// as no-ops.
#[async_trait]
pub trait SqlTx: Send {
    /// The rows [`SqlTx::fetch`] returns.
    type Row: Cols + Send;
    /// Written after the placeholder of a JSON parameter (`::json` where
    /// text must be cast, empty where JSON is text).
    const JSON: &'static str;
    /// Appended to a `SELECT` of one message row the transaction changes.
    const LOCK_ROW: &'static str;
    /// Appended to the `SELECT` of an order an update is planned against.
    const LOCK_ORDER: &'static str;

    /// Runs a statement; returns the number of rows it changed.
    async fn execute(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<u64>;
    /// Runs a query; returns its rows.
    async fn fetch(&mut self, sql: &str, args: Vec<Arg>) -> StoreResult<Vec<Self::Row>>;
    /// Locks these inbox rows (sorted, distinct) until the commit.
    async fn lock_inbox(&mut self, ids: &[i64]) -> StoreResult<()>;
    /// Takes the outbox locks of these customers (sorted, distinct) until
    /// the commit: one customer's outbound message ids are then drawn in
    /// commit order, so the dispatcher never sees a later message of a
    /// customer before an earlier one.
    async fn lock_outbox(&mut self, customer_keys: &[&str]) -> StoreResult<()>;
    /// Serialises a delivery status for an unrecorded wamid with the send
    /// that records it.
    async fn lock_wamid(&mut self, wamid: &str) -> StoreResult<()>;
    /// Appends events in order, last in the transaction; returns the
    /// highest `seq` written.
    async fn append_events(&mut self, events: Vec<NewEvent>) -> StoreResult<i64>;
    /// Tells the other instances, on commit, that the log grew to
    /// `last_seq` (0: only outbound work was queued).
    async fn notify(&mut self, last_seq: i64) -> StoreResult<()>;
    /// Tells the processor, wherever it runs, on commit, that new inbox
    /// items wait (PostgreSQL's `NOTIFY`; SQLite's processor is in this
    /// process, and the caller wakes it).
    async fn notify_inbox(&mut self) -> StoreResult<()>;
    /// Commits the transaction.
    async fn commit(self) -> StoreResult<()>
    where
        Self: Sized;
}

/// Fetches at most one row and decodes it.
pub(crate) async fn fetch_one<T: SqlTx, R>(
    tx: &mut T,
    sql: &str,
    args: Vec<Arg>,
    decode: fn(&dyn Cols) -> StoreResult<R>,
) -> StoreResult<Option<R>> {
    let rows = tx.fetch(sql, args).await?;
    rows.first().map(|row| decode(row)).transpose()
}
