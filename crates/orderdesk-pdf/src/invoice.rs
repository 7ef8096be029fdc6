//! The invoice's page: who sells and who buys, the lines as a table with
//! HSN, quantity, unit price, taxable value, rate, tax and amount, then
//! the taxable total, each tax, shipping, discount and the total, and how
//! it was paid. A long order runs onto more pages, the table's header
//! repeated on each.

use orderdesk_domain::invoice::{rate_text, Invoice, Party};
use orderdesk_domain::{Local, Money};

use crate::canvas::{Canvas, Face, MARGIN, PAGE_WIDTH};

const BODY: f32 = 9.0;
const SMALL: f32 = 8.0;
const LEADING: f32 = 12.0;
const RIGHT: f32 = PAGE_WIDTH - MARGIN;

/// A table column: its header, width and whether it is a number.
struct Column {
    title: &'static str,
    width: f32,
    numeric: bool,
}

fn columns(with_hsn: bool) -> Vec<Column> {
    let col = |title, width, numeric| Column {
        title,
        width,
        numeric,
    };
    let mut fixed = vec![
        col("#", 18.0, false),
        col("Item", 0.0, false),
        col("HSN", 44.0, false),
        col("Qty", 28.0, true),
        col("Unit price", 64.0, true),
        col("Taxable", 64.0, true),
        col("Rate", 34.0, true),
        col("Tax", 58.0, true),
        col("Amount", 68.0, true),
    ];
    if !with_hsn {
        fixed.remove(2);
    }
    let used: f32 = fixed.iter().map(|c| c.width).sum();
    fixed[1].width = RIGHT - MARGIN - used;
    fixed
}

/// What kind of document the page is: an invoice, or a credit note
/// against one (same layout, another title and the invoice it corrects).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind<'a> {
    Invoice,
    CreditNote { against: &'a str },
}

pub(crate) fn draw(canvas: &mut Canvas, invoice: &Invoice, local: &Local, kind: Kind<'_>) {
    let money = |minor: i64| local.money(Money::from_minor(minor, invoice.currency));
    header(canvas, invoice, local, kind);
    parties(canvas, &invoice.seller, &invoice.buyer);

    let columns = columns(invoice.has_hsn());
    table_header(canvas, &columns);
    for (i, line) in invoice.lines.iter().enumerate() {
        let item = canvas.wrap(
            Face::Regular,
            BODY,
            columns[1].width - 6.0,
            &line.description,
        );
        let height = LEADING * item.len() as f32 + 4.0;
        if canvas.ensure(height) {
            table_header(canvas, &columns);
        }
        let mut cells = vec![(i + 1).to_string(), String::new()];
        if invoice.has_hsn() {
            cells.push(line.hsn.clone().unwrap_or_default());
        }
        cells.extend([
            line.quantity.to_string(),
            money(line.unit_price_minor),
            money(line.taxable_minor),
            rate_text(line.rate_bp),
            money(line.tax_minor),
            money(line.total_minor),
        ]);
        let baseline = canvas.y - 10.0;
        let mut x = MARGIN;
        for (column, cell) in columns.iter().zip(&cells) {
            if column.title == "Item" {
                for (n, text) in item.iter().enumerate() {
                    let y = baseline - LEADING * n as f32;
                    canvas.text_at(Face::Regular, BODY, x + 3.0, y, text);
                }
            } else if column.numeric {
                canvas.text_right(Face::Regular, BODY, x + column.width - 3.0, baseline, cell);
            } else {
                canvas.text_at(Face::Regular, BODY, x + 3.0, baseline, cell);
            }
            x += column.width;
        }
        canvas.y -= height;
        canvas.rule(MARGIN, RIGHT, canvas.y, 0.85, 0.5);
    }

    totals(canvas, invoice, &money);
    footer(canvas, invoice, kind);
}

fn header(canvas: &mut Canvas, invoice: &Invoice, local: &Local, kind: Kind<'_>) {
    let (title, number_label) = match kind {
        Kind::CreditNote { .. } => ("Credit note", "Credit note no."),
        Kind::Invoice if invoice.seller.tax_id.is_some() => ("Tax invoice", "Invoice no."),
        Kind::Invoice => ("Invoice", "Invoice no."),
    };
    canvas.text_at(Face::Bold, 20.0, MARGIN, canvas.y - 20.0, title);
    let mut facts = vec![(number_label, invoice.number.clone())];
    if let Kind::CreditNote { against } = kind {
        facts.push(("Against invoice", against.to_owned()));
    }
    facts.extend([
        ("Date", local.date(invoice.issued_at)),
        ("Order", format!("#{}", invoice.order_number)),
    ]);
    let mut y = canvas.y - 8.0;
    for (label, value) in facts {
        canvas.text_right(Face::Bold, BODY, RIGHT, y, &value);
        let label_right = RIGHT - canvas.width(Face::Bold, BODY, &value) - 6.0;
        canvas.text_right(Face::Regular, SMALL, label_right, y, label);
        y -= LEADING;
    }
    canvas.y -= 50.0_f32.max(canvas.y - y + 4.0);
    canvas.rule(MARGIN, RIGHT, canvas.y, 0.6, 0.8);
    canvas.y -= 14.0;
}

