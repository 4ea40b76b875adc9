//! Analysis of an ACL's entries, the IP tester and bulk import: what the
//! console shows beside the entries, computed the same way everywhere.

use crate::error::FieldError;
use crate::{quota, Description, IpEntry};
use ipnet::IpNet;
use std::net::IpAddr;

/// Something worth telling the administrator about one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// `203.0.113.10/24`: the address has bits below the prefix.
    HostBits { network: IpNet },
    /// The same network as an earlier entry.
    Duplicate { of: usize },
    /// Inside a wider entry, so it adds nothing. (CIDR blocks never overlap
    /// partially: two blocks are disjoint or one contains the other.)
    Shadowed { by: usize, wider: IpNet },
    /// Prefix 0: admits every address of its family.
    AllowsEverything,
}

/// A finding about the entry at `index` (0-based, in the order given).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryFinding {
    pub index: usize,
    pub finding: Finding,
}

impl EntryFinding {
    /// The finding in words; `label(i)` names entry `i` (e.g. its address).
    pub fn message(&self, label: impl Fn(usize) -> String) -> String {
        match &self.finding {
            Finding::HostBits { network } => {
                format!("host bits set; the network is {network}")
            }
            Finding::Duplicate { of } => format!("duplicate of {}", label(*of)),
            Finding::Shadowed { by, wider } => {
                format!("redundant: {} ({wider}) already admits it", label(*by))
            }
            Finding::AllowsEverything => "allows every address".to_string(),
        }
    }
}

/// Host bits, duplicates, shadowed entries and catch-alls among `entries`.
pub fn analyze(entries: &[IpEntry]) -> Vec<EntryFinding> {
    let mut out = Vec::new();
    let networks: Vec<IpNet> = entries.iter().map(IpEntry::network).collect();
    for (i, entry) in entries.iter().enumerate() {
        if entry.prefix == 0 {
            out.push(EntryFinding {
                index: i,
                finding: Finding::AllowsEverything,
            });
        } else if entry.host_bits_set() {
            out.push(EntryFinding {
                index: i,
                finding: Finding::HostBits {
                    network: networks[i],
                },
            });
        }
        let net = networks[i];
        if let Some(of) = networks[..i].iter().position(|n| *n == net) {
            out.push(EntryFinding {
                index: i,
                finding: Finding::Duplicate { of },
            });
            continue;
        }
        // The widest entry that contains this one, if any.
        let wider = networks
            .iter()
            .enumerate()
            .filter(|(j, n)| *j != i && n.prefix_len() < net.prefix_len() && n.contains(&net))
            .min_by_key(|(_, n)| n.prefix_len());
        if let Some((by, wider)) = wider {
            out.push(EntryFinding {
                index: i,
                finding: Finding::Shadowed { by, wider: *wider },
            });
        }
    }
    out
}

/// One entry that admits an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admission<K> {
    /// The caller's key for the ACL (its id or name).
    pub acl: K,
    /// Index of the entry within that ACL.
    pub index: usize,
    pub network: IpNet,
}

/// Which entries of which ACLs admit `addr`, longest prefix first.
pub fn admitting<'a, K: Clone + 'a>(
    addr: IpAddr,
    acls: impl IntoIterator<Item = (K, &'a [IpEntry])>,
) -> Vec<Admission<K>> {
    let mut found: Vec<Admission<K>> = acls
        .into_iter()
        .flat_map(|(key, entries)| {
            entries
                .iter()
                .enumerate()
                .filter(move |(_, e)| e.admits(addr))
                .map({
                    let key = key.clone();
                    move |(index, e)| Admission {
                        acl: key.clone(),
                        index,
                        network: e.network(),
                    }
                })
        })
        .collect();
    found.sort_by_key(|a| std::cmp::Reverse(a.network.prefix_len()));
    found
}

/// A pasted line turned into an entry to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportLine {
    /// 1-based line number in the paste.
    pub line: usize,
    pub entry: IpEntry,
    pub description: Description,
}

