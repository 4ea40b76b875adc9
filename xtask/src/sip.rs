//! The SIP suite of `cargo xtask test`: Debian's Kamailio reads the server's
//! store with deploy/kamailio/kamailio.cfg, and SIPp probes every cell of a
//! matrix on loopback: two accounts on one server, each with a plivo
//! application of every `sip_auth_type`, outbound Zentrunk trunks with and
//! without an ACL, Twilio domains with calls and registrations mappings and
//! a vobiz credential, probed from several 127.0.0.x sources and ::1 with
//! the right and the wrong credentials and sources. Changes made through
//! the API are then probed again, each measured from the API's answer.

use crate::server::TestServer;
use crate::steps::{base64, capture, Counts};
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

/// A running Kamailio, stopped (SIGTERM, then reaped) when dropped.
pub struct Kamailio {
    pub child: Child,
}

impl Drop for Kamailio {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
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
    /// Entry point → (user, domain) of its SIP address.
    addresses: HashMap<&'static str, (String, String)>,
    ids: HashMap<&'static str, String>,
}

impl Tenant {
    fn password(&self, user: &str) -> String {
        format!("{}-{user}-Passw0rd", self.secret)
    }

    fn address(&self, entry: &str) -> (String, String) {
        self.addresses[entry].clone()
    }
}

