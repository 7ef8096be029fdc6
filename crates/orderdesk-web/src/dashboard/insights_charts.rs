//! The insights page's charts: plain SVG drawn on the server (no script,
//! no charting library), each labelled for screen readers and followed by
//! the table it was drawn from. Sizes are in the SVG's own units; the
//! browser scales the whole drawing to the column, so it reads the same on
//! a phone as on a desk.

use maud::{html, Markup};
use orderdesk_domain::stats::StatsReport;

/// Formats an amount of minor units in the business's money.
pub(crate) type Fmt<'a> = &'a dyn Fn(i64) -> String;

const W: f64 = 640.0;
const H: f64 = 220.0;
const PAD_LEFT: f64 = 8.0;
const PAD_BOTTOM: f64 = 24.0;
const PAD_TOP: f64 = 16.0;

fn max_of(values: impl Iterator<Item = i64>) -> i64 {
    values.max().unwrap_or(0).max(1)
}

/// A short day label: `7 Dec` (the table has the full date).
fn short(day: chrono::NaiveDate) -> String {
    day.format("%-d %b").to_string()
}

/// Revenue as bars and orders as a line, over the buckets.
pub(crate) fn over_time(r: &StatsReport, money: Fmt<'_>) -> Markup {
    let n = r.by_bucket.len().max(1);
    let slot = (W - PAD_LEFT) / n as f64;
    let top_revenue = max_of(r.by_bucket.iter().map(|b| b.revenue_minor));
    let top_orders = max_of(r.by_bucket.iter().map(|b| b.orders));
    let plot = H - PAD_BOTTOM - PAD_TOP;
    let y_of = |v: i64, top: i64| H - PAD_BOTTOM - plot * (v.max(0) as f64 / top as f64);
    let points: Vec<String> = r
        .by_bucket
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let x = PAD_LEFT + slot * (i as f64 + 0.5);
            format!("{x:.1},{:.1}", y_of(b.orders, top_orders))
        })
        .collect();
    // Every label would overlap past a dozen buckets: show about eight.
    let every = n.div_ceil(8).max(1);
    let label = format!(
        "Revenue and orders by {}: highest revenue {}, most orders {}",
        r.bucket,
        money(top_revenue),
        top_orders
    );
    html! {
        figure.chart #chart-time {
            svg viewBox={"0 0 " (W) " " (H)} role="img" aria-label=(label) preserveAspectRatio="xMidYMid meet" {
                line.axis x1=(PAD_LEFT) y1=(H - PAD_BOTTOM) x2=(W) y2=(H - PAD_BOTTOM) {}
                @for (i, b) in r.by_bucket.iter().enumerate() {
                    @let h = plot * (b.revenue_minor.max(0) as f64 / top_revenue as f64);
                    @let x = PAD_LEFT + slot * i as f64 + slot * 0.15;
                    rect.bar x=(format!("{x:.1}")) y=(format!("{:.1}", H - PAD_BOTTOM - h))
                        width=(format!("{:.1}", slot * 0.7)) height=(format!("{h:.1}")) {
                        title { (b.start) ": " (money(b.revenue_minor)) ", " (b.orders) " orders" }
                    }
                    @if i % every == 0 {
                        text.tick x=(format!("{:.1}", PAD_LEFT + slot * (i as f64 + 0.5))) y=(H - 6.0) text-anchor="middle" { (short(b.start)) }
                    }
                }
                polyline.line points=(points.join(" ")) {}
                @for p in &points {
                    @let (x, y) = p.split_once(',').unwrap_or(("0", "0"));
                    circle.dot cx=(x) cy=(y) r="3" {}
                }
            }
            figcaption {
                span.key.key-bar { "Revenue" } " "
                span.key.key-line { "Orders" }
            }
        }
        details.table {
            summary { "Table: revenue and orders" }
            table.items {
                thead { tr { th scope="col" { "From" } th scope="col" .num { "Orders" } th scope="col" .num { "Revenue" } th scope="col" .num { "Customers" } } }
                tbody {
                    @for b in &r.by_bucket {
                        tr { td { (b.start) } td.num { (b.orders) } td.num { (money(b.revenue_minor)) } td.num { (b.customers) } }
                    }
                }
            }
        }
    }
}

