//! `/api/v1`: the integration API.

pub mod bulk;
pub mod events;
pub mod messages;
pub mod openapi;
pub mod order_create;
pub mod order_edit;
pub mod orders;
mod schema;
pub mod templates;
