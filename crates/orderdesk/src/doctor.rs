//! `orderdesk doctor` and `GET /api/v1/doctor`: is this installation set up
//! right? One [`Check`] per question, each with what was found or what to
//! do. The network checks ask the services themselves (the public URL from
//! outside the process, the Graph API, the payment provider) with read-only
//! calls, so a wrong token shows here rather than when a customer's message
//! fails to go out.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use orderdesk_web::api::doctor::{DoctorCheck, DoctorHook, DoctorReport};
use serde_json::Value;

use crate::config::{Config, DatabaseUrl, PaymentsProvider};

/// How long one network check may take.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Free space below this on the data's file system is a ✗.
const MIN_FREE_BYTES: u64 = 512 * 1024 * 1024;

/// One answered question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// Stable id (`database`, `public_url_https`, …).
    pub id: &'static str,
    /// What was asked, for people.
    pub name: &'static str,
    pub ok: bool,
    /// What was found (✓) or what to do (✗).
    pub detail: String,
}

impl Check {
    fn pass(id: &'static str, name: &'static str, detail: impl Into<String>) -> Self {
        Self {
            id,
            name,
            ok: true,
            detail: detail.into(),
        }
    }

    fn fail(id: &'static str, name: &'static str, detail: impl Into<String>) -> Self {
        Self {
            id,
            name,
            ok: false,
            detail: detail.into(),
        }
    }

    fn into_api(self) -> DoctorCheck {
        DoctorCheck {
            id: self.id.to_owned(),
            name: self.name.to_owned(),
            ok: self.ok,
            detail: self.detail,
        }
    }

    /// `✓ name: detail` or `✗ name: detail`.
    pub fn line(&self) -> String {
        let mark = if self.ok { '✓' } else { '✗' };
        format!("{mark} {}: {}", self.name, self.detail)
    }
}

/// Every check, in the order an operator fixes them. The network checks
/// run side by side, so the whole takes at most about [`TIMEOUT`].
pub async fn run(config: &Config) -> Vec<Check> {
    let client = match reqwest::Client::builder()
        .timeout(TIMEOUT)
        .user_agent(concat!("orderdesk-doctor/", env!("CARGO_PKG_VERSION")))
        .build()
    {
        Ok(client) => client,
        Err(e) => {
            return vec![Check::fail(
                "http_client",
                "HTTP client",
                format!("cannot start one ({e})"),
            )]
        }
    };
    let store = crate::connect_store(config).await;
    // What the setup page stored counts as it will at the next start.
    let layered = match &store {
        Ok(store) => config.with_store(store.as_ref()).await.ok(),
        Err(_) => None,
    };
    let config = layered.as_ref().unwrap_or(config);
    let (database, public, number, subscribed, payments) = tokio::join!(
        async {
            match &store {
                Ok(store) => database(store.as_ref()).await,
                Err(e) => Check::fail(
                    "database",
                    "database",
                    format!("{e:#}; check ORDERDESK_DATABASE_URL"),
                ),
            }
        },
        public_url(&client, &config.public_url),
        phone_number(&client, config),
        subscription(&client, config),
        payments(&client, config),
    );
    let mut checks = vec![
        Check::pass(
            "configuration",
            "configuration",
            "parses; every setting is valid",
        ),
        database,
    ];
    checks.extend(public);
    if let Some(tls) = &config.tls {
        checks.push(certificate(tls));
    }
    checks.push(number);
    checks.push(subscribed);
    checks.push(secret(
        "app_secret",
        "WhatsApp app secret",
        config.whatsapp_app_secret.is_some(),
        "WHATSAPP_APP_SECRET",
        "webhooks are refused until it is set (Meta app dashboard → App settings → Basic → App secret)",
    ));
    checks.push(secret(
        "verify_token",
        "WhatsApp verify token",
        config.whatsapp_verify_token.is_some(),
        "WHATSAPP_VERIFY_TOKEN",
        "choose one and paste the same into Meta's webhook settings with the callback URL",
    ));
    checks.push(payments);
    if let Ok(store) = &store {
        checks.extend(activity(store.as_ref()).await);
    }
    checks.push(disk(&config.database_url));
    checks
}