/// Horizontal bars, one per `(label, value, note)` row, scaled to the
/// largest value.
fn hbars(id: &str, label: &str, rows: &[(String, i64, String)]) -> Markup {
    let row_h = 34.0;
    let h = row_h * rows.len().max(1) as f64 + 4.0;
    let top = max_of(rows.iter().map(|r| r.1));
    let label_w = 150.0;
    let bar_w = W - label_w - 150.0;
    html! {
        figure.chart id=(id) {
            svg viewBox={"0 0 " (W) " " (h)} role="img" aria-label=(label) preserveAspectRatio="xMidYMid meet" {
                @for (i, (name, value, note)) in rows.iter().enumerate() {
                    @let y = 4.0 + row_h * i as f64;
                    @let w = (bar_w * ((*value).max(0) as f64 / top as f64)).max(2.0);
                    text.name x="0" y=(format!("{:.1}", y + 20.0)) { (name) }
                    rect.bar x=(label_w) y=(format!("{y:.1}")) width=(format!("{w:.1}")) height=(row_h - 10.0) {
                        title { (name) ": " (note) }
                    }
                    text.value x=(format!("{:.1}", label_w + w + 8.0)) y=(format!("{:.1}", y + 20.0)) { (note) }
                }
            }
        }
    }
}

fn table(caption: &str, head: [&str; 3], rows: &[[String; 3]]) -> Markup {
    html! {
        details.table {
            summary { "Table: " (caption) }
            table.items {
                thead { tr { th scope="col" { (head[0]) } th scope="col" .num { (head[1]) } th scope="col" .num { (head[2]) } } }
                tbody {
                    @for r in rows { tr { td { (r[0]) } td.num { (r[1]) } td.num { (r[2]) } } }
                }
            }
        }
    }
}

fn percent(share: f64) -> String {
    format!("{:.0}%", share * 100.0)
}

