//! `orderdesk-bench`: measures the server from outside, over real HTTP on
//! loopback, with the production wiring (`orderdesk::serve_with_store`).
//!
//! - `ingest`: signed single-cart webhooks from N concurrent connections,
//!   closed loop (as fast as acknowledged) or open loop at a fixed rate;
//!   reports acknowledged orders/s and ack latency p50/p99, then the same
//!   server's `/healthz` rate for comparison. First, in the same run, the
//!   bare durable-ingest probe (`probe.rs`) under the same load, and our
//!   rate as a ratio to it.
//! - `list`: seeds M orders through the inbox path, then measures
//!   `GET /api/v1/orders` with a status filter, a search and the first page.
//! - `dispatch`: queues M outbound messages and lets the production outbox
//!   dispatcher send them to a Graph API fake that answers instantly;
//!   reports sends/s, the most sends in any 1 s / 10 s window against the
//!   configured limit, and checks exactly-once and per-customer order.
//! - `streams`: opens N event streams (as N dashboards would), then sends
//!   two rounds of orders and reports resident memory per phase and how
//!   fast every order reached every stream.
//! - `scale-ingest`: ingestion through N instances on one PostgreSQL, then
//!   new order on one instance → event on another.
//! - `big-list`: list/search latency over M bulk-loaded orders (PostgreSQL).
//! - `stats`: `GET /api/v1/stats` for a year over seeded daily rollups
//!   (insights, issue #18).
//! - `intake`: the typed-order reader's exact-read score on its corpus and
//!   its time per message at a large catalog (no server: it is pure).
//!
//! Figures go to docs/benchmarks.md; the timing lives here, never in tests.
//! With `RUST_LOG` set, the server's log goes to stderr (e.g.
//! `RUST_LOG=orderdesk_store_sqlite::writer=debug` for the SQLite writer's
//! waits and holds).

mod dispatch;
mod intake;
mod load;
mod probe;
mod scale;
mod search_kinds;
mod stats;
mod streams;

use clap::{Parser, Subcommand, ValueEnum};

