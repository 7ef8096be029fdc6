//! End-to-end tests: a real `orderdesk` server on 127.0.0.1, real SQLite and
//! a throwaway PostgreSQL, real HTTP. One test binary, modules inside.

// Test helpers outside #[test] fns: clippy.toml's allow-unwrap-in-tests does not reach them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod agent_board_browser;
mod agent_visibility;
mod api;
mod auth_matrix;
mod backup;
mod browser;
mod cli;
mod contract;
mod conversation_desk;
mod conversation_events;
mod conversations;
mod customers;
mod customers_browser;
mod dashboard;
mod dashboard_orders;
mod defects;
mod defects_browser;
mod demo_cod;
mod demo_journey;
mod doctor;
mod edge;
mod events;
mod followups;
mod followups_browser;
mod handover;
mod helpers;
mod inbox;
mod inbox_board_browser;
mod inbox_browser;
mod insights;
mod insights_browser;
mod intake;
mod invoices;
mod invoices_browser;
mod journey;
mod local_browser;
mod local_money;
mod login_limits;
mod messages;
mod native;
mod native_browser;
mod odd_input;
mod off_script;
mod off_script_browser;
mod open_redirect;
mod order_edit;
mod order_window;
mod orders_browser;
mod payment_links;
mod payments;
mod payments_browser;
mod phone;
mod phone_dashboard;
mod ratings;
mod ratings_browser;
mod reconciliation;
mod recovery;
mod refunds;
mod refunds_browser;
mod refunds_received;
mod refunds_settle;
mod resources;
mod search;
mod search_browser;
mod server;
mod settings;
mod setup;
mod setup_browser;
mod setup_live;
mod slip_scan;
mod staff_orders;
mod templates;
mod tls;
mod typed_desk;
mod typed_desk_browser;
mod typed_orders;
mod upgrade;
mod webhook_cpu;
mod webhooks;
mod window;
mod window_browser;

/// Declares one test per backend from an `async fn(Backend)`.
#[macro_export]
macro_rules! both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Sqlite).await
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name($crate::helpers::Backend::Postgres).await
                }
            )*
        }
    };
}
