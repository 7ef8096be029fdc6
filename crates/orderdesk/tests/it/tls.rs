//! HTTPS built in: a real `orderdesk serve` gets its certificate from
//! Debian's `pebble` (Let's Encrypt's ACME test server, on loopback with
//! validation switched off), or serves certificate files and reloads them.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair};

use crate::cli::Server;

const DOMAIN: &str = "shop.example.com";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A throwaway CA and a leaf it signed for `names`: (CA PEM, leaf PEM, key PEM).
fn issue(names: &[&str]) -> (String, String, String) {
    let mut ca = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "orderdesk test CA");
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().unwrap()).unwrap();
    let key = KeyPair::generate().unwrap();
    let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    let leaf = CertificateParams::new(names)
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    (ca.pem(), leaf.pem(), key.serialize_pem())
}

/// A client that trusts only `root` and reaches [`DOMAIN`] on loopback.
fn https_client(root: &str, port: u16) -> reqwest::Client {
    reqwest::Client::builder()
        .tls_built_in_root_certs(false)
        .add_root_certificate(reqwest::Certificate::from_pem(root.as_bytes()).unwrap())
        .resolve(DOMAIN, ([127, 0, 0, 1], port).into())
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// pebble on loopback with its own HTTPS certificate; killed on drop.
struct Pebble {
    child: Child,
    directory: String,
    /// The CA of pebble's own HTTPS listener (for ORDERDESK_ACME_ROOT).
    listener_ca: PathBuf,
    listener_ca_pem: String,
    management: String,
    _dir: tempfile::TempDir,
}

impl Pebble {
    /// `validate`: `None`, everything is valid; `Some((dns, http))`,
    /// pebble really validates, resolving through the DNS server at `dns`
    /// (the system's when `None`) and fetching `http-01` answers from port
    /// `http`.
    async fn start_with(validate: Option<(Option<u16>, u16)>) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (ca, cert, key) = issue(&["127.0.0.1"]);
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).unwrap();
            path
        };
        let listener_ca = write("ca.pem", &ca);
        let (acme, management) = (free_port(), free_port());
        let config = serde_json::json!({"pebble": {
            "listenAddress": format!("127.0.0.1:{acme}"),
            "managementListenAddress": format!("127.0.0.1:{management}"),
            "certificate": write("cert.pem", &cert),
            "privateKey": write("key.pem", &key),
            "httpPort": validate.map_or_else(free_port, |(_, http)| http),
            "tlsPort": free_port(),
            "ocspResponderURL": "",
            "externalAccountBindingRequired": false,
        }});
        let config_path = write("pebble.json", &config.to_string());
        let mut command = Command::new("pebble");
        command
            .arg("-config")
            .arg(&config_path)
            .env("PEBBLE_VA_NOSLEEP", "1")
            // pebble refuses a share of nonces on purpose by default.
            .env("PEBBLE_WFE_NONCEREJECT", "0")
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        match validate {
            None => {
                command.env("PEBBLE_VA_ALWAYS_VALID", "1");
            }
            Some((Some(dns), _)) => {
                command.arg("-dnsserver").arg(format!("127.0.0.1:{dns}"));
            }
            Some((None, _)) => {}
        }
        let pebble = Self {
            child: command
                .spawn()
                .expect("pebble is not installed (apt-get install pebble; .ci/run does it)"),
            directory: format!("https://127.0.0.1:{acme}/dir"),
            listener_ca,
            listener_ca_pem: ca,
            management: format!("https://127.0.0.1:{management}"),
            _dir: dir,
        };
        let client = pebble.client();
        for _ in 0..200 {
            if client.get(&pebble.directory).send().await.is_ok() {
                return pebble;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("pebble did not start");
    }

    async fn start(always_valid: bool) -> Self {
        if always_valid {
            Self::start_with(None).await
        } else {
            // Validation on, through the system's DNS: shop.example.com
            // does not resolve here, so it fails.
            Self::start_with(Some((None, free_port()))).await
        }
    }

    fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .tls_built_in_root_certs(false)
            .add_root_certificate(
                reqwest::Certificate::from_pem(self.listener_ca_pem.as_bytes()).unwrap(),
            )
            .build()
            .unwrap()
    }

    /// The root pebble issues certificates under (made fresh each start).
    async fn issuing_root(&self) -> String {
        let url = format!("{}/roots/0", self.management);
        let response = self.client().get(url).send().await.unwrap();
        assert_eq!(response.status(), 200);
        response.text().await.unwrap()
    }

    fn acme_env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("ORDERDESK_TLS_DOMAINS", DOMAIN.to_owned()),
            ("ORDERDESK_ACME_EMAIL", "owner@example.com".to_owned()),
            ("ORDERDESK_ACME_DIRECTORY", self.directory.clone()),
            (
                "ORDERDESK_ACME_ROOT",
                self.listener_ca.display().to_string(),
            ),
        ]
    }
}

