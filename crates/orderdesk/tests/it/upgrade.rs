//! Upgrades: a database made by the first release (migration 0001 only,
//! rows in the shape that release wrote them) is brought up to date by
//! `orderdesk migrate`, and everything in it is still there and usable.
//! Also `orderdesk --version` and the version in `/healthz` and `/metrics`.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::cli::{orderdesk, post_signed_webhook, text, Server};
use crate::helpers::{fresh_db, order_webhook, Backend};

const VERSION: &str = env!("CARGO_PKG_VERSION");
/// The first release's API token; only its SHA-256 is in the database.
const OLD_TOKEN: &str = "odk_first_release_token_0123456789abcdef";

/// The first release's schema: only `0001_initial.sql` of the backend,
/// applied by sqlx's migrator exactly as that release's `migrate` did.
fn first_release_migrations(backend: Backend) -> (tempfile::TempDir, PathBuf) {
    let crate_dir = match backend {
        Backend::Sqlite => "orderdesk-store-sqlite",
        Backend::Postgres => "orderdesk-store-postgres",
    };
    let source = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(crate_dir)
        .join("migrations/0001_initial.sql");
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&source, dir.path().join("0001_initial.sql")).unwrap();
    let path = dir.path().to_path_buf();
    (dir, path)
}

/// Rows as the first release wrote them (literal SQL that both dialects
/// read: timestamps and JSON as text literals, identity ids left out).
fn first_release_rows() -> String {
    let address = json!({
        "name": "Asha Rao", "phone": "+919800000001", "line1": "12 MG Road",
        "line2": "Flat 4", "city": "Bengaluru", "state": "KA",
        "postal_code": "560001", "country": "IN"
    });
    let items_1001 = json!([{"retailer_id": "tea-1", "name": "Assam tea", "quantity": 2, "unit_price_minor": 25000}]);
    let items_1002 = json!([
        {"retailer_id": "tea-2", "name": "Darjeeling", "quantity": 1, "unit_price_minor": 40000},
        {"retailer_id": "mug", "name": "Mug", "quantity": 3, "unit_price_minor": 15000}
    ]);
    let token_hash = orderdesk_web::auth::token_hash(OLD_TOKEN);
    format!(
        r#"
INSERT INTO orders (number, status, held_from, payment_status, payment_method, checkout_step,
    customer_wa_id, customer_user_id, customer_name, items, currency, total_minor, address,
    note, cart_text, tracking, created_at, updated_at, version) VALUES
 (1001, 'placed', NULL, 'pending', NULL, 'awaiting_address', '919800000001', NULL, 'Asha',
  '{items_1001}', 'INR', 50000, NULL, NULL, 'no sugar', NULL,
  '2026-03-01T10:00:00.123456Z', '2026-03-01T10:00:00.123456Z', 1),
 (1002, 'shipped', NULL, 'paid', 'cod', 'complete', '919800000002', 'IN.2', 'Ravi',
  '{items_1002}', 'INR', 85000, '{address}', 'leave at the door', NULL, 'TRK-778899',
  '2026-03-02T09:30:00.000001Z', '2026-03-03T18:45:10.500000Z', 7);
UPDATE counters SET value = 1003 WHERE name = 'order_number';
UPDATE status_counts SET count = 1 WHERE status IN ('placed', 'shipped');
INSERT INTO timeline_entries (order_number, at, kind, actor, actor_name, from_status, to_status,
    reason, detail) VALUES
 (1001, '2026-03-01T10:00:00.123456Z', 'created', 'customer', 'Asha', NULL, 'placed', NULL, NULL),
 (1002, '2026-03-02T09:30:00.000001Z', 'created', 'customer', 'Ravi', NULL, 'placed', NULL, NULL),
 (1002, '2026-03-03T18:45:10.500000Z', 'status_changed', 'staff', 'owner@shop.test',
  'processed', 'shipped', NULL, 'tracking TRK-778899');
INSERT INTO events (kind, order_number, data, at) VALUES
 ('order.created', 1001, '{{"number":1001}}', '2026-03-01T10:00:00.123456Z'),
 ('order.created', 1002, '{{"number":1002}}', '2026-03-02T09:30:00.000001Z'),
 ('order.status_changed', 1002, '{{"number":1002}}', '2026-03-03T18:45:10.500000Z');
INSERT INTO inbound (source, external_id, kind, customer_key, payload, received_at,
    processed_at, outcome, error, order_number) VALUES
 ('whatsapp', 'wamid.first-release-1', 'message', '919800000001', '{{}}',
  '2026-03-01T10:00:00.000000Z', '2026-03-01T10:00:00.123456Z', 'created', NULL, 1001);
INSERT INTO users (email, role, password_hash, created_at) VALUES
 ('owner@shop.test', 'owner', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
  '2026-03-01T09:00:00.000000Z');
INSERT INTO api_tokens (name, secret_hash, created_at) VALUES
 ('first-release', '{token_hash}', '2026-03-01T09:00:00.000000Z');
INSERT INTO products (retailer_id, title, description, availability, condition, price_minor,
    currency, link, image_link, brand) VALUES
 ('tea-1', 'Assam tea', 'Strong', 'in stock', 'new', 25000, 'INR', 'https://shop.test/tea-1',
  'https://shop.test/tea-1.jpg', 'Shop');
"#
    )
}

