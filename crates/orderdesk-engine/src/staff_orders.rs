//! Staff creating an order for a customer (a phone or walk-in order, or one
//! taken in the chat): `POST /api/v1/orders`. The order starts in Placed
//! exactly as a cart would, and the same checkout follows: the customer is
//! sent the address link, then the payment request. Inside the customer's
//! 24-hour window the first message is the usual `order_received`; outside
//! it, the approved template named on `order_received` (body parameters:
//! order number, total, address link), or, with none configured, a notice
//! on the timeline that the customer was not told.

use chrono::Utc;
use orderdesk_domain::order::edit::{catalog_lines, CatalogPrice, EditError, EditLine};
use orderdesk_domain::{
    service_window_open, Actor, Customer, Money, NewOrder, Order, TimelineEntry, TimelineKind,
};
use orderdesk_store::OrderUpdate;
use orderdesk_whatsapp::Template;
use tracing::instrument;

use crate::checkout::{ORDER_PLACEHOLDER, TOKEN_PLACEHOLDER};
use crate::orders::MAX_NOTE;
use crate::texts::Texts;
use crate::{Engine, EngineError};

/// What staff give to create an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderForCustomer {
    /// The customer's WhatsApp number, in any usual spelling
    /// (`+91 99887 76655`).
    pub wa_id: String,
    pub name: Option<String>,
    pub items: Vec<EditLine>,
    pub note: Option<String>,
}

impl Engine {
    /// Creates an order for a customer from catalog products (see the module).
    ///
    /// # Errors
    /// `Edit` for a bad phone number, no items, an unknown product, a
    /// quantity below 1, mixed currencies or an over-long note; nothing is
    /// created then.
    #[instrument(skip_all)]
    pub async fn create_order_for_customer(
        &self,
        request: OrderForCustomer,
        actor: Actor,
    ) -> Result<Order, EngineError> {
        let wa_id = orderdesk_domain::phone::wa_id(&request.wa_id)
            .ok_or_else(|| EditError::Phone(request.wa_id.clone()))?;
        let note = request
            .note
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty());
        if note.as_ref().is_some_and(|n| n.chars().count() > MAX_NOTE) {
            return Err(EditError::TooLong {
                field: "note",
                max: MAX_NOTE,
            }
            .into());
        }
        let ids: Vec<String> = request
            .items
            .iter()
            .map(|l| l.retailer_id.trim().to_owned())
            .collect();
        let catalog: Vec<CatalogPrice> = self
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
            .collect();
        let (items, currency) = catalog_lines(&request.items, &catalog)?;

        // A customer who wrote before keeps their business-scoped id (their
        // taps on this order's buttons then find it as they find their own
        // orders) and their 24-hour window.
        let known = self.store.customer_by_wa_id(&wa_id).await?;
        let last_inbound = known.as_ref().and_then(|c| c.last_inbound_at);
        let customer = Customer {
            user_id: known.as_ref().and_then(|c| c.user_id.clone()),
            name: request
                .name
                .map(|n| n.trim().to_owned())
                .filter(|n| !n.is_empty())
                .or_else(|| known.and_then(|c| c.name)),
            wa_id: Some(wa_id),
        };
        let now = Utc::now();
        let lines = items.into_iter().map(|i| (i, currency)).collect();
        let new = NewOrder::from_cart(customer, lines, None, now).map_err(EditError::from)?;

        let mut update = OrderUpdate {
            note,
            ..OrderUpdate::default()
        };
        let mut timers = Vec::new();
        // No app secret saved yet: no bot, as its links could not be opened.
        if let Some(config) = self.checkout.as_deref().filter(|c| c.tokens.ready()) {
            let texts =
                Texts::for_customer(self.store.as_ref(), &config.language_now(), &new.customer)
                    .await?;
            if service_window_open(last_inbound, now) {
                update
                    .outbound
                    .extend(crate::checkout::first_messages(config, &texts, &new));
            } else if let Some((name, language)) = texts.whatsapp_template("order_received") {
                let total = config
                    .local()
                    .money(Money::from_minor(new.total_minor, new.currency));
                let link = format!("{}/address/{TOKEN_PLACEHOLDER}", config.public_url);
                let content = Template::new(name, language)
                    .and_then(|t| t.with_body_text([ORDER_PLACEHOLDER.to_owned(), total, link]))
                    .map(Into::into);
                update.outbound.extend(crate::checkout::outbound(
                    &new.customer,
                    None,
                    content,
                    "order_received (template)".to_owned(),
                    now,
                ));
            } else {
                let mut entry = TimelineEntry::new(now, TimelineKind::Notice, &Actor::System);
                entry.detail = Some(
                    "order_received not sent: the customer last wrote over 24 hours ago and no \
                     approved template is configured for order_received"
                        .to_owned(),
                );
                update.timeline.push(entry);
            }
            timers = crate::checkout::checkout_timers(&config.settings_now(), now);
        }
        let order = self
            .store
            .create_staff_order(&new, &actor, &update, &timers)
            .await?;
        self.bus.poke();
        Ok(order)
    }
}
