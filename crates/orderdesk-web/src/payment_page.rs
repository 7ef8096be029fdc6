//! Payment pages orderdesk serves itself.
//!
//! `GET /pay/upi/{token}` (`PAYMENTS_PROVIDER=upi`): WhatsApp opens only web
//! links, so the bot's "Pay now" button leads here, and this page offers the
//! `upi://pay` link to the phone's UPI apps, with the payee and amount to
//! type in by hand. The token is the address form's (signed, names one
//! order, expires). Nobody reports a UPI payment, so the page says the shop
//! will confirm it; staff mark the order paid.
//!
//! `GET/POST /simulator/pay/{reference}` is the payment simulator's hosted
//! page (`PAYMENTS_PROVIDER=simulator`, the demo's default).
//!
//! It stands where a provider's checkout page would: the customer opens it
//! from the bot's payment link, sees the order and the amount, and presses
//! "Pay" or "Fail". The press is turned into a signed webhook and delivered
//! over HTTP to this server's own `POST /webhooks/simulator`, so the order
//! is marked paid by exactly the path a real provider's event takes
//! (signature check, inbox, dedupe, processor, checkout machine). The link
//! is signed by the provider; an altered one is a 404.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use maud::html;
use orderdesk_domain::{Money, PaymentStatus};
use orderdesk_engine::form_token::TokenError;
use orderdesk_payments::simulator::{self, SimulatedOutcome, SimulatedPayment, SimulatorProvider};
use orderdesk_payments::{PaymentRequest, ReferenceId};
use serde::Deserialize;

use crate::address_form::{layout, message_page, order_summary, page, protect};
use crate::routes::{Auth, Routes};
use crate::AppState;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new()
        .get("/simulator/pay/{reference}", Auth::SignedLink, show)
        .post("/simulator/pay/{reference}", Auth::SignedLink, press)
        .get("/pay/upi/{token}", Auth::SignedLink, upi_page)
        .wrap(protect)
}

async fn upi_page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let Some(checkout) = state.engine.checkout() else {
        return not_found();
    };
    let Some(upi) = checkout.payments.as_ref().and_then(|p| p.upi()) else {
        return not_found();
    };
    let now = chrono::Utc::now();
    let number = match checkout.tokens.verify(&token, now) {
        Ok(number) => number,
        Err(TokenError::Expired { .. }) => {
            return page(
                StatusCode::GONE,
                message_page(
                    "This payment link has expired",
                    "Please ask the shop for a new one in WhatsApp.",
                ),
            )
        }
        Err(TokenError::Invalid) => return not_found(),
    };
    let Ok(order) = state.engine.store().order(number).await else {
        return not_found();
    };
    let local = state.engine.settings().local();
    let amount = Money::from_minor(order.total_minor, order.currency);
    let shown = local.money(amount);
    let attempt = order
        .payment_reference
        .as_deref()
        .and_then(ReferenceId::parse)
        .filter(|r| r.order_number == number)
        .map_or(1, |r| r.attempt);
    let request = PaymentRequest {
        order_number: number,
        attempt,
        amount,
        description: format!("Order #{number}"),
        customer_name: None,
        customer_phone: None,
        customer_email: None,
        callback_url: None,
        cancel_url: None,
        expires_at: now,
    };
    let link = upi.deep_link(&request).ok();
    let body = html! {
        h1 { "Pay with UPI" }
        (order_summary(&order, &local))
        @match (order.payment_status, link) {
            (PaymentStatus::Paid, _) => div.card { p { "This order is paid. Thank you!" } },
            (_, Some(link)) => section.card aria-label="Pay" {
                p.total { span { "To pay" } span { (shown) } }
                p { a.button href=(link) { "Open a UPI app" } }
                p.hint { "Or pay " (shown) " to " strong { (upi.config().vpa) } " (" (upi.config().payee_name) ") with the note Order #" (number) "." }
                p { "The shop confirms your payment in WhatsApp once it arrives." }
            },
            (_, None) => div.card { p { "This order cannot be paid with UPI. Please ask the shop in WhatsApp." } },
        }
    };
    page(StatusCode::OK, layout("Pay with UPI", body))
}

