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
    /// Inside `169.254.0.0/16` or `fe80::/10`: such a source is only ever
    /// on the SIP server's own network segment (routers do not forward it).
    LinkLocal,
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
            // A label that is the address itself is not repeated.
            Finding::Shadowed { by, wider } => match label(*by) {
                name if name == wider.to_string() => {
                    format!("redundant: {wider} already admits it")
                }
                name => format!("redundant: {name} ({wider}) already admits it"),
            },
            Finding::AllowsEverything => "allows every address".to_string(),
            Finding::LinkLocal => {
                "link-local: only a device on the SIP server's own network segment has this address"
                    .to_string()
            }
        }
    }
}

/// Host bits, duplicates, shadowed entries, catch-alls and link-local
/// entries among `entries`.
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
        if entry.is_link_local() {
            out.push(EntryFinding {
                index: i,
                finding: Finding::LinkLocal,
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
    /// What adding it by hand would warn about, in words (host bits,
    /// catch-all, link-local, redundant beside the ACL's entries or the
    /// paste's other lines). It is imported all the same.
    pub warnings: Vec<String>,
}

/// A line whose network the ACL already has: nothing to do, not an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlreadyPresent {
    pub line: usize,
    /// The line's entry as given (host bits included).
    pub entry: IpEntry,
}

/// A line that cannot be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub line: usize,
    pub message: String,
}

/// A paste, line by line: what will be imported (with its warnings), what
/// cannot be, and what the ACL already has.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Import {
    pub entries: Vec<ImportLine>,
    pub errors: Vec<ImportError>,
    /// Lines whose network is already an entry of this ACL (after a
    /// successful import, every line of the paste).
    pub present: Vec<AlreadyPresent>,
}

/// A rule broken on one line, the field named as the import's columns
/// name it (not the API's parameter).
fn in_words(e: FieldError) -> String {
    let field = match e.field {
        IpEntry::IP_FIELD => "address",
        IpEntry::PREFIX_FIELD => "prefix length",
        other => other,
    };
    format!("{field}: {} (rule: {})", e.problem, e.rule)
}

/// Parses pasted lines or CSV, `ip[/prefix][,description]` per line.
/// Blank lines and `#` comments are skipped; a header line `ip,…` too.
/// Addresses and descriptions may be quoted as CSV quotes them; a
/// description's leading `'` before `=`, `+`, `-` or `@` (how an export
/// keeps a spreadsheet from reading a formula) is dropped
/// ([`crate::spreadsheet::unguard`]).
/// `existing` are the ACL's current entries: lines already there are
/// [`Import::present`]; duplicates inside the paste and lines beyond the
/// 50-entry quota are errors; each line to import carries its warnings.
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
            // A description an export guarded against spreadsheet formulas
            // reads back as it was stored.
            Some((a, d)) => (
                unquote(a.trim()),
                crate::spreadsheet::unguard(&unquote(d.trim())).to_string(),
            ),
            None => (unquote(raw), String::new()),
        };
        let address = address.as_str();
        if i == 0 && address.eq_ignore_ascii_case("ip") {
            continue; // a CSV header
        }
        let fail = |e: FieldError| ImportError {
            line,
            message: in_words(e),
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
            out.present.push(AlreadyPresent { line, entry });
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
            warnings: Vec::new(),
        });
    }
    warn(&mut out.entries, existing);
    out
}

