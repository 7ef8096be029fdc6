//! Several instances on one PostgreSQL (issue #7).
//!
//! - `scale-ingest`: N servers (each its own `orderdesk::serve`: own pool,
//!   engine, inbox writer, processor, dispatcher and change listener) on one
//!   fresh database, in this process; signed cart webhooks round-robin over
//!   them, while a stream on the last instance counts `order.created`.
//!   Then the cross-instance latency: lone carts sent to the first instance
//!   one at a time, and carts at a modest open-loop rate, timed to the
//!   `order.created` event on the last instance's stream.
//! - `big-list`: bulk-loads M orders with `generate_series` (not through
//!   webhooks), then times the order list, filters, deep pages and searches
//!   over HTTP, printing the plan PostgreSQL chose for each.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context;
use orderdesk::Config;
use orderdesk_store::prelude::*;
use orderdesk_store::NewApiToken;
use tokio::sync::oneshot;

use crate::load::{cart, drive, percentile, report, SECRET};

struct Server {
    base: String,
    _stop: oneshot::Sender<()>,
}

async fn start_server(db_url: &str, pool: u32) -> anyhow::Result<Server> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let url = db_url.to_owned();
    let pool = pool.to_string();
    let config = Config::from_sources(None, |k| match k {
        "ORDERDESK_DATABASE_URL" => Some(url.clone()),
        "WHATSAPP_APP_SECRET" => Some(SECRET.to_owned()),
        "ORDERDESK_DATABASE_MAX_CONNECTIONS" => Some(pool.clone()),
        _ => None,
    })?;
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(orderdesk::serve(config, listener, async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    for _ in 0..200 {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            if r.status() == 200 {
                return Ok(Server { base, _stop: stop });
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    anyhow::bail!("a server did not come up")
}

/// A fresh migrated database with the bench token; the cluster lives as
/// long as the returned guard. `durable`: the cluster at PostgreSQL's
/// durable defaults (fsync, synchronous commit) instead of the test
/// settings.
async fn fresh_database(
    durable: bool,
) -> anyhow::Result<(orderdesk_testkit::PgCluster, String, String)> {
    let cluster = if durable {
        orderdesk_testkit::PgCluster::start_durable()?
    } else {
        orderdesk_testkit::PgCluster::start()?
    };
    let url = cluster.create_database()?;
    let store = orderdesk_store_postgres::connect(&url, 2).await?;
    store.migrate().await?;
    let token = "odk_bench_token".to_owned();
    store
        .create_token(&NewApiToken {
            name: "bench".into(),
            secret_hash: orderdesk_web::auth::token_hash(&token),
            created_at: chrono::Utc::now(),
        })
        .await?;
    store.backend().close().await;
    Ok((cluster, url, token))
}

/// What `scale-ingest` runs.
pub struct ScaleIngest {
    pub instances: usize,
    pub concurrency: usize,
    pub seconds: u64,
    pub latency_rate: u64,
    pub durable: bool,
    /// Orders sent one at a time, each after the previous one's event.
    pub lone: u64,
    /// Carts per second of the load (open loop); `None`: as fast as the
    /// connections go.
    pub rate: Option<u64>,
}

/// When each customer's `order.created` arrived on one stream.
type Arrivals = Arc<Mutex<HashMap<String, Instant>>>;

/// Reads `order.created` events from the stream at `base` into `arrivals`
/// until aborted; returns once the stream is open.
async fn read_stream(
    client: &reqwest::Client,
    base: &str,
    token: &str,
    arrivals: Arrivals,
    arrived: Arc<tokio::sync::Notify>,
) -> anyhow::Result<tokio::task::JoinHandle<()>> {
    let mut response = client
        .get(format!("{base}/api/v1/events"))
        .bearer_auth(token)
        .send()
        .await?;
    Ok(tokio::spawn(async move {
        let mut buffer = String::new();
        while let Ok(Some(chunk)) = response.chunk().await {
            let now = Instant::now();
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find("\n\n") {
                let block: String = buffer.drain(..end + 2).collect();
                if !block.contains("event: order.created") {
                    continue;
                }
                let data = block.lines().find_map(|l| l.strip_prefix("data: "));
                let value = data.and_then(|d| serde_json::from_str::<serde_json::Value>(d).ok());
                if let Some(wa) = value.as_ref().and_then(|v| v["customer"]["wa_id"].as_str()) {
                    arrivals
                        .lock()
                        .map(|mut a| a.insert(wa.to_owned(), now))
                        .ok();
                    arrived.notify_waiters();
                }
            }
        }
    }))
}

fn arrived_count(arrivals: &Arrivals) -> usize {
    arrivals.lock().map(|a| a.len()).unwrap_or(0)
}

fn arrival_of(arrivals: &Arrivals, wa_id: &str) -> Option<Instant> {
    arrivals.lock().ok().and_then(|a| a.get(wa_id).copied())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

async fn post_cart(client: &reqwest::Client, webhook: &str, i: u64) -> anyhow::Result<bool> {
    let body = cart(i);
    let sig = orderdesk_whatsapp::sign(SECRET.as_bytes(), body.as_bytes());
    let r = client
        .post(webhook)
        .header("x-hub-signature-256", sig)
        .body(body)
        .send()
        .await?;
    Ok(r.status() == 200)
}

pub async fn ingest(run: ScaleIngest) -> anyhow::Result<()> {
    let (cluster, url, token) = fresh_database(run.durable).await?;
    let instances = run.instances.max(1);
    let pool = u32::try_from(16 / instances).unwrap_or(8).max(4);
    let mut servers = Vec::new();
    for _ in 0..instances {
        servers.push(start_server(&url, pool).await?);
    }
    println!(
        "scale-ingest on PostgreSQL ({}): {instances} instance(s), pool {pool} each, {} connections, {} s",
        if run.durable { "durable: fsync and synchronous_commit on" } else { "fsync=off" },
        run.concurrency,
        run.seconds
    );
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(run.concurrency)
        .build()?;
    // Every order, wherever it was taken, must show on the last instance's
    // stream: opened before the load.
    let first = servers[0].base.clone();
    let last = servers[servers.len() - 1].base.clone();
    let arrivals: Arrivals = Arc::default();
    let arrived = Arc::new(tokio::sync::Notify::new());
    let reader = read_stream(&client, &last, &token, arrivals.clone(), arrived.clone()).await?;

    let urls: Arc<Vec<String>> = Arc::new(
        servers
            .iter()
            .map(|s| format!("{}/webhooks/whatsapp", s.base))
            .collect(),
    );
    let c = client.clone();
    let targets = urls.clone();
    let (lat, elapsed, errors) = drive(run.concurrency, run.seconds, run.rate, move |i| {
        let body = cart(i);
        let sig = orderdesk_whatsapp::sign(SECRET.as_bytes(), body.as_bytes());
        let url = &targets[(i as usize) % targets.len()];
        let req = c.post(url).header("x-hub-signature-256", sig).body(body);
        async move { matches!(req.send().await, Ok(r) if r.status() == 200) }
    })
    .await;
    let acked = lat.len();
    report("webhook acks", lat, elapsed, errors);
    let store = orderdesk_store_postgres::connect(&url, 2).await?;
    let t = Instant::now();
    let (mut listed, mut streamed) = (None, None);
    while listed.is_none() || streamed.is_none() {
        let orders: i64 = store.status_counts().await?.iter().map(|(_, n)| n).sum();
        if listed.is_none() && orders as usize >= acked {
            listed = Some(t.elapsed());
        }
        if streamed.is_none() && arrived_count(&arrivals) >= acked {
            streamed = Some(t.elapsed());
        }
        if t.elapsed() > Duration::from_secs(600) {
            anyhow::bail!(
                "after 600 s: {orders} of {acked} orders, {} on the stream",
                arrived_count(&arrivals)
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    println!(
        "all {acked} acknowledged carts: orders {:.2} s after the load stopped, \
         order.created on instance {instances}'s stream {:.2} s after",
        listed.unwrap_or_default().as_secs_f64(),
        streamed.unwrap_or_default().as_secs_f64(),
    );

    // A lone order on the first instance → its event on the last one's
    // stream, one at a time, timed from sending the webhook.
    let webhook = format!("{first}/webhooks/whatsapp");
    let mut lone = Vec::new();
    for k in 0..run.lone {
        let i = 2_000_000_000 + k;
        let wa_id = format!("91{i:010}");
        let sent = Instant::now();
        let seen = arrived.notified();
        tokio::pin!(seen);
        if !post_cart(&client, &webhook, i).await? {
            continue;
        }
        let deadline = sent + Duration::from_secs(10);
        while arrival_of(&arrivals, &wa_id).is_none() && Instant::now() < deadline {
            let _ = tokio::time::timeout_at(deadline.into(), seen.as_mut()).await;
            seen.set(arrived.notified());
        }
        if let Some(at) = arrival_of(&arrivals, &wa_id) {
            lone.push(at.saturating_duration_since(sent));
        }
    }
    lone.sort_unstable();
    println!(
        "lone order on instance 1 → order.created on instance {instances}: {} of {}; \
         p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        lone.len(),
        run.lone,
        ms(percentile(&lone, 50.0)),
        ms(percentile(&lone, 99.0)),
        ms(lone.last().copied().unwrap_or_default()),
    );

    // Carts at a steady open-loop rate to the first instance, timed from
    // the webhook's answer to the event on the last instance's stream.
    let samples = run.latency_rate * 10;
    let mut answered: Vec<(String, Instant)> = Vec::new();
    let start = Instant::now();
    for k in 0..samples {
        let due = start + Duration::from_secs_f64(k as f64 / run.latency_rate.max(1) as f64);
        tokio::time::sleep_until(due.into()).await;
        let i = 1_000_000_000 + k;
        if post_cart(&client, &webhook, i).await? {
            answered.push((format!("91{i:010}"), Instant::now()));
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    reader.abort();
    let mut lat: Vec<Duration> = answered
        .iter()
        .filter_map(|(wa, at)| {
            arrival_of(&arrivals, wa).map(|seen| seen.saturating_duration_since(*at))
        })
        .collect();
    lat.sort_unstable();
    println!(
        "order.created on instance {instances} after the webhook answer on instance 1: {} of {} seen; \
         p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms ({}/s for 10 s)",
        lat.len(),
        answered.len(),
        ms(percentile(&lat, 50.0)),
        ms(percentile(&lat, 99.0)),
        ms(lat.last().copied().unwrap_or_default()),
        run.latency_rate,
    );
    drop(servers);
    drop(cluster);
    Ok(())
}

pub async fn big_list(
    orders: u64,
    requests: usize,
    trigram: bool,
    hold: bool,
    reuse: Option<String>,
) -> anyhow::Result<()> {
    let (cluster, url, token) = match reuse {
        // A database an earlier `--hold` kept, loaded with `orders` orders.
        Some(url) => (None, url, "odk_bench_token".to_owned()),
        None => {
            let (cluster, url, token) = bulk_loaded(orders, trigram).await?;
            (Some(cluster), url, token)
        }
    };
    let server = start_server(&url, 8).await?;
    let client = reqwest::Client::new();
    let deep = orders / 2 + 1000;
    let paths = [
        ("/api/v1/orders?limit=50".to_owned(), requests),
        ("/api/v1/orders?status=placed&limit=50".to_owned(), requests),
        (
            "/api/v1/orders?status=on_hold&limit=50".to_owned(),
            requests,
        ),
        (
            format!("/api/v1/orders?limit=50&cursor={}", cursor(deep)),
            requests,
        ),
        (
            "/api/v1/orders?q=4242424&limit=50".to_owned(),
            requests / 10,
        ),
        (
            "/api/v1/orders?q=Meera%20Iyer&limit=50".to_owned(),
            requests / 10,
        ),
        (
            "/api/v1/orders?q=Meera%20Iyer%20424242&limit=50".to_owned(),
            requests / 10,
        ),
        (
            "/api/v1/orders?q=9100004242&limit=50".to_owned(),
            requests / 10,
        ),
        ("/api/v1/orders?q=zzzz&limit=50".to_owned(), requests / 10),
        // Words of middling frequency: in fewer than a page of the newest
        // 10,000 orders but thousands of older ones (`4242` is also an
        // order number); the page is found range by range (migration 0200).
        ("/api/v1/orders?q=4242&limit=50".to_owned(), requests / 10),
        ("/api/v1/orders?q=42424&limit=50".to_owned(), requests / 10),
        (
            "/api/v1/orders?q=Sharma%204242&limit=50".to_owned(),
            requests / 10,
        ),
        (
            "/api/v1/orders?q=Bose%20424&limit=50".to_owned(),
            requests / 10,
        ),
        // Two common names never in one order: every range is looked at.
        (
            "/api/v1/orders?q=Sharma%20Iyer&limit=50".to_owned(),
            requests / 10,
        ),
    ];
    // An order with an address, half-way through the numbers.
    let target = (1000 + orders / 2) / 10 * 10;
    let searches = crate::search_kinds::paths(target, "Kashmiri kahwa")
        .into_iter()
        .map(|path| (path, requests / 10));
    for (path, runs) in paths.into_iter().chain(searches) {
        let url = format!("{}{path}", server.base);
        let mut lat = Vec::with_capacity(runs);
        let start = Instant::now();
        let mut errors = 0;
        for _ in 0..runs.max(5) {
            let t = Instant::now();
            match client.get(&url).bearer_auth(&token).send().await {
                Ok(r) if r.status() == 200 => {
                    r.bytes().await.context("body")?;
                    lat.push(t.elapsed());
                }
                Ok(r) => {
                    errors += 1;
                    if errors == 1 {
                        println!("  {path}: {}", r.text().await.unwrap_or_default());
                    }
                }
                Err(_) => errors += 1,
            }
        }
        report(&path, lat, start.elapsed(), errors);
    }
    if hold {
        println!(
            "holding: database {url}, server {} (token {token}); Ctrl-C ends",
            server.base
        );
        tokio::signal::ctrl_c()
            .await
            .context("waiting for Ctrl-C")?;
    }
    drop(server);
    drop(cluster);
    Ok(())
}

/// A new cluster with `orders` orders bulk-loaded (and the old per-column
/// trigram indexes when `trigram`); prints how long each step took.
async fn bulk_loaded(
    orders: u64,
    trigram: bool,
) -> anyhow::Result<(orderdesk_testkit::PgCluster, String, String)> {
    let (cluster, url, token) = fresh_database(false).await?;
    let db = url.rsplit('/').next().context("database name")?.to_owned();
    println!("bulk-loading {orders} orders with generate_series…");
    let t = Instant::now();
    cluster.psql(&db, &seed_sql(orders))?;
    println!("loaded and analysed in {:.0} s", t.elapsed().as_secs_f64());
    if trigram {
        let t = Instant::now();
        cluster.psql(
            &db,
            "SET maintenance_work_mem = '1GB'; CREATE EXTENSION IF NOT EXISTS pg_trgm; \
             CREATE INDEX orders_customer_name_trgm ON orders USING gin (customer_name gin_trgm_ops); \
             CREATE INDEX orders_customer_wa_id_trgm ON orders USING gin (customer_wa_id gin_trgm_ops); \
             CREATE INDEX orders_customer_user_id_trgm ON orders USING gin (customer_user_id gin_trgm_ops); \
             ANALYZE orders;",
        )?;
        println!(
            "trigram indexes built in {:.0} s",
            t.elapsed().as_secs_f64()
        );
    }
    let size = cluster.psql(
        &db,
        "SELECT pg_size_pretty(pg_total_relation_size('orders'))",
    )?;
    println!("orders table with indexes: {}", size.trim());
    Ok((cluster, url, token))
}

/// Orders 1001 … 1000+n in eight stages, with names, phone numbers and
/// business-scoped ids, and the counters and stage counts to match.
fn seed_sql(n: u64) -> String {
    let cities = crate::search_kinds::cities_json();
    format!(
        "SET maintenance_work_mem = '1GB';
         DROP INDEX orders_search_trgm;
         DROP INDEX orders_search_digits;
         INSERT INTO orders (number, status, payment_status, checkout_step, customer_wa_id,
           customer_user_id, customer_name, items, currency, total_minor, created_at,
           updated_at, version, customer_key)
         SELECT 1000 + g,
           (ARRAY['placed','confirmed','approved','processed','shipped','delivered',
                  'cancelled','archived'])[1 + g % 8],
           'pending', 'complete',
           '91' || lpad(g::text, 8, '0'),
           'US.91' || lpad(g::text, 8, '0'),
           (ARRAY['Asha','Ravi','Meera','Kiran','Sunita','Arjun','Priya'])[1 + g % 7] || ' ' ||
           (ARRAY['Sharma','Patel','Iyer','Khan','Das','Rao','Gupta','Nair','Singh',
                  'Mehta','Bose'])[1 + (g / 7) % 11] || ' ' || g,
           jsonb_build_array(jsonb_build_object('retailer_id', 'sku-' || (g % 12),
             'name', (ARRAY['Masala chai','Kashmiri kahwa','Filter coffee','Darjeeling tea',
                            'Assam tea','Nilgiri tea','Green tea','Tulsi tea','Ginger tea',
                            'Lemon tea','Cardamom tea','Rose tea'])[1 + g % 12],
             'quantity', 2, 'unit_price_minor', 799)),
           'INR', 1598,
           now() - ({n} - g) * interval '1 second',
           now() - ({n} - g) * interval '1 second',
           1, 'US.91' || lpad(g::text, 8, '0')
         FROM generate_series(1, {n}) AS g;
         UPDATE orders SET {searched} WHERE number % 10 = 0;
         CREATE INDEX orders_search_trgm ON orders
           USING gin ((number / 262144), search_text gin_trgm_ops);
         CREATE INDEX orders_search_digits ON orders
           USING gin ((number / 262144), orderdesk_digit_grams(search_text));
         UPDATE counters SET value = 1001 + {n} WHERE name = 'order_number';
         UPDATE status_counts s SET count = c.n
           FROM (SELECT status, count(*) AS n FROM orders GROUP BY status) c
           WHERE s.status = c.status;
         ANALYZE orders;",
        searched = searched_columns_pg("number", &cities)
    )
}

/// The `SET` list that fills what the search kinds look for
/// (`search_kinds`) on an order whose number is `number`; `cities` is
/// their JSON array.
pub(crate) fn searched_columns_pg(number: &str, cities: &str) -> String {
    format!(
        "address = jsonb_build_object('name', customer_name, \
           'phone', '+91 ' || (6000000000 + ({number} * 7919) % 4000000000), \
           'line1', ({number} % 97) || ' MG Road', 'line2', '', \
           'city', '{cities}'::jsonb ->> (({number} / 10) % 10)::int, \
           'state', 'MH', 'postal_code', (400000 + ({number} * 31) % 100000)::text, \
           'country', 'IN'), \
         tracking = 'EE' || lpad({number}::text, 9, '0') || 'IN', \
         note = CASE WHEN {number} % 100 = 0 THEN 'Gift wrap please, call first' END, \
         customer_name = CASE WHEN {number} % 50 = 0 THEN 'Zoë ' || customer_name \
           ELSE customer_name END"
    )
}

/// The API's page cursor for "orders before `number`" (unpadded base64url
/// of the decimal number), so the bench can jump to a deep page.
fn cursor(number: u64) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = number.to_string().into_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * k)) & 63) as usize]));
        }
    }
    out
}