/// The HTTPS certificate: obtained over ACME (or why not), or the files load.
fn certificate(tls: &crate::config::tls::TlsConfig) -> Check {
    use crate::config::tls::TlsSource;
    const ID: &str = "tls_certificate";
    const NAME: &str = "HTTPS certificate";
    let found = match &tls.source {
        TlsSource::Acme { domains, dir, .. } => crate::tls::acme::status(dir, domains),
        TlsSource::Files { cert, key } => crate::tls::load_files(cert, key)
            .map(|_| format!("{} loads", cert.display()))
            .map_err(|e| format!("{e}; fix ORDERDESK_TLS_CERT/ORDERDESK_TLS_KEY")),
    };
    match found {
        Ok(detail) => Check::pass(ID, NAME, detail),
        Err(todo) => Check::fail(ID, NAME, todo),
    }
}

/// [`run`] for `GET /api/v1/doctor`.
pub fn hook(config: Config) -> DoctorHook {
    let config = Arc::new(config);
    Arc::new(move || {
        let config = config.clone();
        Box::pin(async move {
            let checks = run(&config).await;
            DoctorReport::new(checks.into_iter().map(Check::into_api).collect())
        })
    })
}

async fn database(store: &dyn orderdesk_store::Store) -> Check {
    const ID: &str = "database";
    if let Err(e) = store.ping().await {
        return Check::fail(
            ID,
            "database",
            format!("unreachable ({e}); check ORDERDESK_DATABASE_URL"),
        );
    }
    match store.ops_status().await {
        Ok(s) if s.migrations_applied >= s.migrations_known => Check::pass(
            ID,
            "database",
            format!(
                "reachable; schema up to date (migration {})",
                s.migrations_applied
            ),
        ),
        Ok(s) => Check::fail(
            ID,
            "database",
            format!(
                "schema at migration {} of {}: run `orderdesk migrate`",
                s.migrations_applied, s.migrations_known
            ),
        ),
        Err(e) => Check::fail(ID, "database", format!("cannot read the schema ({e})")),
    }
}

async fn public_url(client: &reqwest::Client, url: &str) -> Vec<Check> {
    let https = url
        .get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"));
    let scheme = if https {
        Check::pass("public_url_https", "public URL is https", url.to_owned())
    } else {
        Check::fail(
            "public_url_https",
            "public URL is https",
            format!(
                "{url} is not https, and Meta calls only https webhooks: set \
                 ORDERDESK_TLS_DOMAINS (or put a TLS reverse proxy in front), then set \
                 ORDERDESK_PUBLIC_URL=https://…"
            ),
        )
    };
    let health = format!("{url}/healthz");
    let answers = match client.get(&health).send().await {
        Ok(r) if r.status().is_success() => {
            Check::pass("public_url_answers", "public URL answers", format!("{health} → 200"))
        }
        Ok(r) => Check::fail(
            "public_url_answers",
            "public URL answers",
            format!(
                "{health} → {}; is it this server (ORDERDESK_PUBLIC_URL)?",
                r.status().as_u16()
            ),
        ),
        Err(e) => Check::fail(
            "public_url_answers",
            "public URL answers",
            format!(
                "{health} does not answer ({}); is the server running and reachable from outside (DNS, firewall, port)?",
                error_chain(&e)
            ),
        ),
    };
    vec![scheme, answers]
}

/// A Graph API GET: the JSON body, or what to tell the operator.
async fn graph_get(client: &reqwest::Client, url: &str, token: &str) -> Result<Value, String> {
    let r = client
        .get(url)
        .bearer_auth(token)
        .send()
        .await
        .map_err(|e| format!("the Graph API does not answer ({})", error_chain(&e)))?;
    let status = r.status().as_u16();
    let body: Value = r.json().await.unwrap_or(Value::Null);
    if status == 200 {
        return Ok(body);
    }
    let message = body["error"]["message"].as_str().unwrap_or("no message");
    Err(match status {
        401 => format!(
            "the access token is refused ({message}): make a new system-user token with \
             whatsapp_business_messaging and set WHATSAPP_ACCESS_TOKEN"
        ),
        _ => format!("Graph API answered {status}: {message}"),
    })
}

