//! The Graph API client for the WhatsApp number and token in force now.
//!
//! The number id and the access token can be saved on `/setup` (or `PUT
//! /api/v1/settings`) after start, on any instance: the settings store is
//! shared and every instance reloads it ([`Settings`]). So the senders (the
//! outbox dispatcher, read receipts) ask this handle for a client each time
//! instead of holding one made at start; it is rebuilt only when a value
//! changed, and is `None` while either is missing (messages stay queued).

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use orderdesk_whatsapp::GraphClient;

use crate::settings::Settings;
use crate::setup::{ACCESS_TOKEN, PHONE_NUMBER_ID};

/// A client for the credentials in force, shared by one instance's senders.
#[derive(Clone)]
pub struct LiveGraph {
    settings: Settings,
    /// The Graph API's base URL (read once at start).
    base: String,
    timeout: Duration,
    /// The client last built and the number and token it was built for.
    cached: Arc<Mutex<Option<(String, String, GraphClient)>>>,
}

impl std::fmt::Debug for LiveGraph {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LiveGraph")
            .field("base", &self.base)
            .finish_non_exhaustive()
    }
}

impl LiveGraph {
    /// Sends through `base` with `timeout` per request, with the number and
    /// token `settings` have at the time of each send.
    pub fn new(settings: Settings, base: &str, timeout: Duration) -> Self {
        Self {
            settings,
            base: base.to_owned(),
            timeout,
            cached: Arc::default(),
        }
    }

    /// Whether a number and token are set (a client can be made).
    pub fn configured(&self) -> bool {
        self.current().is_some()
    }

    /// The client for the number and token in force, `None` while either
    /// is unset or they do not make a client (a malformed id: /setup
    /// refuses those, so only a hand-edited database gets here).
    pub fn current(&self) -> Option<GraphClient> {
        let number = self.settings.value(PHONE_NUMBER_ID)?;
        let token = self.settings.value(ACCESS_TOKEN)?;
        let mut cached = self.cached.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((n, t, client)) = cached.as_ref() {
            if *n == number && *t == token {
                return Some(client.clone());
            }
        }
        match GraphClient::with_timeout(&self.base, &number, &token, self.timeout) {
            Ok(client) => {
                tracing::info!(phone_number_id = %number, "sending WhatsApp messages with the number and token in force");
                *cached = Some((number, token, client.clone()));
                Some(client)
            }
            Err(e) => {
                tracing::warn!(error = %e, "the stored WhatsApp number does not make a Graph API client");
                None
            }
        }
    }
}
