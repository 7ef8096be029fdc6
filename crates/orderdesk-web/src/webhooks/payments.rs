//! `/webhooks/razorpay`, `/webhooks/stripe` and `/webhooks/simulator` (the
//! demo's payment page): payment events, verified
//! over the raw body by the configured provider, stored in the inbox
//! (deduplicated on the provider's event id) before answering 2xx, and
//! applied to the order by the inbox processor.
//!
//! `/payment/return` is where the customer's browser lands after paying: it
//! says "payment received" only when the provider signed the return
//! (Razorpay); otherwise it sends them back to WhatsApp, where the bot
//! confirms once the webhook arrives — the webhook stays the truth.

use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use chrono::Utc;
use maud::{html, DOCTYPE};
use orderdesk_domain::PaymentMethod;
use orderdesk_engine::checkout::StoredPayment;
use orderdesk_payments::WebhookError;
use orderdesk_store::NewInbound;

use crate::error::{ApiError, ApiResult};
use crate::routes::{Auth, Routes};
use crate::AppState;

/// Provider webhooks are small; anything larger is not one.
const MAX_BYTES: usize = 1024 * 1024;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new()
        .post("/webhooks/razorpay", Auth::WebhookSignature, razorpay)
        .post("/webhooks/stripe", Auth::WebhookSignature, stripe)
        .post("/webhooks/simulator", Auth::WebhookSignature, simulator)
        .get("/payment/return", Auth::Public, payment_return)
}

async fn razorpay(state: State<AppState>, headers: HeaderMap, body: Body) -> ApiResult<StatusCode> {
    receive(state, PaymentMethod::Razorpay, headers, body).await
}

async fn stripe(state: State<AppState>, headers: HeaderMap, body: Body) -> ApiResult<StatusCode> {
    receive(state, PaymentMethod::Stripe, headers, body).await
}

async fn simulator(
    state: State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<StatusCode> {
    receive(state, PaymentMethod::Simulator, headers, body).await
}

async fn receive(
    State(state): State<AppState>,
    method: PaymentMethod,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<StatusCode> {
    let provider = state
        .engine
        .checkout()
        .and_then(|c| c.payments.clone())
        .filter(|p| p.method() == method)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "not_configured",
                format!(
                    "PAYMENTS_PROVIDER is not {} on this server",
                    method.as_str()
                ),
            )
        })?;
    let bytes = axum::body::to_bytes(body, MAX_BYTES).await.map_err(|_| {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            "payment webhooks are limited to 1 MB",
        )
    })?;
    // An HMAC over up to a megabyte: off the async workers, a few at a time.
    let now = Utc::now();
    let parsed = state
        .signature_checks
        .run(move || provider.parse_webhook(&headers, &bytes, now))
        .await?;
    let event = match parsed {
        Ok(Some(event)) => event,
        // Authentic but nothing we act on: 2xx so the provider stops retrying.
        Ok(None) => return Ok(StatusCode::OK),
        Err(e @ (WebhookError::BadSignature(_) | WebhookError::Expired { .. })) => {
            tracing::info!(error = %e, provider = method.as_str(), "payment webhook refused");
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "bad_signature",
                e.to_string(),
            ));
        }
        Err(e @ WebhookError::Malformed(_)) => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                e.to_string(),
            ))
        }
        Err(e) => {
            return Err(ApiError::new(
                StatusCode::NOT_FOUND,
                "not_supported",
                e.to_string(),
            ))
        }
    };
    let stored = StoredPayment::from_event(&event);
    let payload = serde_json::to_string(&stored).map_err(|e| {
        tracing::error!(error = %e, "cannot serialise a payment event");
        ApiError::internal()
    })?;
    let item = NewInbound {
        source: method.as_str().to_owned(),
        external_id: event.event_id.clone(),
        kind: orderdesk_domain::InboxKind::Payment(stored.kind.clone()).to_string(),
        customer_key: None,
        payload,
        received_at: Utc::now(),
    };
    state.engine.inbox().record(vec![item]).await?;
    Ok(StatusCode::OK)
}

async fn payment_return(
    State(state): State<AppState>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> impl IntoResponse {
    let paid = state
        .engine
        .checkout()
        .and_then(|c| c.payments.clone())
        .is_some_and(|p| p.verify_return(&pairs).is_paid());
    let message = if paid {
        "Payment received. Thank you!"
    } else {
        "Thank you. We will confirm your payment in WhatsApp."
    };
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Payment" }
            }
            body style="font-family: system-ui, sans-serif; margin: 2rem; font-size: 1.2rem" {
                p { (message) }
                p { "You can close this window and return to WhatsApp." }
            }
        }
    };
    (
        [
            ("cache-control", "no-store"),
            ("referrer-policy", "no-referrer"),
        ],
        page,
    )
}
