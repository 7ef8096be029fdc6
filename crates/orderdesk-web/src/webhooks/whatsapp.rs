//! `/webhooks/whatsapp`: Meta's verification handshake and event deliveries.
//!
//! A delivery is verified over its raw bytes, split into items, stored
//! durably (group commit), and only then answered 200. Processing happens
//! afterwards, so Meta gets its answer in milliseconds and a crash after the
//! answer loses nothing. Anything but 200 makes Meta retry for days, which is
//! what we want when storing failed (503), and harmless for a forgery (401).

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::Utc;
use orderdesk_engine::setup;
use orderdesk_store::{NewInbound, Recorded};
use orderdesk_whatsapp::{split_webhook, verify_signature, InboundItem};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::routes::{Auth, Routes};
use crate::AppState;

/// Meta sends at most about 3 MB per delivery.
pub const MAX_WEBHOOK_BYTES: usize = 3 * 1024 * 1024;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new()
        .get("/webhooks/whatsapp", Auth::VerifyToken, handshake)
        .post("/webhooks/whatsapp", Auth::WebhookSignature, receive)
}

#[derive(Debug, Deserialize)]
struct Handshake {
    #[serde(rename = "hub.mode")]
    mode: Option<String>,
    #[serde(rename = "hub.verify_token")]
    verify_token: Option<String>,
    #[serde(rename = "hub.challenge")]
    challenge: Option<String>,
}

/// Answers the challenge when the verify token matches ours.
async fn handshake(
    State(state): State<AppState>,
    ApiQuery(q): ApiQuery<Handshake>,
) -> ApiResult<String> {
    // The value in force, so a token the setup page stored works at once.
    let ours = live(
        &state,
        setup::VERIFY_TOKEN,
        &state.config.whatsapp_verify_token,
    )
    .ok_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "not_configured",
            "WHATSAPP_VERIFY_TOKEN is not set on this server",
        )
    })?;
    let theirs = q.verify_token.unwrap_or_default();
    let matches: bool = theirs.as_bytes().ct_eq(ours.as_bytes()).into();
    match (q.mode.as_deref(), matches, q.challenge) {
        (Some("subscribe"), true, Some(challenge)) => {
            // Only for the setup page's "webhook received": Meta gets its
            // answer even when this note cannot be written.
            if let Err(e) = setup::webhook_verified(state.engine.store().as_ref(), Utc::now()).await
            {
                tracing::warn!(error = %e, "cannot note the webhook handshake");
            }
            Ok(challenge)
        }
        _ => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "hub.mode must be 'subscribe' with the configured hub.verify_token and a hub.challenge",
        )),
    }
}

async fn receive(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<StatusCode> {
    let result = accept(&state, &headers, body).await;
    if result.is_err() {
        state.metrics.webhook_rejected();
    }
    result
}

async fn accept(state: &AppState, headers: &HeaderMap, body: Body) -> ApiResult<StatusCode> {
    let secret =
        live(state, setup::APP_SECRET, &state.config.whatsapp_app_secret).ok_or_else(|| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "not_configured",
                "WHATSAPP_APP_SECRET is not set on this server",
            )
        })?;
    let bytes = axum::body::to_bytes(body, MAX_WEBHOOK_BYTES)
        .await
        .map_err(|_| {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "payload_too_large",
                "webhook bodies are limited to 3 MB",
            )
        })?;
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // An HMAC and a JSON parse of up to 3 MB: off the async workers, a few
    // at a time.
    let items = state
        .signature_checks
        .run(move || verify_and_split(&secret, signature.as_deref(), &bytes))
        .await??;
    let received_at = Utc::now();
    let inbound: Vec<NewInbound> = items
        .into_iter()
        .map(|i| NewInbound {
            source: "whatsapp".to_owned(),
            external_id: i.external_id,
            kind: i.kind,
            customer_key: i.customer_key,
            payload: i.payload,
            received_at,
        })
        .collect();
    let recorded = state.engine.inbox().record(inbound).await?;
    let new = recorded
        .iter()
        .filter(|r| matches!(r, Recorded::New(_)))
        .count();
    state
        .metrics
        .webhook_accepted(new, recorded.len().saturating_sub(new));
    Ok(StatusCode::OK)
}

/// A WhatsApp setting in force: the live settings (environment, else what
/// the setup page stored), else what this server was started with.
fn live(state: &AppState, key: &str, at_start: &Option<String>) -> Option<String> {
    state
        .engine
        .settings()
        .value(key)
        .or_else(|| at_start.clone())
}

/// Checks the signature, then splits the delivery into items.
fn verify_and_split(
    secret: &str,
    signature: Option<&str>,
    bytes: &[u8],
) -> Result<Vec<InboundItem>, ApiError> {
    verify_signature(secret.as_bytes(), signature, bytes).map_err(|e| {
        tracing::info!(error = %e, "webhook refused: bad signature");
        ApiError::new(StatusCode::UNAUTHORIZED, "bad_signature", e.to_string())
    })?;
    Ok(split_webhook(bytes).unwrap_or_else(|e| {
        // Genuinely from Meta (the signature holds) but not a shape we read:
        // keep the raw body rather than lose it, and say so in the log.
        tracing::warn!(error = %e, "signed webhook we cannot read; stored raw");
        vec![InboundItem {
            external_id: format!("sha256:{}", hex::encode(Sha256::digest(bytes))),
            kind: "unparsed".to_owned(),
            customer_key: None,
            payload: String::from_utf8_lossy(bytes).into_owned(),
        }]
    }))
}
