//! Staff acting on many orders at once (`POST /api/v1/orders/bulk`), and
//! the one-order actions it repeats: tag an order, assign it to a staff
//! member. Each order is judged on its own (a stage move by the domain's
//! transition rule, at the order's current version): one refused order
//! changes nothing of itself and does not stop the others, and the answer
//! says per order what happened.

use chrono::Utc;
use orderdesk_domain::tag::{self, with_tag};
use orderdesk_domain::{Actor, Order, OrderNumber, TimelineEntry, TimelineKind, TransitionRequest};
use orderdesk_store::{OrderFields, OrderQuery, OrderUpdate, StoreError};
use tracing::instrument;

use crate::{Engine, EngineError};

/// Most orders one bulk request may name or match.
pub const MAX_BULK: usize = 1_000;

/// Which orders a bulk request is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkTarget {
    Numbers(Vec<OrderNumber>),
    /// Every order matching the filter (its `limit` and cursor are ignored).
    Filter(OrderQuery),
}

/// What to do to each order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkAction {
    /// Move it (reason and tracking as for one order).
    Status {
        to: orderdesk_domain::OrderStatus,
        reason: Option<String>,
    },
    /// Add a tag, or with `remove` take it off.
    Tag { tag: String, remove: bool },
    /// Assign it to the staff user with this email, or unassign (`None`).
    Assign { assignee: Option<String> },
}

/// What became of one order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkResult {
    pub number: OrderNumber,
    /// Why it was refused, when it was.
    pub error: Option<String>,
}

/// A bulk request refused as a whole (nothing was done).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BulkError {
    #[error("a bulk request may act on at most {MAX_BULK} orders; this one names or matches more")]
    TooMany,
    #[error("no orders named")]
    Empty,
    #[error(transparent)]
    Tag(#[from] tag::TagError),
    #[error("no staff user has the email {0:?}")]
    UnknownAssignee(String),
}

impl Engine {
    /// Applies `action` to every order of `target`, each on its own.
    ///
    /// # Errors
    /// `Bulk` when the request is refused as a whole (too many orders, a
    /// bad tag, an unknown assignee): nothing changes then. A store
    /// failure while resolving the filter.
    #[instrument(skip_all)]
    pub async fn bulk(
        &self,
        target: BulkTarget,
        action: BulkAction,
        actor: Actor,
    ) -> Result<Vec<BulkResult>, EngineError> {
        let action = self.checked(action).await?;
        let numbers = self.resolve(target).await?;
        let mut results = Vec::with_capacity(numbers.len());
        for number in numbers {
            let done = match &action {
                BulkAction::Status { to, reason } => {
                    let req = TransitionRequest {
                        to: *to,
                        actor: actor.clone(),
                        reason: reason.clone(),
                        tracking: None,
                    };
                    self.change_status(number, req, None).await.map(drop)
                }
                BulkAction::Tag { tag, remove } => self
                    .tag_order(number, tag, *remove, actor.clone())
                    .await
                    .map(drop),
                BulkAction::Assign { assignee } => self
                    .assign_order(number, assignee.as_deref(), actor.clone())
                    .await
                    .map(drop),
            };
            results.push(BulkResult {
                number,
                error: done.err().map(|e| match e {
                    EngineError::Store(StoreError::NotFound) => format!("no order #{number}"),
                    other => other.to_string(),
                }),
            });
        }
        Ok(results)
    }

    /// The action with its tag parsed and its assignee known, or why not.
    async fn checked(&self, action: BulkAction) -> Result<BulkAction, EngineError> {
        Ok(match action {
            BulkAction::Tag { tag, remove } => BulkAction::Tag {
                tag: tag::parse(&tag).map_err(BulkError::from)?,
                remove,
            },
            BulkAction::Assign {
                assignee: Some(email),
            } => BulkAction::Assign {
                assignee: Some(self.staff_email(&email).await?),
            },
            other => other,
        })
    }

