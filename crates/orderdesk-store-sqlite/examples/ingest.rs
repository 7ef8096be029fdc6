//! Webhook ingestion speed on a real file with `synchronous=FULL`: the hot
//! path must store at least 5,000 items/s arriving as batches of 32 from
//! many concurrent requests. Timing depends on the disk, so this is run on
//! demand rather than in the test suite:
//!
//! `cargo run -p orderdesk-store-sqlite --release --example ingest`
//!
//! Exits non-zero below the target.

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use orderdesk_store::prelude::*;
use orderdesk_store::{NewInbound, Recorded};

const REQUESTS: usize = 64;
const BATCHES_PER_REQUEST: usize = 25;
const BATCH: usize = 32;
const TARGET_PER_SECOND: f64 = 5_000.0;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let url = format!("sqlite://{}", dir.path().join("bench.db").display());
    let store = Arc::new(orderdesk_store_sqlite::connect(&url).await?);
    store.migrate().await?;

    let started = Instant::now();
    let mut requests = Vec::new();
    for r in 0..REQUESTS {
        let store = Arc::clone(&store);
        requests.push(tokio::spawn(async move {
            for b in 0..BATCHES_PER_REQUEST {
                let batch: Vec<NewInbound> = (0..BATCH)
                    .map(|i| NewInbound {
                        source: "whatsapp".to_owned(),
                        external_id: format!("wamid.{r}.{b}.{i}"),
                        kind: "message.text".to_owned(),
                        customer_key: Some(format!("9198{r:08}")),
                        payload: format!(
                            r#"{{"from":"9198{r:08}","id":"wamid.{r}.{b}.{i}","text":{{"body":"hello, I would like to order"}},"type":"text"}}"#
                        ),
                        received_at: Utc::now(),
                    })
                    .collect();
                let recorded = store.record_inbound(&batch).await?;
                anyhow::ensure!(
                    recorded.iter().all(|r| matches!(r, Recorded::New(_))),
                    "unique items reported as duplicates"
                );
            }
            anyhow::Ok(())
        }));
    }
    for request in requests {
        request.await??;
    }
    let elapsed = started.elapsed();
    let items = REQUESTS * BATCHES_PER_REQUEST * BATCH;
    let rate = items as f64 / elapsed.as_secs_f64();
    println!("{items} items in {elapsed:.2?}: {rate:.0} items/s (target {TARGET_PER_SECOND:.0})");
    anyhow::ensure!(rate >= TARGET_PER_SECOND, "below the target");
    Ok(())
}
