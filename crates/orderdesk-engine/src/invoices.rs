//! Invoices of paid orders: the PDF staff download, and the copy sent to
//! the customer as a WhatsApp `document` whose link is signed and expires.
//!
//! * The figures come from `orderdesk_domain::invoice` (tax per line, GST
//!   split by the buyer's state), the page from `orderdesk_pdf`. Tax
//!   details are read live from the settings (`ORDERDESK_TAX_RATE`,
//!   `ORDERDESK_TAX_MODE`, `ORDERDESK_BUSINESS_STATE`) and the catalog
//!   (a product's HSN code and own rate). GST applies to rupee orders: a
//!   business selling in INR is an Indian one.
//! * The invoice is dated by the order's paid event (a created-paid order
//!   by its creation).
//! * Sending (`ORDERDESK_INVOICE_SEND`): the document message is queued in
//!   the same update that pays (or, `on_confirmed`, confirms) the order, through the
//!   outbox. Its invoice number is issued by that very update, so the
//!   queued body carries placeholders the dispatcher fills at send time,
//!   as it does for the address link: the number ([`INVOICE_PLACEHOLDER`])
//!   and a fresh link token ([`INVOICE_TOKEN_PLACEHOLDER`]). A customer
//!   whose 24-hour window is closed gets nothing (only templates may go
//!   then); the timeline says so.
//! * Links: `/invoices/{token}.pdf`, the token signed with a key derived
//!   from the address-form key for this purpose only (an address token
//!   opens no invoice), naming the order and expiring with it (7 days).

use orderdesk_domain::invoice::{
    build_invoice, credit_note_input, CreditInput, Invoice, InvoiceInput, InvoiceSend, LineInput,
    Party, TaxMode, TaxRules,
};
use orderdesk_domain::{
    was_paid, Actor, LedgerKind, Order, OrderNumber, OrderStatus, PaymentMethod, PaymentStatus,
    TimelineEntry, TimelineKind, Timestamp,
};
use orderdesk_store::{OrderUpdate, ProductTax, Store, StoreError};
use orderdesk_whatsapp::Document;
use serde_json::Value;
use tracing::instrument;

use crate::checkout::CheckoutConfig;
use crate::form_token::FormTokens;
use crate::settings::Settings;
use crate::texts::Texts;
use crate::{Engine, EngineError};

/// When customers get their invoice (`on_paid`, `on_confirmed`, `off`).
pub const INVOICE_SEND: &str = "ORDERDESK_INVOICE_SEND";
/// The rate of products without their own (`18`, `12.5`).
pub const TAX_RATE: &str = "ORDERDESK_TAX_RATE";
/// Whether prices include tax (`inclusive`) or have it added (`exclusive`).
pub const TAX_MODE: &str = "ORDERDESK_TAX_MODE";
/// The state the business is registered in (GST).
pub const BUSINESS_STATE: &str = "ORDERDESK_BUSINESS_STATE";

/// What invoice-link keys are derived for (see [`FormTokens::derived`]).
pub const INVOICE_LINK_PURPOSE: &str = "orderdesk invoice link v1";

/// Stands for the order's invoice number in a queued body until it is sent.
pub const INVOICE_PLACEHOLDER: &str = "__ORDERDESK_INVOICE__";
/// Stands for a fresh invoice-link token in a queued body until it is sent.
pub const INVOICE_TOKEN_PLACEHOLDER: &str = "__ORDERDESK_INVOICE_TOKEN__";

/// A rendered invoice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvoiceFile {
    /// `INV-2026-00001.pdf`.
    pub file_name: String,
    pub pdf: Vec<u8>,
}

