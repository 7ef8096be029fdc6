use orderdesk_domain::TransitionError;
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
    Stale { status: String, version: i64 },
    /// The background writer is gone (shutting down).
    #[error("the server is shutting down")]
    ShuttingDown,
}
