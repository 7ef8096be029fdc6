//! Timers: work the store keeps due at a time (checkout nudges, recovery
//! steps, follow-ups), claimed under a lease so each fires once across
//! instances.

use orderdesk_domain::{OrderNumber, Timestamp};
use serde::{Deserialize, Serialize};

/// What a scheduled timer does when it comes due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimerKind {
    /// Remind the customer of an unfinished checkout (the recovery
    /// schedule's first step).
    Nudge,
    /// Abandon a checkout that has not moved.
    Abandon,
    /// The recovery schedule's later steps, in order (at most
    /// [`TimerKind::RECOVERY_STEPS`] after the nudge).
    Recovery1,
    Recovery2,
    Recovery3,
    /// Remind a customer who has not confirmed their cash-on-delivery
    /// order (`orderdesk_domain::followup::cod`).
    CodRemind,
    /// Cancel (or flag) a cash-on-delivery order still unconfirmed after
    /// the reminder.
    CodExpire,
    /// Ask a delivered order's customer for a rating.
    Feedback,
}

impl TimerKind {
    pub const ALL: [TimerKind; 8] = [
        Self::Nudge,
        Self::Abandon,
        Self::Recovery1,
        Self::Recovery2,
        Self::Recovery3,
        Self::CodRemind,
        Self::CodExpire,
        Self::Feedback,
    ];

    /// The checkout's timers (recovery schedule and abandonment), which the
    /// checkout resets as it moves; the follow-up timers after it are not.
    pub const CHECKOUT: [TimerKind; 5] = [
        Self::Nudge,
        Self::Abandon,
        Self::Recovery1,
        Self::Recovery2,
        Self::Recovery3,
    ];

    /// How many later recovery steps a schedule may have.
    pub const RECOVERY_STEPS: usize = orderdesk_domain::checkout::MAX_RECOVERY_STEPS;

    /// The timer of the recovery schedule's later step `index` (0-based).
    pub fn recovery(index: usize) -> Option<Self> {
        [Self::Recovery1, Self::Recovery2, Self::Recovery3]
            .get(index)
            .copied()
    }

    /// Which later recovery step this timer is, if it is one.
    pub fn recovery_index(&self) -> Option<usize> {
        match self {
            Self::Recovery1 => Some(0),
            Self::Recovery2 => Some(1),
            Self::Recovery3 => Some(2),
            Self::Nudge | Self::Abandon | Self::CodRemind | Self::CodExpire | Self::Feedback => {
                None
            }
        }
    }

    /// Whether this is one of the checkout's timers ([`TimerKind::CHECKOUT`]).
    pub fn is_checkout(&self) -> bool {
        Self::CHECKOUT.contains(self)
    }

    /// The timers that remind the customer of their cart (the nudge and
    /// the later steps).
    pub fn reminders() -> impl Iterator<Item = TimerKind> {
        Self::CHECKOUT.into_iter().filter(|k| *k != Self::Abandon)
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Nudge => "nudge",
            Self::Abandon => "abandon",
            Self::Recovery1 => "recovery_1",
            Self::Recovery2 => "recovery_2",
            Self::Recovery3 => "recovery_3",
            Self::CodRemind => "cod_remind",
            Self::CodExpire => "cod_expire",
            Self::Feedback => "feedback",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl std::fmt::Display for TimerKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A timer to set on an order: at most one per kind and order, so setting
/// one again moves it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewTimer {
    pub kind: TimerKind,
    pub order_number: OrderNumber,
    pub due_at: Timestamp,
}

/// A due timer, claimed for running. (Timers are stored in the `jobs` table,
/// its name from the first release; migrations are additive, so it stays.)
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timer {
    /// Setting the timer again gives it a new id, so completing an older
    /// claim does not remove the new schedule.
    pub id: i64,
    pub kind: TimerKind,
    pub order_number: OrderNumber,
    pub due_at: Timestamp,
}

/// The end of a lease of `lease` taken at `now`.
///
/// # Errors
/// `Other` when the lease is too long to add to a time.
pub fn lease_end(now: Timestamp, lease: std::time::Duration) -> crate::StoreResult<Timestamp> {
    chrono::Duration::from_std(lease)
        .ok()
        .and_then(|lease| now.checked_add_signed(lease))
        .ok_or_else(|| {
            crate::StoreError::Other(anyhow::anyhow!("a lease of {lease:?} is too long"))
        })
}
