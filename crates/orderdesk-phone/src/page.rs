//! `GET /phone`: the customer's phone, a WhatsApp-like chat with the
//! business. The page is a static shell; `phone.js` fills it from the JSON
//! API (see [`crate::api`]) and renders every customer or business text
//! with `textContent`. The Content-Security-Policy allows only this
//! origin's own script, style, images and API: no inline script or style.

use axum::extract::{Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup, DOCTYPE};

use crate::Simulator;

const CSS: &str = include_str!("../static/phone.css");
const JS: &str = include_str!("../static/phone.js");

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
    connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

pub(crate) fn routes() -> Router<Simulator> {
    Router::new()
        .route("/phone", get(phone))
        .route("/simulator/static/phone.css", get(css))
        .route("/simulator/static/phone.js", get(js))
        .route("/simulator/images/{file}", get(image))
}

fn with_headers(mut response: Response, content_type: &'static str) -> Response {
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

async fn phone(State(sim): State<Simulator>) -> Response {
    let mut response = with_headers(
        page(&sim.settings().business_name).into_response(),
        "text/html; charset=utf-8",
    );
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    response
}

async fn css() -> Response {
    with_headers(CSS.into_response(), "text/css; charset=utf-8")
}

async fn js() -> Response {
    with_headers(JS.into_response(), "text/javascript; charset=utf-8")
}

async fn image(State(sim): State<Simulator>, Path(file): Path<String>) -> Response {
    let product = file
        .strip_suffix(".svg")
        .and_then(|id| sim.catalog().iter().find(|p| p.retailer_id == id));
    match product {
        Some(p) => {
            let mut response = with_headers(
                crate::images::product_svg(p).into_response(),
                "image/svg+xml",
            );
            response.headers_mut().insert(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'"),
            );
            response
        }
        None => (StatusCode::NOT_FOUND, "no such product image").into_response(),
    }
}

/// The shell; `data-test` attributes are the hooks browser tests use
/// (listed at the top of phone.js).
fn page(business: &str) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { "Phone · WhatsApp simulator" }
                link rel="stylesheet" href="/simulator/static/phone.css";
                script src="/simulator/static/phone.js" defer {}
            }
            body {
                main.phone data-test="phone" {
                    header.bar {
                        button.icon type="button" data-test="customers-open" aria-label="Switch customer" { "☰" }
                        div.avatar aria-hidden="true" { (business.chars().next().unwrap_or('B')) }
                        div.who {
                            div.name data-test="business-name" { (business) }
                            div.sub { "as " span data-test="current-customer" { "…" } }
                        }
                        button.icon type="button" data-test="catalog-open" aria-label="View catalog" title="Catalog" { (store_icon()) }
                    }
                    section.thread #thread data-test="thread" aria-live="polite" {}
                    form.composer #composer data-test="composer" {
                        button.icon type="button" data-test="catalog-open-composer" aria-label="View catalog" title="Catalog" { (cart_icon()) }
                        input #text type="text" data-test="text-input" placeholder="Message" autocomplete="off" maxlength="4096";
                        button.send type="submit" data-test="send-text" aria-label="Send" { "➤" }
                    }
                    section.sheet #catalog data-test="catalog" hidden {
                        header.sheet-bar {
                            button.icon type="button" data-test="catalog-close" aria-label="Close" { "←" }
                            div.name { (business) " · Catalog" }
                        }
                        div.products #products {}
                        footer.cart-bar #cart-bar hidden {
                            button.view-cart type="button" data-test="cart-open" { "View cart" }
                        }
                    }
                    section.sheet #cart data-test="cart" hidden {
                        header.sheet-bar {
                            button.icon type="button" data-test="cart-close" aria-label="Back" { "←" }
                            div.name { "Your cart" }
                        }
                        ul.cart-lines #cart-lines {}
                        div.cart-total #cart-total data-test="cart-total" {}
                        form.cart-send #cart-form {
                            input #cart-text type="text" data-test="cart-text" placeholder="Add a message (optional)" maxlength="1000";
                            button.primary type="submit" data-test="send-cart" { "Send to business" }
                        }
                    }
                    section.sheet #customers data-test="customers" hidden {
                        header.sheet-bar {
                            button.icon type="button" data-test="customers-close" aria-label="Close" { "←" }
                            div.name { "Customers" }
                        }
                        ul.customer-list #customer-list {}
                        form.add-customer #add-customer data-test="add-customer" {
                            input #new-name type="text" data-test="new-customer-name" placeholder="Name" required maxlength="60";
                            input #new-phone type="tel" data-test="new-customer-phone" placeholder="Phone, e.g. +91 98123 45601" required;
                            button.primary type="submit" data-test="add-customer-submit" { "Add customer" }
                            p.error #add-error data-test="add-customer-error" {}
                        }
                    }
                    section.sheet #address-sheet data-test="address-sheet" hidden {
                        header.sheet-bar {
                            button.icon type="button" data-test="address-close" aria-label="Close" { "×" }
                            div.name { "Delivery address" }
                        }
                        form.address-form #address-form data-test="address-form" {
                            @for (field, label) in ADDRESS_FIELDS {
                                label {
                                    span { (label) }
                                    input type="text" name=(field) data-test={ "address-" (field) } autocomplete="off";
                                    small.error data-test={ "address-error-" (field) } {}
                                }
                            }
                            button.primary type="submit" data-test="address-send" { "Send address" }
                        }
                    }
                    section.sheet #list-sheet data-test="list-sheet" hidden {
                        header.sheet-bar {
                            button.icon type="button" data-test="list-close" aria-label="Close" { "×" }
                            div.name #list-title {}
                        }
                        div.list-rows #list-rows {}
                    }
                }
            }
        }
    }
}

/// WhatsApp's India address form: Meta's field names and labels
/// (WHATSAPP.md §2.9).
const ADDRESS_FIELDS: &[(&str, &str)] = &[
    ("name", "Name"),
    ("phone_number", "Phone number"),
    ("in_pin_code", "Pin code"),
    ("house_number", "Flat/House number"),
    ("building_name", "Building/Apartment name"),
    ("address", "Address"),
    ("landmark_area", "Landmark/Area"),
    ("city", "City"),
    ("state", "State"),
];

/// A storefront, drawn inline so the page needs no icon font or emoji.
fn store_icon() -> Markup {
    html! {
        svg viewBox="0 0 24 24" aria-hidden="true" {
            path d="M4 4h16l1.5 5a3 3 0 0 1-5.5 1.7A3 3 0 0 1 12 12a3 3 0 0 1-4-1.3A3 3 0 0 1 2.5 9zM4 13.5V20h16v-6.5a4.6 4.6 0 0 1-4-.9 4.9 4.9 0 0 1-4 1.4 4.9 4.9 0 0 1-4-1.4 4.6 4.6 0 0 1-4 .9zm6 1.5h4v5h-4z" {}
        }
    }
}

/// A shopping cart.
fn cart_icon() -> Markup {
    html! {
        svg viewBox="0 0 24 24" aria-hidden="true" {
            path d="M7 18a2 2 0 1 0 0 4 2 2 0 0 0 0-4zm10 0a2 2 0 1 0 0 4 2 2 0 0 0 0-4zM1 2h3.3l.9 2H21l-3.4 7.5a2 2 0 0 1-1.8 1.1H8.1l-1 1.9H19v2H4l2.6-4.6L3 4H1z" {}
        }
    }
}
