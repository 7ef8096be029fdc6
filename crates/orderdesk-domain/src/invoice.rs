//! Invoices and credit notes: their numbers and their tax, as pure rules.
//!
//! * Numbers are gapless per business and per series and year:
//!   `{prefix}{year}-{n:05}` (`INV-2026-00001`), credit notes in their own
//!   series (`CN-2026-00001`). The store hands out `n` in the same
//!   transaction as the event that earns the document.
//! * Prices are tax-inclusive (the customer paid exactly the order total)
//!   or tax-exclusive (tax is added on top), by setting; each line's rate
//!   is the product's, else the default. Rates are in basis points
//!   (1800 = 18 %).
//! * India: CGST + SGST (half each) when the buyer's state is the
//!   seller's, IGST otherwise. Elsewhere the tax is one "Tax" line.

use serde::{Deserialize, Serialize};

mod credit;
mod document;
pub use credit::{credit_note_input, credit_rate_bp, CreditInput};
pub use document::{
    build_invoice, Invoice, InvoiceInput, InvoiceLine, LineInput, Party, TaxRules, TaxTotal,
};

/// Which series a document belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    Invoice,
    CreditNote,
}

impl DocumentKind {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Invoice => "invoice",
            Self::CreditNote => "credit_note",
        }
    }

    /// The counter the store keeps for this series in `year`.
    pub fn counter(&self, year: i32) -> String {
        format!("{}:{year}", self.as_str())
    }
}

/// `INV-2026-00001`.
pub fn document_number(prefix: &str, year: i32, n: i64) -> String {
    format!("{prefix}{year}-{n:05}")
}

/// Whether prices already include tax.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaxMode {
    Inclusive,
    Exclusive,
}

impl TaxMode {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "inclusive" => Some(Self::Inclusive),
            "exclusive" => Some(Self::Exclusive),
            _ => None,
        }
    }
}

/// When the customer is sent the invoice (`ORDERDESK_INVOICE_SEND`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum InvoiceSend {
    /// Never: staff download it and send it themselves.
    Off,
    /// As soon as the order is paid (online, marked paid, cash recorded).
    #[default]
    OnPaid,
    /// When the order is confirmed and paid, whichever comes second: a
    /// prepaid order when staff confirm it, a cash-on-delivery one when
    /// its cash is recorded.
    OnConfirmed,
}

impl InvoiceSend {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "off" => Some(Self::Off),
            "on_paid" => Some(Self::OnPaid),
            "on_confirmed" => Some(Self::OnConfirmed),
            _ => None,
        }
    }

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::Off => "off",
            Self::OnPaid => "on_paid",
            Self::OnConfirmed => "on_confirmed",
        }
    }
}

/// One line to tax.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxInput {
    pub quantity: i64,
    pub unit_price_minor: i64,
    /// Basis points.
    pub rate_bp: i64,
}

/// One taxed line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TaxedLine {
    /// Before tax.
    pub taxable_minor: i64,
    pub tax_minor: i64,
    /// What the line costs the buyer.
    pub total_minor: i64,
    pub rate_bp: i64,
}

/// `a * b / c`, rounded half away from zero, without overflow for money.
fn mul_div_round(a: i64, b: i64, c: i64) -> i64 {
    let (a, b, c) = (i128::from(a), i128::from(b), i128::from(c));
    if c == 0 {
        return 0;
    }
    let num = a * b;
    let q = (num.abs() + c.abs() / 2) / c.abs();
    let signed = if (num < 0) != (c < 0) { -q } else { q };
    i64::try_from(signed).unwrap_or(i64::MAX)
}

/// Taxes one line.
pub fn tax_line(line: &TaxInput, mode: TaxMode) -> TaxedLine {
    let gross = line.unit_price_minor.saturating_mul(line.quantity);
    let rate = line.rate_bp.max(0);
    match mode {
        TaxMode::Inclusive => {
            let taxable = mul_div_round(gross, 10_000, 10_000 + rate);
            TaxedLine {
                taxable_minor: taxable,
                tax_minor: gross - taxable,
                total_minor: gross,
                rate_bp: rate,
            }
        }
        TaxMode::Exclusive => {
            let tax = mul_div_round(gross, rate, 10_000);
            TaxedLine {
                taxable_minor: gross,
                tax_minor: tax,
                total_minor: gross + tax,
                rate_bp: rate,
            }
        }
    }
}

/// How a line's tax is split on the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaxSplit {
    /// India, within one state: central and state GST, half each.
    CgstSgst { cgst_minor: i64, sgst_minor: i64 },
    /// India, across states: integrated GST.
    Igst { igst_minor: i64 },
    /// Elsewhere: one tax.
    Tax { tax_minor: i64 },
}

