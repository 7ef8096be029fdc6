//! `dispatch`: outbound messages through the production outbox dispatcher
//! (started by `serve_with_store` once Graph credentials are configured) to
//! a loopback fake of the Graph API that answers every send instantly.
//!
//! The fake records when each request arrived; from those instants the bench
//! derives the achieved sends/s and the most sends seen in any 1 s and any
//! 10 s window, to compare with `WHATSAPP_MESSAGES_PER_SECOND`. It also
//! checks that every queued message arrived exactly once, that each
//! customer's messages arrived in the order they were queued, and that the
//! store recorded each message as sent with the wamid the fake returned.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use anyhow::Context;
use orderdesk_store::{MessageState, NewOutbound};
use orderdesk_whatsapp::{OutboundMessage, Recipient};
use serde_json::{json, Value};

use crate::load::Bench;
use crate::Backend;

const PHONE_NUMBER_ID: &str = "106540352242922";
const ACCESS_TOKEN: &str = "bench-access-token";

/// One request the fake answered.
struct Arrival {
    at: Instant,
    /// `text.body`, unique per queued message.
    text: String,
    /// The wamid the fake answered with.
    wamid: String,
}

#[derive(Clone, Default)]
struct Fake {
    arrivals: Arc<Mutex<Vec<Arrival>>>,
    /// Requests for another number or without the bearer token.
    misaddressed: Arc<Mutex<u64>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    match m.lock() {
        Ok(g) => g,
        Err(poisoned) => poisoned.into_inner(),
    }
}

impl Fake {
    fn len(&self) -> usize {
        lock(&self.arrivals).len()
    }

    fn first_at(&self) -> Option<Instant> {
        lock(&self.arrivals).iter().map(|a| a.at).min()
    }

    /// `POST /{phone}/messages` on 127.0.0.1, answered at once.
    async fn start() -> anyhow::Result<(String, Self)> {
        use axum::extract::{Path, State};
        use axum::http::HeaderMap;
        async fn messages(
            State(fake): State<Fake>,
            Path(phone): Path<String>,
            headers: HeaderMap,
            axum::Json(body): axum::Json<Value>,
        ) -> axum::Json<Value> {
            let at = Instant::now();
            let bearer = format!("Bearer {ACCESS_TOKEN}");
            let authorized = headers
                .get("authorization")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v == bearer);
            if phone != PHONE_NUMBER_ID || !authorized {
                *lock(&fake.misaddressed) += 1;
            }
            let text = body["text"]["body"].as_str().unwrap_or_default().to_owned();
            let wamid = {
                let mut arrivals = lock(&fake.arrivals);
                let wamid = format!("wamid.bench-{}", arrivals.len() + 1);
                arrivals.push(Arrival {
                    at,
                    text,
                    wamid: wamid.clone(),
                });
                wamid
            };
            axum::Json(json!({
                "messaging_product": "whatsapp",
                "contacts": [],
                "messages": [{"id": wamid}]
            }))
        }
        let fake = Self::default();
        let app = axum::Router::new()
            .route("/{phone}/messages", axum::routing::post(messages))
            .with_state(fake.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}", listener.local_addr()?);
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok((url, fake))
    }
}

/// Most of the sorted instants that fall in any window of length `w`
/// (half-open, so sends exactly `w` apart are in different windows).
fn max_in_window(sorted: &[Instant], w: Duration) -> usize {
    let mut best = 0;
    let mut j = 0;
    for (i, t) in sorted.iter().enumerate() {
        while t.duration_since(sorted[j]) >= w {
            j += 1;
        }
        best = best.max(i + 1 - j);
    }
    best
}

/// Where the fullest window of length `w` starts (index into `sorted`) and
/// how many windows hold more than `limit` (counted by their last send).
fn window_detail(sorted: &[Instant], w: Duration, limit: usize) -> (usize, usize) {
    let (mut best, mut at, mut over) = (0, 0, 0);
    let mut j = 0;
    for (i, t) in sorted.iter().enumerate() {
        while t.duration_since(sorted[j]) >= w {
            j += 1;
        }
        if i + 1 - j > limit {
            over += 1;
        }
        if i + 1 - j > best {
            best = i + 1 - j;
            at = j;
        }
    }
    (at, over)
}

