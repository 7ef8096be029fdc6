//! Login rate limiting (issue #11 item 3): attempts are counted before the
//! check, a failure makes only that account wait (doubling), an address
//! has a budget, and the address comes from a trusted proxy header only.

use std::time::Duration;

use orderdesk_store::Role;
use reqwest::header::{RETRY_AFTER, SET_COOKIE};
use reqwest::StatusCode;

use crate::both_backends;
use crate::dashboard::{add_user, client, try_login, PASSWORD};
use crate::helpers::{Backend, TestApp};

async fn login_from(app: &TestApp, email: &str, password: &str, from: &str) -> StatusCode {
    client()
        .post(app.url("/login"))
        .header("X-Forwarded-For", from)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap()
        .status()
}

async fn a_failure_delays_that_account_only_and_the_right_password_then_works(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    add_user(&app, "agent@shop.test", Role::Agent).await;
    let r = try_login(&app, "owner@shop.test", "not the password").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    // The next check of that account waits, even with the right password…
    let r = try_login(&app, "owner@shop.test", PASSWORD).await;
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(r.headers().get(SET_COOKIE).is_none());
    let wait: u64 = r.headers()[RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
    assert!(r.text().await.unwrap().contains("Try again in"));
    // …another account from the same address does not…
    assert_eq!(
        try_login(&app, "agent@shop.test", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    // …and once the wait is over the right password gets in: no lock-out.
    tokio::time::sleep(Duration::from_secs(wait)).await;
    assert_eq!(
        try_login(&app, "owner@shop.test", PASSWORD).await.status(),
        StatusCode::SEE_OTHER
    );
    // A fetch() gets the JSON error shape.
    try_login(&app, "agent@shop.test", "wrong").await;
    let r = client()
        .post(app.url("/login"))
        .header("Accept", "application/json")
        .form(&[("email", "agent@shop.test"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let body: serde_json::Value = r.json().await.unwrap();
    assert_eq!(body["error"]["code"], "rate_limited");
    app.stop().await;
}

async fn forty_parallel_guesses_at_one_account_check_one_password(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    let guesses = (0..40).map(|i| {
        let app = &app;
        async move {
            try_login(app, "owner@shop.test", &format!("guess {i}"))
                .await
                .status()
        }
    });
    let statuses = futures_util::future::join_all(guesses).await;
    let checked = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!(checked, 1, "{statuses:?}");
    assert!(statuses
        .iter()
        .all(|s| [StatusCode::UNAUTHORIZED, StatusCode::TOO_MANY_REQUESTS].contains(s)));
    app.stop().await;
}

/// Failed logins at fresh accounts, from `from(i)`, until one is refused;
/// how many were checked. The budget refills one per 3 s, so slow checks
/// may earn a few more than 20.
async fn checked_until_refused(app: &TestApp, from: impl Fn(usize) -> String) -> usize {
    let started = std::time::Instant::now();
    for i in 0..100 {
        let status = login_from(app, &format!("u{i}@shop.test"), "x", &from(i)).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            let earned = usize::try_from(started.elapsed().as_secs() / 3).unwrap();
            assert!((20..=20 + earned + 1).contains(&i), "{i} checked");
            return i;
        }
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    panic!("100 attempts from one address were all checked");
}

async fn the_address_budget_counts_the_peer_unless_a_proxy_header_is_trusted(backend: Backend) {
    // Not trusted: a forged X-Forwarded-For does not make new addresses.
    let app = TestApp::spawn(backend).await;
    checked_until_refused(&app, |i| format!("203.0.113.{i}")).await;
    app.stop().await;

    // Trusted: each client behind the proxy has its own budget, and the
    // proxy's own entry (the last) counts, not what the client claimed.
    let app = TestApp::spawn_configured(
        backend,
        None,
        &[("ORDERDESK_TRUSTED_PROXY_HEADER", "X-Forwarded-For")],
    )
    .await;
    add_user(&app, "owner@shop.test", Role::Owner).await;
    checked_until_refused(&app, |i| format!("198.51.100.{i}, 203.0.113.9")).await;
    assert_eq!(
        login_from(&app, "owner@shop.test", PASSWORD, "203.0.113.10").await,
        StatusCode::SEE_OTHER,
        "a colleague behind the same proxy is not locked out"
    );
    app.stop().await;
}

both_backends!(
    a_failure_delays_that_account_only_and_the_right_password_then_works,
    forty_parallel_guesses_at_one_account_check_one_password,
    the_address_budget_counts_the_peer_unless_a_proxy_header_is_trusted,
);
