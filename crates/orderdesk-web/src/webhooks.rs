//! Inbound webhooks from platforms.

pub mod whatsapp;
