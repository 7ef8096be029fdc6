//! The pure core of orderdesk: what an order is, which moves it may make, and
//! how money is counted. Nothing here does I/O, so every rule can be tested
//! exhaustively and both storage backends and the HTTP edge share one truth.

pub mod address;
pub mod barcode;
pub mod business_hours;
pub mod checkout;
pub mod connection;
pub mod conversation;
pub mod event;
pub mod followup;
pub mod handover;
pub mod inbox_kind;
pub mod invoice;
pub mod label;
pub mod language;
pub mod ledger;
pub mod local;
pub mod message_state;
pub mod money;
pub mod order;
pub mod payment;
pub mod payment_action;
pub mod payment_indicator;
pub mod phone;
pub mod qr;
pub mod refund;
pub mod starting_address;
pub mod stats;
pub mod tag;
pub mod timeline;
pub mod typed_draft;
pub mod visibility;
pub mod window;

pub use address::{country_name, AddressProblem};
pub use checkout::{
    advance, due_timer, recovery_due, ButtonAction, ButtonId, CheckoutChanges, CheckoutInput,
    CheckoutOutcome, CheckoutRefusal, CheckoutSettings, CheckoutState, CheckoutStep, OnNewerCart,
    PaymentChoice, Reply,
};
pub use checkout::{HANDOVER_BUTTON_ID, MAX_ADDRESS_AS_TYPED};
pub use conversation::{needs_reply, ReplyState};
pub use event::EventKind;
pub use inbox_kind::InboxKind;
pub use label::{check_label, label_limit, LabelError, LabelLimit};
pub use ledger::{cod_to_collect, daily_summary, CodDay, DaySummary, LedgerEntry, LedgerKind};
pub use local::{Local, LocalError};
pub use message_state::MessageState;
pub use money::{Currency, Money, MoneyError};
pub use order::{
    plan_transition, tracking_link, Address, Customer, LineItem, Missing, NewOrder, Order,
    OrderNumber, OrderStatus, StatusChange, TransitionError, TransitionRequest,
};
pub use payment::{PaymentMethod, PaymentStatus};
pub use payment_action::{
    allowed_payment_actions, check_payment_action, PaymentActionKind, PaymentRefusal,
};
pub use payment_indicator::PaymentIndicator;
pub use refund::{
    next_refund_id, plan_refund, received_minor, refundable_minor, refunded_minor,
    status_after_refunds, was_paid, Refund, RefundStatus,
};
pub use starting_address::starting_address;
pub use timeline::{Actor, TimelineEntry, TimelineKind};
pub use typed_draft::desk::{check_desk_lines, desk_state, DeskLinesError, DeskState, MAX_PACKS};
pub use typed_draft::{
    fingerprint, Draft, DraftLine, DraftNext, DraftQuestion, DraftStamp, DraftTap, StaleDraft,
    TapAction, DRAFT_TTL_SECS,
};
pub use window::{service_window_closes, service_window_open, SERVICE_WINDOW};

/// Timestamps are UTC everywhere; the edge formats them as RFC 3339.
pub type Timestamp = chrono::DateTime<chrono::Utc>;