/// Most sends in one whole second counted from the first send (fixed,
/// non-overlapping buckets rather than a sliding window).
fn max_per_fixed_second(sorted: &[Instant]) -> usize {
    let Some(first) = sorted.first() else {
        return 0;
    };
    let mut counts: HashMap<u64, usize> = HashMap::new();
    for t in sorted {
        *counts
            .entry(t.duration_since(*first).as_secs())
            .or_default() += 1;
    }
    counts.into_values().max().unwrap_or(0)
}

/// Times the store calls the dispatcher makes, alone, with the server
/// stopped: one claim of a batch, then recording each claimed message as sent
/// one after another (the dispatcher records a batch's messages
/// concurrently, but each is its own transaction).
async fn probe_store(bench: &Bench, rate: u32) -> anyhow::Result<()> {
    let now = chrono::Utc::now();
    let mut batch = Vec::new();
    for c in 0..100 {
        let wa_id = format!("91{:010}", 8_000_000_000u64 + c);
        for k in 0..10 {
            let text = format!("Probe: customer {c}, message {k}");
            batch.push(NewOutbound {
                order_number: None,
                customer_key: wa_id.clone(),
                to_wa_id: Some(wa_id.clone()),
                to_user_id: None,
                body: serde_json::to_value(OutboundMessage::text(
                    Recipient::wa_id(wa_id.clone())?,
                    text.clone(),
                )?)?,
                preview: text,
                not_before: now,
            });
        }
    }
    bench.store.queue_outbound(&batch, now).await?;
    let limit = rate.clamp(1, 100);
    let (mut claims, mut records) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let t = Instant::now();
        let items = bench
            .store
            .claim_outbox(chrono::Utc::now(), Duration::from_secs(60), limit)
            .await?;
        claims.push(t.elapsed());
        for item in items {
            let t = Instant::now();
            bench
                .store
                .outbox_sent(
                    item.id,
                    &format!("wamid.probe-{}", item.id),
                    chrono::Utc::now(),
                )
                .await?;
            records.push(t.elapsed());
        }
    }
    claims.sort_unstable();
    records.sort_unstable();
    let at = |v: &[Duration], p: f64| {
        let i = ((v.len() as f64 * p) as usize).min(v.len().saturating_sub(1));
        v.get(i).map_or(0.0, |d| d.as_secs_f64() * 1e3)
    };
    println!(
        "store alone: claim of {limit} p50 {:.1} ms (max {:.1}); outbox_sent one at a time \
         p50 {:.2} ms, p99 {:.2} ms, {} in {:.0} ms",
        at(&claims, 0.5),
        at(&claims, 1.0),
        at(&records, 0.5),
        at(&records, 0.99),
        records.len(),
        records.iter().sum::<Duration>().as_secs_f64() * 1e3,
    );
    Ok(())
}

/// Process CPU time (user + system) from /proc, for a utilisation figure.
fn cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name; utime and stime are the
    // 14th and 15th fields overall, in clock ticks (100 per second on Linux).
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks: u64 = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    Some(Duration::from_millis(ticks * 10))
}

