use orderdesk_domain::{CheckoutRefusal, OrderStatus, TransitionError};
use orderdesk_store::StoreError;

/// Why a use-case failed. The web layer maps each variant to one status.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Transition(#[from] TransitionError),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The caller named a version that is no longer current.
    #[error("the order was changed by someone else; it is now {status} (version {version})")]
    Stale { status: OrderStatus, version: i64 },
    /// An address-form link that is not ours, altered, or expired.
    #[error(transparent)]
    Token(#[from] crate::form_token::TokenError),
    /// The address can no longer be changed: the payment step has passed.
    #[error("the delivery address can no longer be changed")]
    AddressLocked,
    /// The checkout refused the input (it named another order, …).
    #[error(transparent)]
    Checkout(#[from] CheckoutRefusal),
    /// A staff note that cannot be recorded as written.
    #[error(transparent)]
    Note(#[from] crate::orders::NoteError),
    /// A staff payment action that is not possible now, or lacks its reason.
    #[error(transparent)]
    Payment(#[from] crate::payments::PaymentActionError),
    /// A staff reply that cannot be sent now.
    #[error(transparent)]
    Reply(#[from] crate::replies::ReplyError),
    /// Staff's edit or new order refused by the domain's rules.
    #[error(transparent)]
    Edit(#[from] orderdesk_domain::order::edit::EditError),
    /// A bulk request refused as a whole.
    #[error(transparent)]
    Bulk(#[from] crate::bulk::BulkError),
    /// No invoice to give (the order is not paid yet), or it could not be made.
    #[error(transparent)]
    Invoice(#[from] crate::invoices::InvoiceError),
    /// A language code that is not one (a customer's language).
    #[error("{0}")]
    InvalidLanguage(String),
    /// Staff tried to approve a cash-on-delivery order the customer has
    /// not confirmed yet (`ORDERDESK_COD_CONFIRM`).
    #[error("{0}")]
    CodNotConfirmed(&'static str),
    /// A desk action on a customer's typed draft that is not possible.
    #[error(transparent)]
    Draft(#[from] crate::typed_desk::DraftDeskError),
    /// The background writer is gone (shutting down).
    #[error("the server is shutting down")]
    ShuttingDown,
}
