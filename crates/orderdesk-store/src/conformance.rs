//! The conformance suite: the behaviour every [`Store`] backend must show.
//!
//! Each `case_*` function checks one behaviour against a fresh, migrated
//! store. A backend runs them all with one line in its `tests/`:
//!
//! ```text
//! async fn fresh() -> MyStore { /* new empty database, migrated */ }
//! orderdesk_store::conformance_suite!(fresh);
//! ```
//!
//! which expands to one `#[tokio::test]` per case, so a failure names the
//! behaviour and the backend. Times are compared at microsecond precision,
//! PostgreSQL's: stores truncate what they are given to whole microseconds.

// Test support: a broken expectation is a failed test, and the message says which.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeSet, HashMap, HashSet};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::task::Poll;
use std::time::Duration;

use chrono::{DateTime, SubsecRound};
use orderdesk_domain::{
    plan_transition, Actor, Address, CheckoutStep, Currency, Customer, EventKind, LineItem,
    NewOrder, Order, OrderNumber, OrderStatus, PaymentMethod, PaymentStatus, StatusChange,
    TimelineEntry, TimelineKind, Timestamp, TransitionRequest,
};

use crate::{
    ChatMessage, CustomerRecord, Direction, InboundOutcome, InboundResult, MessageState,
    NewApiToken, NewInbound, NewInboundMessage, NewOutbound, NewSession, NewTimer, NewUser,
    OrderQuery, OrderUpdate, Product, Recorded, Role, Store, StoreError, StoredEvent, TimerKind,
};

// Helpers shared by the cases, then the cases by area.
mod support;
pub use support::*;
mod empty;
pub use empty::*;
mod inbox;
pub use inbox::*;
mod orders;
pub use orders::*;
mod listing;
pub use listing::*;
mod status;
pub use status::*;
mod updates;
pub use updates::*;
mod events;
pub use events::*;
mod staff;
pub use staff::*;
mod catalog;
pub use catalog::*;
mod templates;
pub use templates::*;
mod customers;
pub use customers::*;
mod outbox;
pub use outbox::*;
mod delivery;
pub use delivery::*;
mod checkout;
pub use checkout::*;
mod timers;
pub use timers::*;
mod instances;
pub use instances::*;
mod batches;
pub use batches::*;
mod ops_status;
pub use ops_status::*;
mod conversations;
pub use conversations::*;
mod ledger;
pub use ledger::*;
mod refunds;
pub use refunds::*;
mod order_edit;
pub use order_edit::*;
mod staff_order;
pub use staff_order::*;
mod search;
pub use search::*;
mod settings;
pub use settings::*;
mod languages;
pub use languages::*;
mod keywords;
pub use keywords::*;
mod typed_drafts;
pub use typed_drafts::*;
mod invoices;
pub use invoices::*;
mod off_script;
pub use off_script::*;
mod conversation_answers;
pub use conversation_answers::*;
mod followups;
pub use followups::*;
mod stats;
pub use stats::*;
mod invoice_details;
pub use invoice_details::*;

