//! The business's settings (issue #17): stored in the database, layered
//! under the environment, changed through `PUT /api/v1/settings` and the
//! `/settings` page; bad input changes nothing.

use orderdesk_store::Role;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::both_backends;
use crate::dashboard::{add_user, login};
use crate::helpers::{Backend, TestApp};

fn setting<'a>(list: &'a Value, key: &str) -> &'a Value {
    list["settings"]
        .as_array()
        .and_then(|all| all.iter().find(|s| s["key"] == key))
        .unwrap_or_else(|| panic!("{key} is listed: {list}"))
}

pub(crate) async fn put(app: &TestApp, settings: Value) -> (StatusCode, Value) {
    let r = app
        .client
        .put(app.url("/api/v1/settings"))
        .bearer_auth(&app.token)
        .json(&json!({ "settings": settings }))
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

fn message(body: &Value) -> &str {
    body["error"]["message"].as_str().unwrap_or_default()
}

async fn settings_are_stored_under_the_environment_and_refused_whole(backend: Backend) {
    let app = TestApp::spawn_configured(backend, None, &[("ORDERDESK_LOCALE", "en-IN")]).await;

    let (s, list) = app.get("/api/v1/settings").await;
    assert_eq!(s, 200, "{list}");
    let tz = setting(&list, "ORDERDESK_TIMEZONE");
    assert_eq!(
        (tz["value"].clone(), tz["source"].clone()),
        (json!("UTC"), json!("default"))
    );
    assert_eq!(tz["editable"], true);
    let locale = setting(&list, "ORDERDESK_LOCALE");
    assert_eq!(locale["source"], "environment");
    assert_eq!(locale["editable"], false);
    let secret = setting(&list, "WHATSAPP_APP_SECRET");
    assert_eq!(secret["value"], Value::Null, "secrets are never shown");
    assert_eq!(secret["set"], true);
    assert_eq!(setting(&list, "ORDERDESK_LISTEN")["editable"], false);

    let (s, changed) = put(
        &app,
        json!({"ORDERDESK_TIMEZONE": "Asia/Kolkata", "ORDERDESK_BUSINESS_NAME": "Asha's Kitchen"}),
    )
    .await;
    assert_eq!(s, 200, "{changed}");
    let tz = setting(&changed, "ORDERDESK_TIMEZONE");
    assert_eq!(
        (tz["value"].clone(), tz["source"].clone()),
        (json!("Asia/Kolkata"), json!("stored"))
    );
    assert_eq!(tz["updated_by"], "token:tests");

    // Each refusal names the problem and changes nothing, not even the
    // good half of a change.
    let (s, bad) = put(
        &app,
        json!({"ORDERDESK_BUSINESS_NAME": "Other", "ORDERDESK_TIMEZONE": "Mars/Olympus"}),
    )
    .await;
    assert_eq!(s, 422, "{bad}");
    assert!(message(&bad).contains("Mars/Olympus"), "{bad}");
    let (s, bad) = put(&app, json!({"ORDERDESK_LOCALE": "de-DE"})).await;
    assert_eq!(s, 409, "{bad}");
    assert!(message(&bad).contains("environment"), "{bad}");
    let (s, bad) = put(&app, json!({"ORDERDESK_LISTEN": "0.0.0.0:9"})).await;
    assert_eq!(s, 409, "{bad}");
    assert!(message(&bad).contains("starts"), "{bad}");
    let (s, bad) = put(&app, json!({"NO_SUCH_SETTING": "1"})).await;
    assert_eq!(s, 422, "{bad}");
    assert!(message(&bad).contains("NO_SUCH_SETTING"), "{bad}");
    let (s, bad) = put(&app, json!({"ORDERDESK_NUDGE_AFTER": "soon"})).await;
    assert_eq!(s, 422, "{bad}");
    assert!(message(&bad).contains("ORDERDESK_NUDGE_AFTER"), "{bad}");

    let (_, list) = app.get("/api/v1/settings").await;
    assert_eq!(
        setting(&list, "ORDERDESK_BUSINESS_NAME")["value"],
        "Asha's Kitchen"
    );
    assert_eq!(
        setting(&list, "ORDERDESK_TIMEZONE")["value"],
        "Asia/Kolkata"
    );

    // null (or "") forgets the stored value: the default is back.
    let (s, reset) = put(&app, json!({"ORDERDESK_TIMEZONE": null})).await;
    assert_eq!(s, 200, "{reset}");
    assert_eq!(setting(&reset, "ORDERDESK_TIMEZONE")["source"], "default");
    let stored: Vec<String> = app
        .store
        .stored_settings()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.key)
        .collect();
    assert_eq!(stored, vec!["ORDERDESK_BUSINESS_NAME".to_owned()]);
}

async fn the_settings_page_saves_what_changed_and_says_what_is_wrong(backend: Backend) {
    let app = TestApp::spawn_configured(backend, None, &[("ORDERDESK_LOCALE", "en-IN")]).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    add_user(&app, "agent@shop.test", Role::Agent).await;
    let owner = login(&app, "owner@shop.test").await;

    let page = owner.get(&app, "/settings").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Business profile"), "{html}");
    assert!(
        html.contains("Set in the server&#39;s environment, which wins.")
            || html.contains("Set in the server's environment, which wins."),
        "the environment's locale is shown as fixed"
    );

    let saved = owner
        .post(
            &app,
            "/settings",
            &[
                ("csrf", owner.csrf.as_str()),
                ("ORDERDESK_TIMEZONE", "Asia/Kolkata"),
                ("ORDERDESK_BUSINESS_NAME", ""),
            ],
        )
        .await;
    assert_eq!(saved.status(), 200);
    let html = saved.text().await.unwrap();
    assert!(html.contains("1 setting saved."), "{html}");
    assert!(html.contains(r#"value="Asia/Kolkata""#), "{html}");

    let refused = owner
        .post(
            &app,
            "/settings",
            &[
                ("csrf", owner.csrf.as_str()),
                ("ORDERDESK_TIMEZONE", "Mars/Olympus"),
            ],
        )
        .await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("Nothing was saved"), "{html}");
    assert!(html.contains("Mars/Olympus"), "{html}");
    let (_, list) = app.get("/api/v1/settings").await;
    assert_eq!(
        setting(&list, "ORDERDESK_TIMEZONE")["value"],
        "Asia/Kolkata"
    );

    let agent = login(&app, "agent@shop.test").await;
    assert_eq!(agent.get(&app, "/settings").await.status(), 403);
}

both_backends!(
    settings_are_stored_under_the_environment_and_refused_whole,
    the_settings_page_saves_what_changed_and_says_what_is_wrong,
);
