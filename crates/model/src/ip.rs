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

    /// Parses the API's two fields for a new entry. A missing prefix means
    /// a single host. Refused besides the syntax: an IPv4 address written as
    /// IPv6 (`::ffff:192.0.2.1`; SIP traffic from it arrives as IPv4, so the
    /// entry would never match: [`IpEntry::ipv4_instead`] gives the form to
    /// use) and the unspecified address (`0.0.0.0`, `::`), never a source.
    pub fn parse(ip: &str, prefix: Option<i64>) -> Result<Self, FieldError> {
        let entry = Self::read(ip, prefix)?;
        if let Some(mapped) = entry.mapped_ipv4() {
            let problem = match mapped {
                Some(v4) => format!(
                    "{} is an IPv4 address written as IPv6; SIP traffic from it arrives as IPv4: enter {}",
                    entry.short(),
                    v4.short()
                ),
                None => format!(
                    "{entry} is an IPv4 address written as IPv6 with a prefix length below 96, which covers more than IPv4 addresses: enter the IPv4 address or range instead (e.g. 192.0.2.0/24)"
                ),
            };
            return Err(FieldError::new(Self::IP_FIELD, Self::IP_RULE, problem));
        }
        if entry.ip.is_unspecified() && entry.prefix == entry.max_prefix() {
            return Err(FieldError::new(
                Self::IP_FIELD,
                Self::IP_RULE,
                format!(
                    "{} is the unspecified address, which no packet comes from",
                    entry.ip
                ),
            ));
        }
        Ok(entry)
    }

    /// The IPv4 entry to use instead of an IPv4-mapped IPv6 one
    /// (`::ffff:192.0.2.0/120` → `192.0.2.0/24`), for typed input: what
    /// the console offers as a one-click fix when [`IpEntry::parse_input`]
    /// refuses a mapped address. `None` for anything else.
    pub fn ipv4_instead(input: &str) -> Option<IpEntry> {
        Self::read_input(input).ok()?.mapped_ipv4().flatten()
    }

    /// `Some(Some(v4))` when this is an IPv4-mapped IPv6 entry with an
    /// IPv4 equivalent (prefix 96 or more), `Some(None)` when it is mapped
    /// with a shorter prefix, `None` when it is not mapped.
    fn mapped_ipv4(&self) -> Option<Option<IpEntry>> {
        let IpAddr::V6(v6) = self.ip else { return None };
        let v4 = v6.to_ipv4_mapped()?;
        Some(self.prefix.checked_sub(96).map(|prefix| IpEntry {
            ip: IpAddr::V4(v4),
            prefix,
        }))
    }

    /// The longest prefix of this entry's family (32 or 128).
    fn max_prefix(&self) -> u8 {
        if self.ip.is_ipv4() {
            32
        } else {
            128
        }
    }

    /// As users write it: the address alone for a single host.
    fn short(&self) -> String {
        if self.prefix == self.max_prefix() {
            self.ip.to_string()
        } else {
            self.to_string()
        }
    }

    /// True for a link-local entry (`169.254.0.0/16`, `fe80::/10`): only
    /// a device on the SIP server's own network segment has such an address.
    pub fn is_link_local(&self) -> bool {
        let net = self.network();
        let link_local: IpNet = if self.ip.is_ipv4() {
            "169.254.0.0/16"
        } else {
            "fe80::/10"
        }
        .parse()
        .expect("constant");
        link_local.contains(&net)
    }

    /// Reads an entry as stored: the syntax and prefix range only, not the
    /// rules for new entries (rows written before a rule existed stay
    /// readable).
    pub fn read(ip: &str, prefix: Option<i64>) -> Result<Self, FieldError> {
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
        let (ip, prefix) = split_input(input)?;
        Self::parse(ip, prefix)
    }

    /// [`IpEntry::parse_input`] with the syntax rules only.
    fn read_input(input: &str) -> Result<Self, FieldError> {
        let (ip, prefix) = split_input(input)?;
        Self::read(ip, prefix)
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

/// Typed input split into the address and the prefix after `/`, if any.
fn split_input(input: &str) -> Result<(&str, Option<i64>), FieldError> {
    let input = input.trim();
    match input.split_once('/') {
        None => Ok((input, None)),
        Some((ip, prefix)) => {
            let prefix = prefix.trim();
            let n: i64 = prefix.parse().map_err(|_| {
                FieldError::new(
                    IpEntry::PREFIX_FIELD,
                    IpEntry::PREFIX_RULE,
                    format!("{prefix:?} after '/' is not a number"),
                )
            })?;
            Ok((ip, Some(n)))
        }
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

    /// (typed input, Ok(entry) | Err(problem fragment), the IPv4 fix offered)
    type FormCase<'a> = (&'a str, Result<&'a str, &'a str>, Option<&'a str>);

    #[test]
    fn ipv6_forms_for_new_entries() {
        let table: &[FormCase] = &[
            (
                "::ffff:192.0.2.1",
                Err("::ffff:192.0.2.1 is an IPv4 address written as IPv6; SIP traffic from it arrives as IPv4: enter 192.0.2.1"),
                Some("192.0.2.1/32"),
            ),
            (
                "::ffff:192.0.2.0/120",
                Err("enter 192.0.2.0/24"),
                Some("192.0.2.0/24"),
            ),
            ("::ffff:0:0/96", Err("enter 0.0.0.0/0"), Some("0.0.0.0/0")),
            (
                "::ffff:192.0.2.0/80",
                Err("with a prefix length below 96"),
                None,
            ),
            ("::", Err(":: is the unspecified address"), None),
            ("::/128", Err("unspecified address"), None),
            ("0.0.0.0", Err("0.0.0.0 is the unspecified address"), None),
            ("0.0.0.0/32", Err("unspecified address"), None),
            // Catch-alls are ranges, not the unspecified address (a warning).
            ("0.0.0.0/0", Ok("0.0.0.0/0"), None),
            ("::/0", Ok("::/0"), None),
            // Link-local is accepted (the analysis warns).
            ("fe80::1", Ok("fe80::1/128"), None),
            ("169.254.10.1", Ok("169.254.10.1/32"), None),
            // IPv4-compatible and other IPv6 forms are plain IPv6.
            ("2001:db8::ffff:192.0.2.1", Ok("2001:db8::ffff:c000:201/128"), None),
            ("192.0.2.1", Ok("192.0.2.1/32"), None),
        ];
        for (input, want, fix) in table {
            match (IpEntry::parse_input(input), want) {
                (Ok(e), Ok(s)) => assert_eq!(e.to_string(), *s, "{input}"),
                (Err(e), Err(p)) => {
                    assert_eq!(e.field, "ip", "{input}");
                    assert!(e.problem.contains(p), "{input}: {}", e.problem);
                }
                (got, want) => panic!("{input}: got {got:?}, want {want:?}"),
            }
            let offered = IpEntry::ipv4_instead(input).map(|e| e.to_string());
            assert_eq!(offered.as_deref(), *fix, "{input}");
            // Stored rows written before these rules stay readable.
            assert!(IpEntry::read(input.split('/').next().unwrap(), None).is_ok());
        }
    }

    #[test]
    fn link_local() {
        for (input, want) in [
            ("169.254.0.0/16", true),
            ("169.254.3.4", true),
            ("169.0.0.0/8", false),
            ("fe80::/10", true),
            ("fe80::1%eth0", false),
            ("febf::1", true),
            ("fec0::1", false),
            ("2001:db8::1", false),
            ("192.0.2.1", false),
        ] {
            let Ok(e) = IpEntry::parse_input(input) else {
                assert!(!want, "{input} should parse");
                continue;
            };
            assert_eq!(e.is_link_local(), want, "{input}");
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
