//! Pieces of HTML the dashboard pages share: the layout, the order card
//! and the payment indicator. Everything goes through maud, which escapes
//! it; `assets/dashboard.js` draws the same card from an event's JSON
//! (with `textContent`), so the two must stay in step.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use maud::{html, Markup, DOCTYPE};
use orderdesk_domain::{Local, Money, Order, PaymentIndicator, Timestamp};

use super::session::Staff;

pub struct Page<'a> {
    pub title: &'a str,
    pub staff: Option<&'a Staff>,
    pub body: Markup,
    /// The id of the last event the page reflects; the script subscribes
    /// to the stream from it.
    pub last_event_id: Option<i64>,
    /// Which page this is, for the script (`board`, `order`, …).
    pub page: &'a str,
}

pub fn layout(p: Page<'_>) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="same-origin";
                @if let Some(staff) = p.staff {
                    meta name="csrf-token" content=(staff.csrf);
                }
                title { (p.title) " · orderdesk" }
                link rel="stylesheet" href=(super::css_path());
                link rel="manifest" href="/assets/manifest.webmanifest";
                link rel="icon" href="/assets/icon.svg" type="image/svg+xml";
                link rel="apple-touch-icon" href="/assets/icon-192.png";
                meta name="theme-color" content="#12343b";
                script src=(super::js_path()) defer {}
            }
            body data-page=(p.page) data-last-event-id=[p.last_event_id] data-locale=[p.staff.map(|s| s.locale.as_str())] {
                a.skip href="#main" { "Skip to content" }
                @if let Some(staff) = p.staff {
                    header.top {
                        a.brand href="/orders" { "orderdesk" }
                        // Only pages that follow the live stream say whether
                        // they are connected; the others have nothing to say.
                        @if p.last_event_id.is_some() {
                            span #live.live aria-live="polite" title="Live updates" { "Connecting…" }
                        }
                        button #menu-toggle.menu-toggle.ghost type="button" aria-expanded="false" aria-controls="menu" { "Menu" }
                        div #menu.menu {
                            nav aria-label="Main" {
                                a href="/orders" { "Orders" }
                                a href="/inbox" { "Inbox" }
                                a href="/customers" { "Customers" }
                                a href="/payments" { "Payments" }
                                @if staff.can_manage() {
                                    a href="/users" { "Users" }
                                    a href="/tokens" { "API tokens" }
                                    a href="/settings" { "Settings" }
                                    a href="/setup" { "Setup" }
                                    a href="/insights" { "Insights" }
                                }
                            }
                            div.tools {
                                @if p.last_event_id.is_some() {
                                    button #mute.ghost type="button" aria-pressed="false" { "Sound on" }
                                    button #notify.ghost type="button" hidden { "Enable notifications" }
                                }
                                span.who { (staff.user.email) " (" (staff.user.role.as_str()) ")" }
                                form.inline method="post" action="/logout" data-confirm="Log out of orderdesk?" {
                                    input type="hidden" name="csrf" value=(staff.csrf);
                                    button.ghost type="submit" { "Log out" }
                                }
                            }
                        }
                    }
                }
                @if let Some(staff) = p.staff {
                    @if staff.can_manage() && staff.needs_setup && p.page != "setup" {
                        p #setup-banner.setup-banner role="status" {
                            "WhatsApp is not connected yet: customers' messages cannot reach you. "
                            a href="/setup" { "Connect your number" }
                        }
                    }
                }
                div #main tabindex="-1" { (p.body) }
                div #toasts.toasts aria-live="assertive" {}
            }
        }
    }
}

/// A staff page that does not follow the live stream, answered with
/// `status` (a form's page again says with it what was wrong).
pub fn staff_page(
    status: StatusCode,
    staff: &Staff,
    title: &str,
    page: &str,
    body: Markup,
) -> Response {
    let page = Page {
        title,
        staff: Some(staff),
        body,
        last_event_id: None,
        page,
    };
    (status, layout(page)).into_response()
}

/// A whole page with one message (errors, refusals).
pub fn message_page(title: &str, detail: &str) -> Markup {
    layout(Page {
        title,
        staff: None,
        body: html! {
            main.login {
                h1 { (title) }
                p { (detail) }
                p { a href="/orders" { "Back to the orders" } }
            }
        },
        last_event_id: None,
        page: "message",
    })
}

/// An amount of the order's currency, the way the business's locale writes it.
pub fn money(minor: i64, order: &Order, local: &Local) -> String {
    local.money(Money::from_minor(minor, order.currency))
}

/// A `<time>` in the business's zone and locale, machine-readable UTC in
/// `datetime`, the zone's abbreviation in `title`.
pub fn local_time(at: Timestamp, local: &Local) -> Markup {
    html! {
        time datetime=(at.to_rfc3339()) title=(local.date_time_zoned(at)) { (local.date_time(at)) }
    }
}

/// A `<time>` that reads "2 min ago" (a date once older than a day), the
/// exact time in the business's zone on hover (`title`), UTC in `datetime`.
pub fn relative_time(at: Timestamp, now: Timestamp, local: &Local) -> Markup {
    html! {
        time.age datetime=(at.to_rfc3339()) title=(local.date_time_zoned(at)) {
            (orderdesk_domain::local::relative(at, now, local))
        }
    }
}

/// What the indicator shows: class, label (`aria-label` and `title`),
/// glyph, by the domain's rule ([`PaymentIndicator`]).
pub fn payment_indicator(o: &Order) -> (&'static str, &'static str, &'static str) {
    let shown = PaymentIndicator::of(o);
    (shown.class(), shown.label(), shown.glyph())
}

pub fn payment_badge(o: &Order) -> Markup {
    let (class, label, glyph) = payment_indicator(o);
    html! {
        span class={"pay " (class)} role="img" aria-label=(label) title=(label) { (glyph) }
    }
}

pub fn items_summary(o: &Order) -> String {
    o.items
        .iter()
        .map(|i| format!("{} × {}", i.quantity, i.name))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn customer_name(o: &Order) -> String {
    o.customer
        .name
        .clone()
        .filter(|n| !n.trim().is_empty())
        .or_else(|| o.customer.wa_id.clone().map(|w| format!("+{w}")))
        .unwrap_or_else(|| "Unknown customer".to_owned())
}

pub fn place(o: &Order) -> Option<String> {
    o.address.as_ref().map(|a| {
        [a.city.as_str(), a.postal_code.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// One order card on the board. Mirrors `card()` in dashboard.js.
pub fn card(o: &Order, local: &Local) -> Markup {
    let now = Utc::now();
    html! {
        li.card id={"order-" (o.number)} data-number=(o.number) data-status=(o.status.as_str())
            data-payment=(o.payment_status.as_str()) {
            a.card-link href={"/orders/" (o.number)} {
                div.card-top {
                    span.num { "#" (o.number) }
                    (payment_badge(o))
                    span class={"stage stage-" (o.status.as_str())} { (o.status.label()) }
                }
                div.cust { (customer_name(o)) }
                div.items { (items_summary(o)) }
                @if let Some(place) = place(o) {
                    div.addr { "Deliver to " (place) }
                }
                @if let Some(note) = &o.note {
                    div.note { "✎ " (note) }
                }
                div.card-bottom {
                    span.total { (money(o.total_minor, o, local)) }
                    (relative_time(o.created_at, now, local))
                }
            }
        }
    }
}
