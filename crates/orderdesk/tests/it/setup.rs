//! First run in the dashboard (#20 item 3) over HTTP: a new owner connects
//! the WhatsApp number on `/setup`, bad input is refused with nothing
//! stored, the test message reaches the phone simulator (Graph's refusal
//! comes back in its words), Meta's handshake with the stored verify token
//! turns the page to "webhook received", and `/settings` shows the status
//! panels and runs the checks.

use orderdesk_store::Role;
use reqwest::header::{ACCEPT, COOKIE, LOCATION};
use reqwest::StatusCode;
use serde_json::Value;

use crate::both_backends;
use crate::dashboard::{add_user, client, login, Staff};
use crate::helpers::{standalone_phone, Backend, TestApp};

const NUMBER_ID: &str = "106540352242922";
const GOOD_TOKEN: &str = "EAAG-good-token";
const SECRET: &str = "setup-app-secret";

async fn post_json(
    staff: &Staff,
    app: &TestApp,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, Value) {
    let r = staff
        .client
        .post(app.url(path))
        .header(COOKIE, &staff.cookie)
        .header(ACCEPT, "application/json")
        .header("x-csrf-token", &staff.csrf)
        .form(form)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

/// A request the server refuses: its status and error code.
async fn refused(staff: &Staff, app: &TestApp, path: &str, form: &[(&str, &str)]) -> (u16, String) {
    let (status, body) = post_json(staff, app, path, form).await;
    let code = body["error"]["code"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (status, code)
}

async fn setting(app: &TestApp, key: &str) -> Value {
    let (status, body) = app.get("/api/v1/settings").await;
    assert_eq!(status, 200);
    body["settings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["key"] == key)
        .cloned()
        .unwrap()
}

async fn text(staff: &Staff, app: &TestApp, path: &str) -> (u16, String) {
    let r = staff.get(app, path).await;
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn an_owner_connects_the_number_from_the_dashboard(backend: Backend) {
    let (graph, start_phone) = standalone_phone(NUMBER_ID, GOOD_TOKEN, SECRET).await;
    let app = TestApp::spawn_unconnected(backend, &graph).await;
    let sim = start_phone(&app.base);
    add_user(&app, "owner@shop.test", Role::Owner).await;
    add_user(&app, "agent@shop.test", Role::Agent).await;
    let owner = login(&app, "owner@shop.test").await;
    let agent = login(&app, "agent@shop.test").await;

    // Managers are sent to setup from every page until a number is connected.
    let (_, board) = text(&owner, &app, "/orders").await;
    assert!(board.contains("Connect your number"), "{board}");
    let (_, agents_board) = text(&agent, &app, "/orders").await;
    assert!(!agents_board.contains("Connect your number"));

    // Only owners and admins.
    let r = client().get(app.url("/setup")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(r.headers()[LOCATION]
        .to_str()
        .unwrap()
        .starts_with("/login"));
    assert_eq!(
        agent.get(&app, "/setup").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        refused(&agent, &app, "/setup", &[("access_token", "x-token")]).await,
        (403, "forbidden".to_owned())
    );
    assert_eq!(setting(&app, "WHATSAPP_ACCESS_TOKEN").await["set"], false);

    // The page: what to paste into Meta, a verify token made on first visit.
    let (status, page) = text(&owner, &app, "/setup").await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&format!("{}/webhooks/whatsapp", app.base)),
        "{page}"
    );
    assert!(
        page.contains(r#"data-copy="webhook-url""#) && page.contains(r#"data-copy="verify-token""#)
    );
    let token = page
        .split("odk-verify-")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(|hex| format!("odk-verify-{hex}"))
        .expect("a verify token on the page");
    let stored = setting(&app, "WHATSAPP_VERIFY_TOKEN").await;
    assert_eq!(
        (
            stored["set"].clone(),
            stored["value"].clone(),
            stored["source"].clone()
        ),
        (Value::Bool(true), Value::Null, Value::from("stored"))
    );
    let (_, again) = text(&owner, &app, "/setup").await;
    assert!(again.contains(&token), "the token is made once");

    // Nothing to send with yet.
    assert_eq!(
        refused(&owner, &app, "/setup/test", &[("to", "+91 98123 45601")]).await,
        (409, "not_connected".to_owned())
    );

    // Bad input: a clear error naming the field, nothing stored.
    let r = owner
        .post(
            &app,
            "/setup",
            &[
                ("csrf", &owner.csrf),
                ("phone_number_id", "10654abc"),
                ("access_token", GOOD_TOKEN),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = r.text().await.unwrap();
    assert!(
        page.contains("Nothing was saved: phone number id must be"),
        "{page}"
    );
    let r = owner
        .post(
            &app,
            "/setup",
            &[
                ("csrf", &owner.csrf),
                ("phone_number_id", NUMBER_ID),
                ("app_secret", "two words"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        !r.text().await.unwrap().contains("two words"),
        "a credential is not echoed"
    );
    assert_eq!(setting(&app, "WHATSAPP_ACCESS_TOKEN").await["set"], false);
    assert_eq!(
        setting(&app, "WHATSAPP_PHONE_NUMBER_ID").await["source"],
        "unset"
    );
    assert_eq!(
        refused(&owner, &app, "/setup", &[("business_account_id", "12")]).await,
        (422, "invalid_request".to_owned())
    );

    // A token Meta refuses: saved, and the test says so in Graph's words.
    let r = owner
        .post(
            &app,
            "/setup",
            &[
                ("csrf", &owner.csrf),
                ("phone_number_id", NUMBER_ID),
                (
                    "business_account_id",
                    orderdesk_phone::DEMO_BUSINESS_ACCOUNT_ID,
                ),
                ("access_token", "EAAG-expired"),
                ("app_secret", SECRET),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let page = r.text().await.unwrap();
    assert!(page.contains("Saved."));
    assert!(
        !page.contains("EAAG-expired") && !page.contains(SECRET),
        "credentials are never shown back"
    );
    assert_eq!(
        setting(&app, "WHATSAPP_PHONE_NUMBER_ID").await["value"],
        NUMBER_ID
    );
    let (status, body) = post_json(&owner, &app, "/setup/test", &[("to", "+91 98123 45601")]).await;
    assert_eq!(status, 502, "{body}");
    assert_eq!(body["error"]["code"], "whatsapp_refused");
    let message = body["error"]["message"].as_str().unwrap();
    assert!(message.contains("Invalid OAuth access token"), "{message}");

    // The right token: the test message reaches the phone.
    let r = owner
        .post(
            &app,
            "/setup",
            &[("csrf", &owner.csrf), ("access_token", GOOD_TOKEN)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        refused(&owner, &app, "/setup/test", &[("to", "call me")]).await,
        (422, "invalid_request".to_owned())
    );
    let (status, body) = post_json(&owner, &app, "/setup/test", &[("to", "+91 98123 45601")]).await;
    assert_eq!(
        (status, body["sent"].as_bool()),
        (200, Some(true)),
        "{body}"
    );
    let thread = sim
        .thread("919812345601", 0)
        .expect("the phone got a thread");
    assert_eq!(thread.messages.len(), 1);
    assert_eq!(thread.messages[0].kind, "template");
    assert_eq!(body["message_id"], thread.messages[0].wamid.as_str());

    // Meta calls: the handshake with the stored token passes and is seen.
    let (_, status) = owner_status(&owner, &app).await;
    assert_eq!(status["webhook_received"], false);
    assert_eq!(status["connected"], true);
    let wrong = app
        .client
        .get(app.url("/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=7"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        owner_status(&owner, &app).await.1["webhook_received"],
        false
    );
    let r = app
        .client
        .get(app.url(&format!(
            "/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=4711"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.text().await.unwrap(), "4711");
    let (code, status) = owner_status(&owner, &app).await;
    assert_eq!(code, 200);
    assert_eq!(status["webhook_received"], true);
    assert!(status["last_webhook_at"].is_string());
    let (_, page) = text(&owner, &app, "/setup").await;
    assert!(page.contains("Webhook received ✓"));
    let (_, board) = text(&owner, &app, "/orders").await;
    assert!(
        !board.contains("Connect your number"),
        "connected: no banner"
    );

    // A delivery signed with the app secret stored here is accepted.
    let body =
        crate::helpers::status_webhook("wamid.setup.1", "delivered", "919812345601", 1_700_000_000);
    let signature = orderdesk_whatsapp::sign(SECRET.as_bytes(), body.as_bytes());
    let r = app
        .client
        .post(app.url("/webhooks/whatsapp"))
        .header("content-type", "application/json")
        .header("x-hub-signature-256", signature)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // /settings: the status panels, and the checks with the stored values.
    let (_, settings) = text(&owner, &app, "/settings").await;
    assert!(settings.contains("WhatsApp connection") && settings.contains("Payment provider"));
    assert!(
        settings.contains(&format!("phone number id {NUMBER_ID}")),
        "{settings}"
    );
    assert!(settings.contains("Last webhook received"));
    assert_eq!(
        agent.get(&app, "/settings/doctor.json").await.status(),
        StatusCode::FORBIDDEN
    );
    let r = owner.get(&app, "/settings/doctor.json").await;
    assert_eq!(r.status(), StatusCode::OK);
    let report: Value = r.json().await.unwrap();
    let check = |id: &str| {
        report["checks"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .cloned()
            .unwrap()
    };
    assert_eq!(check("whatsapp_number")["ok"], true, "{report}");
    assert_eq!(check("webhook_subscription")["ok"], true, "{report}");
    assert_eq!(check("verify_token")["ok"], true, "{report}");
    assert_eq!(check("last_webhook")["ok"], true, "{report}");
    app.stop().await;
}

async fn owner_status(owner: &Staff, app: &TestApp) -> (u16, Value) {
    let r = owner.get(app, "/setup/status.json").await;
    (r.status().as_u16(), r.json().await.unwrap())
}

/// The environment wins: a value it fixes is shown read-only and a change
/// to it is refused with 409, nothing stored.
async fn the_environment_fixes_what_it_sets(backend: Backend) {
    let app = TestApp::spawn_with(backend, Some("http://127.0.0.1:9/v23.0")).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let owner = login(&app, "owner@shop.test").await;
    let (status, page) = text(&owner, &app, "/setup").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("test-verify-token"),
        "the environment's verify token is shown"
    );
    assert!(!page.contains("Connect your number"));
    assert_eq!(
        refused(&owner, &app, "/setup", &[("access_token", "EAAG-other")]).await,
        (409, "conflict".to_owned())
    );
    assert_eq!(
        setting(&app, "WHATSAPP_ACCESS_TOKEN").await["source"],
        "environment"
    );
    app.stop().await;
}

both_backends!(
    an_owner_connects_the_number_from_the_dashboard,
    the_environment_fixes_what_it_sets
);
