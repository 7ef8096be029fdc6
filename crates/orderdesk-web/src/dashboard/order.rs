//! `/orders/{number}`: the order window. Items and totals, customer,
//! address, note, payment; the stage with only the moves legal now; one
//! timeline interleaving chat messages, payments, stage changes and staff
//! notes; the chat panel and internal notes.
//!
//! Each form is a plain POST answered with a redirect back to the window
//! (or, on failure, the window again with the reason and a 4xx status);
//! the script posts the same forms with `fetch()` and `Accept:
//! application/json` and redraws the window's live part in place.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use chrono::Utc;
use maud::{html, Markup};
use orderdesk_domain::{Local, Order, OrderNumber, OrderStatus, TransitionRequest};
use orderdesk_store::customer_key_of;
use serde::Deserialize;

use super::session::{redirect, refuse, wants_json, Staff, StaffForm};
use super::views::{
    customer_name, layout, local_time, money, payment_badge, payment_indicator, staff_page, Page,
};
use crate::api::orders::order_error;
use crate::error::ApiError;

mod timeline;
use crate::AppState;
pub(crate) use timeline::chat_message;
use timeline::{timeline_section, tracking};

pub async fn show(
    State(state): State<AppState>,
    staff: Staff,
    Path(number): Path<String>,
) -> Response {
    let Some(number) = OrderNumber::parse(&number) else {
        return not_found(&staff);
    };
    match window(&state, &staff, number, None, StatusCode::OK).await {
        Ok(r) => r,
        Err(e) if e.status == StatusCode::NOT_FOUND => not_found(&staff),
        Err(e) => e.into_response(),
    }
}

pub(super) fn not_found(staff: &Staff) -> Response {
    let body = html! {
        main.narrow {
            h1 { "No such order" }
            p { a href="/orders" { "Back to the orders" } }
        }
    };
    staff_page(
        StatusCode::NOT_FOUND,
        staff,
        "No such order",
        "message",
        body,
    )
}

/// The whole window, with `error` shown at the top when a form failed.
async fn window(
    state: &AppState,
    staff: &Staff,
    number: OrderNumber,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, ApiError> {
    let store = state.engine.store();
    let last_event_id = store.last_event_seq().await?;
    let order = state
        .engine
        .order_for(&staff.viewer(), number)
        .await
        .map_err(|e| order_error(e, number))?;
    let timeline = store.timeline(number).await?;
    let messages = store.messages_for_order(number).await?;
    let can_send_link = state.engine.can_send_links();
    let last_inbound = match customer_key_of(&order.customer) {
        Some(key) => store.customer(key).await?.and_then(|c| c.last_inbound_at),
        None => None,
    };
    let window_open = orderdesk_domain::service_window_open(last_inbound, Utc::now());
    let previews = super::moves::previews(&state.engine, &order, staff).await?;
    let catalog = store.products().await?;
    // Not held across an await: ICU's formatter data is not `Send`.
    let local = state.engine.settings().local();
    let title = format!("Order #{number}");
    let body = html! {
        main.order data-number=(number) {
            p.back { a href="/orders" { "← All orders" } }
            @if let Some(error) = error {
                p.alert role="alert" { (error) }
            }
            // On a phone the two columns are tabs (dashboard.css, .js).
            div.order-tabs role="tablist" aria-label="Order window" {
                button #tab-order type="button" role="tab" data-tab="order" aria-selected="true" aria-controls="order-live" { "Order" }
                button #tab-chat type="button" role="tab" data-tab="chat" aria-selected="false" aria-controls="order-live" { "Chat" }
            }
            div #order-live.order-grid {
                div.col {
                    (summary(&order, &local))
                    (super::moves::actions(&order, staff, &previews))
                    (payment_actions(&order, staff, can_send_link, &local))
                }
                div.col {
                    (timeline_section(&timeline, &messages, &local))
                    (chat_panel(&order, staff, window_open, last_inbound, &local))
                    (super::chat_products::picker(&order, staff, &catalog, window_open))
                }
            }
        }
    };
    Ok((
        status,
        layout(Page {
            title: &title,
            staff: Some(staff),
            body,
            last_event_id: Some(last_event_id),
            page: "order",
        }),
    )
        .into_response())
}

