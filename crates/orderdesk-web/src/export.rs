//! Orders as CSV rows: one shape for `orderdesk orders export` and the
//! dashboard's "Export CSV" of the current filter.
//!
//! Amounts stay machine-readable (`total` in major units, `total_minor`);
//! times come twice: UTC (`created_at`) for programs, and in the business's
//! time zone with its offset (`created_at_local`, `2026-12-07T00:16:00+05:30`)
//! so a merchant's spreadsheet shows the day the order was placed there.
//!
//! Every CSV the dashboard offers (orders, payments, insights) is answered
//! by [`download`] or [`csv_download`].

use axum::body::Body;
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use orderdesk_domain::{Local, Money, Order};

use crate::error::ApiError;

pub const HEADER: &[&str] = &[
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
    "created_at_local",
    "updated_at_local",
    // The address again, one part per column, for couriers' imports.
    "address_name",
    "address_phone",
    "address_line1",
    "address_line2",
    "address_city",
    "address_state",
    "address_postal_code",
    "address_country",
];

/// UTF-8's byte-order mark: without it, spreadsheet programs on Windows
/// read a CSV as the local code page and garble names like "Zoë".
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// One order's cells, in [`HEADER`] order; local times in `local`'s zone.
pub fn csv_row(o: &Order, local: &Local) -> Vec<String> {
    let items = o
        .items
        .iter()
        .map(|i| format!("{} x {}", i.quantity, i.name))
        .collect::<Vec<_>>()
        .join("; ");
    let parts = o.address.as_ref().map_or([""; 8], address_parts);
    let address = parts
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    let total = Money::from_minor(o.total_minor, o.currency).to_string();
    let mut row = vec![
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
        local.rfc3339(o.created_at),
        local.rfc3339(o.updated_at),
    ];
    row.extend(parts.iter().map(|p| cell((*p).to_owned())));
    row
}

/// The address's parts in the order of the `address_*` columns.
fn address_parts(a: &orderdesk_domain::Address) -> [&str; 8] {
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
    .map(String::as_str)
}

/// Customer-supplied text starting with `=`, `+`, `-` or `@` (or their
/// full-width forms, which spreadsheets read the same) would run as a
/// formula when a merchant opens the export in a spreadsheet, and so may
/// one behind leading whitespace, control or invisible characters, which
/// spreadsheets skip. A leading apostrophe keeps any of these text.
pub fn cell(text: String) -> String {
    const FORMULA: [char; 8] = ['=', '+', '-', '@', '＝', '＋', '－', '＠'];
    let invisible = |c: char| {
        c.is_whitespace()
            || c.is_control()
            || matches!(c, '\u{ad}' | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{206f}' | '\u{feff}')
    };
    if text.starts_with(|c: char| invisible(c) || FORMULA.contains(&c)) {
        format!("'{text}")
    } else {
        text
    }
}

/// Rows as CSV bytes (with the header first when `header`).
///
/// # Errors
/// The CSV writer failed (it does not, writing to memory).
pub fn csv_bytes(orders: &[Order], header: bool, local: &Local) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    if header {
        w.write_record(HEADER)?;
    }
    for o in orders {
        w.write_record(csv_row(o, local))?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// A CSV answer the browser saves as the file `name`.
pub fn download(name: &str, body: impl Into<Body>) -> Response {
    let headers = [
        (CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
        (
            CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ),
    ];
    (headers, body.into()).into_response()
}

/// `rows` (the header first) as a CSV download saved as `name`; a 500 if
/// the CSV writer fails (it does not, writing to memory).
pub fn csv_download<R>(name: &str, rows: impl IntoIterator<Item = R>) -> Response
where
    R: IntoIterator,
    R::Item: AsRef<[u8]>,
{
    let mut w = csv::Writer::from_writer(Vec::new());
    let bytes = rows
        .into_iter()
        .try_for_each(|row| w.write_record(row))
        .map_err(|e| e.to_string())
        .and_then(|()| w.into_inner().map_err(|e| e.to_string()));
    match bytes {
        Ok(bytes) => download(name, bytes),
        Err(e) => {
            tracing::error!(error = %e, file = name, "CSV export failed");
            ApiError::internal().into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_defused_behind_spaces_invisible_characters_and_full_width_signs() {
        for formula in [
            "=1+1",
            "+1",
            "-1",
            "@SUM(A1)",
            " =1+1",
            "\u{a0}=1+1",
            "\u{200b}=1+1",
            "\u{feff}=1+1",
            "\u{2060}=1+1",
            "＝1+1",
            "＋1",
            "－1",
            "＠SUM(A1)",
            "\t=1+1",
            "\r=1+1",
            "\n=1+1",
        ] {
            assert_eq!(
                cell(formula.to_owned()),
                format!("'{formula}"),
                "{formula:?}"
            );
        }
        for plain in ["Priya", "4 Park Street", "1+1", "ring the bell", ""] {
            assert_eq!(cell(plain.to_owned()), plain, "{plain:?}");
        }
    }
}
