//! Inbound webhooks from platforms.

pub mod payments;
pub mod whatsapp;