fn summary(o: &Order, local: &Local) -> Markup {
    let (_, pay_label, _) = payment_indicator(o);
    html! {
        section #order-summary.panel aria-labelledby="order-title" {
            div.order-head {
                h1 #order-title { "Order #" (o.number) }
                (payment_badge(o))
                span class={"stage stage-" (o.status.as_str())} #order-stage { (o.status.label()) }
                @if let Some(held) = o.held_from {
                    span.muted { " (held from " (held.label()) ")" }
                }
            }
            p.muted #order-placed { "Placed " (local_time(o.created_at, local)) }
            table.items {
                caption.visually-hidden { "Items" }
                thead { tr { th scope="col" { "Item" } th scope="col" .num { "Qty" } th scope="col" .num { "Price" } th scope="col" .num { "Total" } } }
                tbody {
                    @for i in &o.items {
                        tr {
                            td { (i.name) br; span.muted.small { (i.retailer_id) } }
                            td.num { (i.quantity) }
                            td.num { (money(i.unit_price_minor, o, local)) }
                            td.num { (money(i.unit_price_minor.saturating_mul(i.quantity), o, local)) }
                        }
                    }
                }
                (super::order_edit::totals(o, local))
            }
            (super::order_edit::edit_link(o))
            dl.facts {
                dt { "Customer" }
                dd #order-customer {
                    (customer_name(o))
                    @if let Some(wa) = &o.customer.wa_id { br; a href={"https://wa.me/" (wa)} rel="noopener noreferrer" { "+" (wa) } }
                }
                dt { "Delivery address" }
                dd #order-address {
                    @match &o.address {
                        Some(a) => {
                            (a.name) br;
                            (a.line1) br;
                            @if !a.line2.is_empty() { (a.line2) br; }
                            (a.city) @if !a.state.is_empty() { ", " (a.state) } " " (a.postal_code) br;
                            (a.country)
                            @if !a.phone.is_empty() { br; "☎ " (a.phone) }
                        }
                        None => span.muted { "Not given yet" },
                    }
                }
                @if let Some(typed) = &o.address_as_typed {
                    dt { "Address as typed" }
                    dd #order-address-typed {
                        pre.typed #address-typed { (typed) }
                        button.small #copy-address-typed type="button" data-copy="address-typed" { "Copy" }
                        " " span.small.muted #address-typed-status role="status" {}
                    }
                }
                dt { "Customer note" }
                dd #order-note { @match &o.note { Some(n) => (n), None => span.muted { "None" } } }
                @if let Some(t) = &o.cart_text {
                    dt { "Sent with the cart" }
                    dd #order-cart-text { (t) }
                }
                dt { "Payment" }
                dd #order-payment {
                    (pay_label)
                    @if o.payment_status == orderdesk_domain::PaymentStatus::Expired { " (link expired)" }
                    " · " (o.payment_method.map_or("method not chosen yet", |m| m.as_str()))
                    @if let Some(r) = &o.payment_reference { br; span.small { "Reference: " code { (r) } } }
                    @if let Some(review) = &o.payment_review { br; span.notice.small #payment-review { "Needs a look: " (review) } }
                }
                (super::followups::facts(o))
                @if let Some(t) = &o.tracking {
                    dt { "Tracking" }
                    dd #order-tracking { (tracking(t)) }
                }
                dt { "Checkout" }
                dd { (o.checkout_step.as_str().replace('_', " ")) }
            }
        }
    }
}