/// The split of `tax_minor` for a seller in `seller_country`/`seller_state`
/// and a buyer in `buyer_state` (state names compared without case).
pub fn split_tax(
    tax_minor: i64,
    seller_country: &str,
    seller_state: &str,
    buyer_state: Option<&str>,
) -> TaxSplit {
    if !seller_country.trim().eq_ignore_ascii_case("IN") {
        return TaxSplit::Tax { tax_minor };
    }
    let same = buyer_state.is_some_and(|b| {
        !b.trim().is_empty() && b.trim().eq_ignore_ascii_case(seller_state.trim())
    });
    if same {
        // The odd paisa goes to the state share, so the halves add up.
        let cgst = tax_minor / 2;
        TaxSplit::CgstSgst {
            cgst_minor: cgst,
            sgst_minor: tax_minor - cgst,
        }
    } else {
        TaxSplit::Igst {
            igst_minor: tax_minor,
        }
    }
}

/// `18%`, `12.5%`.
pub fn rate_text(rate_bp: i64) -> String {
    let whole = rate_bp / 100;
    let frac = rate_bp % 100;
    if frac == 0 {
        format!("{whole}%")
    } else {
        format!("{whole}.{}%", format!("{frac:02}").trim_end_matches('0'))
    }
}

/// Parses `18`, `18%`, `12.5` into basis points (0–10000).
pub fn parse_rate(text: &str) -> Option<i64> {
    let t = text.trim().trim_end_matches('%').trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().ok()?
    };
    let bp = whole.checked_mul(100)?.checked_add(frac)?;
    (0..=10_000).contains(&bp).then_some(bp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_prefixed_by_year_and_padded() {
        assert_eq!(document_number("INV-", 2026, 1), "INV-2026-00001");
        assert_eq!(document_number("CN-", 2026, 123_456), "CN-2026-123456");
        assert_eq!(DocumentKind::CreditNote.counter(2026), "credit_note:2026");
    }

    #[test]
    fn inclusive_prices_hold_their_tax_and_exclusive_ones_add_it() {
        let line = TaxInput {
            quantity: 2,
            unit_price_minor: 24_950,
            rate_bp: 1800,
        };
        let inc = tax_line(&line, TaxMode::Inclusive);
        assert_eq!(inc.total_minor, 49_900);
        assert_eq!(inc.taxable_minor, 42_288); // 49900 / 1.18 = 42288.1
        assert_eq!(inc.tax_minor, 7_612);
        let exc = tax_line(&line, TaxMode::Exclusive);
        assert_eq!(exc.taxable_minor, 49_900);
        assert_eq!(exc.tax_minor, 8_982);
        assert_eq!(exc.total_minor, 58_882);
    }

    #[test]
    fn india_splits_gst_by_the_buyers_state() {
        assert_eq!(
            split_tax(7_613, "IN", "Karnataka", Some("karnataka")),
            TaxSplit::CgstSgst {
                cgst_minor: 3_806,
                sgst_minor: 3_807
            }
        );
        assert_eq!(
            split_tax(7_612, "IN", "Karnataka", Some("West Bengal")),
            TaxSplit::Igst { igst_minor: 7_612 }
        );
        assert_eq!(
            split_tax(500, "DE", "Berlin", Some("Berlin")),
            TaxSplit::Tax { tax_minor: 500 }
        );
    }

    #[test]
    fn when_to_send_reads_back_what_it_writes_and_refuses_the_rest() {
        for send in [
            InvoiceSend::Off,
            InvoiceSend::OnPaid,
            InvoiceSend::OnConfirmed,
        ] {
            assert_eq!(InvoiceSend::parse(send.as_str()), Some(send));
        }
        assert_eq!(InvoiceSend::default(), InvoiceSend::OnPaid);
        for bad in ["", "on", "paid", "ON_PAID", "on_delivered"] {
            assert_eq!(InvoiceSend::parse(bad), None, "{bad}");
        }
        assert_eq!(TaxMode::parse("inclusive"), Some(TaxMode::Inclusive));
        assert_eq!(TaxMode::parse("exclusive"), Some(TaxMode::Exclusive));
        assert_eq!(TaxMode::parse("gross"), None);
    }

    #[test]
    fn rates_read_and_print_in_percent() {
        assert_eq!(parse_rate("18"), Some(1800));
        assert_eq!(parse_rate("12.5%"), Some(1250));
        assert_eq!(parse_rate("0.25"), Some(25));
        for bad in ["", "x", "-1", "101", "1.234"] {
            assert_eq!(parse_rate(bad), None, "{bad}");
        }
        assert_eq!(rate_text(1800), "18%");
        assert_eq!(rate_text(1250), "12.5%");
        assert_eq!(rate_text(25), "0.25%");
    }
}
