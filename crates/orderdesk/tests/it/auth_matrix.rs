//! The auth matrix: every route of `orderdesk_web::route_table()` called as
//! every kind of caller, each answer compared with what the route's auth
//! class says it must be. The table is recorded by the router itself, so a
//! new route is in this test the moment it is served; one this test has no
//! expectation for fails it.
//!
//! A route's own answer when the caller may call it (`reached`) is listed
//! here per route, for the request this test sends: no query, an empty
//! form (plus the CSRF token where the caller has one) or `{}` for the
//! JSON API, order 1001, and ids and tokens that do not exist, so nothing
//! is changed by the sweep.

use orderdesk_store::{NewApiToken, NewSession, NewUser, Role};
use orderdesk_web::{Auth, RouteInfo};
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, COOKIE, LOCATION};
use reqwest::StatusCode;

use crate::dashboard::client;
use crate::helpers::{Backend, TestApp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Agent,
    Admin,
    Owner,
    Token,
    RevokedToken,
    /// The owner's session, but a POST without its CSRF token.
    SessionWithoutCsrf,
}

const EVERYONE: [Who; 7] = [
    Who::Anonymous,
    Who::Agent,
    Who::Admin,
    Who::Owner,
    Who::Token,
    Who::RevokedToken,
    Who::SessionWithoutCsrf,
];

impl Who {
    fn role(self) -> Option<Role> {
        match self {
            Who::Agent => Some(Role::Agent),
            Who::Admin => Some(Role::Admin),
            Who::Owner | Who::SessionWithoutCsrf => Some(Role::Owner),
            _ => None,
        }
    }
}

