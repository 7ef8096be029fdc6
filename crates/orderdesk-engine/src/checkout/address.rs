//! The address form of an order: what it shows, and applying what the
//! customer submits through the checkout machine.

use chrono::Utc;
use orderdesk_domain::Actor;
use orderdesk_domain::{
    advance, Address, CheckoutInput, CheckoutRefusal, CheckoutState, Order, OrderNumber,
    TimelineEntry, TimelineKind,
};
use orderdesk_store::{customer_key_of, StoreError};

use crate::form_token::TokenError;
use crate::links::issue_link;
use crate::texts::Texts;
use crate::{Engine, EngineError};

use super::{apply_update, update_from, CheckoutConfig};

/// What the hosted address form shows.
#[derive(Debug, Clone)]
pub struct AddressForm {
    pub order: Order,
    /// The order's address, else the customer's last one.
    pub prefill: Option<Address>,
    /// Whether the address may still be changed (before the payment step passed).
    pub editable: bool,
    /// Why it may not, when it may not.
    pub locked: Option<AddressLock>,
}

/// Why an order's address can no longer be changed from the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AddressLock {
    /// The order is over (cancelled, rejected, returned, archived, or
    /// abandoned for good): the customer is told that, not the address rule.
    Closed(orderdesk_domain::OrderStatus),
    /// The checkout moved past the payment step (or the order was replaced).
    Fixed,
}

impl AddressLock {
    fn of(order: &Order) -> Self {
        use orderdesk_domain::OrderStatus::*;
        match order.status {
            Cancelled | Rejected | Returned | Archived | Abandoned => Self::Closed(order.status),
            _ => Self::Fixed,
        }
    }
}

impl Engine {
    fn checkout_config(&self) -> Result<&CheckoutConfig, EngineError> {
        // Without the bot configured no form link was ever issued.
        self.checkout
            .as_deref()
            .ok_or(EngineError::Token(TokenError::Invalid))
    }

    /// Resolves an address-form token to what the form shows.
    ///
    /// # Errors
    /// `Token` for a tampered or expired link, `Store(NotFound)`.
    pub async fn address_form(&self, token: &str) -> Result<AddressForm, EngineError> {
        let config = self.checkout_config()?;
        let number = config
            .tokens
            .verify(token, Utc::now())
            .map_err(EngineError::Token)?;
        let order = self.store.order(number).await?;
        let state = CheckoutState::from_order(&order);
        let editable = advance(
            &state,
            CheckoutInput::AddressSubmitted,
            &config.settings_now(),
        )
        .is_ok();
        let prefill = match &order.address {
            Some(a) => Some(a.clone()),
            None => match customer_key_of(&order.customer) {
                Some(key) => self.store.customer(key).await?.and_then(|c| c.last_address),
                None => None,
            },
        };
        let locked = (!editable).then(|| AddressLock::of(&order));
        Ok(AddressForm {
            order,
            prefill,
            editable,
            locked,
        })
    }

    /// Saves the address from the hosted form and moves the checkout on
    /// (thank-you and payment request queued in the same transaction).
    ///
    /// # Errors
    /// `Token` for a bad link, `AddressLocked` once the payment step has
    /// passed, `Store(Conflict)` if the order kept changing under us.
    pub async fn submit_address(
        &self,
        token: &str,
        address: Address,
    ) -> Result<Order, EngineError> {
        let config = self.checkout_config()?;
        let number = config
            .tokens
            .verify(token, Utc::now())
            .map_err(EngineError::Token)?;
        let mut attempts = 0;
        loop {
            attempts += 1;
            match self.apply_address(config, number, &address).await {
                Err(EngineError::Store(StoreError::Conflict { .. })) if attempts < 3 => continue,
                other => return other,
            }
        }
    }

    async fn apply_address(
        &self,
        config: &CheckoutConfig,
        number: OrderNumber,
        address: &Address,
    ) -> Result<Order, EngineError> {
        let order = self.store.order(number).await?;
        let state = CheckoutState::from_order(&order);
        let outcome = advance(
            &state,
            CheckoutInput::AddressSubmitted,
            &config.settings_now(),
        )
        .map_err(|refusal| match refusal {
            CheckoutRefusal::AddressLocked { .. } => EngineError::AddressLocked,
            other => EngineError::Checkout(other),
        })?;
        let now = Utc::now();
        let texts =
            Texts::for_customer(self.store.as_ref(), &config.language_now(), &order.customer)
                .await?;
        let link = issue_link(self.store.as_ref(), config, &order, &outcome, now).await?;
        let (mut update, further) =
            update_from(config, &texts, link.as_ref(), &order, outcome, now)?;
        update.address = Some(address.clone());
        let mut entry = TimelineEntry::new(now, TimelineKind::AddressSet, &Actor::Customer);
        entry.detail = Some(format!(
            "{}, {} {}",
            address.line1, address.postal_code, address.city
        ));
        update.timeline.insert(0, entry);
        let updated = apply_update(self.store.as_ref(), &order, &update, further, now).await?;
        self.bus.poke();
        Ok(updated)
    }
}
