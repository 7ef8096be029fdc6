//! `/api/v1`: the integration API.

pub mod events;
pub mod messages;
pub mod openapi;
pub mod orders;
mod schema;
pub mod settings;
pub mod templates;
