//! The address form's pages: the shared layout and its stylesheet, the
//! fields per country, the form, thank-you, locked and expired pages, and
//! the headers that keep the token out of caches and other sites.

use std::sync::LazyLock;

use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use orderdesk_domain::{Address, AddressProblem, Local, Money, Order, OrderNumber, OrderStatus};
use orderdesk_engine::AddressLock;
use sha2::{Digest, Sha256};

pub(crate) fn page(status: StatusCode, body: Markup) -> Response {
    (status, body).into_response()
}

/// The token is in the URL, so no cache may keep these pages and no other
/// site may learn the URL through `Referer` or frame the form.
pub(super) async fn page_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(CONTENT_SECURITY_POLICY, CSP.clone());
    headers.insert(
        HeaderName::from_static("x-robots-tag"),
        HeaderValue::from_static("noindex, nofollow"),
    );
    response
}

/// No scripts at all; the one stylesheet allowed by its hash rather than
/// `'unsafe-inline'`, so injected markup could not even restyle the page.
pub(super) static CSP: LazyLock<HeaderValue> = LazyLock::new(|| {
    let hash = base64::engine::general_purpose::STANDARD.encode(Sha256::digest(STYLE));
    let policy = format!(
        "default-src 'none'; style-src 'sha256-{hash}'; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'"
    );
    HeaderValue::try_from(policy).unwrap_or_else(|_| {
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; \
             frame-ancestors 'none'; base-uri 'none'",
        )
    })
});

/// Mobile first: one column, 16px inputs (smaller ones make iOS zoom in),
/// tap targets of at least 48px. No `>` anywhere: it is emitted unescaped.
pub(super) const STYLE: &str = "\
*{box-sizing:border-box}\
body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1b1b1b;background:#f3f4f6}\
main{max-width:34rem;margin:0 auto;padding:1rem}\
h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 1rem}\
h2{font-size:1.1rem;margin:0 0 .5rem}\
a{color:#0b57d0}\
.card{background:#fff;border-radius:.75rem;padding:1rem;margin:0 0 1rem;box-shadow:0 1px 3px rgba(0,0,0,.1)}\
.items{list-style:none;margin:0;padding:0}\
.items li{display:flex;justify-content:space-between;gap:1rem;padding:.35rem 0;border-bottom:1px solid #e5e7eb}\
.item-name{overflow-wrap:anywhere}\
.qty{white-space:nowrap;color:#444}\
.total{display:flex;justify-content:space-between;font-weight:700;margin:.5rem 0 0}\
.field{margin:0 0 1.1rem}\
label{display:block;font-weight:600;margin:0 0 .25rem}\
.optional{font-weight:400;color:#555}\
.hint{margin:0 0 .25rem;color:#555;font-size:.9rem}\
.placed{margin:0 0 .4rem;color:#555;font-size:.9rem}\
input{display:block;width:100%;min-height:48px;padding:.6rem .75rem;font:inherit;border:1px solid #8a8f98;border-radius:.5rem;background:#fff;color:inherit}\
input:focus{outline:3px solid #7aa7ff;outline-offset:1px}\
.invalid input{border:2px solid #b3261e}\
.error{color:#b3261e;font-weight:600;margin:0 0 .25rem}\
.summary{border:2px solid #b3261e}\
.summary ul{margin:0;padding-left:1.25rem}\
button{display:block;width:100%;min-height:52px;margin:1.5rem 0 .5rem;padding:.75rem;font:inherit;font-size:1.1rem;font-weight:700;color:#fff;background:#0f7b45;border:0;border-radius:.5rem}\
button:focus{outline:3px solid #7aa7ff;outline-offset:2px}\
button.secondary{background:#b3261e;margin-top:.5rem}\
a.button{display:block;text-align:center;min-height:52px;padding:.9rem;font-weight:700;color:#fff;background:#0f7b45;border-radius:.5rem;text-decoration:none}\
.address p{margin:0;overflow-wrap:anywhere}\
@media (min-width:40rem){main{padding:2rem 1rem}}";

pub(crate) fn layout(title: &str, content: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                meta name="robots" content="noindex, nofollow";
                title { (title) }
                // Our own constant, never data: escaping would break the CSS.
                style { (PreEscaped(STYLE)) }
            }
            body {
                main { (content) }
            }
        }
    }
}

