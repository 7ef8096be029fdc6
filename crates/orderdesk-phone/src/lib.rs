//! A WhatsApp Cloud API simulator and the customer's phone, for
//! `orderdesk demo` and end-to-end tests.
//!
//! It plays Meta in both directions over real HTTP, so the server under it
//! runs its production code unchanged:
//!
//! - **Graph side.** The server's outbox posts to
//!   `POST /simulator/graph/{version}/{phone-number-id}/messages` (point
//!   `WHATSAPP_GRAPH_URL` at `{base}/simulator/graph/v23.0`). Each request
//!   is checked like Meta would (bearer token, phone number id, body shape
//!   and limits, answered with Meta's error JSON), recorded in the
//!   recipient's thread, answered with a wamid, and followed by `sent` and
//!   `delivered` status webhooks, then `read` once the phone shows it.
//!   Mark-read calls turn the customer's own ticks blue.
//! - **Webhook side.** What a customer does on the phone (send a cart or a
//!   text, tap a reply button or list row) becomes a webhook shaped like the
//!   real samples, signed with the app secret over its exact bytes and
//!   posted to the server's `/webhooks/whatsapp`, in order, retried until
//!   answered 200.
//! - **The phone.** `GET /phone` is a WhatsApp-like chat page (catalog,
//!   cart, buttons, links, ticks, several customers) over the JSON API under
//!   `/simulator/api/`, which tests drive directly (see [`api`]).
//!
//! Everything lives in memory: a restart forgets the threads, not the
//! server's orders.

pub mod account;
pub mod api;
mod catalog;
mod customer;
mod graph;
mod images;
mod native;
mod page;
mod state;
mod traffic;
mod webhook;

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde_json::{json, Value};
use tokio::sync::{mpsc, watch};

pub use api::SimError;
pub use catalog::{demo_shop, Product, DEMO_BUSINESS_NAME};
pub use images::product_svg;
pub use state::{
    normalise_phone, user_id_for, CartLineView, CartView, Choice, Customer, Link, ListView,
    Message, ReplyView, Side, ThreadChanges, Tick,
};
pub use traffic::{run_traffic, Traffic};

use state::Phones;
use webhook::Number;

/// Where the Graph API of the simulator is mounted; the server's
/// `WHATSAPP_GRAPH_URL` is `{base}{GRAPH_PATH}/v23.0`.
pub const GRAPH_PATH: &str = "/simulator/graph";

/// The simulated number's WhatsApp Business Account
/// (`WHATSAPP_BUSINESS_ACCOUNT_ID`).
pub const DEMO_BUSINESS_ACCOUNT_ID: &str = "102290129340398";
/// The demo catalog's id (`order.catalog_id` of its carts, and what
/// `product` messages name).
pub const DEMO_CATALOG_ID: &str = "orderdesk-demo-catalog";

/// How the simulated number is set up and where its webhooks go.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The server's webhook, e.g. `http://127.0.0.1:8080/webhooks/whatsapp`.
    pub webhook_url: String,
    /// Signs the webhooks (`X-Hub-Signature-256`); the server's `WHATSAPP_APP_SECRET`.
    pub app_secret: String,
    /// The business number's id; the only one the Graph side accepts.
    pub phone_number_id: String,
    /// The business number as customers see it (`metadata.display_phone_number`).
    pub display_phone_number: String,
    /// The bearer token the Graph side accepts; the server's `WHATSAPP_ACCESS_TOKEN`.
    pub access_token: String,
    /// The name at the top of the chat.
    pub business_name: String,
    /// `order.catalog_id` of the carts.
    pub catalog_id: String,
    pub catalog: Vec<Product>,
    /// How long after accepting a message its `sent`/`delivered` statuses
    /// follow (the server records the wamid when the send call returns).
    pub status_delay: Duration,
    /// The WhatsApp Business Account the number belongs to, for
    /// `GET /{waba-id}/subscribed_apps`.
    pub business_account_id: String,
}

impl Settings {
    pub fn new(
        webhook_url: impl Into<String>,
        app_secret: impl Into<String>,
        phone_number_id: impl Into<String>,
        display_phone_number: impl Into<String>,
        catalog: Vec<Product>,
    ) -> Self {
        Self {
            webhook_url: webhook_url.into(),
            app_secret: app_secret.into(),
            phone_number_id: phone_number_id.into(),
            display_phone_number: display_phone_number.into(),
            access_token: "simulator-access-token".to_owned(),
            business_name: DEMO_BUSINESS_NAME.to_owned(),
            catalog_id: DEMO_CATALOG_ID.to_owned(),
            catalog,
            status_delay: Duration::from_millis(300),
            business_account_id: DEMO_BUSINESS_ACCOUNT_ID.to_owned(),
        }
    }

