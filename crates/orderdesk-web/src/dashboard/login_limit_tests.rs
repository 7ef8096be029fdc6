use std::net::{Ipv4Addr, Ipv6Addr};

use axum::http::HeaderValue;

use super::*;

const IP: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);

fn secs(n: u64) -> Duration {
    Duration::from_secs(n)
}

#[test]
fn each_failure_doubles_the_wait_and_the_right_password_then_passes() {
    let l = LoginLimiter::default();
    let t0 = Instant::now();
    assert_eq!(l.attempt("a@x.test", IP, t0), Ok(()));
    // Counted before the check: a second attempt at once waits.
    assert_eq!(
        l.attempt("A@x.test ", IP, t0),
        Err(Refusal::Account {
            retry_after: secs(1)
        })
    );
    assert_eq!(l.attempt("a@x.test", IP, t0 + secs(1)), Ok(()));
    assert_eq!(
        l.attempt("a@x.test", IP, t0 + secs(2))
            .map_err(Refusal::retry_after),
        Err(secs(1))
    );
    assert_eq!(l.attempt("a@x.test", IP, t0 + secs(3)), Ok(()));
    assert!(l.attempt("a@x.test", IP, t0 + secs(6)).is_err());
    assert_eq!(l.attempt("a@x.test", IP, t0 + secs(7)), Ok(()));
    // The right password was given after the wait: failures are forgotten.
    l.succeeded("a@x.test", IP);
    assert_eq!(l.attempt("a@x.test", IP, t0 + secs(7)), Ok(()));
    // Other accounts never waited.
    assert_eq!(l.attempt("b@x.test", IP, t0), Ok(()));
}

#[test]
fn the_wait_is_capped() {
    let l = LoginLimiter::new(LoginLimits {
        address_burst: 1000,
        ..LoginLimits::default()
    });
    let mut now = Instant::now();
    for _ in 0..40 {
        assert_eq!(l.attempt("a@x.test", IP, now), Ok(()));
        now += LoginLimits::default().max_delay;
    }
}

#[test]
fn forty_parallel_guesses_at_one_account_get_one_check() {
    let l = std::sync::Arc::new(LoginLimiter::default());
    let now = Instant::now();
    let passed: usize = (0..40)
        .map(|i| {
            let l = l.clone();
            let ip = IpAddr::V4(Ipv4Addr::new(10, 0, 0, i));
            std::thread::spawn(move || l.attempt("a@x.test", ip, now).is_ok())
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|h| usize::from(h.join().unwrap()))
        .sum();
    assert_eq!(passed, 1);
}

#[test]
fn an_address_has_a_budget_refilled_over_time() {
    let limits = LoginLimits::default();
    let l = LoginLimiter::new(limits.clone());
    let t0 = Instant::now();
    for i in 0..limits.address_burst {
        assert_eq!(l.attempt(&format!("u{i}@x.test"), IP, t0), Ok(()));
    }
    let refused = l.attempt("new@x.test", IP, t0).unwrap_err();
    assert!(matches!(refused, Refusal::Address { .. }));
    assert_eq!(refused.retry_after(), limits.address_refill);
    // Another address is not affected; IPv6 counts per /64.
    let other = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1));
    assert_eq!(l.attempt("new@x.test", other, t0), Ok(()));
    assert_eq!(
        l.attempt("late@x.test", IP, t0 + limits.address_refill),
        Ok(())
    );
    let a: IpAddr = "2001:db8:1:2::1".parse().unwrap();
    let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
    assert_eq!(address_key(a), address_key(b));
    assert_ne!(
        address_key(a),
        address_key("2001:db8:1:3::1".parse().unwrap())
    );
    let mapped = IpAddr::V6(Ipv4Addr::new(192, 0, 2, 1).to_ipv6_mapped());
    assert_eq!(address_key(mapped), other);
    assert_ne!(address_key(IpAddr::V6(Ipv6Addr::LOCALHOST)), IP);
}

#[test]
fn memory_is_bounded_by_evicting_the_oldest_and_pruning_the_expired() {
    let l = LoginLimiter::new(LoginLimits {
        max_entries: 100,
        ..LoginLimits::default()
    });
    let t0 = Instant::now();
    // A 64 KB email costs the same as a short one: it is hashed.
    let long = "x".repeat(64 * 1024);
    for i in 0..1_000u32 {
        let ip = IpAddr::V4(Ipv4Addr::from(i));
        assert_eq!(l.attempt(&format!("{long}{i}"), ip, t0), Ok(()));
    }
    assert_eq!(l.len(), (100, 100));
    // The newest are kept: the last account still waits.
    assert!(l
        .attempt(&format!("{long}999"), IpAddr::V4(Ipv4Addr::from(999)), t0)
        .is_err());
    // Past the wait and the memory, everything expired is pruned.
    let later = t0 + LoginLimits::default().forget_after + secs(3600);
    assert_eq!(l.attempt("fresh@x.test", IP, later), Ok(()));
    assert_eq!(l.len(), (1, 1));
}

#[test]
fn the_client_address_comes_from_the_trusted_header_only() {
    let peer = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1));
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-forwarded-for",
        HeaderValue::from_static("203.0.113.7, 198.51.100.2"),
    );
    let xff = HeaderName::from_static("x-forwarded-for");
    assert_eq!(client_ip(&headers, peer, None), peer);
    assert_eq!(
        client_ip(&headers, peer, Some(&xff)),
        "198.51.100.2".parse::<IpAddr>().unwrap()
    );
    headers.insert(
        "x-forwarded-for",
        HeaderValue::from_static("[2001:db8::1]:443"),
    );
    assert_eq!(
        client_ip(&headers, peer, Some(&xff)),
        "2001:db8::1".parse::<IpAddr>().unwrap()
    );
    headers.insert(
        "x-forwarded-for",
        HeaderValue::from_static("not an address"),
    );
    assert_eq!(client_ip(&headers, peer, Some(&xff)), peer);
    assert_eq!(client_ip(&HeaderMap::new(), peer, Some(&xff)), peer);
}