#[derive(Debug, Deserialize)]
struct Pressed {
    outcome: String,
}

/// The simulator provider, when it is the configured one.
fn provider(state: &AppState) -> Option<(SimulatorProvider, String)> {
    let checkout = state.engine.checkout()?;
    let payments = checkout.payments.clone()?;
    let provider = payments.simulator()?.clone();
    Some((provider, checkout.public_url.clone()))
}

fn not_found() -> Response {
    page(
        StatusCode::NOT_FOUND,
        message_page(
            "This payment link is not valid",
            "Please use the latest payment link from your WhatsApp chat.",
        ),
    )
}

async fn show(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let Some((provider, _)) = provider(&state) else {
        return not_found();
    };
    let Some(payment) = provider.verify_page(&reference, &query) else {
        return not_found();
    };
    let Ok(order) = state
        .engine
        .store()
        .order(payment.reference_id.order_number)
        .await
    else {
        return not_found();
    };
    let action = format!(
        "/simulator/pay/{}?{}",
        payment.reference,
        query
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("&")
    );
    let local = state.engine.settings().local();
    let amount = local.money(payment.amount);
    let body = html! {
        h1 { "Payment simulator" }
        p.hint { "No money moves: this page stands in for a payment provider's checkout." }
        (order_summary(&order, &local))
        @if order.payment_status == PaymentStatus::Paid {
            div.card { p { "This order is already paid. Thank you!" } }
        } @else {
            section.card aria-label="Pay" {
                p.total { span { "To pay" } span { (amount) } }
                form method="post" action=(action) {
                    button type="submit" name="outcome" value="pay" { "Pay " (amount) }
                    button.secondary type="submit" name="outcome" value="fail" { "Fail" }
                }
            }
        }
    };
    page(StatusCode::OK, layout("Pay for your order", body))
}

async fn press(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    Query(query): Query<Vec<(String, String)>>,
    Form(pressed): Form<Pressed>,
) -> Response {
    let Some((provider, public_url)) = provider(&state) else {
        return not_found();
    };
    let Some(payment) = provider.verify_page(&reference, &query) else {
        return not_found();
    };
    let outcome = match pressed.outcome.as_str() {
        "pay" => SimulatedOutcome::Pay,
        "fail" => SimulatedOutcome::Fail,
        _ => {
            return page(
                StatusCode::UNPROCESSABLE_ENTITY,
                message_page(
                    "Please press Pay or Fail",
                    "Go back and press one of the buttons.",
                ),
            )
        }
    };
    if let Err(e) = deliver(&provider, &payment, outcome, &public_url).await {
        tracing::warn!(error = %e, "the payment simulator could not deliver its webhook");
        return page(
            StatusCode::BAD_GATEWAY,
            message_page(
                "The payment could not be reported",
                "The simulator could not reach the shop's server. Please go back and try again.",
            ),
        );
    }
    let (title, detail) = match outcome {
        SimulatedOutcome::Pay => (
            "Payment received. Thank you!",
            "You can close this window and return to WhatsApp.",
        ),
        SimulatedOutcome::Fail => (
            "The payment failed",
            "Nothing was charged. Return to WhatsApp for a new payment link.",
        ),
    };
    page(StatusCode::OK, message_page(title, detail))
}

/// Sends the webhook as the provider would: over HTTP, to the public URL,
/// signed; a non-2xx answer is an error (a real provider would retry).
async fn deliver(
    provider: &SimulatorProvider,
    payment: &SimulatedPayment,
    outcome: SimulatedOutcome,
    public_url: &str,
) -> Result<(), String> {
    let event_id = format!("simevt_{}", uuid::Uuid::new_v4().simple());
    let (body, signature) = provider.webhook(payment, outcome, &event_id, chrono::Utc::now());
    let response = reqwest::Client::new()
        .post(format!(
            "{}/webhooks/simulator",
            public_url.trim_end_matches('/')
        ))
        .header(simulator::SIGNATURE_HEADER, signature)
        .header("content-type", "application/json")
        .timeout(std::time::Duration::from_secs(10))
        .body(body)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    if response.status().is_success() {
        Ok(())
    } else {
        Err(format!("the webhook was answered {}", response.status()))
    }
}
