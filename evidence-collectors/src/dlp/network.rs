//! IP addresses. An address that can point at a person's device is reported, private ranges
//! included: under the GDPR an internal address in a log is personal data as much as a public
//! one. Addresses that identify no device are not: unspecified (`0.0.0.0`, `::`), loopback,
//! multicast, reserved and broadcast addresses, netmasks, network ranges in CIDR notation
//! (`10.0.0.0/16`; a `/32` or `/128` is a host), and IPv4 addresses ending in `.0` (a network
//! address, or a log's address truncated to its /24 to anonymize it). Version numbers are not
//! addresses: a value right after `version`, `v`, or a name and `/` (`Chrome/1.2.3.4`), or
//! followed by more dotted numbers.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::context::key_before;
use super::RefusedBefore;

/// An address cannot follow a letter, a digit or one of these marks: it would be part of a longer
/// token.
pub(super) const REFUSED_BEFORE: RefusedBefore = RefusedBefore(b"_.-:");

/// Whether the candidate at `start..end` of `line` is a device's address.
pub(super) fn valid_ip(line: &[u8], start: usize, end: usize) -> bool {
    let Some(ip) = std::str::from_utf8(&line[start..end])
        .ok()
        .and_then(|s| s.parse::<IpAddr>().ok())
    else {
        return false;
    };
    let before = start.checked_sub(1).map(|i| line[i]);
    let after = line.get(end).copied();
    let next = line.get(end + 1).copied();
    if before.is_some_and(|b| REFUSED_BEFORE.refuses(b))
        || after.is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        || (after == Some(b'.') && next.is_some_and(|b| b.is_ascii_alphanumeric()))
        || (matches!(ip, IpAddr::V6(_)) && after == Some(b':'))
    {
        return false;
    }
    // A product name and `/` before: `Chrome/1.2.3.4`, not `http://1.2.3.4`.
    if before == Some(b'/')
        && start
            .checked_sub(2)
            .is_some_and(|i| line[i].is_ascii_alphanumeric())
    {
        return false;
    }
    if let Some(prefix) = cidr_prefix(line, end) {
        let host = match ip {
            IpAddr::V4(_) => 32,
            IpAddr::V6(_) => 128,
        };
        if prefix != host {
            return false;
        }
    }
    if key_before(line, start).is_some_and(|k| names_a_version(&k)) {
        return false;
    }
    match ip {
        IpAddr::V4(v4) => device_v4(v4),
        IpAddr::V6(v6) => device_v6(v6, &line[start..end]),
    }
}

/// The prefix length of a `/n` right after an address.
fn cidr_prefix(line: &[u8], end: usize) -> Option<u32> {
    if line.get(end) != Some(&b'/') {
        return None;
    }
    let digits: Vec<u8> = line[end + 1..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .copied()
        .collect();
    if digits.is_empty() || digits.len() > 3 {
        return None;
    }
    std::str::from_utf8(&digits).ok()?.parse().ok()
}

fn names_a_version(key: &str) -> bool {
    key.ends_with("version") || matches!(key, "v" | "ver" | "release" | "build" | "tag")
}

fn device_v4(ip: Ipv4Addr) -> bool {
    let [first, .., last] = ip.octets();
    first != 0 && !ip.is_loopback() && !ip.is_multicast() && first < 240 && last != 0
}

/// A device's IPv6 address. Written with at least one digit and two groups, so that `a::b`
/// (a path in code) is not one.
fn device_v6(ip: Ipv6Addr, text: &[u8]) -> bool {
    let groups = text.split(|&b| b == b':').filter(|g| !g.is_empty()).count();
    !ip.is_unspecified()
        && !ip.is_loopback()
        && !ip.is_multicast()
        && groups >= 2
        && text.iter().any(u8::is_ascii_digit)
}

/// A sample keeping the first IPv4 octet or IPv6 group.
pub(super) fn redact_ip(value: &str) -> String {
    match value.find(['.', ':']) {
        Some(at) => format!("{}***", &value[..=at]),
        None => "***".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{found, kinds};
    use super::super::{Detector, Scanner};

    fn ips(text: &str) -> Vec<String> {
        found(text)
            .into_iter()
            .filter(|(d, _)| *d == Detector::IpAddress)
            .map(|(_, v)| v)
            .collect()
    }

    #[test]
    fn device_addresses_are_found_private_ones_included() {
        assert_eq!(ips("client 203.0.113.7 GET /"), ["203.0.113.7"]);
        assert_eq!(ips(r#"{"client_ip":"10.1.2.3"}"#), ["10.1.2.3"]);
        assert_eq!(ips("upstream 192.168.1.20:8080"), ["192.168.1.20"]);
        assert_eq!(ips("http://172.16.4.9/health"), ["172.16.4.9"]);
        assert_eq!(ips("allow 198.51.100.4/32;"), ["198.51.100.4"]);
        assert_eq!(
            ips("from 2001:db8:85a3::8a2e:370:7334 via"),
            ["2001:db8:85a3::8a2e:370:7334"]
        );
        assert_eq!(ips("[2001:db8::1]:443"), ["2001:db8::1"]);
        assert_eq!(
            ips("peer fe80::1ff:fe23:4567:890a%eth0"),
            ["fe80::1ff:fe23:4567:890a"]
        );
        assert_eq!(ips("mapped ::ffff:192.0.2.128"), ["::ffff:192.0.2.128"]);
        assert_eq!(Scanner::all().scan(b"ip 10.1.2.3")[0].sample, "10.***");
    }

    #[test]
    fn addresses_of_no_device_and_look_alikes_are_not() {
        for text in [
            "listen 0.0.0.0:80",
            "127.0.0.1 localhost",
            "::1 localhost",
            "bind [::]:8080",
            "cidr_blocks = [\"10.0.0.0/16\"]",
            "route 192.168.1.5/24",
            "client 10.20.30.0 (anonymized)",
            "netmask 255.255.255.0",
            "mcast 239.1.2.3",
            "version: 1.2.3.4",
            "\"version\": \"10.0.1.2\"",
            "Mozilla/5.0 Chrome/120.0.6099.109 Safari/537.36",
            "oid 1.3.6.1.4.1.2021",
            "v1.2.3.4",
            "at 12:34:56 pid 7",
            "mac 00:1a:2b:3c:4d:5e",
            "std::vec::Vec and a::b",
            "sha256:9f86d081884c7d65",
            "1.2.3",
            "300.1.2.3",
            "ts 2024-06-01T10:00:00.123Z",
        ] {
            assert!(!kinds(text).contains(&Detector::IpAddress), "{text}");
        }
    }
}
