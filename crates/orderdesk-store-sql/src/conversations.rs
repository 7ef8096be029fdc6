//! Conversations on the shared write path: every transaction that stores a
//! message refreshes its customer's row of `conversations` and appends a
//! `conversation.updated` event ([`refresh`], called by `Effects::apply`);
//! staff's marks (read, assign, done, handover) are their own transactions.
//! The reads share one SELECT, so the list, one conversation and the event
//! decode the same columns the same way.

use std::collections::{BTreeMap, BTreeSet};

use orderdesk_domain::{needs_reply, EventKind, OrderNumber, OrderStatus, ReplyState, Timestamp};
use orderdesk_store::{
    AssigneeFilter, Conversation, ConversationChange, ConversationCustomer, ConversationPage,
    ConversationQuery, Direction, LastMessage, MarkedRead, StoreError, StoreResult,
};

use crate::batch::{self, Rows};
use crate::reads::SqlRead;
use crate::rows::{corrupt, micros, to_json, Cols};
use crate::{args, fetch_one, Arg, NewEvent, SqlTx};

/// Stages after which an order is no longer the one a conversation is about.
const CLOSED: [OrderStatus; 5] = [
    OrderStatus::Delivered,
    OrderStatus::Returned,
    OrderStatus::Rejected,
    OrderStatus::Cancelled,
    OrderStatus::Archived,
];

const MAX_PAGE: u32 = 200;

/// The SELECT every conversation read starts from (`c` the conversation,
/// `cu` the customer).
fn select() -> String {
    let closed = CLOSED
        .iter()
        .map(|s| format!("'{}'", s.as_str()))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "SELECT c.customer_key, c.last_text, c.last_direction, c.last_at, c.unread, \
         c.needs_reply, c.handover, c.assignee, cu.wa_id, cu.user_id, cu.name, \
         (SELECT o.number FROM orders o WHERE o.customer_key = c.customer_key \
           AND o.status NOT IN ({closed}) ORDER BY o.number DESC LIMIT 1) AS order_number \
         FROM conversations c LEFT JOIN customers cu ON cu.key = c.customer_key"
    )
}

fn required<T>(value: Option<T>, column: &str) -> StoreResult<T> {
    value.ok_or_else(|| corrupt("NULL", column))
}

fn decode(row: &dyn Cols) -> StoreResult<Conversation> {
    let direction = required(row.text("last_direction")?, "last_direction")?;
    Ok(Conversation {
        key: required(row.text("customer_key")?, "customer_key")?,
        customer: ConversationCustomer {
            wa_id: row.text("wa_id")?,
            user_id: row.text("user_id")?,
            name: row.text("name")?,
        },
        last_message: LastMessage {
            text: required(row.text("last_text")?, "last_text")?,
            at: required(row.time("last_at")?, "last_at")?,
            direction: Direction::parse(&direction)
                .ok_or_else(|| corrupt("direction", &direction))?,
        },
        unread: required(row.int("unread")?, "unread")?,
        needs_reply: row.boolean("needs_reply")?,
        handover: row.boolean("handover")?,
        assignee: row.text("assignee")?,
        order_number: row.int("order_number")?.and_then(OrderNumber::new),
    })
}

async fn one<T: SqlTx>(tx: &mut T, key: &str) -> StoreResult<Option<Conversation>> {
    let sql = format!("{} WHERE c.customer_key = $1", select());
    fetch_one(tx, &sql, args![key], decode).await
}

fn event(conversation: &Conversation, at: Timestamp) -> StoreResult<NewEvent> {
    Ok(NewEvent {
        kind: EventKind::ConversationUpdated,
        order_number: conversation.order_number,
        data: to_json(conversation)?,
        at: micros(at),
    })
}

/// What the rule and the marks need of a stored conversation (none yet:
/// all zero).
#[derive(Default)]
struct Marks {
    read_through: i64,
    answered_through: i64,
    handover: bool,
}

/// What a write transaction owes conversations besides refreshing those of
/// the customers it wrote to or stored a message of (collected by
/// `Effects`, written by [`refresh_many`]).
#[derive(Debug, Default)]
pub(crate) struct Owed {
    /// Customers whose chat message this transaction stored.
    pub wrote: BTreeSet<String>,
    /// Customers whose newest open order may have changed (an order
    /// created, closed or reopened): their `order_number` is announced.
    pub orders: BTreeSet<String>,
    /// Customers a staff reply answered, with the reply's message id:
    /// everything they wrote before it (by id) counts as answered, in the
    /// reply's own transaction. A message committed meanwhile with a later
    /// id still needs a reply.
    pub answered: BTreeMap<String, i64>,
    /// The highest inbound message id per customer that the bot could not
    /// use (its answer to it is no answer).
    pub missed: BTreeMap<String, i64>,
}

