//! What a processing step reads for its whole batch at once, and how it
//! applies its decisions: in parts no bigger than the store asks for.

use std::collections::{HashMap, HashSet};

use orderdesk_domain::{InboxKind, Order};
use orderdesk_store::{InboundOutcome, InboundRecord};

use super::Processor;
use crate::EngineError;

impl Processor {
    /// The customer keys of this batch that staff blocked, in one query.
    pub(super) async fn blocked_senders(
        &self,
        items: &[InboundRecord],
    ) -> Result<HashSet<String>, EngineError> {
        let keys: HashSet<&String> = items
            .iter()
            .filter(|i| {
                matches!(
                    InboxKind::parse(&i.kind),
                    InboxKind::Cart | InboxKind::Message(_)
                )
            })
            .filter_map(|i| i.customer_key.as_ref())
            .collect();
        if keys.is_empty() {
            return Ok(HashSet::new());
        }
        let keys: Vec<String> = keys.into_iter().cloned().collect();
        Ok(self
            .store
            .blocked_customers(&keys)
            .await?
            .into_iter()
            .collect())
    }

    /// The stored languages of the batch's cart senders, in one query (a
    /// read per cart was half of a batch's deciding time on PostgreSQL).
    pub(super) async fn cart_languages(
        &self,
        items: &[InboundRecord],
    ) -> Result<HashMap<String, String>, EngineError> {
        let keys: HashSet<&String> = items
            .iter()
            .filter(|i| InboxKind::parse(&i.kind) == InboxKind::Cart)
            .filter_map(|i| i.customer_key.as_ref())
            .collect();
        if keys.is_empty() || self.checkout.is_none() {
            return Ok(HashMap::new());
        }
        let keys: Vec<String> = keys.into_iter().cloned().collect();
        Ok(self
            .store
            .customer_languages(&keys)
            .await?
            .into_iter()
            .map(|l| (l.customer_key, l.language))
            .collect())
    }

    /// Applies the step's outcomes in transactions of at most
    /// [`orderdesk_store::Store::apply_limit`] items. On SQLite's one writer a processing
    /// transaction is time every webhook acknowledgement waits; cut short,
    /// the ingest writer gets the writer between the parts (its gate is
    /// first come, first served). Each part is atomic as a whole batch is.
    /// A customer with an item left pending in one part has their later
    /// items left for the next step, as inside one batch, so one customer's
    /// items still apply in arrival order.
    pub(super) async fn apply_bounded(
        &self,
        items: &[InboundRecord],
        outcomes: &[(i64, InboundOutcome)],
    ) -> Result<Vec<Option<Order>>, EngineError> {
        let limit = self.store.apply_limit().max(1);
        if outcomes.len() <= limit {
            return Ok(self.store.complete_inbound(outcomes).await?);
        }
        let keys: HashMap<i64, &str> = items
            .iter()
            .filter_map(|i| Some((i.id, i.customer_key.as_deref()?)))
            .collect();
        let mut held: HashSet<&str> = HashSet::new();
        let mut created: Vec<Option<Order>> = vec![None; outcomes.len()];
        for (start, part) in (0..).step_by(limit).zip(outcomes.chunks(limit)) {
            let positions: Vec<usize> = (start..start + part.len())
                .filter(|i| keys.get(&outcomes[*i].0).is_none_or(|k| !held.contains(k)))
                .collect();
            let results = if positions.len() == part.len() {
                self.store.apply_inbound(part).await?
            } else {
                let kept: Vec<(i64, InboundOutcome)> =
                    positions.iter().map(|&i| outcomes[i].clone()).collect();
                self.store.apply_inbound(&kept).await?
            };
            for (&i, result) in positions.iter().zip(results) {
                if result.is_pending() {
                    if let Some(key) = keys.get(&outcomes[i].0) {
                        held.insert(key);
                    }
                }
                created[i] = result.into_order();
            }
        }
        Ok(created)
    }

    /// Catalog titles for every product in the batch's carts, in one query.
    pub(super) async fn product_names(
        &self,
        items: &[InboundRecord],
    ) -> Result<HashMap<String, String>, EngineError> {
        let ids: HashSet<String> = items
            .iter()
            .filter(|i| InboxKind::parse(&i.kind) == InboxKind::Cart)
            .filter_map(|i| orderdesk_whatsapp::parse_cart(&i.payload).ok())
            .flat_map(|cart| cart.lines.into_iter().map(|l| l.retailer_id))
            .collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let ids: Vec<String> = ids.into_iter().collect();
        let products = self.store.products_by_ids(&ids).await?;
        Ok(products
            .into_iter()
            .map(|p| (p.retailer_id, p.title))
            .collect())
    }
}
