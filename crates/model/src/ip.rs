//! IP ACL entries: an address with a CIDR prefix.

use crate::error::FieldError;
use ipnet::IpNet;
use std::net::IpAddr;

/// One ACL entry as given: the address and its prefix. Host bits may be set
/// (the API stores what it is given); [`IpEntry::network`] masks them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpEntry {
    pub ip: IpAddr,
    pub prefix: u8,
}

impl IpEntry {
    pub const IP_FIELD: &'static str = "ip";
    pub const IP_RULE: &'static str =
        "an IPv4 address like 203.0.113.10 or an IPv6 address like 2001:db8::1";
    pub const PREFIX_FIELD: &'static str = "cidr_prefix";
    pub const PREFIX_RULE: &'static str = "0–32 for IPv4, 0–128 for IPv6; empty means one host";

    /// Parses the API's two fields. A missing prefix means a single host.
    pub fn parse(ip: &str, prefix: Option<i64>) -> Result<Self, FieldError> {
        let trimmed = ip.trim();
        if trimmed.is_empty() {
            return Err(FieldError::new(
                Self::IP_FIELD,
                Self::IP_RULE,
                "it is empty",
            ));
        }
        let addr: IpAddr = trimmed.parse().map_err(|_| {
            FieldError::new(
                Self::IP_FIELD,
                Self::IP_RULE,
                format!("{trimmed:?} is not an IP address{}", ip_hint(trimmed)),
            )
        })?;
        let max: i64 = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if !(0..=max).contains(&prefix) {
            let family = if addr.is_ipv4() { "IPv4" } else { "IPv6" };
            return Err(FieldError::new(
                Self::PREFIX_FIELD,
                Self::PREFIX_RULE,
                format!("{prefix} is out of range for an {family} address (0–{max})"),
            ));
        }
        Ok(Self {
            ip: addr,
            prefix: prefix as u8,
        })
    }

    /// Parses what a person types in one box: `203.0.113.10`,
    /// `203.0.113.0/24`, `2001:db8::/32`, with surrounding spaces.
    pub fn parse_input(input: &str) -> Result<Self, FieldError> {
        let input = input.trim();
        match input.split_once('/') {
            None => Self::parse(input, None),
            Some((ip, prefix)) => {
                let prefix = prefix.trim();
                let n: i64 = prefix.parse().map_err(|_| {
                    FieldError::new(
                        Self::PREFIX_FIELD,
                        Self::PREFIX_RULE,
                        format!("{prefix:?} after '/' is not a number"),
                    )
                })?;
                Self::parse(ip, Some(n))
            }
        }
    }

    /// The network this entry admits, host bits cleared.
    pub fn network(&self) -> IpNet {
        IpNet::new(self.ip, self.prefix)
            .expect("prefix checked at parse")
            .trunc()
    }

    /// True when the address has bits set below the prefix
    /// (`203.0.113.10/24`): the entry admits its whole network anyway.
    pub fn host_bits_set(&self) -> bool {
        self.network().addr() != self.ip
    }

    /// Whether this entry admits `addr`.
    pub fn admits(&self, addr: IpAddr) -> bool {
        self.network().contains(&addr)
    }
}

impl std::fmt::Display for IpEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.ip, self.prefix)
    }
}

/// A short hint for the commonest typos in dotted quads.
fn ip_hint(s: &str) -> String {
    let parts: Vec<&str> = s.split('.').collect();
    if parts.len() == 4 && !s.contains(':') {
        if let Some(p) = parts
            .iter()
            .find(|p| p.parse::<u32>().is_ok_and(|n| n > 255))
        {
            return format!(": {p} is above 255");
        }
        if parts.iter().any(|p| p.is_empty()) {
            return ": a part between dots is empty".to_string();
        }
    } else if !s.contains(':')
        && s.split('.').count() != 4
        && s.chars().all(|c| c.is_ascii_digit() || c == '.')
    {
        return format!(": an IPv4 address has 4 parts, this has {}", parts.len());
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// (ip, prefix, Ok(display) | Err((field, problem fragment)))
    type Case<'a> = (&'a str, Option<i64>, Result<&'a str, (&'a str, &'a str)>);

    #[test]
    fn parse_fields() {
        let table: &[Case] = &[
            ("203.0.113.10", None, Ok("203.0.113.10/32")),
            ("203.0.113.0", Some(24), Ok("203.0.113.0/24")),
            ("10.0.0.0", Some(0), Ok("10.0.0.0/0")),
            ("10.0.0.0", Some(32), Ok("10.0.0.0/32")),
            (
                "10.0.0.0",
                Some(33),
                Err((
                    "cidr_prefix",
                    "33 is out of range for an IPv4 address (0–32)",
                )),
            ),
            (
                "10.0.0.0",
                Some(-1),
                Err(("cidr_prefix", "-1 is out of range")),
            ),
            ("2001:db8::", Some(32), Ok("2001:db8::/32")),
            ("::1", None, Ok("::1/128")),
            ("::1", Some(128), Ok("::1/128")),
            (
                "::1",
                Some(129),
                Err((
                    "cidr_prefix",
                    "129 is out of range for an IPv6 address (0–128)",
                )),
            ),
            ("203.0.113.256", None, Err(("ip", "256 is above 255"))),
            ("203.0.113", None, Err(("ip", "4 parts, this has 3"))),
            ("203..113.1", None, Err(("ip", "empty"))),
            ("", None, Err(("ip", "it is empty"))),
            ("pbx.example.com", None, Err(("ip", "is not an IP address"))),
        ];
        for (ip, prefix, want) in table {
            match (IpEntry::parse(ip, *prefix), want) {
                (Ok(e), Ok(s)) => assert_eq!(e.to_string(), *s, "{ip}"),
                (Err(e), Err((field, problem))) => {
                    assert_eq!(e.field, *field, "{ip}");
                    assert!(e.problem.contains(problem), "{ip}: {}", e.problem);
                }
                (got, want) => panic!("{ip} {prefix:?}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn parse_typed_input() {
        let table: &[(&str, Result<&str, &str>)] = &[
            ("203.0.113.10", Ok("203.0.113.10/32")),
            (" 203.0.113.0/24 ", Ok("203.0.113.0/24")),
            ("2001:db8::/32", Ok("2001:db8::/32")),
            ("10.0.0.0/33", Err("33 is out of range")),
            ("::1/129", Err("129 is out of range")),
            ("203.0.113.256", Err("256 is above 255")),
            ("10.0.0.0/abc", Err("not a number")),
        ];
        for (input, want) in table {
            match (IpEntry::parse_input(input), want) {
                (Ok(e), Ok(s)) => assert_eq!(e.to_string(), *s),
                (Err(e), Err(p)) => assert!(e.problem.contains(p), "{input}: {}", e.problem),
                (got, want) => panic!("{input}: got {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn host_bits_and_admission() {
        let e = IpEntry::parse_input("203.0.113.10/24").unwrap();
        assert!(e.host_bits_set());
        assert_eq!(e.network().to_string(), "203.0.113.0/24");
        assert!(e.admits("203.0.113.200".parse().unwrap()));
        assert!(!e.admits("203.0.114.1".parse().unwrap()));
        assert!(!IpEntry::parse_input("203.0.113.0/24")
            .unwrap()
            .host_bits_set());
        let all = IpEntry::parse_input("::/0").unwrap();
        assert!(all.admits("2001:db8::7".parse().unwrap()));
        assert!(!all.admits("198.51.100.7".parse().unwrap()));
    }
}