impl Owed {
    /// Every customer whose conversation must be recomputed for this.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &String> {
        self.wrote
            .iter()
            .chain(&self.orders)
            .chain(self.answered.keys())
            .chain(self.missed.keys())
    }
}

/// Whether an order in this stage is no longer the one a conversation is
/// about (its `order_number` moves on when an order enters or leaves one).
pub(crate) fn closed(status: OrderStatus) -> bool {
    CLOSED.contains(&status)
}

async fn marks<T: SqlTx>(tx: &mut T, key: &str) -> StoreResult<Option<Marks>> {
    let sql = format!(
        "SELECT read_through, answered_through, handover FROM conversations \
         WHERE customer_key = $1{}",
        T::LOCK_ROW
    );
    fetch_one(tx, &sql, args![key], |row| {
        Ok(Marks {
            read_through: row.int("read_through")?.unwrap_or(0),
            answered_through: row.int("answered_through")?.unwrap_or(0),
            handover: row.boolean("handover")?,
        })
    })
    .await
}

async fn scalar<T: SqlTx>(tx: &mut T, sql: &str, key: &str, after: i64) -> StoreResult<i64> {
    Ok(fetch_one(tx, sql, args![key, after], |row| row.int("n"))
        .await?
        .flatten()
        .unwrap_or(0))
}

/// Recomputes the customer's conversation from their messages and the
/// staff's marks and writes it (see [`refresh_many`]).
async fn refresh<T: SqlTx>(tx: &mut T, key: &str) -> StoreResult<()> {
    refresh_many(tx, &[key.to_owned()], &Owed::default()).await?;
    Ok(())
}

/// Keys per statement of [`refresh_many`]: bounds the placeholders. A
/// processing step's customers (up to 1,024) fit in one.
const KEYS_PER_STATEMENT: usize = 1024;

/// What a conversation row is recomputed from.
struct State {
    key: String,
    last_id: i64,
    text: String,
    direction: String,
    at: Timestamp,
    marks: Marks,
    bot_missed: i64,
    last_in: i64,
    unread: i64,
    /// The row as stored before (last message id, unread, needs reply);
    /// `None` when the conversation is new.
    before: Option<(i64, i64, bool)>,
}

impl State {
    /// The row's `answered_through`, `bot_missed_through` and
    /// `needs_reply` after what this transaction owes.
    fn marks_after(&self, owed: &Owed, replied: &BTreeMap<String, i64>) -> (i64, i64, bool) {
        let answered = replied
            .get(&self.key)
            .map_or(self.marks.answered_through, |&upto| {
                self.marks.answered_through.max(upto)
            });
        let missed = owed
            .missed
            .get(&self.key)
            .map_or(self.bot_missed, |&id| self.bot_missed.max(id));
        let needs = needs_reply(ReplyState {
            handover: self.marks.handover,
            last_is_inbound: self.direction == Direction::In.as_str(),
            last_inbound_id: self.last_in,
            answered_through: answered,
            bot_missed: missed,
        });
        (answered, missed, needs)
    }
}

fn state(row: &dyn Cols) -> StoreResult<State> {
    // No conversation row yet: no marks, nothing stored before.
    let (marks, before) = if row.text("known")?.is_some() {
        let marks = Marks {
            read_through: row.int("read_through")?.unwrap_or(0),
            answered_through: row.int("answered_through")?.unwrap_or(0),
            handover: row.boolean("handover")?,
        };
        let before = (
            row.int("last_message_id")?.unwrap_or(0),
            row.int("prev_unread")?.unwrap_or(0),
            row.boolean("needs_reply")?,
        );
        (marks, Some(before))
    } else {
        (Marks::default(), None)
    };
    Ok(State {
        bot_missed: row.int("bot_missed_through")?.unwrap_or(0),
        before,
        key: required(row.text("customer_key")?, "customer_key")?,
        last_id: required(row.int("id")?, "id")?,
        text: required(row.text("text")?, "text")?,
        direction: required(row.text("direction")?, "direction")?,
        at: required(row.time("created_at")?, "created_at")?,
        marks,
        last_in: row.int("last_in")?.unwrap_or(0),
        unread: row.int("unread")?.unwrap_or(0),
    })
}

