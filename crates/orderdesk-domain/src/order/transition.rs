//! The legal-transition table of DESIGN §2, as one function.
//!
//! `plan_transition` decides; it never mutates. The caller (the engine)
//! applies the returned [`StatusChange`] to the stored order under its
//! optimistic-concurrency version, so a refusal here changes nothing.

use super::OrderStatus;
use crate::Actor;

/// Longest reason or tracking text accepted, in characters.
pub const MAX_TEXT: usize = 500;

/// A request to move an order to `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionRequest {
    pub to: OrderStatus,
    pub actor: Actor,
    pub reason: Option<String>,
    pub tracking: Option<String>,
}

/// An accepted move, ready to be applied and recorded on the timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusChange {
    pub from: OrderStatus,
    pub to: OrderStatus,
    /// The order's `held_from` after the move: set when parking, cleared otherwise.
    pub held_from: Option<OrderStatus>,
    pub actor: Actor,
    pub reason: Option<String>,
    pub tracking: Option<String>,
    /// Whether the customer is sent an update for this move.
    pub notify_customer: bool,
}

impl StatusChange {
    /// The key of the text the customer gets for this move (the engine's
    /// editable texts), or `None` when the move tells them nothing.
    ///
    /// Every stage in DESIGN §2 that sends an update uses `stage.{to}`. Two
    /// moves back to a stage the customer already heard of get their own
    /// text, since "is approved" again would be news of nothing: a release
    /// from hold (`stage.released`), and staff confirming an order by hand
    /// (`stage.confirmed`; the bot's own confirmation is a checkout reply).
    pub fn customer_text_key(&self) -> Option<String> {
        if !self.notify_customer {
            return None;
        }
        Some(
            if self.from == OrderStatus::OnHold && self.to != OrderStatus::Cancelled {
                "stage.released".to_owned()
            } else {
                format!("stage.{}", self.to.as_str())
            },
        )
    }
}

/// Whether a move of an order from `from` (parked from `held_from`) to `to`
/// by `actor` tells the customer: the stages of DESIGN §2, a release from
/// hold, and staff confirming by hand.
fn notifies(from: OrderStatus, to: OrderStatus, actor: &Actor) -> bool {
    to.notifies_customer()
        || (from == OrderStatus::OnHold && to != OrderStatus::Cancelled)
        || (to == OrderStatus::Confirmed && matches!(actor, Actor::Staff { .. }))
}

/// Why a move was refused. `NotAllowed` and `NotByActor` are conflicts with the
/// order's current state (HTTP 409); the rest are bad input (HTTP 422).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TransitionError {
    #[error("the order is {current}; it cannot move to {to}")]
    NotAllowed {
        current: OrderStatus,
        to: OrderStatus,
    },
    #[error("the order is {current}; moving it to {to} is done {by}, not by {actor}")]
    NotByActor {
        current: OrderStatus,
        to: OrderStatus,
        actor: &'static str,
        by: &'static str,
    },
    #[error("moving an order to {0} needs a reason")]
    ReasonRequired(OrderStatus),
    #[error("tracking can only be given when moving an order to shipped")]
    TrackingNotShipped,
    #[error("{0} is longer than {MAX_TEXT} characters")]
    TooLong(&'static str),
}

/// Who may make a move.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Who {
    /// The checkout completing (bot) or staff overriding it with a reason.
    BotOrStaffWithReason,
    /// Only the abandonment sweep.
    System,
    /// The customer coming back (the bot acts for them).
    Customer,
    Staff,
    StaffOrCustomer,
    StaffOrSystem,
}

impl Who {
    fn allows(self, actor: &Actor) -> bool {
        use Actor::*;
        match self {
            Who::BotOrStaffWithReason => matches!(actor, Bot | System | Staff { .. }),
            Who::System => matches!(actor, System),
            Who::Customer => matches!(actor, Customer | Bot),
            Who::Staff => matches!(actor, Staff { .. }),
            Who::StaffOrCustomer => matches!(actor, Staff { .. } | Customer | Bot),
            Who::StaffOrSystem => matches!(actor, Staff { .. } | System),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Who::BotOrStaffWithReason => "when the checkout completes",
            Who::System => "automatically",
            Who::Customer => "by the customer",
            Who::Staff => "by staff",
            Who::StaffOrCustomer => "by staff or the customer",
            Who::StaffOrSystem => "by staff or automatically",
        }
    }
}

