//! The address form's pages and handlers without a server: escaping,
//! labels, statuses, headers.

use super::page::*;
use super::*;
use axum::body::Body;
use axum::extract::FromRequest;
use axum::http::Request;
use axum::routing::post;
use chrono::Utc;
use orderdesk_domain::{
    AddressProblem, Currency, Customer, LineItem, NewOrder, Order, OrderNumber, OrderStatus,
};
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

/// The business's time zone and locale for these pages: Indian rupees.
fn local() -> orderdesk_domain::Local {
    orderdesk_domain::Local::parse("Asia/Kolkata", "en-IN").unwrap()
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
        form_page(&order, &local(), &address(), &[]).into_string(),
        saved_page(&order, &local()).into_string(),
        locked_page(&order, &local(), AddressLock::Fixed).into_string(),
    ] {
        assert_inert(&html);
        assert!(html.contains(XSS_ESCAPED), "{html}");
        assert!(html.contains("Tea &amp; &quot;biscuits&quot;"), "{html}");
    }
    let saved = saved_page(&order, &local()).into_string();
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
    let html = form_page(&order(), &local(), &values, &problems).into_string();
    assert_inert(&html);
    assert!(html.contains("value=\"&quot;&gt;&lt;script&gt;alert(3)&lt;/script&gt;\""));
    // A single quote cannot end a double-quoted attribute, so maud
    // rightly leaves it alone.
    assert!(html.contains("value=\"x' autofocus onfocus='alert(4)\""));
    assert!(!html.contains("<b>bad</b>"));
}

#[test]
fn every_field_has_a_label_tied_to_its_input_and_an_autocomplete_hint() {
    let html = form_page(&order(), &local(), &address(), &[]).into_string();
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
    let html = form_page(&order(), &local(), &address(), &[]).into_string();
    assert!(html.contains("<form class=\"card\" method=\"post\""));
    assert!(!html.contains("action="), "the token is never repeated");
    assert!(!html.contains("<script"));
    assert!(html.contains("<button type=\"submit\">"));
}

#[test]
fn a_postcode_that_may_hold_letters_gets_a_text_keyboard() {
    let mut values = address();
    values.country = "GB".into();
    let html = form_page(&order(), &local(), &values, &[]).into_string();
    assert!(html.contains("<label for=\"postal_code\">Postcode"));
    assert!(!html.contains("inputmode=\"numeric\""));
}

#[test]
fn inline_errors_sit_next_to_their_fields_and_keep_the_values() {
    let mut values = address();
    values.postal_code = "12".into();
    let problems = values.normalised().problems();
    assert_eq!(problems.len(), 1);
    let html = form_page(&order(), &local(), &values, &problems).into_string();
    assert!(html.contains("role=\"alert\""));
    assert!(html.contains("href=\"#postal_code\""));
    let field = html
        .split("<div class=\"field")
        .find(|f| f.contains("name=\"postal_code\""))
        .unwrap();
    assert!(field.starts_with(" invalid\""), "{field}");
    assert!(field.contains("<p class=\"error\" id=\"postal_code-error\">A PIN code has 6 digits"));
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
    let html = saved_page(&order(), &local()).into_string();
    assert!(html.contains("You can close this window and return to WhatsApp."));
    assert!(html.contains("12 MG Road"));
    assert!(html.contains("Bengaluru, Karnataka, 560001"));
    assert!(html.contains("India"));
    assert!(html.contains("2 × ₹499.50"));
    assert!(html.contains("₹1,000.00"));
}

#[test]
fn the_locked_view_shows_the_address_without_a_form() {
    let html = locked_page(&order(), &local(), AddressLock::Fixed).into_string();
    assert!(!html.contains("<form"));
    assert!(!html.contains("<input"));
    assert!(html.contains("can no longer be changed"));
    assert!(html.contains("12 MG Road"));
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

#[test]
fn a_cancelled_order_says_it_was_cancelled_not_that_the_address_is_fixed() {
    let mut order = order();
    order.address = None;
    let html = locked_page(
        &order,
        &local(),
        AddressLock::Closed(OrderStatus::Cancelled),
    )
    .into_string();
    assert!(html.contains("was cancelled"), "{html}");
    assert!(!html.contains("can no longer be changed"), "{html}");
}

#[test]
fn amounts_on_the_form_read_in_the_business_locale() {
    let html = form_page(&order(), &local(), &address(), &[]).into_string();
    // 2 × ₹499.50 + ₹1.00 = ₹1,000.00: the symbol first, Indian grouping.
    assert!(html.contains("2 × ₹499.50"), "{html}");
    assert!(html.contains("₹1,000.00"), "{html}");
    assert!(!html.contains("INR"), "{html}");
}
