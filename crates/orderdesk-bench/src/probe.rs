//! The bare durable-ingest probe: what this machine can acknowledge when a
//! server does nothing but the unavoidable part of a webhook — verify the
//! HMAC, parse the body, group-commit its items into a WAL SQLite database
//! at `synchronous=FULL` — and answer. No inbox processing, no events, no
//! routing layers beyond one axum route.
//!
//! `ingest --probe` runs it in the same invocation as the real server, so
//! the machine's load at that moment is in both figures and their ratio
//! says how far orderdesk is from the machine's limit.

use std::str::FromStr;
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::QueryBuilder;
use tokio::sync::{mpsc, oneshot};

use crate::load::{cart, drive, report, SECRET};

type Job = (Vec<(String, String)>, oneshot::Sender<bool>);

/// Starts the probe on a loopback port; returns its webhook URL and the
/// directory holding its database (dropped with the probe).
async fn start() -> anyhow::Result<(String, tempfile::TempDir)> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("probe.db").display());
    let options = SqliteConnectOptions::from_str(&url)?
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full);
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await?;
    sqlx::query(
        "CREATE TABLE inbound (id INTEGER PRIMARY KEY, external_id TEXT NOT NULL UNIQUE, \
         payload TEXT NOT NULL)",
    )
    .execute(&pool)
    .await?;

    let (jobs, mut rx) = mpsc::channel::<Job>(4096);
    // The group-commit writer: everything queued while the last commit was
    // in flight goes into the next one.
    tokio::spawn(async move {
        while let Some(first) = rx.recv().await {
            let mut batch = vec![first];
            while batch.len() < 1024 {
                match rx.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            let rows: Vec<&(String, String)> = batch.iter().flat_map(|(r, _)| r).collect();
            let ok = commit(&pool, &rows).await.is_ok();
            for (_, reply) in batch {
                let _ = reply.send(ok);
            }
        }
    });

    let app = axum::Router::new().route(
        "/webhooks/whatsapp",
        post(move |headers: HeaderMap, body: Bytes| {
            let jobs = jobs.clone();
            async move {
                let signature = headers
                    .get("x-hub-signature-256")
                    .and_then(|v| v.to_str().ok());
                if orderdesk_whatsapp::verify_signature(SECRET.as_bytes(), signature, &body)
                    .is_err()
                {
                    return StatusCode::UNAUTHORIZED;
                }
                let Ok(items) = orderdesk_whatsapp::split_webhook(&body) else {
                    return StatusCode::BAD_REQUEST;
                };
                let rows = items
                    .into_iter()
                    .map(|i| (i.external_id, i.payload))
                    .collect();
                let (reply, answer) = oneshot::channel();
                if jobs.send((rows, reply)).await.is_err() {
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
                match answer.await {
                    Ok(true) => StatusCode::OK,
                    _ => StatusCode::SERVICE_UNAVAILABLE,
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}/webhooks/whatsapp", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((base, dir))
}

async fn commit(pool: &sqlx::SqlitePool, rows: &[&(String, String)]) -> sqlx::Result<()> {
    let mut tx = pool.begin().await?;
    // 2 parameters a row, well under SQLite's 32,766.
    for chunk in rows.chunks(4096) {
        let mut qb = QueryBuilder::new("INSERT INTO inbound (external_id, payload) ");
        qb.push_values(chunk, |mut row, (id, payload)| {
            row.push_bind(id).push_bind(payload);
        });
        qb.push(" ON CONFLICT DO NOTHING");
        qb.build().execute(&mut *tx).await?;
    }
    tx.commit().await
}

/// Runs the probe for `seconds` with the same load the real server gets;
/// returns its acknowledged webhooks per second.
pub(crate) async fn run(
    client: &reqwest::Client,
    concurrency: usize,
    seconds: u64,
    rate: Option<u64>,
) -> anyhow::Result<f64> {
    let (url, _dir) = start().await?;
    let c = client.clone();
    let (lat, elapsed, errors) = drive(concurrency, seconds, rate, move |i| {
        let body = cart(i);
        let sig = orderdesk_whatsapp::sign(SECRET.as_bytes(), body.as_bytes());
        let req = c.post(&url).header("x-hub-signature-256", sig).body(body);
        async move { matches!(req.send().await, Ok(r) if r.status() == 200) }
    })
    .await;
    let rate = lat.len() as f64 / elapsed.as_secs_f64().max(f64::EPSILON);
    report("probe (bare durable ingest) acks", lat, elapsed, errors);
    // Let the probe's last commits and sockets settle before the real run.
    tokio::time::sleep(Duration::from_millis(500)).await;
    Ok(rate)
}