/// The table. `held_from` matters only for a release from `on_hold`.
/// Returns who may make the move and whether it needs a reason, or `None`
/// when the move is not legal at all.
fn rule(from: OrderStatus, to: OrderStatus, held_from: Option<OrderStatus>) -> Option<(Who, bool)> {
    use OrderStatus::*;
    Some(match (from, to) {
        (Placed, Confirmed) => (Who::BotOrStaffWithReason, false),
        (Placed, Abandoned) => (Who::System, false),
        (Abandoned, Placed) => (Who::Customer, false),
        (Confirmed, Approved) => (Who::Staff, false),
        (Confirmed, Rejected) => (Who::Staff, true),
        (Approved, Processed) => (Who::Staff, false),
        (Processed, Shipped) => (Who::Staff, false),
        (Shipped, Delivered | Returned) => (Who::StaffOrSystem, false),
        (Delivered, Returned) => (Who::StaffOrSystem, false),
        (Confirmed | Approved | Processed, OnHold) => (Who::Staff, true),
        (OnHold, back) if Some(back) == held_from => (Who::Staff, false),
        (Placed | Abandoned | Confirmed | Approved | Processed | OnHold, Cancelled) => {
            (Who::StaffOrCustomer, true)
        }
        (Delivered | Returned | Rejected | Cancelled | Abandoned, Archived) => {
            (Who::StaffOrSystem, false)
        }
        _ => return None,
    })
}

/// Whether `from → to` is in the table for anyone (used to offer actions).
pub fn is_legal(from: OrderStatus, to: OrderStatus, held_from: Option<OrderStatus>) -> bool {
    rule(from, to, held_from).is_some()
}

/// The stages staff may move an order to from `from` (for the dashboard's buttons).
pub fn staff_moves(from: OrderStatus, held_from: Option<OrderStatus>) -> Vec<OrderStatus> {
    let staff = Actor::staff("");
    OrderStatus::ALL
        .into_iter()
        .filter(|to| rule(from, *to, held_from).is_some_and(|(who, _)| who.allows(&staff)))
        .collect()
}

/// Whether staff must give a reason for `from → to` (for the dashboard's
/// reason prompts): rejecting, parking, cancelling, and confirming by hand.
pub fn staff_needs_reason(
    from: OrderStatus,
    to: OrderStatus,
    held_from: Option<OrderStatus>,
) -> bool {
    rule(from, to, held_from)
        .is_some_and(|(who, always)| always || who == Who::BotOrStaffWithReason)
}

/// Decides whether the order (now `current`, parked from `held_from` if on
/// hold) may make the requested move.
///
/// # Errors
/// [`TransitionError`] naming the current state when the move is not legal,
/// not legal for this actor, or is missing a required reason.
pub fn plan_transition(
    current: OrderStatus,
    held_from: Option<OrderStatus>,
    req: TransitionRequest,
) -> Result<StatusChange, TransitionError> {
    let to = req.to;
    let reason = clean(req.reason, "reason")?;
    let tracking = clean(req.tracking, "tracking")?;
    let (who, reason_always) =
        rule(current, to, held_from).ok_or(TransitionError::NotAllowed { current, to })?;
    if !who.allows(&req.actor) {
        return Err(TransitionError::NotByActor {
            current,
            to,
            actor: req.actor.kind(),
            by: who.describe(),
        });
    }
    let staff_override =
        who == Who::BotOrStaffWithReason && matches!(req.actor, Actor::Staff { .. });
    if (reason_always || staff_override) && reason.is_none() {
        return Err(TransitionError::ReasonRequired(to));
    }
    if tracking.is_some() && to != OrderStatus::Shipped {
        return Err(TransitionError::TrackingNotShipped);
    }
    Ok(StatusChange {
        from: current,
        to,
        held_from: (to == OrderStatus::OnHold).then_some(current),
        notify_customer: notifies(current, to, &req.actor),
        actor: req.actor,
        reason,
        tracking,
    })
}

fn clean(text: Option<String>, what: &'static str) -> Result<Option<String>, TransitionError> {
    match text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()) {
        Some(t) if t.chars().count() > MAX_TEXT => Err(TransitionError::TooLong(what)),
        other => Ok(other),
    }
}
