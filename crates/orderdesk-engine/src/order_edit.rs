//! Staff editing an order before it ships (`PATCH /api/v1/orders/{n}`):
//! the domain plans the edit ([`plan_edit`]), this writes it with its
//! timeline entry, tells the customer the new summary, and settles the
//! money the edit moved:
//!
//! - a paid order whose total rose gets a payment link for the difference;
//! - a paid order whose total fell shows staff the amount to refund (the
//!   refund itself is a payment action);
//! - an unpaid order waiting at the payment step gets a fresh link for the
//!   new total, so the old link (for the old amount) is no longer the one
//!   the customer is sent.

use chrono::Utc;
use orderdesk_domain::order::edit::{
    describe_priced, plan_edit, CatalogPrice, EditRequest, PlannedEdit,
};
use orderdesk_domain::{
    Actor, CheckoutStep, Money, Order, OrderNumber, PaymentMethod, PaymentStatus, TimelineEntry,
    TimelineKind, Timestamp,
};
use orderdesk_payments::PaymentLink;
use orderdesk_store::{OrderFields, OrderUpdate};
use orderdesk_whatsapp::{Content, Interactive, Text};
use tracing::instrument;

use crate::texts::Texts;
use crate::{Engine, EngineError};

/// Longest item list the customer's summary spells out; a longer one is
/// cut with "…" (WhatsApp caps an interactive body at 1024 characters).
const MAX_SUMMARY_ITEMS: usize = 600;

/// The order's items as the customer's summaries spell them, cut at
/// [`MAX_SUMMARY_ITEMS`] characters.
pub(crate) fn summary_items(order: &Order, local: &orderdesk_domain::Local) -> String {
    let items = describe_priced(&order.items, |minor| {
        local.money(Money::from_minor(minor, order.currency))
    });
    if items.chars().count() > MAX_SUMMARY_ITEMS {
        items.chars().take(MAX_SUMMARY_ITEMS).collect::<String>() + "…"
    } else {
        items
    }
}

/// What an edit did, for the caller to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Edited {
    pub order: Order,
    /// What changed, one line each (empty when the request restated the order).
    pub changes: Vec<String>,
    /// On a paid order whose total fell: how much to refund, in minor units.
    pub refund_due_minor: Option<i64>,
    /// On a paid order whose total rose: the link sent for the difference.
    pub difference_link: Option<String>,
}

impl Engine {
    /// Edits an order's lines, fees, discount or address (see the module).
    ///
    /// # Errors
    /// `Edit` for a request the domain refuses (a closed order, an unknown
    /// item, negative money…), `Stale` or `Store(Conflict)` when the order
    /// changed meanwhile, `Store(NotFound)`. Nothing changes on any error.
    #[instrument(skip_all, fields(order.number = %number))]
    pub async fn edit_order(
        &self,
        number: OrderNumber,
        request: &EditRequest,
        actor: Actor,
        expected_version: Option<i64>,
    ) -> Result<Edited, EngineError> {
        let order = self.order_at(number, expected_version).await?;
        let catalog = self.catalog_prices(request).await?;
        let plan = plan_edit(&order, request, &catalog)?;
        if plan.is_noop() {
            return Ok(Edited {
                order,
                changes: Vec::new(),
                refund_due_minor: None,
                difference_link: None,
            });
        }
        let now = Utc::now();
        let fields = OrderFields {
            items: plan.items.clone(),
            shipping_minor: Some(plan.shipping_minor),
            discount_minor: Some(plan.discount_minor),
            total_minor: Some(plan.total_minor),
            ..OrderFields::default()
        };
        let mut entry = TimelineEntry::new(now, TimelineKind::Edited, &actor);
        entry.detail = Some(plan.changes.join("; "));
        let mut update = OrderUpdate {
            address: plan.address.clone(),
            timeline: vec![entry],
            ..OrderUpdate::default()
        };

        let mut after = order.clone();
        fields.apply_to(&mut after);
        let paid = order.payment_status == PaymentStatus::Paid;
        let delta = plan.total_delta();
        let refund_due_minor = (paid && delta < 0).then_some(-delta);
        if let Some(refund) = refund_due_minor {
            let mut notice = TimelineEntry::new(now, TimelineKind::Notice, &Actor::System);
            notice.detail = Some(format!(
                "the total fell by {} after a paid edit: refund it to the customer",
                Money::from_minor(refund, order.currency)
            ));
            update.timeline.push(notice);
        }
        let link = self
            .link_after_edit(&after, &plan, now, &mut update)
            .await?;
        if plan.changes_money() || link.is_some() {
            self.send_summary(&after, &plan, link.as_ref(), now, &mut update)
                .await?;
        }

        let written = self
            .store
            .edit_order(number, order.version, &fields, &update, now)
            .await?;
        self.bus.poke();
        Ok(Edited {
            order: written,
            changes: plan.changes,
            refund_due_minor,
            difference_link: link.filter(|_| paid).map(|l| l.url),
        })
    }

