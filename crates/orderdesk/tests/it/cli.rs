//! The `orderdesk` binary as an operator runs it.

use std::io::Write;
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::helpers::{fresh_db, order_webhook, Backend, APP_SECRET};

mod crashes;

pub(crate) fn orderdesk(db_url: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .args(args)
        .env("ORDERDESK_DATABASE_URL", db_url)
        .env_remove("ORDERDESK_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

/// POSTs a WhatsApp webhook body, signed with the app secret, to the
/// server at `base`.
pub(crate) async fn post_signed_webhook(
    client: &reqwest::Client,
    base: &str,
    body: String,
) -> reqwest::Result<reqwest::Response> {
    client
        .post(format!("{base}/webhooks/whatsapp"))
        .header("content-type", "application/json")
        .header(
            "x-hub-signature-256",
            orderdesk_whatsapp::sign(APP_SECRET.as_bytes(), body.as_bytes()),
        )
        .body(body)
        .send()
        .await
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A running `orderdesk serve` child on a free port.
pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
}

impl Server {
    async fn start(db_url: &str) -> Self {
        Self::start_with(db_url, &[]).await
    }

    pub(crate) async fn start_with(db_url: &str, env: &[(&str, &str)]) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_orderdesk"))
            .arg("serve")
            .env("ORDERDESK_DATABASE_URL", db_url)
            .env("ORDERDESK_LISTEN", format!("127.0.0.1:{port}"))
            .env("WHATSAPP_APP_SECRET", APP_SECRET)
            .env("ORDERDESK_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        // Owned by `Server` at once, so its Drop reaps the child on any path.
        let server = Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
        };
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if let Ok(r) = client.get(format!("{}/healthz", server.base)).send().await {
                if r.status() == 200 {
                    return server;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("orderdesk serve did not become healthy");
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    fn wait(mut self) -> std::process::ExitStatus {
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("orderdesk did not exit within 10 s");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn user_add_generates_a_password_once_and_refuses_duplicates() {
    let (db, _dir) = fresh_db(Backend::Sqlite);
    let out = orderdesk(
        &db,
        &[
            "user",
            "add",
            "--email",
            "Owner@Shop.test",
            "--role",
            "owner",
        ],
        None,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.contains("created owner owner@shop.test"), "{stdout}");
    let password = stdout.lines().last().unwrap().rsplit(' ').next().unwrap();
    assert!(password.len() >= 20, "{stdout}");

    let again = orderdesk(
        &db,
        &[
            "user",
            "add",
            "--email",
            "owner@shop.test",
            "--role",
            "agent",
        ],
        None,
    );
    assert!(!again.status.success());
    let err = text(&again.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("already exists"), "{err}");

    let piped = orderdesk(
        &db,
        &[
            "user",
            "add",
            "--email",
            "agent@shop.test",
            "--role",
            "agent",
            "--password-stdin",
        ],
        Some("correct horse battery\n"),
    );
    assert!(piped.status.success(), "{}", text(&piped.stderr));
    assert!(
        !text(&piped.stdout).contains("password"),
        "no password echoed"
    );

    let bad_role = orderdesk(
        &db,
        &["user", "add", "--email", "x@shop.test", "--role", "boss"],
        None,
    );
    assert!(!bad_role.status.success());
    assert!(text(&bad_role.stderr).contains("--role"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_created_token_works_against_a_running_server_and_sigterm_stops_it_gracefully() {
    let (db, _dir) = fresh_db(Backend::Sqlite);
    let out = orderdesk(&db, &["token", "create", "--name", "shop-sync"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    let token = stdout.lines().last().unwrap().trim().to_owned();
    assert!(token.starts_with("odk_") && token.len() > 40, "{stdout}");
    let dup = orderdesk(&db, &["token", "create", "--name", "shop-sync"], None);
    assert!(!dup.status.success());

    let server = Server::start(&db).await;
    let client = reqwest::Client::new();
    let r = client
        .get(format!("{}/api/v1/orders", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    server.signal("-TERM");
    assert!(server.wait().success(), "SIGTERM is a clean exit");
}

#[test]
fn a_bad_setting_stops_start_up_with_one_line_naming_it() {
    let out = Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .arg("serve")
        .env("ORDERDESK_LISTEN", "not-an-address")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(err.contains("ORDERDESK_LISTEN"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn catalog_import_reports_bad_lines_and_imports_nothing_then_names_cart_items() {
    let (db, dir) = fresh_db(Backend::Sqlite);
    let bad = dir.path().join("bad.csv");
    std::fs::write(
        &bad,
        "id,title,description,availability,condition,price,link,image_link,brand\n\
         tea-1,Assam Tea,Strong,in stock,new,499.50 INR,https://x/1,https://x/1.jpg,Chai\n\
         tea-2,,Missing title,in stock,new,100 INR,,,\n\
         tea-3,Green Tea,,in stock,new,abc,,,\n\
         tea-1,Duplicate,,in stock,new,1 INR,,,\n",
    )
    .unwrap();
    let out = orderdesk(&db, &["catalog", "import", bad.to_str().unwrap()], None);
    assert!(!out.status.success());
    let err = text(&out.stderr);
    assert!(
        err.contains("line 3") && err.contains("line 4") && err.contains("line 5"),
        "{err}"
    );
    assert!(!err.contains("line 2"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    let good = dir.path().join("good.csv");
    std::fs::write(
        &good,
        "id,title,description,availability,condition,price,link,image_link,brand\n\
         tea-1,Assam Tea,Strong,in stock,new,499.50 INR,https://x/1,https://x/1.jpg,Chai\n\
         \"tea-2\",\"Kahwa, Kashmiri\",,in stock,new,1500 INR,,,\n",
    )
    .unwrap();
    let out = orderdesk(&db, &["catalog", "import", good.to_str().unwrap()], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("imported 2 products"));

    // The failed import left nothing behind, and the good one names cart lines.
    let server = Server::start(&db).await;
    let client = reqwest::Client::new();
    let body = order_webhook(
        "wamid.cat",
        "15554000001",
        "Cat",
        &[("tea-2", 1, "1500", "INR")],
    );
    let r = post_signed_webhook(&client, &server.base, body)
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let jsonl = wait_for_export(&db, 1);
    drop(server);
    let order: Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(order["items"][0]["name"], "Kahwa, Kashmiri");
    assert_eq!(order["total_minor"], 150000);
}

fn wait_for_export(db: &str, n: usize) -> String {
    for _ in 0..100 {
        let out = orderdesk(db, &["orders", "export", "--format", "jsonl"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let s = text(&out.stdout);
        if s.lines().count() >= n {
            return s;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("export never reached {n} orders");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orders_export_streams_csv_and_jsonl_of_every_order() {
    let (db, _dir) = fresh_db(Backend::Sqlite);
    let server = Server::start(&db).await;
    let client = reqwest::Client::new();
    for i in 0..450 {
        let name = if i == 0 {
            "=HYPERLINK(\"x\")"
        } else {
            "Shopper"
        };
        let body = order_webhook(
            &format!("wamid.x{i}"),
            &format!("1555500{i:04}"),
            name,
            &[("a", 1, "2.50", "EUR")],
        );
        let r = post_signed_webhook(&client, &server.base, body)
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let jsonl = wait_for_export(&db, 450);
    drop(server);
    let numbers: Vec<i64> = jsonl
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["number"]
                .as_i64()
                .unwrap()
        })
        .collect();
    assert_eq!(
        numbers,
        (1001..=1450).rev().collect::<Vec<_>>(),
        "every order once, newest first"
    );

    let out = orderdesk(&db, &["orders", "export", "--format", "csv"], None);
    assert!(out.status.success());
    let csv = text(&out.stdout);
    let mut lines = csv.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("number,status,payment_status"));
    assert_eq!(csv.lines().count(), 451);
    let last = csv.lines().last().unwrap();
    assert!(last.starts_with("1001,placed,pending"), "{last}");
    assert!(
        last.contains("'=HYPERLINK"),
        "formula-looking names are defused: {last}"
    );
    assert!(last.contains(",2.50,250,"), "{last}");

    let bad = orderdesk(&db, &["orders", "export", "--format", "xml"], None);
    assert!(!bad.status.success());
}

#[tokio::test]
async fn demo_fresh_prints_both_urls_and_the_login_and_serves_the_phone() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let base = format!("http://127.0.0.1:{port}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .args(["demo", "--fresh", "--listen", &format!("127.0.0.1:{port}")])
        .current_dir(dir.path())
        .env("ORDERDESK_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    // Reaped on every path, also when an assertion fails.
    struct Reap(Child);
    impl Drop for Reap {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
    let stdout = child.stdout.take().unwrap();
    let _reap = Reap(child);
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let mut printed = Vec::new();
    while !printed.iter().any(|l: &String| l.starts_with("Ready in")) {
        printed.push(
            rx.recv_timeout(Duration::from_secs(20))
                .expect("demo starts"),
        );
    }
    let out = printed.join("\n");
    assert!(out.contains(&format!("{base}/orders")), "{out}");
    assert!(out.contains(&format!("{base}/phone")), "{out}");
    assert!(
        out.contains("owner@demo.orderdesk / orderdesk-demo"),
        "{out}"
    );
    assert!(dir.path().join("orderdesk-demo.db").exists());

    let client = reqwest::Client::new();
    let phone = client.get(format!("{base}/phone")).send().await.unwrap();
    assert_eq!(phone.status(), 200);
    assert!(phone.text().await.unwrap().contains("data-test=\"thread\""));
    // The sample customers' carts went through the simulator; the bot
    // answered them through the simulator's Graph API.
    let token = out
        .lines()
        .find_map(|l| l.trim().strip_prefix("API token:"))
        .unwrap()
        .trim()
        .to_owned();
    let mut answered = false;
    for _ in 0..200 {
        let customers: Value = client
            .get(format!("{base}/simulator/api/customers"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let asha = customers["customers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == "Asha Rao")
            .map(|c| c["wa_id"].as_str().unwrap().to_owned());
        if let Some(wa) = asha {
            let thread: Value = client
                .get(format!("{base}/simulator/api/customers/{wa}/thread"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if thread["messages"]
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["from"] == "business" && m["link"].is_object())
            {
                answered = true;
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(answered, "the bot's address link reached the phone");
    let mut orders = Value::Null;
    for _ in 0..200 {
        orders = client
            .get(format!("{base}/api/v1/orders"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if orders["orders"].as_array().unwrap().len() == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(orders["orders"].as_array().unwrap().len(), 3, "{orders}");
}
