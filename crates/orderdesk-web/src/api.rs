//! `/api/v1`: the integration API.

pub mod conversations;
pub mod doctor;
pub mod events;
pub mod intake;
pub mod messages;
pub mod openapi;
pub mod orders;
pub mod payments;
mod schema;
pub mod templates;