/// Recomputes the conversations of these customers (sorted, distinct) from
/// their messages, the staff's marks and what the transaction `owed` them,
/// and writes them, a few statements for the lot rather than a handful per
/// customer: a batch of carts queues a message to every one of its
/// customers. Returns the `conversation.updated` events of the customers
/// who wrote, whose open order may have moved on, or whose stored row this
/// changed, in key order (customers with no message at all have no
/// conversation).
pub(crate) async fn refresh_many<T: SqlTx>(
    tx: &mut T,
    keys: &[String],
    owed: &Owed,
) -> StoreResult<Vec<NewEvent>> {
    let mut states = Vec::with_capacity(keys.len());
    // What each reply answered: the customer's messages before it.
    let mut replied = BTreeMap::new();
    for chunk in keys.chunks(KEYS_PER_STATEMENT) {
        let list = batch::placeholders(1, chunk.len());
        let args: Vec<Arg> = chunk.iter().map(|k| Arg::from(k.as_str())).collect();
        if !T::LOCK_ROW.is_empty() {
            // Rows locked in key order (the lock order of `SqlTx`), before
            // their marks are read, so a staff mark waits or is seen.
            let sql = format!(
                "SELECT customer_key FROM conversations WHERE customer_key IN {list} \
                 ORDER BY customer_key{}",
                T::LOCK_ROW
            );
            tx.fetch(&sql, args.clone()).await?;
        }
        for key in chunk {
            if let Some(&reply) = owed.answered.get(key) {
                let sql = "SELECT MAX(id) AS n FROM messages WHERE customer_key = $1 \
                           AND direction = 'in' AND id < $2";
                replied.insert(key.clone(), scalar(tx, sql, key, reply).await?);
            }
        }
        let values: Vec<String> = (1..=chunk.len()).map(|n| format!("(${n})")).collect();
        let sql = format!(
            "WITH k (key) AS (VALUES {}) \
             SELECT k.key AS customer_key, m.id, m.text, m.direction, m.created_at, \
             c.customer_key AS known, c.read_through, c.answered_through, c.handover, \
             c.bot_missed_through, c.last_message_id, c.unread AS prev_unread, c.needs_reply, \
             (SELECT MAX(i.id) FROM messages i WHERE i.customer_key = k.key \
               AND i.direction = 'in') AS last_in, \
             (SELECT COUNT(*) FROM messages i WHERE i.customer_key = k.key \
               AND i.direction = 'in' AND i.id > COALESCE(c.read_through, 0)) AS unread \
             FROM k JOIN messages m ON m.id = \
               (SELECT MAX(l.id) FROM messages l WHERE l.customer_key = k.key) \
             LEFT JOIN conversations c ON c.customer_key = k.key",
            values.join(", ")
        );
        for row in tx.fetch(&sql, args).await? {
            states.push(state(&row)?);
        }
    }
    states.sort_by(|a, b| a.key.cmp(&b.key));
    // Each row's marks after this transaction, for its write and for
    // whether it changed.
    let after: Vec<(i64, i64, bool)> = states
        .iter()
        .map(|s| s.marks_after(owed, &replied))
        .collect();
    let rows: Vec<Vec<Arg>> = states
        .iter()
        .zip(&after)
        .map(|(s, &(answered, missed, needs))| {
            let mut row = args![
                s.key.as_str(),
                s.last_id,
                s.text.as_str(),
                s.direction.as_str(),
                micros(s.at),
                s.unread
            ];
            row.push(Arg::Bool(needs));
            row.extend(args![answered, missed]);
            row
        })
        .collect();
    // The marks only ever grow (a concurrent first message of a new
    // customer may have written the row since it was read).
    Rows {
        head: "INSERT INTO conversations (customer_key, last_message_id, last_text, \
               last_direction, last_at, unread, needs_reply, answered_through, \
               bot_missed_through)",
        casts: &["", "", "", "", "", "", "", "", ""],
        tail: "ON CONFLICT (customer_key) DO UPDATE SET \
               last_message_id = excluded.last_message_id, last_text = excluded.last_text, \
               last_direction = excluded.last_direction, last_at = excluded.last_at, \
               unread = excluded.unread, needs_reply = excluded.needs_reply, \
               answered_through = CASE WHEN excluded.answered_through > \
                 conversations.answered_through THEN excluded.answered_through \
                 ELSE conversations.answered_through END, \
               bot_missed_through = CASE WHEN excluded.bot_missed_through > \
                 conversations.bot_missed_through THEN excluded.bot_missed_through \
                 ELSE conversations.bot_missed_through END",
    }
    .execute(tx, rows)
    .await?;
    // Announced: whoever wrote or may have a new open order, and any row
    // this changed (a reply from anywhere, the bot's answer on its own).
    let announced: Vec<&State> = states
        .iter()
        .zip(&after)
        .filter(|(s, &(_, _, needs))| {
            owed.wrote.contains(&s.key)
                || owed.orders.contains(&s.key)
                || s.before != Some((s.last_id, s.unread, needs))
        })
        .map(|(s, _)| s)
        .collect();
    let mut events = Vec::with_capacity(announced.len());
    for chunk in announced.chunks(KEYS_PER_STATEMENT) {
        let sql = format!(
            "{} WHERE c.customer_key IN {}",
            select(),
            batch::placeholders(1, chunk.len())
        );
        let args = chunk.iter().map(|s| Arg::from(s.key.as_str())).collect();
        let mut read = BTreeMap::new();
        for row in tx.fetch(&sql, args).await? {
            let conversation = decode(&row)?;
            read.insert(conversation.key.clone(), conversation);
        }
        // In key order, each at its last message's time.
        for s in chunk {
            if let Some(conversation) = read.get(&s.key) {
                events.push(event(conversation, s.at)?);
            }
        }
    }
    Ok(events)
}