    #[must_use]
    pub fn with_access_token(mut self, token: impl Into<String>) -> Self {
        self.access_token = token.into();
        self
    }

    fn number(&self) -> Number<'_> {
        Number {
            phone_number_id: &self.phone_number_id,
            display_phone_number: &self.display_phone_number,
        }
    }
}

/// The running simulator; cheap to clone, all clones share the phones.
#[derive(Clone)]
pub struct Simulator {
    inner: Arc<Inner>,
}

struct Inner {
    settings: Settings,
    shared: Arc<Shared>,
    outbox: mpsc::UnboundedSender<Delivery>,
}

/// What the delivery worker shares with the handlers.
struct Shared {
    phones: Mutex<Phones>,
    /// The phones' version after every change, for long polls.
    changed: watch::Sender<u64>,
}

impl Shared {
    fn phones(&self) -> MutexGuard<'_, Phones> {
        self.phones.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn changed(&self) {
        let version = self.phones().version();
        self.changed.send_replace(version);
    }
}

/// One webhook to deliver, and the customer message it carries, whose
/// tick shows whether it arrived.
struct Delivery {
    body: Vec<u8>,
    carries: Option<String>,
}

/// The router of the simulator: the Graph API, the JSON API, the phone page
/// and its assets. Merge it into the server's router, or serve it alone.
pub fn router(sim: Simulator) -> axum::Router {
    axum::Router::new()
        .merge(api::routes())
        .merge(account::routes())
        .merge(page::routes())
        .with_state(sim)
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn new_wamid() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 18];
    rand::thread_rng().fill_bytes(&mut bytes);
    format!("wamid.HBgM{}", hex::encode_upper(bytes))
}