/// Expands to one `#[tokio::test]` per conformance case. `$fresh` is an
/// async fn (or closure returning a future) that yields a [`Fixture`]: a
/// fresh, migrated, empty store of a concrete type implementing
/// [`Store`](crate::Store), or a [`WithGuard`] pairing one with something
/// that must outlive it (its temporary directory). The calling crate needs
/// `tokio` with the `macros` and `rt-multi-thread` features.
#[macro_export]
macro_rules! conformance_suite {
    ($fresh:expr) => {
        $crate::conformance_suite!(@tests $fresh;
            an_empty_store_migrates_again_and_reads_as_empty => case_empty_store,
            a_message_without_an_order_opens_a_conversation => case_conversation_without_an_order,
            an_answer_takes_a_conversation_off_needs_reply => case_conversation_answered,
            marking_a_conversation_read_twice_is_harmless => case_conversation_read_once,
            conversations_list_needing_reply_first_and_page => case_conversations_list_order_and_paging,
            conversations_filter_by_needs_reply_assignee_and_words => case_conversations_filters,
            done_and_handover_decide_needs_reply => case_conversation_done_and_handover,
            a_conversation_names_the_customers_open_order => case_conversation_names_the_open_order,
            one_batch_refreshes_each_conversation_and_announces_who_wrote => case_conversations_of_one_batch,
            a_reply_answers_what_came_before_it => case_a_reply_answers_what_came_before_it,
            a_reply_racing_a_customer_message_answers_only_what_came_before => case_a_reply_racing_a_customer_message,
            a_message_the_bot_could_not_use_needs_a_person => case_a_message_the_bot_could_not_use_needs_a_person,
            an_open_order_moving_on_is_announced => case_an_open_order_moving_on_is_announced,
            record_inbound_deduplicates_within_one_batch => case_inbound_dedupe_within_batch,
            record_inbound_deduplicates_across_batches => case_inbound_dedupe_across_batches,
            record_inbound_answers_in_input_order => case_inbound_results_in_input_order,
            pending_inbound_lists_unprocessed_items_oldest_first => case_pending_inbound_order,
            complete_inbound_creates_orders_numbered_from_1001 => case_complete_inbound_numbers,
            complete_inbound_skips_items_already_processed => case_complete_inbound_idempotent,
            ignored_and_failed_items_are_processed_without_orders => case_ignored_and_failed,
            orders_round_trip_every_field => case_order_round_trip,
            a_new_order_starts_its_timeline_with_created => case_created_timeline,
            unknown_orders_are_not_found => case_unknown_order,
            list_orders_is_newest_first_with_a_limit => case_list_newest_first,
            list_orders_pages_without_gaps_while_orders_arrive => case_list_paging,
            list_orders_filters_by_status_and_payment => case_list_filters,
            list_orders_searches_number_name_wa_id_and_user_id => case_list_search,
            status_counts_list_every_stage_and_follow_changes => case_status_counts,
            change_status_moves_the_order_and_bumps_its_version => case_change_status,
            a_hold_remembers_the_stage_it_came_from => case_a_hold_remembers_the_stage_it_came_from,
            shipping_records_tracking_that_later_moves_keep => case_shipping_records_tracking_that_later_moves_keep,
            the_timeline_names_each_move_who_why_and_when => case_the_timeline_names_each_move_who_why_and_when,
            each_move_is_an_event_carrying_the_order => case_each_move_is_an_event_carrying_the_order,
            a_stale_version_is_a_conflict_and_changes_nothing => case_stale_version,
            changing_an_unknown_order_is_not_found => case_change_unknown,
            concurrent_changes_with_the_same_version_let_exactly_one_win => case_change_race,
            events_since_pages_through_the_log_in_order => case_events_since,
            the_event_log_never_skips_under_concurrent_writers => case_event_log_concurrency,
            users_are_unique_by_email_whatever_its_case => case_users,
            api_tokens_are_unique_and_found_by_secret_hash => case_tokens,
            upsert_products_inserts_then_updates_by_retailer_id => case_products_upsert,
            a_failing_product_upsert_writes_nothing => case_products_all_or_nothing,
            products_by_ids_returns_only_known_products => case_products_by_ids,
            message_templates_are_stored_per_key_and_language_and_replaced => case_message_templates,
            the_latest_order_of_a_customer_is_found_by_either_id => case_latest_order_for_customer,
            an_empty_store_has_no_messages_timers_or_customers => case_checkout_empty,
            update_order_sets_the_address_step_and_timeline_and_bumps_the_version => case_update_order_fields,
            a_payment_reference_stays_until_another_is_given => case_update_order_payment_reference_stays,
            the_payment_review_flag_is_set_kept_and_cleared => case_payment_review_is_set_kept_and_cleared,
            an_orders_address_is_remembered_for_the_customer => case_an_order_address_is_remembered_for_the_customer,
            updating_an_unknown_order_is_not_found => case_updating_an_unknown_order_is_not_found,
            update_order_appends_one_event_named_after_what_changed => case_update_order_events,
            a_stale_update_is_a_conflict_and_queues_nothing => case_update_order_conflict,
            an_update_of_only_messages_and_timers_leaves_the_order_alone => case_update_side_effects_only,
            messages_queued_by_an_update_show_in_the_thread_as_queued => case_update_queues_messages,
            the_outbox_claims_each_customers_first_due_message => case_claim_per_customer,
            a_customers_next_message_waits_for_the_one_sending => case_a_customers_next_message_waits_for_the_one_sending,
            a_failed_message_lets_the_next_go => case_a_failed_message_lets_the_next_go,
            a_retried_message_holds_the_line_until_done => case_a_retried_message_holds_the_line_until_done,
            a_claim_whose_lease_ran_out_is_claimed_again => case_claim_lease,
            concurrent_outbox_claimers_never_get_the_same_message => case_claim_concurrent,
            a_sent_message_keeps_its_wamid_and_is_announced => case_outbox_transitions,
            recording_a_sent_message_again_changes_nothing => case_recording_a_sent_message_again_changes_nothing,
            a_retry_requeues_with_the_error_not_before_its_time => case_a_retry_requeues_with_the_error_not_before_its_time,
            a_wamid_names_one_message_only => case_a_wamid_names_one_message_only,
            a_failed_message_shows_on_the_order_and_is_announced => case_a_failed_message_shows_on_the_order_and_is_announced,
            a_finished_message_is_not_retried_or_failed_again => case_a_finished_message_is_not_retried_or_failed_again,
            a_message_about_no_order_fails_without_a_timeline => case_a_message_about_no_order_fails_without_a_timeline,
            delivery_statuses_arriving_out_of_order_only_move_a_message_forward => case_message_status,
            delivered_after_read_changes_nothing => case_delivered_after_read_changes_nothing,
            failed_replaces_sent_with_its_reason_on_the_order => case_failed_replaces_sent_with_its_reason_on_the_order,
            statuses_from_the_inbox_only_move_a_message_forward => case_statuses_from_the_inbox_only_move_forward,
            a_status_of_an_unknown_message_changes_nothing => case_a_status_of_an_unknown_message_changes_nothing,
            an_inbound_message_is_recorded_and_the_customer_remembered => case_inbound_message,
            a_late_message_keeps_the_last_inbound_time_and_known_ids => case_late_message_keeps_last_inbound_and_known_ids,
            a_newer_message_renames_the_customer => case_newer_message_renames_the_customer,
            a_repeated_wamid_is_recorded_once => case_repeated_wamid_is_recorded_once,
            a_customers_thread_is_in_arrival_order => case_customer_thread_is_in_arrival_order,
            a_message_about_an_order_is_in_its_thread => case_message_about_an_order_is_in_its_thread,
            a_cart_becomes_an_order_with_its_first_messages_and_timers => case_create_order_with_work,
            a_message_and_an_update_at_a_left_version_stay_pending => case_message_and_update,
            a_message_and_its_update_retried_at_the_current_version_apply_together => case_message_and_update_retried_at_the_current_version,
            a_message_and_its_update_completed_twice_apply_once => case_message_and_update_completed_twice_applies_once,
            a_stage_move_planned_from_a_left_stage_conflicts => case_stage_move_from_a_left_stage_conflicts,
            open_orders_are_found_by_user_id_or_wa_id => case_open_orders,
            timers_are_one_per_kind_and_order_and_come_due_earliest_first => case_timers,
            a_claimed_timer_is_leased_until_it_runs_out => case_a_claimed_timer_is_leased_until_it_runs_out,
            a_timer_set_again_while_claimed_survives_the_old_claim => case_a_timer_set_again_while_claimed_survives_the_old_claim,
            cancelled_timers_never_come_due => case_cancelled_timers_never_come_due,
            concurrent_timer_claimers_get_each_due_timer_once => case_timers_concurrent,
            change_watchers_are_woken_by_new_events_and_queued_messages => case_watch_changes,
            shared_send_slots_are_never_closer_than_the_interval => case_send_slots,
            stored_webhook_items_wake_inbox_watchers => case_watch_inbox,
            one_processor_at_a_time_holds_the_processing_lease => case_processing_lease,
            migrate_unless_busy_migrates_an_idle_database => case_migrate_unless_busy,
            pruning_deletes_the_oldest_events_and_remembers_where => case_prune_events,
            a_status_before_its_wamid_is_recorded_applies_when_it_is => case_early_status,
            sessions_are_found_by_hash_until_they_expire_or_end => case_sessions,
            removing_a_user_ends_their_sessions => case_delete_user,
            revoked_tokens_are_neither_listed_nor_valid => case_revoke_token,
            list_orders_filters_by_creation_date => case_list_date_range,
            a_failed_batch_applies_nothing_and_all_of_it_on_retry => case_failed_batch_applies_nothing,
            a_batch_applies_one_customers_items_in_arrival_order => case_batch_keeps_a_customers_order,
            ops_status_reads_the_schema_and_the_last_webhook_and_send => case_ops_status,
            ops_status_reads_the_status_panels => case_ops_status_panels,
            refunds_move_the_payment_status_as_they_settle => case_refunds_move_the_payment_status,
            refunds_are_bounded_by_the_money_received => case_refunds_are_bounded_by_the_money_received,
            a_refund_above_what_is_left_changes_nothing => case_a_refund_above_what_is_left_changes_nothing,
            concurrent_refunds_refund_once => case_concurrent_refunds_refund_once,
            a_settled_refund_stays_settled => case_a_settled_refund_stays_settled,
            a_paid_order_gets_the_next_invoice_number => case_a_paid_order_gets_the_next_invoice_number,
            cash_on_delivery_is_invoiced_when_the_cash_is_recorded => case_cash_on_delivery_is_invoiced_when_the_cash_is_recorded,
            concurrent_payments_never_share_or_skip_an_invoice_number => case_concurrent_payments_never_share_or_skip_a_number,
            each_year_counts_invoices_from_one => case_each_year_counts_invoices_from_one,
            a_processed_refund_gets_a_credit_note_number => case_a_processed_refund_gets_a_credit_note_number,
            new_invoice_prefixes_apply_to_later_numbers => case_new_prefixes_apply_to_later_numbers,
            payment_events_are_read_back_by_period => case_payment_events_are_read_back_by_period,
            payment_attention_lists_flagged_and_uncollected_cash => case_payment_attention_lists_flagged_and_uncollected_cash,
            payment_attention_is_bounded_and_counts_them_all => case_payment_attention_is_bounded_and_counts_them_all,
            cod_to_collect_sums_every_open_cash_order_per_day => case_cod_to_collect_sums_every_open_cash_order_per_day,
            delivered_at_is_kept_from_the_move_to_delivered => case_delivered_at_is_kept_from_the_move_to_delivered,
            flagged_money_is_revenue_and_the_order_is_paid_once => case_flagged_money_is_revenue_and_the_order_is_paid_once,
            edit_order_writes_lines_money_tags_and_assignee => case_edit_order_fields,
            a_stale_edit_loses_and_writes_nothing => case_edit_order_stale,
            an_edit_without_its_timeline_entry_is_refused => case_edit_order_needs_its_entry,
            a_staff_order_is_created_with_its_work_and_no_window => case_staff_order_created,
            search_finds_every_phone_spelling_accents_items_and_address => case_search_finds_every_spelling,
            search_follows_edits_at_once => case_search_follows_edits,
            search_finds_digits_only_in_a_row => case_digits_match_only_in_a_row,
            customers_sum_their_orders => case_customers_sum_their_orders,
            customers_found_by_name_or_any_phone_spelling => case_customers_found_by_name_or_any_phone_spelling,
            customers_blocked_and_unblocked => case_customers_blocked_and_unblocked,
            per_stage_counts_follow_the_search => case_counts_follow_the_search,
            sparse_matches_page_newest_first_and_count_exactly => case_sparse_matches_page_newest_first,
            counts_of_a_common_word_are_capped_and_paging_finds_every_match => case_counts_of_a_common_word_are_capped,
            list_orders_filters_by_tag_and_assignee => case_tag_and_assignee_filters,
            a_batch_applies_good_items_around_a_bad_one_and_skips_a_repeat => case_batch_with_a_bad_item_and_a_repeat,
            a_batch_larger_than_a_statement_chunk_numbers_orders_in_arrival_order => case_large_batch_of_carts,
            a_new_store_has_no_stored_settings => case_settings_start_empty,
            stored_settings_keep_every_key_of_a_change_with_time_and_author => case_settings_round_trip,
            setting_a_stored_key_again_replaces_it => case_settings_replace,
            forgetting_a_setting_removes_only_that_key => case_settings_forget,
            stored_settings_keep_their_text_exactly => case_settings_keep_text_exactly,
            a_customers_first_language_guess_stays => case_language_first_guess_stays,
            staff_choose_a_customers_language_over_a_guess => case_language_staff_choice_wins_and_can_be_forgotten,
            a_batch_reads_every_customers_language_at_once => case_languages_read_for_many_customers,
            product_keywords_are_kept_across_feed_syncs => case_product_keywords_kept_across_syncs,
            product_keywords_for_an_unknown_product_change_nothing => case_product_keywords_for_an_unknown_product,
            address_as_typed_and_the_off_script_count_are_kept => case_address_as_typed_and_off_script_count_are_kept,
            followups_are_kept_and_counted_live_as_rebuilt => case_followups_are_kept_and_counted_live_as_rebuilt,
            stats_count_every_step_by_the_business_day => case_stats_count_every_step_by_the_business_day,
            stats_rebuilt_from_history_equal_the_live_ones => case_stats_rebuilt_from_history_equal_the_live_ones,
            stats_before_the_first_rebuild_are_counted_by_it => case_stats_before_the_first_rebuild_are_counted_by_it,
            stats_totals_across_months_equal_their_days => case_stats_totals_across_months_equal_their_days,
            product_taxes_are_kept_across_feed_syncs => case_product_taxes_kept_across_syncs,
            product_taxes_for_an_unknown_product_change_nothing => case_product_taxes_for_an_unknown_product,
            an_order_created_paid_gets_its_invoice_number_at_once => case_an_order_created_paid_gets_its_invoice_number,
            one_orders_payment_events_come_back_alone_oldest_first => case_one_orders_payment_events,
            a_typed_draft_is_kept_and_a_newer_one_replaces_it => case_typed_draft_kept_and_replaced,
            a_typed_draft_at_the_desk_keeps_its_words_and_flag => case_typed_draft_at_the_desk,
        );
    };
    (@tests $fresh:expr; $($test:ident => $case:ident),* $(,)?) => {
        $(
            #[::tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $test() {
                let fixture = ($fresh)().await;
                $crate::conformance::$case($crate::conformance::Fixture::store(&fixture)).await;
            }
        )*
    };
}

