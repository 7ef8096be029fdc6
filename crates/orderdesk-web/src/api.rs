//! `/api/v1`: the integration API.

pub mod events;
pub mod openapi;
pub mod orders;