/// What a route answers a caller it lets in, for this test's request.
fn reached(r: &RouteInfo, who: Who) -> Option<u16> {
    let session = who.role().is_some();
    Some(match (r.method, r.path) {
        ("GET", "/healthz" | "/metrics" | "/api/v1/openapi.json") => 200,
        ("GET", "/assets/dashboard.js" | "/assets/dashboard.css") => 200,
        ("GET", "/assets/manifest.webmanifest" | "/assets/icon.svg") => 200,
        ("GET", "/assets/icon-192.png" | "/assets/icon-512.png") => 200,
        ("GET", "/api/v1/settings" | "/settings") => 200,
        // `{}` lacks `settings`.
        ("PUT", "/api/v1/settings") => 422,
        // An empty form changes nothing.
        ("POST", "/settings") => 200,
        // Setup (#20): the page, an empty form changes nothing, an empty
        // number is not one, the checks run.
        ("GET", "/setup" | "/setup/status.json" | "/settings/doctor.json") => 200,
        ("GET", "/assets/setup.js" | "/assets/sw.js") => 200,
        // Insights (#18): the report of the last 30 days.
        ("GET", "/insights" | "/insights/export.csv" | "/api/v1/stats") => 200,
        // Customer texts (#17): an empty body is no text to preview, and an
        // empty form names no text there is.
        ("POST", "/api/v1/templates/preview" | "/settings/texts/preview") => 422,
        ("POST", "/settings/texts") => 404,
        ("POST", "/setup") => 200,
        ("POST", "/setup/test") => 422,
        ("GET", "/") => 303,
        // A logged-in visitor is sent on to the board.
        ("GET", "/login") if session => 303,
        ("GET", "/login") => 200,
        // A password nobody has (a different email each time, so the
        // login rate limit does not join in).
        ("POST", "/login") => 401,
        ("POST", "/logout") => 303,
        ("GET", "/payment/return") => 200,
        // Links whose token this test does not have.
        ("GET" | "POST", "/address/{token}") => 404,
        ("GET", "/simulator/pay/{reference}") => 404,
        // The empty form lacks the button pressed.
        ("POST", "/simulator/pay/{reference}") => 422,
        ("GET", "/pay/upi/{token}") => 404,
        ("GET", "/invoices/{file}") => 404,
        // Order 1001 is not paid, so not invoiced.
        ("GET", "/api/v1/orders/{number}/invoice.pdf" | "/orders/{number}/invoice.pdf") => 404,
        // …and has no refund, so no credit note.
        (
            "GET",
            "/api/v1/orders/{number}/credit-notes/{file}" | "/orders/{number}/credit-notes/{file}",
        ) => 404,
        ("GET", "/webhooks/whatsapp") => 403,
        ("POST", "/webhooks/whatsapp") => 401,
        // This server has no payment provider configured.
        ("POST", "/webhooks/razorpay" | "/webhooks/stripe" | "/webhooks/simulator") => 404,
        ("GET", "/api/v1/orders" | "/api/v1/orders/{number}") => 200,
        ("GET", "/api/v1/orders/{number}/messages" | "/api/v1/templates" | "/api/v1/payments") => {
            200
        }
        ("GET", "/api/v1/events") => 200,
        // The checks run (some fail on this test server, still 200).
        ("GET", "/api/v1/doctor") => 200,
        // `{}` lacks the required field.
        ("POST", "/api/v1/orders/{number}/status" | "/api/v1/orders/{number}/payment") => 422,
        ("POST", "/api/v1/orders/{number}/messages") => 422,
        ("GET", "/api/v1/conversations") => 200,
        // Nobody by that wa_id ever wrote.
        ("GET", "/api/v1/conversations/{wa_id}/messages") => 404,
        ("POST", "/api/v1/conversations/{wa_id}/read" | "/api/v1/conversations/{wa_id}") => 404,
        // `{}` has no text, or picks no product.
        (
            "POST",
            "/api/v1/conversations/{wa_id}/messages" | "/api/v1/conversations/{wa_id}/products",
        ) => 422,
        ("GET", "/api/v1/customers" | "/customers") => 200,
        // Nobody by that wa_id is a customer (an empty block form: the
        // customer is looked up first).
        ("GET", "/api/v1/customers/{wa_id}" | "/customers/{wa_id}") => 404,
        ("POST", "/api/v1/customers/{wa_id}/block" | "/api/v1/customers/{wa_id}/unblock") => 404,
        ("POST", "/customers/{wa_id}/block") => 404,
        // Nobody by that wa_id: no template to reopen with, no language (#14, #19).
        ("POST", "/api/v1/conversations/{wa_id}/reopen") => 404,
        ("GET" | "PUT", "/api/v1/conversations/{wa_id}/language") => 404,
        ("POST", "/api/v1/intake") => 422,
        // Nobody by that wa_id: no draft to show or send (#21); `{}` lacks the lines.
        ("GET", "/api/v1/conversations/{wa_id}/draft") => 404,
        ("POST", "/api/v1/conversations/{wa_id}/draft/send") => 404,
        ("PUT", "/api/v1/conversations/{wa_id}/draft") => 422,
        // `{}` lacks the version, the customer, the action.
        ("PATCH", "/api/v1/orders/{number}") => 422,
        ("POST", "/api/v1/orders" | "/api/v1/orders/bulk") => 422,
        // `{}` changes nothing.
        ("PUT", "/api/v1/templates/{key}/{language}") => 200,
        ("GET", "/orders" | "/orders/counts.json" | "/orders/export.csv") => 200,
        ("GET", "/payments" | "/payments/export.csv") => 200,
        ("GET", "/orders/{number}" | "/users" | "/tokens") => 200,
        // An empty form lacks the required fields.
        ("POST", "/orders/{number}/status" | "/orders/{number}/payment") => 422,
        (
            "POST",
            "/orders/{number}/messages" | "/orders/{number}/notes" | "/orders/{number}/products",
        ) => 422,
        ("POST", "/users" | "/tokens") => 422,
        ("GET", "/inbox" | "/inbox/unread.json") => 200,
        // An empty form names no action.
        ("POST", "/inbox/{key}") => 422,
        // Nobody by that key ever wrote.
        ("POST", "/inbox/{key}/messages" | "/inbox/{key}/reopen" | "/inbox/{key}/language") => 404,
        ("POST", "/inbox/{key}/draft" | "/inbox/{key}/draft/send") => 404,
        ("POST", "/users/{id}/remove") => 404,
        // There is no such user to change or reset.
        ("POST", "/users/{id}/role" | "/users/{id}/password") => 404,
        // Revoking a token that is not there leaves it not there.
        ("POST", "/tokens/{id}/revoke") => 303,
        ("GET", "/orders/new" | "/orders/{number}/edit" | "/orders/{number}/slip") => 200,
        // An empty form names no customer, carries no order version, selects no order.
        ("POST", "/orders/new" | "/orders/{number}/edit" | "/orders/bulk" | "/orders/slips") => 422,
        _ => return None,
    })
}

/// What `who` must get from route `r`: [`reached`] when its auth class
/// lets them in, else the class's refusal.
fn expected(r: &RouteInfo, who: Who) -> Option<u16> {
    let reached = reached(r, who)?;
    let post = r.method != "GET";
    let csrf = who != Who::SessionWithoutCsrf || !post;
    // A page asks an unknown visitor to log in; a POST cannot, so refuses.
    let not_logged_in = if post { 403 } else { 303 };
    Some(match r.auth {
        Auth::Public | Auth::SignedLink | Auth::VerifyToken | Auth::WebhookSignature => reached,
        Auth::Token => match who {
            Who::Token => reached,
            _ => 401,
        },
        Auth::TokenOrSession => match who {
            Who::Anonymous | Who::RevokedToken => 401,
            _ => reached,
        },
        Auth::Session => match who.role() {
            None => not_logged_in,
            Some(_) if !csrf => 403,
            Some(_) => reached,
        },
        Auth::SessionAdmin => match who.role() {
            None => not_logged_in,
            Some(_) if !csrf => 403,
            Some(Role::Agent) => 403,
            Some(_) => reached,
        },
    })
}

