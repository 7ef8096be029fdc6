//! `orderdesk backup` / `restore` and scheduled backups, through the real
//! binary on a real SQLite file while `orderdesk serve` takes webhooks.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::StreamExt;

use crate::cli::{orderdesk, post_signed_webhook, text, Server};
use crate::helpers::{fresh_db, order_webhook, Backend};

fn one_line_failure(out: &std::process::Output) -> String {
    assert!(!out.status.success(), "{}", text(&out.stdout));
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    err
}

/// The customer numbers of every order in the database.
fn customers(db: &str) -> BTreeSet<String> {
    let out = orderdesk(db, &["orders", "export", "--format", "jsonl"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    text(&out.stdout)
        .lines()
        .map(|l| {
            let order: serde_json::Value = serde_json::from_str(l).unwrap();
            order["customer"]["wa_id"].as_str().unwrap().to_owned()
        })
        .collect()
}

async fn post_cart(client: &reqwest::Client, base: &str, i: usize) -> Option<String> {
    let wa_id = format!("9198{i:08}");
    let body = order_webhook(
        &format!("wamid.burst-{i}"),
        &wa_id,
        "Burst",
        &[("tea-1", 1, "250", "INR")],
    );
    let r = post_signed_webhook(client, base, body).await.ok()?;
    (r.status() == 200).then_some(wa_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_during_a_burst_restores_every_order_acknowledged_before_it() {
    let (db, dir) = fresh_db(Backend::Sqlite);
    let backup = dir.path().join("during-burst.db");
    let server = Server::start_with(&db, &[]).await;

    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let burst = {
        let acked = acked.clone();
        let base = server.base.clone();
        tokio::spawn(async move {
            let client = reqwest::Client::new();
            futures_util::stream::iter(0..400)
                .map(|i| post_cart(&client, &base, i))
                .buffer_unordered(8)
                .for_each(|wa_id| {
                    if let Some(wa_id) = wa_id {
                        acked.lock().unwrap().push(wa_id);
                    }
                    async {}
                })
                .await;
        })
    };
    while acked.lock().unwrap().len() < 60 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let before: BTreeSet<String> = acked.lock().unwrap().iter().cloned().collect();
    let (db2, path) = (db.clone(), backup.display().to_string());
    let out = tokio::task::spawn_blocking(move || orderdesk(&db2, &["backup", &path], None))
        .await
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let during = acked.lock().unwrap().len();
    burst.await.unwrap();
    let total = acked.lock().unwrap().len();
    assert!(
        total > during && during >= before.len(),
        "the burst went on across the backup: {} before, {during} when it ended, {total} in all",
        before.len()
    );

    // While the server runs, a restore refuses and replaces nothing.
    let (db2, path) = (db.clone(), backup.display().to_string());
    let out = tokio::task::spawn_blocking(move || orderdesk(&db2, &["restore", &path], None))
        .await
        .unwrap();
    let err = one_line_failure(&out);
    assert!(err.contains("a server is using"), "{err}");

    drop(server);

    let out = orderdesk(&db, &["restore", &backup.display().to_string()], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stdout).contains("kept as"),
        "{}",
        text(&out.stdout)
    );

    // The restored database's stored-but-unapplied carts become orders once
    // a server runs on it.
    let server = Server::start_with(&db, &[]).await;
    let mut restored = BTreeSet::new();
    for _ in 0..100 {
        restored = customers(&db);
        if before.is_subset(&restored) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let missing: Vec<_> = before.difference(&restored).collect();
    assert!(
        missing.is_empty(),
        "acknowledged before the backup, lost: {missing:?}"
    );
    assert!(restored.len() <= total);
    eprintln!(
        "backup under load: {} carts acknowledged before the backup started, {during} when it \
         ended, {total} in all; {} orders after the restore",
        before.len(),
        restored.len()
    );
    drop(server);
}

#[test]
fn a_backup_to_an_unwritable_path_is_one_line_and_leaves_the_database_alone() {
    let (db, dir) = fresh_db(Backend::Sqlite);
    let out = orderdesk(&db, &["migrate"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let file = dir.path().join("orderdesk.db");
    let before = std::fs::read(&file).unwrap();

    // A regular file where a directory should be: unwritable even for root.
    let blocker = dir.path().join("not-a-dir");
    std::fs::write(&blocker, b"x").unwrap();
    let target = blocker.join("backup.db");
    let err = one_line_failure(&orderdesk(
        &db,
        &["backup", &target.display().to_string()],
        None,
    ));
    assert!(err.contains("cannot write the backup"), "{err}");
    assert_eq!(std::fs::read(&file).unwrap(), before, "database untouched");

    // An existing file is never overwritten.
    let err = one_line_failure(&orderdesk(
        &db,
        &["backup", &blocker.display().to_string()],
        None,
    ));
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::read(&blocker).unwrap(), b"x");

    // PostgreSQL: the command to run instead, and nothing written.
    let pg_target = dir.path().join("pg.dump");
    let err = one_line_failure(&orderdesk(
        "postgres://shop:secret@db.internal/orderdesk",
        &["backup", &pg_target.display().to_string()],
        None,
    ));
    assert!(err.contains("pg_dump --format=custom"), "{err}");
    assert!(!err.contains("secret"), "{err}");
    assert!(!pg_target.exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restore_refuses_a_file_that_is_not_an_orderdesk_database_before_replacing_anything() {
    let (db, dir) = fresh_db(Backend::Sqlite);
    let out = orderdesk(&db, &["migrate"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let file = dir.path().join("orderdesk.db");
    let before = std::fs::read(&file).unwrap();

    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "not a database at all, but long enough to read").unwrap();
    let other = dir.path().join("other.db");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}?mode=rwc", other.display()))
        .await
        .unwrap();
    sqlx::query("CREATE TABLE t (x INTEGER)")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;

    for (bad, why) in [
        (notes.as_path(), "not a SQLite database"),
        (other.as_path(), "no orderdesk schema"),
        (Path::new("/nonexistent/backup.db"), "cannot read it"),
    ] {
        let err = one_line_failure(&orderdesk(
            &db,
            &["restore", &bad.display().to_string()],
            None,
        ));
        assert!(
            err.contains(why) && err.contains("nothing was replaced"),
            "{err}"
        );
        assert_eq!(std::fs::read(&file).unwrap(), before, "database untouched");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_backups_keep_the_newest_and_show_the_last_in_metrics() {
    let (db, dir) = fresh_db(Backend::Sqlite);
    let backups = dir.path().join("nightly");
    let backups_str = backups.display().to_string();
    let server = Server::start_with(
        &db,
        &[
            ("ORDERDESK_BACKUP_EVERY", "1s"),
            ("ORDERDESK_BACKUP_KEEP", "2"),
            ("ORDERDESK_BACKUP_DIR", &backups_str),
        ],
    )
    .await;
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let metrics = reqwest::get(format!("{}/metrics", server.base))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let last: i64 = metrics
        .lines()
        .find_map(|l| l.strip_prefix("orderdesk_backup_last_success_timestamp_seconds "))
        .unwrap_or_else(|| panic!("no last backup in {metrics}"))
        .parse()
        .unwrap();
    assert!(
        (chrono::Utc::now().timestamp() - last).abs() < 10,
        "{metrics}"
    );
    drop(server);

    let mut kept: Vec<_> = std::fs::read_dir(&backups)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    kept.sort();
    assert_eq!(kept.len(), 2, "{kept:?}");
    // Each is a whole orderdesk database: restore accepts it.
    let (other_db, _other_dir) = fresh_db(Backend::Sqlite);
    let out = orderdesk(
        &other_db,
        &["restore", &kept[1].display().to_string()],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
}
