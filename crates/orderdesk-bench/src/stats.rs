//! `stats`: `GET /api/v1/stats` over a year of daily rollups. The rollups
//! are what the write path keeps per local day whatever the number of
//! orders (one row per day and metric), so the bench writes a year of them
//! directly — as `--orders` orders spread over 365 days, over `--products`
//! products — rather than creating millions of orders first; the rows, not
//! the orders, are what the request reads.

use std::time::Instant;

use anyhow::Context;
use chrono::{Datelike, Duration, NaiveDate, Utc};

use crate::load::{report, Bench};
use crate::Backend;

/// The day rows of a year of `orders` orders over `products` products.
fn year_rows(orders: u64, products: usize, today: NaiveDate) -> Vec<(String, String, i64)> {
    let per_day = i64::try_from(orders / 365).unwrap_or(i64::MAX).max(1);
    let share = |pct: i64| (per_day * pct / 100).max(1);
    let mut rows = Vec::new();
    for back in 0..365 {
        let day = today - Duration::days(back);
        let d = day.to_string();
        let mut put = |metric: String, value: i64| rows.push((d.clone(), metric, value));
        for (metric, pct) in [
            ("carts", 100),
            ("address", 85),
            ("funnel_paid", 70),
            ("confirmed", 68),
            ("delivered", 60),
            ("abandoned", 15),
            ("came_back", 2),
            ("cancelled", 5),
            ("returned", 2),
            ("paid_orders", 60),
            ("cod_orders", 10),
            ("payment_failed", 8),
            ("payment_retries", 5),
            ("repeat_orders", 30),
            ("customers_d", 90),
            ("currency:INR", 60),
            ("prepaid:razorpay", 40),
            ("prepaid:stripe", 10),
            ("prepaid:upi", 10),
        ] {
            put(metric.to_owned(), share(pct));
        }
        put("revenue_minor".into(), share(60) * 49_900);
        put("refunded_minor".into(), share(2) * 49_900);
        for p in ["razorpay", "stripe", "upi"] {
            put(format!("prepaid_minor:{p}"), share(20) * 49_900);
        }
        if day.weekday() == chrono::Weekday::Mon {
            put("customers_w".into(), share(500));
        }
        if day.day() == 1 {
            put("customers_m".into(), share(2_000));
        }
        for reason in ["changed mind", "out of stock", "late", "wrong size", "none"] {
            put(format!("cancel_reason:{reason}"), 1);
        }
        for reason in ["damaged", "wrong item", "none"] {
            put(format!("return_reason:{reason}"), 1);
        }
        for stage in ["placed_confirmed", "confirmed_shipped", "shipped_delivered"] {
            for bucket in 0..=16 {
                put(format!("t:{stage}:{bucket}"), share(4));
            }
        }
        for p in 0..products {
            put(format!("pq:sku-{p}"), 2);
            put(format!("pr:sku-{p}"), 2 * 29_900);
        }
    }
    rows
}

/// Writes the rows (in chunks, values inline: they are our own names and
/// numbers) and marks the rollups as kept in UTC, the bench's zone.
async fn seed(backend: Backend, url: &str, rows: &[(String, String, i64)]) -> anyhow::Result<()> {
    let statements: Vec<String> = rows
        .chunks(500)
        .map(|chunk| {
            let values: Vec<String> = chunk
                .iter()
                .map(|(d, m, v)| format!("('{d}', '{}', {v})", m.replace('\'', "''")))
                .collect();
            format!(
                "INSERT INTO stats_days (day, metric, value) VALUES {}",
                values.join(", ")
            )
        })
        .collect();
    // The month sums follow the days by migration 0160's triggers.
    let zone = "UPDATE stats_zone SET time_zone = 'UTC' WHERE id = 1";
    match backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(url).await?;
            let mut tx = pool.begin().await?;
            for s in &statements {
                sqlx::query(s).execute(&mut *tx).await?;
            }
            sqlx::query(zone).execute(&mut *tx).await?;
            tx.commit().await?;
            pool.close().await;
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(url).await?;
            let mut tx = pool.begin().await?;
            for s in &statements {
                sqlx::query(s).execute(&mut *tx).await?;
            }
            sqlx::query(zone).execute(&mut *tx).await?;
            tx.commit().await?;
            // The months' trigger updated each month row once per day row:
            // a year of such updates is what autovacuum keeps cleaning in a
            // running shop, so the bench starts from its steady state.
            sqlx::query("VACUUM ANALYZE stats_days, stats_months")
                .execute(&pool)
                .await?;
            pool.close().await;
        }
    }
    Ok(())
}

pub async fn stats(
    backend: Backend,
    orders: u64,
    products: usize,
    requests: usize,
) -> anyhow::Result<()> {
    let bench = Bench::start(backend).await?;
    let today = Utc::now().date_naive();
    let rows = year_rows(orders, products, today);
    println!(
        "seeding a year of rollups for {orders} orders over {products} products: {} rows on {backend:?}…",
        rows.len()
    );
    let t = Instant::now();
    seed(backend, &bench.db_url, &rows).await?;
    println!("seeded in {:.1} s", t.elapsed().as_secs_f64());
    let client = reqwest::Client::new();
    let from = today - Duration::days(364);
    for bucket in ["day", "week", "month"] {
        let url = format!(
            "{}/api/v1/stats?from={from}&to={today}&bucket={bucket}",
            bench.base
        );
        // One untimed request: connections and caches warm.
        let first = client.get(&url).bearer_auth(&bench.token).send().await?;
        anyhow::ensure!(first.status() == 200, "stats answered {}", first.status());
        let body: serde_json::Value = first.json().await.context("stats body")?;
        anyhow::ensure!(
            body["orders"].as_i64().unwrap_or(0) > 0,
            "no orders counted: {body}"
        );
        let mut lat = Vec::with_capacity(requests);
        let mut errors = 0;
        let start = Instant::now();
        for _ in 0..requests {
            let t = Instant::now();
            match client.get(&url).bearer_auth(&bench.token).send().await {
                Ok(r) if r.status() == 200 => {
                    r.bytes().await.context("body")?;
                    lat.push(t.elapsed());
                }
                _ => errors += 1,
            }
        }
        report(
            &format!("GET /api/v1/stats, a year by {bucket}"),
            lat,
            start.elapsed(),
            errors,
        );
    }
    Ok(())
}