    /// The stored (lower-case) email of the staff user `email` names.
    ///
    /// # Errors
    /// `Bulk(UnknownAssignee)` when there is none.
    pub async fn staff_email(&self, email: &str) -> Result<String, EngineError> {
        let wanted = email.trim().to_lowercase();
        self.store
            .users()
            .await?
            .into_iter()
            .map(|u| u.email)
            .find(|e| *e == wanted)
            .ok_or_else(|| BulkError::UnknownAssignee(email.trim().to_owned()).into())
    }

    async fn resolve(&self, target: BulkTarget) -> Result<Vec<OrderNumber>, EngineError> {
        let mut numbers = match target {
            BulkTarget::Numbers(numbers) => numbers,
            BulkTarget::Filter(mut query) => {
                query.limit = 200;
                query.before = None;
                let mut numbers = Vec::new();
                loop {
                    let page = self.store.list_orders(&query).await?;
                    numbers.extend(page.orders.iter().map(|o| o.number));
                    if numbers.len() > MAX_BULK {
                        break;
                    }
                    match page.next_before {
                        Some(before) => query.before = Some(before),
                        None => break,
                    }
                }
                numbers
            }
        };
        numbers.sort_unstable();
        numbers.dedup();
        if numbers.len() > MAX_BULK {
            return Err(BulkError::TooMany.into());
        }
        if numbers.is_empty() {
            return Err(BulkError::Empty.into());
        }
        Ok(numbers)
    }

    /// Adds `tag` (already parsed) to an order, or removes it.
    ///
    /// # Errors
    /// `Bulk(Tag)` when the order has the most tags it may, `Store`.
    pub async fn tag_order(
        &self,
        number: OrderNumber,
        tag: &str,
        remove: bool,
        actor: Actor,
    ) -> Result<Order, EngineError> {
        self.retrying_edit(number, actor, |order| {
            let tags = if remove {
                order.tags.iter().filter(|t| *t != tag).cloned().collect()
            } else {
                with_tag(&order.tags, tag).map_err(BulkError::from)?
            };
            let what = if remove { "untagged" } else { "tagged" };
            Ok((tags != order.tags).then(|| {
                let fields = OrderFields {
                    tags: Some(tags),
                    ..OrderFields::default()
                };
                (fields, format!("{what} {tag}"))
            }))
        })
        .await
    }

    /// Assigns an order to the staff user with this stored email, or
    /// unassigns it.
    ///
    /// # Errors
    /// `Store`.
    pub async fn assign_order(
        &self,
        number: OrderNumber,
        assignee: Option<&str>,
        actor: Actor,
    ) -> Result<Order, EngineError> {
        self.retrying_edit(number, actor, |order| {
            Ok((order.assignee.as_deref() != assignee).then(|| {
                let fields = OrderFields {
                    assignee: Some(assignee.map(str::to_owned)),
                    ..OrderFields::default()
                };
                let what = assignee
                    .map_or_else(|| "unassigned".to_owned(), |a| format!("assigned to {a}"));
                (fields, what)
            }))
        })
        .await
    }

    /// Writes what `plan` makes of the order as it is now, with an `edited`
    /// timeline entry, retried a few times when another change lands first
    /// (tags and assignment do not depend on the order's stage). `None`
    /// from `plan`: nothing to change.
    async fn retrying_edit(
        &self,
        number: OrderNumber,
        actor: Actor,
        plan: impl Fn(&Order) -> Result<Option<(OrderFields, String)>, EngineError>,
    ) -> Result<Order, EngineError> {
        let mut attempts = 0;
        loop {
            attempts += 1;
            let order = self.store.order(number).await?;
            let Some((fields, detail)) = plan(&order)? else {
                return Ok(order);
            };
            let now = Utc::now();
            let mut entry = TimelineEntry::new(now, TimelineKind::Edited, &actor);
            entry.detail = Some(detail);
            let update = OrderUpdate {
                timeline: vec![entry],
                ..OrderUpdate::default()
            };
            match self
                .store
                .edit_order(number, order.version, &fields, &update, now)
                .await
            {
                Ok(written) => {
                    self.bus.poke();
                    return Ok(written);
                }
                Err(StoreError::Conflict { .. }) if attempts < 5 => continue,
                Err(e) => return Err(e.into()),
            }
        }
    }
}
