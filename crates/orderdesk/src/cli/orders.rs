//! `orderdesk orders export`: every order, newest first, streamed page by
//! page so memory stays flat however many orders there are.

use std::io::Write;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use orderdesk_domain::{Money, Order};
use orderdesk_store::{OrderQuery, Store};

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
const HEADER: &[&str] = &[
    "number",
    "status",
    "payment_status",
    "payment_method",
    "checkout_step",
    "customer_name",
    "customer_wa_id",
    "customer_user_id",
    "items",
    "currency",
    "total",
    "total_minor",
    "address",
    "note",
    "cart_text",
    "tracking",
    "created_at",
    "updated_at",
];

pub async fn run(cmd: OrdersCommand, config: &Config) -> anyhow::Result<()> {
    let OrdersCommand::Export { format } = cmd;
    let store = crate::open_store(config).await?;
    let stdout = std::io::stdout();
    export(store.as_ref(), format, stdout.lock()).await
}

/// Writes every order in `format` to `out`.
///
/// # Errors
/// A store failure or a write failure (e.g. a closed pipe).
pub async fn export(store: &dyn Store, format: Format, out: impl Write) -> anyhow::Result<()> {
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
                w.write_record(csv_row(order))?;
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

fn csv_row(o: &Order) -> Vec<String> {
    let items = o
        .items
        .iter()
        .map(|i| format!("{} x {}", i.quantity, i.name))
        .collect::<Vec<_>>()
        .join("; ");
    let address = o.address.as_ref().map_or(String::new(), |a| {
        [
            &a.name,
            &a.phone,
            &a.line1,
            &a.line2,
            &a.city,
            &a.state,
            &a.postal_code,
            &a.country,
        ]
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
    });
    let total = Money::from_minor(o.total_minor, o.currency).to_string();
    vec![
        o.number.to_string(),
        o.status.to_string(),
        o.payment_status.to_string(),
        o.payment_method
            .map(|m| m.as_str().to_owned())
            .unwrap_or_default(),
        o.checkout_step.as_str().to_owned(),
        cell(o.customer.name.clone().unwrap_or_default()),
        o.customer.wa_id.clone().unwrap_or_default(),
        o.customer.user_id.clone().unwrap_or_default(),
        cell(items),
        o.currency.to_string(),
        total.split(' ').next().unwrap_or_default().to_owned(),
        o.total_minor.to_string(),
        cell(address),
        cell(o.note.clone().unwrap_or_default()),
        cell(o.cart_text.clone().unwrap_or_default()),
        cell(o.tracking.clone().unwrap_or_default()),
        o.created_at.to_rfc3339(),
        o.updated_at.to_rfc3339(),
    ]
}

/// Customer-supplied text starting with `=`, `+`, `-` or `@` would run as a
/// formula when a merchant opens the export in a spreadsheet; a leading
/// apostrophe keeps it text.
fn cell(text: String) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text
    }
}