/// Adds to each line what [`analyze`] says about it among the ACL's
/// entries and the other lines, as adding the lines by hand would.
fn warn(lines: &mut [ImportLine], existing: &[IpEntry]) {
    let n = existing.len();
    let all: Vec<IpEntry> = existing
        .iter()
        .copied()
        .chain(lines.iter().map(|l| l.entry))
        .collect();
    let numbers: Vec<usize> = lines.iter().map(|l| l.line).collect();
    // Entry `i` named from line `me`'s side.
    let label = |me: usize, i: usize| {
        if i == me {
            "this line".to_string()
        } else if i < n {
            existing[i].to_string()
        } else {
            format!("line {}", numbers[i - n])
        }
    };
    for f in analyze(&all) {
        if f.index >= n {
            let me = f.index;
            lines[me - n].warnings.push(f.message(|i| label(me, i)));
        } else if let Finding::Shadowed { by, .. } = f.finding {
            // A line that makes one of the ACL's entries redundant.
            if by >= n {
                let message = f.message(|i| label(by, i));
                lines[by - n]
                    .warnings
                    .push(format!("{} becomes {message}", existing[f.index]));
            }
        }
    }
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

    const LINK_LOCAL: &str =
        "link-local: only a device on the SIP server's own network segment has this address";

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
                &[(1, "redundant: 10.0.0.0/8 already admits it")],
            ),
            (
                &["10.1.2.0/24", "10.0.0.0/8"],
                &[(0, "redundant: 10.0.0.0/8 already admits it")],
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
                    (1, "redundant: ::/0 already admits it"),
                ],
            ),
            (
                &["10.0.0.1/8", "10.1.2.0/24"],
                &[
                    (0, "host bits set; the network is 10.0.0.0/8"),
                    (1, "redundant: 10.0.0.1/8 (10.0.0.0/8) already admits it"),
                ],
            ),
            (
                &["fe80::1", "169.254.0.0/16", "169.254.7.7"],
                &[
                    (0, LINK_LOCAL),
                    (1, LINK_LOCAL),
                    (2, LINK_LOCAL),
                    (2, "redundant: 169.254.0.0/16 already admits it"),
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
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(
            errors[0].0 == 6
                && errors[0].1.starts_with("address: ")
                && errors[0].1.contains("256 is above 255")
        );
        assert!(
            errors[1].0 == 7
                && errors[1].1.starts_with("prefix length: ")
                && errors[1].1.contains("33 is out of range")
        );
        assert!(errors[2].0 == 8 && errors[2].1.contains("duplicate of line 2"));
        // What the ACL already has is neither imported nor an error.
        assert_eq!(
            got.present,
            [AlreadyPresent {
                line: 9,
                entry: existing[0]
            }]
        );
        assert!(got.entries.iter().all(|l| l.warnings.is_empty()));
    }

    #[test]
    fn import_says_in_the_users_words_never_the_apis() {
        let got = parse_import(
            "10.0.0.0/x
::ffff:192.0.2.1
",
            &[],
        );
        let messages: Vec<&str> = got.errors.iter().map(|e| e.message.as_str()).collect();
        assert_eq!(messages.len(), 2);
        assert!(
            messages[0].starts_with("prefix length: "),
            "{}",
            messages[0]
        );
        // A mapped address is refused per line, with the same words as by hand.
        assert!(
            messages[1].starts_with("address: ::ffff:192.0.2.1 is an IPv4 address written as IPv6; SIP traffic from it arrives as IPv4: enter 192.0.2.1"),
            "{}",
            messages[1]
        );
        for m in messages {
            assert!(!m.contains("ip:") && !m.contains("cidr_prefix"), "{m}");
        }
    }

    #[test]
    fn a_mapped_address_beside_its_ipv4_form_cannot_happen() {
        // By hand: refused, so the tester and duplicate checks never see it.
        assert!(IpEntry::parse_input("::ffff:1.2.3.4").is_err());
        let got = parse_import(
            "1.2.3.4
::ffff:1.2.3.4
",
            &[],
        );
        assert_eq!(got.entries.len(), 1);
        assert_eq!(got.errors.len(), 1);
        assert_eq!(got.errors[0].line, 2);
        assert!(got.errors[0].message.contains("enter 1.2.3.4"));
    }

    #[test]
    fn a_description_guarded_against_formulas_reads_back_as_stored() {
        let got = parse_import(
            "\"ip\",\"description\"\r\n\"192.0.2.1/32\",\"'=HYPERLINK(1)\"\r\n\"192.0.2.2/32\",\"''-x\"\r\n\"192.0.2.3/32\",\"'tis\"\r\n",
            &[],
        );
        assert!(got.errors.is_empty(), "{:?}", got.errors);
        let descriptions: Vec<&str> = got.entries.iter().map(|l| l.description.as_str()).collect();
        assert_eq!(descriptions, ["=HYPERLINK(1)", "'-x", "'tis"]);
    }

    #[test]
    fn quoted_addresses_are_unquoted_like_descriptions() {
        let got = parse_import("\"203.0.113.10\",\"PBX\"\n\"198.51.100.0/24\"\n", &[]);
        assert!(got.errors.is_empty(), "{:?}", got.errors);
        let ok: Vec<(String, &str)> = got
            .entries
            .iter()
            .map(|l| (l.entry.to_string(), l.description.as_str()))
            .collect();
        assert_eq!(
            ok,
            [
                ("203.0.113.10/32".to_string(), "PBX"),
                ("198.51.100.0/24".into(), "")
            ]
        );
    }

    #[test]
    fn import_warns_as_adding_by_hand_does() {
        let existing = entries(&["192.0.2.0/24", "198.51.100.7"]);
        let text = "10.0.0.1/8\n\
                    10.1.0.0/16\n\
                    192.0.2.5\n\
                    198.51.100.0/24\n\
                    ::/0\n\
                    fe80::1\n\
                    203.0.113.9";
        let got = parse_import(text, &existing);
        assert!(got.errors.is_empty() && got.present.is_empty());
        let warnings: Vec<(usize, Vec<&str>)> = got
            .entries
            .iter()
            .map(|l| (l.line, l.warnings.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            warnings,
            [
                (1, vec!["host bits set; the network is 10.0.0.0/8"]),
                (2, vec!["redundant: line 1 (10.0.0.0/8) already admits it"]),
                (3, vec!["redundant: 192.0.2.0/24 already admits it"]),
                (
                    4,
                    vec!["198.51.100.7/32 becomes redundant: this line (198.51.100.0/24) already admits it"]
                ),
                (5, vec!["allows every address"]),
                (6, vec![LINK_LOCAL, "redundant: line 5 (::/0) already admits it"]),
                (7, vec![]),
            ]
        );
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
