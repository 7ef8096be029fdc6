//! HMAC-SHA256 as both providers use it: lowercase hex of the MAC over bytes,
//! compared in constant time (`Mac::verify_slice`).

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

type HmacSha256 = Hmac<Sha256>;

/// Lowercase hex HMAC-SHA256 of the concatenated `parts` under `key`.
pub(crate) fn hmac_hex(key: &[u8], parts: &[&[u8]]) -> String {
    // HMAC takes keys of any length, so this never fails; should it ever,
    // an empty value can only fail verification, never pass it.
    HmacSha256::new_from_slice(key)
        .map(|mut mac| {
            for part in parts {
                mac.update(part);
            }
            hex::encode(mac.finalize().into_bytes())
        })
        .unwrap_or_default()
}

/// Whether `claimed_hex` is the HMAC of `parts` under `key`.
pub(crate) fn verify_hex(key: &[u8], parts: &[&[u8]], claimed_hex: &str) -> bool {
    // Anyone can compute an HMAC under the empty key, so it authenticates nothing.
    if key.is_empty() {
        return false;
    }
    let Ok(claimed) = hex::decode(claimed_hex.trim()) else {
        return false;
    };
    if claimed.len() != 32 {
        return false;
    }
    let Ok(mut mac) = HmacSha256::new_from_slice(key) else {
        return false;
    };
    for part in parts {
        mac.update(part);
    }
    mac.verify_slice(&claimed).is_ok()
}

/// The raw HMAC-SHA256 of the concatenated `parts` under `key`, computed
/// once so a header carrying several candidate signatures costs one MAC
/// per key, not one per candidate. `None` for the empty key, under which
/// anyone can sign.
pub(crate) fn mac(key: &[u8], parts: &[&[u8]]) -> Option<[u8; 32]> {
    if key.is_empty() {
        return None;
    }
    #[cfg(test)]
    MACS_COMPUTED.with(|n| n.set(n.get() + 1));
    let mut mac = HmacSha256::new_from_slice(key).ok()?;
    for part in parts {
        mac.update(part);
    }
    Some(mac.finalize().into_bytes().into())
}

/// Whether `claimed_hex` spells `expected` (constant time in the bytes).
pub(crate) fn matches_hex(expected: &[u8; 32], claimed_hex: &str) -> bool {
    let mut claimed = [0u8; 32];
    if hex::decode_to_slice(claimed_hex.trim(), &mut claimed).is_err() {
        return false;
    }
    expected.ct_eq(&claimed).into()
}

#[cfg(test)]
thread_local! {
    /// MACs computed on this thread, so tests can tell work was not done.
    pub(crate) static MACS_COMPUTED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Lowercase hex SHA-256, for dedupe keys derived from a body.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_empty_key_authenticates_nothing() {
        let sig = hmac_hex(b"", &[b"body"]);
        assert!(!verify_hex(b"", &[b"body"], &sig));
    }

    #[test]
    fn parts_are_signed_as_one_concatenated_message() {
        assert_eq!(hmac_hex(b"k", &[b"ab", b"c"]), hmac_hex(b"k", &[b"abc"]));
        assert!(verify_hex(b"k", &[b"a", b"bc"], &hmac_hex(b"k", &[b"abc"])));
    }

    #[test]
    fn one_mac_matches_its_hex_and_nothing_else() {
        let m = mac(b"k", &[b"m"]).unwrap();
        assert!(matches_hex(&m, &hmac_hex(b"k", &[b"m"])));
        assert!(!matches_hex(&m, &hmac_hex(b"k", &[b"n"])));
        assert!(!matches_hex(&m, &hmac_hex(b"k", &[b"m"])[..62]));
        assert!(!matches_hex(&m, "zz"));
        assert_eq!(mac(b"", &[b"m"]), None);
    }

    #[test]
    fn truncated_or_non_hex_signatures_fail() {
        let sig = hmac_hex(b"k", &[b"m"]);
        assert!(!verify_hex(b"k", &[b"m"], &sig[..62]));
        assert!(!verify_hex(b"k", &[b"m"], &format!("{}zz", &sig[..62])));
        assert!(!verify_hex(b"k", &[b"m"], ""));
    }
}
