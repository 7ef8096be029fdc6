//! The HTTPS settings: certificates over ACME for `ORDERDESK_TLS_DOMAINS`,
//! or a certificate/key file pair, served on `ORDERDESK_LISTEN_TLS`.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail};

use super::{DatabaseUrl, Sources};

/// Where the certificate comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsSource {
    /// Let's Encrypt (or another ACME server) for these domains.
    Acme {
        domains: Vec<String>,
        email: Option<String>,
        directory: String,
        /// A PEM root to trust for the directory (a private or test CA).
        directory_root: Option<PathBuf>,
        /// Where the account and certificate are kept.
        dir: PathBuf,
    },
    /// Files, reloaded when they change.
    Files { cert: PathBuf, key: PathBuf },
}

/// HTTPS, when configured.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsConfig {
    pub listen: SocketAddr,
    pub source: TlsSource,
}

pub(super) fn parse(s: &Sources, database: &DatabaseUrl) -> anyhow::Result<Option<TlsConfig>> {
    let domains = s.string("ORDERDESK_TLS_DOMAINS");
    let cert = s.string("ORDERDESK_TLS_CERT").map(PathBuf::from);
    let key = s.string("ORDERDESK_TLS_KEY").map(PathBuf::from);
    let source = match (domains, cert, key) {
        (None, None, None) => return Ok(None),
        (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
            bail!("ORDERDESK_TLS_DOMAINS: set it or ORDERDESK_TLS_CERT/ORDERDESK_TLS_KEY, not both")
        }
        (None, Some(cert), Some(key)) => TlsSource::Files { cert, key },
        (None, Some(_), None) => bail!("ORDERDESK_TLS_KEY: required with ORDERDESK_TLS_CERT"),
        (None, None, Some(_)) => bail!("ORDERDESK_TLS_CERT: required with ORDERDESK_TLS_KEY"),
        (Some(raw), None, None) => TlsSource::Acme {
            domains: domain_list(&raw)?,
            email: s.string("ORDERDESK_ACME_EMAIL"),
            directory: s.parsed("ORDERDESK_ACME_DIRECTORY", |raw| {
                if raw.starts_with("https://") {
                    Ok(raw.to_owned())
                } else {
                    bail!("'{raw}' is not an https:// URL")
                }
            })?,
            directory_root: s.string("ORDERDESK_ACME_ROOT").map(PathBuf::from),
            dir: s
                .string("ORDERDESK_TLS_DIR")
                .map_or_else(|| default_dir(database), PathBuf::from),
        },
    };
    let listen = s.parsed("ORDERDESK_LISTEN_TLS", |raw| {
        raw.parse::<SocketAddr>()
            .map_err(|_| anyhow!("'{raw}' is not an address like 0.0.0.0:443"))
    })?;
    Ok(Some(TlsConfig { listen, source }))
}

/// `shop.example.com, www.shop.example.com` → both, checked as DNS names.
fn domain_list(raw: &str) -> anyhow::Result<Vec<String>> {
    let mut domains = Vec::new();
    for name in raw.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        let ok = name.contains('.')
            && name.len() <= 253
            && name.split('.').all(|label| {
                !label.is_empty()
                    && label.len() <= 63
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            });
        if !ok {
            bail!("ORDERDESK_TLS_DOMAINS: '{name}' is not a domain name like shop.example.com");
        }
        domains.push(name.to_ascii_lowercase());
    }
    if domains.is_empty() {
        bail!("ORDERDESK_TLS_DOMAINS: no domain given");
    }
    Ok(domains)
}

/// `tls/` beside the SQLite file; in the working directory with PostgreSQL.
fn default_dir(database: &DatabaseUrl) -> PathBuf {
    let beside = match database {
        DatabaseUrl::Sqlite(url) => crate::backup::sqlite_path(url)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf)),
        DatabaseUrl::Postgres(_) => None,
    };
    beside.unwrap_or_default().join("tls")
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use super::*;

    fn load(pairs: &[(&str, &str)]) -> anyhow::Result<Config> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_sources(None, move |k| {
            pairs
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn https_is_off_until_asked_for_and_acme_takes_its_defaults() {
        assert_eq!(load(&[]).unwrap().tls, None);
        let tls = load(&[
            ("ORDERDESK_DATABASE_URL", "sqlite:///srv/shop/orderdesk.db"),
            (
                "ORDERDESK_TLS_DOMAINS",
                "Shop.Example.com, www.shop.example.com",
            ),
        ])
        .unwrap()
        .tls
        .unwrap();
        assert_eq!(tls.listen.to_string(), "0.0.0.0:443");
        let TlsSource::Acme {
            domains,
            directory,
            dir,
            ..
        } = tls.source
        else {
            panic!("not ACME: {:?}", tls.source);
        };
        assert_eq!(domains, ["shop.example.com", "www.shop.example.com"]);
        assert_eq!(directory, "https://acme-v02.api.letsencrypt.org/directory");
        assert_eq!(dir, PathBuf::from("/srv/shop/tls"));
    }

    #[test]
    fn bad_tls_settings_are_one_line_naming_the_key() {
        let error = |pairs: &[(&str, &str)]| load(pairs).unwrap_err().to_string();
        assert!(error(&[("ORDERDESK_TLS_DOMAINS", "shop example")])
            .starts_with("ORDERDESK_TLS_DOMAINS: 'shop example' is not a domain name"));
        assert!(error(&[
            ("ORDERDESK_TLS_DOMAINS", "shop.example.com"),
            ("ORDERDESK_TLS_CERT", "c.pem"),
            ("ORDERDESK_TLS_KEY", "k.pem"),
        ])
        .contains("not both"));
        assert_eq!(
            error(&[("ORDERDESK_TLS_CERT", "c.pem")]),
            "ORDERDESK_TLS_KEY: required with ORDERDESK_TLS_CERT"
        );
        assert!(error(&[
            ("ORDERDESK_TLS_DOMAINS", "shop.example.com"),
            ("ORDERDESK_ACME_DIRECTORY", "http://acme.test/dir"),
        ])
        .starts_with("ORDERDESK_ACME_DIRECTORY: "));
        assert!(error(&[
            ("ORDERDESK_TLS_CERT", "c.pem"),
            ("ORDERDESK_TLS_KEY", "k.pem"),
            ("ORDERDESK_LISTEN_TLS", "443"),
        ])
        .starts_with("ORDERDESK_LISTEN_TLS: "));
    }
}
