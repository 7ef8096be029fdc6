//! `/setup`: connecting the business's WhatsApp number on first run, for
//! owners and admins. The page shows what to paste into Meta (webhook URL
//! and verify token, with copy buttons), takes what Meta shows (ids and
//! credentials, stored by `orderdesk_engine::setup`), sends a test message,
//! and says "webhook received ✓" once Meta calls (`assets/setup.js` polls
//! `/setup/status.json`; the page works without it, a reload shows the
//! same).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use maud::{html, Markup};
use orderdesk_domain::Timestamp;
use orderdesk_engine::setup::{self, Connection, ConnectionForm, SetupError};
use serde::{Deserialize, Serialize};

use super::admin::Flash;
use super::session::{wants_json, Manager, Staff, StaffForm};
use super::views::staff_page;
use crate::error::ApiError;
use crate::AppState;

pub(super) const JS: &str = include_str!("../../assets/setup.js");

/// What `/setup/status.json` answers (and the page starts from).
#[derive(Debug, Clone, Serialize)]
pub struct SetupStatus {
    pub connected: bool,
    /// Meta called: the handshake passed or a signed delivery arrived.
    pub webhook_received: bool,
    pub last_webhook_at: Option<Timestamp>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SetupFields {
    phone_number_id: String,
    business_account_id: String,
    access_token: String,
    app_secret: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct TestFields {
    to: String,
}

pub async fn show(State(state): State<AppState>, Manager(staff): Manager) -> Response {
    // A GET that may store: the first visit makes the verify token the page
    // must show. Later visits only read it.
    let by = format!("staff:{}", staff.user.email);
    let settings = state.engine.settings();
    let flash =
        match setup::ensure_verify_token(settings, state.engine.store().as_ref(), &by, Utc::now())
            .await
        {
            Ok(_) => Flash::None,
            Err(e) => Flash::Error(format!("No verify token could be made: {e}.")),
        };
    page(&state, &staff, flash, StatusCode::OK).await
}

async fn status_of(state: &AppState) -> Result<SetupStatus, ApiError> {
    let ops = state.engine.store().ops_status().await?;
    let last = setup::last_webhook(&ops);
    Ok(SetupStatus {
        connected: setup::connection(state.engine.settings()).connected,
        webhook_received: last.is_some(),
        last_webhook_at: last,
    })
}

/// `GET /setup/status.json`, polled by the page.
pub async fn status(
    State(state): State<AppState>,
    Manager(_staff): Manager,
) -> Result<Json<SetupStatus>, ApiError> {
    Ok(Json(status_of(&state).await?))
}

async fn page(state: &AppState, staff: &Staff, flash: Flash, status: StatusCode) -> Response {
    let conn = setup::connection(state.engine.settings());
    let seen = status_of(state).await.ok();
    let webhook_url = format!(
        "{}/webhooks/whatsapp",
        state.config.public_url.trim_end_matches('/')
    );
    let https = state.config.secure_cookies();
    let body = html! {
        main.narrow.setup {
            h1 { "Connect WhatsApp" }
            (super::admin::flash(&flash))
            p.muted {
                "Four steps in Meta's app dashboard (developers.facebook.com → your app → WhatsApp). "
                @if conn.connected { "Your number is connected ✓." } @else { "Nothing is connected yet." }
            }
            section.setup-step aria-labelledby="step-webhook" {
                h2 #step-webhook { "1. Paste these into Meta" }
                p.small.muted { "WhatsApp → Configuration → Webhook → Edit. Then subscribe to the " b { "messages" } " field." }
                (copy_field("webhook-url", "Callback URL", &webhook_url))
                (copy_field("verify-token", "Verify token", conn.verify_token.as_deref().unwrap_or("")))
                @if !https {
                    p.warn.small { "Meta calls only https addresses: serve orderdesk over HTTPS (ORDERDESK_TLS_DOMAINS) and set ORDERDESK_PUBLIC_URL to it first." }
                }
            }
            section.setup-step aria-labelledby="step-ids" {
                h2 #step-ids { "2. Your number's details" }
                p.small.muted { "WhatsApp → API Setup shows the phone number id and the account id; App settings → Basic shows the app secret. Use a system user's permanent token." }
                (details_form(staff, &conn))
            }
            section.setup-step aria-labelledby="step-test" {
                h2 #step-test { "3. Send a test message" }
                p.small.muted { "Sends Meta's hello_world template to your phone with the details above." }
                form #test-form.setup-test method="post" action="/setup/test" {
                    input type="hidden" name="csrf" value=(staff.csrf);
                    label for="test-to" { "Your WhatsApp number" }
                    input #test-to type="tel" name="to" inputmode="tel" autocomplete="tel" placeholder="+91 98123 45601" required;
                    button.primary type="submit" disabled[!conn.connected] { "Send a test message to my phone" }
                    p #test-result.small aria-live="polite" {
                        @if !conn.connected { "Save the phone number id and the access token first." }
                    }
                }
            }
            section.setup-step aria-labelledby="step-webhook-seen" {
                h2 #step-webhook-seen { "4. Meta calls the webhook" }
                @let received = seen.as_ref().is_some_and(|s| s.webhook_received);
                p #webhook-status.webhook-status aria-live="polite" data-received=(if received { "true" } else { "false" }) {
                    @match seen.as_ref().and_then(|s| s.last_webhook_at) {
                        Some(at) => { "Webhook received ✓ (" (at.format("%Y-%m-%d %H:%M UTC")) ")" }
                        None => { "Waiting for Meta to call… press “Verify and save” in Meta's webhook settings." }
                    }
                }
            }
        }
        script src=(js_path()) defer {}
    };
    staff_page(status, staff, "Connect WhatsApp", "setup", body)
}

