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