async fn phone_number(client: &reqwest::Client, config: &Config) -> Check {
    const ID: &str = "whatsapp_number";
    const NAME: &str = "WhatsApp number and token";
    let (Some(number), Some(token)) = (
        &config.whatsapp_phone_number_id,
        &config.whatsapp_access_token,
    ) else {
        return Check::fail(
            ID,
            NAME,
            "set WHATSAPP_PHONE_NUMBER_ID and WHATSAPP_ACCESS_TOKEN (WhatsApp Manager → API setup); \
             until then messages wait in the outbox",
        );
    };
    let url = format!("{}/{number}", config.whatsapp_graph_url);
    match graph_get(client, &url, token).await {
        Ok(info) => {
            let text = |k: &str| info[k].as_str().unwrap_or("?").to_owned();
            let quality = text("quality_rating");
            let detail = format!(
                "{} ({}), quality rating {quality}",
                text("display_phone_number"),
                text("verified_name")
            );
            if quality.eq_ignore_ascii_case("RED") {
                Check::fail(
                    ID,
                    NAME,
                    format!("{detail}: Meta may limit the number; see WhatsApp Manager → Insights"),
                )
            } else {
                Check::pass(ID, NAME, detail)
            }
        }
        Err(why) => Check::fail(
            ID,
            NAME,
            format!("{why} (is WHATSAPP_PHONE_NUMBER_ID {number} right?)"),
        ),
    }
}

async fn subscription(client: &reqwest::Client, config: &Config) -> Check {
    const ID: &str = "webhook_subscription";
    const NAME: &str = "app subscribed to the account's webhooks";
    let Some(waba) = &config.whatsapp_business_account_id else {
        return Check::fail(
            ID,
            NAME,
            "set WHATSAPP_BUSINESS_ACCOUNT_ID (WhatsApp Manager → Account tools) to check it",
        );
    };
    let Some(token) = &config.whatsapp_access_token else {
        return Check::fail(ID, NAME, "set WHATSAPP_ACCESS_TOKEN to check it");
    };
    let url = format!("{}/{waba}/subscribed_apps", config.whatsapp_graph_url);
    match graph_get(client, &url, token).await {
        Ok(body) => {
            let names: Vec<String> = body["data"]
                .as_array()
                .map(|apps| {
                    apps.iter()
                        .map(|a| {
                            let app = &a["whatsapp_business_api_data"];
                            app["name"]
                                .as_str()
                                .or_else(|| app["id"].as_str())
                                .unwrap_or("an app")
                                .to_owned()
                        })
                        .collect()
                })
                .unwrap_or_default();
            if names.is_empty() {
                Check::fail(
                    ID,
                    NAME,
                    format!(
                        "no app is subscribed to account {waba}: POST /{waba}/subscribed_apps with \
                         your token, or subscribe in the app dashboard (WhatsApp → Configuration)"
                    ),
                )
            } else {
                Check::pass(ID, NAME, names.join(", "))
            }
        }
        Err(why) => Check::fail(
            ID,
            NAME,
            format!("{why} (is WHATSAPP_BUSINESS_ACCOUNT_ID {waba} right?)"),
        ),
    }
}

fn secret(id: &'static str, name: &'static str, set: bool, key: &str, todo: &str) -> Check {
    if set {
        Check::pass(id, name, format!("{key} is set"))
    } else {
        Check::fail(id, name, format!("set {key}: {todo}"))
    }
}