/// Hashed like the dashboard's assets, which are cached for a year.
static JS_PATH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("/assets/setup.js?v={}", super::short_hash(JS)));

pub(super) fn js_path() -> &'static str {
    JS_PATH.as_str()
}

fn copy_field(id: &str, label: &str, value: &str) -> Markup {
    html! {
        div.copy-field {
            label for=(id) { (label) }
            div.copy-row {
                input id=(id) type="text" value=(value) readonly;
                button.copy.ghost type="button" data-copy=(id) aria-label={"Copy " (label)} { "Copy" }
            }
        }
    }
}

fn details_form(staff: &Staff, conn: &Connection) -> Markup {
    let fixed = |key: &'static str| conn.fixed.contains(&key);
    let secret_hint = |set: bool| {
        if set {
            "Set (hidden). Leave empty to keep it."
        } else {
            "Not set."
        }
    };
    html! {
        form #setup-form.settings-form method="post" action="/setup" {
            input type="hidden" name="csrf" value=(staff.csrf);
            (text_field("phone_number_id", "Phone number id", conn.phone_number_id.as_deref(), fixed(setup::PHONE_NUMBER_ID), "numeric"))
            (text_field("business_account_id", "WhatsApp Business Account id", conn.business_account_id.as_deref(), fixed(setup::BUSINESS_ACCOUNT_ID), "numeric"))
            (secret_field("access_token", "Access token", secret_hint(conn.access_token_set), fixed(setup::ACCESS_TOKEN)))
            (secret_field("app_secret", "App secret", secret_hint(conn.app_secret_set), fixed(setup::APP_SECRET)))
            p.small.muted { "The test message and the webhook use these at once; customers' messages go out with them after orderdesk restarts." }
            div.settings-save { button.primary type="submit" { "Save" } }
        }
    }
}

fn text_field(name: &str, label: &str, value: Option<&str>, fixed: bool, mode: &str) -> Markup {
    let id = format!("f-{name}");
    html! {
        div.setting {
            label for=(id) { (label) }
            @if fixed {
                input id=(id) type="text" value=(value.unwrap_or("")) readonly;
                p.small.muted { "Set in the server's environment, which wins." }
            } @else {
                input id=(id) type="text" name=(name) value=(value.unwrap_or("")) inputmode=(mode) autocomplete="off";
            }
        }
    }
}

fn secret_field(name: &str, label: &str, hint: &str, fixed: bool) -> Markup {
    let id = format!("f-{name}");
    html! {
        div.setting {
            label for=(id) { (label) }
            @if fixed {
                input id=(id) type="password" value="" placeholder="••••••" readonly;
                p.small.muted { "Set in the server's environment, which wins." }
            } @else {
                input id=(id) type="password" name=(name) autocomplete="off" placeholder=(hint);
                p.small.muted { (hint) }
            }
        }
    }
}

/// `POST /setup`: stores the details, all or nothing.
pub async fn save(State(state): State<AppState>, f: StaffForm<SetupFields>) -> Response {
    if let Some(refused) = f.refused_unless_manager("connect WhatsApp") {
        return refused;
    }
    let form = ConnectionForm {
        phone_number_id: f.form.phone_number_id,
        business_account_id: f.form.business_account_id,
        access_token: f.form.access_token,
        app_secret: f.form.app_secret,
    };
    let by = format!("staff:{}", f.staff.user.email);
    let result = setup::save_connection(
        state.engine.settings(),
        state.engine.store().as_ref(),
        &form,
        &by,
        Utc::now(),
    )
    .await;
    let (flash, status) = match result {
        Ok(0) => (Flash::Info("Nothing changed.".to_owned()), StatusCode::OK),
        Ok(n) => {
            tracing::info!(by = %f.staff.user.email, count = n, "WhatsApp connection saved");
            (Flash::Info("Saved.".to_owned()), StatusCode::OK)
        }
        Err(e) => {
            let api = setup_error(e);
            if api.status.is_server_error() || wants_json(&f.headers) {
                return api.into_response();
            }
            (
                Flash::Error(format!("Nothing was saved: {}.", api.message)),
                api.status,
            )
        }
    };
    page(&state, &f.staff, flash, status).await
}

/// `POST /setup/test`: sends the test message; JSON for the page's
/// script, the page with the outcome otherwise.
pub async fn test_message(State(state): State<AppState>, f: StaffForm<TestFields>) -> Response {
    if let Some(refused) = f.refused_unless_manager("connect WhatsApp") {
        return refused;
    }
    let result = setup::send_test_message(state.engine.settings(), &f.form.to).await;
    if wants_json(&f.headers) {
        return match result {
            Ok(id) => Json(serde_json::json!({"sent": true, "message_id": id})).into_response(),
            Err(e) => setup_error(e).into_response(),
        };
    }
    let (flash, status) = match result {
        Ok(_) => (
            Flash::Info(
                "Test message sent: it should arrive on your phone in a few seconds.".to_owned(),
            ),
            StatusCode::OK,
        ),
        Err(e) => {
            let api = setup_error(e);
            (Flash::Error(format!("{}.", api.message)), api.status)
        }
    };
    page(&state, &f.staff, flash, status).await
}

fn setup_error(e: SetupError) -> ApiError {
    let message = e.to_string();
    match e {
        SetupError::Invalid(_) | SetupError::Client(_) => {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_request", message)
        }
        SetupError::Settings(e) => e.into(),
        SetupError::NotConnected => ApiError::new(StatusCode::CONFLICT, "not_connected", message),
        // Meta said no (or did not answer): the gateway's fault, in its words.
        SetupError::Refused(_) => {
            ApiError::new(StatusCode::BAD_GATEWAY, "whatsapp_refused", message)
        }
        SetupError::Store(e) => e.into(),
    }
}
