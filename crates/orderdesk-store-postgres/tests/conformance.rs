//! The shared store conformance suite, each test on its own new database in
//! the test binary's throwaway PostgreSQL cluster.

// Test setup: failing to get a database fails the test, loudly.
#![allow(clippy::expect_used)]

use orderdesk_store::prelude::*;
use orderdesk_store_postgres::PgStore;

async fn fresh_store() -> PgStore {
    let url = orderdesk_testkit::fresh_pg_url().expect("a fresh database");
    let store = orderdesk_store_postgres::connect(&url, 8)
        .await
        .expect("connect");
    store.migrate().await.expect("migrate");
    store
}

orderdesk_store::conformance_suite!(fresh_store);

/// The search cases again with a window of five rows
/// (`PgDb::with_search_window`), so a few orders take every path a big
/// shop's search takes: a page filled from the newest orders, one finished
/// by the indexes range by range (three numbers a range), counts that
/// stop at a common word.
mod small_search_window {
    use super::*;
    use orderdesk_store::conformance as suite;

    async fn fresh() -> PgStore {
        let url = orderdesk_testkit::fresh_pg_url().expect("a fresh database");
        let db = orderdesk_store_postgres::PgDb::connect(&url, 8)
            .await
            .expect("connect")
            .with_search_window(5, 3);
        let store = orderdesk_store_sql::SqlStore::new(db);
        store.migrate().await.expect("migrate");
        store
    }

    #[tokio::test]
    async fn search_finds_every_spelling() {
        suite::case_search_finds_every_spelling(&fresh().await).await;
    }

    #[tokio::test]
    async fn search_follows_edits() {
        suite::case_search_follows_edits(&fresh().await).await;
    }

    #[tokio::test]
    async fn search_finds_digits_only_in_a_row() {
        suite::case_digits_match_only_in_a_row(&fresh().await).await;
    }

    #[tokio::test]
    async fn counts_follow_the_search() {
        suite::case_counts_follow_the_search(&fresh().await).await;
    }

    #[tokio::test]
    async fn counts_of_a_common_word_are_capped_and_paging_finds_every_match() {
        suite::case_counts_of_a_common_word_are_capped(&fresh().await).await;
    }

    #[tokio::test]
    async fn sparse_matches_page_newest_first_and_count_exactly() {
        suite::case_sparse_matches_page_newest_first(&fresh().await).await;
    }

    #[tokio::test]
    async fn tag_and_assignee_filters() {
        suite::case_tag_and_assignee_filters(&fresh().await).await;
    }
}

/// A count past its budget (`SqlRead::read_within`) is stopped by the
/// database and reported as unfinished rather than waited for, and the
/// budget is the statement's alone: the connection goes back to the pool
/// without it.
#[tokio::test]
async fn a_read_past_its_budget_is_stopped_and_the_budget_does_not_stay() {
    use orderdesk_store_sql::SqlRead;
    use std::time::{Duration, Instant};

    let url = orderdesk_testkit::fresh_pg_url().expect("a fresh database");
    let db = orderdesk_store_postgres::PgDb::connect(&url, 1)
        .await
        .expect("connect");
    let started = Instant::now();
    let stopped = db
        .read_within("SELECT pg_sleep(10)", vec![], Duration::from_millis(100))
        .await
        .expect("a stopped read is no error");
    assert!(stopped.is_none(), "the sleep was stopped");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "not waited for: {:?}",
        started.elapsed()
    );
    let done = db
        .read_within("SELECT 7 AS n", vec![], Duration::from_secs(5))
        .await
        .expect("read")
        .expect("finished within its budget");
    assert_eq!(done.len(), 1);
    // The pool's one connection runs a statement longer than the budget.
    let slow = db
        .read("SELECT pg_sleep(0.3) IS NULL AS slept", vec![])
        .await
        .expect("no timeout left on the connection");
    assert_eq!(slow.len(), 1);
}
