//! A product's tax details, kept beside it for invoices.

/// What the catalog says about a product's tax: its HSN (or SAC) code and
/// its rate, when it has its own.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ProductTax {
    pub retailer_id: String,
    /// Printed on the invoice line; `""` for none.
    pub hsn: String,
    /// Basis points (1800 = 18 %); `None`: the business's default rate.
    pub rate_bp: Option<i64>,
}
