//! The errors callers branch on, and one opaque rest.

/// Result of a [`crate::Store`] call.
pub type StoreResult<T> = Result<T, StoreError>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    /// Optimistic concurrency: the row moved on since it was read.
    #[error("the order was changed by someone else (now at version {current_version})")]
    Conflict { current_version: i64 },
    /// A unique key (named) is already taken.
    #[error("{0} already exists")]
    Duplicate(String),
    /// The database could not be reached or timed out; worth retrying later.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}
