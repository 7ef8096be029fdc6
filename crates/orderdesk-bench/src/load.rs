use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use orderdesk::Config;
use orderdesk_store::{NewInbound, Store};
use tokio::sync::oneshot;

use crate::Backend;

pub(crate) const SECRET: &str = "bench-app-secret";

/// A running server plus what keeps its database alive.
pub(crate) struct Bench {
    pub(crate) base: String,
    pub(crate) token: String,
    pub(crate) store: Arc<dyn Store>,
    /// The database's URL, for benches that seed tables directly.
    pub(crate) db_url: String,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
    _dir: tempfile::TempDir,
    _pg: Option<orderdesk_testkit::PgCluster>,
}

impl Bench {
    pub(crate) async fn start(backend: Backend) -> anyhow::Result<Self> {
        Self::start_with(backend, &[]).await
    }

    /// As [`Bench::start`], with further settings by their environment
    /// names (e.g. the Graph API credentials that start the dispatcher).
    pub(crate) async fn start_with(
        backend: Backend,
        extra: &[(&str, String)],
    ) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let (url, pg) = match backend {
            Backend::Sqlite => (
                format!("sqlite://{}", dir.path().join("bench.db").display()),
                None,
            ),
            Backend::Postgres => {
                let cluster = orderdesk_testkit::PgCluster::start()?;
                (cluster.create_database()?, Some(cluster))
            }
        };
        let config = Config::from_sources(None, |k| {
            if let Some((_, v)) = extra.iter().find(|(name, _)| *name == k) {
                return Some(v.clone());
            }
            match k {
                "ORDERDESK_DATABASE_URL" => Some(url.clone()),
                "WHATSAPP_APP_SECRET" => Some(SECRET.to_owned()),
                "ORDERDESK_DATABASE_MAX_CONNECTIONS" => Some("16".to_owned()),
                _ => None,
            }
        })?;
        let store = orderdesk::open_store(&config).await?;
        let token = "odk_bench_token".to_owned();
        store
            .create_token(&orderdesk_store::NewApiToken {
                name: "bench".into(),
                secret_hash: orderdesk_web::auth::token_hash(&token),
                created_at: chrono::Utc::now(),
            })
            .await?;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let base = format!("http://{}", listener.local_addr()?);
        let (stop, stopped) = oneshot::channel::<()>();
        let server = tokio::spawn(orderdesk::serve_with_store(
            config,
            store.clone(),
            listener,
            async move {
                let _ = stopped.await;
            },
        ));
        Ok(Self {
            base,
            token,
            store,
            db_url: url,
            stop: Some(stop),
            server: Some(server),
            _dir: dir,
            _pg: pg,
        })
    }

    /// Shuts the server down gracefully (the dispatcher finishes the batch
    /// it is sending) and waits for it.
    pub(crate) async fn stop(&mut self) -> anyhow::Result<()> {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(server) = self.server.take() {
            tokio::time::timeout(Duration::from_secs(30), server)
                .await
                .context("the server did not stop within 30 s")?
                .context("the server task panicked")??;
        }
        Ok(())
    }
}

