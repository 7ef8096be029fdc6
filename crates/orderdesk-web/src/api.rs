//! `/api/v1`: the integration API.

pub mod events;
pub mod messages;
pub mod openapi;
pub mod orders;
pub mod payments;
mod schema;
pub mod templates;
