//! `orderdesk-bench`: measures the server from outside, over real HTTP on
//! loopback, with the production wiring (`orderdesk::serve_with_store`).
//!
//! - `ingest`: signed single-cart webhooks from N concurrent connections,
//!   closed loop (as fast as acknowledged) or open loop at a fixed rate;
//!   reports acknowledged orders/s and ack latency p50/p99, then the same
//!   server's `/healthz` rate for comparison.
//! - `list`: seeds M orders through the inbox path, then measures
//!   `GET /api/v1/orders` with a status filter, a search and the first page.
//!
//! Figures go to docs/benchmarks.md; the timing lives here, never in tests.

mod load;

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
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    match Args::parse().command {
        Command::Ingest {
            backend,
            concurrency,
            seconds,
            rate,
        } => load::ingest(backend, concurrency, seconds, rate).await,
        Command::List {
            backend,
            orders,
            requests,
        } => load::list(backend, orders, requests).await,
    }
}
