//! The staff dashboard over HTTP: login, sessions, CSRF, roles, the event
//! stream with the session cookie, and the board's export.

use std::time::Duration;

use orderdesk_store::{NewUser, Role};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::StatusCode;

use crate::both_backends;
use crate::helpers::{Backend, TestApp};

mod board;

pub const PASSWORD: &str = "correct horse battery";

/// A client that shows redirects instead of following them.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn add_user(app: &TestApp, email: &str, role: Role) {
    app.store
        .create_user(&NewUser {
            email: email.to_owned(),
            role,
            password_hash: orderdesk_web::auth::hash_password(PASSWORD).unwrap(),
            created_at: chrono::Utc::now(),
        })
        .await
        .unwrap();
}

/// A logged-in browser, as far as HTTP goes.
pub struct Staff {
    pub cookie: String,
    pub csrf: String,
    pub client: reqwest::Client,
}

impl Staff {
    pub async fn get(&self, app: &TestApp, path: &str) -> reqwest::Response {
        self.client
            .get(app.url(path))
            .header(COOKIE, &self.cookie)
            .send()
            .await
            .unwrap()
    }

    pub async fn post(
        &self,
        app: &TestApp,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        self.client
            .post(app.url(path))
            .header(COOKIE, &self.cookie)
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// The inbox form's `action` (`done`, `assign_me`, …) on the
    /// conversation `key`, as its buttons post it.
    pub async fn inbox_action(&self, app: &TestApp, key: &str, action: &str) -> reqwest::Response {
        self.post(
            app,
            &format!("/inbox/{key}"),
            &[("csrf", &self.csrf), ("action", action)],
        )
        .await
    }
}

pub async fn try_login(app: &TestApp, email: &str, password: &str) -> reqwest::Response {
    client()
        .post(app.url("/login"))
        .form(&[
            ("email", email),
            ("password", password),
            ("next", "/orders"),
        ])
        .send()
        .await
        .unwrap()
}

pub async fn login(app: &TestApp, email: &str) -> Staff {
    let r = try_login(app, email, PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let set = r.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    let cookie = set.split(';').next().unwrap().to_owned();
    let client = client();
    let page = client
        .get(app.url("/orders"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let csrf = page
        .split(r#"<meta name="csrf-token" content=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the page carries its CSRF token")
        .to_owned();
    Staff {
        cookie,
        csrf,
        client,
    }
}

async fn login_good_and_bad(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;

    // Unauthenticated pages send you to the login, and back afterwards.
    let r = client().get(app.url("/orders/1001")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/login?next=%2Forders%2F1001");
    let form = client().get(app.url("/login")).send().await.unwrap();
    assert_eq!(form.status(), 200);
    let csp = form.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
        "{csp}"
    );
    let html = form.text().await.unwrap();
    assert!(html.contains(r#"name="email""#) && html.contains(r#"name="password""#));

    // Wrong password and unknown user get the same answer. (The agent's
    // failure makes only the agent's next check wait a second.)
    add_user(&app, "agent@shop.test", Role::Agent).await;
    for (email, password) in [
        ("agent@shop.test", "wrong password!"),
        ("nobody@shop.test", PASSWORD),
    ] {
        let r = try_login(&app, email, password).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
        assert!(r.headers().get(SET_COOKIE).is_none());
        assert!(r
            .text()
            .await
            .unwrap()
            .contains("Email or password is wrong"));
    }

    let r = try_login(&app, "Owner@Shop.test", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/orders");
    let set = r.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Max-Age="] {
        assert!(set.contains(attribute), "{set}");
    }
    assert!(!set.contains("Secure"), "plain http: {set}");
    // Only the hash of the session id is stored.
    let id = set.split(';').next().unwrap().split_once('=').unwrap().1;
    let now = chrono::Utc::now();
    assert!(app.store.session(id, now).await.unwrap().is_none());
    let stored = app
        .store
        .session(&orderdesk_web::auth::token_hash(id), now)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(stored.user.email, "owner@shop.test");

    let staff = login(&app, "owner@shop.test").await;
    let board = staff.get(&app, "/orders").await;
    assert_eq!(board.status(), 200);
    assert_eq!(board.headers()["cache-control"], "no-store");
    let html = board.text().await.unwrap();
    assert!(html.contains("data-last-event-id=\""), "{html}");
    assert!(html.contains("owner@shop.test"));
    app.stop().await;
}

async fn a_post_without_the_csrf_token_is_refused_and_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let staff = login(&app, "owner@shop.test").await;
    let order = app.place_order("wamid.csrf", "919800000111", "Csrf").await;
    let n = order["number"].as_i64().unwrap();
    let path = format!("/orders/{n}/status");
    let move_form = [("to", "cancelled"), ("reason", "test"), ("version", "")];

    let r = staff.post(&app, &path, &move_form).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let mut with_wrong = move_form.to_vec();
    with_wrong.push(("csrf", "not-the-token"));
    assert_eq!(
        staff.post(&app, &path, &with_wrong).await.status(),
        StatusCode::FORBIDDEN
    );
    let note = staff
        .post(&app, &format!("/orders/{n}/notes"), &[("text", "sneaky")])
        .await;
    assert_eq!(note.status(), StatusCode::FORBIDDEN);
    // Without a session at all: refused too, nothing changes.
    let r = client()
        .post(app.url(&path))
        .form(&[
            ("to", "cancelled"),
            ("reason", "x"),
            ("csrf", staff.csrf.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let (_, after) = app.get(&format!("/api/v1/orders/{n}")).await;
    assert_eq!(after["status"], "placed");
    assert_eq!(after["version"], order["version"]);
    assert!(!after["timeline"].to_string().contains("sneaky"));

    // A payment action the order's state does not allow is refused with why.
    let r = staff
        .post(
            &app,
            &format!("/orders/{n}/payment"),
            &[
                ("action", "mark_paid"),
                ("reason", "UTR 1"),
                ("csrf", staff.csrf.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.text().await.unwrap().contains("no delivery address yet"));
    let (_, unpaid) = app.get(&format!("/api/v1/orders/{n}")).await;
    assert_eq!(unpaid["payment_status"], "pending");

    // The same form with the token works, and a fetch() may send it as a header.
    let mut with = move_form.to_vec();
    with.push(("csrf", staff.csrf.as_str()));
    let r = staff.post(&app, &path, &with).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], format!("/orders/{n}"));
    let r = staff
        .client
        .post(app.url(&format!("/orders/{n}/notes")))
        .header(COOKIE, &staff.cookie)
        .header("x-csrf-token", &staff.csrf)
        .header("accept", "application/json")
        .form(&[("text", "called the customer <b>twice</b>")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (_, after) = app.get(&format!("/api/v1/orders/{n}")).await;
    assert_eq!(after["status"], "cancelled");
    let timeline = after["timeline"].as_array().unwrap();
    let note = timeline.iter().find(|e| e["kind"] == "staff_note").unwrap();
    assert_eq!(note["detail"], "called the customer <b>twice</b>");
    assert_eq!(note["actor_name"], "owner@shop.test");
    let cancel = timeline
        .iter()
        .find(|e| e["to_status"] == "cancelled")
        .unwrap();
    assert_eq!(cancel["actor_name"], "owner@shop.test");

    // An illegal move from the window is refused with the reason, nothing changes.
    let r = staff
        .post(
            &app,
            &path,
            &[("to", "shipped"), ("csrf", staff.csrf.as_str())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let html = r.text().await.unwrap();
    assert!(
        html.contains("The order is cancelled; it cannot move to shipped"),
        "{html}"
    );
    // The window escapes the note and offers only legal moves (archive).
    let html = staff
        .get(&app, &format!("/orders/{n}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("called the customer &lt;b&gt;twice&lt;/b&gt;"));
    assert!(html.contains(r#"data-move="archived""#));
    assert!(!html.contains(r#"data-move="shipped""#));
    app.stop().await;
}

async fn agents_cannot_manage_users_or_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    add_user(&app, "agent@shop.test", Role::Agent).await;
    let agent = login(&app, "agent@shop.test").await;
    for path in ["/users", "/tokens"] {
        assert_eq!(
            agent.get(&app, path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    let r = agent
        .post(
            &app,
            "/users",
            &[
                ("email", "new@shop.test"),
                ("role", "owner"),
                ("csrf", agent.csrf.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(app
        .store
        .user_by_email("new@shop.test")
        .await
        .unwrap()
        .is_none());
    let r = agent
        .post(
            &app,
            "/tokens",
            &[("name", "mine"), ("csrf", agent.csrf.as_str())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // The board does not even link there.
    let board = agent.get(&app, "/orders").await.text().await.unwrap();
    assert!(!board.contains(r#"href="/users""#));

    // The owner can: add a user (generated password shown once), make a
    // token that works on the API, revoke it.
    let owner = login(&app, "owner@shop.test").await;
    assert_eq!(owner.get(&app, "/users").await.status(), 200);
    let r = owner
        .post(
            &app,
            "/users",
            &[
                ("email", "New@Shop.test"),
                ("role", "agent"),
                ("password", ""),
                ("csrf", owner.csrf.as_str()),
            ],
        )
        .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    assert!(html.contains("shown only this once"), "{html}");
    let added = app
        .store
        .user_by_email("new@shop.test")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(added.user.role, Role::Agent);

    let r = owner
        .post(
            &app,
            "/tokens",
            &[("name", "erp"), ("csrf", owner.csrf.as_str())],
        )
        .await;
    assert_eq!(r.status(), 200);
    let html = r.text().await.unwrap();
    let secret = html
        .split(r#"<code id="secret">"#)
        .nth(1)
        .and_then(|s| s.split('<').next())
        .unwrap()
        .to_owned();
    let api = |secret: String| {
        let app_client = app.client.clone();
        let url = app.url("/api/v1/orders");
        async move {
            app_client
                .get(url)
                .bearer_auth(secret)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(api(secret.clone()).await, 200);
    let token = app
        .store
        .tokens()
        .await
        .unwrap()
        .into_iter()
        .find(|t| t.name == "erp")
        .unwrap();
    let page = owner.get(&app, "/tokens").await.text().await.unwrap();
    let revoke = format!(r#"action="/tokens/{}/revoke""#, token.id);
    assert!(page.contains(&revoke), "{page}");
    assert!(page.contains(r#"aria-label="Revoke erp""#), "{page}");
    let r = owner
        .post(
            &app,
            &format!("/tokens/{}/revoke", token.id),
            &[("csrf", owner.csrf.as_str())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(api(secret).await, 401);

    // Removing the agent ends their session.
    let agent_id = app
        .store
        .user_by_email("agent@shop.test")
        .await
        .unwrap()
        .unwrap()
        .user
        .id;
    let page = owner.get(&app, "/users").await.text().await.unwrap();
    let remove = format!(r#"action="/users/{agent_id}/remove""#);
    assert!(page.contains(&remove), "{page}");
    assert!(
        page.contains(r#"aria-label="Remove agent@shop.test""#),
        "{page}"
    );
    let r = owner
        .post(
            &app,
            &format!("/users/{agent_id}/remove"),
            &[("csrf", owner.csrf.as_str())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        agent.get(&app, "/orders").await.status(),
        StatusCode::SEE_OTHER
    );
    app.stop().await;
}

async fn logout_ends_the_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let staff = login(&app, "owner@shop.test").await;
    assert_eq!(staff.get(&app, "/orders").await.status(), 200);
    // Logging out is a POST with the token like any other.
    assert_eq!(
        staff.post(&app, "/logout", &[]).await.status(),
        StatusCode::FORBIDDEN
    );
    let r = staff
        .post(&app, "/logout", &[("csrf", staff.csrf.as_str())])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(r.headers()[LOCATION], "/login");
    assert!(r.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    let again = staff.get(&app, "/orders").await;
    assert_eq!(again.status(), StatusCode::SEE_OTHER);
    let events = staff.get(&app, "/api/v1/events").await;
    assert_eq!(events.status(), StatusCode::UNAUTHORIZED);
    app.stop().await;
}

async fn the_event_stream_accepts_the_session_cookie(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_user(&app, "agent@shop.test", Role::Agent).await;
    let staff = login(&app, "agent@shop.test").await;
    assert_eq!(
        client()
            .get(app.url("/api/v1/events"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );
    // A wrong bearer token is not rescued by a good cookie.
    let r = staff
        .client
        .get(app.url("/api/v1/events"))
        .header(COOKIE, &staff.cookie)
        .bearer_auth("odk_wrong")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);

    let html = staff.get(&app, "/orders").await.text().await.unwrap();
    let rendered_at: i64 = html
        .split("data-last-event-id=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .parse()
        .unwrap();
    // An order arrives between rendering and subscribing: the stream, opened
    // from the page's id as the script does, still delivers it.
    let order = app
        .place_order("wamid.sse-cookie", "919800000222", "Stream")
        .await;
    let mut r = staff
        .get(&app, &format!("/api/v1/events?last_event_id={rendered_at}"))
        .await;
    assert_eq!(r.status(), 200);
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while !seen.contains("event: order.created") {
        let chunk = tokio::time::timeout_at(deadline, r.chunk())
            .await
            .expect("an event in time")
            .unwrap()
            .unwrap();
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(
        seen.contains(&format!("\"number\":{}", order["number"])),
        "{seen}"
    );
    app.stop().await;
}

both_backends!(
    login_good_and_bad,
    a_post_without_the_csrf_token_is_refused_and_changes_nothing,
    agents_cannot_manage_users_or_tokens,
    logout_ends_the_session,
    the_event_stream_accepts_the_session_cookie,
);