/// Makes a first-release database at `url`, holding [`first_release_rows`].
async fn make_first_release_db(backend: Backend, url: &str) {
    let (_dir, migrations) = first_release_migrations(backend);
    let migrator = sqlx::migrate::Migrator::new(migrations).await.unwrap();
    assert_eq!(migrator.iter().count(), 1);
    let rows = first_release_rows();
    match backend {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(&format!("{url}?mode=rwc"))
                .await
                .unwrap();
            migrator.run(&pool).await.unwrap();
            sqlx::raw_sql(&rows).execute(&pool).await.unwrap();
            pool.close().await;
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(url).await.unwrap();
            migrator.run(&pool).await.unwrap();
            sqlx::raw_sql(&rows).execute(&pool).await.unwrap();
            pool.close().await;
        }
    }
}

async fn get(server: &Server, path: &str) -> (u16, Value) {
    let r = reqwest::Client::new()
        .get(format!("{}{path}", server.base))
        .bearer_auth(OLD_TOKEN)
        .send()
        .await
        .unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn a_first_release_database_upgrades_with_nothing_lost(backend: Backend) {
    let (db, _dir) = fresh_db(backend);
    make_first_release_db(backend, &db).await;

    let out = orderdesk(&db, &["migrate"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("database is up to date"));
    // Running it again is harmless: the upgrade is done once.
    let again = orderdesk(&db, &["migrate"], None);
    assert!(again.status.success(), "{}", text(&again.stderr));

    // Every order, field by field, through the export operators use.
    let out = orderdesk(&db, &["orders", "export", "--format", "jsonl"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let orders: Vec<Value> = text(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(orders.len(), 2, "{orders:?}");
    let by_number = |n: i64| {
        orders
            .iter()
            .find(|o| o["number"] == n)
            .unwrap_or_else(|| panic!("order {n} lost: {orders:?}"))
    };
    let first = by_number(1001);
    assert_eq!(first["status"], "placed");
    assert_eq!(first["checkout_step"], "awaiting_address");
    assert_eq!(first["cart_text"], "no sugar");
    assert_eq!(first["total_minor"], 50000);
    assert_eq!(first["items"][0]["quantity"], 2);
    let second = by_number(1002);
    assert_eq!(second["status"], "shipped");
    assert_eq!(second["payment_status"], "paid");
    assert_eq!(second["payment_method"], "cod");
    assert_eq!(second["tracking"], "TRK-778899");
    assert_eq!(second["note"], "leave at the door");
    assert_eq!(second["address"]["postal_code"], "560001");
    assert_eq!(second["items"].as_array().unwrap().len(), 2);
    assert_eq!(second["customer"]["user_id"], "IN.2");
    assert_eq!(second["version"], 7);

    // The upgraded database serves: the old API token, timelines, counts,
    // and a new cart takes the next number after the old ones.
    let server = Server::start_with(&db, &[]).await;
    let (status, order) = get(&server, "/api/v1/orders/1002").await;
    assert_eq!(status, 200, "{order}");
    let timeline = order["timeline"].as_array().unwrap();
    assert_eq!(timeline.len(), 2, "{order}");
    assert_eq!(timeline[1]["actor_name"], "owner@shop.test");
    assert_eq!(timeline[1]["to_status"], "shipped");
    let (_, page) = get(&server, "/api/v1/orders").await;
    assert_eq!(page["counts"]["placed"], 1, "{page}");
    assert_eq!(page["counts"]["shipped"], 1, "{page}");

    let body = order_webhook(
        "wamid.after-upgrade",
        "919800000003",
        "Meera",
        &[("tea-1", 1, "250", "INR")],
    );
    let r = post_signed_webhook(&reqwest::Client::new(), &server.base, body)
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut created = Value::Null;
    for _ in 0..100 {
        let (status, order) = get(&server, "/api/v1/orders/1003").await;
        if status == 200 {
            created = order;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(
        created["customer"]["name"], "Meera",
        "order 1003 after the upgrade"
    );
    let (_, page) = get(&server, "/api/v1/orders").await;
    assert_eq!(page["orders"].as_array().unwrap().len(), 3, "{page}");
}

crate::both_backends!(a_first_release_database_upgrades_with_nothing_lost);

#[test]
fn version_flag_prints_the_release() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(text(&out.stdout).trim(), format!("orderdesk {VERSION}"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_and_metrics_name_the_running_version() {
    let (db, _dir) = fresh_db(Backend::Sqlite);
    let server = Server::start_with(&db, &[]).await;
    let client = reqwest::Client::new();
    let health: Value = client
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health, json!({"status": "ok", "version": VERSION}));
    let metrics = client
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains(&format!("orderdesk_build_info{{version=\"{VERSION}\"}} 1")),
        "{metrics}"
    );
}
