//! The SIP suite of `cargo xtask test`: Debian's Kamailio reads the server's
//! store with deploy/kamailio/kamailio.cfg, and SIPp probes every cell of a
//! matrix on loopback: two accounts on one server, each with a plivo
//! application of every `sip_auth_type`, outbound Zentrunk trunks with and
//! without an ACL, Twilio domains with calls and registrations mappings and
//! a vobiz credential, probed from several 127.0.0.x sources and ::1 with
//! the right and the wrong credentials and sources. Changes made through
//! the API are then probed again, each measured from the API's answer.
//! Then the same cfg on PostgreSQL, with two Kamailio nodes on one
//! database (sip/on_postgres.rs).

use crate::server::{create_account, TestServer};
use crate::steps::{base64, capture, terminate, Counts};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a change may take to be enforced before the check fails.
const DEADLINE: Duration = Duration::from_secs(3);

/// Sources: in account A's assigned ACL, A's ACL that nothing uses, B's
/// assigned ACL, and in none.
const SRC_A: &str = "127.0.0.10";
const SRC_A_UNUSED: &str = "127.0.0.11";
const SRC_B: &str = "127.0.0.20";
const SRC_NONE: &str = "127.0.0.1";

/// Issue 18's bans, as the suite's server is started: a source with more
/// than `BAN_FAILURES` failed digest answers at one account within
/// `BAN_WINDOW` s is banned there. Above the matrix's own wrong answers
/// from SRC_NONE at one account (8: the wrong-password, foreign and
/// hijacker cells and two changes), so only the storms of
/// [`security`] get a source banned.
pub const BAN_FAILURES: u32 = 12;
pub const BAN_WINDOW: u32 = 60;
pub const BAN_SECONDS: u32 = 600;

mod on_postgres;
mod security;

/// A running Kamailio, stopped (SIGTERM, then reaped) when dropped.
pub struct Kamailio {
    pub child: Child,
}

impl Drop for Kamailio {
    fn drop(&mut self) {
        terminate(&mut self.child);
    }
}

impl Kamailio {
    /// Starts Kamailio on deploy/kamailio/kamailio.cfg, as README says to
    /// run it, with its pid file and JSON-RPC socket in `run_dir`, the
    /// `defines` (each passed with -A), `env` added to its environment and
    /// its log (stderr) in `log`.
    pub fn spawn(
        root: &Path,
        run_dir: &Path,
        log: &Path,
        defines: &[String],
        env: &[(&str, &str)],
    ) -> Result<Self, String> {
        let mut cmd = Command::new("/usr/sbin/kamailio");
        cmd.arg("-f")
            .arg(root.join("deploy/kamailio/kamailio.cfg"))
            // As README says to run it: TLSF for private memory.
            .args(["-X", "tlsf", "-DD", "-E", "-P"])
            .arg(run_dir.join("kamailio.pid"))
            .arg("-Y")
            .arg(run_dir);
        for define in defines {
            cmd.arg("-A").arg(define);
        }
        let child = cmd
            .envs(env.iter().copied())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(log).map_err(|e| e.to_string())?)
            .spawn()
            .map_err(|e| format!("cannot start kamailio: {e}"))?;
        Ok(Self { child })
    }
}

