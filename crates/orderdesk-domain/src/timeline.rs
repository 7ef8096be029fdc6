//! Who did what to an order, and when: the order's timeline.

use serde::{Deserialize, Serialize};

use crate::{OrderStatus, Timestamp};

/// Who caused a change. Staff are named (a user's email, or an API token's name).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Actor {
    Customer,
    Bot,
    Provider,
    System,
    Staff { name: String },
}

impl Actor {
    pub fn staff(name: impl Into<String>) -> Self {
        Self::Staff { name: name.into() }
    }

    /// The actor's kind as stored and shown: `customer`, `bot`, `provider`, `system`, `staff`.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Bot => "bot",
            Self::Provider => "provider",
            Self::System => "system",
            Self::Staff { .. } => "staff",
        }
    }

    pub fn name(&self) -> Option<&str> {
        match self {
            Self::Staff { name } => Some(name),
            _ => None,
        }
    }

    /// Rebuilds an actor from its stored kind and name.
    pub fn from_parts(kind: &str, name: Option<String>) -> Option<Self> {
        Some(match kind {
            "customer" => Self::Customer,
            "bot" => Self::Bot,
            "provider" => Self::Provider,
            "system" => Self::System,
            "staff" => Self::Staff {
                name: name.unwrap_or_default(),
            },
            _ => return None,
        })
    }
}

/// What kind of thing happened to the order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    Created,
    StatusChanged,
    PaymentChanged,
    AddressSet,
    NoteSet,
    StaffNote,
    Notice,
    /// Staff changed the order's items, money, address, tags or assignee.
    Edited,
}

impl TimelineKind {
    pub const ALL: [TimelineKind; 8] = [
        Self::Created,
        Self::StatusChanged,
        Self::PaymentChanged,
        Self::AddressSet,
        Self::NoteSet,
        Self::StaffNote,
        Self::Notice,
        Self::Edited,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Created => "created",
            Self::StatusChanged => "status_changed",
            Self::PaymentChanged => "payment_changed",
            Self::AddressSet => "address_set",
            Self::NoteSet => "note_set",
            Self::StaffNote => "staff_note",
            Self::Notice => "notice",
            Self::Edited => "edited",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One line of an order's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct TimelineEntry {
    #[schema(value_type = String, format = DateTime)]
    pub at: Timestamp,
    pub kind: TimelineKind,
    /// `customer`, `bot`, `provider`, `system` or `staff`.
    pub actor: String,
    /// The staff user or API token, for `staff`.
    pub actor_name: Option<String>,
    pub from_status: Option<OrderStatus>,
    pub to_status: Option<OrderStatus>,
    pub reason: Option<String>,
    /// Free-form extra: tracking, a payment reference, a message.
    pub detail: Option<String>,
}

impl TimelineEntry {
    pub fn new(at: Timestamp, kind: TimelineKind, actor: &Actor) -> Self {
        Self {
            at,
            kind,
            actor: actor.kind().to_owned(),
            actor_name: actor.name().map(str::to_owned),
            from_status: None,
            to_status: None,
            reason: None,
            detail: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_round_trip_through_their_parts() {
        for a in [
            Actor::Customer,
            Actor::Bot,
            Actor::Provider,
            Actor::System,
            Actor::staff("owner@shop.test"),
        ] {
            let back = Actor::from_parts(a.kind(), a.name().map(str::to_owned));
            assert_eq!(back, Some(a));
        }
        assert_eq!(Actor::from_parts("robot", None), None);
    }

    #[test]
    fn timeline_kinds_round_trip() {
        for k in TimelineKind::ALL {
            assert_eq!(TimelineKind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }
}