/// The stored key of the conversation named `key` (a key or a `wa_id`).
async fn resolve<T: SqlTx>(tx: &mut T, key: &str) -> StoreResult<String> {
    let sql = "SELECT c.customer_key FROM conversations c \
               LEFT JOIN customers cu ON cu.key = c.customer_key \
               WHERE c.customer_key = $1 OR cu.wa_id = $1 \
               ORDER BY CASE WHEN c.customer_key = $1 THEN 0 ELSE 1 END LIMIT 1";
    fetch_one(tx, sql, args![key], |row| row.text("customer_key"))
        .await?
        .flatten()
        .ok_or(StoreError::NotFound)
}

async fn finish<T: SqlTx>(
    tx: &mut T,
    key: &str,
    before: Option<&Conversation>,
    at: Timestamp,
) -> StoreResult<Conversation> {
    // Recomputed rather than patched: `needs_reply` follows the marks.
    refresh(tx, key).await?;
    let conversation = one(tx, key).await?.ok_or(StoreError::NotFound)?;
    if before != Some(&conversation) {
        let seq = tx.append_events(vec![event(&conversation, at)?]).await?;
        tx.notify(seq).await?;
    }
    Ok(conversation)
}

/// `Store::mark_conversation_read`.
pub async fn mark_read<T: SqlTx>(tx: &mut T, key: &str, at: Timestamp) -> StoreResult<MarkedRead> {
    let key = resolve(tx, key).await?;
    let marks = marks(tx, &key).await?.ok_or(StoreError::NotFound)?;
    let newest = fetch_one(
        tx,
        "SELECT id, wamid FROM messages WHERE customer_key = $1 AND direction = 'in' \
         AND id > $2 ORDER BY id DESC LIMIT 1",
        args![key.as_str(), marks.read_through],
        |row| Ok((required(row.int("id")?, "id")?, row.text("wamid")?)),
    )
    .await?;
    let Some((id, wamid)) = newest else {
        let conversation = one(tx, &key).await?.ok_or(StoreError::NotFound)?;
        return Ok(MarkedRead {
            conversation,
            newest_wamid: None,
        });
    };
    tx.execute(
        "UPDATE conversations SET read_through = $1 WHERE customer_key = $2",
        args![id, key.as_str()],
    )
    .await?;
    let conversation = finish(tx, &key, None, at).await?;
    Ok(MarkedRead {
        conversation,
        newest_wamid: wamid,
    })
}

