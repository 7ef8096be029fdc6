//! The panels at the top of `/settings`: is WhatsApp connected and heard
//! from, is the payment provider set up and heard from, and the
//! installation's checks (`orderdesk doctor`, the same code) run on demand
//! by `assets/setup.js` through `GET /settings/doctor.json`.

use axum::extract::State;
use axum::Json;
use chrono::Utc;
use maud::{html, Markup};
use orderdesk_domain::Timestamp;
use orderdesk_engine::setup;
use orderdesk_store::OpsStatus;

use super::session::Manager;
use crate::api::doctor::DoctorReport;
use crate::error::ApiError;
use crate::AppState;

/// `GET /settings/doctor.json`: runs every check now (each network check
/// waits at most 10 s; they run side by side).
pub async fn doctor(
    State(state): State<AppState>,
    Manager(_staff): Manager,
) -> Result<Json<DoctorReport>, ApiError> {
    Ok(Json(crate::api::doctor::report(&state).await?))
}

/// The WhatsApp, payments and checks panels.
pub async fn panels(state: &AppState) -> Markup {
    let conn = setup::connection(state.engine.settings());
    let provider = state
        .engine
        .settings()
        .value(setup::PAYMENTS_PROVIDER)
        .unwrap_or_else(|| "none".to_owned());
    let ops = state.engine.store().ops_status().await;
    html! {
        div.status-panels {
            section #whatsapp-status.status-panel aria-labelledby="p-whatsapp" {
                h2 #p-whatsapp { "WhatsApp connection" }
                @match &ops {
                    Ok(ops) => (whatsapp(&conn, ops)),
                    Err(_) => p.small.warn { "The database did not answer; reload to try again." },
                }
            }
            section #payments-status.status-panel aria-labelledby="p-payments" {
                h2 #p-payments { "Payment provider" }
                @match &ops {
                    Ok(ops) => (payments(&provider, ops)),
                    Err(_) => p.small.warn { "The database did not answer; reload to try again." },
                }
            }
            section #doctor.status-panel aria-labelledby="p-doctor" {
                h2 #p-doctor { "Checks" }
                p.small.muted { "The same checks as " code { "orderdesk doctor" } ": each says what it found or what to do. They call WhatsApp, the payment provider and this server's public URL, so they take a few seconds." }
                button #doctor-run.ghost type="button" { "Run the checks" }
                ul #doctor-checks.checks aria-live="polite" {}
            }
        }
        script src=(super::setup::js_path()) defer {}
    }
}

fn line(ok: bool, label: &str, detail: Markup) -> Markup {
    html! {
        li class=(if ok { "check-ok" } else { "check-bad" }) {
            span.mark aria-hidden="true" { (if ok { "✓" } else { "✗" }) }
            " " b { (label) } ": " (detail)
        }
    }
}

fn when(at: Timestamp) -> Markup {
    let secs = (Utc::now() - at).num_seconds().max(0);
    let ago = match secs {
        0..=119 => format!("{secs} s ago"),
        120..=7199 => format!("{} min ago", secs / 60),
        7200..=172_799 => format!("{} h ago", secs / 3600),
        _ => format!("{} days ago", secs / 86_400),
    };
    html! { time datetime=(at.to_rfc3339()) title=(at.format("%Y-%m-%d %H:%M:%S UTC")) { (ago) } }
}

fn whatsapp(conn: &setup::Connection, ops: &OpsStatus) -> Markup {
    let heard = setup::last_webhook(ops);
    // An error newer than the last success is the state of things now.
    let failing = ops
        .last_send_error
        .as_ref()
        .filter(|e| ops.last_sent_at.is_none_or(|sent| e.at >= sent));
    html! {
        ul.checks {
            @match &conn.phone_number_id {
                Some(id) if conn.connected => (line(true, "Number", html! { "phone number id " (id) ", access token set" })),
                Some(_) => (line(false, "Number", html! { "the access token is not set: " a href="/setup" { "set it up" } })),
                None => (line(false, "Number", html! { "not connected: " a href="/setup" { "connect your number" } })),
            }
            @match heard {
                Some(at) => (line(true, "Last webhook received", when(at))),
                None => (line(false, "Last webhook received", html! { "none yet: paste the callback URL and verify token from " a href="/setup" { "setup" } " into Meta" })),
            }
            @match ops.last_sent_at {
                Some(at) => (line(true, "Last message sent", when(at))),
                None => (line(failing.is_none(), "Last message sent", html! { "none yet" })),
            }
            @if let Some(e) = failing {
                (line(false, "Last send failed", html! { (e.error) " (" (when(e.at)) ")" }))
            }
        }
    }
}

fn payments(provider: &str, ops: &OpsStatus) -> Markup {
    let online = !matches!(provider, "none" | "cod" | "upi");
    html! {
        ul.checks {
            (line(true, "Provider", html! { (provider) @if !online { " (no webhooks to expect)" } }))
            @match &ops.last_payment_webhook {
                Some((source, at)) => (line(true, "Last webhook", html! { (source) ", " (when(*at)) })),
                None if online => (line(false, "Last webhook", html! { "none yet: set the provider's webhook to this server's /webhooks/" (provider) })),
                None => (line(true, "Last webhook", html! { "none" })),
            }
            @if let Some(e) = &ops.last_payment_error {
                (line(false, "Last error", html! { (e.error) " (" (when(e.at)) ")" }))
            }
        }
    }
}
