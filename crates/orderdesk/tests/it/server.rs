//! The server's connection limits: header-read and idle timeouts and the
//! connection cap (issue #11 item 5), with event streams unharmed.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{Backend, SseReader, TestApp};

/// Small limits, so a test sees them act within seconds.
async fn app_with(extra: &[(&str, &str)]) -> TestApp {
    let mut settings = vec![
        ("ORDERDESK_HEADER_READ_TIMEOUT", "1s"),
        ("ORDERDESK_IDLE_TIMEOUT", "2s"),
    ];
    settings.extend_from_slice(extra);
    TestApp::spawn_configured(Backend::Sqlite, None, &settings).await
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(app.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Reads until the server closes; how long that took (panics past `limit`).
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> (Duration, String) {
    let start = Instant::now();
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match tokio::time::timeout_at((start + limit).into(), stream.read(&mut buf)).await {
            Err(_) => panic!(
                "still open after {limit:?}; got {:?}",
                String::from_utf8_lossy(&got)
            ),
            Ok(Ok(0) | Err(_)) => return (start.elapsed(), String::from_utf8_lossy(&got).into()),
            Ok(Ok(n)) => got.extend_from_slice(&buf[..n]),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_a_request_line_or_partial_headers_are_closed_after_the_header_timeout() {
    let app = app_with(&[]).await;
    for partial in [
        &b"GET /healthz HT"[..],
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ",
    ] {
        let mut s = connect(&app).await;
        s.write_all(partial).await.unwrap();
        let (after, _) = closed_within(&mut s, Duration::from_secs(5)).await;
        assert!(after >= Duration::from_millis(800), "{after:?}");
    }
    // Dripping a byte at a time does not keep a head alive.
    let mut s = connect(&app).await;
    let start = Instant::now();
    let mut closed = false;
    for byte in b"GET /healthz HTTP/1.1\r\nX-Drip: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" {
        if s.write_all(&[*byte]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if !closed {
        closed_within(&mut s, Duration::from_secs(5)).await;
    }
    assert!(start.elapsed() < Duration::from_secs(5));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_connection_and_an_idle_keep_alive_one_are_closed() {
    let app = app_with(&[]).await;
    let mut silent = connect(&app).await;
    let (after, got) = closed_within(&mut silent, Duration::from_secs(5)).await;
    assert!(after >= Duration::from_millis(800), "{after:?}");
    assert!(!got.contains("200"), "{got}");

    let mut kept = connect(&app).await;
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (_, got) = closed_within(&mut kept, Duration::from_secs(5)).await;
    assert!(got.starts_with("HTTP/1.1 200"), "{got}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_whose_body_stalls_is_closed_after_the_idle_timeout() {
    // The header timeout is out of the way here: only the idle one can act
    // (the handler's own 30 s timeout would come much later).
    let app = app_with(&[("ORDERDESK_HEADER_READ_TIMEOUT", "30s")]).await;
    let mut s = connect(&app).await;
    s.write_all(
        b"POST /webhooks/whatsapp HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"object\"",
    )
    .await
    .unwrap();
    let (after, _) = closed_within(&mut s, Duration::from_secs(8)).await;
    assert!(after >= Duration::from_millis(1500), "{after:?}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_event_stream_outlives_the_timeouts_and_still_gets_events() {
    let app = app_with(&[]).await;
    let mut stream = SseReader::open(&app, None).await;
    // Twice the idle timeout without an event.
    tokio::time::sleep(Duration::from_secs(4)).await;
    app.place_order("wamid.late", "15553000001", "Late").await;
    let event = stream.next(Duration::from_secs(5)).await;
    assert_eq!(event.kind, "order.created");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_over_the_cap_wait_without_harming_those_in() {
    let app = app_with(&[
        ("ORDERDESK_MAX_CONNECTIONS", "2"),
        ("ORDERDESK_HEADER_READ_TIMEOUT", "5s"),
        ("ORDERDESK_IDLE_TIMEOUT", "10s"),
    ])
    .await;
    let mut first = SseReader::open(&app, None).await;
    let second = SseReader::open(&app, None).await;
    // A third connection is not served while both are open…
    let third = tokio::spawn({
        let url = app.url("/healthz");
        async move {
            let started = Instant::now();
            let status = reqwest::get(url).await.unwrap().status();
            (status, started.elapsed())
        }
    });
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert!(!third.is_finished(), "a third connection was served");
    drop(second);
    // …once one leaves, the waiting one is answered,
    let (status, waited) = tokio::time::timeout(Duration::from_secs(5), third)
        .await
        .expect("served once a connection left")
        .unwrap();
    assert_eq!(status, 200);
    assert!(waited >= Duration::from_millis(900), "{waited:?}");
    // …and the one that stayed in all along is unharmed.
    app.place_order("wamid.cap", "15553000002", "Cap").await;
    assert_eq!(
        first.next(Duration::from_secs(5)).await.kind,
        "order.created"
    );
    app.stop().await;
}