impl Drop for Bench {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

pub(crate) fn cart(i: u64) -> String {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"1","changes":[{{"value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"106540352242922"}},"contacts":[{{"profile":{{"name":"Bench {i}"}},"wa_id":"91{i:010}"}}],"messages":[{{"from":"91{i:010}","id":"wamid.bench.{i}","timestamp":"1750096325","type":"order","order":{{"catalog_id":"1","text":"","product_items":[{{"product_retailer_id":"sku-{m}","quantity":2,"item_price":7.99,"currency":"INR"}}]}}}}]}},"field":"messages"}}]}}]}}"#,
        m = i % 12
    )
}

pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

pub(crate) fn report(label: &str, mut lat: Vec<Duration>, elapsed: Duration, errors: u64) {
    lat.sort_unstable();
    println!(
        "{label}: {} ok in {:.1} s = {:.0}/s; p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {errors} errors",
        lat.len(),
        elapsed.as_secs_f64(),
        lat.len() as f64 / elapsed.as_secs_f64(),
        percentile(&lat, 50.0).as_secs_f64() * 1e3,
        percentile(&lat, 99.0).as_secs_f64() * 1e3,
        lat.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
}

/// Runs `concurrency` workers for `seconds`, each calling `request(i)` with
/// a global counter; open loop when `rate` is set.
pub(crate) async fn drive<F, Fut>(
    concurrency: usize,
    seconds: u64,
    rate: Option<u64>,
    request: F,
) -> (Vec<Duration>, Duration, u64)
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = bool> + Send,
{
    let request = Arc::new(request);
    let counter = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let start = Instant::now();
    let deadline = start + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for _ in 0..concurrency {
        let request = request.clone();
        let counter = counter.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut errors = 0u64;
            loop {
                let i = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                // Open loop: request i is due at start + i/rate, whatever
                // happened to earlier ones (so slow answers cannot hide).
                let due = match rate {
                    Some(r) => start + Duration::from_secs_f64(i as f64 / r as f64),
                    None => Instant::now(),
                };
                if due >= deadline {
                    break;
                }
                tokio::time::sleep_until(due.into()).await;
                let t = Instant::now();
                if request(i).await {
                    lat.push(if rate.is_some() {
                        due.elapsed()
                    } else {
                        t.elapsed()
                    });
                } else {
                    errors += 1;
                }
            }
            (lat, errors)
        }));
    }
    let mut all = Vec::new();
    let mut errors = 0;
    for t in tasks {
        if let Ok((lat, e)) = t.await {
            all.extend(lat);
            errors += e;
        }
    }
    (all, start.elapsed(), errors)
}

pub async fn ingest(
    backend: Backend,
    concurrency: usize,
    seconds: u64,
    rate: Option<u64>,
    probe: bool,
) -> anyhow::Result<()> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .build()?;
    let probe_rate = if probe {
        Some(crate::probe::run(&client, concurrency, seconds, rate).await?)
    } else {
        None
    };
    let bench = Bench::start(backend).await?;
    println!(
        "ingest on {backend:?}: {concurrency} connections, {seconds} s, {}",
        rate.map_or("closed loop".to_owned(), |r| format!("open loop at {r}/s"))
    );
    let url = format!("{}/webhooks/whatsapp", bench.base);
    let c = client.clone();
    let (lat, elapsed, errors) = drive(concurrency, seconds, rate, move |i| {
        let body = cart(i);
        let sig = orderdesk_whatsapp::sign(SECRET.as_bytes(), body.as_bytes());
        let req = c.post(&url).header("x-hub-signature-256", sig).body(body);
        async move { matches!(req.send().await, Ok(r) if r.status() == 200) }
    })
    .await;
    let acked = lat.len();
    let ours = acked as f64 / elapsed.as_secs_f64().max(f64::EPSILON);
    report("webhook acks", lat, elapsed, errors);
    if let Some(probe) = probe_rate {
        println!(
            "ratio to the probe in this run: {ours:.0}/s ÷ {probe:.0}/s = {:.2}",
            ours / probe.max(f64::EPSILON)
        );
    }

