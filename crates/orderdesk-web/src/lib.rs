//! The HTTP edge of orderdesk: WhatsApp webhooks, the `/api/v1` JSON API,
//! the event stream, health and metrics.
//!
//! Handlers are thin: extract, call one engine or store method, map the
//! result. Every API failure leaves as `{"error": {"code", "message"}}`;
//! the customer-facing address form answers in HTML.

pub mod address_form;
pub mod api;
pub mod auth;
pub mod cpu;
pub mod cursor;
pub mod dashboard;
mod edge;
pub mod error;
pub mod export;
pub mod extract;
pub mod health;
pub mod metrics;
pub mod password;
pub mod payment_page;
pub mod routes;
pub mod webhooks;

use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::StatusCode;
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::Router;
use orderdesk_engine::Engine;
use tokio::sync::watch;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::metrics::Metrics;
pub use crate::routes::{route_table, Auth, RouteInfo, Routes};

/// Settings the web layer needs (a slice of the whole configuration).
#[derive(Clone)]
pub struct WebConfig {
    pub whatsapp_app_secret: Option<String>,
    pub whatsapp_verify_token: Option<String>,
    /// `ORDERDESK_PUBLIC_URL`: behind HTTPS, session cookies are `Secure`.
    pub public_url: String,
    /// `ORDERDESK_TRUSTED_PROXY_HEADER`: the header our reverse proxy puts
    /// the client's address in (its last entry is read). Unset, the socket
    /// peer is the client.
    pub trusted_proxy_header: Option<axum::http::HeaderName>,
    /// `ORDERDESK_IDLE_TIMEOUT`: the server closes a connection silent for
    /// this long, so event streams send keep-alive comments well within it.
    pub idle_timeout: Duration,
    /// Runs the installation's checks for `GET /api/v1/doctor` (the binary
    /// holds the whole configuration they need).
    pub doctor: Option<api::doctor::DoctorHook>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            whatsapp_app_secret: None,
            whatsapp_verify_token: None,
            public_url: String::new(),
            trusted_proxy_header: None,
            idle_timeout: Duration::from_secs(60),
            doctor: None,
        }
    }
}

impl WebConfig {
    /// How often an event stream sends a keep-alive comment: every 15 s,
    /// or often enough that the idle timeout never ends a quiet stream.
    pub fn stream_keep_alive(&self) -> Duration {
        Duration::from_secs(15).min(self.idle_timeout / 3)
    }

    /// Whether the dashboard is served over HTTPS (cookies get `Secure`).
    pub fn secure_cookies(&self) -> bool {
        self.public_url
            .get(..8)
            .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    }
}

impl std::fmt::Debug for WebConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Secrets never reach logs.
        f.debug_struct("WebConfig")
            .field(
                "whatsapp_app_secret",
                &self.whatsapp_app_secret.as_ref().map(|_| "***"),
            )
            .field(
                "whatsapp_verify_token",
                &self.whatsapp_verify_token.as_ref().map(|_| "***"),
            )
            .field("public_url", &self.public_url)
            .field("trusted_proxy_header", &self.trusted_proxy_header)
            .field("idle_timeout", &self.idle_timeout)
            .finish()
    }
}

#[derive(Clone)]
pub struct AppState {
    pub engine: Engine,
    pub config: Arc<WebConfig>,
    pub metrics: Arc<Metrics>,
    /// Flips to `true` when the server starts shutting down, to end streams.
    pub shutdown: watch::Receiver<bool>,
    /// Failed dashboard logins, for rate limiting.
    pub login_limiter: Arc<dashboard::login_limit::LoginLimiter>,
    /// argon2id checks of login passwords (19 MiB each), a few at a time.
    pub password_checks: password::PasswordChecker,
    /// Webhook signature checks over bodies of up to a few megabytes.
    pub signature_checks: cpu::CpuGate,
}

/// Every route of the application, with who may call it.
fn routes() -> Routes<AppState> {
    Routes::new()
        .merge(health::routes())
        .merge(address_form::routes())
        .merge(webhooks::whatsapp::routes())
        .merge(webhooks::payments::routes())
        .merge(payment_page::routes())
        .merge(api::orders::routes())
        .merge(api::payments::routes())
        .merge(api::invoices::routes())
        .merge(api::order_edit::routes())
        .merge(api::order_create::routes())
        .merge(api::bulk::routes())
        .merge(api::events::routes())
        .merge(api::messages::routes())
        .merge(api::templates::routes())
        .merge(api::conversations::routes())
        .merge(api::customers::routes())
        .merge(api::reopen::routes())
        .merge(api::settings::routes())
        .merge(api::openapi::routes())
        .merge(api::doctor::routes())
        .merge(api::intake::routes())
        .merge(api::typed_drafts::routes())
        .merge(dashboard::routes())
        .merge(api::stats::routes())
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let metrics = state.metrics.clone();
    let (routes, _) = routes().into_parts();
    routes
        .fallback(|| async { ApiError::not_found("no such route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method_not_allowed",
                "this route does not take that method",
            )
        })
        .with_state(state)
        .layer(middleware::from_fn(move |req: Request, next: Next| {
            let metrics = metrics.clone();
            async move {
                let response = next.run(req).await;
                metrics.response(response.status().as_u16());
                response
            }
        }))
        .layer(CatchPanicLayer::custom(|_| {
            tracing::error!("a request handler panicked");
            ApiError::internal().into_response()
        }))
        .layer(TraceLayer::new_for_http().make_span_with(edge::request_span))
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        // Outermost, so refusals and timeouts above get `nosniff` too.
        .layer(middleware::from_fn(edge::guard))
}

#[cfg(test)]
mod tests {
    use super::WebConfig;

    #[test]
    fn cookies_are_secure_exactly_behind_https() {
        let config = |url: &str| WebConfig {
            public_url: url.to_owned(),
            ..WebConfig::default()
        };
        assert!(config("https://shop.example").secure_cookies());
        assert!(config("HTTPS://shop.example").secure_cookies());
        assert!(!config("http://127.0.0.1:8080").secure_cookies());
        assert!(!config("").secure_cookies());
    }
}