/// `Store::update_conversation`.
pub async fn update<T: SqlTx>(
    tx: &mut T,
    key: &str,
    change: &ConversationChange,
    at: Timestamp,
) -> StoreResult<Conversation> {
    let key = resolve(tx, key).await?;
    let marks = marks(tx, &key).await?.ok_or(StoreError::NotFound)?;
    let before = one(tx, &key).await?.ok_or(StoreError::NotFound)?;
    if let Some(assignee) = &change.assignee {
        let email = assignee.as_deref().map(str::to_lowercase);
        tx.execute(
            "UPDATE conversations SET assignee = $1 WHERE customer_key = $2",
            args![email.as_deref(), key.as_str()],
        )
        .await?;
    }
    if change.done {
        let last_in = scalar(
            tx,
            "SELECT MAX(id) AS n FROM messages WHERE customer_key = $1 AND direction = 'in' \
             AND id > $2",
            &key,
            marks.answered_through,
        )
        .await?;
        if last_in > marks.answered_through {
            tx.execute(
                "UPDATE conversations SET answered_through = $1 WHERE customer_key = $2",
                args![last_in, key.as_str()],
            )
            .await?;
        }
    }
    if let Some(handover) = change.handover {
        tx.execute(
            "UPDATE conversations SET handover = $1 WHERE customer_key = $2",
            vec![Arg::Bool(handover), Arg::from(key.as_str())],
        )
        .await?;
    }
    finish(tx, &key, Some(&before), at).await
}

/// `Store::conversation`.
pub async fn conversation<R: SqlRead>(r: &R, key: &str) -> StoreResult<Option<Conversation>> {
    let sql = format!(
        "{} WHERE c.customer_key = $1 OR cu.wa_id = $1 \
         ORDER BY CASE WHEN c.customer_key = $1 THEN 0 ELSE 1 END LIMIT 1",
        select()
    );
    let rows = r.read(&sql, args![key]).await?;
    rows.first().map(|row| decode(row)).transpose()
}

/// `Store::list_conversations`.
pub async fn list<R: SqlRead>(r: &R, query: &ConversationQuery) -> StoreResult<ConversationPage> {
    let limit = query.limit.clamp(1, MAX_PAGE);
    let mut sql = format!("{} WHERE 1 = 1", select());
    let mut params: Vec<Arg> = Vec::new();
    let bind = |params: &mut Vec<Arg>, arg: Arg| {
        params.push(arg);
        format!("${}", params.len())
    };
    if let Some(needs) = query.needs_reply {
        let p = bind(&mut params, Arg::Bool(needs));
        sql.push_str(&format!(" AND c.needs_reply = {p}"));
    }
    match &query.assignee {
        Some(AssigneeFilter::Nobody) => sql.push_str(" AND c.assignee IS NULL"),
        Some(AssigneeFilter::Email(email)) => {
            let p = bind(&mut params, Arg::from(email.to_lowercase().as_str()));
            sql.push_str(&format!(" AND c.assignee = {p}"));
        }
        None => {}
    }
    if let Some(q) = query.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
        let p = bind(
            &mut params,
            Arg::from(orderdesk_store::like_pattern(q).as_str()),
        );
        sql.push_str(&format!(
            " AND (lower(cu.name) LIKE lower({p}) ESCAPE '\\' OR cu.wa_id LIKE {p} ESCAPE '\\' \
             OR cu.user_id LIKE {p} ESCAPE '\\' OR c.customer_key LIKE {p} ESCAPE '\\' \
             OR EXISTS (SELECT 1 FROM messages m WHERE m.customer_key = c.customer_key \
               AND lower(m.text) LIKE lower({p}) ESCAPE '\\'))"
        ));
    }
    if let Some(after) = &query.after {
        let n = bind(&mut params, Arg::Bool(after.needs_reply));
        let t = bind(&mut params, Arg::from(micros(after.last_at)));
        let k = bind(&mut params, Arg::from(after.key.as_str()));
        sql.push_str(&format!(
            " AND (c.needs_reply < {n} OR (c.needs_reply = {n} AND (c.last_at < {t} \
             OR (c.last_at = {t} AND c.customer_key{b} < {k}{b}))))",
            b = R::BYTE_ORDER
        ));
    }
    let p = bind(&mut params, Arg::from(i64::from(limit) + 1));
    sql.push_str(&format!(
        " ORDER BY c.needs_reply DESC, c.last_at DESC, c.customer_key{} DESC LIMIT {p}",
        R::BYTE_ORDER
    ));
    let rows = r.read(&sql, params).await?;
    let mut conversations = rows
        .iter()
        .map(|row| decode(row))
        .collect::<StoreResult<Vec<_>>>()?;
    let next = if conversations.len() > limit as usize {
        conversations.truncate(limit as usize);
        conversations
            .last()
            .map(orderdesk_store::ConversationCursor::after)
    } else {
        None
    };
    Ok(ConversationPage {
        conversations,
        next,
    })
}
