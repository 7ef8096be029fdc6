//! `orderdesk orders export`: every order, newest first, streamed page by
//! page so memory stays flat however many orders there are.

use std::io::Write;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use orderdesk_store::{OrderQuery, Store};
use orderdesk_web::export::{csv_row, HEADER};

use crate::config::Config;

#[derive(Debug, Subcommand)]
pub enum OrdersCommand {
    /// Write all orders to standard output.
    Export {
        #[arg(long, value_enum)]
        format: Format,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Csv,
    Jsonl,
}

const PAGE: u32 = 200;

pub async fn run(cmd: OrdersCommand, config: &Config) -> anyhow::Result<()> {
    let OrdersCommand::Export { format } = cmd;
    let store = crate::open_store(config).await?;
    // The zone set on /settings, under the environment's, as when serving.
    let config = config.with_store(store.as_ref()).await?;
    let local = orderdesk_domain::Local::parse(&config.time_zone, &config.locale)?;
    let stdout = std::io::stdout();
    export(store.as_ref(), format, &local, stdout.lock()).await
}

/// Writes every order in `format` to `out`.
///
/// # Errors
/// A store failure or a write failure (e.g. a closed pipe).
pub async fn export(
    store: &dyn Store,
    format: Format,
    local: &orderdesk_domain::Local,
    out: impl Write,
) -> anyhow::Result<()> {
    let mut csv_out = None;
    let mut json_out = None;
    match format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(out);
            w.write_record(HEADER)?;
            csv_out = Some(w);
        }
        Format::Jsonl => json_out = Some(std::io::BufWriter::new(out)),
    }
    let mut query = OrderQuery {
        limit: PAGE,
        ..OrderQuery::default()
    };
    loop {
        let page = store.list_orders(&query).await?;
        for order in &page.orders {
            if let Some(w) = csv_out.as_mut() {
                w.write_record(csv_row(order, local))?;
            }
            if let Some(w) = json_out.as_mut() {
                serde_json::to_writer(&mut *w, order)?;
                w.write_all(b"\n")?;
            }
        }
        match page.next_before {
            Some(before) => query.before = Some(before),
            None => break,
        }
    }
    if let Some(mut w) = csv_out {
        w.flush().context("cannot write the export")?;
    }
    if let Some(mut w) = json_out {
        w.flush().context("cannot write the export")?;
    }
    Ok(())
}
