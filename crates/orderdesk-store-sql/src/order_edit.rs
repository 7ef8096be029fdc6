//! `Store::edit_order`: staff's changes to an order's lines, money, tags
//! and assignee, written on the shared path. The order is locked and its
//! version checked as for any update; the fields below are written, then
//! the accompanying [`OrderUpdate`] (its timeline entry, messages, the
//! version bump and the event, whose data carries these fields too).

use orderdesk_domain::{Order, OrderNumber, Timestamp};
use orderdesk_store::{OrderFields, OrderUpdate, StoreError, StoreResult};

use crate::effects::Effects;
use crate::rows::to_json;
use crate::{args, writes, Arg, SqlTx};

/// `Store::edit_order`.
pub async fn edit_order<T: SqlTx>(
    tx: &mut T,
    number: OrderNumber,
    expected_version: i64,
    fields: &OrderFields,
    update: &OrderUpdate,
    at: Timestamp,
) -> StoreResult<Order> {
    let mut locked = writes::lock_order(tx, number).await?;
    writes::check_version(&locked.order, expected_version, update)?;
    let assignee_before = locked.order.assignee.clone();
    if !fields.is_empty() {
        // The update's timeline entry is what bumps the version and
        // announces the change; an edit without one would be silent.
        if !update.touches_order() {
            return Err(StoreError::Other(anyhow::anyhow!(
                "an edit of order #{number} must record what changed on its timeline"
            )));
        }
        fields.apply_to(&mut locked.order);
        write_fields(tx, &locked.order).await?;
    }
    let mut effects = Effects::default();
    let order = writes::write_update(tx, locked, update, at, &mut effects).await?;
    if order.assignee != assignee_before {
        // Whoever had the order hears that it moved on: with "agents see
        // only their own orders" on, this is the one event of it they get.
        effects.mark_order_event(number, "previous_assignee", assignee_before.into())?;
    }
    effects.apply(tx).await?;
    Ok(order)
}

async fn write_fields<T: SqlTx>(tx: &mut T, order: &Order) -> StoreResult<()> {
    let sql = format!(
        "UPDATE orders SET items = $1{json}, shipping_minor = $2, discount_minor = $3, \
         total_minor = $4, tags = $5{json}, assignee = $6 WHERE number = $7",
        json = T::JSON
    );
    let mut args = vec![Arg::Json(Some(to_json(&order.items)?))];
    args.extend(args![
        order.shipping_minor,
        order.discount_minor,
        order.total_minor
    ]);
    args.push(Arg::Json(Some(to_json(&order.tags)?)));
    args.extend(args![order.assignee.as_deref(), order.number]);
    tx.execute(&sql, args).await?;
    Ok(())
}