/// A line that cannot be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub line: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Import {
    pub entries: Vec<ImportLine>,
    pub errors: Vec<ImportError>,
}

/// Parses pasted lines or CSV, `ip[/prefix][,description]` per line.
/// Blank lines and `#` comments are skipped; a header line `ip,…` too.
/// `existing` are the ACL's current entries: duplicates of them, duplicates
/// inside the paste, and lines beyond the 50-entry quota are errors.
pub fn parse_import(text: &str, existing: &[IpEntry]) -> Import {
    let mut out = Import::default();
    let room = (quota::ENTRIES_PER_ACL as usize).saturating_sub(existing.len());
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let raw = raw.trim();
        if raw.is_empty() || raw.starts_with('#') {
            continue;
        }
        let (address, description) = match raw.split_once([',', '\t', ';']) {
            Some((a, d)) => (a.trim(), unquote(d.trim())),
            None => (raw, String::new()),
        };
        if i == 0 && address.eq_ignore_ascii_case("ip") {
            continue; // a CSV header
        }
        let fail = |e: FieldError| ImportError {
            line,
            message: e.to_string(),
        };
        let entry = match IpEntry::parse_input(address) {
            Ok(e) => e,
            Err(e) => {
                out.errors.push(fail(e));
                continue;
            }
        };
        let description = match Description::parse(&description) {
            Ok(d) => d,
            Err(e) => {
                out.errors.push(fail(e));
                continue;
            }
        };
        let net = entry.network();
        if let Some(prev) = out.entries.iter().find(|l| l.entry.network() == net) {
            out.errors.push(ImportError {
                line,
                message: format!("duplicate of line {} ({net})", prev.line),
            });
            continue;
        }
        if existing.iter().any(|e| e.network() == net) {
            out.errors.push(ImportError {
                line,
                message: format!("{net} is already in this ACL"),
            });
            continue;
        }
        if out.entries.len() >= room {
            out.errors.push(ImportError {
                line,
                message: format!(
                    "over the quota: an ACL holds at most {} entries and this one has {}, so only {room} more fit",
                    quota::ENTRIES_PER_ACL,
                    existing.len()
                ),
            });
            continue;
        }
        out.entries.push(ImportLine {
            line,
            entry,
            description,
        });
    }
    out
}

