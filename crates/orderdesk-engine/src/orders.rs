//! Staff and integrations moving orders through their stages.

use chrono::Utc;
use orderdesk_domain::{plan_transition, Order, OrderNumber, TransitionRequest};
use tracing::instrument;

use crate::{Engine, EngineError};

impl Engine {
    /// Moves an order to another stage if the table allows it now.
    ///
    /// `expected_version`, when given, is the version the caller last saw: if
    /// the order moved on since, nothing changes and [`EngineError::Stale`]
    /// says where it is now. Without it, the move is judged against the
    /// current state, and a concurrent writer still cannot interleave: the
    /// store applies the change only at the version it was planned from.
    ///
    /// # Errors
    /// `Transition` for a move the table refuses, `Stale` or `Store(Conflict)`
    /// when someone else changed the order first, `Store(NotFound)`.
    #[instrument(skip_all, fields(order.number = %number, to = %req.to))]
    pub async fn change_status(
        &self,
        number: OrderNumber,
        req: TransitionRequest,
        expected_version: Option<i64>,
    ) -> Result<Order, EngineError> {
        let order = self.store.order(number).await?;
        if expected_version.is_some_and(|v| v != order.version) {
            return Err(EngineError::Stale {
                status: order.status.to_string(),
                version: order.version,
            });
        }
        let change = plan_transition(order.status, order.held_from, req)?;
        let updated = self
            .store
            .change_status(number, order.version, &change, Utc::now())
            .await?;
        self.bus.poke();
        Ok(updated)
    }
}