/// Waits (at most 10 s) for a Kamailio's JSON-RPC socket; Err with its
/// log when it does not come.
pub fn wait_for_socket(socket: &Path, log: &Path) -> Result<(), String> {
    let started = Instant::now();
    while !socket.exists() {
        if started.elapsed() > Duration::from_secs(10) {
            let log = std::fs::read_to_string(log).unwrap_or_default();
            return Err(format!("kamailio did not start:\n{log}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Ok(())
}

pub fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// A UDP port free on loopback now (the server's `--sip-events`).
pub fn free_udp_port() -> Result<u16, String> {
    std::net::UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// The API, through curl (what a script would do): (status, body).
pub struct Api {
    pub base: String,
    pub auth: String,
}

impl Api {
    pub fn new(base: &str, id: &str, token: &str) -> Self {
        Self {
            base: base.to_string(),
            auth: format!("Authorization: Basic {}", base64(&format!("{id}:{token}"))),
        }
    }

    pub fn call(&self, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
        self.send(method, path, body, "application/json")
    }

    /// A form-urlencoded request (the twilio dialect).
    pub fn form(&self, method: &str, path: &str, pairs: &[(&str, &str)]) -> (u16, String) {
        let body: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{k}={}", urlencode(v)))
            .collect();
        self.send(
            method,
            path,
            Some(&body.join("&")),
            "application/x-www-form-urlencoded",
        )
    }

    fn send(&self, method: &str, path: &str, body: Option<&str>, kind: &str) -> (u16, String) {
        let url = format!("{}{path}", self.base);
        let content_type = format!("Content-Type: {kind}");
        let mut args = vec!["-s", "-X", method, "-w", "\n%{http_code}", "-H", &self.auth];
        if let Some(body) = body {
            args.extend(["-H", &content_type, "--data-binary", body]);
        }
        args.push(&url);
        let out = capture("curl", &args).unwrap_or_default();
        let (body, code) = out.rsplit_once('\n').unwrap_or(("", "0"));
        (code.trim().parse().unwrap_or(0), body.to_string())
    }

    /// The JSON answer of a request that must succeed.
    pub fn ok(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> Result<serde_json::Value, String> {
        parse_ok(method, path, self.call(method, path, body))
    }

    pub fn form_ok(
        &self,
        method: &str,
        path: &str,
        pairs: &[(&str, &str)],
    ) -> Result<serde_json::Value, String> {
        parse_ok(method, path, self.form(method, path, pairs))
    }
}

fn parse_ok(
    method: &str,
    path: &str,
    (status, body): (u16, String),
) -> Result<serde_json::Value, String> {
    if !(200..300).contains(&status) {
        return Err(format!("{method} {path} answered {status}: {body}"));
    }
    Ok(serde_json::from_str(&body).unwrap_or_default())
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn text(v: &serde_json::Value, key: &str) -> Result<String, String> {
    v[key]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("no {key} in {v}"))
}

/// The operator's view: Kamailio has all of at least `changes` changes
/// (`/console/sip-server`, with the session in curl's cookie jar).
fn picked_up(base: &str, jar: &Path, changes: u64) -> bool {
    let out = capture(
        "curl",
        &[
            "-s",
            "-b",
            &jar.to_string_lossy(),
            &format!("{base}/console/sip-server"),
        ],
    )
    .unwrap_or_default();
    serde_json::from_str::<serde_json::Value>(&out)
        .ok()
        .is_some_and(|v| {
            v["configured"] == true
                && v["picked_up"] == true
                && v["changes"].as_u64().is_some_and(|n| n >= changes)
        })
}

/// What a probe sends.
#[derive(Clone, Copy, PartialEq)]
pub enum Method {
    Invite,
    Register,
}

/// One SIP request and the final answer it must get. With `auth`, the
/// probe answers the challenge (407 for calls, 401 for registrations)
/// and `expect` is the answer to that.
#[derive(Clone)]
pub struct Probe {
    pub method: Method,
    pub source: &'static str,
    /// The R-URI's user (calls) or the AoR's user (registrations).
    pub user: String,
    pub domain: String,
    pub auth: Option<(String, String)>,
    pub expect: u16,
}

/// SIPp scenarios, written once per run from their shape.
pub struct Scenarios {
    dir: PathBuf,
}

impl Scenarios {
    pub fn new(dir: &Path) -> Result<Self, String> {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
        Ok(Self {
            dir: dir.to_path_buf(),
        })
    }

    /// The file for a probe's shape, written on first use.
    pub fn file(&self, method: Method, auth: bool, expect: u16) -> PathBuf {
        let name = format!(
            "{}-{}-{expect}.xml",
            if method == Method::Invite {
                "invite"
            } else {
                "register"
            },
            if auth { "auth" } else { "plain" }
        );
        let path = self.dir.join(name);
        if !path.exists() {
            let _ = std::fs::write(&path, scenario(method, auth, expect, &PROBE));
        }
        path
    }
}

/// The SIPp keywords a scenario is written with: the probes' command-line
/// ones, or the bench's CSV fields.
pub struct Keywords {
    /// Who sends: the AoR's user of a REGISTER, the caller of an INVITE.
    pub user: &'static str,
    /// The R-URI's user of an INVITE.
    pub callee: &'static str,
    pub domain: &'static str,
    /// What answers the challenge.
    pub authorization: &'static str,
}

/// `-s USER -key domain D -au/-ap`, as [`sipp`] runs them.
const PROBE: Keywords = Keywords {
    user: "[service]",
    callee: "[service]",
    domain: "[domain]",
    authorization: "[authentication]",
};

/// A SIPp scenario: the request, then (with auth) the challenge answered,
/// then the expected final answer. Kamailio answers statelessly, so no
/// ACK follows.
pub fn scenario(method: Method, auth: bool, expect: u16, k: &Keywords) -> String {
    let Keywords {
        user,
        callee,
        domain,
        authorization,
    } = k;
    let request = |cseq: u32, authorization: &str| match method {
        Method::Invite => format!(
            "INVITE sip:{callee}@{domain} SIP/2.0\n\
             Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n\
             From: <sip:{user}@{domain}>;tag=[pid]SIPpTag[call_number]\n\
             To: <sip:{callee}@{domain}>\n\
             Call-ID: [call_id]\n\
             CSeq: {cseq} INVITE\n\
             Contact: <sip:{user}@[local_ip]:[local_port]>\n\
             {authorization}Max-Forwards: 70\n\
             Content-Length: 0\n\n"
        ),
        Method::Register => format!(
            "REGISTER sip:{domain} SIP/2.0\n\
             Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n\
             From: <sip:{user}@{domain}>;tag=[pid]SIPpTag[call_number]\n\
             To: <sip:{user}@{domain}>\n\
             Call-ID: [call_id]\n\
             CSeq: {cseq} REGISTER\n\
             Contact: <sip:{user}@[local_ip]:[local_port]>\n\
             {authorization}Max-Forwards: 70\n\
             Expires: 3600\n\
             Content-Length: 0\n\n"
        ),
    };
    let challenge = if method == Method::Invite { 407 } else { 401 };
    let send = |body: String| format!("  <send retrans=\"500\"><![CDATA[\n{body}]]></send>\n");
    let mut xml =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<scenario name=\"probe\">\n");
    xml += &send(request(1, ""));
    if auth {
        xml += &format!("  <recv response=\"{challenge}\" auth=\"true\"/>\n");
        xml += &send(request(2, &format!("{authorization}\n")));
    }
    xml += &format!("  <recv response=\"{expect}\"/>\n</scenario>\n");
    xml
}

/// Runs one probe with SIPp against Kamailio on `port`; true when it got
/// exactly the answers it expects. An IPv6 source talks to `[::1]`.
pub fn sipp(scenarios: &Scenarios, port: u16, p: &Probe) -> bool {
    let target = if p.source.contains(':') {
        format!("[::1]:{port}")
    } else {
        format!("127.0.0.1:{port}")
    };
    let mut cmd = Command::new("sipp");
    cmd.arg(target)
        .arg("-sf")
        .arg(scenarios.file(p.method, p.auth.is_some(), p.expect))
        .args([
            "-i",
            p.source,
            "-m",
            "1",
            "-nostdin",
            "-timeout",
            "2s",
            "-timeout_error",
        ])
        .args(["-s", &p.user, "-key", "domain", &p.domain]);
    if let Some((user, password)) = &p.auth {
        cmd.args(["-au", user, "-ap", password]);
    }
    cmd.stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// One account's SIP setup: its realm, the addresses of its entry points
/// and the ids the changes act on.
struct Tenant {
    name: &'static str,
    id: String,
    api: Api,
    realm: String,
    /// Passwords differ per account; usernames are the same in both.
    secret: &'static str,
    /// In its assigned ACL.
    source: &'static str,
    /// In an ACL of its own that no entry point uses, if it has one.
    unused: Option<&'static str>,
    /// Entry point → (user, domain) of its SIP address.
    addresses: HashMap<&'static str, (String, String)>,
    ids: HashMap<&'static str, String>,
}

impl Tenant {
    fn new(name: &'static str, base: &str, (id, token): (String, String)) -> Self {
        let (secret, source, unused) = if name == "A" {
            ("Alpha", SRC_A, Some(SRC_A_UNUSED))
        } else {
            ("Bravo", SRC_B, None)
        };
        Self {
            name,
            api: Api::new(base, &id, &token),
            id,
            realm: String::new(),
            secret,
            source,
            unused,
            addresses: HashMap::new(),
            ids: HashMap::new(),
        }
    }

    fn password(&self, user: &str) -> String {
        format!("{}-{user}-Passw0rd", self.secret)
    }

    fn address(&self, entry: &str) -> (String, String) {
        self.addresses[entry].clone()
    }

    /// The API's prefixes for this account: plivo's and twilio's.
    fn paths(&self) -> (String, String) {
        (
            format!("/v1/Account/{}", self.id),
            format!("/2010-04-01/Accounts/{}/SIP", self.id),
        )
    }

    /// A table's text with `{plivo}`, `{twilio}`, `{id}`, `{realm}`,
    /// `{their realm}` and `{<id key>}` filled in for this account.
    fn fill(&self, other: &Tenant, template: &str) -> String {
        let (plivo, twilio) = self.paths();
        let mut out = template
            .replace("{plivo}", &plivo)
            .replace("{twilio}", &twilio)
            .replace("{id}", &self.id)
            .replace("{their realm}", &other.realm)
            .replace("{realm}", &self.realm);
        for (key, id) in &self.ids {
            out = out.replace(&format!("{{{key}}}"), id);
        }
        out
    }

    /// A table's probe sent to this account; None where it names an
    /// unused ACL this account does not have.
    fn probe(&self, other: &Tenant, spec: &Spec) -> Option<Probe> {
        let source = match spec.from {
            Src::Mine => self.source,
            Src::Theirs => other.source,
            Src::Unused => self.unused?,
            Src::Outside => SRC_NONE,
            Src::At(ip) => ip,
        };
        let user = |u: &str| u.to_string();
        let auth = match spec.auth {
            Auth::Plain => None,
            Auth::Own(u) => Some((user(u), self.password(u))),
            Auth::Wrong(u) => Some((user(u), format!("{}-wrong", self.password(u)))),
            Auth::Foreign(u) => Some((user(u), other.password(u))),
            Auth::AtRealm(u) => Some((format!("{u}@{}", self.realm), self.password(u))),
            Auth::Literal(u, p) => Some((user(u), p.to_string())),
        };
        let (to, domain) = self.address(spec.entry);
        Some(Probe {
            method: spec.method,
            source,
            user: spec.aor.map_or(to, user),
            domain,
            auth,
            expect: spec.expect,
        })
    }

    /// POSTs JSON that must succeed and returns the new object's `key`.
    fn create(&self, path: &str, body: serde_json::Value, key: &str) -> Result<String, String> {
        text(&self.api.ok("POST", path, Some(&body.to_string()))?, key)
    }

    /// POSTs a twilio form that must succeed and returns the new SID.
    fn create_form(&self, path: &str, pairs: &[(&str, &str)]) -> Result<String, String> {
        text(&self.api.form_ok("POST", path, pairs)?, "sid")
    }

    /// Records an entry point by its `sip_uri` as shown at `path`.
    fn entry_point(&mut self, entry: &'static str, path: &str, id: String) -> Result<(), String> {
        let shown = self.api.ok("GET", path, None)?;
        self.addresses
            .insert(entry, split_uri(&text(&shown, "sip_uri")?)?);
        self.ids.insert(entry, id);
        Ok(())
    }
}

/// Makes, through the four dialects' APIs, everything the matrix probes.
fn set_up(t: &mut Tenant) -> Result<(), String> {
    let (plivo, _) = t.paths();
    let credential = |t: &Tenant, user: &str| {
        let body = serde_json::json!({"username": user, "password": t.password(user)});
        t.create(
            &format!("{plivo}/SipAuth/Credential/"),
            body,
            "credential_uuid",
        )
    };
    let alice = credential(t, "alice")?;
    let bob = credential(t, "bob")?;
    t.realm = text(
        &t.api
            .ok("GET", &format!("{plivo}/SipAuth/Credential/{alice}/"), None)?,
        "realm",
    )?;
    t.ids.insert("alice", alice.clone());
    t.ids.insert("bob", bob);
    // The office ACL also admits IPv6 loopback.
    let acl = |t: &Tenant, name: &str, ip: &str, v6: bool| {
        let mut entries = vec![serde_json::json!({"ip": ip, "cidr_prefix": 32})];
        if v6 {
            entries.push(serde_json::json!({"ip": "::1", "cidr_prefix": 128}));
        }
        let body = serde_json::json!({"name": name, "entries": entries});
        t.create(
            &format!("{plivo}/SipAuth/IpAccessControlList/"),
            body,
            "ip_acl_uuid",
        )
    };
    let office = acl(t, "Office", t.source, true)?;
    t.ids.insert("office", office.clone());
    if let Some(unused) = t.unused {
        acl(t, "Lab", unused, false)?;
    }

    // Plivo applications, one per sip_auth_type.
    for (entry, kind) in [
        ("app open", ""),
        ("app credential", "credential"),
        ("app ip_acl", "ip_acl"),
        ("app both", "credential_and_ip_acl"),
    ] {
        let body = serde_json::json!({
            "app_name": entry, "answer_url": "https://example.com/answer", "sip_auth_type": kind,
            "credential_uuid": alice, "ip_acl_uuid": office,
        });
        let app_id = t.create(&format!("{plivo}/Application/"), body, "app_id")?;
        t.entry_point(entry, &format!("{plivo}/Application/{app_id}/"), app_id)?;
    }

    // Zentrunk: a trunk credential, outbound trunks with and without an ACL.
    let body = serde_json::json!({"name": "PBX", "username": "pbx", "password": t.password("pbx")});
    let pbx = t.create(
        &format!("{plivo}/Zentrunk/Credential/"),
        body,
        "credential_uuid",
    )?;
    t.ids.insert("pbx", pbx.clone());
    for (entry, with_acl) in [("trunk", false), ("trunk with ACL", true)] {
        let mut body = serde_json::json!({"name": entry, "trunk_direction": "outbound", "credential_uuid": pbx});
        if with_acl {
            body["ip_acl_uuid"] = office.clone().into();
        }
        let trunk = t.create(&format!("{plivo}/Zentrunk/Trunk/"), body, "trunk_id")?;
        t.entry_point(entry, &format!("{plivo}/Zentrunk/Trunk/{trunk}/"), trunk)?;
    }
    set_up_twilio(t)?;

    // Vobiz: an account-wide credential, at the account's realm.
    let body = serde_json::json!({"username": "erin", "password": t.password("erin")});
    let erin = t.create(&format!("/api/v1/account/{}/credentials", t.id), body, "id")?;
    t.ids.insert("erin", erin);
    // Issue 18's checks (sip/security.rs): frank, in both accounts.
    let body = serde_json::json!({"username": "frank", "password": t.password("frank")});
    let frank = t.create(&format!("/api/v1/account/{}/credentials", t.id), body, "id")?;
    t.ids.insert("frank", frank);
    t.addresses
        .insert("realm", ("erin".into(), t.realm.clone()));
    Ok(())
}

/// Twilio: a list for calls (carol), one for registrations (dave), the
/// office ACL for calls; a second domain with SipRegistration off.
fn set_up_twilio(t: &mut Tenant) -> Result<(), String> {
    let (_, twilio) = t.paths();
    let list = |t: &Tenant, name: &str, user: &str| -> Result<String, String> {
        let sid = t.create_form(
            &format!("{twilio}/CredentialLists.json"),
            &[("FriendlyName", name)],
        )?;
        t.api.form_ok(
            "POST",
            &format!("{twilio}/CredentialLists/{sid}/Credentials.json"),
            &[("Username", user), ("Password", &t.password(user))],
        )?;
        Ok(sid)
    };
    let calls = list(t, "Calls", "carol")?;
    let regs = list(t, "Registrations", "dave")?;
    let twilio_acl = t.create_form(
        &format!("{twilio}/IpAccessControlLists.json"),
        &[("FriendlyName", "Twilio office")],
    )?;
    t.api.form_ok(
        "POST",
        &format!("{twilio}/IpAccessControlLists/{twilio_acl}/IpAddresses.json"),
        &[("FriendlyName", "office"), ("IpAddress", t.source)],
    )?;
    for (entry, label, registration) in [
        ("domain", "pbx", "true"),
        ("domain, registration off", "noreg", "false"),
    ] {
        let name = format!("{label}.{}", t.realm);
        let d = t.api.form_ok(
            "POST",
            &format!("{twilio}/Domains.json"),
            &[("DomainName", &name), ("SipRegistration", registration)],
        )?;
        let sid = text(&d, "sid")?;
        let uri = text(&d, "sip_uri")?;
        let domain = uri
            .strip_prefix("sip:")
            .ok_or_else(|| format!("not a sip: address: {uri}"))?
            .to_string();
        let auth = format!("{twilio}/Domains/{sid}/Auth");
        for (mapping, param, list) in [
            ("Calls/CredentialListMappings", "CredentialListSid", &calls),
            (
                "Calls/IpAccessControlListMappings",
                "IpAccessControlListSid",
                &twilio_acl,
            ),
            (
                "Registrations/CredentialListMappings",
                "CredentialListSid",
                &regs,
            ),
        ] {
            t.api.form_ok(
                "POST",
                &format!("{auth}/{mapping}.json"),
                &[(param, list.as_str())],
            )?;
        }
        t.addresses.insert(entry, ("anyone".into(), domain));
        t.ids.insert(entry, sid);
    }
    t.ids.insert("calls list", calls);
    t.ids.insert("registrations list", regs);
    t.ids.insert("twilio acl", twilio_acl);
    Ok(())
}

/// `sip:user@domain` → (user, domain).
fn split_uri(uri: &str) -> Result<(String, String), String> {
    uri.strip_prefix("sip:")
        .and_then(|rest| rest.split_once('@'))
        .map(|(u, d)| (u.to_string(), d.to_string()))
        .ok_or_else(|| format!("not a sip: address: {uri}"))
}

/// The suite on SQLite (one Kamailio), then on PostgreSQL (two Kamailio
/// nodes on one database, see [`on_postgres`]): every check of both.
pub fn suite(root: &Path, server_binary: &Path, dist: &Path) -> (bool, Counts) {
    let mut total = Counts::default();
    let mut ok = true;
    let variants: [(&str, Variant); 2] = [("SQLite", run), ("PostgreSQL", on_postgres::run)];
    for (store, variant) in variants {
        let started = Instant::now();
        println!("xtask: SIP suite on {store}");
        match variant(root, server_binary, dist) {
            Ok(counts) => {
                ok &= counts.failed == 0;
                total.passed += counts.passed;
                total.failed += counts.failed;
            }
            Err(e) => {
                println!("xtask: SIP suite on {store}: {e}");
                ok = false;
            }
        }
        println!(
            "xtask: SIP suite on {store}: {:.0} s",
            started.elapsed().as_secs_f64()
        );
    }
    (ok, total)
}

/// One variant of the suite: its counts, or why it could not run.
type Variant = fn(&Path, &Path, &Path) -> Result<Counts, String>;

/// A running server and Kamailio on one store, with the demo account (A)
/// and a second one (B).
pub struct Stack {
    pub dir: PathBuf,
    pub data: PathBuf,
    pub base: String,
    pub sip_port: u16,
    kamailio: Option<Kamailio>,
    /// Stopped after Kamailio (fields drop in order).
    server: TestServer,
    pub first_run: serde_json::Value,
}

impl Stack {
    /// Starts the server (which makes the store), then Kamailio on it.
    pub fn start(
        root: &Path,
        server_binary: &Path,
        dist: &Path,
        name: &str,
    ) -> Result<Self, String> {
        Self::start_with(root, server_binary, dist, name, &[])
    }

    /// [`Stack::start`] with more `sipauth serve` arguments.
    pub fn start_with(
        root: &Path,
        server_binary: &Path,
        dist: &Path,
        name: &str,
        more: &[&str],
    ) -> Result<Self, String> {
        let dir = std::env::temp_dir().join(format!("sipauth-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let data = dir.join("data");
        let run_dir = dir.join("run");
        std::fs::create_dir_all(&run_dir).map_err(|e| e.to_string())?;
        let sip_port = free_port()?;
        // The datagram socket the README recommends, in Kamailio's run_dir.
        let socket = run_dir.join("kamailio_rpc.sock");
        let rpc = format!("unix:{}", socket.display());
        let dist = dist.to_str().ok_or("dist is not UTF-8")?;
        let events_port = free_udp_port()?;
        let events = format!("127.0.0.1:{events_port}");
        let (failures, window, seconds) = (
            BAN_FAILURES.to_string(),
            BAN_WINDOW.to_string(),
            BAN_SECONDS.to_string(),
        );
        let server = TestServer::start(
            server_binary,
            &data,
            &[
                "--rate-limit",
                "0",
                "--kamailio-rpc",
                &rpc,
                "--dist",
                dist,
                "--sip-events",
                &events,
                "--ban-failures",
                &failures,
                "--ban-window",
                &window,
                "--ban-seconds",
                &seconds,
            ]
            .iter()
            .chain(more)
            .copied()
            .collect::<Vec<_>>(),
            &[],
        )?;
        let base = server.base.clone();
        let db = data.join("sipauth.db");
        let kamailio = Kamailio::spawn(
            root,
            &run_dir,
            &dir.join("kamailio.log"),
            &[
                format!("DBURL=\"sqlite:///{}\"", db.display()),
                format!("SIP_LISTEN=udp:127.0.0.1:{sip_port}"),
                format!("SIP_LISTEN6=udp:[::1]:{sip_port}"),
                format!("EVENTS=\"sip:{events}\""),
            ],
            &[],
        )?;
        let first_run = server.first_run()?;
        let stack = Self {
            dir: dir.clone(),
            data,
            base,
            sip_port,
            kamailio: Some(kamailio),
            server,
            first_run,
        };
        wait_for_socket(&socket, &dir.join("kamailio.log"))?;
        Ok(stack)
    }

    /// A new account made with the CLI while the server runs: (id, token).
    pub fn add_account(
        &self,
        server_binary: &Path,
        auth_id: &str,
    ) -> Result<(String, String), String> {
        let token = format!("{auth_id}-token-0123456789abcdef0123456789");
        create_account(server_binary, &self.data, auth_id, &token)?;
        Ok((auth_id.to_string(), token))
    }

    pub fn demo_account(&self) -> Result<(String, String), String> {
        self.server.demo_account()
    }

    fn stop_kamailio(&mut self) {
        self.kamailio.take();
    }
}

/// Where a table's probe comes from, for the account probed.
#[derive(Clone, Copy)]
enum Src {
    /// Its assigned ACL's source.
    Mine,
    /// The other account's assigned ACL's source.
    Theirs,
    /// Its ACL that no entry point uses (A only; B skips the row).
    Unused,
    /// A source in no ACL.
    Outside,
    At(&'static str),
}

/// How a table's probe answers the challenge.
#[derive(Clone, Copy)]
enum Auth {
    /// No challenge answered.
    Plain,
    /// The account's own password for the user.
    Own(&'static str),
    Wrong(&'static str),
    /// The other account's password for the same username.
    Foreign(&'static str),
    /// The own password, as `user@realm` (devices that do: ha1b).
    AtRealm(&'static str),
    Literal(&'static str, &'static str),
}

/// A probe as the tables write it, made concrete per account by
/// [`Tenant::probe`].
#[derive(Clone, Copy)]
struct Spec {
    method: Method,
    /// The entry point whose address is probed.
    entry: &'static str,
    /// A REGISTER's AoR user; None: the entry point's own user.
    aor: Option<&'static str>,
    from: Src,
    auth: Auth,
    expect: u16,
}

const fn invite(entry: &'static str, from: Src, auth: Auth, expect: u16) -> Spec {
    Spec {
        method: Method::Invite,
        entry,
        aor: None,
        from,
        auth,
        expect,
    }
}

const fn register(
    entry: &'static str,
    aor: &'static str,
    from: Src,
    auth: Auth,
    expect: u16,
) -> Spec {
    Spec {
        method: Method::Register,
        entry,
        aor: Some(aor),
        from,
        auth,
        expect,
    }
}

use Auth::*;
use Src::*;

/// The password A tries to plant in B's realm (the realm hijack of issue 13).
const HIJACK: &str = "Hijack-Passw0rd-1";

/// The static matrix, probed in each account: (what, probe).
const MATRIX: &[(&str, Spec)] = &[
    (
        "no credential, any source: admitted",
        invite("app open", Theirs, Plain, 200),
    ),
    (
        "the assigned credential",
        invite("app credential", Outside, Own("alice"), 200),
    ),
    (
        "the assigned credential as alice@{realm} (ha1b)",
        invite("app credential", Outside, AtRealm("alice"), 200),
    ),
    (
        "wrong password",
        invite("app credential", Outside, Wrong("alice"), 407),
    ),
    (
        "another credential of this account, not assigned",
        invite("app credential", Outside, Own("bob"), 403),
    ),
    (
        "the other account's alice (same username, its realm)",
        invite("app credential", Outside, Foreign("alice"), 407),
    ),
    (
        "the hijacker's password for this realm's alice",
        invite("app credential", Outside, Literal("alice", HIJACK), 407),
    ),
    (
        "source in the assigned ACL",
        invite("app ip_acl", Mine, Plain, 200),
    ),
    (
        "IPv6 source in the assigned ACL",
        invite("app ip_acl", At("::1"), Plain, 200),
    ),
    (
        "source in the other account's ACL",
        invite("app ip_acl", Theirs, Plain, 403),
    ),
    (
        "source in no ACL",
        invite("app ip_acl", Outside, Plain, 403),
    ),
    (
        "source in an ACL of this account not assigned here",
        invite("app ip_acl", Unused, Plain, 403),
    ),
    (
        "assigned credential from the ACL",
        invite("app both", Mine, Own("alice"), 200),
    ),
    (
        "assigned credential without the ACL",
        invite("app both", Outside, Plain, 403),
    ),
    (
        "unassigned credential from the ACL",
        invite("app both", Mine, Own("bob"), 403),
    ),
    (
        "the trunk's credential",
        invite("trunk", Outside, Own("pbx"), 200),
    ),
    (
        "another credential of this account",
        invite("trunk", Outside, Own("alice"), 403),
    ),
    (
        "the other account's trunk credential",
        invite("trunk", Outside, Foreign("pbx"), 407),
    ),
    (
        "credential from the ACL",
        invite("trunk with ACL", Mine, Own("pbx"), 200),
    ),
    (
        "credential without the ACL",
        invite("trunk with ACL", Outside, Plain, 403),
    ),
    (
        "INVITE: calls-list user from the calls ACL",
        invite("domain", Mine, Own("carol"), 200),
    ),
    (
        "INVITE: calls-list user without the ACL",
        invite("domain", Outside, Plain, 403),
    ),
    (
        "INVITE: registrations-only user from the ACL",
        invite("domain", Mine, Own("dave"), 403),
    ),
    (
        "INVITE: the other account's carol from the ACL",
        invite("domain", Mine, Foreign("carol"), 407),
    ),
    (
        "REGISTER: registrations-list user",
        register("domain", "dave", Outside, Own("dave"), 200),
    ),
    (
        "REGISTER: a list mapped only for calls",
        register("domain", "carol", Outside, Own("carol"), 403),
    ),
    (
        "REGISTER: another user's AoR with a valid credential",
        register("domain", "carol", Outside, Own("dave"), 403),
    ),
    (
        "REGISTER: wrong password",
        register("domain", "dave", Outside, Wrong("dave"), 401),
    ),
    (
        "REGISTER refused before any challenge",
        register("domain, registration off", "dave", Outside, Plain, 403),
    ),
    (
        "REGISTER: vobiz credential",
        register("realm", "erin", Outside, Own("erin"), 200),
    ),
    (
        "INVITE: vobiz credential",
        invite("realm", Outside, Own("erin"), 200),
    ),
    (
        "REGISTER: a credential assigned to nothing",
        register("realm", "bob", Outside, Own("bob"), 403),
    ),
    (
        "INVITE: a credential assigned elsewhere",
        invite("realm", Outside, Own("alice"), 403),
    ),
    (
        "REGISTER: the other account's erin",
        register("realm", "erin", Outside, Foreign("erin"), 401),
    ),
];

/// A request through A's API, its path and body filled in by
/// [`Tenant::fill`].
#[derive(Clone, Copy)]
enum Request {
    /// A JSON write that must succeed (2xx).
    Write(&'static str, &'static str, &'static str),
    /// A DELETE that must answer 204.
    Delete(&'static str),
    /// A twilio form POST.
    Form(&'static str, &'static [(&'static str, &'static str)]),
    /// Nothing: the row probes the previous change again.
    Nothing,
}

/// What a refused write's body must say.
#[derive(Clone, Copy)]
enum Says {
    Has(&'static str),
    /// Leaks nothing of B's (its domain "already" existing).
    Lacks(&'static str),
}

/// Writes A must be refused, each answering 400: (what, request, body).
const REFUSALS: &[(&str, Request, Says)] = &[
    (
        "A's credential in B's realm is refused",
        Request::Write(
            "POST",
            "{plivo}/SipAuth/Credential/",
            r#"{"username":"alice","password":"Hijack-Passw0rd-1","realm":"{their realm}"}"#,
        ),
        Says::Has("realm"),
    ),
    // A domain named as B's realm, or under it.
    (
        "A's domain {their realm} is refused without naming B's",
        Request::Form("{twilio}/Domains.json", &[("DomainName", "{their realm}")]),
        Says::Lacks("already"),
    ),
    (
        "A's domain pbx.{their realm} is refused without naming B's",
        Request::Form(
            "{twilio}/Domains.json",
            &[("DomainName", "pbx.{their realm}")],
        ),
        Says::Lacks("already"),
    ),
];

/// Changes A makes through the API, each probed until the probe gets its
/// answer: (what, change, probe).
const CHANGES: &[(&str, Request, Spec)] = &[
    (
        "after the application's credential is changed to bob, alice is refused",
        Request::Write(
            "POST",
            "{plivo}/Application/{app credential}/",
            r#"{"sip_auth_type":"credential","credential_uuid":"{bob}"}"#,
        ),
        invite("app credential", Outside, Own("alice"), 403),
    ),
    (
        "and bob, now assigned, is admitted",
        Request::Nothing,
        invite("app credential", Outside, Own("bob"), 200),
    ),
    (
        "after unassigning (sip_auth_type \"\"), no credential is needed",
        Request::Write(
            "POST",
            "{plivo}/Application/{app credential}/",
            r#"{"sip_auth_type":""}"#,
        ),
        invite("app credential", Outside, Plain, 200),
    ),
    (
        "after the registrations mapping is deleted, REGISTER is refused",
        Request::Delete(
            "{twilio}/Domains/{domain}/Auth/Registrations/CredentialListMappings/{registrations list}.json",
        ),
        register("domain", "dave", Outside, Plain, 403),
    ),
    (
        "after the calls ACL mapping is deleted, a calls-list user needs no ACL",
        Request::Delete(
            "{twilio}/Domains/{domain}/Auth/Calls/IpAccessControlListMappings/{twilio acl}.json",
        ),
        invite("domain", Outside, Own("carol"), 200),
    ),
    (
        "after the vobiz credential is disabled, it is refused",
        Request::Write(
            "PUT",
            "/api/v1/account/{id}/credentials/{erin}",
            r#"{"enabled":false}"#,
        ),
        register("realm", "erin", Outside, Own("erin"), 401),
    ),
    (
        "after the trunk credential's password changes, the old one is refused",
        Request::Write(
            "POST",
            "{plivo}/Zentrunk/Credential/{pbx}/",
            r#"{"password":"Changed-pbx-Passw0rd"}"#,
        ),
        invite("trunk", Outside, Own("pbx"), 407),
    ),
    (
        "and the new one is admitted",
        Request::Nothing,
        invite("trunk", Outside, Literal("pbx", "Changed-pbx-Passw0rd"), 200),
    ),
    (
        "after the trunk credential is deleted, the trunk takes no calls",
        Request::Delete("{plivo}/Zentrunk/Credential/{pbx}/"),
        invite("trunk", Outside, Plain, 403),
    ),
    (
        "an entry added to the assigned ACL admits 127.0.0.12",
        Request::Write(
            "POST",
            "{plivo}/SipAuth/IpAccessControlList/{office}/Entry/",
            r#"{"ip":"127.0.0.12","cidr_prefix":32}"#,
        ),
        invite("app ip_acl", At("127.0.0.12"), Plain, 200),
    ),
];

/// What the console's check adds, then probes: an entry for 127.0.0.4.
const CONSOLE_PROBE: Spec = invite("app ip_acl", At("127.0.0.4"), Plain, 200);

impl Tenant {
    /// Sends a table's request: (status, body); Nothing sends none (0).
    fn send(&self, other: &Tenant, request: Request) -> (u16, String) {
        let fill = |s: &str| self.fill(other, s);
        if let Request::Write(_, path, _) | Request::Delete(path) | Request::Form(path, _) = request
        {
            // A misspelt `{key}` would otherwise be sent as is.
            if fill(path).contains('{') {
                return (0, format!("unfilled placeholder in {path}"));
            }
        }
        match request {
            Request::Write(method, path, body) => {
                self.api.call(method, &fill(path), Some(&fill(body)))
            }
            Request::Delete(path) => self.api.call("DELETE", &fill(path), None),
            Request::Form(path, pairs) => {
                let pairs: Vec<(String, String)> = pairs
                    .iter()
                    .map(|(k, v)| (k.to_string(), fill(v)))
                    .collect();
                let pairs: Vec<(&str, &str)> = pairs
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                self.api.form("POST", &fill(path), &pairs)
            }
            Request::Nothing => (0, String::new()),
        }
    }

    /// Makes a table's change; Err with the answer when it did not succeed.
    fn apply(&self, other: &Tenant, request: Request) -> Result<(), String> {
        let (status, body) = self.send(other, request);
        let ok = match request {
            Request::Nothing => true,
            Request::Delete(_) => status == 204,
            _ => (200..300).contains(&status),
        };
        if ok {
            Ok(())
        } else {
            Err(format!("{status} {body}"))
        }
    }
}

/// A row of the printed matrix.
struct Cell {
    account: &'static str,
    entry: String,
    what: String,
    expect: u16,
    ok: bool,
    note: String,
}

/// The suite's tally: a numbered TAP line per check, and the matrix.
#[derive(Default)]
struct Report {
    counts: Counts,
    n: usize,
    cells: Vec<Cell>,
}

impl Report {
    fn check(&mut self, ok: bool, what: &str) -> bool {
        self.n += 1;
        if ok {
            self.counts.passed += 1;
            println!("ok {} - {what}", self.n);
        } else {
            self.counts.failed += 1;
            println!("not ok {} - {what}", self.n);
        }
        ok
    }

    fn cell(
        &mut self,
        account: &'static str,
        entry: &str,
        what: &str,
        expect: u16,
        ok: bool,
        note: String,
    ) {
        self.cells.push(Cell {
            account,
            entry: entry.to_string(),
            what: what.to_string(),
            expect,
            ok,
            note,
        });
    }

    fn print_matrix(&self) {
        println!("\n# SIP matrix (expected final answer; ✓ = got it)");
        println!("# | account | entry point | probe | expect | result | note |");
        println!("# |---|---|---|---|---|---|");
        for c in &self.cells {
            println!(
                "# | {} | {} | {} | {} | {} | {} |",
                c.account,
                c.entry,
                c.what,
                c.expect,
                if c.ok { "✓" } else { "✗" },
                c.note
            );
        }
    }
}

/// Probes over SIPp against one Kamailio.
struct Prober {
    scenarios: Scenarios,
    port: u16,
}

impl Prober {
    fn sipp(&self, probe: &Probe) -> bool {
        sipp(&self.scenarios, self.port, probe)
    }
}

fn run(root: &Path, server_binary: &Path, dist: &Path) -> Result<Counts, String> {
    let mut stack = Stack::start(root, server_binary, dist, "sip")?;
    let sip = Prober {
        scenarios: Scenarios::new(&stack.dir.join("scenarios"))?,
        port: stack.sip_port,
    };
    let mut a = Tenant::new("A", &stack.base, stack.demo_account()?);
    let b = stack.add_account(server_binary, "MBSECONDACCOUNT00002")?;
    let mut b = Tenant::new("B", &stack.base, b);
    set_up(&mut a)?;
    set_up(&mut b)?;
    let jar = sign_in(&stack)?;
    // Every setup write must be in Kamailio before the static cells.
    let settled = Instant::now();
    while !picked_up(&stack.base, &jar, 1) {
        if settled.elapsed() > DEADLINE {
            return Err("Kamailio did not pick up the set-up (see /console/sip-server)".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }

    let mut report = Report::default();
    refusals(&mut report, &a, &b);
    matrix(&mut report, &sip, &a, &b);
    changes(&mut report, &sip, &a, &b)?;
    let answered = Instant::now();
    let mut tries = 0;
    while !picked_up(&stack.base, &jar, 1) && answered.elapsed() < DEADLINE {
        tries += 1;
    }
    report.check(
        picked_up(&stack.base, &jar, 1),
        &format!("the console is told the SIP server has every change ({tries} extra polls)"),
    );
    security::checks(root, &stack, &sip, (&a, &b), &jar, &mut report)?;
    let console_probe = a.probe(&b, &CONSOLE_PROBE).ok_or("no console probe")?;
    console_checks(root, &mut stack, &a, &sip, &console_probe, &mut report);

    report.print_matrix();
    let dir = stack.dir.clone();
    drop(stack);
    let _ = std::fs::remove_dir_all(&dir);
    let counts = report.counts;
    println!("# pass {}\n# fail {}", counts.passed, counts.failed);
    Ok(counts)
}

/// The REFUSALS: writes A must be refused, each with a 400.
fn refusals(report: &mut Report, a: &Tenant, b: &Tenant) {
    for &(what, request, says) in REFUSALS {
        let (status, body) = a.send(b, request);
        let said = match says {
            Says::Has(word) => body.contains(word),
            Says::Lacks(word) => !body.contains(word),
        };
        report.check(
            status == 400 && said,
            &format!("{}: {status} {body}", a.fill(b, what)),
        );
    }
}

/// The MATRIX in each account, then an address no account has.
fn matrix(report: &mut Report, sip: &Prober, a: &Tenant, b: &Tenant) {
    for (me, other) in [(a, b), (b, a)] {
        for (what, spec) in MATRIX {
            let Some(probe) = me.probe(other, spec) else {
                continue;
            };
            let what = me.fill(other, what);
            let ok = sip.sipp(&probe);
            report.check(
                ok,
                &format!("{} {}: {what} → {}", me.name, spec.entry, probe.expect),
            );
            let note = format!("from {}", probe.source);
            report.cell(me.name, spec.entry, &what, probe.expect, ok, note);
        }
    }
    let unknown = Probe {
        method: Method::Invite,
        source: SRC_NONE,
        user: "12345".into(),
        domain: "nobody.example.com".into(),
        auth: None,
        expect: 404,
    };
    let ok = report.check(sip.sipp(&unknown), "an unknown SIP address → 404");
    let what = "INVITE to an address no account has";
    report.cell("-", "unknown", what, 404, ok, String::new());
}

/// The CHANGES, in order, each probed until it holds.
fn changes(report: &mut Report, sip: &Prober, a: &Tenant, b: &Tenant) -> Result<(), String> {
    for &(what, request, spec) in CHANGES {
        let probe = a.probe(b, &spec).ok_or("a change probes a missing ACL")?;
        let (ok, note) = match a.apply(b, request) {
            Err(e) => (report.check(false, &format!("{what}: {e}")), e),
            Ok(()) => enforced(sip, &probe, report, what),
        };
        report.cell("A", "change", what, probe.expect, ok, note);
    }
    Ok(())
}

/// Signs the operator in with curl; returns the cookie jar.
fn sign_in(stack: &Stack) -> Result<PathBuf, String> {
    sign_in_at(&stack.dir, &stack.base, &stack.first_run)
}

/// Signs in the operator of `first_run` at `base` with curl; returns the
/// cookie jar (in `dir`).
fn sign_in_at(dir: &Path, base: &str, first_run: &serde_json::Value) -> Result<PathBuf, String> {
    let jar = dir.join("cookies");
    let sign_in = serde_json::json!({
        "username": first_run["operator"]["username"],
        "password": first_run["operator"]["password"],
    })
    .to_string();
    capture(
        "curl",
        &[
            "-s",
            "-c",
            &jar.to_string_lossy(),
            "-H",
            "Content-Type: application/json",
            "-d",
            &sign_in,
            &format!("{base}/console/session"),
        ],
    )
    .ok_or("cannot sign in with curl")?;
    Ok(jar)
}

/// Probes until a change holds, timed from the API's answer: (ok, note).
fn enforced(sip: &Prober, probe: &Probe, report: &mut Report, what: &str) -> (bool, String) {
    let answered = Instant::now();
    let mut tries = 0;
    loop {
        let sent = answered.elapsed();
        tries += 1;
        if sip.sipp(probe) {
            let note = format!(
                "probe {tries} sent {} ms after the API's answer",
                sent.as_millis()
            );
            return (report.check(true, &format!("{what} ({note})")), note);
        }
        if answered.elapsed() > DEADLINE {
            let secs = DEADLINE.as_secs();
            let what = format!("{what} (not within {secs} s, {tries} probes)");
            return (report.check(false, &what), format!("{tries} probes"));
        }
    }
}

/// What the operator sees: an entry added in the console, whose page must
/// say whether the SIP server has it (tests/sip/console.mjs), with
/// Kamailio running and then stopped.
fn console_checks(
    root: &Path,
    stack: &mut Stack,
    a: &Tenant,
    sip: &Prober,
    probe: &Probe,
    report: &mut Report,
) {
    let (base, first_run) = (stack.base.clone(), stack.data.join("first-run.json"));
    let console = |address: &str, expect: &str| {
        Command::new("node")
            .arg(root.join("tests/sip/console.mjs"))
            .env("BASE_URL", &base)
            .env("FIRST_RUN", &first_run)
            .env("ACL_ID", &a.ids["office"])
            .env("ADDRESS", address)
            .env("EXPECT", expect)
            .status()
            .is_ok_and(|s| s.success())
    };
    let started = Instant::now();
    let ok = console(
        "127.0.0.4/32",
        "The SIP server enforces every IP ACL change.",
    ) && sip.sipp(probe);
    report.check(
        ok,
        &format!(
            "an entry added in the console: the page says the SIP server enforces it, and SIPp from 127.0.0.4 is admitted ({} ms with the browser)",
            started.elapsed().as_millis()
        ),
    );
    stack.stop_kamailio();
    let started = Instant::now();
    let ok = console(
        "127.0.0.5/32",
        "has not picked up the latest IP ACL change yet",
    );
    report.check(
        ok,
        &format!(
            "with Kamailio stopped, the page says the SIP server has not picked the change up ({} ms)",
            started.elapsed().as_millis()
        ),
    );
}
