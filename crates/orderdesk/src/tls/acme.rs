//! Certificates from an ACME server (Let's Encrypt by default) with
//! `instant-acme`: an async, tokio-native client on hyper and rustls with
//! the `ring` provider, all already in our build, maintained with rustls
//! itself. It leaves serving the challenge to us, which suits a server that
//! already has a plain-HTTP listener: the `http-01` answer is served by
//! [`super::plain_http`] from [`Challenges`].
//!
//! The account key, certificate chain and private key are kept in
//! `ORDERDESK_TLS_DIR` (with the data), so a restart serves the stored
//! certificate at once. A certificate is renewed once it is
//! [`RENEW_AFTER`] old (Let's Encrypt's last 90 days; renewal leaves 30).
//! A failure keeps the old certificate (or plain HTTP when there is none),
//! is logged once per attempt, and is retried with a delay that doubles from
//! [`FIRST_RETRY`] up to [`LAST_RETRY`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use instant_acme::{
    Account, AccountCredentials, AuthorizationStatus, ChallengeType, Identifier, NewAccount,
    NewOrder, OrderStatus, RetryPolicy,
};

use super::CertSlot;

/// A certificate this old is renewed.
pub const RENEW_AFTER: Duration = Duration::from_secs(60 * 24 * 3600);
pub const FIRST_RETRY: Duration = Duration::from_secs(60);
pub const LAST_RETRY: Duration = Duration::from_secs(6 * 3600);

const ACCOUNT_FILE: &str = "acme-account.json";
const CERT_FILE: &str = "cert.pem";
const KEY_FILE: &str = "key.pem";
/// Why the last attempt failed; removed once one succeeds.
const ERROR_FILE: &str = "acme-error.txt";

/// What `orderdesk doctor` reports about the ACME certificate in `dir`.
///
/// # Errors
/// What to do, when there is no usable certificate.
pub fn status(dir: &Path, domains: &[String]) -> Result<String, String> {
    let domains = domains.join(", ");
    if let Ok(why) = std::fs::read_to_string(dir.join(ERROR_FILE)) {
        return Err(format!(
            "cannot get a certificate for {domains}: {}; point the domains' DNS at this \
             server and let port 80 reach it (serving plain HTTP until then)",
            why.trim()
        ));
    }
    match (stored_age(dir), load_stored(dir)) {
        (Some(age), Ok(_)) => Ok(format!(
            "certificate for {domains}, {} days old (renewed at {})",
            age.as_secs() / 86_400,
            RENEW_AFTER.as_secs() / 86_400
        )),
        (_, Err(e)) if dir.join(CERT_FILE).exists() => {
            Err(format!("the stored certificate does not load ({e})"))
        }
        _ => Err(format!(
            "no certificate for {domains} yet in {}: start `orderdesk serve` to get one",
            dir.display()
        )),
    }
}

/// `http-01` answers in flight: token → key authorization.
#[derive(Clone, Default, Debug)]
pub struct Challenges(Arc<RwLock<HashMap<String, String>>>);

impl Challenges {
    pub fn get(&self, token: &str) -> Option<String> {
        self.0.read().ok()?.get(token).cloned()
    }

    fn put(&self, token: String, answer: String) {
        if let Ok(mut map) = self.0.write() {
            map.insert(token, answer);
        }
    }

    fn clear(&self) {
        if let Ok(mut map) = self.0.write() {
            map.clear();
        }
    }
}