/// Why there is no invoice to give.
#[derive(Debug, thiserror::Error)]
pub enum InvoiceError {
    #[error("order #{0} has no invoice yet: an order is invoiced once it is paid")]
    NotYet(OrderNumber),
    #[error("order #{0} has no credit note {1}: a refund gets one once the money is returned")]
    NoCreditNote(OrderNumber, String),
    #[error("the invoice could not be made: {0}")]
    Render(#[from] orderdesk_pdf::PdfError),
}

impl CheckoutConfig {
    /// Signs and checks invoice links (see the module).
    pub fn invoice_tokens(&self) -> FormTokens {
        self.tokens.derived(INVOICE_LINK_PURPOSE)
    }
}

impl Engine {
    /// The invoice of a paid order, as a PDF.
    ///
    /// # Errors
    /// `Store(NotFound)` for no such order; `Invoice(NotYet)` for an order
    /// not paid (so not invoiced) yet.
    #[instrument(skip_all, fields(order.number = %number))]
    pub async fn invoice_pdf(&self, number: OrderNumber) -> Result<InvoiceFile, EngineError> {
        let order = self.store.order(number).await?;
        let invoice = invoice_of(self.store.as_ref(), &self.settings, &order).await?;
        let pdf = orderdesk_pdf::render_invoice(&invoice, &self.settings.local())
            .map_err(InvoiceError::from)?;
        Ok(InvoiceFile {
            file_name: invoice.file_name(),
            pdf,
        })
    }

    /// The credit note `credit_note` (`CN-2026-00001`) of one of the
    /// order's refunds, as a PDF.
    ///
    /// # Errors
    /// `Store(NotFound)` for no such order; `Invoice(NoCreditNote)` when
    /// none of its refunds has that credit note (a refund not returned yet
    /// has none); `Invoice(NotYet)` for an order never invoiced.
    #[instrument(skip_all, fields(order.number = %number))]
    pub async fn credit_note_pdf(
        &self,
        number: OrderNumber,
        credit_note: &str,
    ) -> Result<InvoiceFile, EngineError> {
        let order = self.store.order(number).await?;
        let refund = order
            .refunds
            .iter()
            .find(|r| r.credit_note.as_deref() == Some(credit_note))
            .ok_or_else(|| InvoiceError::NoCreditNote(number, credit_note.to_owned()))?;
        let (input, mut rules) =
            invoice_input_of(self.store.as_ref(), &self.settings, &order).await?;
        let against = input.number.clone();
        let credit = CreditInput {
            number: credit_note.to_owned(),
            invoice_number: against.clone(),
            amount_minor: refund.amount_minor,
            reason: refund.reason.clone(),
            at: refund.at,
            provider_ref: refund.provider_ref.clone(),
        };
        // The amount returned is what the customer gets back, tax inside.
        rules.mode = TaxMode::Inclusive;
        let note = build_invoice(credit_note_input(input, credit), &rules);
        let pdf = orderdesk_pdf::render_credit_note(&note, &against, &self.settings.local())
            .map_err(InvoiceError::from)?;
        Ok(InvoiceFile {
            file_name: note.file_name(),
            pdf,
        })
    }

