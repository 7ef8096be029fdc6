//! The WhatsApp Cloud API edge of orderdesk: checking and splitting inbound
//! webhooks, reading the carts customers send from the catalog, and sending
//! messages back through the Graph API.
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
//! Nothing above does I/O. Outbound, [`OutboundMessage`] and [`MarkRead`]
//! are request bodies checked against Meta's limits when built, and
//! [`GraphClient`] posts them, sorting failures into a [`GraphError`] the
//! dispatcher can act on (retry, template, alert, give up).

mod cart;
mod chat;
mod graph;
mod native;
mod outbound;
mod raw;
mod signature;
mod webhook;

pub use cart::{parse_cart, Cart, CartLine, CartParseError};
pub use chat::{parse_chat_message, parse_status, ChatIn, ItemError, StatusIn};
pub use graph::{
    GraphApiError, GraphClient, GraphError, GraphSetupError, SentMessage, DEFAULT_TIMEOUT,
};
pub use native::{
    native_address, parse_payment_status, NativeAddressError, NfmReply, PaymentStatusIn,
    ADDRESS_FIELDS,
};
pub use outbound::{
    Content, Document, Header, Interactive, ListRow, ListSection, MarkRead, Media,
    NativeOrderStatus, NativePayment, OrderDetails, OrderDetailsItem, OutboundError,
    OutboundMessage, ProductSection, Recipient, ReplyButton, Template, Text, BUTTON_ID_MAX,
    BUTTON_TEXT_MAX, BUTTON_TITLE_MAX, FOOTER_MAX, HEADER_TEXT_MAX, INTERACTIVE_BODY_MAX,
    ITEM_NAME_MAX, LIST_BODY_MAX, MAX_LIST_PRODUCTS, MAX_LIST_ROWS, MAX_LIST_SECTIONS,
    MAX_PRODUCT_SECTIONS, MAX_REPLY_BUTTONS, REFERENCE_ID_MAX, ROW_DESCRIPTION_MAX, ROW_ID_MAX,
    ROW_TITLE_MAX, SECTION_TITLE_MAX, STATUS_DESCRIPTION_MAX, TEMPLATE_NAME_MAX, TEXT_BODY_MAX,
};
pub use signature::{sign, verify_signature, SignatureError, SIGNATURE_HEADER};
pub use webhook::{split_webhook, InboundItem, SplitError, WHATSAPP_OBJECT};
