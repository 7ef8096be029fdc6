//! Login rate limiting: a delay that grows per account, plus a budget per
//! client address.
//!
//! * Every attempt is counted *before* its password is checked, under one
//!   lock, so parallel guesses cannot slip past the count: of 40 guesses
//!   sent at once at one account, one is checked.
//! * Per account (the email, lower-cased and hashed to a fixed-size key):
//!   each failure doubles the wait before that account's next check
//!   ([`LoginLimits::base_delay`], 2×, 4×… up to
//!   [`LoginLimits::max_delay`]). Nothing locks: once the wait is over the
//!   right password logs in, and success forgets the failures.
//! * Per address: a token bucket of [`LoginLimits::address_burst`]
//!   attempts, refilled one per [`LoginLimits::address_refill`]; a success
//!   gives its token back. IPv6 addresses count per /64, which one client
//!   usually holds whole.
//! * Memory is bounded: at most [`LoginLimits::max_entries`] accounts and
//!   as many addresses; expired entries are pruned, and when full the
//!   oldest entry makes room.
//!
//! Per instance, so behind N instances an attacker gets N × the budget.

use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasher, Hash, RandomState};
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::{HeaderMap, HeaderName};

/// The limiter's knobs; [`LoginLimits::default`] is what the server uses.
#[derive(Debug, Clone)]
pub struct LoginLimits {
    /// The wait after an account's first failure; it doubles per failure.
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Attempts an address may make at once…
    pub address_burst: u32,
    /// …and how often it earns one more.
    pub address_refill: Duration,
    /// How long an account's failures are remembered after its wait ends.
    pub forget_after: Duration,
    /// Accounts (and, separately, addresses) remembered at most.
    pub max_entries: usize,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(5 * 60),
            address_burst: 20,
            address_refill: Duration::from_secs(3),
            forget_after: Duration::from_secs(60 * 60),
            max_entries: 50_000,
        }
    }
}

/// Why an attempt was not checked, and when to come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The account is waiting out its last failure.
    Account { retry_after: Duration },
    /// The address spent its budget.
    Address { retry_after: Duration },
}

impl Refusal {
    pub fn retry_after(self) -> Duration {
        match self {
            Self::Account { retry_after } | Self::Address { retry_after } => retry_after,
        }
    }
}

pub struct LoginLimiter {
    limits: LoginLimits,
    hasher: RandomState,
    inner: Mutex<Inner>,
}

struct Inner {
    accounts: Bounded<u64, Account>,
    addresses: Bounded<IpAddr, Bucket>,
    pruned: Instant,
}

#[derive(Debug, Clone, Copy)]
struct Account {
    failures: u32,
    next_check: Instant,
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

impl Default for LoginLimiter {
    fn default() -> Self {
        Self::new(LoginLimits::default())
    }
}

impl LoginLimiter {
    pub fn new(limits: LoginLimits) -> Self {
        let cap = limits.max_entries.max(1);
        Self {
            limits,
            hasher: RandomState::new(),
            inner: Mutex::new(Inner {
                accounts: Bounded::new(cap),
                addresses: Bounded::new(cap),
                pruned: Instant::now(),
            }),
        }
    }

    fn account_key(&self, email: &str) -> u64 {
        self.hasher.hash_one(email.trim().to_lowercase())
    }

    /// Counts an attempt at `email` from `ip`, as a failure until
    /// [`LoginLimiter::succeeded`] says otherwise.
    ///
    /// # Errors
    /// The address has no budget left, or the account is still waiting.
    pub fn attempt(&self, email: &str, ip: IpAddr, now: Instant) -> Result<(), Refusal> {
        let l = &self.limits;
        let account = self.account_key(email);
        let address = address_key(ip);
        let Ok(mut inner) = self.inner.lock() else {
            // A panic while holding the lock: refuse rather than stop counting.
            return Err(Refusal::Address {
                retry_after: l.base_delay,
            });
        };
        inner.prune(now, l);
        let burst = f64::from(l.address_burst.max(1));
        let bucket = inner.addresses.entry(address, now, || Bucket {
            tokens: burst,
            at: now,
        });
        let refill = l.address_refill.as_secs_f64().max(f64::EPSILON);
        bucket.tokens =
            (bucket.tokens + now.duration_since(bucket.at).as_secs_f64() / refill).min(burst);
        bucket.at = now;
        if bucket.tokens < 1.0 {
            return Err(Refusal::Address {
                retry_after: l.address_refill.mul_f64(1.0 - bucket.tokens),
            });
        }
        bucket.tokens -= 1.0;
        let entry = inner.accounts.entry(account, now, || Account {
            failures: 0,
            next_check: now,
        });
        if now < entry.next_check {
            return Err(Refusal::Account {
                retry_after: entry.next_check - now,
            });
        }
        entry.failures = entry.failures.saturating_add(1);
        let doublings = entry.failures.saturating_sub(1).min(31);
        entry.next_check = now + l.base_delay.saturating_mul(1 << doublings).min(l.max_delay);
        Ok(())
    }