/// Carts → address → paid → confirmed → delivered, with the drop-offs.
pub(crate) fn funnel(r: &StatsReport) -> Markup {
    let names = [
        ("carts", "Carts"),
        ("address", "Address given"),
        ("paid", "Paid or COD"),
        ("confirmed", "Confirmed"),
        ("delivered", "Delivered"),
    ];
    let title = |step: &str| {
        names
            .iter()
            .find(|(k, _)| *k == step)
            .map_or(step.to_owned(), |(_, t)| (*t).to_owned())
    };
    let rows: Vec<(String, i64, String)> = r
        .funnel
        .steps
        .iter()
        .map(|s| {
            let note = if s.drop_off > 0 {
                format!(
                    "{} (−{}, {})",
                    s.count,
                    s.drop_off,
                    percent(s.drop_off_share)
                )
            } else {
                s.count.to_string()
            };
            (title(&s.step), s.count, note)
        })
        .collect();
    let table_rows: Vec<[String; 3]> = r
        .funnel
        .steps
        .iter()
        .map(|s| [title(&s.step), s.count.to_string(), s.drop_off.to_string()])
        .collect();
    let label = format!(
        "Checkout funnel: {}",
        rows.iter()
            .map(|(n, v, _)| format!("{n} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    html! {
        (hbars("chart-funnel", &label, &rows))
        p.small.muted #funnel-recovery {
            (r.funnel.abandoned) " checkouts abandoned, " (r.funnel.came_back) " came back; "
            span #funnel-recovered { (r.funnel.recovered) } " completed after a reminder (recovered)."
        }
        (table("funnel", ["Step", "Count", "Drop-off"], &table_rows))
    }
}

/// Orders by how they paid, and payment failures.
pub(crate) fn payment_mix(r: &StatsReport, money: Fmt<'_>) -> Markup {
    let mix = &r.payment_mix;
    let mut rows: Vec<(String, i64, String)> = mix
        .prepaid
        .iter()
        .map(|p| {
            (
                provider_name(&p.provider),
                p.orders,
                format!("{} · {}", p.orders, money(p.amount_minor)),
            )
        })
        .collect();
    rows.push((
        "Cash on delivery".to_owned(),
        mix.cash_on_delivery,
        mix.cash_on_delivery.to_string(),
    ));
    rows.push((
        "Failed attempts".to_owned(),
        mix.failed,
        mix.failed.to_string(),
    ));
    rows.push((
        "Paid on retry".to_owned(),
        mix.retries,
        mix.retries.to_string(),
    ));
    let mut table_rows: Vec<[String; 3]> = mix
        .prepaid
        .iter()
        .map(|p| {
            [
                provider_name(&p.provider),
                p.orders.to_string(),
                money(p.amount_minor),
            ]
        })
        .collect();
    table_rows.push([
        "Cash on delivery".into(),
        mix.cash_on_delivery.to_string(),
        String::new(),
    ]);
    table_rows.push([
        "Failed attempts".into(),
        mix.failed.to_string(),
        String::new(),
    ]);
    table_rows.push([
        "Paid on retry".into(),
        mix.retries.to_string(),
        String::new(),
    ]);
    let label = format!(
        "Payment mix: {}",
        rows.iter()
            .map(|(n, v, _)| format!("{n} {v}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    html! {
        (hbars("chart-payments", &label, &rows))
        (table("payment mix", ["How", "Orders", "Amount"], &table_rows))
    }
}

fn provider_name(id: &str) -> String {
    match id {
        "razorpay" => "Razorpay".into(),
        "stripe" => "Stripe".into(),
        "upi" => "UPI".into(),
        "simulator" => "Simulator".into(),
        "manual" => "Recorded by staff".into(),
        other => other.to_owned(),
    }
}

/// A duration for people: `45 min`, `3.5 h`, `2.1 days`.
pub(crate) fn duration(seconds: Option<i64>) -> String {
    match seconds {
        None => "—".to_owned(),
        Some(s) if s < 3_600 => format!("{} min", (s as f64 / 60.0).round()),
        Some(s) if s < 86_400 => format!("{:.1} h", s as f64 / 3_600.0),
        Some(s) => format!("{:.1} days", s as f64 / 86_400.0),
    }
}

/// Median time in each stage, with its p90 in the note.
pub(crate) fn stage_times(r: &StatsReport) -> Markup {
    let title = |stage: &str| match stage {
        "placed_confirmed" => "Placed → confirmed".to_owned(),
        "confirmed_shipped" => "Confirmed → shipped".to_owned(),
        "shipped_delivered" => "Shipped → delivered".to_owned(),
        other => other.to_owned(),
    };
    let rows: Vec<(String, i64, String)> = r
        .stage_times
        .iter()
        .map(|s| {
            let note = match s.median_seconds {
                Some(_) => format!(
                    "{} (p90 {})",
                    duration(s.median_seconds),
                    duration(s.p90_seconds)
                ),
                None => "no orders yet".to_owned(),
            };
            (title(&s.stage), s.median_seconds.unwrap_or(0), note)
        })
        .collect();
    let table_rows: Vec<[String; 3]> = r
        .stage_times
        .iter()
        .map(|s| {
            [
                format!("{} ({} orders)", title(&s.stage), s.count),
                duration(s.median_seconds),
                duration(s.p90_seconds),
            ]
        })
        .collect();
    let label = format!(
        "Median stage times: {}",
        rows.iter()
            .map(|(n, _, note)| format!("{n} {note}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    html! {
        (hbars("chart-stages", &label, &rows))
        (table("stage times", ["Stage", "Median", "p90"], &table_rows))
    }
}