/// Staff payment actions the order's state allows; the engine has the
/// last word (and says why when it refuses).
fn payment_actions(o: &Order, staff: &Staff, can_send_link: bool, local: &Local) -> Markup {
    use orderdesk_domain::{allowed_payment_actions, PaymentActionKind, PaymentMethod};
    // The domain's rule, the one the engine enforces: offer nothing it refuses.
    let allowed = allowed_payment_actions(o, can_send_link);
    let mark_paid = allowed.contains(&PaymentActionKind::MarkPaid);
    let send_link = allowed.contains(&PaymentActionKind::SendLink);
    let refund = allowed.contains(&PaymentActionKind::Refund);
    let cod = o.payment_method == Some(PaymentMethod::Cod);
    html! {
        @if mark_paid || send_link || refund || o.invoice_number.is_some() {
            section #payment-actions.panel aria-labelledby="payment-actions-title" {
                h2 #payment-actions-title { "Payment" }
                (super::invoice::download(o, local))
                div.actions {
                    @if mark_paid {
                        form.action.js-enhance method="post" action={"/orders/" (o.number) "/payment"} data-payment-action="mark_paid" {
                            input type="hidden" name="csrf" value=(staff.csrf);
                            input type="hidden" name="action" value="mark_paid";
                            input type="hidden" name="version" value=(o.version);
                            label for="pay-mark-reason" { @if cod { "Note (optional)" } @else { "UPI or bank reference" } }
                            input #pay-mark-reason type="text" name="reason" maxlength="500" required[!cod]
                                placeholder=(if cod { "cash received" } else { "UTR 4123…" });
                            button.primary type="submit" { "Mark paid" }
                        }
                    }
                    @if send_link {
                        form.action.js-enhance method="post" action={"/orders/" (o.number) "/payment"} data-payment-action="send_link" {
                            input type="hidden" name="csrf" value=(staff.csrf);
                            input type="hidden" name="action" value="send_link";
                            input type="hidden" name="version" value=(o.version);
                            button type="submit" { "Send a fresh payment link" }
                        }
                    }
                    @if refund {
                        (super::refund::refund_dialog(o, staff, local))
                    }
                }
            }
        }
    }
}

