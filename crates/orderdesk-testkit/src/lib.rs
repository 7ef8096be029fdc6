//! Dev-only helpers for tests and benchmarks.
//!
//! The main one is a throwaway PostgreSQL: [`PgCluster`] starts a private
//! server in a temporary directory, and [`fresh_pg_url`] hands every test its
//! own brand-new database on a cluster shared by the whole test binary. No
//! long-running server and no `DATABASE_URL` are needed, and a missing
//! PostgreSQL installation fails the test loudly instead of skipping it.

pub mod browser;
mod pg;
pub mod proxy;

pub use pg::{fresh_pg_url, shared_cluster, PgCluster};