/// What the ACME side needs to know.
#[derive(Debug, Clone)]
pub struct AcmeSettings {
    pub domains: Vec<String>,
    pub email: Option<String>,
    pub directory: String,
    /// A PEM root to trust for the directory (a private or test ACME CA).
    pub directory_root: Option<PathBuf>,
    /// Where the account and certificate are kept.
    pub dir: PathBuf,
    /// The first retry's delay (tests shorten it).
    pub first_retry: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum AcmeError {
    #[error("ACME: {0}")]
    Acme(#[from] instant_acme::Error),
    #[error("the order for {domains} ended {status}")]
    Order { domains: String, status: String },
    #[error("{0}")]
    Files(String),
    #[error(transparent)]
    Tls(#[from] super::TlsError),
}

/// Serves the stored certificate if there is one, then keeps one valid
/// (for ever: the server aborts the task when it stops).
pub async fn run(settings: AcmeSettings, slot: Arc<CertSlot>, challenges: Challenges) {
    let mut retry = settings.first_retry;
    loop {
        let wait = match stored_age(&settings.dir) {
            Some(age) if age < RENEW_AFTER => {
                if !slot.is_set() {
                    match load_stored(&settings.dir) {
                        Ok(pair) => slot.set(pair),
                        Err(e) => tracing::warn!(error = %e, "stored certificate does not load"),
                    }
                }
                if slot.is_set() {
                    retry = settings.first_retry;
                    Some(RENEW_AFTER - age)
                } else {
                    None
                }
            }
            _ => None,
        };
        let wait = match wait {
            Some(wait) => wait,
            None => match obtain(&settings, &challenges).await {
                Ok(()) => {
                    let _ = std::fs::remove_file(settings.dir.join(ERROR_FILE));
                    tracing::info!(domains = %settings.domains.join(","), "TLS certificate obtained");
                    // Loaded at the top of the loop.
                    Duration::ZERO
                }
                Err(e) => {
                    tracing::warn!(
                        error = %e,
                        retry_in = ?retry,
                        "cannot get a TLS certificate; serving plain HTTP until then"
                    );
                    // For `orderdesk doctor`, which runs in another process.
                    let _ = write_private(&settings.dir.join(ERROR_FILE), e.to_string().as_bytes());
                    let wait = retry;
                    retry = (retry * 2).min(LAST_RETRY);
                    wait
                }
            },
        };
        tokio::time::sleep(wait).await;
    }
}

fn stored_age(dir: &Path) -> Option<Duration> {
    let modified = dir.join(CERT_FILE).metadata().ok()?.modified().ok()?;
    Some(
        SystemTime::now()
            .duration_since(modified)
            .unwrap_or(Duration::ZERO),
    )
}

fn load_stored(dir: &Path) -> Result<rustls::sign::CertifiedKey, super::TlsError> {
    super::load_files(&dir.join(CERT_FILE), &dir.join(KEY_FILE))
}

async fn account(settings: &AcmeSettings) -> Result<Account, AcmeError> {
    let builder = || match &settings.directory_root {
        Some(root) => Account::builder_with_root(root),
        None => Account::builder(),
    };
    let path = settings.dir.join(ACCOUNT_FILE);
    if let Ok(text) = std::fs::read_to_string(&path) {
        if let Ok(credentials) = serde_json::from_str::<AccountCredentials>(&text) {
            return Ok(builder()?.from_credentials(credentials).await?);
        }
    }
    let contact = settings.email.as_ref().map(|e| format!("mailto:{e}"));
    let contacts: Vec<&str> = contact.iter().map(String::as_str).collect();
    let (account, credentials) = builder()?
        .create(
            &NewAccount {
                contact: &contacts,
                terms_of_service_agreed: true,
                only_return_existing: false,
            },
            settings.directory.clone(),
            None,
        )
        .await?;
    let json = serde_json::to_string(&credentials)
        .map_err(|e| AcmeError::Files(format!("cannot encode the ACME account: {e}")))?;
    write_private(&path, json.as_bytes())?;
    Ok(account)
}

/// One order: account, `http-01` for each domain, finalize, store.
async fn obtain(settings: &AcmeSettings, challenges: &Challenges) -> Result<(), AcmeError> {
    std::fs::create_dir_all(&settings.dir)
        .map_err(|e| AcmeError::Files(format!("cannot make {}: {e}", settings.dir.display())))?;
    let account = account(settings).await?;
    let identifiers: Vec<Identifier> = settings
        .domains
        .iter()
        .map(|d| Identifier::Dns(d.clone()))
        .collect();
    let mut order = account.new_order(&NewOrder::new(&identifiers)).await?;
    let mut authorizations = order.authorizations();
    while let Some(authz) = authorizations.next().await {
        let mut authz = authz?;
        if authz.status != AuthorizationStatus::Pending {
            continue;
        }
        let mut challenge = authz.challenge(ChallengeType::Http01).ok_or_else(|| {
            AcmeError::Files("the ACME server offers no http-01 challenge".to_owned())
        })?;
        challenges.put(
            challenge.token.clone(),
            challenge.key_authorization().as_str().to_owned(),
        );
        challenge.set_ready().await?;
    }
    let policy = RetryPolicy::new()
        .initial_delay(Duration::from_millis(250))
        .timeout(Duration::from_secs(90));
    let status = order.poll_ready(&policy).await;
    challenges.clear();
    let status = status?;
    if status != OrderStatus::Ready {
        return Err(AcmeError::Order {
            domains: settings.domains.join(","),
            status: format!("{status:?}"),
        });
    }
    let key_pem = order.finalize().await?;
    let chain_pem = order.poll_certificate(&policy).await?;
    // Checked before it replaces a working pair on disk.
    super::certified_key(chain_pem.as_bytes(), key_pem.as_bytes())?;
    write_private(&settings.dir.join(KEY_FILE), key_pem.as_bytes())?;
    write_private(&settings.dir.join(CERT_FILE), chain_pem.as_bytes())?;
    Ok(())
}

/// Writes through a temporary file and a rename, readable by us only.
fn write_private(path: &Path, bytes: &[u8]) -> Result<(), AcmeError> {
    let fail =
        |e: std::io::Error| AcmeError::Files(format!("cannot write {}: {e}", path.display()));
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp).map_err(fail)?;
    std::io::Write::write_all(&mut file, bytes).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(fail)
}