fn chat_panel(
    o: &Order,
    staff: &Staff,
    window_open: bool,
    last_inbound: Option<chrono::DateTime<Utc>>,
    local: &Local,
) -> Markup {
    html! {
        section #chat.panel aria-labelledby="chat-title" {
            h2 #chat-title { "Reply on WhatsApp" }
            @if window_open {
                @if let Some(closes) = orderdesk_domain::service_window_closes(last_inbound) {
                    p.muted.small #window-state { "Free replies possible until " (local.date_time_zoned(closes)) "." }
                }
            } @else {
                p.notice #window-state {
                    "The customer last wrote more than 24 hours ago (or never), so WhatsApp only allows approved templates now. "
                    "Stage updates still reach them through the templates configured for each stage; a free-text reply will be refused until they write again."
                }
            }
            form.js-enhance #reply-form method="post" action={"/orders/" (o.number) "/messages"} {
                input type="hidden" name="csrf" value=(staff.csrf);
                label for="reply-text" { "Message to " (customer_name(o)) }
                textarea #reply-text name="text" rows="3" maxlength="4096" required {}
                button.primary type="submit" { "Send" }
            }
            form.js-enhance #note-form method="post" action={"/orders/" (o.number) "/notes"} {
                input type="hidden" name="csrf" value=(staff.csrf);
                label for="note-text" { "Internal note (staff only, never sent)" }
                textarea #note-text name="text" rows="2" maxlength="4000" required {}
                button type="submit" { "Add note" }
            }
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct StatusForm {
    to: String,
    reason: String,
    /// An internal note made with the move; never sent to the customer.
    note: String,
    tracking: String,
    version: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PaymentForm {
    action: String,
    reason: String,
    /// A refund's amount in major units (`200.00`); empty: all that is left.
    amount: String,
    version: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TextForm {
    text: String,
}

/// After a form: back to the window, or `{"ok": true}` for a `fetch()`.
pub(super) async fn done<T>(
    state: &AppState,
    f: &StaffForm<T>,
    number: OrderNumber,
    result: Result<(), ApiError>,
) -> Response {
    let (staff, headers) = (&f.staff, &f.headers);
    match result {
        Ok(()) if wants_json(headers) => Json(serde_json::json!({ "ok": true })).into_response(),
        Ok(()) => redirect(&format!("/orders/{number}")),
        Err(e) if wants_json(headers) => e.into_response(),
        Err(e) if e.status == StatusCode::NOT_FOUND => not_found(staff),
        Err(e) => {
            let message = sentence(&e.message);
            window(state, staff, number, Some(&message), e.status)
                .await
                .unwrap_or_else(IntoResponse::into_response)
        }
    }
}

pub(super) fn sentence(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The order a form acts on: one this staff member may see (else 404,
/// before anything is done).
pub(super) async fn parse<T>(
    state: &AppState,
    f: &StaffForm<T>,
    number: &str,
) -> Result<OrderNumber, Response> {
    let (staff, headers) = (&f.staff, &f.headers);
    let absent = || {
        if wants_json(headers) {
            refuse(
                headers,
                StatusCode::NOT_FOUND,
                "No such order",
                "no such order",
            )
        } else {
            not_found(staff)
        }
    };
    let number = OrderNumber::parse(number).ok_or_else(absent)?;
    match state.engine.order_for(&staff.viewer(), number).await {
        Ok(_) => Ok(number),
        Err(orderdesk_engine::EngineError::Store(orderdesk_store::StoreError::NotFound)) => {
            Err(absent())
        }
        Err(e) => Err(order_error(e, number).into_response()),
    }
}

pub async fn change_status(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: StaffForm<StatusForm>,
) -> Result<Response, Response> {
    let number = parse(&state, &f, &number).await?;
    let result = async {
        let to = OrderStatus::parse(f.form.to.trim()).ok_or_else(|| {
            ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid_request",
                "that is not a stage",
            )
        })?;
        let non_empty = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
        let req = TransitionRequest {
            to,
            actor: f.staff.actor(),
            reason: non_empty(&f.form.reason),
            tracking: non_empty(&f.form.tracking),
        };
        let version = f.form.version.trim().parse::<i64>().ok();
        state
            .engine
            .change_status_noted(number, req, version, Some(&f.form.note))
            .await
            .map_err(|e| order_error(e, number))?;
        Ok(())
    }
    .await;
    Ok(done(&state, &f, number, result).await)
}

pub async fn payment_action(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: StaffForm<PaymentForm>,
) -> Result<Response, Response> {
    use orderdesk_engine::payments::PaymentAction;
    let number = parse(&state, &f, &number).await?;
    let reason = Some(f.form.reason.trim().to_owned()).filter(|r| !r.is_empty());
    let amount_minor = match super::refund::amount_minor(&state, number, &f.form.amount).await {
        Ok(a) => a,
        Err(e) => return Ok(done(&state, &f, number, Err(e)).await),
    };
    let action = match f.form.action.trim() {
        "mark_paid" => Some(PaymentAction::MarkPaid { reason }),
        "send_link" => Some(PaymentAction::SendLink),
        "refund" => Some(PaymentAction::Refund {
            reason,
            amount_minor,
        }),
        _ => None,
    };
    let result = match action {
        None => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_request",
            "that is not a payment action",
        )),
        Some(action) => state
            .engine
            .payment_action(
                number,
                action,
                f.staff.actor(),
                f.form.version.trim().parse().ok(),
            )
            .await
            .map(|_| ())
            .map_err(|e| order_error(e, number)),
    };
    Ok(done(&state, &f, number, result).await)
}

pub async fn send_message(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: StaffForm<TextForm>,
) -> Result<Response, Response> {
    let number = parse(&state, &f, &number).await?;
    let result = crate::api::messages::send_reply(&state, number, f.form.text.clone())
        .await
        .map(|_| ());
    Ok(done(&state, &f, number, result).await)
}

pub async fn add_note(
    State(state): State<AppState>,
    Path(number): Path<String>,
    f: StaffForm<TextForm>,
) -> Result<Response, Response> {
    let number = parse(&state, &f, &number).await?;
    let result = state
        .engine
        .add_staff_note(number, f.staff.actor(), &f.form.text)
        .await
        .map(|_| ())
        .map_err(|e| order_error(e, number));
    Ok(done(&state, &f, number, result).await)
}
