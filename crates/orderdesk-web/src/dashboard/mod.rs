//! The staff dashboard (DESIGN §1, right column): login, the live orders
//! board, the order window with its timeline and chat, users and API
//! tokens, CSV export.
//!
//! Server-rendered with maud (escaped by construction); one small plain
//! script (`assets/dashboard.js`) makes it live over `/api/v1/events` and
//! draws cards with `textContent`, never `innerHTML`. Every form works as
//! a plain POST and redirect; the script only enhances them. Assets are
//! compiled into the binary. The Content-Security-Policy allows scripts,
//! styles and connections to this origin only, and no inline script.
//!
//! | route | who |
//! |---|---|
//! | `GET/POST /login`, `POST /logout` | anyone / staff |
//! | `GET /orders`, `/orders/counts.json`, `/orders/export.csv` | staff |
//! | `GET /orders/{n}`, `POST /orders/{n}/status`, `…/payment`, `…/messages`, `…/notes` | staff |
//! | `GET/POST /orders/new`, `GET/POST /orders/{n}/edit`, `POST /orders/bulk`, `GET /orders/{n}/slip`, `POST /orders/slips` | staff |
//! | `GET /orders/{n}/invoice.pdf` | staff |
//! | `GET /orders/{n}/credit-notes/{cn}.pdf` | staff |
//! | `GET /payments`, `/payments/export.csv` | staff |
//! | `GET /customers`, `GET /customers/{wa_id}`, `POST /customers/{wa_id}/block` | staff |
//! | `GET /inbox`, `/inbox/unread.json`, `POST /inbox/{key}`, `…/messages`, `…/reopen`, `…/language`, `…/draft`, `…/draft/send` | staff |
//! | `GET/POST /users`, `POST /users/{id}/remove`, `POST /users/{id}/role`, `POST /users/{id}/password` | owner, admin |
//! | `GET/POST /tokens`, `POST /tokens/{id}/revoke` | owner, admin |
//! | `GET/POST /settings` | owner, admin |
//! | `GET /settings/doctor.json`, `GET/POST /setup`, `POST /setup/test`, `GET /setup/status.json` | owner, admin |
//! | `POST /settings/texts`, `/settings/texts/preview` | owner, admin |
//! | `GET /insights`, `/insights/export.csv` | owner, admin |

mod accounts;
pub mod admin;
pub mod board;
mod chat_products;
mod customers;
mod followups;
pub mod inbox;
pub mod inbox_draft;
mod insights;
mod insights_charts;
mod invoice;
pub mod login_limit;
mod moves;
pub mod order;
mod order_edit;
mod order_form;
mod order_new;
mod payments;
mod refund;
pub mod session;
pub mod settings;
mod settings_texts;
pub mod setup;
mod slips;
mod status_panels;
mod table;
pub mod views;

use std::sync::LazyLock;

use axum::extract::DefaultBodyLimit;
use axum::http::header::{
    CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE, REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS,
    X_FRAME_OPTIONS,
};
use axum::http::HeaderValue;
use axum::middleware;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::routes::{Auth, Routes};
use crate::AppState;

const JS: &str = include_str!("../../assets/dashboard.js");
const CSS: &str = include_str!("../../assets/dashboard.css");

/// Asset URLs carry a hash of their content, so they can be cached forever
/// and a new binary's assets are fetched at once.
static JS_PATH_OWNED: LazyLock<String> =
    LazyLock::new(|| format!("/assets/dashboard.js?v={}", short_hash(JS)));
static CSS_PATH_OWNED: LazyLock<String> =
    LazyLock::new(|| format!("/assets/dashboard.css?v={}", short_hash(CSS)));

pub(crate) fn js_path() -> &'static str {
    JS_PATH_OWNED.as_str()
}

pub(crate) fn css_path() -> &'static str {
    CSS_PATH_OWNED.as_str()
}

fn short_hash(text: &str) -> String {
    hex::encode(&Sha256::digest(text.as_bytes())[..6])
}