    // Every acknowledged cart must become an order; time how long the backlog takes.
    let t = Instant::now();
    let at_end: i64 = bench
        .store
        .status_counts()
        .await?
        .iter()
        .map(|(_, n)| n)
        .sum();
    println!(
        "orders at the load's end: {at_end} of {acked} (processed {:.0}/s during the load)",
        at_end as f64 / elapsed.as_secs_f64().max(f64::EPSILON)
    );
    loop {
        let counts = bench.store.status_counts().await?;
        let placed: i64 = counts.iter().map(|(_, n)| n).sum();
        if placed as usize >= acked {
            println!(
                "all {acked} acknowledged carts are orders {:.1} s after the load stopped",
                t.elapsed().as_secs_f64()
            );
            break;
        }
        if t.elapsed() > Duration::from_secs(300) {
            anyhow::bail!("only {placed} of {acked} orders after 300 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let url = format!("{}/healthz", bench.base);
    let c = client.clone();
    let (lat, elapsed, errors) = drive(concurrency, seconds.min(5), None, move |_| {
        let req = c.get(&url);
        async move { matches!(req.send().await, Ok(r) if r.status() == 200) }
    })
    .await;
    report("/healthz", lat, elapsed, errors);
    Ok(())
}

pub async fn list(backend: Backend, orders: usize, requests: usize) -> anyhow::Result<()> {
    let bench = Bench::start(backend).await?;
    println!("seeding {orders} orders on {backend:?} through the inbox path…");
    let t = Instant::now();
    let mut i = 0u64;
    let processor = orderdesk_engine_processor(&bench);
    while (i as usize) < orders {
        // The same split the webhook handler does, without HTTP, so seeding
        // a million orders takes minutes rather than hours.
        let mut batch: Vec<NewInbound> = Vec::with_capacity(1000);
        for k in 0..1000.min(orders - i as usize) as u64 {
            for item in orderdesk_whatsapp::split_webhook(cart(i + k).as_bytes())? {
                batch.push(NewInbound {
                    source: "whatsapp".into(),
                    external_id: item.external_id,
                    kind: item.kind,
                    customer_key: item.customer_key,
                    payload: item.payload,
                    received_at: chrono::Utc::now(),
                });
            }
        }
        i += batch.len() as u64;
        bench.store.record_inbound(&batch).await?;
        processor.drain().await?;
        if i % 100_000 == 0 {
            println!("  {i} orders after {:.0} s", t.elapsed().as_secs_f64());
        }
    }
    println!("seeded in {:.0} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    searched_fields(backend, &bench.db_url).await?;
    println!(
        "addresses, tracking, notes and accents added in {:.0} s",
        t.elapsed().as_secs_f64()
    );
    let client = reqwest::Client::new();
    // The dashboard's board, as a logged-in browser asks for it: a session
    // made directly in the store (no password hashing in the timed part).
    let now = chrono::Utc::now();
    let user = bench
        .store
        .create_user(&orderdesk_store::NewUser {
            email: "bench@shop.test".into(),
            role: orderdesk_store::Role::Owner,
            password_hash: "unused".into(),
            created_at: now,
        })
        .await?;
    let session = "bench-session-id";
    bench
        .store
        .create_session(&orderdesk_store::NewSession {
            id_hash: orderdesk_web::auth::token_hash(session),
            user_id: user.id,
            csrf_token: "bench-csrf".into(),
            created_at: now,
            expires_at: now + chrono::Duration::days(1),
        })
        .await?;
    let cookie = format!(
        "{}={session}",
        orderdesk_web::dashboard::session::COOKIE_NAME
    );
    // An order with an address, half-way through the numbers.
    let target = (1000 + orders as u64 / 2) / 10 * 10;
    let searches: Vec<(String, usize)> = crate::search_kinds::paths(target, "sku-7")
        .into_iter()
        .map(|path| (path, (requests / 10).max(5)))
        .collect();
    let board = [
        ("/orders", requests),
        ("/orders?status=placed", requests),
        ("/orders?status=cancelled", requests),
        ("/api/v1/orders?status=placed&limit=50", requests),
        ("/api/v1/orders?status=cancelled&limit=50", requests),
        ("/api/v1/orders?limit=50", requests),
        ("/api/v1/orders?q=1500000&limit=50", (requests / 10).max(5)),
        (
            "/api/v1/orders?q=Bench%20123&limit=50",
            (requests / 10).max(5),
        ),
    ];
    let board = board.into_iter().map(|(p, runs)| (p.to_owned(), runs));
    for (path, runs) in board.chain(searches) {
        let url = format!("{}{path}", bench.base);
        let mut lat = Vec::with_capacity(runs);
        let start = Instant::now();
        let mut errors = 0;
        for _ in 0..runs {
            let t = Instant::now();
            let request = if path.starts_with("/api/") {
                client.get(&url).bearer_auth(&bench.token)
            } else {
                client.get(&url).header("cookie", &cookie)
            };
            match request.send().await {
                Ok(r) if r.status() == 200 => {
                    r.bytes().await.context("body")?;
                    lat.push(t.elapsed());
                }
                _ => errors += 1,
            }
        }
        report(&path, lat, start.elapsed(), errors);
    }
    Ok(())
}

/// Fills what the search kinds look for (`search_kinds`) on the seeded
/// orders: the carts came with a name, a phone and an item only.
async fn searched_fields(backend: Backend, url: &str) -> anyhow::Result<()> {
    let cities = crate::search_kinds::cities_json();
    match backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(url).await?;
            sqlx::query(&format!(
                "UPDATE orders SET address = json_object('name', customer_name, \
                   'phone', '+91 ' || (6000000000 + (number * 7919) % 4000000000), \
                   'line1', (number % 97) || ' MG Road', 'line2', '', \
                   'city', json_extract('{cities}', '$[' || ((number / 10) % 10) || ']'), \
                   'state', 'MH', 'postal_code', CAST(400000 + (number * 31) % 100000 AS TEXT), \
                   'country', 'IN'), \
                 tracking = 'EE' || printf('%09d', number) || 'IN', \
                 note = CASE WHEN number % 100 = 0 THEN 'Gift wrap please, call first' END, \
                 customer_name = CASE WHEN number % 50 = 0 THEN 'Zoë ' || customer_name \
                   ELSE customer_name END \
                 WHERE number % 10 = 0"
            ))
            .execute(&pool)
            .await?;
            pool.close().await;
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(url).await?;
            sqlx::query(&format!(
                "UPDATE orders SET {} WHERE number % 10 = 0",
                crate::scale::searched_columns_pg("number", &cities)
            ))
            .execute(&pool)
            .await?;
            pool.close().await;
        }
    }
    Ok(())
}

fn orderdesk_engine_processor(bench: &Bench) -> orderdesk_engine::Processor {
    orderdesk_engine::Engine::new(bench.store.clone()).processor()
}
