//! `Store::create_staff_order`: an order staff create for a customer (a
//! phone or walk-in order), written on the shared path: the order as a cart
//! would make it (`order.created`), then in the same transaction the first
//! messages and timers of its checkout and what staff added (a note, the
//! timeline entry naming who created it).

use orderdesk_domain::{Actor, NewOrder, Order, Timestamp};
use orderdesk_store::{OrderUpdate, StoreResult, TimerKind};

use crate::effects::Effects;
use crate::{writes, SqlTx};

/// `Store::create_staff_order`.
pub async fn create_staff_order<T: SqlTx>(
    tx: &mut T,
    new: &NewOrder,
    creator: &Actor,
    update: &OrderUpdate,
    timers: &[(TimerKind, Timestamp)],
) -> StoreResult<Order> {
    let mut effects = Effects::default();
    let order = writes::create_order_by(tx, new, creator, &mut effects).await?;
    let customer_key = orderdesk_store::customer_key_of(&order.customer).map(str::to_owned);
    let locked = writes::Locked {
        order,
        customer_key,
    };
    let created_at = locked.order.created_at;
    let order = writes::write_update(tx, locked, update, created_at, &mut effects).await?;
    for (kind, due_at) in timers {
        writes::set_timer(tx, *kind, order.number, *due_at).await?;
    }
    effects.apply(tx).await?;
    Ok(order)
}
