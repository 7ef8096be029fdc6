//! The checkout bot: turns checkout events into order updates and the
//! messages the customer receives, using the pure machine in
//! `orderdesk_domain::checkout` for every decision.
//!
//! This module renders the machine's reply intents into Cloud API messages
//! and applies outcomes through `Store::update_order` at the version the
//! decision was made from, so a concurrent change makes the decision be
//! taken again rather than applied to a state it did not see.
//!
//! Links are minted when a message is sent, not when it is queued: the
//! first message of an order is queued in the same transaction that creates
//! the order, before its number exists, so its body carries placeholders
//! that the dispatcher fills in ([`fill_placeholders`]).
//!
//! Where things are: `render` (reply intents → messages), `address` (the
//! address form), `customer_messages` (what a customer's message does),
//! `payment_webhooks` (provider payment events applied to orders),
//! `apply_outcome` (an outcome as an order update, applied), `timers`
//! (nudge and abandon), `typed_orders` (a typed order shown back as a draft
//! to place with a tap).

use orderdesk_domain::{CheckoutSettings, Local};

use crate::form_token::FormTokens;
pub(crate) use crate::links::next_link;
use crate::settings::Settings;
use orderdesk_payments::PaymentProvider;
use std::sync::Arc;

/// Stands for the order number in a queued body until it is sent.
pub const ORDER_PLACEHOLDER: &str = "__ORDERDESK_ORDER__";
/// Stands for a fresh address-form token in a queued body until it is sent.
pub const TOKEN_PLACEHOLDER: &str = "__ORDERDESK_TOKEN__";

/// What the bot needs to talk to customers.
#[derive(Clone)]
pub struct CheckoutConfig {
    /// Base of links sent to customers (`ORDERDESK_PUBLIC_URL`).
    pub public_url: String,
    pub tokens: FormTokens,
    /// The checkout settings at start; [`CheckoutConfig::settings_now`]
    /// overlays what is in force now.
    pub settings: CheckoutSettings,
    /// The business's settings as they are now, read at each use so a
    /// change on `/settings` (on any instance) applies without a restart.
    pub live: Settings,
    /// Language of the texts customers get (`ORDERDESK_LANGUAGE`) at
    /// start; [`CheckoutConfig::language_now`] reads the one in force.
    pub language: String,
    /// Makes payment links; `None` when payment is taken some other way
    /// (COD only, or staff marking orders paid).
    pub payments: Option<Arc<dyn PaymentProvider>>,
}

impl std::fmt::Debug for CheckoutConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CheckoutConfig")
            .field("public_url", &self.public_url)
            .field("language", &self.language)
            .field("payments", &self.payments)
            .finish_non_exhaustive()
    }
}

impl CheckoutConfig {
    /// The checkout settings in force now: cash on delivery, the nudge and
    /// abandon timers, what a newer cart does.
    pub fn settings_now(&self) -> CheckoutSettings {
        self.live.checkout(&self.settings)
    }

    /// The business's language of customer texts now: a change on
    /// `/settings` (on any instance) applies to the next message (issue #17).
    pub fn language_now(&self) -> String {
        self.live
            .value(crate::settings::LANGUAGE)
            .unwrap_or_else(|| self.language.clone())
    }

    /// How customers read money and times now (time zone, locale).
    pub fn local(&self) -> Local {
        self.live.local()
    }

    fn address_url(&self, token: &str) -> String {
        format!("{}/address/{token}", self.public_url)
    }
}

mod address;
mod apply_outcome;
mod customer_messages;
pub(crate) mod handover;
pub(crate) mod native;
mod payment_webhooks;
mod render;
mod timers;
mod typed_orders;
mod unbelieved;

pub use address::{AddressForm, AddressLock};
pub(crate) use apply_outcome::{apply_update, supersede_older_all, update_from};
pub(crate) use customer_messages::message_outcome;
pub(crate) use payment_webhooks::apply_payment;
pub use payment_webhooks::StoredPayment;
pub use render::{body_text, fill_placeholders};
pub(crate) use render::{first_messages, outbound, render};
pub(crate) use timers::checkout_timers;
pub use typed_orders::TYPED_ORDERS;
pub(crate) use typed_orders::{offer as typed_offer, FollowUp, TypedBatch};