pub async fn dispatch(
    backend: Backend,
    rate: u32,
    seconds: u64,
    messages: usize,
    per_customer: usize,
    dump: Option<std::path::PathBuf>,
) -> anyhow::Result<()> {
    anyhow::ensure!(messages > 0 && per_customer > 0, "nothing to send");
    let (graph_url, fake) = Fake::start().await?;
    let mut bench = Bench::start_with(
        backend,
        &[
            ("WHATSAPP_GRAPH_URL", graph_url),
            ("WHATSAPP_PHONE_NUMBER_ID", PHONE_NUMBER_ID.to_owned()),
            ("WHATSAPP_ACCESS_TOKEN", ACCESS_TOKEN.to_owned()),
            ("WHATSAPP_MESSAGES_PER_SECOND", rate.to_string()),
        ],
    )
    .await?;
    let customers = messages.div_ceil(per_customer);
    println!(
        "dispatch on {backend:?}: {messages} text messages to {customers} customers \
         ({per_customer} each, queued together), limit {rate}/s, cut-off {seconds} s"
    );

    // Each customer's messages in a row, so the claim has to pick the oldest
    // unfinished message of each customer from among its later ones.
    let now = chrono::Utc::now();
    let mut plan: HashMap<String, (usize, usize)> = HashMap::with_capacity(messages);
    let mut keys = Vec::with_capacity(customers);
    let mut batch = Vec::with_capacity(messages);
    'outer: for c in 0..customers {
        let wa_id = format!("91{:010}", 7_000_000_000 + c);
        keys.push(wa_id.clone());
        for k in 0..per_customer {
            if batch.len() == messages {
                break 'outer;
            }
            let text = format!("Bench dispatch: customer {c}, message {k}");
            let body = serde_json::to_value(OutboundMessage::text(
                Recipient::wa_id(wa_id.clone())?,
                text.clone(),
            )?)?;
            plan.insert(text.clone(), (c, k));
            batch.push(NewOutbound {
                order_number: None,
                customer_key: wa_id.clone(),
                to_wa_id: Some(wa_id.clone()),
                to_user_id: None,
                body,
                preview: text,
                not_before: now,
            });
        }
    }
    // One transaction, so the dispatcher sees all or nothing.
    let t = Instant::now();
    bench.store.queue_outbound(&batch, now).await?;
    let queued_at = Instant::now();
    println!(
        "queued {messages} in {:.2} s (one transaction); the dispatcher finds them on its own",
        t.elapsed().as_secs_f64()
    );
    drop(batch);

    let cpu_before = cpu_time();
    let first = loop {
        if let Some(first) = fake.first_at() {
            break first;
        }
        anyhow::ensure!(
            queued_at.elapsed() < Duration::from_secs(10),
            "no send within 10 s of queueing"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    let cut_off = first + Duration::from_secs(seconds);
    while fake.len() < messages && Instant::now() < cut_off {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let in_cut_off = {
        let arrivals = lock(&fake.arrivals);
        arrivals.iter().filter(|a| a.at < cut_off).count()
    };
    let cut = fake.len() < messages;
    if cut {
        println!(
            "cut-off: {in_cut_off} sent in the first {seconds} s = {:.1}/s; \
             waiting for the rest before stopping",
            in_cut_off as f64 / seconds as f64
        );
        // Bounded: three times what the limit alone needs, plus a minute.
        let bound = Duration::from_secs_f64(3.0 * messages as f64 / f64::from(rate.max(1)) + 60.0);
        while fake.len() < messages {
            anyhow::ensure!(
                first.elapsed() < bound,
                "only {} of {messages} sent after {:.0} s",
                fake.len(),
                bound.as_secs_f64()
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let cpu = cpu_before.zip(cpu_time()).map(|(a, b)| b.saturating_sub(a));
    let wall = first.elapsed();
    // A second for any late duplicate to show up, then a clean stop so the
    // store is quiet when it is compared with what the fake saw.
    tokio::time::sleep(Duration::from_secs(1)).await;
    bench.stop().await?;

    let arrivals = std::mem::take(&mut *lock(&fake.arrivals));
    let misaddressed = *lock(&fake.misaddressed);
    let mut order: Vec<&Arrival> = arrivals.iter().collect();
    order.sort_by_key(|a| a.at);
    let times: Vec<Instant> = order.iter().map(|a| a.at).collect();
    let (first, last) = match (times.first(), times.last()) {
        (Some(f), Some(l)) => (*f, *l),
        _ => anyhow::bail!("nothing arrived"),
    };
    let span = last.duration_since(first);
    let mean_rate = if times.len() > 1 {
        (times.len() - 1) as f64 / span.as_secs_f64()
    } else {
        0.0
    };
    let max_1s = max_in_window(&times, Duration::from_secs(1));
    let max_10s = max_in_window(&times, Duration::from_secs(10));
    let gaps: Vec<Duration> = times
        .windows(2)
        .map(|w| w[1].duration_since(w[0]))
        .collect();
    let min_gap = gaps.iter().min().copied().unwrap_or_default();
    let max_gap = gaps.iter().max().copied().unwrap_or_default();
    let fixed_1s = max_per_fixed_second(&times);
    let (_, windows_over) = window_detail(&times, Duration::from_secs(1), rate as usize);
    let tightest = |n: usize| {
        times
            .iter()
            .zip(times.iter().skip(n))
            .map(|(a, b)| b.duration_since(*a))
            .min()
    };
    let ms = |d: Option<Duration>| {
        d.map_or("n/a (too few sends)".to_owned(), |d| {
            format!("{:.1} ms", d.as_secs_f64() * 1e3)
        })
    };
    // Dead time: gaps of more than three pace intervals (at least 3 ms),
    // i.e. the dispatcher was not sending although messages were due.
    let interval = Duration::from_secs(1) / rate.max(1);
    let stall = (interval * 3).max(Duration::from_millis(3));
    let stalls: Vec<&Duration> = gaps.iter().filter(|g| **g > stall).collect();
    let stalled: Duration = stalls.iter().copied().sum();
    let long_gaps = gaps
        .iter()
        .filter(|g| **g >= Duration::from_millis(10))
        .count();

    // Exactly once, and in queue order per customer.
    let mut seen: HashSet<&str> = HashSet::with_capacity(messages);
    let mut expected = vec![0usize; customers];
    let (mut unknown, mut out_of_order) = (0usize, 0usize);
    let mut wamid_of: HashMap<&str, &str> = HashMap::with_capacity(messages);
    for a in &order {
        seen.insert(a.text.as_str());
        wamid_of.insert(a.text.as_str(), a.wamid.as_str());
        match plan.get(&a.text) {
            Some(&(c, k)) if expected[c] == k => expected[c] += 1,
            Some(_) => out_of_order += 1,
            None => unknown += 1,
        }
    }
    let distinct = seen.len();
    let duplicates = arrivals.len() - distinct;
    let missing = messages.saturating_sub(distinct.saturating_sub(unknown));

    // The store must hold each message as sent, with the wamid the fake gave.
    let (mut stored, mut not_sent, mut wrong_wamid) = (0usize, 0usize, 0usize);
    let limit = u32::try_from(per_customer + 10).context("--per-customer is too large")?;
    for key in &keys {
        for m in bench.store.messages_for_customer(key, limit).await? {
            stored += 1;
            if m.state != MessageState::Sent {
                not_sent += 1;
            }
            if m.wamid.as_deref() != wamid_of.get(m.text.as_str()).copied() {
                wrong_wamid += 1;
            }
        }
    }

    println!(
        "dispatch {backend:?} at {rate}/s: {} sends in {:.1} s = {mean_rate:.1}/s \
         (all {messages} sent {:.1} s after queueing); max {max_1s} in any 1 s (limit {rate}), \
         {max_10s} in any 10 s (limit {}); gaps min {:.2} ms, max {:.0} ms, {long_gaps} ≥ 10 ms; \
         CPU {}",
        arrivals.len(),
        span.as_secs_f64(),
        last.duration_since(queued_at).as_secs_f64(),
        u64::from(rate) * 10,
        min_gap.as_secs_f64() * 1e3,
        max_gap.as_secs_f64() * 1e3,
        cpu.map_or("n/a".to_owned(), |c| format!(
            "{:.0} % of one core",
            100.0 * c.as_secs_f64() / wall.as_secs_f64()
        )),
    );
    println!(
        "windows: max {fixed_1s} in one whole second counted from the first send; \
         {windows_over} sends close a 1 s sliding window holding more than {rate}; \
         tightest {} consecutive sends span {}, tightest {} span {}",
        rate + 1,
        ms(tightest(rate as usize)),
        rate * 10 + 1,
        ms(tightest(rate as usize * 10)),
    );
    println!(
        "dead time: {} gaps longer than {:.1} ms add up to {:.2} s of the {:.2} s between first and last send",
        stalls.len(),
        stall.as_secs_f64() * 1e3,
        stalled.as_secs_f64(),
        span.as_secs_f64(),
    );
    if let Some(path) = dump {
        use std::fmt::Write as _;
        let mut csv = String::from("ms_after_first,customer,message\n");
        for a in &order {
            let (c, k) = plan
                .get(&a.text)
                .copied()
                .unwrap_or((usize::MAX, usize::MAX));
            let _ = writeln!(
                csv,
                "{:.3},{c},{k}",
                a.at.duration_since(first).as_secs_f64() * 1e3
            );
        }
        std::fs::write(&path, csv).with_context(|| format!("cannot write {}", path.display()))?;
    }
    println!(
        "checks: {duplicates} duplicates, {missing} missing, {out_of_order} out of order, \
         {unknown} unknown, {misaddressed} misaddressed; store: {stored} messages, \
         {not_sent} not sent, {wrong_wamid} wrong wamid"
    );
    probe_store(&bench, rate).await?;
    let over = max_1s > rate as usize || max_10s > rate as usize * 10;
    if over {
        println!("RATE LIMIT EXCEEDED");
    }
    let broken = duplicates + missing + out_of_order + unknown + not_sent + wrong_wamid > 0
        || misaddressed > 0
        || stored != messages;
    if broken {
        println!("CORRECTNESS PROBLEM (see the checks line)");
    }
    if over || broken {
        anyhow::bail!("dispatch run failed its checks");
    }
    Ok(())
}
