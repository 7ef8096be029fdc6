//! Many open event streams (dashboards) on one server: memory and fan-out.
//!
//! Each stream is a raw TCP connection speaking HTTP/1.1 to
//! `GET /api/v1/events`, reading into one small buffer and counting
//! `event: order.created` lines, so the client side costs a few KB per
//! stream and the resident memory of this process (server and clients
//! share it) is dominated by the server. The figures: memory before, with
//! every stream open, and after two equal rounds of orders delivered to
//! every stream — "flat" means the second round costs nothing more.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::load::{cart, Bench, SECRET};
use crate::Backend;

/// Resident set size of this process, from `/proc/self/statm` (Linux).
fn rss_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096)
}

fn mib(bytes: Option<u64>) -> String {
    bytes.map_or("?".to_owned(), |b| {
        format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0))
    })
}

/// Opens one stream and counts the `order.created` events it receives.
async fn open_stream(addr: String, token: String, seen: Arc<AtomicU64>) -> anyhow::Result<()> {
    let mut socket = TcpStream::connect(&addr).await?;
    let request = format!(
        "GET /api/v1/events HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nAccept: text/event-stream\r\n\r\n"
    );
    socket.write_all(request.as_bytes()).await?;
    let mut buf = [0u8; 2048];
    // A needle split across two reads is kept in `tail`.
    let needle = b"event: order.created";
    let mut tail: Vec<u8> = Vec::with_capacity(needle.len() * 2);
    loop {
        let n = socket.read(&mut buf).await?;
        if n == 0 {
            return Ok(());
        }
        tail.extend_from_slice(&buf[..n]);
        let found = tail.windows(needle.len()).filter(|w| w == needle).count();
        seen.fetch_add(found as u64, Relaxed);
        let keep = tail.len().min(needle.len() - 1);
        tail.drain(..tail.len() - keep);
    }
}

pub async fn streams(backend: Backend, count: usize, orders: u64) -> anyhow::Result<()> {
    let bench = Bench::start_with(backend, &[]).await?;
    let addr = bench
        .base
        .strip_prefix("http://")
        .context("the bench server is http")?
        .to_owned();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let before = rss_bytes();
    println!("streams on {backend:?}: {count} event streams, {orders} orders per round");
    println!("  memory before any stream:      {}", mib(before));

    let seen = Arc::new(AtomicU64::new(0));
    let t = Instant::now();
    for _ in 0..count {
        tokio::spawn(open_stream(addr.clone(), bench.token.clone(), seen.clone()));
    }
    // Wait until the server counts every stream as open.
    let client = reqwest::Client::new();
    loop {
        let metrics = client
            .get(format!("{}/metrics", bench.base))
            .send()
            .await?
            .text()
            .await?;
        let open = metrics
            .lines()
            .find_map(|l| l.strip_prefix("orderdesk_event_streams_open "))
            .and_then(|v| v.trim().parse::<usize>().ok())
            .unwrap_or(0);
        if open >= count {
            break;
        }
        if t.elapsed() > Duration::from_secs(60) {
            anyhow::bail!("only {open} of {count} streams open after 60 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let open = rss_bytes();
    println!(
        "  memory with {count} streams open: {} ({} opened in {:.2} s)",
        mib(open),
        count,
        t.elapsed().as_secs_f64()
    );
    if let (Some(a), Some(b)) = (before, open) {
        println!(
            "  per stream:                    {:.1} KiB (server and the bench's reader together)",
            (b.saturating_sub(a)) as f64 / count as f64 / 1024.0
        );
    }

    let mut next = 0u64;
    for round in 1..=2 {
        let t = Instant::now();
        for _ in 0..orders {
            let body = cart(next);
            next += 1;
            let sig = orderdesk_whatsapp::sign(SECRET.as_bytes(), body.as_bytes());
            let r = client
                .post(format!("{}/webhooks/whatsapp", bench.base))
                .header("x-hub-signature-256", sig)
                .body(body)
                .send()
                .await?;
            anyhow::ensure!(r.status() == 200, "webhook answered {}", r.status());
        }
        let want = next * count as u64;
        loop {
            if seen.load(Relaxed) >= want {
                break;
            }
            if t.elapsed() > Duration::from_secs(120) {
                anyhow::bail!(
                    "round {round}: {} of {want} deliveries after 120 s",
                    seen.load(Relaxed)
                );
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        println!(
            "  round {round}: {orders} orders reached all {count} streams ({} deliveries) in {:.2} s; memory {}",
            orders * count as u64,
            t.elapsed().as_secs_f64(),
            mib(rss_bytes())
        );
    }
    Ok(())
}
