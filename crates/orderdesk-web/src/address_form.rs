//! `GET/POST /address/{token}`: the hosted delivery-address form a customer
//! opens from WhatsApp (DESIGN §1 steps 2–3, §3).
//!
//! The signed token in the URL is the form's only credential: there is no
//! cookie and no CSRF token, because the customer arrives from a WhatsApp
//! button with neither. So the token is checked before anything else, and
//! every page is sent with headers that keep it out of caches, `Referer`
//! headers and other sites' frames. The pages never repeat the token: the
//! form posts to its own URL and the "change" link is the empty URL.
//!
//! The pages are plain HTML forms: one column, large tap targets, labels
//! tied to inputs, `autocomplete` hints so the phone fills most of it in.
//! They work without JavaScript, and the Content-Security-Policy forbids
//! scripts altogether. All data goes through maud, which escapes it; the
//! only unescaped text is this module's own stylesheet.
//!
//! | case | status |
//! |---|---|
//! | form shown (editable), or read-only view once locked | 200 |
//! | address saved: thank-you page | 200 |
//! | submitted with problems: form again, messages inline, nothing saved | 422 |
//! | submitted after the payment step passed | 409 |
//! | unknown or altered token, or no such order | 404 |
//! | genuine but expired token | 410 |
//! | body over [`MAX_FORM_BYTES`] / not a form | 413 / 415, 400 or 422 |
//! | database unavailable, shutting down | 503 |

use std::sync::LazyLock;

use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::{Form, Router};
use base64::Engine as _;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use orderdesk_domain::{Address, AddressProblem, Money, Order, OrderNumber, OrderStatus};
use orderdesk_engine::form_token::TokenError;
use orderdesk_engine::{AddressForm, AddressLock, EngineError};
use orderdesk_store::StoreError;
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::routes::{Auth, Routes};
use crate::AppState;

/// The form is eight short fields; anything much larger is not a customer.
pub const MAX_FORM_BYTES: usize = 16 * 1024;

pub(crate) fn routes() -> Routes<AppState> {
    Routes::new()
        .get("/address/{token}", Auth::SignedLink, show)
        .post("/address/{token}", Auth::SignedLink, submit)
        .wrap(protect)
}

/// The body limit and the page headers, on every response of the form,
/// rejections included.
pub(crate) fn protect<S: Clone + Send + Sync + 'static>(router: Router<S>) -> Router<S> {
    router
        .layer(DefaultBodyLimit::max(MAX_FORM_BYTES))
        .layer(middleware::map_response(page_headers))
}

/// The fields exactly as the form posts them. Missing ones are empty, so
/// they are reported next to the field rather than as an unreadable form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Submitted {
    pub name: String,
    pub phone: String,
    pub line1: String,
    pub line2: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub country: String,
}

impl From<Submitted> for Address {
    fn from(s: Submitted) -> Self {
        Address {
            name: s.name,
            phone: s.phone,
            line1: s.line1,
            line2: s.line2,
            city: s.city,
            state: s.state,
            postal_code: s.postal_code,
            country: s.country,
        }
    }
}

async fn show(
    State(state): State<AppState>,
    token: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(token)) = token else {
        return not_found();
    };
    match state.engine.address_form(&token).await {
        Ok(form) if form.editable => {
            let values = form.prefill.unwrap_or_else(|| starting_values(&form.order));
            page(StatusCode::OK, form_page(&form.order, &values, &[]))
        }
        Ok(form) => page(StatusCode::OK, locked_page(&form.order, lock_of(&form))),
        Err(e) => failure(e),
    }
}

async fn submit(
    State(state): State<AppState>,
    token: Result<Path<String>, PathRejection>,
    form: Result<Form<Submitted>, FormRejection>,
) -> Response {
    let Ok(Path(token)) = token else {
        return not_found();
    };
    // The link is judged before the input, so an altered link gets its 404
    // whatever was posted with it, and the 422 page can show the order.
    let current = match state.engine.address_form(&token).await {
        Ok(current) => current,
        Err(e) => return failure(e),
    };
    let submitted = match form {
        Ok(Form(submitted)) => submitted,
        Err(rejection) => return unreadable_form(&rejection),
    };
    if !current.editable {
        return page(
            StatusCode::CONFLICT,
            locked_page(&current.order, lock_of(&current)),
        );
    }
    let address = Address::from(submitted).normalised();
    let problems = address.problems();
    if !problems.is_empty() {
        return page(
            StatusCode::UNPROCESSABLE_ENTITY,
            form_page(&current.order, &address, &problems),
        );
    }
    match state.engine.submit_address(&token, address).await {
        Ok(order) => page(StatusCode::OK, saved_page(&order)),
        // The payment step passed between showing and saving.
        Err(EngineError::AddressLocked | EngineError::Checkout(_)) => {
            // Say why as it stands now (cancelled meanwhile, or paid).
            let lock = match state.engine.address_form(&token).await {
                Ok(now) => now.locked.unwrap_or(AddressLock::Fixed),
                Err(_) => AddressLock::Fixed,
            };
            page(StatusCode::CONFLICT, locked_page(&current.order, lock))
        }
        Err(e) => failure(e),
    }
}

