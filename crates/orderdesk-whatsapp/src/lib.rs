//! The WhatsApp Cloud API edge of orderdesk: checking and splitting inbound
//! webhooks, and reading the carts customers send from the catalog.
//!
//! An inbound webhook goes through three steps, in this order, because Meta
//! retries and duplicates deliveries and offers no way to fetch one again:
//!
//! 1. [`verify_signature`] checks `X-Hub-Signature-256` over the raw bytes,
//!    before anything is parsed.
//! 2. [`split_webhook`] turns the body into one [`InboundItem`] per message,
//!    status or other change, each with a stable `external_id` for dedupe and
//!    a self-contained JSON payload; the caller stores them, then answers 200.
//! 3. Later, a worker reads each stored item; for `message.order` items
//!    [`parse_cart`] yields the customer and lines with exact minor-unit prices.
//!
//! Nothing here does I/O. The outbound Graph client is not part of this crate yet.

mod order;
mod raw;
mod signature;
mod webhook;

pub use order::{parse_cart, Cart, CartLine, CartParseError};
pub use signature::{sign, verify_signature, SignatureError, SIGNATURE_HEADER};
pub use webhook::{split_webhook, InboundItem, WebhookError, WHATSAPP_OBJECT};
