//! [`OrderStore`] on [`SqlStore`].

use async_trait::async_trait;
use orderdesk_domain::{Order, OrderNumber, OrderStatus, TimelineEntry, Timestamp};
use orderdesk_store::{OrderPage, OrderQuery, OrderStore, OrderUpdate, StoreResult};

use super::SqlStore;
use crate::{reads, Durability, SqlBackend, SqlTx};

#[async_trait]
impl<B: SqlBackend> OrderStore for SqlStore<B> {
    async fn order(&self, number: OrderNumber) -> StoreResult<Order> {
        reads::order(&self.0, number).await
    }

    async fn timeline(&self, number: OrderNumber) -> StoreResult<Vec<TimelineEntry>> {
        reads::timeline(&self.0, number).await
    }

    async fn list_orders(&self, query: &OrderQuery) -> StoreResult<OrderPage> {
        crate::order_list::list(&self.0, query).await
    }

    async fn status_counts(&self) -> StoreResult<Vec<(OrderStatus, i64)>> {
        reads::status_counts(&self.0).await
    }

    async fn update_order(
        &self,
        number: OrderNumber,
        expected_version: i64,
        update: &OrderUpdate,
        at: Timestamp,
    ) -> StoreResult<Order> {
        let mut tx = self.0.write(Durability::Full).await?;
        let order = crate::update_order(&mut tx, number, expected_version, update, at).await?;
        tx.commit().await?;
        Ok(order)
    }

    async fn open_orders_for_customer(&self, key: &str) -> StoreResult<Vec<Order>> {
        reads::open_orders_for_customer(&self.0, key).await
    }

    async fn open_orders_for_customers(&self, keys: &[String]) -> StoreResult<Vec<Order>> {
        reads::open_orders_for_customers(&self.0, keys).await
    }

    async fn latest_order_for_customer(&self, key: &str) -> StoreResult<Option<Order>> {
        reads::latest_order_for_customer(&self.0, key).await
    }

    async fn edit_order(
        &self,
        number: OrderNumber,
        expected_version: i64,
        fields: &orderdesk_store::OrderFields,
        update: &OrderUpdate,
        at: Timestamp,
    ) -> StoreResult<Order> {
        let mut tx = self.0.write(Durability::Full).await?;
        let order =
            crate::edit_order(&mut tx, number, expected_version, fields, update, at).await?;
        tx.commit().await?;
        Ok(order)
    }

    async fn create_staff_order(
        &self,
        new: &orderdesk_domain::NewOrder,
        creator: &orderdesk_domain::Actor,
        update: &OrderUpdate,
        timers: &[(orderdesk_store::TimerKind, Timestamp)],
    ) -> StoreResult<Order> {
        let mut tx = self.0.write(Durability::Full).await?;
        let order = crate::create_staff_order(&mut tx, new, creator, update, timers).await?;
        tx.commit().await?;
        Ok(order)
    }

    async fn count_orders(&self, query: &OrderQuery) -> StoreResult<orderdesk_store::OrderCounts> {
        crate::order_list::counts(&self.0, query).await
    }
}