/// What a first-time customer starts from: WhatsApp already told us their
/// profile name and number, and the number's calling code usually says the
/// country. They can change all of it.
fn starting_values(order: &Order) -> Address {
    let wa_id = order
        .customer
        .wa_id
        .as_deref()
        .filter(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()));
    Address {
        name: order.customer.name.clone().unwrap_or_default(),
        phone: wa_id.map(|id| format!("+{id}")).unwrap_or_default(),
        country: wa_id
            .and_then(country_of_number)
            .unwrap_or_default()
            .to_owned(),
        ..Address::default()
    }
}

/// The country of an international number, for calling codes that name
/// exactly one country. `+1` (US, Canada, the Caribbean) and `+7` (Russia,
/// Kazakhstan) are shared, so they suggest nothing.
fn country_of_number(digits: &str) -> Option<&'static str> {
    const CODES: &[(&str, &str)] = &[
        ("20", "EG"),
        ("233", "GH"),
        ("234", "NG"),
        ("254", "KE"),
        ("255", "TZ"),
        ("256", "UG"),
        ("27", "ZA"),
        ("31", "NL"),
        ("33", "FR"),
        ("34", "ES"),
        ("39", "IT"),
        ("44", "GB"),
        ("49", "DE"),
        ("52", "MX"),
        ("54", "AR"),
        ("55", "BR"),
        ("57", "CO"),
        ("60", "MY"),
        ("61", "AU"),
        ("62", "ID"),
        ("63", "PH"),
        ("64", "NZ"),
        ("65", "SG"),
        ("66", "TH"),
        ("84", "VN"),
        ("880", "BD"),
        ("90", "TR"),
        ("91", "IN"),
        ("92", "PK"),
        ("94", "LK"),
        ("965", "KW"),
        ("966", "SA"),
        ("968", "OM"),
        ("971", "AE"),
        ("973", "BH"),
        ("974", "QA"),
        ("977", "NP"),
    ];
    // Calling codes are prefix-free, so at most one entry matches.
    CODES
        .iter()
        .find(|(code, _)| digits.starts_with(code))
        .map(|(_, country)| *country)
}

/// Maps an engine failure to the page the customer sees.
fn failure(e: EngineError) -> Response {
    match e {
        EngineError::Token(TokenError::Invalid) | EngineError::Store(StoreError::NotFound) => {
            not_found()
        }
        EngineError::Token(TokenError::Expired { number }) => {
            page(StatusCode::GONE, expired_page(number))
        }
        EngineError::AddressLocked | EngineError::Checkout(_) => page(
            StatusCode::CONFLICT,
            message_page(
                "This address can no longer be changed",
                "The delivery address of this order is fixed now. \
                 If something is wrong, tell us in the WhatsApp chat.",
            ),
        ),
        EngineError::ShuttingDown
        | EngineError::Store(StoreError::Unavailable(_) | StoreError::Conflict { .. }) => {
            tracing::warn!(error = %e, "address form unavailable");
            page(
                StatusCode::SERVICE_UNAVAILABLE,
                message_page(
                    "Please try again in a minute",
                    "We could not open your order just now. Nothing was lost: \
                     reload this page in a minute.",
                ),
            )
        }
        other => {
            tracing::error!(error = ?other, "address form failed");
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                message_page(
                    "Something went wrong on our side",
                    "It has been logged. Please try again later, or send us your \
                     address in the WhatsApp chat.",
                ),
            )
        }
    }
}

fn not_found() -> Response {
    page(
        StatusCode::NOT_FOUND,
        message_page(
            "This link does not work",
            "Please open the link from your WhatsApp chat with us, or ask us there for a new one.",
        ),
    )
}

fn unreadable_form(rejection: &FormRejection) -> Response {
    let status = rejection.status();
    let detail = if status == StatusCode::PAYLOAD_TOO_LARGE {
        "That was more text than an address needs. Please shorten it and send the form again."
    } else {
        "Your browser sent something we could not read. Please go back and send the form again."
    };
    page(status, message_page("We could not read the form", detail))
}