fn concrete(path: &str) -> String {
    path.replace("{number}", "1001")
        .replace("{id}", "999999")
        .replace("{token}", "not-a-signed-link")
        .replace("{file}", "not-a-signed-link.pdf")
        .replace("{reference}", "sim_1001-1")
        .replace("{key}", "order_received")
        .replace("{language}", "en")
        .replace("{wa_id}", "919800000999")
}

struct Callers {
    users: Vec<(Role, i64)>,
    revoked: String,
    calls: std::sync::atomic::AtomicUsize,
}

impl Callers {
    async fn new(app: &TestApp) -> Self {
        let mut users = Vec::new();
        for role in [Role::Agent, Role::Admin, Role::Owner] {
            let user = app
                .store
                .create_user(&NewUser {
                    email: format!("{}@matrix.test", role.as_str()),
                    role,
                    // Sessions are made directly below; nobody logs in.
                    password_hash: "not-a-phc-string".into(),
                    created_at: chrono::Utc::now(),
                })
                .await
                .unwrap();
            users.push((role, user.id));
        }
        let revoked = "odk_matrix_revoked".to_owned();
        let token = app
            .store
            .create_token(&NewApiToken {
                name: "revoked".into(),
                secret_hash: orderdesk_web::auth::token_hash(&revoked),
                created_at: chrono::Utc::now(),
            })
            .await
            .unwrap();
        app.store
            .revoke_token(token.id, chrono::Utc::now())
            .await
            .unwrap();
        Self {
            users,
            revoked,
            calls: Default::default(),
        }
    }

    fn next(&self) -> usize {
        self.calls
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    }

    /// A fresh session for `role` (cookie, CSRF token): a fresh one per
    /// request, so `POST /logout` ends nobody else's.
    async fn session(&self, app: &TestApp, role: Role) -> (String, String) {
        let user_id = self.users.iter().find(|(r, _)| *r == role).unwrap().1;
        let id = orderdesk_web::auth::random_id();
        let csrf = orderdesk_web::auth::random_id();
        let now = chrono::Utc::now();
        app.store
            .create_session(&NewSession {
                id_hash: orderdesk_web::auth::token_hash(&id),
                user_id,
                csrf_token: csrf.clone(),
                created_at: now,
                expires_at: now + chrono::Duration::hours(1),
            })
            .await
            .unwrap();
        (
            format!("{}={id}", orderdesk_web::dashboard::session::COOKIE_NAME),
            csrf,
        )
    }

    async fn call(&self, app: &TestApp, r: &RouteInfo, who: Who) -> reqwest::Response {
        let method = reqwest::Method::from_bytes(r.method.as_bytes()).unwrap();
        let mut req = client().request(method, app.url(&concrete(r.path)));
        let mut form = String::new();
        if let Some(role) = who.role() {
            let (cookie, csrf) = self.session(app, role).await;
            req = req.header(COOKIE, cookie);
            if who != Who::SessionWithoutCsrf {
                form = format!("csrf={csrf}");
            }
        }
        match who {
            Who::Token => req = req.header(AUTHORIZATION, format!("Bearer {}", app.token)),
            Who::RevokedToken => {
                req = req.header(AUTHORIZATION, format!("Bearer {}", self.revoked))
            }
            _ => {}
        }
        if r.path == "/login" {
            form = format!("email=nobody{}%40matrix.test&password=wrong", self.next());
        }
        if r.method != "GET" {
            req = if r.path.starts_with("/api/") {
                req.header(CONTENT_TYPE, "application/json").body("{}")
            } else {
                req.header(CONTENT_TYPE, "application/x-www-form-urlencoded")
                    .body(form)
            };
        }
        req.send().await.unwrap()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_route_answers_every_kind_of_caller_as_its_auth_class_says() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    app.place_order("wamid.matrix", "919800000801", "Matrix")
        .await;
    let callers = Callers::new(&app).await;
    let table = orderdesk_web::route_table();
    let mut wrong = Vec::new();
    for r in &table {
        for who in EVERYONE {
            let Some(want) = expected(r, who) else {
                wrong.push(format!(
                    "{} {}: no expectation in this test",
                    r.method, r.path
                ));
                break;
            };
            let response = callers.call(&app, r, who).await;
            let got = response.status();
            let location = response
                .headers()
                .get(LOCATION)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_owned();
            if got.as_u16() != want {
                wrong.push(format!(
                    "{} {} ({}) as {who:?}: {got}, expected {want}",
                    r.method, r.path, r.auth
                ));
            } else if got == StatusCode::SEE_OTHER
                && who.role().is_none()
                && matches!(r.auth, Auth::Session | Auth::SessionAdmin)
                && !location.starts_with("/login?next=")
            {
                wrong.push(format!(
                    "{} {} as {who:?}: redirected to {location:?}, not to the login",
                    r.method, r.path
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} routes × {} callers answered otherwise:\n{}",
        wrong.len(),
        table.len(),
        EVERYONE.len(),
        wrong.join("\n")
    );
    app.stop().await;
}