pub(crate) fn routes() -> Routes<AppState> {
    use Auth::{Public, Session, SessionAdmin};
    let pages = Routes::new()
        .get("/", Public, || async { session::redirect("/orders") })
        .get("/login", Public, session::login_page)
        .post("/login", Public, session::login)
        .post("/logout", Session, session::logout)
        .get("/orders", Session, board::show)
        .get("/orders/counts.json", Session, board::counts)
        .get("/orders/export.csv", Session, board::export)
        .get("/orders/{number}", Session, order::show)
        .post("/orders/{number}/status", Session, order::change_status)
        .post("/orders/{number}/messages", Session, order::send_message)
        .post("/orders/{number}/payment", Session, order::payment_action)
        .post("/orders/{number}/notes", Session, order::add_note)
        .post("/orders/{number}/products", Session, chat_products::send)
        .get("/orders/new", Session, order_new::show)
        .post("/orders/new", Session, order_new::create)
        .get("/orders/{number}/edit", Session, order_edit::show)
        .post("/orders/{number}/edit", Session, order_edit::save)
        .post("/orders/bulk", Session, table::bulk)
        .get("/orders/{number}/slip", Session, slips::one)
        .post("/orders/slips", Session, slips::many)
        .get("/orders/{number}/invoice.pdf", Session, invoice::pdf)
        .get(
            "/orders/{number}/credit-notes/{file}",
            Session,
            invoice::credit_note_pdf,
        )
        .get("/payments", Session, payments::show)
        .get("/payments/export.csv", Session, payments::export)
        .get("/users", SessionAdmin, admin::users)
        .post("/users", SessionAdmin, admin::add_user)
        .post("/users/{id}/remove", SessionAdmin, admin::remove_user)
        .post("/users/{id}/role", SessionAdmin, accounts::change_role)
        .post(
            "/users/{id}/password",
            SessionAdmin,
            accounts::reset_password,
        )
        .get("/customers", Session, customers::list)
        .get("/customers/{wa_id}", Session, customers::show)
        .post("/customers/{wa_id}/block", Session, customers::block)
        .get("/inbox", Session, inbox::show)
        .get("/inbox/unread.json", Session, inbox::unread)
        .post("/inbox/{key}", Session, inbox::change)
        .post("/inbox/{key}/messages", Session, inbox::reply)
        .post("/inbox/{key}/reopen", Session, inbox::reopen)
        .post("/inbox/{key}/language", Session, inbox::set_language)
        .post("/inbox/{key}/draft", Session, inbox_draft::save)
        .post("/inbox/{key}/draft/send", Session, inbox_draft::send)
        .get("/tokens", SessionAdmin, admin::tokens)
        .post("/tokens", SessionAdmin, admin::create_token)
        .post("/tokens/{id}/revoke", SessionAdmin, admin::revoke_token)
        .get("/settings", SessionAdmin, settings::show)
        .post("/settings", SessionAdmin, settings::save)
        .get("/settings/doctor.json", SessionAdmin, status_panels::doctor)
        .get("/setup", SessionAdmin, setup::show)
        .post("/setup", SessionAdmin, setup::save)
        .post("/setup/test", SessionAdmin, setup::test_message)
        .get("/setup/status.json", SessionAdmin, setup::status)
        .post("/settings/texts", SessionAdmin, settings_texts::save)
        .post(
            "/settings/texts/preview",
            SessionAdmin,
            settings_texts::preview,
        )
        .get("/insights", SessionAdmin, insights::show)
        .get("/insights/export.csv", SessionAdmin, insights::export)
        .wrap(|r| {
            r.layer(DefaultBodyLimit::max(session::MAX_FORM_BYTES))
                .layer(middleware::map_response(page_headers))
        });
    let assets = Routes::new()
        .get("/assets/dashboard.js", Public, js)
        .get("/assets/dashboard.css", Public, css)
        .get("/assets/manifest.webmanifest", Public, manifest)
        .get("/assets/icon.svg", Public, icon_svg)
        .get("/assets/icon-192.png", Public, icon_192)
        .get("/assets/icon-512.png", Public, icon_512)
        .get("/assets/setup.js", Public, setup_js)
        .get("/assets/sw.js", Public, service_worker)
        .wrap(|r| r.layer(middleware::map_response(asset_headers)));
    pages.merge(assets)
}

async fn js() -> Response {
    ([(CONTENT_TYPE, "text/javascript; charset=utf-8")], JS).into_response()
}

/// The web app manifest: "Add to home screen" opens the board full-screen.
async fn manifest() -> Response {
    (
        [(CONTENT_TYPE, "application/manifest+json")],
        include_str!("../../assets/manifest.webmanifest"),
    )
        .into_response()
}

async fn icon_svg() -> Response {
    (
        [(CONTENT_TYPE, "image/svg+xml")],
        include_str!("../../assets/icon.svg"),
    )
        .into_response()
}

async fn icon_192() -> Response {
    (
        [(CONTENT_TYPE, "image/png")],
        &include_bytes!("../../assets/icon-192.png")[..],
    )
        .into_response()
}

async fn icon_512() -> Response {
    (
        [(CONTENT_TYPE, "image/png")],
        &include_bytes!("../../assets/icon-512.png")[..],
    )
        .into_response()
}

async fn setup_js() -> Response {
    (
        [(CONTENT_TYPE, "text/javascript; charset=utf-8")],
        setup::JS,
    )
        .into_response()
}

/// The service worker phones need to show notifications (scope /assets/).
async fn service_worker() -> Response {
    (
        [(CONTENT_TYPE, "text/javascript; charset=utf-8")],
        include_str!("../../assets/sw.js"),
    )
        .into_response()
}

async fn css() -> Response {
    ([(CONTENT_TYPE, "text/css; charset=utf-8")], CSS).into_response()
}

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
    connect-src 'self'; img-src 'self' data:; form-action 'self'; \
    frame-ancestors 'none'; base-uri 'none'";

fn security_headers(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
}

/// Pages show customer data: no cache keeps them.
async fn page_headers(mut response: Response) -> Response {
    security_headers(&mut response);
    response
        .headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn asset_headers(mut response: Response) -> Response {
    security_headers(&mut response);
    response.headers_mut().insert(
        CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    response
}
