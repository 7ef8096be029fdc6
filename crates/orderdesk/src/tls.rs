//! HTTPS: the certificate in force, where it comes from, and what the
//! plain-HTTP side does once there is one.
//!
//! A certificate comes from ACME ([`acme`], `ORDERDESK_TLS_DOMAINS`) or from
//! files (`ORDERDESK_TLS_CERT` / `ORDERDESK_TLS_KEY`, reloaded when they
//! change). Until one is in hand the server keeps serving plain HTTP as
//! before; from then on plain HTTP answers ACME's challenges and redirects
//! everything else to HTTPS, and HTTPS answers carry HSTS.
//!
//! rustls uses the `ring` provider, the one reqwest already builds (no
//! aws-lc, no C toolchain beyond what ring needs).

pub mod acme;

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use crate::config::tls::{TlsConfig, TlsSource};

/// The HTTPS side of the server, ready for [`crate::http::run`]: the plain
/// router (wrapped by [`plain_http`]), the HTTPS endpoint (with [`hsts`])
/// and the task keeping the certificate (stopped by aborting it).
pub(crate) struct Https {
    pub plain: Router,
    pub endpoint: Option<crate::http::TlsEndpoint>,
    pub keeper: Option<tokio::task::JoinHandle<()>>,
}

/// Binds `ORDERDESK_LISTEN_TLS` and starts getting (or watching) the
/// certificate; without HTTPS configured, `app` as it is.
///
/// # Errors
/// The HTTPS address cannot be bound, or certificate files do not load.
pub(crate) async fn https(config: &TlsConfig, app: Router) -> anyhow::Result<Https> {
    let slot = Arc::new(CertSlot::default());
    let challenges = acme::Challenges::default();
    let keeper = match &config.source {
        TlsSource::Files { cert, key } => watch_files(cert.clone(), key.clone(), slot.clone())
            .map_err(|e| anyhow::anyhow!("ORDERDESK_TLS_CERT/ORDERDESK_TLS_KEY: {e}"))?,
        TlsSource::Acme {
            domains,
            email,
            directory,
            directory_root,
            dir,
        } => {
            let settings = acme::AcmeSettings {
                domains: domains.clone(),
                email: email.clone(),
                directory: directory.clone(),
                directory_root: directory_root.clone(),
                dir: dir.clone(),
                first_retry: acme::FIRST_RETRY,
            };
            tokio::spawn(acme::run(settings, slot.clone(), challenges.clone()))
        }
    };
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| {
            anyhow::anyhow!(
                "ORDERDESK_LISTEN_TLS: cannot listen on {}: {e}",
                config.listen
            )
        })?;
    let port = listener.local_addr()?.port();
    tracing::info!(address = %listener.local_addr()?, "orderdesk is listening for HTTPS");
    let acceptor = tokio_rustls::TlsAcceptor::from(server_config(slot.clone())?);
    let plain = app.clone().layer(axum::middleware::from_fn(
        move |req: Request, next: Next| {
            plain_http(slot.clone(), challenges.clone(), port, req, next)
        },
    ));
    Ok(Https {
        plain,
        endpoint: Some(crate::http::TlsEndpoint {
            listener,
            app: app.layer(axum::middleware::from_fn(hsts)),
            acceptor,
        }),
        keeper: Some(keeper),
    })
}

/// One year, the usual HSTS lifetime.
const HSTS: &str = "max-age=31536000";
/// How often certificate files are looked at for a change.
const FILE_POLL: Duration = Duration::from_secs(5);

/// The certificate served, swapped in place when renewed or reloaded.
#[derive(Default, Debug)]
pub struct CertSlot {
    current: RwLock<Option<Arc<CertifiedKey>>>,
}

impl CertSlot {
    pub fn set(&self, key: CertifiedKey) {
        if let Ok(mut slot) = self.current.write() {
            *slot = Some(Arc::new(key));
        }
    }

    pub fn get(&self) -> Option<Arc<CertifiedKey>> {
        self.current.read().ok().and_then(|slot| slot.clone())
    }

    pub fn is_set(&self) -> bool {
        self.get().is_some()
    }
}

impl ResolvesServerCert for CertSlot {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        self.get()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("cannot read {path}: {reason}")]
    Read { path: PathBuf, reason: String },
    #[error("{0}")]
    Pem(String),
}