#[derive(Parser)]
#[command(about = "Benchmarks for orderdesk")]
struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, Debug)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Subcommand)]
enum Command {
    /// Signed order-webhook ingestion.
    Ingest {
        #[arg(long, value_enum, default_value = "sqlite")]
        backend: Backend,
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Open loop: this many webhooks per second in total (default: closed loop).
        #[arg(long)]
        rate: Option<u64>,
        /// Skip the bare durable-ingest probe run first (see `probe.rs`).
        #[arg(long)]
        no_probe: bool,
    },
    /// Order list latency with many orders stored.
    List {
        #[arg(long, value_enum, default_value = "sqlite")]
        backend: Backend,
        #[arg(long, default_value_t = 1_000_000)]
        orders: usize,
        #[arg(long, default_value_t = 2000)]
        requests: usize,
    },
    /// Outbound dispatch to an instant Graph API fake, against the rate limit.
    Dispatch {
        #[arg(long, value_enum, default_value = "sqlite")]
        backend: Backend,
        /// `WHATSAPP_MESSAGES_PER_SECOND` (1 to 1000).
        #[arg(long, default_value_t = 80)]
        rate: u32,
        /// Report how many were sent this long after the first send (the
        /// run still waits for all of them).
        #[arg(long, default_value_t = 60)]
        seconds: u64,
        #[arg(long, default_value_t = 4800)]
        messages: usize,
        /// Messages per customer; one customer's go out one at a time.
        #[arg(long, default_value_t = 10)]
        per_customer: usize,
        /// Write every send's arrival time (ms after the first), customer
        /// and sequence number to this CSV file.
        #[arg(long)]
        dump: Option<std::path::PathBuf>,
    },
    /// Ingestion through several instances on one PostgreSQL, and the
    /// latency of a new order's event on another instance.
    ScaleIngest {
        #[arg(long, default_value_t = 2)]
        instances: usize,
        #[arg(long, default_value_t = 32)]
        concurrency: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Carts per second for the cross-instance latency (10 s of them).
        #[arg(long, default_value_t = 50)]
        latency_rate: u64,
        /// PostgreSQL at its durable defaults (fsync, synchronous commit)
        /// instead of the test cluster's fsync=off.
        #[arg(long)]
        durable: bool,
        /// Lone orders, one at a time, for the cross-instance latency.
        #[arg(long, default_value_t = 200)]
        lone: u64,
        /// Send the load's carts at this many per second (open loop)
        /// instead of as fast as the connections go: issue #12's target is
        /// 2,000 a second with every order processed 2 s after.
        #[arg(long)]
        rate: Option<u64>,
    },
    /// List and search latency over bulk-loaded orders (PostgreSQL).
    BigList {
        #[arg(long, default_value_t = 10_000_000)]
        orders: u64,
        #[arg(long, default_value_t = 1000)]
        requests: usize,
        /// Build the pg_trgm indexes before measuring.
        #[arg(long)]
        trigram: bool,
        /// After measuring, keep the cluster and the server up (printing
        /// their addresses) until Ctrl-C, for `EXPLAIN ANALYZE` by hand.
        #[arg(long)]
        hold: bool,
        /// Measure a database an earlier `--hold` kept (its URL, loaded
        /// with the same `--orders`) instead of loading a new one.
        #[arg(long)]
        reuse: Option<String>,
    },
    /// The typed-order reader: corpus score and time per message.
    Intake {
        /// Products in the catalog the messages are read against.
        #[arg(long, default_value_t = 5000)]
        products: usize,
        /// Passes over every corpus message.
        #[arg(long, default_value_t = 50)]
        rounds: usize,
    },
    /// `GET /api/v1/stats` for a year over a year of daily rollups.
    Stats {
        #[arg(long, value_enum, default_value = "sqlite")]
        backend: Backend,
        /// Orders the rollups stand for, spread over 365 days.
        #[arg(long, default_value_t = 1_000_000)]
        orders: u64,
        /// Products sold every day (two counters each per day).
        #[arg(long, default_value_t = 100)]
        products: usize,
        #[arg(long, default_value_t = 500)]
        requests: usize,
    },
    /// Many open event streams: memory per stream and fan-out.
    Streams {
        #[arg(long, value_enum, default_value = "sqlite")]
        backend: Backend,
        #[arg(long, default_value_t = 1000)]
        count: usize,
        /// Orders per round (two rounds).
        #[arg(long, default_value_t = 200)]
        orders: u64,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // The server's log, only when asked for: `RUST_LOG=orderdesk_store_sqlite::writer=debug`
    // shows how long the SQLite writer is held and waited for, by kind.
    if let Ok(filter) = std::env::var("RUST_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .init();
    }
    match Args::parse().command {
        Command::Ingest {
            backend,
            concurrency,
            seconds,
            rate,
            no_probe,
        } => load::ingest(backend, concurrency, seconds, rate, !no_probe).await,
        Command::List {
            backend,
            orders,
            requests,
        } => load::list(backend, orders, requests).await,
        Command::Dispatch {
            backend,
            rate,
            seconds,
            messages,
            per_customer,
            dump,
        } => dispatch::dispatch(backend, rate, seconds, messages, per_customer, dump).await,
        Command::ScaleIngest {
            instances,
            concurrency,
            seconds,
            latency_rate,
            durable,
            lone,
            rate,
        } => {
            scale::ingest(scale::ScaleIngest {
                instances,
                concurrency,
                seconds,
                latency_rate,
                durable,
                lone,
                rate,
            })
            .await
        }
        Command::BigList {
            orders,
            requests,
            trigram,
            hold,
            reuse,
        } => scale::big_list(orders, requests, trigram, hold, reuse).await,
        Command::Stats {
            backend,
            orders,
            products,
            requests,
        } => stats::stats(backend, orders, products, requests).await,
        Command::Intake { products, rounds } => intake::intake(products, rounds),
        Command::Streams {
            backend,
            count,
            orders,
        } => streams::streams(backend, count, orders).await,
    }
}