/// One input of the form.
pub(super) struct Field {
    name: &'static str,
    label: &'static str,
    hint: Option<&'static str>,
    autocomplete: &'static str,
    input_type: &'static str,
    inputmode: Option<&'static str>,
    required: bool,
    maxlength: usize,
}

/// The form's fields, in order. `postal_code`'s label and keyboard depend
/// on the country, so they are filled in by [`fields`].
pub(super) fn fields(country: &str) -> [Field; 8] {
    let (postal_label, postal_mode) = match country {
        "IN" => ("PIN code", "numeric"),
        "US" => ("ZIP code", "numeric"),
        "GB" => ("Postcode", "text"),
        _ => ("Postal code", "text"),
    };
    let text = |name, label, hint, autocomplete, required, maxlength| Field {
        name,
        label,
        hint,
        autocomplete,
        input_type: "text",
        inputmode: None,
        required,
        maxlength,
    };
    [
        text("name", "Full name", None, "name", true, 100),
        Field {
            name: "phone",
            label: "Phone number",
            hint: Some("The courier may call this number."),
            autocomplete: "tel",
            input_type: "tel",
            inputmode: Some("tel"),
            required: true,
            maxlength: 30,
        },
        text(
            "line1",
            "Address line 1",
            Some("House or flat number, building, street"),
            "address-line1",
            true,
            200,
        ),
        text(
            "line2",
            "Address line 2",
            Some("Area, landmark"),
            "address-line2",
            false,
            200,
        ),
        text("city", "Town or city", None, "address-level2", true, 100),
        text(
            "state",
            "State, province or region",
            None,
            "address-level1",
            false,
            100,
        ),
        Field {
            name: "postal_code",
            label: postal_label,
            hint: None,
            autocomplete: "postal-code",
            input_type: "text",
            inputmode: Some(postal_mode),
            required: false,
            maxlength: 12,
        },
        text(
            "country",
            "Country",
            Some("Its name, or a two-letter code like IN"),
            "country",
            true,
            60,
        ),
    ]
}

pub(super) fn value_of<'a>(address: &'a Address, field: &str) -> &'a str {
    match field {
        "name" => &address.name,
        "phone" => &address.phone,
        "line1" => &address.line1,
        "line2" => &address.line2,
        "city" => &address.city,
        "state" => &address.state,
        "postal_code" => &address.postal_code,
        "country" => &address.country,
        _ => "",
    }
}

/// The editable form with `values` filled in and each problem shown next
/// to its field.
pub fn form_page(
    order: &Order,
    local: &Local,
    values: &Address,
    problems: &[AddressProblem],
) -> Markup {
    let fields = fields(&values.country);
    let label_of = |name: &'static str| -> &'static str {
        fields
            .iter()
            .find(|f| f.name == name)
            .map_or(name, |f| f.label)
    };
    let title = if problems.is_empty() {
        "Delivery address"
    } else {
        "Please check your address"
    };
    layout(
        title,
        html! {
            h1 { "Where should we deliver order #" (order.number) "?" }
            (order_summary(order, local))
            @if !problems.is_empty() {
                div.card.summary role="alert" {
                    h2 { "Please check these fields" }
                    ul {
                        @for p in problems {
                            li { a href={ "#" (p.field) } { (label_of(p.field)) ": " (p.message) } }
                        }
                    }
                }
            }
            // No `action`: the form posts back to this URL, token included,
            // so the page never has to repeat the token.
            form.card method="post" accept-charset="utf-8" {
                @for f in &fields {
                    @let problem = problems.iter().find(|p| p.field == f.name);
                    @let hint_id = f.hint.map(|_| format!("{}-hint", f.name));
                    @let error_id = problem.map(|_| format!("{}-error", f.name));
                    @let described = [hint_id.as_deref(), error_id.as_deref()]
                        .into_iter().flatten().collect::<Vec<_>>().join(" ");
                    div.field.invalid[problem.is_some()] {
                        label for=(f.name) {
                            (f.label)
                            @if !f.required && f.name != "postal_code" {
                                " " span.optional { "(optional)" }
                            }
                        }
                        @if let (Some(hint), Some(id)) = (f.hint, &hint_id) {
                            p.hint id=(id) { (hint) }
                        }
                        @if let (Some(p), Some(id)) = (problem, &error_id) {
                            p.error id=(id) { (p.message) }
                        }
                        input
                            type=(f.input_type)
                            id=(f.name)
                            name=(f.name)
                            value=(value_of(values, f.name))
                            autocomplete=(f.autocomplete)
                            inputmode=[f.inputmode]
                            autocapitalize=[(f.name == "postal_code").then_some("characters")]
                            maxlength=(f.maxlength)
                            required[f.required]
                            aria-invalid=[problem.map(|_| "true")]
                            aria-describedby=[(!described.is_empty()).then_some(&described)];
                    }
                }
                button type="submit" { "Save address" }
            }
        },
    )
}

