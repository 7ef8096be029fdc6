//! `/api/v1`: the integration API.

pub mod bulk;
pub mod conversations;
pub mod customers;
pub mod doctor;
pub mod events;
pub mod intake;
pub mod invoices;
pub mod messages;
pub mod openapi;
pub mod order_create;
pub mod order_edit;
pub mod orders;
mod paging;
pub mod payments;
pub mod reopen;
mod schema;
pub mod settings;
pub mod stats;
pub mod templates;
pub mod typed_drafts;