/// The party's printed lines, wrapped to `width`.
fn party_lines(canvas: &Canvas, party: &Party, width: f32) -> Vec<(Face, String)> {
    let mut lines = vec![(Face::Bold, party.name.clone())];
    for line in &party.address {
        for wrapped in canvas.wrap(Face::Regular, BODY, width, line) {
            lines.push((Face::Regular, wrapped));
        }
    }
    if let Some(phone) = &party.phone {
        lines.push((Face::Regular, format!("Phone: {phone}")));
    }
    if let Some(tax_id) = &party.tax_id {
        lines.push((Face::Regular, format!("GSTIN / tax id: {tax_id}")));
    }
    lines
}

fn parties(canvas: &mut Canvas, seller: &Party, buyer: &Party) {
    let half = (RIGHT - MARGIN) / 2.0;
    let from = party_lines(canvas, seller, half - 12.0);
    let to = party_lines(canvas, buyer, half - 12.0);
    let top = canvas.y;
    let rows = from.len().max(to.len());
    for (x, label, lines) in [(MARGIN, "Sold by", from), (MARGIN + half, "Bill to", to)] {
        canvas.text_at(Face::Regular, SMALL, x, top - 8.0, label);
        for (n, (face, text)) in lines.iter().enumerate() {
            canvas.text_at(*face, BODY, x, top - 22.0 - LEADING * n as f32, text);
        }
    }
    canvas.y = top - 22.0 - LEADING * rows as f32 - 10.0;
}

fn table_header(canvas: &mut Canvas, columns: &[Column]) {
    canvas.ensure(40.0);
    let height = 18.0;
    canvas.band(MARGIN, canvas.y - height, RIGHT - MARGIN, height, 0.92);
    let baseline = canvas.y - 12.5;
    let mut x = MARGIN;
    for column in columns {
        if column.numeric {
            canvas.text_right(
                Face::Bold,
                SMALL,
                x + column.width - 3.0,
                baseline,
                column.title,
            );
        } else {
            canvas.text_at(Face::Bold, SMALL, x + 3.0, baseline, column.title);
        }
        x += column.width;
    }
    canvas.y -= height;
}

fn totals(canvas: &mut Canvas, invoice: &Invoice, money: &dyn Fn(i64) -> String) {
    let mut rows: Vec<(String, String, Face)> = vec![(
        "Taxable value".to_owned(),
        money(invoice.taxable_minor),
        Face::Regular,
    )];
    for tax in &invoice.taxes {
        rows.push((tax.label.clone(), money(tax.amount_minor), Face::Regular));
    }
    if invoice.shipping_minor != 0 {
        rows.push((
            "Shipping".to_owned(),
            money(invoice.shipping_minor),
            Face::Regular,
        ));
    }
    if invoice.discount_minor != 0 {
        rows.push((
            "Discount".to_owned(),
            money(-invoice.discount_minor),
            Face::Regular,
        ));
    }
    rows.push(("Total".to_owned(), money(invoice.total_minor), Face::Bold));
    canvas.ensure(LEADING * rows.len() as f32 + 24.0);
    canvas.y -= 8.0;
    let label_right = RIGHT - 110.0;
    for (label, value, face) in rows {
        let size = if face == Face::Bold { 11.0 } else { BODY };
        if face == Face::Bold {
            canvas.rule(label_right - 120.0, RIGHT, canvas.y - 2.0, 0.6, 0.8);
            canvas.y -= 4.0;
        }
        let baseline = canvas.y - 10.0;
        canvas.text_right(face, size, label_right, baseline, &label);
        canvas.text_right(face, size, RIGHT - 3.0, baseline, &value);
        canvas.y -= LEADING + if face == Face::Bold { 4.0 } else { 0.0 };
    }
}

fn footer(canvas: &mut Canvas, invoice: &Invoice, kind: Kind<'_>) {
    canvas.ensure(40.0);
    canvas.y -= 16.0;
    if let Some(payment) = &invoice.payment {
        canvas.text_at(Face::Regular, BODY, MARGIN, canvas.y, payment);
        canvas.y -= LEADING;
    }
    canvas.text_at(
        Face::Regular,
        SMALL,
        MARGIN,
        canvas.y,
        match kind {
            Kind::Invoice => "A computer-generated invoice; no signature is required.",
            Kind::CreditNote { .. } => {
                "A computer-generated credit note; no signature is required."
            }
        },
    );
    canvas.y -= LEADING;
}