impl Drop for Pebble {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `orderdesk serve` with HTTPS on `tls_port`; up once plain HTTP answers
/// (with a page or, once a certificate is in, a redirect).
async fn serve(db: &Path, tls_port: u16, env: &[(&str, String)]) -> Server {
    serve_on(free_port(), db, tls_port, env).await
}

async fn serve_on(port: u16, db: &Path, tls_port: u16, env: &[(&str, String)]) -> Server {
    let child = Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .arg("serve")
        .env(
            "ORDERDESK_DATABASE_URL",
            format!("sqlite://{}", db.display()),
        )
        .env("ORDERDESK_LISTEN", format!("127.0.0.1:{port}"))
        .env("ORDERDESK_LISTEN_TLS", format!("127.0.0.1:{tls_port}"))
        .env("ORDERDESK_LOG", "warn")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let server = Server {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for _ in 0..200 {
        if client
            .get(format!("{}/healthz", server.base))
            .send()
            .await
            .is_ok()
        {
            return server;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("orderdesk serve did not start");
}

/// Polls `url` with `client` until it answers, for up to `secs`.
async fn first_answer(client: &reqwest::Client, url: &str, secs: u64) -> reqwest::Response {
    let mut last = None;
    for _ in 0..secs * 10 {
        match client.get(url).send().await {
            Ok(response) => return response,
            Err(e) => last = Some(e),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{url} never answered over HTTPS: {last:?}");
}

#[tokio::test]
async fn acme_certificate_is_served_over_https_with_hsts_and_http_redirects() {
    let pebble = Pebble::start(true).await;
    let data = tempfile::tempdir().unwrap();
    let tls_port = free_port();
    let server = serve(&data.path().join("shop.db"), tls_port, &pebble.acme_env()).await;

    let client = https_client(&pebble.issuing_root().await, tls_port);
    let url = format!("https://{DOMAIN}:{tls_port}/healthz");
    let response = first_answer(&client, &url, 60).await;
    assert_eq!(response.status(), 200);
    let hsts = response.headers()["strict-transport-security"]
        .to_str()
        .unwrap();
    assert!(hsts.starts_with("max-age="), "{hsts}");
    // Kept with the data, for the next start.
    assert!(data.path().join("tls/cert.pem").exists());

    // Plain HTTP now redirects everything to HTTPS, path and query kept.
    let plain = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let response = plain
        .get(format!("{}/orders?stage=new", server.base))
        .header("host", format!("{DOMAIN}:80"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 308);
    assert_eq!(
        response.headers()["location"],
        format!("https://{DOMAIN}:{tls_port}/orders?stage=new").as_str()
    );
    assert!(response
        .headers()
        .get("strict-transport-security")
        .is_none());
    // ACME's challenge path is not redirected (an unknown token is a 404).
    let response = plain
        .get(format!(
            "{}/.well-known/acme-challenge/unknown",
            server.base
        ))
        .header("host", DOMAIN)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    drop(server);
}

#[tokio::test]
async fn certificate_files_are_served_and_reloaded_when_they_change() {
    let files = tempfile::tempdir().unwrap();
    let (cert, key) = (files.path().join("cert.pem"), files.path().join("key.pem"));
    let (first_ca, leaf, leaf_key) = issue(&[DOMAIN]);
    std::fs::write(&cert, leaf).unwrap();
    std::fs::write(&key, leaf_key).unwrap();
    let tls_port = free_port();
    let env = [
        ("ORDERDESK_TLS_CERT", cert.display().to_string()),
        ("ORDERDESK_TLS_KEY", key.display().to_string()),
    ];
    let server = serve(&files.path().join("shop.db"), tls_port, &env).await;
    let url = format!("https://{DOMAIN}:{tls_port}/healthz");
    let response = first_answer(&https_client(&first_ca, tls_port), &url, 10).await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().contains_key("strict-transport-security"));

    // A renewed pair from another CA replaces it without a restart.
    let (second_ca, leaf, leaf_key) = issue(&[DOMAIN]);
    std::fs::write(&key, leaf_key).unwrap();
    std::fs::write(&cert, leaf).unwrap();
    let response = first_answer(&https_client(&second_ca, tls_port), &url, 30).await;
    assert_eq!(response.status(), 200);
    assert!(
        https_client(&first_ca, tls_port)
            .get(&url)
            .send()
            .await
            .is_err(),
        "the old certificate is still served"
    );
    drop(server);
}

#[tokio::test]
async fn a_domain_that_cannot_be_validated_keeps_http_and_doctor_says_why() {
    // Validation on: pebble cannot reach shop.example.com, so it fails.
    let pebble = Pebble::start(false).await;
    let data = tempfile::tempdir().unwrap();
    let db = data.path().join("shop.db");
    let tls_port = free_port();
    let env = pebble.acme_env();
    let server = serve(&db, tls_port, &env).await;
    let error = data.path().join("tls/acme-error.txt");
    for _ in 0..600 {
        if error.exists() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(error.exists(), "no failed attempt was recorded");

    // Still served over plain HTTP, not redirected.
    let response = reqwest::get(format!("{}/healthz", server.base))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);

    let out = Command::new(env!("CARGO_BIN_EXE_orderdesk"))
        .arg("doctor")
        .env(
            "ORDERDESK_DATABASE_URL",
            format!("sqlite://{}", db.display()),
        )
        .env("ORDERDESK_PUBLIC_URL", &server.base)
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!out.status.success());
    let line = stdout
        .lines()
        .find(|l| l.contains("HTTPS certificate"))
        .unwrap_or_else(|| panic!("no certificate check in:\n{stdout}"));
    assert!(
        line.starts_with("✗") && line.contains(&format!("cannot get a certificate for {DOMAIN}")),
        "{line}"
    );
    drop(server);
}

#[tokio::test]
async fn a_stalled_tls_handshake_is_closed_after_the_header_timeout() {
    use tokio::io::AsyncReadExt;
    let files = tempfile::tempdir().unwrap();
    let (cert, key) = (files.path().join("cert.pem"), files.path().join("key.pem"));
    let (_, leaf, leaf_key) = issue(&[DOMAIN]);
    std::fs::write(&cert, leaf).unwrap();
    std::fs::write(&key, leaf_key).unwrap();
    let tls_port = free_port();
    let env = [
        ("ORDERDESK_TLS_CERT", cert.display().to_string()),
        ("ORDERDESK_TLS_KEY", key.display().to_string()),
        ("ORDERDESK_HEADER_READ_TIMEOUT", "1s".to_owned()),
        ("ORDERDESK_IDLE_TIMEOUT", "30s".to_owned()),
    ];
    let server = serve(&files.path().join("shop.db"), tls_port, &env).await;
    // Connects and never says hello: closed by the server, well before
    // the idle timeout.
    let mut silent = tokio::net::TcpStream::connect(("127.0.0.1", tls_port))
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let mut buf = [0u8; 16];
    let read = tokio::time::timeout(Duration::from_secs(10), silent.read(&mut buf))
        .await
        .expect("the stalled handshake was not closed");
    assert!(matches!(read, Ok(0) | Err(_)), "{read:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
    drop(server);
}

/// pebble's fake DNS, answering 127.0.0.1 for every name; killed on drop.
struct FakeDns(Child);

impl Drop for FakeDns {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn pebble_really_validates_the_http01_answer_served_on_plain_http() {
    let dns = free_port();
    let _fake_dns = FakeDns(
        Command::new("pebble-challtestsrv")
            .args(["-dns01", &format!("127.0.0.1:{dns}")])
            .args(["-management", &format!("127.0.0.1:{}", free_port())])
            .args(["-defaultIPv4", "127.0.0.1", "-defaultIPv6", ""])
            .args(["-http01", "", "-https01", "", "-tlsalpn01", ""])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let plain_port = free_port();
    let pebble = Pebble::start_with(Some((Some(dns), plain_port))).await;
    let data = tempfile::tempdir().unwrap();
    let tls_port = free_port();
    let _server = serve_on(
        plain_port,
        &data.path().join("shop.db"),
        tls_port,
        &pebble.acme_env(),
    )
    .await;
    let client = https_client(&pebble.issuing_root().await, tls_port);
    let url = format!("https://{DOMAIN}:{tls_port}/healthz");
    let response = first_answer(&client, &url, 60).await;
    assert_eq!(response.status(), 200);
    assert!(!data.path().join("tls/acme-error.txt").exists());
}