/// After a successful save.
pub fn saved_page(order: &Order, local: &Local) -> Markup {
    layout(
        "Address saved",
        html! {
            h1 { "Thank you!" }
            div.card {
                p { "Your delivery address for order #" (order.number) " is saved." }
                p { strong { "You can close this window and return to WhatsApp." } }
            }
            @if let Some(address) = &order.address {
                div.card {
                    h2 { "We will deliver to" }
                    (address_block(address))
                }
            }
            (order_summary(order, local))
            p { "Spotted a mistake? " a href="" { "Open the form again" } "." }
        },
    )
}

/// The read-only view once the address can no longer be changed, saying
/// why: an order that is over says so first.
pub fn locked_page(order: &Order, local: &Local, lock: AddressLock) -> Markup {
    let closed = match lock {
        AddressLock::Closed(status) => Some(closed_sentence(order.number, status)),
        AddressLock::Fixed => None,
    };
    layout(
        "Delivery address",
        html! {
            h1 { "Delivery address for order #" (order.number) }
            @if let Some(closed) = &closed {
                div.card #order-closed {
                    p { strong { (closed) } }
                    p { "There is nothing to do on this page. If you have a question, write to us in the WhatsApp chat." }
                }
            }
            div.card {
                @match &order.address {
                    Some(address) => {
                        h2 { "We will deliver to" }
                        (address_block(address))
                    }
                    None => {
                        p { "No delivery address was given for this order." }
                    }
                }
            }
            @if closed.is_none() {
                div.card {
                    p {
                        strong { "The address can no longer be changed here." }
                        " If something is wrong, tell us in the WhatsApp chat."
                    }
                }
            }
            (order_summary(order, local))
        },
    )
}

/// What the customer reads about an order that is over.
fn closed_sentence(number: OrderNumber, status: OrderStatus) -> String {
    match status {
        OrderStatus::Cancelled => format!("Order #{number} was cancelled."),
        OrderStatus::Rejected => format!("Order #{number} could not be fulfilled and is closed."),
        OrderStatus::Returned => format!("Order #{number} was returned."),
        OrderStatus::Abandoned => format!("Order #{number} was not completed and is closed."),
        _ => format!("Order #{number} is closed."),
    }
}

/// A genuine link, but too old.
pub fn expired_page(number: OrderNumber) -> Markup {
    layout(
        "This link has expired",
        html! {
            h1 { "This link has expired" }
            div.card {
                p { "For your safety, address links only work for a few days." }
                p {
                    "Please send us a message in WhatsApp asking for a new link for order #"
                    (number) ", and we will send you one."
                }
            }
        },
    )
}

pub(crate) fn message_page(title: &str, detail: &str) -> Markup {
    layout(
        title,
        html! {
            h1 { (title) }
            div.card { p { (detail) } }
        },
    )
}

/// The order's lines and total, amounts in the business's locale
/// (`₹3,097.00`).
pub(crate) fn order_summary(order: &Order, local: &Local) -> Markup {
    html! {
        section.card aria-label="Your order" {
            h2 { "Order #" (order.number) }
            p.placed { "Placed " (local.date_time_zoned(order.created_at)) }
            ul.items {
                @for item in &order.items {
                    li {
                        span.item-name { (item.name) }
                        span.qty {
                            (item.quantity) " × "
                            (local.money(Money::from_minor(item.unit_price_minor, order.currency)))
                        }
                    }
                }
            }
            p.total {
                span { "Total" }
                span { (local.money(Money::from_minor(order.total_minor, order.currency))) }
            }
        }
    }
}

pub(super) fn address_block(address: &Address) -> Markup {
    let place = [
        address.city.as_str(),
        address.state.as_str(),
        address.postal_code.as_str(),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(", ");
    html! {
        div.address {
            p { (address.name) }
            p { (address.line1) }
            @if !address.line2.is_empty() { p { (address.line2) } }
            p { (place) }
            p { (address.country_name().unwrap_or(&address.country)) }
            p { "Phone: " (address.phone) }
        }
    }
}