async fn payments(client: &reqwest::Client, config: &Config) -> Check {
    const ID: &str = "payments";
    const NAME: &str = "payment provider";
    let probe = |r: reqwest::RequestBuilder, what: &'static str| async move {
        match r.send().await {
            Ok(r) if r.status().is_success() => {
                Check::pass(ID, NAME, format!("{what} accepts the keys"))
            }
            Ok(r) if matches!(r.status().as_u16(), 401 | 403) => Check::fail(
                ID,
                NAME,
                format!(
                    "{what} refuses the keys ({}): copy them again from its dashboard",
                    r.status().as_u16()
                ),
            ),
            Ok(r) => Check::fail(ID, NAME, format!("{what} answered {}", r.status().as_u16())),
            Err(e) => Check::fail(
                ID,
                NAME,
                format!("{what} does not answer ({})", error_chain(&e)),
            ),
        }
    };
    match config.payments_provider {
        None => Check::pass(
            ID,
            NAME,
            "none (PAYMENTS_PROVIDER=none): staff mark orders paid",
        ),
        Some(PaymentsProvider::Razorpay) => {
            let (Some(id), Some(secret)) = (&config.razorpay_key_id, &config.razorpay_key_secret)
            else {
                return Check::fail(ID, NAME, "set RAZORPAY_KEY_ID and RAZORPAY_KEY_SECRET");
            };
            let url = format!("{}/v1/payment_links?count=1", config.razorpay_api_url);
            probe(client.get(url).basic_auth(id, Some(secret)), "Razorpay").await
        }
        Some(PaymentsProvider::Stripe) => {
            let Some(key) = &config.stripe_secret_key else {
                return Check::fail(ID, NAME, "set STRIPE_SECRET_KEY");
            };
            let url = format!("{}/v1/balance", config.stripe_api_url);
            probe(client.get(url).bearer_auth(key), "Stripe").await
        }
        Some(PaymentsProvider::Upi) => match &config.upi_vpa {
            Some(vpa) => Check::pass(ID, NAME, format!("UPI to {vpa}; no keys to check")),
            None => Check::fail(ID, NAME, "set UPI_VPA, the payee's UPI address"),
        },
        Some(PaymentsProvider::Cod) => Check::pass(ID, NAME, "cash on delivery; no keys"),
        Some(PaymentsProvider::Simulator) => {
            Check::pass(ID, NAME, "the demo's payment simulator; no keys")
        }
    }
}

async fn activity(store: &dyn orderdesk_store::Store) -> Vec<Check> {
    let status = match store.ops_status().await {
        Ok(s) => s,
        Err(_) => return Vec::new(),
    };
    let when = |t: Option<DateTime<Utc>>| t.map(|t| format!("{} ago ({})", age(t), t.to_rfc3339()));
    vec![
        match when(status.last_webhook_at) {
            Some(w) => Check::pass("last_webhook", "last webhook received", w),
            None => Check::fail(
                "last_webhook",
                "last webhook received",
                "none yet: in Meta's app dashboard set the callback URL to \
                 ORDERDESK_PUBLIC_URL/webhooks/whatsapp with your verify token, and subscribe to messages",
            ),
        },
        match when(status.last_sent_at) {
            Some(w) => Check::pass("last_sent", "last message sent", w),
            None => Check::fail(
                "last_sent",
                "last message sent",
                "none yet: messages go out once a customer writes and the number and token are right",
            ),
        },
    ]
}

fn age(t: DateTime<Utc>) -> String {
    let secs = (Utc::now() - t).num_seconds().max(0);
    match secs {
        0..=119 => format!("{secs} s"),
        120..=7199 => format!("{} min", secs / 60),
        7200..=172_799 => format!("{} h", secs / 3600),
        _ => format!("{} days", secs / 86_400),
    }
}

fn disk(database: &DatabaseUrl) -> Check {
    const ID: &str = "disk";
    const NAME: &str = "free disk space";
    let dir = match database {
        DatabaseUrl::Sqlite(url) => crate::backup::sqlite_path(url)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf))
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or_else(|| Path::new(".").to_path_buf()),
        // The database's disk is the PostgreSQL server's; this is where
        // backups and certificates go.
        DatabaseUrl::Postgres(_) => Path::new(".").to_path_buf(),
    };
    match free_bytes(&dir) {
        Ok(free) if free >= MIN_FREE_BYTES => Check::pass(
            ID,
            NAME,
            format!("{} MiB free in {}", free / (1024 * 1024), dir.display()),
        ),
        Ok(free) => Check::fail(
            ID,
            NAME,
            format!(
                "only {} MiB free in {}: free space before the database cannot grow",
                free / (1024 * 1024),
                dir.display()
            ),
        ),
        Err(e) => Check::fail(ID, NAME, format!("cannot read {} ({e})", dir.display())),
    }
}

/// An error with its causes ("error sending request: connection refused").
fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Free bytes for an unprivileged writer on the file system of `dir`.
#[cfg(unix)]
fn free_bytes(dir: &Path) -> std::io::Result<u64> {
    let stat = rustix::fs::statvfs(dir).map_err(std::io::Error::from)?;
    Ok(stat.f_bavail.saturating_mul(stat.f_frsize))
}

#[cfg(not(unix))]
fn free_bytes(_dir: &Path) -> std::io::Result<u64> {
    Err(std::io::Error::other("not measured on this platform"))
}