    /// The invoice a customer's signed link names.
    ///
    /// # Errors
    /// `Token` for a link that is not ours, altered (`Invalid`) or too old
    /// (`Expired`); then as [`Engine::invoice_pdf`].
    pub async fn invoice_pdf_for_link(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<InvoiceFile, EngineError> {
        let config = self
            .checkout
            .as_deref()
            .ok_or(crate::form_token::TokenError::Invalid)?;
        let number = config.invoice_tokens().verify(token, now)?;
        self.invoice_pdf(number).await
    }
}

/// The invoice of `order` with every figure computed.
async fn invoice_of(
    store: &dyn Store,
    settings: &Settings,
    order: &Order,
) -> Result<Invoice, EngineError> {
    let (input, rules) = invoice_input_of(store, settings, order).await?;
    Ok(build_invoice(input, &rules))
}

/// What [`invoice_of`] computes the invoice from.
async fn invoice_input_of(
    store: &dyn Store,
    settings: &Settings,
    order: &Order,
) -> Result<(InvoiceInput, TaxRules), EngineError> {
    let number = order
        .invoice_number
        .clone()
        .ok_or(InvoiceError::NotYet(order.number))?;
    let taxes = store.product_taxes().await?;
    let events = store.order_payment_events(order.number).await?;
    let paid = events.iter().rev().find(|e| e.kind == LedgerKind::Paid);
    let paid_at = paid.map_or(order.created_at, |e| e.at);
    let payment = payment_line(order, paid.and_then(|e| e.provider_ref.as_deref()));
    Ok(invoice_input(
        order,
        number,
        paid_at,
        payment,
        &taxes,
        &|key| settings.value(key),
    ))
}

/// Turns an order and what the business says about itself into the
/// invoice's input, with the business's tax rules to compute it by.
fn invoice_input(
    order: &Order,
    number: String,
    paid_at: Timestamp,
    payment: Option<String>,
    taxes: &[ProductTax],
    setting: &dyn Fn(&str) -> Option<String>,
) -> (InvoiceInput, TaxRules) {
    let default_rate = setting(TAX_RATE)
        .and_then(|r| orderdesk_domain::invoice::parse_rate(&r))
        .unwrap_or(0);
    let mode = setting(TAX_MODE)
        .and_then(|m| TaxMode::parse(&m))
        .unwrap_or(TaxMode::Inclusive);
    let lines = order
        .items
        .iter()
        .map(|item| {
            let tax = taxes.iter().find(|t| t.retailer_id == item.retailer_id);
            LineInput {
                description: item.name.clone(),
                hsn: tax.map(|t| t.hsn.clone()).filter(|h| !h.is_empty()),
                quantity: item.quantity,
                unit_price_minor: item.unit_price_minor,
                rate_bp: tax.and_then(|t| t.rate_bp).unwrap_or(default_rate),
            }
        })
        .collect();
    let seller = Party {
        name: setting("ORDERDESK_BUSINESS_NAME").unwrap_or_default(),
        address: setting("ORDERDESK_BUSINESS_ADDRESS")
            .map(|a| {
                a.lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default(),
        phone: setting("ORDERDESK_BUSINESS_PHONE"),
        tax_id: setting("ORDERDESK_BUSINESS_TAX_ID"),
    };
    let buyer = buyer(order);
    let rules = TaxRules {
        mode,
        seller_country: if order.currency.as_str() == "INR" {
            "IN".to_owned()
        } else {
            String::new()
        },
        seller_state: setting(BUSINESS_STATE).unwrap_or_default(),
    };
    let input = InvoiceInput {
        number,
        order_number: order.number,
        issued_at: paid_at,
        currency: order.currency,
        seller,
        buyer,
        buyer_state: order.address.as_ref().map(|a| a.state.clone()),
        lines,
        shipping_minor: order.shipping_minor,
        discount_minor: order.discount_minor,
        payment,
    };
    (input, rules)
}

fn buyer(order: &Order) -> Party {
    let Some(a) = &order.address else {
        return Party {
            name: order.customer.name.clone().unwrap_or_default(),
            address: Vec::new(),
            phone: order.customer.wa_id.as_ref().map(|w| format!("+{w}")),
            tax_id: None,
        };
    };
    let place = [a.city.as_str(), a.state.as_str(), a.postal_code.as_str()]
        .iter()
        .filter(|p| !p.trim().is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    let address = [a.line1.clone(), a.line2.clone(), place]
        .into_iter()
        .chain(a.country_name().map(str::to_owned))
        .filter(|l| !l.trim().is_empty())
        .collect();
    Party {
        name: a.name.clone(),
        address,
        phone: Some(a.phone.clone()).filter(|p| !p.trim().is_empty()),
        tax_id: None,
    }
}

/// How it was paid, in words, with the reference of the paid event (the
/// provider's payment id, or what staff gave when marking it paid).
fn payment_line(order: &Order, paid_ref: Option<&str>) -> Option<String> {
    let method = match order.payment_method? {
        PaymentMethod::Razorpay => "online (Razorpay)",
        PaymentMethod::Stripe => "card (Stripe)",
        PaymentMethod::Upi => "UPI",
        PaymentMethod::Cod => "cash on delivery",
        PaymentMethod::Simulator => "online (payment simulator)",
        PaymentMethod::Manual => "transfer, recorded by staff",
    };
    let reference = paid_ref
        .or(order.provider_payment_id.as_deref())
        .or(order.payment_reference.as_deref());
    Some(match reference {
        Some(r) => format!("Paid by {method}; reference {r}"),
        None => format!("Paid by {method}"),
    })
}

/// When `update` earns `order` the customer's copy of its invoice (by
/// `ORDERDESK_INVOICE_SEND`): paying it (`on_paid`), or leaving it both
/// confirmed and paid when it was not both before (`on_confirmed`).
fn earns_sending(send: InvoiceSend, order: &Order, update: &OrderUpdate) -> bool {
    let was = was_paid(order);
    let pays = update.payment_status == Some(PaymentStatus::Paid) && !was;
    let was_confirmed = confirmed(order.status);
    let is_confirmed = update
        .status_change
        .as_ref()
        .map_or(was_confirmed, |c| confirmed(c.to));
    match send {
        InvoiceSend::Off => false,
        InvoiceSend::OnPaid => pays,
        InvoiceSend::OnConfirmed => (pays || was) && is_confirmed && !(was && was_confirmed),
    }
}

/// Whether staff have accepted the order and it is still on its way (a
/// cancelled or returned order is owed no invoice message).
fn confirmed(status: OrderStatus) -> bool {
    matches!(
        status,
        OrderStatus::Confirmed
            | OrderStatus::Approved
            | OrderStatus::Processed
            | OrderStatus::Shipped
            | OrderStatus::Delivered
    )
}

/// Whether `update` may earn the invoice message, read before loading the
/// texts a stage move otherwise never needs.
pub(crate) fn may_send(config: &CheckoutConfig, order: &Order, update: &OrderUpdate) -> bool {
    earns_sending(send_setting(config), order, update)
}

fn send_setting(config: &CheckoutConfig) -> InvoiceSend {
    config
        .live
        .value(INVOICE_SEND)
        .and_then(|s| InvoiceSend::parse(&s))
        .unwrap_or_default()
}

/// Adds the invoice document to `update` when the update earns it (see
/// the module), or a timeline notice saying why it could not go.
pub(crate) async fn attach(
    store: &dyn Store,
    config: &CheckoutConfig,
    texts: &Texts,
    order: &Order,
    update: &mut OrderUpdate,
    now: Timestamp,
) -> Result<(), EngineError> {
    if !may_send(config, order, update) {
        return Ok(());
    }
    if !crate::notify::window_open(store, order, now).await? {
        let mut entry = TimelineEntry::new(now, TimelineKind::Notice, &Actor::System);
        entry.detail = Some(
            "invoice not sent: the customer's 24-hour window is closed; download it from the \
             order and send it another way"
                .to_owned(),
        );
        update.timeline.push(entry);
        return Ok(());
    }
    let number = order.number.to_string();
    let Some(caption) = texts.text(
        "invoice_sent",
        &[("number", &number), ("invoice", INVOICE_PLACEHOLDER)],
    ) else {
        return Ok(());
    };
    let link = format!(
        "{}/invoices/{INVOICE_TOKEN_PLACEHOLDER}.pdf",
        config.public_url
    );
    let content = Document::link(link, format!("{INVOICE_PLACEHOLDER}.pdf"))
        .and_then(|d| d.with_caption(caption))
        .map(Into::into);
    let preview = format!("Invoice for order #{number} (PDF)");
    update.outbound.extend(crate::checkout::outbound(
        &order.customer,
        Some(order.number),
        content,
        preview,
        now,
    ));
    Ok(())
}

/// Whether a queued body still waits for its invoice number.
fn wants_number(body: &Value) -> bool {
    match body {
        Value::String(s) => s.contains(INVOICE_PLACEHOLDER),
        Value::Array(items) => items.iter().any(wants_number),
        Value::Object(map) => map.values().any(wants_number),
        _ => false,
    }
}

fn replace_number(body: &mut Value, invoice: &str) {
    match body {
        Value::String(s) => *s = s.replace(INVOICE_PLACEHOLDER, invoice),
        Value::Array(items) => items.iter_mut().for_each(|v| replace_number(v, invoice)),
        Value::Object(map) => map.values_mut().for_each(|v| replace_number(v, invoice)),
        _ => {}
    }
}

/// Fills the invoice number into a queued body that asks for it (one read
/// of the order, only for such bodies).
pub(crate) async fn fill_invoice_number(
    store: &dyn Store,
    body: &mut Value,
    number: OrderNumber,
) -> Result<(), EngineError> {
    if !wants_number(body) {
        return Ok(());
    }
    let invoice = match store.order(number).await {
        Ok(order) => order.invoice_number,
        Err(StoreError::NotFound) => None,
        Err(e) => return Err(e.into()),
    };
    replace_number(body, invoice.as_deref().unwrap_or("invoice"));
    Ok(())
}

#[cfg(test)]
mod tests;