/// Makes, through the four dialects' APIs, everything the matrix probes.
fn set_up(t: &mut Tenant, acl_source: &str) -> Result<(), String> {
    let id = t.id.clone();
    let plivo = format!("/v1/Account/{id}");
    let twilio = format!("/2010-04-01/Accounts/{id}/SIP");
    let credential = |t: &Tenant, user: &str| -> Result<String, String> {
        let body = serde_json::json!({"username": user, "password": t.password(user)}).to_string();
        text(
            &t.api
                .ok("POST", &format!("{plivo}/SipAuth/Credential/"), Some(&body))?,
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
    t.ids.insert("bob", bob.clone());
    // The office ACL also admits IPv6 loopback.
    let acl = |t: &Tenant, name: &str, ip: &str, v6: bool| -> Result<String, String> {
        let mut entries = vec![serde_json::json!({"ip": ip, "cidr_prefix": 32})];
        if v6 {
            entries.push(serde_json::json!({"ip": "::1", "cidr_prefix": 128}));
        }
        let body = serde_json::json!({"name": name, "entries": entries}).to_string();
        text(
            &t.api.ok(
                "POST",
                &format!("{plivo}/SipAuth/IpAccessControlList/"),
                Some(&body),
            )?,
            "ip_acl_uuid",
        )
    };
    let office = acl(t, "Office", acl_source, true)?;
    t.ids.insert("office", office.clone());
    if t.name == "A" {
        // An ACL of this account that no entry point uses.
        acl(t, "Lab", SRC_A_UNUSED, false)?;
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
        let created = t.api.ok(
            "POST",
            &format!("{plivo}/Application/"),
            Some(&body.to_string()),
        )?;
        let app_id = text(&created, "app_id")?;
        let shown = t
            .api
            .ok("GET", &format!("{plivo}/Application/{app_id}/"), None)?;
        let uri = text(&shown, "sip_uri")?;
        t.addresses.insert(entry, split_uri(&uri)?);
        t.ids.insert(entry, app_id);
    }

    // Zentrunk: a trunk credential, outbound trunks with and without an ACL.
    let body = serde_json::json!({"name": "PBX", "username": "pbx", "password": t.password("pbx")});
    let pbx = text(
        &t.api.ok(
            "POST",
            &format!("{plivo}/Zentrunk/Credential/"),
            Some(&body.to_string()),
        )?,
        "credential_uuid",
    )?;
    t.ids.insert("pbx", pbx.clone());
    for (entry, with_acl) in [("trunk", false), ("trunk with ACL", true)] {
        let mut body = serde_json::json!({"name": entry, "trunk_direction": "outbound", "credential_uuid": pbx});
        if with_acl {
            body["ip_acl_uuid"] = office.clone().into();
        }
        let trunk = text(
            &t.api.ok(
                "POST",
                &format!("{plivo}/Zentrunk/Trunk/"),
                Some(&body.to_string()),
            )?,
            "trunk_id",
        )?;
        let shown = t
            .api
            .ok("GET", &format!("{plivo}/Zentrunk/Trunk/{trunk}/"), None)?;
        t.addresses
            .insert(entry, split_uri(&text(&shown, "sip_uri")?)?);
        t.ids.insert(entry, trunk);
    }

    // Twilio: a list for calls (carol), one for registrations (dave), the
    // office ACL for calls; a second domain with SipRegistration off.
    let list = |t: &Tenant, name: &str, user: &str| -> Result<String, String> {
        let sid = text(
            &t.api.form_ok(
                "POST",
                &format!("{twilio}/CredentialLists.json"),
                &[("FriendlyName", name)],
            )?,
            "sid",
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
    let twilio_acl = text(
        &t.api.form_ok(
            "POST",
            &format!("{twilio}/IpAccessControlLists.json"),
            &[("FriendlyName", "Twilio office")],
        )?,
        "sid",
    )?;
    t.api.form_ok(
        "POST",
        &format!("{twilio}/IpAccessControlLists/{twilio_acl}/IpAddresses.json"),
        &[("FriendlyName", "office"), ("IpAddress", acl_source)],
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
        t.api.form_ok(
            "POST",
            &format!("{auth}/Calls/CredentialListMappings.json"),
            &[("CredentialListSid", &calls)],
        )?;
        t.api.form_ok(
            "POST",
            &format!("{auth}/Calls/IpAccessControlListMappings.json"),
            &[("IpAccessControlListSid", &twilio_acl)],
        )?;
        t.api.form_ok(
            "POST",
            &format!("{auth}/Registrations/CredentialListMappings.json"),
            &[("CredentialListSid", &regs)],
        )?;
        t.addresses.insert(entry, ("anyone".into(), domain));
        t.ids.insert(entry, sid);
    }
    t.ids.insert("calls list", calls);
    t.ids.insert("registrations list", regs);
    t.ids.insert("twilio acl", twilio_acl);

    // Vobiz: an account-wide credential, at the account's realm.
    let body = serde_json::json!({"username": "erin", "password": t.password("erin")});
    let erin = t.api.ok(
        "POST",
        &format!("/api/v1/account/{id}/credentials"),
        Some(&body.to_string()),
    )?;
    t.ids.insert("erin", text(&erin, "id")?);
    t.addresses
        .insert("realm", ("erin".into(), t.realm.clone()));
    Ok(())
}

/// `sip:user@domain` → (user, domain).
fn split_uri(uri: &str) -> Result<(String, String), String> {
    uri.strip_prefix("sip:")
        .and_then(|rest| rest.split_once('@'))
        .map(|(u, d)| (u.to_string(), d.to_string()))
        .ok_or_else(|| format!("not a sip: address: {uri}"))
}

pub fn suite(root: &Path, server_binary: &Path, dist: &Path) -> (bool, Counts) {
    match run(root, server_binary, dist) {
        Ok(counts) => (counts.failed == 0, counts),
        Err(e) => {
            println!("xtask: SIP suite: {e}");
            (false, Counts::default())
        }
    }
}

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
        let dir = std::env::temp_dir().join(format!("sipauth-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let data = dir.join("data");
        let run_dir = dir.join("run");
        std::fs::create_dir_all(&run_dir).map_err(|e| e.to_string())?;
        let (sip_port, rpc_port) = (free_port()?, free_port()?);
        let rpc = format!("http://127.0.0.1:{rpc_port}/RPC");
        let dist = dist.to_str().ok_or("dist is not UTF-8")?;
        let server = TestServer::start(
            server_binary,
            &data,
            &["--rate-limit", "0", "--kamailio-rpc", &rpc, "--dist", dist],
            &[],
        )?;
        let base = server.base.clone();
        let db = data.join("sipauth.db");
        let kamailio = Kamailio {
            child: Command::new("/usr/sbin/kamailio")
                .arg("-f")
                .arg(root.join("deploy/kamailio/kamailio.cfg"))
                // As README says to run it: TLSF for private memory.
                .args(["-X", "tlsf", "-DD", "-E", "-P"])
                .arg(run_dir.join("kamailio.pid"))
                .arg("-Y")
                .arg(&run_dir)
                .arg("-A")
                .arg(format!("DBURL=\"sqlite:///{}\"", db.display()))
                .arg("-A")
                .arg(format!("SIP_LISTEN=udp:127.0.0.1:{sip_port}"))
                .arg("-A")
                .arg(format!("SIP_LISTEN6=udp:[::1]:{sip_port}"))
                .arg("-A")
                .arg(format!("RPC_LISTEN=tcp:127.0.0.1:{rpc_port}"))
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(dir.join("kamailio.log")).map_err(|e| e.to_string())?)
                .spawn()
                .map_err(|e| format!("cannot start kamailio: {e}"))?,
        };
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
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", rpc_port)).is_err() {
            if started.elapsed() > Duration::from_secs(10) {
                let log = std::fs::read_to_string(dir.join("kamailio.log")).unwrap_or_default();
                return Err(format!("kamailio did not start:\n{log}"));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(stack)
    }

    /// A new account made with the CLI while the server runs: (id, token).
    pub fn add_account(
        &self,
        server_binary: &Path,
        auth_id: &str,
    ) -> Result<(String, String), String> {
        use std::io::Write;
        let token = format!("{auth_id}-token-0123456789abcdef");
        let mut child = Command::new(server_binary)
            .args(["account", "create", "--auth-id", auth_id, "--data-dir"])
            .arg(&self.data)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .map_err(|e| e.to_string())?;
        child
            .stdin
            .take()
            .expect("piped")
            .write_all(token.as_bytes())
            .map_err(|e| e.to_string())?;
        if !child.wait().is_ok_and(|s| s.success()) {
            return Err(format!("sipauth account create {auth_id} failed"));
        }
        Ok((auth_id.to_string(), token))
    }

    pub fn demo_account(&self) -> Result<(String, String), String> {
        self.server.demo_account()
    }

    fn stop_kamailio(&mut self) {
        self.kamailio.take();
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

fn run(root: &Path, server_binary: &Path, dist: &Path) -> Result<Counts, String> {
    let mut stack = Stack::start(root, server_binary, dist, "sip")?;
    let scenarios = Scenarios::new(&stack.dir.join("scenarios"))?;
    let port = stack.sip_port;
    let (a_id, a_token) = stack.demo_account()?;
    let (b_id, b_token) = stack.add_account(server_binary, "MBSECONDACCOUNT00002")?;
    let mut a = Tenant {
        name: "A",
        api: Api::new(&stack.base, &a_id, &a_token),
        id: a_id,
        realm: String::new(),
        secret: "Alpha",
        addresses: HashMap::new(),
        ids: HashMap::new(),
    };
    let mut b = Tenant {
        name: "B",
        api: Api::new(&stack.base, &b_id, &b_token),
        id: b_id,
        realm: String::new(),
        secret: "Bravo",
        addresses: HashMap::new(),
        ids: HashMap::new(),
    };
    set_up(&mut a, SRC_A)?;
    set_up(&mut b, SRC_B)?;

    let jar = stack.dir.join("cookies");
    let sign_in = serde_json::json!({
        "username": stack.first_run["operator"]["username"],
        "password": stack.first_run["operator"]["password"],
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
            &format!("{}/console/session", stack.base),
        ],
    )
    .ok_or("cannot sign in with curl")?;

    let mut counts = Counts::default();
    let mut cells: Vec<Cell> = Vec::new();
    let mut n = 0;
    // Every setup write must be in Kamailio before the static cells.
    let settled = Instant::now();
    while !picked_up(&stack.base, &jar, 1) {
        if settled.elapsed() > DEADLINE {
            return Err("Kamailio did not pick up the set-up (see /console/sip-server)".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }

    // The realm hijack of issue 13: A writes a credential into B's realm.
    let hijack =
        serde_json::json!({"username": "alice", "password": "Hijack-Passw0rd-1", "realm": b.realm})
            .to_string();
    let (status, body) = a.api.call(
        "POST",
        &format!("/v1/Account/{}/SipAuth/Credential/", a.id),
        Some(&hijack),
    );
    n += 1;
    let ok = status == 400 && body.contains("realm");
    record(
        &mut counts,
        n,
        ok,
        &format!("A's credential in B's realm is refused: {status} {body}"),
    );
    // A domain named as B's realm, or under it.
    for name in [b.realm.clone(), format!("pbx.{}", b.realm)] {
        let (status, body) = a.api.form(
            "POST",
            &format!("/2010-04-01/Accounts/{}/SIP/Domains.json", a.id),
            &[("DomainName", &name)],
        );
        n += 1;
        let ok = status == 400 && !body.contains("already");
        record(
            &mut counts,
            n,
            ok,
            &format!("A's domain {name} is refused without naming B's: {status} {body}"),
        );
    }

    for (me, other, mine, unused) in [(&a, &b, SRC_A, Some(SRC_A_UNUSED)), (&b, &a, SRC_B, None)] {
        let theirs = if me.name == "A" { SRC_B } else { SRC_A };
        let mut probes: Vec<(&str, String, Probe)> = Vec::new();
        let invite =
            |entry: &str, source: &'static str, auth: Option<(&str, String)>, expect: u16| {
                let (user, domain) = me.address(entry);
                Probe {
                    method: Method::Invite,
                    source,
                    user,
                    domain,
                    auth: auth.map(|(u, p)| (u.to_string(), p)),
                    expect,
                }
            };
        let register = |entry: &str,
                        aor: &str,
                        source: &'static str,
                        auth: Option<(&str, String)>,
                        expect: u16| {
            let (_, domain) = me.address(entry);
            Probe {
                method: Method::Register,
                source,
                user: aor.to_string(),
                domain,
                auth: auth.map(|(u, p)| (u.to_string(), p)),
                expect,
            }
        };
        let own = |u: &'static str| Some((u, me.password(u)));
        let wrong = |u: &'static str| Some((u, format!("{}-wrong", me.password(u))));
        let foreign = |u: &'static str| Some((u, other.password(u)));

        probes.push((
            "app open",
            "no credential, any source: admitted".into(),
            invite("app open", theirs, None, 200),
        ));
        probes.push((
            "app credential",
            "the assigned credential".into(),
            invite("app credential", SRC_NONE, own("alice"), 200),
        ));
        // Devices that send `user@domain` as the digest username: ha1b.
        let at_realm = format!("alice@{}", me.realm);
        probes.push((
            "app credential",
            format!("the assigned credential as {at_realm} (ha1b)"),
            Probe {
                auth: Some((at_realm.clone(), me.password("alice"))),
                ..invite("app credential", SRC_NONE, None, 200)
            },
        ));
        probes.push((
            "app credential",
            "wrong password".into(),
            invite("app credential", SRC_NONE, wrong("alice"), 407),
        ));
        probes.push((
            "app credential",
            "another credential of this account, not assigned".into(),
            invite("app credential", SRC_NONE, own("bob"), 403),
        ));
        probes.push((
            "app credential",
            "the other account's alice (same username, its realm)".into(),
            invite("app credential", SRC_NONE, foreign("alice"), 407),
        ));
        probes.push((
            "app credential",
            "the hijacker's password for this realm's alice".into(),
            invite(
                "app credential",
                SRC_NONE,
                Some(("alice", "Hijack-Passw0rd-1".into())),
                407,
            ),
        ));
        probes.push((
            "app ip_acl",
            "source in the assigned ACL".into(),
            invite("app ip_acl", mine, None, 200),
        ));
        probes.push((
            "app ip_acl",
            "IPv6 source in the assigned ACL".into(),
            invite("app ip_acl", "::1", None, 200),
        ));
        probes.push((
            "app ip_acl",
            "source in the other account's ACL".into(),
            invite("app ip_acl", theirs, None, 403),
        ));
        probes.push((
            "app ip_acl",
            "source in no ACL".into(),
            invite("app ip_acl", SRC_NONE, None, 403),
        ));
        if let Some(unused) = unused {
            probes.push((
                "app ip_acl",
                "source in an ACL of this account not assigned here".into(),
                invite("app ip_acl", unused, None, 403),
            ));
        }
        probes.push((
            "app both",
            "assigned credential from the ACL".into(),
            invite("app both", mine, own("alice"), 200),
        ));
        probes.push((
            "app both",
            "assigned credential without the ACL".into(),
            invite("app both", SRC_NONE, None, 403),
        ));
        probes.push((
            "app both",
            "unassigned credential from the ACL".into(),
            invite("app both", mine, own("bob"), 403),
        ));
        probes.push((
            "trunk",
            "the trunk's credential".into(),
            invite("trunk", SRC_NONE, own("pbx"), 200),
        ));
        probes.push((
            "trunk",
            "another credential of this account".into(),
            invite("trunk", SRC_NONE, own("alice"), 403),
        ));
        probes.push((
            "trunk",
            "the other account's trunk credential".into(),
            invite("trunk", SRC_NONE, foreign("pbx"), 407),
        ));
        probes.push((
            "trunk with ACL",
            "credential from the ACL".into(),
            invite("trunk with ACL", mine, own("pbx"), 200),
        ));
        probes.push((
            "trunk with ACL",
            "credential without the ACL".into(),
            invite("trunk with ACL", SRC_NONE, None, 403),
        ));
        probes.push((
            "domain",
            "INVITE: calls-list user from the calls ACL".into(),
            invite("domain", mine, own("carol"), 200),
        ));
        probes.push((
            "domain",
            "INVITE: calls-list user without the ACL".into(),
            invite("domain", SRC_NONE, None, 403),
        ));
        probes.push((
            "domain",
            "INVITE: registrations-only user from the ACL".into(),
            invite("domain", mine, own("dave"), 403),
        ));
        probes.push((
            "domain",
            "INVITE: the other account's carol from the ACL".into(),
            invite("domain", mine, foreign("carol"), 407),
        ));
        probes.push((
            "domain",
            "REGISTER: registrations-list user".into(),
            register("domain", "dave", SRC_NONE, own("dave"), 200),
        ));
        probes.push((
            "domain",
            "REGISTER: a list mapped only for calls".into(),
            register("domain", "carol", SRC_NONE, own("carol"), 403),
        ));
        probes.push((
            "domain",
            "REGISTER: another user's AoR with a valid credential".into(),
            register("domain", "carol", SRC_NONE, own("dave"), 403),
        ));
        probes.push((
            "domain",
            "REGISTER: wrong password".into(),
            register("domain", "dave", SRC_NONE, wrong("dave"), 401),
        ));
        probes.push((
            "domain, registration off",
            "REGISTER refused before any challenge".into(),
            register("domain, registration off", "dave", SRC_NONE, None, 403),
        ));
        probes.push((
            "realm",
            "REGISTER: vobiz credential".into(),
            register("realm", "erin", SRC_NONE, own("erin"), 200),
        ));
        probes.push((
            "realm",
            "INVITE: vobiz credential".into(),
            invite("realm", SRC_NONE, own("erin"), 200),
        ));
        probes.push((
            "realm",
            "REGISTER: a credential assigned to nothing".into(),
            register("realm", "bob", SRC_NONE, own("bob"), 403),
        ));
        probes.push((
            "realm",
            "INVITE: a credential assigned elsewhere".into(),
            invite("realm", SRC_NONE, own("alice"), 403),
        ));
        probes.push((
            "realm",
            "REGISTER: the other account's erin".into(),
            register("realm", "erin", SRC_NONE, foreign("erin"), 401),
        ));
        for (entry, what, probe) in probes {
            let ok = sipp(&scenarios, port, &probe);
            n += 1;
            record(
                &mut counts,
                n,
                ok,
                &format!("{} {entry}: {what} → {}", me.name, probe.expect),
            );
            cells.push(Cell {
                account: me.name,
                entry: entry.to_string(),
                what,
                expect: probe.expect,
                ok,
                note: format!("from {}", probe.source),
            });
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
    n += 1;
    let ok = sipp(&scenarios, port, &unknown);
    record(&mut counts, n, ok, "an unknown SIP address → 404");
    cells.push(Cell {
        account: "-",
        entry: "unknown".into(),
        what: "INVITE to an address no account has".into(),
        expect: 404,
        ok,
        note: String::new(),
    });

    // Changes: each probed until it holds, timed from the API's answer.
    let mut change = |what: &str, act: &dyn Fn() -> Result<(), String>, probe: Probe| {
        n += 1;
        if let Err(e) = act() {
            counts.failed += 1;
            println!("not ok {n} - {what}: {e}");
            cells.push(Cell {
                account: "A",
                entry: "change".into(),
                what: what.to_string(),
                expect: probe.expect,
                ok: false,
                note: e,
            });
            return;
        }
        let answered = Instant::now();
        let mut tries = 0;
        loop {
            let sent = answered.elapsed();
            tries += 1;
            if sipp(&scenarios, port, &probe) {
                counts.passed += 1;
                let note = format!(
                    "probe {tries} sent {} ms after the API's answer",
                    sent.as_millis()
                );
                println!("ok {n} - {what} ({note})");
                cells.push(Cell {
                    account: "A",
                    entry: "change".into(),
                    what: what.to_string(),
                    expect: probe.expect,
                    ok: true,
                    note,
                });
                return;
            }
            if answered.elapsed() > DEADLINE {
                counts.failed += 1;
                println!(
                    "not ok {n} - {what} (not within {} s, {tries} probes)",
                    DEADLINE.as_secs()
                );
                cells.push(Cell {
                    account: "A",
                    entry: "change".into(),
                    what: what.to_string(),
                    expect: probe.expect,
                    ok: false,
                    note: format!("{tries} probes"),
                });
                return;
            }
        }
    };
    let plivo = format!("/v1/Account/{}", a.id);
    let twilio = format!("/2010-04-01/Accounts/{}/SIP", a.id);
    let invite = |entry: &str, source: &'static str, user: &str, expect: u16| {
        let (to, domain) = a.address(entry);
        Probe {
            method: Method::Invite,
            source,
            user: to,
            domain,
            auth: Some((user.to_string(), a.password(user))),
            expect,
        }
    };
    let app = a.ids["app credential"].clone();
    let bob = a.ids["bob"].clone();
    change(
        "after the application's credential is changed to bob, alice is refused",
        &|| {
            let body = serde_json::json!({"sip_auth_type": "credential", "credential_uuid": bob})
                .to_string();
            a.api
                .ok("POST", &format!("{plivo}/Application/{app}/"), Some(&body))
                .map(drop)
        },
        invite("app credential", SRC_NONE, "alice", 403),
    );
    change(
        "and bob, now assigned, is admitted",
        &|| Ok(()),
        invite("app credential", SRC_NONE, "bob", 200),
    );
    change(
        "after unassigning (sip_auth_type \"\"), no credential is needed",
        &|| {
            let body = serde_json::json!({"sip_auth_type": ""}).to_string();
            a.api
                .ok("POST", &format!("{plivo}/Application/{app}/"), Some(&body))
                .map(drop)
        },
        Probe {
            auth: None,
            ..invite("app credential", SRC_NONE, "bob", 200)
        },
    );
    let domain = a.ids["domain"].clone();
    let regs = a.ids["registrations list"].clone();
    let (_, domain_name) = a.address("domain");
    change(
        "after the registrations mapping is deleted, REGISTER is refused",
        &|| {
            let (status, body) = a.api.call(
                "DELETE",
                &format!("{twilio}/Domains/{domain}/Auth/Registrations/CredentialListMappings/{regs}.json"),
                None,
            );
            if status == 204 {
                Ok(())
            } else {
                Err(format!("{status} {body}"))
            }
        },
        Probe {
            method: Method::Register,
            source: SRC_NONE,
            user: "dave".into(),
            domain: domain_name.clone(),
            auth: None,
            expect: 403,
        },
    );
    let twilio_acl = a.ids["twilio acl"].clone();
    change(
        "after the calls ACL mapping is deleted, a calls-list user needs no ACL",
        &|| {
            let (status, body) = a.api.call(
                "DELETE",
                &format!("{twilio}/Domains/{domain}/Auth/Calls/IpAccessControlListMappings/{twilio_acl}.json"),
                None,
            );
            if status == 204 {
                Ok(())
            } else {
                Err(format!("{status} {body}"))
            }
        },
        invite("domain", SRC_NONE, "carol", 200),
    );
    let erin = a.ids["erin"].clone();
    change(
        "after the vobiz credential is disabled, it is refused",
        &|| {
            a.api
                .ok(
                    "PUT",
                    &format!("/api/v1/account/{}/credentials/{erin}", a.id),
                    Some(r#"{"enabled":false}"#),
                )
                .map(drop)
        },
        Probe {
            method: Method::Register,
            source: SRC_NONE,
            user: "erin".into(),
            domain: a.realm.clone(),
            auth: Some(("erin".into(), a.password("erin"))),
            expect: 401,
        },
    );
    let pbx_id = a.ids["pbx"].clone();
    change(
        "after the trunk credential's password changes, the old one is refused",
        &|| {
            let body = serde_json::json!({"password": "Changed-pbx-Passw0rd"}).to_string();
            a.api
                .ok(
                    "POST",
                    &format!("{plivo}/Zentrunk/Credential/{pbx_id}/"),
                    Some(&body),
                )
                .map(drop)
        },
        invite("trunk", SRC_NONE, "pbx", 407),
    );
    change(
        "and the new one is admitted",
        &|| Ok(()),
        Probe {
            auth: Some(("pbx".into(), "Changed-pbx-Passw0rd".into())),
            ..invite("trunk", SRC_NONE, "pbx", 200)
        },
    );
    change(
        "after the trunk credential is deleted, the trunk takes no calls",
        &|| {
            let (status, body) = a.api.call(
                "DELETE",
                &format!("{plivo}/Zentrunk/Credential/{pbx_id}/"),
                None,
            );
            if status == 204 {
                Ok(())
            } else {
                Err(format!("{status} {body}"))
            }
        },
        Probe {
            auth: None,
            ..invite("trunk", SRC_NONE, "pbx", 403)
        },
    );
    let office = a.ids["office"].clone();
    change(
        "an entry added to the assigned ACL admits 127.0.0.12",
        &|| {
            a.api
                .ok(
                    "POST",
                    &format!("{plivo}/SipAuth/IpAccessControlList/{office}/Entry/"),
                    Some(r#"{"ip":"127.0.0.12","cidr_prefix":32}"#),
                )
                .map(drop)
        },
        Probe {
            auth: None,
            ..invite("app ip_acl", "127.0.0.12", "alice", 200)
        },
    );
    let answered = Instant::now();
    let mut tries = 0;
    while !picked_up(&stack.base, &jar, 1) && answered.elapsed() < DEADLINE {
        tries += 1;
    }
    n += 1;
    record(
        &mut counts,
        n,
        picked_up(&stack.base, &jar, 1),
        &format!("the console is told the SIP server has every change ({tries} extra polls)"),
    );

    // What the operator sees: an entry added in the console, whose page
    // must say whether the SIP server has it (tests/sip/console.mjs).
    let (base, first_run) = (stack.base.clone(), stack.data.join("first-run.json"));
    let console = |address: &str, expect: &str| {
        Command::new("node")
            .arg(root.join("tests/sip/console.mjs"))
            .env("BASE_URL", &base)
            .env("FIRST_RUN", &first_run)
            .env("ACL_ID", &office)
            .env("ADDRESS", address)
            .env("EXPECT", expect)
            .status()
            .is_ok_and(|s| s.success())
    };
    let started = Instant::now();
    let ok = console(
        "127.0.0.4/32",
        "The SIP server enforces every IP ACL change.",
    ) && sipp(
        &scenarios,
        port,
        &Probe {
            auth: None,
            ..invite("app ip_acl", "127.0.0.4", "alice", 200)
        },
    );
    n += 1;
    record(
        &mut counts,
        n,
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
    n += 1;
    record(
        &mut counts,
        n,
        ok,
        &format!(
            "with Kamailio stopped, the page says the SIP server has not picked the change up ({} ms)",
            started.elapsed().as_millis()
        ),
    );

    print_matrix(&cells);
    let dir = stack.dir.clone();
    drop(stack);
    let _ = std::fs::remove_dir_all(&dir);
    println!("# pass {}\n# fail {}", counts.passed, counts.failed);
    Ok(counts)
}

fn record(counts: &mut Counts, n: usize, ok: bool, what: &str) {
    if ok {
        counts.passed += 1;
        println!("ok {n} - {what}");
    } else {
        counts.failed += 1;
        println!("not ok {n} - {what}");
    }
}

fn print_matrix(cells: &[Cell]) {
    println!("\n# SIP matrix (expected final answer; ✓ = got it)");
    println!("# | account | entry point | probe | expect | result | note |");
    println!("# |---|---|---|---|---|---|");
    for c in cells {
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
