//! The HTTP edge of orderdesk: WhatsApp webhooks, the `/api/v1` JSON API,
//! the event stream, health and metrics.
//!
//! Handlers are thin: extract, call one engine or store method, map the
//! result. Every API failure leaves as `{"error": {"code", "message"}}`;
//! the customer-facing address form answers in HTML.

pub mod address_form;
pub mod api;
pub mod auth;
mod cursor;
pub mod dashboard;
pub mod error;
pub mod export;
pub mod extract;
pub mod health;
pub mod metrics;
pub mod payment_page;
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

/// Settings the web layer needs (a slice of the whole configuration).
#[derive(Clone, Default)]
pub struct WebConfig {
    pub whatsapp_app_secret: Option<String>,
    pub whatsapp_verify_token: Option<String>,
    /// `ORDERDESK_PUBLIC_URL`: behind HTTPS, session cookies are `Secure`.
    pub public_url: String,
}

impl WebConfig {
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
    pub login_limiter: Arc<dashboard::session::LoginLimiter>,
}

/// The whole HTTP application.
pub fn router(state: AppState) -> Router {
    let metrics = state.metrics.clone();
    Router::new()
        .merge(health::routes())
        .merge(address_form::routes())
        .merge(webhooks::whatsapp::routes())
        .merge(webhooks::payments::routes())
        .merge(payment_page::routes())
        .merge(api::orders::routes())
        .merge(api::events::routes())
        .merge(api::messages::routes())
        .merge(api::templates::routes())
        .merge(api::openapi::routes())
        .merge(dashboard::routes())
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
        .layer(TraceLayer::new_for_http())
        .layer(tower_http::timeout::TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
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
