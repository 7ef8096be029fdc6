//! An invoice as a document: the seller, the buyer, the lines with their
//! tax, the tax totals by kind and rate, and the total, all computed here
//! once so the PDF, the API and the tests read the same figures.
//!
//! Each line is taxed on its own ([`tax_line`], half away from zero), then
//! its tax is split ([`split_tax`]) and the splits are added up per kind
//! and rate (`CGST 9%`, `SGST 9%`, `IGST 18%`, `Tax 19%`), so every total
//! on the page is the sum of the figures printed above it. Shipping and a
//! discount are shown as they were charged, untaxed.
//!
//! Worked example, prices including 18 % GST, seller and buyer in
//! Karnataka: 2 × ₹249.50 = ₹499.00 → taxable ₹422.88, tax ₹76.12 →
//! CGST 9 % ₹38.06 + SGST 9 % ₹38.06, total ₹499.00.

use crate::invoice::{rate_text, split_tax, tax_line, TaxInput, TaxMode, TaxSplit};
use crate::{Currency, OrderNumber, Timestamp};

/// Who sells or buys: what the document prints about them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Party {
    pub name: String,
    /// Postal address, one printed line each.
    pub address: Vec<String>,
    pub phone: Option<String>,
    /// GSTIN, VAT number, …
    pub tax_id: Option<String>,
}

/// One line as the order and the catalog give it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineInput {
    pub description: String,
    /// The product's HSN (or SAC) code, when the catalog has one.
    pub hsn: Option<String>,
    pub quantity: i64,
    pub unit_price_minor: i64,
    /// Basis points (1800 = 18 %).
    pub rate_bp: i64,
}

/// One printed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceLine {
    pub description: String,
    pub hsn: Option<String>,
    pub quantity: i64,
    pub unit_price_minor: i64,
    pub rate_bp: i64,
    /// Before tax.
    pub taxable_minor: i64,
    pub tax_minor: i64,
    /// What the line costs the buyer.
    pub total_minor: i64,
}

/// One tax total (`CGST 9%`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxTotal {
    pub label: String,
    pub amount_minor: i64,
}

/// How the business is taxed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaxRules {
    pub mode: TaxMode,
    /// ISO country code of the seller (`IN` for GST).
    pub seller_country: String,
    /// The state the seller is registered in (GST: within it CGST + SGST).
    pub seller_state: String,
}

/// What an invoice is made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceInput {
    pub number: String,
    pub order_number: OrderNumber,
    pub issued_at: Timestamp,
    pub currency: Currency,
    pub seller: Party,
    pub buyer: Party,
    /// The buyer's state, which decides CGST + SGST or IGST.
    pub buyer_state: Option<String>,
    pub lines: Vec<LineInput>,
    pub shipping_minor: i64,
    pub discount_minor: i64,
    /// How it was paid, in words (`Paid online (Razorpay), pay_29QQoUBi66xm2f`).
    pub payment: Option<String>,
}

/// The invoice, every figure computed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invoice {
    pub number: String,
    pub order_number: OrderNumber,
    pub issued_at: Timestamp,
    pub currency: Currency,
    pub seller: Party,
    pub buyer: Party,
    pub lines: Vec<InvoiceLine>,
    pub shipping_minor: i64,
    pub discount_minor: i64,
    /// The lines' taxable amounts added up.
    pub taxable_minor: i64,
    /// Per kind and rate, in the order the lines first use them; no row for
    /// a 0 % rate.
    pub taxes: Vec<TaxTotal>,
    /// The lines' totals + shipping − discount.
    pub total_minor: i64,
    pub payment: Option<String>,
}

impl Invoice {
    /// The file name it is downloaded and sent as (`INV-2026-00001.pdf`).
    pub fn file_name(&self) -> String {
        format!("{}.pdf", self.number)
    }

    /// Whether any line has an HSN code (the column is printed only then).
    pub fn has_hsn(&self) -> bool {
        self.lines.iter().any(|l| l.hsn.is_some())
    }
}

/// Computes the invoice (see the module).
pub fn build_invoice(input: InvoiceInput, rules: &TaxRules) -> Invoice {
    let mut lines = Vec::with_capacity(input.lines.len());
    let mut taxes: Vec<TaxTotal> = Vec::new();
    let mut add_tax = |label: String, amount: i64| {
        match taxes.iter_mut().find(|t| t.label == label) {
            Some(t) => t.amount_minor += amount,
            None => taxes.push(TaxTotal {
                label,
                amount_minor: amount,
            }),
        };
    };
    for line in input.lines {
        let taxed = tax_line(
            &TaxInput {
                quantity: line.quantity,
                unit_price_minor: line.unit_price_minor,
                rate_bp: line.rate_bp,
            },
            rules.mode,
        );
        if taxed.rate_bp > 0 {
            let split = split_tax(
                taxed.tax_minor,
                &rules.seller_country,
                &rules.seller_state,
                input.buyer_state.as_deref(),
            );
            let half = rate_text(taxed.rate_bp / 2);
            let whole = rate_text(taxed.rate_bp);
            match split {
                TaxSplit::CgstSgst {
                    cgst_minor,
                    sgst_minor,
                } => {
                    // An odd rate in basis points cannot halve exactly;
                    // print what each half really is.
                    let sgst_rate = rate_text(taxed.rate_bp - taxed.rate_bp / 2);
                    add_tax(format!("CGST {half}"), cgst_minor);
                    add_tax(format!("SGST {sgst_rate}"), sgst_minor);
                }
                TaxSplit::Igst { igst_minor } => add_tax(format!("IGST {whole}"), igst_minor),
                TaxSplit::Tax { tax_minor } => add_tax(format!("Tax {whole}"), tax_minor),
            }
        }
        lines.push(InvoiceLine {
            description: line.description,
            hsn: line.hsn.filter(|h| !h.trim().is_empty()),
            quantity: line.quantity,
            unit_price_minor: line.unit_price_minor,
            rate_bp: taxed.rate_bp,
            taxable_minor: taxed.taxable_minor,
            tax_minor: taxed.tax_minor,
            total_minor: taxed.total_minor,
        });
    }
    let taxable_minor = lines.iter().map(|l| l.taxable_minor).sum();
    let lines_total: i64 = lines.iter().map(|l| l.total_minor).sum();
    Invoice {
        number: input.number,
        order_number: input.order_number,
        issued_at: input.issued_at,
        currency: input.currency,
        seller: input.seller,
        buyer: input.buyer,
        lines,
        shipping_minor: input.shipping_minor,
        discount_minor: input.discount_minor,
        taxable_minor,
        taxes,
        total_minor: lines_total + input.shipping_minor - input.discount_minor,
        payment: input.payment,
    }
}

#[cfg(test)]
mod tests;