/// A certificate chain and its private key, both PEM.
///
/// # Errors
/// Either does not parse, or the key is of a kind rustls cannot sign with.
pub fn certified_key(chain_pem: &[u8], key_pem: &[u8]) -> Result<CertifiedKey, TlsError> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(chain_pem)
        .collect::<Result<_, _>>()
        .map_err(|e| TlsError::Pem(format!("the certificate is not PEM ({e})")))?;
    if chain.is_empty() {
        return Err(TlsError::Pem("no certificate in the PEM".to_owned()));
    }
    let key = PrivateKeyDer::from_pem_slice(key_pem)
        .map_err(|e| TlsError::Pem(format!("the private key is not PEM ({e})")))?;
    let signing = rustls::crypto::ring::sign::any_supported_type(&key)
        .map_err(|e| TlsError::Pem(format!("unusable private key ({e})")))?;
    let pair = CertifiedKey::new(chain, signing);
    // A cert rewritten before its key would otherwise be served with the
    // old key, failing every handshake until the key lands.
    pair.keys_match()
        .map_err(|e| TlsError::Pem(format!("the key is not the certificate's ({e})")))?;
    Ok(pair)
}

fn read(path: &Path) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|e| TlsError::Read {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// The pair of files as a certificate.
///
/// # Errors
/// As [`certified_key`], or a file cannot be read.
pub fn load_files(cert: &Path, key: &Path) -> Result<CertifiedKey, TlsError> {
    certified_key(&read(cert)?, &read(key)?)
}

/// The server side of TLS over `slot`: HTTP/1.1 only, like the server.
///
/// # Errors
/// rustls refuses the protocol versions (never, with its defaults).
pub fn server_config(slot: Arc<CertSlot>) -> Result<Arc<rustls::ServerConfig>, rustls::Error> {
    let mut config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_no_client_auth()
    .with_cert_resolver(slot);
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(config))
}

/// Loads the files now (a bad pair stops start-up), then reloads them
/// whenever either changes; a bad change is logged and the old pair kept.
///
/// # Errors
/// The files cannot be read or do not make a certificate.
pub fn watch_files(
    cert: PathBuf,
    key: PathBuf,
    slot: Arc<CertSlot>,
) -> Result<tokio::task::JoinHandle<()>, TlsError> {
    slot.set(load_files(&cert, &key)?);
    let stamp = |cert: &Path, key: &Path| -> Option<(SystemTime, SystemTime)> {
        let m = |p: &Path| p.metadata().and_then(|m| m.modified()).ok();
        Some((m(cert)?, m(key)?))
    };
    let mut seen = stamp(&cert, &key);
    Ok(tokio::spawn(async move {
        loop {
            tokio::time::sleep(FILE_POLL).await;
            let now = stamp(&cert, &key);
            if now.is_none() || now == seen {
                continue;
            }
            seen = now;
            match load_files(&cert, &key) {
                Ok(pair) => {
                    slot.set(pair);
                    tracing::info!(cert = %cert.display(), "TLS certificate reloaded");
                }
                // Often the cert is written before the key: the next
                // change (the key) loads the pair.
                Err(e) => {
                    tracing::warn!(error = %e, "TLS files changed but do not load; keeping the previous certificate")
                }
            }
        }
    }))
}

/// Adds HSTS to every answer on the HTTPS side.
pub async fn hsts(req: Request, next: Next) -> Response {
    let mut response = next.run(req).await;
    response.headers_mut().insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static(HSTS),
    );
    response
}

/// The plain-HTTP side when HTTPS is configured: ACME's challenges are
/// answered; once a certificate is in hand everything else is redirected
/// to HTTPS, before that it is served as usual.
pub async fn plain_http(
    slot: Arc<CertSlot>,
    challenges: acme::Challenges,
    https_port: u16,
    req: Request,
    next: Next,
) -> Response {
    if let Some(token) = req
        .uri()
        .path()
        .strip_prefix("/.well-known/acme-challenge/")
    {
        return match challenges.get(token) {
            Some(answer) => answer.into_response(),
            None => StatusCode::NOT_FOUND.into_response(),
        };
    }
    if !slot.is_set() {
        return next.run(req).await;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .map(|h| h.rsplit_once(':').map_or(h, |(name, _)| name).to_owned());
    let Some(host) = host.filter(|h| !h.is_empty()) else {
        return next.run(req).await;
    };
    let port = if https_port == 443 {
        String::new()
    } else {
        format!(":{https_port}")
    };
    let path = req
        .uri()
        .path_and_query()
        .map_or("/", |p| p.as_str())
        .to_owned();
    let location = format!("https://{host}{port}{path}");
    match HeaderValue::from_str(&location) {
        Ok(location) => (
            StatusCode::PERMANENT_REDIRECT,
            [(header::LOCATION, location)],
        )
            .into_response(),
        Err(_) => next.run(req).await,
    }
}