    /// The attempt was right: forget the account's failures and give the
    /// address its token back.
    pub fn succeeded(&self, email: &str, ip: IpAddr) {
        let account = self.account_key(email);
        let burst = f64::from(self.limits.address_burst.max(1));
        if let Ok(mut inner) = self.inner.lock() {
            inner.accounts.remove(&account);
            if let Some(bucket) = inner.addresses.get_mut(&address_key(ip)) {
                bucket.tokens = (bucket.tokens + 1.0).min(burst);
            }
        }
    }

    /// Accounts and addresses remembered now.
    pub fn len(&self) -> (usize, usize) {
        self.inner
            .lock()
            .map_or((0, 0), |i| (i.accounts.map.len(), i.addresses.map.len()))
    }
}

impl Inner {
    /// Drops what has expired, at most once a minute (it walks every entry).
    fn prune(&mut self, now: Instant, l: &LoginLimits) {
        if now.duration_since(self.pruned) < Duration::from_secs(60) {
            return;
        }
        self.pruned = now;
        self.accounts
            .retain(|a| now < a.next_check + l.forget_after);
        // A bucket that would be full again is the same as none.
        let refill_all = l.address_refill.saturating_mul(l.address_burst);
        self.addresses.retain(|b| now < b.at + refill_all);
    }
}

/// IPv4 as is; IPv6 by its /64 (an IPv4-mapped one as IPv4).
fn address_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
    }
}

/// The client's address: the socket peer's, or, when a trusted proxy
/// header is configured, the last address in it (the one our proxy
/// appended; earlier ones are whatever the client claimed). A missing or
/// unreadable header falls back to the peer, the proxy itself.
pub fn client_ip(headers: &HeaderMap, peer: IpAddr, trusted: Option<&HeaderName>) -> IpAddr {
    let Some(name) = trusted else {
        return peer;
    };
    headers
        .get_all(name)
        .iter()
        .next_back()
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.rsplit(',').next())
        .and_then(|v| {
            let v = v.trim();
            v.parse::<IpAddr>()
                .or_else(|_| v.parse::<SocketAddr>().map(|s| s.ip()))
                .ok()
        })
        .unwrap_or(peer)
}

/// A map holding at most `cap` entries, evicting the oldest inserted.
struct Bounded<K, V> {
    map: HashMap<K, (Instant, V)>,
    /// Keys by insertion; an item whose time no longer matches the map's
    /// is stale (the key was removed or re-inserted since).
    order: VecDeque<(K, Instant)>,
    cap: usize,
}

impl<K: Hash + Eq + Copy, V> Bounded<K, V> {
    fn new(cap: usize) -> Self {
        Self {
            map: HashMap::new(),
            order: VecDeque::new(),
            cap,
        }
    }

    fn entry(&mut self, key: K, now: Instant, make: impl FnOnce() -> V) -> &mut V {
        if !self.map.contains_key(&key) {
            while self.map.len() >= self.cap {
                let Some((old, at)) = self.order.pop_front() else {
                    break;
                };
                if has(&self.map, &old, at) {
                    self.map.remove(&old);
                }
            }
            if self.order.len() >= 2 * self.cap {
                let map = &self.map;
                self.order.retain(|(k, at)| has(map, k, *at));
            }
            self.order.push_back((key, now));
        }
        &mut self.map.entry(key).or_insert_with(|| (now, make())).1
    }

    fn get_mut(&mut self, key: &K) -> Option<&mut V> {
        self.map.get_mut(key).map(|(_, v)| v)
    }

    fn remove(&mut self, key: &K) {
        self.map.remove(key);
    }

    fn retain(&mut self, mut keep: impl FnMut(&V) -> bool) {
        self.map.retain(|_, (_, v)| keep(v));
        let map = &self.map;
        self.order.retain(|(k, at)| has(map, k, *at));
    }
}

/// Whether `key` is in `map` as inserted at `at`.
fn has<K: Hash + Eq, V>(map: &HashMap<K, (Instant, V)>, key: &K, at: Instant) -> bool {
    map.get(key).is_some_and(|(t, _)| *t == at)
}

#[cfg(test)]
#[path = "login_limit_tests.rs"]
mod tests;