pub(crate) fn page(status: StatusCode, body: Markup) -> Response {
    (status, body).into_response()
}

/// The token is in the URL, so no cache may keep these pages and no other
/// site may learn the URL through `Referer` or frame the form.
async fn page_headers(mut response: Response) -> Response {
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
static CSP: LazyLock<HeaderValue> = LazyLock::new(|| {
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
const STYLE: &str = "\
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
struct Field {
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
fn fields(country: &str) -> [Field; 8] {
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

fn value_of<'a>(address: &'a Address, field: &str) -> &'a str {
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
pub fn form_page(order: &Order, values: &Address, problems: &[AddressProblem]) -> Markup {
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
            (order_summary(order))
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
pub fn saved_page(order: &Order) -> Markup {
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
            (order_summary(order))
            p { "Spotted a mistake? " a href="" { "Open the form again" } "." }
        },
    )
}

fn lock_of(form: &AddressForm) -> AddressLock {
    form.locked.unwrap_or(AddressLock::Fixed)
}

/// The read-only view once the address can no longer be changed, saying
/// why: an order that is over says so first.
pub fn locked_page(order: &Order, lock: AddressLock) -> Markup {
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
            (order_summary(order))
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

pub(crate) fn order_summary(order: &Order) -> Markup {
    html! {
        section.card aria-label="Your order" {
            h2 { "Order #" (order.number) }
            ul.items {
                @for item in &order.items {
                    li {
                        span.item-name { (item.name) }
                        span.qty {
                            (item.quantity) " × "
                            (Money::from_minor(item.unit_price_minor, order.currency))
                        }
                    }
                }
            }
            p.total {
                span { "Total" }
                span { (Money::from_minor(order.total_minor, order.currency)) }
            }
        }
    }
}

fn address_block(address: &Address) -> Markup {
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::extract::FromRequest;
    use axum::http::Request;
    use axum::routing::post;
    use chrono::Utc;
    use orderdesk_domain::{Currency, Customer, LineItem, NewOrder};
    use tower::ServiceExt;

    const XSS: &str = "<img src=x onerror=alert(1)>";
    const XSS_ESCAPED: &str = "&lt;img src=x onerror=alert(1)&gt;";

    fn order() -> Order {
        let mut order = NewOrder {
            customer: Customer {
                wa_id: Some("919876543210".into()),
                user_id: None,
                name: Some(XSS.into()),
            },
            items: vec![
                LineItem {
                    retailer_id: "sku-1".into(),
                    name: XSS.into(),
                    quantity: 2,
                    unit_price_minor: 49950,
                },
                LineItem {
                    retailer_id: "sku-2".into(),
                    name: "Tea & \"biscuits\"".into(),
                    quantity: 1,
                    unit_price_minor: 100,
                },
            ],
            currency: Currency::parse("INR").unwrap(),
            total_minor: 100_000,
            cart_text: None,
            created_at: Utc::now(),
        }
        .placed(OrderNumber::FIRST, Utc::now());
        order.address = Some(address());
        order
    }

    fn address() -> Address {
        Address {
            name: XSS.into(),
            phone: "+91 98765 43210".into(),
            line1: "12 MG Road".into(),
            line2: "</p><script>alert(2)</script>".into(),
            city: "Bengaluru".into(),
            state: "Karnataka".into(),
            postal_code: "560001".into(),
            country: "IN".into(),
        }
    }

    fn assert_inert(html: &str) {
        assert!(!html.contains("<img"), "{html}");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("onerror=alert(1)>"), "{html}");
    }

    #[test]
    fn names_with_markup_are_escaped_on_every_page() {
        let order = order();
        for html in [
            form_page(&order, &address(), &[]).into_string(),
            saved_page(&order).into_string(),
            locked_page(&order, AddressLock::Fixed).into_string(),
        ] {
            assert_inert(&html);
            assert!(html.contains(XSS_ESCAPED), "{html}");
            assert!(html.contains("Tea &amp; &quot;biscuits&quot;"), "{html}");
        }
        let saved = saved_page(&order).into_string();
        assert!(saved.contains("&lt;/p&gt;&lt;script&gt;alert(2)&lt;/script&gt;"));
    }

    #[test]
    fn submitted_values_are_escaped_inside_attributes() {
        let mut values = address();
        values.line1 = "\"><script>alert(3)</script>".into();
        values.city = "x' autofocus onfocus='alert(4)".into();
        let problems = vec![AddressProblem {
            field: "city",
            message: "<b>bad</b>".into(),
        }];
        let html = form_page(&order(), &values, &problems).into_string();
        assert_inert(&html);
        assert!(html.contains("value=\"&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;\""));
        // A single quote cannot end a double-quoted attribute, so maud
        // rightly leaves it alone.
        assert!(html.contains("value=\"x' autofocus onfocus='alert(4)\""));
        assert!(!html.contains("<b>bad</b>"));
    }

    #[test]
    fn every_field_has_a_label_tied_to_its_input_and_an_autocomplete_hint() {
        let html = form_page(&order(), &address(), &[]).into_string();
        for (name, autocomplete) in [
            ("name", "name"),
            ("phone", "tel"),
            ("line1", "address-line1"),
            ("line2", "address-line2"),
            ("city", "address-level2"),
            ("state", "address-level1"),
            ("postal_code", "postal-code"),
            ("country", "country"),
        ] {
            assert!(html.contains(&format!("<label for=\"{name}\">")), "{name}");
            let input = html
                .split("<input ")
                .find(|i| i.contains(&format!(" name=\"{name}\"")))
                .unwrap_or_else(|| panic!("no input named {name}"));
            assert!(input.contains(&format!("id=\"{name}\"")), "{input}");
            assert!(
                input.contains(&format!("autocomplete=\"{autocomplete}\"")),
                "{input}"
            );
        }
        assert!(html.contains("type=\"tel\""));
        assert!(html.contains("inputmode=\"tel\""));
        assert!(
            html.contains("inputmode=\"numeric\""),
            "an Indian PIN is digits"
        );
        assert!(html.contains("name=\"viewport\""));
    }

    #[test]
    fn the_form_posts_to_its_own_url_and_needs_no_script() {
        let html = form_page(&order(), &address(), &[]).into_string();
        assert!(html.contains("<form class=\"card\" method=\"post\""));
        assert!(!html.contains("action="), "the token is never repeated");
        assert!(!html.contains("<script"));
        assert!(html.contains("<button type=\"submit\">"));
    }

    #[test]
    fn a_postcode_that_may_hold_letters_gets_a_text_keyboard() {
        let mut values = address();
        values.country = "GB".into();
        let html = form_page(&order(), &values, &[]).into_string();
        assert!(html.contains("<label for=\"postal_code\">Postcode"));
        assert!(!html.contains("inputmode=\"numeric\""));
    }

    #[test]
    fn inline_errors_sit_next_to_their_fields_and_keep_the_values() {
        let mut values = address();
        values.postal_code = "12".into();
        let problems = values.normalised().problems();
        assert_eq!(problems.len(), 1);
        let html = form_page(&order(), &values, &problems).into_string();
        assert!(html.contains("role=\"alert\""));
        assert!(html.contains("href=\"#postal_code\""));
        let field = html
            .split("<div class=\"field")
            .find(|f| f.contains("name=\"postal_code\""))
            .unwrap();
        assert!(field.starts_with(" invalid\""), "{field}");
        assert!(
            field.contains("<p class=\"error\" id=\"postal_code-error\">A PIN code has 6 digits")
        );
        assert!(field.contains("aria-invalid=\"true\""));
        assert!(field.contains("aria-describedby=\"postal_code-error\""));
        assert!(field.contains("value=\"12\""));
        let other = html
            .split("<div class=\"field")
            .find(|f| f.contains("name=\"line1\""))
            .unwrap();
        assert!(!other.contains("aria-invalid"));
        assert!(other.contains("aria-describedby=\"line1-hint\""));
    }

    #[test]
    fn the_thank_you_page_sends_the_customer_back_to_whatsapp_with_the_saved_address() {
        let html = saved_page(&order()).into_string();
        assert!(html.contains("You can close this window and return to WhatsApp."));
        assert!(html.contains("12 MG Road"));
        assert!(html.contains("Bengaluru, Karnataka, 560001"));
        assert!(html.contains("India"));
        assert!(html.contains("2 × 499.50 INR"));
        assert!(html.contains("1000.00 INR"));
    }

    #[test]
    fn the_locked_view_shows_the_address_without_a_form() {
        let html = locked_page(&order(), AddressLock::Fixed).into_string();
        assert!(!html.contains("<form"));
        assert!(!html.contains("<input"));
        assert!(html.contains("can no longer be changed"));
        assert!(html.contains("12 MG Road"));
    }

    #[test]
    fn a_cancelled_order_says_it_was_cancelled_not_that_the_address_is_fixed() {
        let mut order = order();
        order.address = None;
        let html = locked_page(&order, AddressLock::Closed(OrderStatus::Cancelled)).into_string();
        assert!(html.contains("was cancelled"), "{html}");
        assert!(!html.contains("can no longer be changed"), "{html}");
    }

    #[test]
    fn a_first_time_customer_starts_from_their_whatsapp_name_and_number() {
        let mut order = order();
        order.customer.name = Some("Asha".into());
        let start = starting_values(&order);
        assert_eq!(start.name, "Asha");
        assert_eq!(start.phone, "+919876543210");
        assert_eq!(start.country, "IN");
        assert_eq!(start.line1, "");
        order.customer.wa_id = Some("15551234567".into());
        assert_eq!(starting_values(&order).country, "", "+1 is shared");
        order.customer.wa_id = Some("447700900123".into());
        assert_eq!(starting_values(&order).country, "GB");
        order.customer.wa_id = None;
        assert_eq!(starting_values(&order).phone, "");
    }

    #[test]
    fn each_failure_has_its_own_status() {
        let cases = [
            (
                EngineError::Token(TokenError::Invalid),
                StatusCode::NOT_FOUND,
            ),
            (
                EngineError::Store(StoreError::NotFound),
                StatusCode::NOT_FOUND,
            ),
            (
                EngineError::Token(TokenError::Expired {
                    number: OrderNumber::FIRST,
                }),
                StatusCode::GONE,
            ),
            (EngineError::AddressLocked, StatusCode::CONFLICT),
            (EngineError::ShuttingDown, StatusCode::SERVICE_UNAVAILABLE),
            (
                EngineError::Store(StoreError::Unavailable("down".into())),
                StatusCode::SERVICE_UNAVAILABLE,
            ),
        ];
        for (error, status) in cases {
            let name = format!("{error:?}");
            let response = failure(error);
            assert_eq!(response.status(), status, "{name}");
            let content_type = response.headers().get("content-type").unwrap();
            assert_eq!(content_type, "text/html; charset=utf-8");
        }
    }

    #[test]
    fn the_expired_page_asks_for_a_new_link_in_whatsapp() {
        let html = expired_page(OrderNumber::FIRST).into_string();
        assert!(html.contains("expired"));
        assert!(html.contains("WhatsApp"));
        assert!(html.contains("new link for order #1001"));
    }

    fn probe() -> Router {
        protect(Router::new().route(
            "/address/{token}",
            post(|Form(s): Form<Submitted>| async move { s.name }),
        ))
    }

    async fn send(router: Router, body: String) -> Response {
        let request = Request::post("/address/t")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        router.oneshot(request).await.unwrap()
    }

    #[tokio::test]
    async fn every_response_carries_the_privacy_headers() {
        let response = send(probe(), "name=Asha".into()).await;
        assert_eq!(response.status(), StatusCode::OK);
        let h = response.headers();
        assert_eq!(h["cache-control"], "no-store");
        assert_eq!(h["referrer-policy"], "no-referrer");
        assert_eq!(h["x-frame-options"], "DENY");
        assert_eq!(h["x-content-type-options"], "nosniff");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        assert!(csp.contains("default-src 'none'"), "{csp}");
        assert!(csp.contains("style-src 'sha256-"), "{csp}");
        assert!(!csp.contains("unsafe-inline"), "{csp}");
    }

    #[tokio::test]
    async fn a_body_over_the_limit_is_refused_and_still_gets_the_headers() {
        let response = send(probe(), format!("name={}", "a".repeat(MAX_FORM_BYTES))).await;
        assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(response.headers()["cache-control"], "no-store");
        let ok = send(
            probe(),
            format!("name={}", "a".repeat(MAX_FORM_BYTES - 100)),
        )
        .await;
        assert_eq!(ok.status(), StatusCode::OK);
    }

    #[tokio::test]
    async fn missing_fields_arrive_empty_so_they_are_reported_inline() {
        // Through axum's own extractor, as the handler receives it.
        let request = Request::post("/")
            .header("content-type", "application/x-www-form-urlencoded")
            .body(Body::from("name=Asha&postal_code=560001&extra=ignored"))
            .unwrap();
        let Form(parsed) = Form::<Submitted>::from_request(request, &()).await.unwrap();
        let address = Address::from(parsed);
        assert_eq!(address.name, "Asha");
        assert_eq!(address.line1, "");
        let fields: Vec<_> = address
            .normalised()
            .problems()
            .iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(fields, ["phone", "line1", "city", "country"]);
    }

    #[test]
    fn the_stylesheet_never_needs_escaping() {
        assert!(!STYLE.contains('>') && !STYLE.contains('<') && !STYLE.contains('&'));
    }
}