/// What a conformance test runs against.
pub trait Fixture {
    fn store(&self) -> &dyn Store;
}

impl<S: Store> Fixture for S {
    fn store(&self) -> &dyn Store {
        self
    }
}

/// A store plus a guard dropped after it, such as the temporary directory
/// holding its database file.
pub struct WithGuard<S, G> {
    pub store: S,
    pub guard: G,
}

impl<S: Store, G> Fixture for WithGuard<S, G> {
    fn store(&self) -> &dyn Store {
        &self.store
    }
}

#[cfg(test)]
mod tests {
    /// Every file holding cases, so a case added anywhere must be listed.
    const CASE_FILES: &[&str] = &[
        include_str!("conformance/empty.rs"),
        include_str!("conformance/inbox.rs"),
        include_str!("conformance/orders.rs"),
        include_str!("conformance/listing.rs"),
        include_str!("conformance/status.rs"),
        include_str!("conformance/updates.rs"),
        include_str!("conformance/events.rs"),
        include_str!("conformance/staff.rs"),
        include_str!("conformance/catalog.rs"),
        include_str!("conformance/templates.rs"),
        include_str!("conformance/outbox.rs"),
        include_str!("conformance/delivery.rs"),
        include_str!("conformance/checkout.rs"),
        include_str!("conformance/timers.rs"),
        include_str!("conformance/instances.rs"),
        include_str!("conformance/batches.rs"),
        include_str!("conformance/order_edit.rs"),
        include_str!("conformance/staff_order.rs"),
        include_str!("conformance/search.rs"),
        include_str!("conformance/settings.rs"),
        include_str!("conformance/languages.rs"),
        include_str!("conformance/off_script.rs"),
        include_str!("conformance/conversation_answers.rs"),
        include_str!("conformance/followups.rs"),
        include_str!("conformance/invoice_details.rs"),
    ];

    #[test]
    fn every_case_is_run_by_the_suite_macro() {
        let source = include_str!("conformance.rs");
        let (macro_body, _) = source
            .split_once("/// What a conformance test runs against.")
            .unwrap();
        let cases: Vec<&str> = CASE_FILES
            .iter()
            .flat_map(|file| file.lines())
            .filter_map(|l| l.strip_prefix("pub async fn "))
            .filter_map(|l| l.split_once('(').map(|(name, _)| name))
            .filter(|name| name.starts_with("case_"))
            .collect();
        assert!(cases.len() > 20, "{cases:?}");
        for case in cases {
            assert!(
                macro_body.contains(&format!("=> {case},")),
                "{case} is not listed in conformance_suite!"
            );
        }
    }
}