    /// The catalog's names and prices of the products the request names.
    async fn catalog_prices(
        &self,
        request: &EditRequest,
    ) -> Result<Vec<CatalogPrice>, EngineError> {
        let Some(lines) = &request.items else {
            return Ok(Vec::new());
        };
        let ids: Vec<String> = lines
            .iter()
            .map(|l| l.retailer_id.trim().to_owned())
            .collect();
        Ok(self
            .store
            .products_by_ids(&ids)
            .await?
            .into_iter()
            .map(|p| CatalogPrice {
                retailer_id: p.retailer_id,
                name: p.title,
                unit_price_minor: p.price_minor,
                currency: p.currency,
            })
            .collect())
    }

    /// The payment link the edit calls for, recorded on `update`: for the
    /// difference on a paid order whose total rose, for the new total on
    /// one waiting at the payment step. `None` without a provider, for
    /// cash on delivery, or when the provider failed (logged; staff can
    /// still send one).
    async fn link_after_edit(
        &self,
        after: &Order,
        plan: &PlannedEdit,
        now: Timestamp,
        update: &mut OrderUpdate,
    ) -> Result<Option<PaymentLink>, EngineError> {
        let Some(config) = self.checkout.as_deref().filter(|c| c.payments.is_some()) else {
            return Ok(None);
        };
        if plan.total_delta() == 0 || after.payment_method == Some(PaymentMethod::Cod) {
            return Ok(None);
        }
        let store = self.store.as_ref();
        if crate::links::new_link_refused(store, after, now)
            .await?
            .is_some()
        {
            return Ok(None);
        }
        let (amount_of, what) = match after.payment_status {
            PaymentStatus::Paid if plan.total_delta() > 0 => (
                plan.total_delta(),
                format!(
                    " for the difference of {}",
                    Money::from_minor(plan.total_delta(), after.currency)
                ),
            ),
            PaymentStatus::Pending if after.checkout_step == CheckoutStep::AwaitingPayment => {
                (after.total_minor, " for the edited total".to_owned())
            }
            _ => return Ok(None),
        };
        let charged = Order {
            total_minor: amount_of,
            ..after.clone()
        };
        let Some(link) = crate::links::next_link(store, config, &charged, now).await? else {
            return Ok(None);
        };
        if after.payment_status == PaymentStatus::Pending {
            update.payment_reference = Some(link.reference.clone());
        }
        let mut entry = TimelineEntry::new(now, TimelineKind::PaymentChanged, &Actor::System);
        entry.detail = Some(format!("{}{what}", crate::links::issued_detail(&link)));
        update.timeline.push(entry);
        Ok(Some(link))
    }

    /// Queues the customer's `order_updated` summary (with the link, when
    /// there is one) as the 24-hour window allows.
    async fn send_summary(
        &self,
        after: &Order,
        plan: &PlannedEdit,
        link: Option<&PaymentLink>,
        now: Timestamp,
        update: &mut OrderUpdate,
    ) -> Result<(), EngineError> {
        let texts =
            Texts::for_customer(self.store.as_ref(), &self.language(), &after.customer).await?;
        let number = after.number.to_string();
        let local = self.settings.local();
        let total = local.money(Money::from_minor(after.total_minor, after.currency));
        let items = summary_items(after, &local);
        let Some(mut text) = texts.text(
            "order_updated",
            &[("number", &number), ("total", &total), ("items", &items)],
        ) else {
            return Ok(());
        };
        let content: Content = match link {
            Some(link) => {
                if after.payment_status == PaymentStatus::Paid {
                    let difference =
                        local.money(Money::from_minor(plan.total_delta(), after.currency));
                    if let Some(ask) = texts.text("pay_difference", &[("amount", &difference)]) {
                        text = format!("{text} {ask}");
                    }
                }
                match Interactive::cta_url(
                    text.clone(),
                    texts.label("button.pay_now"),
                    link.url.clone(),
                ) {
                    Ok(i) => i.into(),
                    Err(e) => {
                        tracing::error!(error = %e, "could not build the edit summary");
                        return Ok(());
                    }
                }
            }
            None => match Text::new(text.clone()) {
                Ok(t) => t.into(),
                Err(e) => {
                    tracing::error!(error = %e, "could not build the edit summary");
                    return Ok(());
                }
            },
        };
        let notice = crate::notify::Notice {
            key: "order_updated",
            text,
            detail: &total,
            content: Some(content),
        };
        crate::notify::customer_update(self.store.as_ref(), &texts, after, notice, now, update)
            .await
    }
}