/// `"a ""quoted"" text"` → `a "quoted" text`, as CSV writes it.
fn unquote(s: &str) -> String {
    match s.strip_prefix('"').and_then(|s| s.strip_suffix('"')) {
        Some(inner) => inner.replace("\"\"", "\""),
        None => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn entries(list: &[&str]) -> Vec<IpEntry> {
        list.iter()
            .map(|s| IpEntry::parse_input(s).unwrap())
            .collect()
    }

    fn messages(list: &[&str]) -> Vec<(usize, String)> {
        let e = entries(list);
        analyze(&e)
            .iter()
            .map(|f| (f.index, f.message(|i| e[i].to_string())))
            .collect()
    }

    /// (entries, expected (index, message) findings)
    type Case<'a> = (&'a [&'a str], &'a [(usize, &'a str)]);

    #[test]
    fn findings_on_entries() {
        let table: &[Case] = &[
            (&["203.0.113.10", "198.51.100.0/24"], &[]),
            (
                &["203.0.113.10/24"],
                &[(0, "host bits set; the network is 203.0.113.0/24")],
            ),
            (
                &["10.0.0.0/8", "10.1.2.0/24"],
                &[(1, "redundant: 10.0.0.0/8 (10.0.0.0/8) already admits it")],
            ),
            (
                &["10.1.2.0/24", "10.0.0.0/8"],
                &[(0, "redundant: 10.0.0.0/8 (10.0.0.0/8) already admits it")],
            ),
            (
                &["203.0.113.0/24", "203.0.113.7/24"],
                &[
                    (1, "host bits set; the network is 203.0.113.0/24"),
                    (1, "duplicate of 203.0.113.0/24"),
                ],
            ),
            (&["0.0.0.0/0"], &[(0, "allows every address")]),
            (
                &["::/0", "2001:db8::/32"],
                &[
                    (0, "allows every address"),
                    (1, "redundant: ::/0 (::/0) already admits it"),
                ],
            ),
            // Families never shadow each other.
            (
                &["0.0.0.0/0", "2001:db8::1"],
                &[(0, "allows every address")],
            ),
        ];
        for (list, want) in table {
            let got = messages(list);
            let want: Vec<(usize, String)> =
                want.iter().map(|(i, m)| (*i, m.to_string())).collect();
            assert_eq!(got, want, "{list:?}");
        }
    }

    #[test]
    fn tester_orders_longest_prefix_first() {
        let office = entries(&["198.51.100.0/24", "10.0.0.0/8"]);
        let pbx = entries(&["198.51.100.7", "0.0.0.0/0"]);
        let addr: IpAddr = "198.51.100.7".parse().unwrap();
        let found = admitting(
            addr,
            [("office", office.as_slice()), ("pbx", pbx.as_slice())],
        );
        let got: Vec<(&str, String)> = found
            .iter()
            .map(|a| (a.acl, a.network.to_string()))
            .collect();
        assert_eq!(
            got,
            [
                ("pbx", "198.51.100.7/32".to_string()),
                ("office", "198.51.100.0/24".into()),
                ("pbx", "0.0.0.0/0".into())
            ]
        );
        assert!(admitting(
            "192.0.2.1".parse().unwrap(),
            [("office", office.as_slice())]
        )
        .is_empty());
    }

    #[test]
    fn import_reports_each_line() {
        let existing = entries(&["192.0.2.1"]);
        let text = "ip,description\n\
                    203.0.113.10, Primary PBX\n\
                    \n\
                    # the branch office\n\
                    198.51.100.0/24,\"Branch \"\"B\"\"\"\n\
                    203.0.113.256\n\
                    10.0.0.0/33\n\
                    203.0.113.10/32,again\n\
                    192.0.2.1\n\
                    2001:db8::/32\t v6 range";
        let got = parse_import(text, &existing);
        let ok: Vec<(usize, String, &str)> = got
            .entries
            .iter()
            .map(|l| (l.line, l.entry.to_string(), l.description.as_str()))
            .collect();
        assert_eq!(
            ok,
            [
                (2, "203.0.113.10/32".to_string(), "Primary PBX"),
                (5, "198.51.100.0/24".into(), "Branch \"B\""),
                (10, "2001:db8::/32".into(), "v6 range"),
            ]
        );
        let errors: Vec<(usize, &str)> = got
            .errors
            .iter()
            .map(|e| (e.line, e.message.as_str()))
            .collect();
        assert_eq!(errors.len(), 4, "{errors:?}");
        assert!(errors[0].0 == 6 && errors[0].1.contains("256 is above 255"));
        assert!(errors[1].0 == 7 && errors[1].1.contains("33 is out of range"));
        assert!(errors[2].0 == 8 && errors[2].1.contains("duplicate of line 2"));
        assert!(errors[3].0 == 9 && errors[3].1.contains("already in this ACL"));
    }

    #[test]
    fn import_counts_the_quota_against_existing_entries() {
        let existing: Vec<IpEntry> = (0..48)
            .map(|i| IpEntry::parse_input(&format!("10.0.0.{i}")).unwrap())
            .collect();
        let got = parse_import("192.0.2.1\n192.0.2.2\n192.0.2.3\n", &existing);
        assert_eq!(got.entries.len(), 2);
        assert_eq!(got.errors.len(), 1);
        assert_eq!(got.errors[0].line, 3);
        assert!(
            got.errors[0].message.contains("only 2 more fit"),
            "{}",
            got.errors[0].message
        );
    }
}
