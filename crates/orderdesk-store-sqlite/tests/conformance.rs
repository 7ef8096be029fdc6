//! The shared store conformance suite, each test on its own new database file.

// Test setup: failing to get a database fails the test, loudly.
#![allow(clippy::expect_used)]

use orderdesk_store::conformance::WithGuard;
use orderdesk_store::prelude::*;
use orderdesk_store_sqlite::SqliteStore;

/// A migrated store on a new file, in a directory removed after the test.
async fn fresh_store() -> WithGuard<SqliteStore, tempfile::TempDir> {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("orderdesk.db").display());
    let store = orderdesk_store_sqlite::connect(&url)
        .await
        .expect("connect");
    store.migrate().await.expect("migrate");
    WithGuard { store, guard: dir }
}

orderdesk_store::conformance_suite!(fresh_store);
