//! Refunds on the shared write path: applying a [`RefundChange`] to the
//! locked order (refusing more than is left, in the same transaction as
//! the write) and writing the refund columns.

use orderdesk_domain::{
    received_minor, refundable_minor, refunded_minor, status_after_refunds, was_paid, Order,
    RefundStatus,
};
use orderdesk_store::{OrderUpdate, RefundChange, StoreError, StoreResult};

use crate::rows::to_json;
use crate::{args, Arg, SqlTx};

/// Whether `update` touches the refund columns.
pub(crate) fn touches(update: &OrderUpdate) -> bool {
    update.refund.is_some() || update.provider_payment_id.is_some()
}

/// Applies the update's refund change and payment id to `order` (locked,
/// at the version the update was planned from). A paid order's payment
/// status follows its processed refunds.
///
/// # Errors
/// `Conflict` for a new refund of more than is left: the caller plans
/// again from the order as it now is (and then names what is left).
pub(crate) fn apply(order: &mut Order, update: &OrderUpdate) -> StoreResult<()> {
    if let Some(id) = &update.provider_payment_id {
        order.provider_payment_id = Some(id.clone());
    }
    let Some(change) = &update.refund else {
        return Ok(());
    };
    match change {
        RefundChange::Add(refund) => {
            if refund.amount_minor <= 0 || refund.amount_minor > refundable_minor(order) {
                return Err(StoreError::Conflict {
                    current_version: order.version,
                });
            }
            order.refunds.push(refund.clone());
        }
        RefundChange::Settle {
            key,
            status,
            provider_ref,
            failure,
        } => {
            let found = order
                .refunds
                .iter_mut()
                .find(|r| r.id == *key || r.provider_ref.as_deref() == Some(key.as_str()));
            if let Some(refund) = found {
                if refund.provider_ref.is_none() {
                    refund.provider_ref.clone_from(provider_ref);
                }
                if refund.status.can_become(*status) {
                    refund.status = *status;
                    if *status == RefundStatus::Failed {
                        refund.failure.clone_from(failure);
                    }
                }
            }
        }
    }
    order.refunded_minor = refunded_minor(&order.refunds);
    if was_paid(order) {
        order.payment_status = status_after_refunds(received_minor(order), &order.refunds);
    }
    Ok(())
}

/// Writes the refund columns of `order` (as [`apply`] left it).
pub(crate) async fn write<T: SqlTx>(tx: &mut T, order: &Order) -> StoreResult<()> {
    let sql = format!(
        "UPDATE orders SET refunds = $1{}, refunded_minor = $2, provider_payment_id = $3 \
         WHERE number = $4",
        T::JSON
    );
    let mut args = vec![Arg::Json(Some(to_json(&order.refunds)?))];
    args.extend(args![
        order.refunded_minor,
        order.provider_payment_id.as_deref(),
        order.number
    ]);
    tx.execute(&sql, args).await?;
    Ok(())
}
