//! A credit note: one refund, returned tax included, against the invoice.
//!
//! A refund is an amount, not a set of lines (a partial refund of a broken
//! cup names no product), so a credit note has one line: the amount
//! returned, which includes its tax as the payment did. That tax is taken
//! at the rate of the invoice's largest line (by value), the rate most of
//! the money was charged at; an order whose lines share one rate (most)
//! gets exactly that rate back.

use crate::invoice::document::{InvoiceInput, LineInput};
use crate::Timestamp;

/// What the credit note says about its refund.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditInput {
    /// `CN-2026-00001`.
    pub number: String,
    /// The invoice it corrects.
    pub invoice_number: String,
    pub amount_minor: i64,
    pub reason: String,
    pub at: Timestamp,
    /// The provider's refund id, when there is one.
    pub provider_ref: Option<String>,
}

/// The rate a refund of this invoice is taxed at (see the module).
pub fn credit_rate_bp(lines: &[LineInput]) -> i64 {
    lines
        .iter()
        .max_by_key(|l| l.quantity.saturating_mul(l.unit_price_minor))
        .map_or(0, |l| l.rate_bp)
}

/// Turns the invoice's input into the credit note's: same seller, buyer
/// and buyer's state; one line of the amount returned (tax included, so
/// build it with `TaxMode::Inclusive`); no shipping or discount.
pub fn credit_note_input(invoice: InvoiceInput, credit: CreditInput) -> InvoiceInput {
    let rate_bp = credit_rate_bp(&invoice.lines);
    let reason = credit.reason.trim();
    let description = if reason.is_empty() {
        format!("Refund against invoice {}", credit.invoice_number)
    } else {
        format!("Refund against invoice {}: {reason}", credit.invoice_number)
    };
    let payment = match &credit.provider_ref {
        Some(r) => format!("Refunded; reference {r}"),
        None => "Refunded".to_owned(),
    };
    InvoiceInput {
        number: credit.number,
        issued_at: credit.at,
        lines: vec![LineInput {
            description,
            hsn: None,
            quantity: 1,
            unit_price_minor: credit.amount_minor,
            rate_bp,
        }],
        shipping_minor: 0,
        discount_minor: 0,
        payment: Some(payment),
        ..invoice
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::invoice::{build_invoice, Party, TaxMode, TaxRules};
    use crate::{Currency, OrderNumber};

    fn line(quantity: i64, unit_price_minor: i64, rate_bp: i64) -> LineInput {
        LineInput {
            description: "Tea".to_owned(),
            hsn: Some("0902".to_owned()),
            quantity,
            unit_price_minor,
            rate_bp,
        }
    }

    #[test]
    fn the_rate_is_the_largest_lines_and_nothing_without_lines() {
        assert_eq!(credit_rate_bp(&[]), 0);
        assert_eq!(credit_rate_bp(&[line(1, 100, 500)]), 500);
        // 3 × 100 outweighs 1 × 250.
        assert_eq!(
            credit_rate_bp(&[line(1, 250, 1800), line(3, 100, 500)]),
            500
        );
        assert_eq!(
            credit_rate_bp(&[line(1, 250, 1800), line(2, 100, 500)]),
            1800
        );
    }

    #[test]
    fn a_credit_note_has_one_line_of_the_amount_returned_with_its_tax_inside() {
        let at = chrono::DateTime::from_timestamp(1_780_000_000, 0).unwrap_or_default();
        let invoice = InvoiceInput {
            number: "INV-2026-00004".to_owned(),
            order_number: OrderNumber::new(1001).unwrap(),
            issued_at: at,
            currency: Currency::parse("INR").unwrap(),
            seller: Party::default(),
            buyer: Party::default(),
            buyer_state: Some("Karnataka".to_owned()),
            lines: vec![line(2, 24_950, 1800)],
            shipping_minor: 4_000,
            discount_minor: 1_000,
            payment: Some("Paid by UPI".to_owned()),
        };
        let credit = credit_note_input(
            invoice,
            CreditInput {
                number: "CN-2026-00001".to_owned(),
                invoice_number: "INV-2026-00004".to_owned(),
                amount_minor: 11_800,
                reason: " one cup broke ".to_owned(),
                at,
                provider_ref: Some("rfnd_1".to_owned()),
            },
        );
        let rules = TaxRules {
            mode: TaxMode::Inclusive,
            seller_country: "IN".to_owned(),
            seller_state: "Karnataka".to_owned(),
        };
        let note = build_invoice(credit, &rules);
        assert_eq!(note.number, "CN-2026-00001");
        assert_eq!(note.lines.len(), 1);
        assert_eq!(
            note.lines[0].description,
            "Refund against invoice INV-2026-00004: one cup broke"
        );
        // ₹118.00 returned at 18 %: ₹100.00 + ₹18.00, split in the state.
        assert_eq!(note.total_minor, 11_800);
        assert_eq!(note.taxable_minor, 10_000);
        let taxes: Vec<_> = note
            .taxes
            .iter()
            .map(|t| (t.label.as_str(), t.amount_minor))
            .collect();
        assert_eq!(taxes, [("CGST 9%", 900), ("SGST 9%", 900)]);
        assert_eq!(note.payment.as_deref(), Some("Refunded; reference rfnd_1"));
    }
}