impl Simulator {
    /// Starts the simulator and its webhook sender. Call inside a Tokio runtime.
    pub fn start(settings: Settings) -> Self {
        let (changed, _) = watch::channel(0);
        let shared = Arc::new(Shared {
            phones: Mutex::new(Phones::default()),
            changed,
        });
        let (outbox, queue) = mpsc::unbounded_channel();
        tokio::spawn(deliver(
            shared.clone(),
            settings.webhook_url.clone(),
            settings.app_secret.clone(),
            queue,
        ));
        Self {
            inner: Arc::new(Inner {
                settings,
                shared,
                outbox,
            }),
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    pub fn catalog(&self) -> &[Product] {
        &self.inner.settings.catalog
    }

    fn shared(&self) -> &Shared {
        &self.inner.shared
    }

    pub fn customers(&self) -> Vec<Customer> {
        self.shared().phones().customers()
    }

    /// Adds a customer (or finds the one with that number).
    ///
    /// # Errors
    /// A blank name or a phone number that is not one.
    pub fn add_customer(&self, name: &str, phone: &str) -> Result<Customer, SimError> {
        let added = self.shared().phones().add_customer(name, phone);
        self.shared().changed();
        added.map_err(|e| match e {
            state::CustomerError::Name => SimError::invalid("name must be 1 to 60 characters"),
            state::CustomerError::Phone => {
                SimError::invalid("phone must be a number of 8 to 15 digits, e.g. +91 98123 45601")
            }
        })
    }

    /// The customer's thread changes after version `after` (0: everything).
    pub fn thread(&self, customer: &str, after: u64) -> Option<ThreadChanges> {
        self.shared().phones().changes(customer, after)
    }

    /// As [`Simulator::thread`], waiting up to `wait` for a change when
    /// there is none yet (a long poll).
    pub async fn wait_thread(
        &self,
        customer: &str,
        after: u64,
        wait: Duration,
    ) -> Option<ThreadChanges> {
        let mut changed = self.shared().changed.subscribe();
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let changes = self.thread(customer, after)?;
            if !changes.messages.is_empty() {
                return Some(changes);
            }
            if tokio::time::timeout_at(deadline, changed.changed())
                .await
                .is_err()
            {
                return self.thread(customer, after);
            }
        }
    }

    fn customer(&self, id: &str) -> Result<Customer, SimError> {
        self.shared()
            .phones()
            .customer(id)
            .cloned()
            .ok_or_else(|| SimError::not_found(format!("no customer {id}")))
    }

    /// Answers one Graph API call: HTTP status and JSON body.
    pub(crate) fn graph_call(
        &self,
        phone_number_id: &str,
        authorization: Option<&str>,
        body: &[u8],
    ) -> (u16, Value) {
        let settings = self.settings();
        let expected = format!("Bearer {}", settings.access_token);
        if authorization.map(str::trim) != Some(expected.as_str()) {
            let f = graph::GraphFault::bad_token();
            return (f.status, f.body);
        }
        if phone_number_id != settings.phone_number_id {
            let f = graph::GraphFault::unknown_number(phone_number_id);
            return (f.status, f.body);
        }
        match graph::parse(body, new_wamid(), now()) {
            Err(f) => (f.status, f.body),
            Ok(graph::Request::MarkRead { message_id }) => {
                let read = {
                    let mut phones = self.shared().phones();
                    match phones.message(&message_id) {
                        Some((_, m)) if m.from == Side::Customer => {
                            Some(phones.read_up_to(&message_id))
                        }
                        _ => None,
                    }
                };
                self.shared().changed();
                match read {
                    Some(_) => (200, json!({"success": true})),
                    None => {
                        let f = graph::GraphFault::new(
                            400,
                            100,
                            "OAuthException",
                            &format!("(#100) Invalid parameter: no message {message_id} from a customer of this number"),
                        );
                        (f.status, f.body)
                    }
                }
            }
            Ok(graph::Request::Send { to, message }) => self.business_sends(to, *message),
        }
    }

    fn business_sends(&self, to: graph::Recipient, mut message: Message) -> (u16, Value) {
        let (input, customer) = {
            let mut phones = self.shared().phones();
            match &to {
                graph::Recipient::WaId(wa) => {
                    let known = phones.customer(wa).cloned();
                    // A number the phones do not know yet (say, from an earlier
                    // run of the demo) gets a thread of its own.
                    let customer = match known {
                        Some(c) => Some(c),
                        None => phones
                            .add_customer(&format!("+{wa}"), &format!("+{wa}"))
                            .ok(),
                    };
                    (wa.clone(), customer)
                }
                graph::Recipient::UserId(id) => (id.clone(), phones.customer(id).cloned()),
            }
        };
        let Some(customer) = customer else {
            let f = graph::GraphFault::new(
                400,
                131_026,
                "OAuthException",
                &format!("(#131026) Message undeliverable: {input} is not a WhatsApp user"),
            );
            return (f.status, f.body);
        };
        message.status = Tick::Sent;
        let wamid = message.wamid.clone();
        self.shared().phones().push(&customer.wa_id, message);
        self.shared().changed();
        // Sent, then delivered, once the server has had time to record the wamid.
        let sim = self.clone();
        let (who, id) = (customer.clone(), wamid.clone());
        tokio::spawn(async move {
            tokio::time::sleep(sim.settings().status_delay).await;
            for status in ["sent", "delivered"] {
                let body = webhook::status(&sim.settings().number(), &who, &id, status, now());
                let _ = sim.inner.outbox.send(Delivery {
                    body: webhook::to_meta_bytes(&body),
                    carries: None,
                });
            }
            sim.shared().phones().set_tick(&id, Tick::Delivered);
            sim.shared().changed();
        });
        let mut contact = json!({"input": input, "wa_id": customer.wa_id});
        if matches!(to, graph::Recipient::UserId(_)) {
            contact = json!({"input": input, "user_id": customer.user_id, "wa_id": customer.wa_id});
        }
        (
            200,
            json!({"messaging_product": "whatsapp", "contacts": [contact], "messages": [{"id": wamid}]}),
        )
    }
}

/// Posts queued webhooks one at a time, in order, retrying each until the
/// server answers 200 (then giving up on it: the message shows failed).
async fn deliver(
    shared: Arc<Shared>,
    url: String,
    secret: String,
    mut queue: mpsc::UnboundedReceiver<Delivery>,
) {
    let http = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap_or_default();
    const BACKOFF_MS: &[u64] = &[0, 250, 500, 1000, 2000, 4000, 8000];
    while let Some(delivery) = queue.recv().await {
        let signature = orderdesk_whatsapp::sign(secret.as_bytes(), &delivery.body);
        let mut delivered = false;
        for wait in BACKOFF_MS {
            tokio::time::sleep(Duration::from_millis(*wait)).await;
            let answer = http
                .post(&url)
                .header("content-type", "application/json")
                .header(orderdesk_whatsapp::SIGNATURE_HEADER, &signature)
                .body(delivery.body.clone())
                .send()
                .await;
            match answer {
                Ok(r) if r.status() == reqwest::StatusCode::OK => {
                    delivered = true;
                    break;
                }
                Ok(r) => {
                    tracing::warn!(status = %r.status(), "phone simulator: webhook refused, retrying")
                }
                Err(e) => {
                    tracing::warn!(error = %e, "phone simulator: webhook not delivered, retrying")
                }
            }
        }
        if let Some(wamid) = delivery.carries {
            let tick = if delivered {
                Tick::Delivered
            } else {
                Tick::Failed
            };
            shared.phones().set_tick(&wamid, tick);
            shared.changed();
        }
    }
}
