//! The webhook side: what a customer does on the phone (send a cart or a
//! text, tap a reply button or list row, read the thread), recorded in the
//! thread and queued as the webhook Meta would send.

use super::*;

impl Simulator {
    /// Records a customer's message, then queues its webhook.
    pub(crate) fn customer_sends(
        &self,
        customer: &Customer,
        mut message: Message,
        wire: Value,
    ) -> Message {
        message.status = Tick::Sent;
        let body = webhook::message(
            &self.settings().number(),
            customer,
            &message.wamid,
            message.at,
            wire,
        );
        let wamid = message.wamid.clone();
        {
            let mut phones = self.shared().phones();
            phones.push(&customer.wa_id, message);
        }
        self.shared().changed();
        let _ = self.inner.outbox.send(Delivery {
            body: webhook::to_meta_bytes(&body),
            carries: Some(wamid.clone()),
        });
        self.shared()
            .phones()
            .message(&wamid)
            .map(|(_, m)| m.clone())
            .unwrap_or_else(|| Message::new(wamid, Side::Customer, "text", now()))
    }

    /// The customer sends a cart of `(retailer_id, quantity)` lines, with
    /// optional text, as WhatsApp's catalog does.
    ///
    /// # Errors
    /// Unknown customer or product, no lines, a quantity outside 1–99.
    pub fn send_cart(
        &self,
        customer: &str,
        lines: &[(String, u32)],
        text: Option<&str>,
    ) -> Result<Message, SimError> {
        let customer = self.customer(customer)?;
        if lines.is_empty() {
            return Err(SimError::invalid("a cart needs at least one product"));
        }
        let mut items = Vec::new();
        let mut wire_items = Vec::new();
        for (id, quantity) in lines {
            let product = self
                .catalog()
                .iter()
                .find(|p| &p.retailer_id == id)
                .ok_or_else(|| SimError::invalid(format!("no product {id} in the catalog")))?;
            if !(1..=99).contains(quantity) {
                return Err(SimError::invalid("quantities are 1 to 99"));
            }
            wire_items.push(json!({
                "product_retailer_id": product.retailer_id,
                "quantity": quantity,
                "item_price": catalog::major_units(product.price_minor),
                "currency": product.currency,
            }));
            items.push(CartLineView {
                retailer_id: product.retailer_id.clone(),
                title: product.title.clone(),
                quantity: *quantity,
                price_minor: product.price_minor,
                currency: product.currency.clone(),
            });
        }
        let currency = items[0].currency.clone();
        let total_minor = items
            .iter()
            .map(|i| i.price_minor * i64::from(i.quantity))
            .sum();
        let text = text.map(str::trim).filter(|t| !t.is_empty());
        let mut order =
            json!({"catalog_id": self.settings().catalog_id, "product_items": wire_items});
        if let (Some(t), Some(o)) = (text, order.as_object_mut()) {
            o.insert("text".into(), json!(t));
        }
        let mut message = Message::new(new_wamid(), Side::Customer, "order", now());
        message.text = text.map(str::to_owned);
        message.cart = Some(CartView {
            items,
            total_minor,
            currency,
        });
        Ok(self.customer_sends(&customer, message, json!({"type": "order", "order": order})))
    }

    /// The customer types a text.
    ///
    /// # Errors
    /// Unknown customer, blank or over 4096 characters.
    pub fn send_text(&self, customer: &str, text: &str) -> Result<Message, SimError> {
        let customer = self.customer(customer)?;
        if text.trim().is_empty() || text.chars().count() > 4096 {
            return Err(SimError::invalid("a text is 1 to 4096 characters"));
        }
        let mut message = Message::new(new_wamid(), Side::Customer, "text", now());
        message.text = Some(text.to_owned());
        Ok(self.customer_sends(
            &customer,
            message,
            json!({"type": "text", "text": {"body": text}}),
        ))
    }

    /// The customer taps reply button (or list row) `choice` of the
    /// business message `wamid`.
    ///
    /// # Errors
    /// Unknown customer, message or choice.
    pub fn tap(&self, customer: &str, wamid: &str, choice: &str) -> Result<Message, SimError> {
        let customer = self.customer(customer)?;
        let target = {
            let phones = self.shared().phones();
            match phones.message(wamid) {
                Some((owner, m)) if owner.wa_id == customer.wa_id && m.from == Side::Business => {
                    m.clone()
                }
                _ => {
                    return Err(SimError::not_found(format!(
                        "no message {wamid} from the business"
                    )))
                }
            }
        };
        let (kind, picked) = if let Some(b) = target.buttons.iter().find(|b| b.id == choice) {
            ("button_reply", b.clone())
        } else if let Some(r) = target
            .list
            .iter()
            .flat_map(|l| l.sections.iter().flat_map(|s| s.rows.iter()))
            .find(|r| r.id == choice)
        {
            ("list_reply", r.clone())
        } else {
            return Err(SimError::invalid(format!(
                "message {wamid} has no button {choice}"
            )));
        };
        let mut reply = json!({"id": picked.id, "title": picked.title});
        if let (Some(d), Some(r)) = (&picked.description, reply.as_object_mut()) {
            r.insert("description".into(), json!(d));
        }
        let wire = json!({
            "context": {"from": self.settings().display_phone_number, "id": wamid},
            "type": "interactive",
            "interactive": {"type": kind, kind: reply},
        });
        let mut message = Message::new(new_wamid(), Side::Customer, "reply", now());
        message.text = Some(picked.title.clone());
        message.reply_to = Some(wamid.to_owned());
        message.reply = Some(ReplyView {
            kind: kind.to_owned(),
            id: picked.id,
            title: picked.title,
            to: wamid.to_owned(),
        });
        Ok(self.customer_sends(&customer, message, wire))
    }

    /// The customer looks at the thread: every delivered business message
    /// becomes read and the server hears so. Returns how many.
    ///
    /// # Errors
    /// Unknown customer.
    pub fn read_all(&self, customer: &str) -> Result<usize, SimError> {
        let customer = self.customer(customer)?;
        let read: Vec<String> = {
            let mut phones = self.shared().phones();
            let delivered: Vec<String> = phones
                .unread_from_business(&customer.wa_id)
                .into_iter()
                .filter(|w| {
                    phones
                        .message(w)
                        .is_some_and(|(_, m)| m.status == Tick::Delivered)
                })
                .collect();
            delivered
                .into_iter()
                .filter(|w| phones.set_tick(w, Tick::Read))
                .collect()
        };
        self.shared().changed();
        for wamid in &read {
            let body = webhook::status(&self.settings().number(), &customer, wamid, "read", now());
            let _ = self.inner.outbox.send(Delivery {
                body: webhook::to_meta_bytes(&body),
                carries: None,
            });
        }
        Ok(read.len())
    }
}
