//! Issue 18's checks in the SIP suite: what Kamailio reports to the server
//! (registrations, last seen, failed authentications) and its bans, read
//! back through the console's endpoints (`/console/accounts/{id}/sip/…`,
//! with the operator's session) and, for Unban, in Chromium
//! (tests/sip/security.mjs). Run after the matrix and the changes, while
//! Kamailio still runs; each source below is used by these checks only.
//!
//! Every check is one numbered TAP line; waits are bounded (reports are
//! UDP datagrams handled asynchronously by the server) and never timed.

use super::{Prober, Report, Stack, Tenant, BAN_FAILURES, DEADLINE, SRC_A};
use crate::steps::capture;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The wrong-password storm's source (banned by A).
const STORM: &str = "127.0.0.30";
/// Sends only first challenges (requests without credentials).
const CHALLENGED: &str = "127.0.0.31";
/// Registers A's frank with a user agent of its own.
const PHONE_A: &str = "127.0.0.32";
/// Registers B's frank (same username, the other account).
const PHONE_B: &str = "127.0.0.33";
/// Calls with A's frank (last seen).
const CALLER: &str = "127.0.0.34";
const UA_A: &str = "sipauth-suite-phone-A/18";
const UA_B: &str = "sipauth-suite-phone-B/18";
/// The Expires a phone asks for.
const EXPIRES: u32 = 600;

/// The checks' own SIPp scenarios (REGISTER to the realm, as a vobiz phone).
enum Shape {
    /// Challenged, answered, then 200; with a User-Agent (`-key ua`).
    Phone,
    /// Refused with 403: at once, or after answering a challenge (with the
    /// right password) should one come.
    Refused,
}

fn register(cseq: u32, authorization: &str, user_agent: bool) -> String {
    format!(
        "REGISTER sip:[domain] SIP/2.0\n\
         Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n\
         From: <sip:[service]@[domain]>;tag=[pid]SIPpTag[call_number]\n\
         To: <sip:[service]@[domain]>\n\
         Call-ID: [call_id]\n\
         CSeq: {cseq} REGISTER\n\
         Contact: <sip:[service]@[local_ip]:[local_port]>\n\
         {}{authorization}Max-Forwards: 70\n\
         Expires: {EXPIRES}\n\
         Content-Length: 0\n\n",
        if user_agent { "User-Agent: [ua]\n" } else { "" }
    )
}

fn shape_xml(shape: &Shape) -> String {
    let send = |body: String| format!("  <send retrans=\"500\"><![CDATA[\n{body}]]></send>\n");
    let mut xml =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<scenario name=\"security\">\n");
    match shape {
        Shape::Phone => {
            xml += &send(register(1, "", true));
            xml += "  <recv response=\"401\" auth=\"true\"/>\n";
            xml += &send(register(2, "[authentication]\n", true));
            xml += "  <recv response=\"200\"/>\n";
        }
        Shape::Refused => {
            xml += &send(register(1, "", false));
            xml += "  <recv response=\"401\" auth=\"true\" optional=\"true\" next=\"1\"/>\n";
            xml += "  <recv response=\"403\" next=\"2\"/>\n";
            xml += "  <label id=\"1\"/>\n";
            xml += &send(register(2, "[authentication]\n", false));
            xml += "  <recv response=\"403\"/>\n";
            xml += "  <label id=\"2\"/>\n";
        }
    }
    xml + "</scenario>\n"
}

/// One SIPp run: `calls` scenarios one after the other (20 a second) from
/// `source`; true when every one got exactly the answers it expects.
struct Run<'a> {
    scenario: PathBuf,
    source: &'a str,
    user: &'a str,
    domain: &'a str,
    password: Option<String>,
    calls: u32,
    user_agent: Option<&'a str>,
}

fn sipp(port: u16, r: &Run) -> bool {
    let mut cmd = Command::new("sipp");
    cmd.arg(format!("127.0.0.1:{port}"))
        .arg("-sf")
        .arg(&r.scenario)
        .args([
            "-i",
            r.source,
            "-nostdin",
            "-timeout",
            "5s",
            "-timeout_error",
        ])
        .args(["-m", &r.calls.to_string(), "-r", "20"])
        .args(["-s", r.user, "-key", "domain", r.domain]);
    if let Some(password) = &r.password {
        cmd.args(["-au", r.user, "-ap", password]);
    }
    cmd.args(["-key", "ua", r.user_agent.unwrap_or("sipauth-suite")]);
    cmd.stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A console GET with the operator's session: the JSON, or why not.
pub(super) fn console(base: &str, jar: &Path, path: &str) -> Result<serde_json::Value, String> {
    let out = capture(
        "curl",
        &[
            "-s",
            "-b",
            &jar.to_string_lossy(),
            "-w",
            "\n%{http_code}",
            &format!("{base}{path}"),
        ],
    )
    .unwrap_or_default();
    let (body, code) = out.rsplit_once('\n').unwrap_or(("", "0"));
    if code.trim() != "200" {
        return Err(format!("GET {path} answered {}: {body}", code.trim()));
    }
    serde_json::from_str(body).map_err(|e| format!("GET {path}: {e}"))
}

/// Asks until `found` holds (at most `DEADLINE`): the last answer, and
/// whether it held.
pub(super) fn until(
    mut ask: impl FnMut() -> Result<serde_json::Value, String>,
    found: impl Fn(&serde_json::Value) -> bool,
) -> (Result<serde_json::Value, String>, bool) {
    let started = Instant::now();
    loop {
        let answer = ask();
        if answer.as_ref().is_ok_and(&found) {
            return (answer, true);
        }
        if started.elapsed() > DEADLINE {
            return (answer, false);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A short account of an answer for a TAP line.
pub(super) fn shown(answer: &Result<serde_json::Value, String>) -> String {
    let s = match answer {
        Ok(v) => v.to_string(),
        Err(e) => e.clone(),
    };
    s.chars().take(400).collect()
}

/// The registrations a view lists: (source, user agent, expires in, aor).
fn contacts(v: &serde_json::Value) -> Vec<(String, String, i64, String)> {
    v["registrations"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|r| {
                    (
                        r["source"].as_str().unwrap_or_default().to_string(),
                        r["user_agent"].as_str().unwrap_or_default().to_string(),
                        r["expires_in"].as_i64().unwrap_or(-1),
                        r["aor"].as_str().unwrap_or_default().to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `calls` REGISTERs (or calls) as frank of `t` at its realm.
fn run<'a>(
    t: &'a Tenant,
    scenario: &Path,
    source: &'a str,
    password: Option<String>,
    calls: u32,
) -> Run<'a> {
    Run {
        scenario: scenario.to_path_buf(),
        source,
        user: "frank",
        domain: &t.realm,
        password,
        calls,
        user_agent: None,
    }
}

pub(super) fn checks(
    root: &Path,
    stack: &Stack,
    sip: &Prober,
    (a, b): (&Tenant, &Tenant),
    jar: &Path,
    report: &mut Report,
) -> Result<(), String> {
    let dir = stack.dir.join("scenarios");
    let phone = dir.join("security-phone.xml");
    let refused = dir.join("security-refused.xml");
    for (path, shape) in [(&phone, Shape::Phone), (&refused, Shape::Refused)] {
        std::fs::write(path, shape_xml(&shape)).map_err(|e| e.to_string())?;
    }
    let scenarios = &sip.scenarios;
    let wrong = scenarios.file(super::Method::Register, true, 401);
    let banning = scenarios.file(super::Method::Register, true, 403);
    let plain = scenarios.file(super::Method::Register, false, 401);
    let call = scenarios.file(super::Method::Invite, true, 200);
    let port = sip.port;
    let base = &stack.base;
    let view = |t: &Tenant, rest: &str| format!("/console/accounts/{}/sip/{rest}", t.id);
    let n = BAN_FAILURES;
    let right = |t: &Tenant| Some(t.password("frank"));
    let bad = |t: &Tenant| Some(format!("{}-wrong", t.password("frank")));

    // Registrations: each account's frank from its own phone.
    let registered = [(a, PHONE_A, UA_A), (b, PHONE_B, UA_B)].map(|(t, source, ua)| {
        let mut r = run(t, &phone, source, right(t), 1);
        r.user_agent = Some(ua);
        sipp(port, &r)
    });
    let frank_a = view(a, &format!("registrations?credential={}", a.ids["frank"]));
    let frank_b = view(b, &format!("registrations?credential={}", b.ids["frank"]));
    let answer_a = console(base, jar, &frank_a);
    let listed = answer_a.as_ref().map(contacts).unwrap_or_default();
    let mine = listed
        .iter()
        .find(|(source, ..)| source == PHONE_A)
        .cloned();
    report.check(
        registered[0]
            && mine.as_ref().is_some_and(|(_, ua, expires, aor)| {
                ua == UA_A
                    && (1..=EXPIRES as i64).contains(expires)
                    && *aor == format!("frank@{}", a.realm)
            }),
        &format!(
            "a SIPp REGISTER from {PHONE_A} (user agent {UA_A}, Expires {EXPIRES}) is in A's frank registrations with its user agent and expiry: {mine:?}"
        ),
    );
    let answer_b = console(base, jar, &frank_b);
    let theirs = answer_b.as_ref().map(contacts).unwrap_or_default();
    let only_own = |list: &[(String, String, i64, String)], own: &str, other: &str, realm: &str| {
        list.iter().any(|(s, ..)| s == own)
            && list
                .iter()
                .all(|(s, _, _, aor)| s != other && *aor == format!("frank@{realm}"))
    };
    report.check(
        registered[1]
            && only_own(&listed, PHONE_A, PHONE_B, &a.realm)
            && only_own(&theirs, PHONE_B, PHONE_A, &b.realm),
        &format!(
            "two accounts' frank registered: each account's registrations view shows only its own contact (A: {:?}; B: {:?})",
            listed.iter().map(|c| &c.0).collect::<Vec<_>>(),
            theirs.iter().map(|c| &c.0).collect::<Vec<_>>()
        ),
    );

    // Last seen after an authenticated call.
    let called = sipp(port, &run(a, &call, CALLER, right(a), 1));
    let (answer, seen) = until(
        || console(base, jar, &view(a, "credentials")),
        |v| {
            v["credentials"].as_array().is_some_and(|list| {
                list.iter().any(|c| {
                    c["id"] == a.ids["frank"].as_str()
                        && c["last_seen"]["source"] == CALLER
                        && c["last_seen"]["method"] == "INVITE"
                })
            })
        },
    );
    let frank = answer
        .as_ref()
        .ok()
        .and_then(|v| {
            v["credentials"]
                .as_array()?
                .iter()
                .find(|c| c["id"] == a.ids["frank"].as_str())
                .cloned()
        })
        .map(|c| c["last_seen"].to_string())
        .unwrap_or_else(|| shown(&answer));
    report.check(
        called && seen,
        &format!("after an authenticated INVITE from {CALLER}, frank's last seen says so: {frank}"),
    );

    // First challenges (no credentials) do not count.
    let challenged = sipp(port, &run(a, &plain, CHALLENGED, None, n + 2))
        && sipp(port, &run(a, &phone, CHALLENGED, right(a), 1));
    report.check(
        challenged,
        &format!(
            "{} REGISTERs without credentials from {CHALLENGED} are only challenged (401), and then its REGISTER with the right password is admitted",
            n + 2
        ),
    );

    // The storm: N wrong passwords re-challenged, the next one banned.
    let storm = sipp(port, &run(a, &wrong, STORM, bad(a), n));
    let banned = sipp(port, &run(a, &banning, STORM, bad(a), 1));
    report.check(
        storm && banned,
        &format!(
            "a wrong-password storm from {STORM} at A's realm: {n} wrong answers re-challenged (401), the next one refused 403 (banned)"
        ),
    );
    let refused_right = sipp(port, &run(a, &refused, STORM, right(a), 1));
    report.check(
        refused_right,
        &format!("while banned, {STORM} is refused (403) even with the right password"),
    );
    let (app_user, app_domain) = a.address("app credential");
    let app = Run {
        scenario: scenarios.file(super::Method::Invite, false, 403),
        source: STORM,
        user: &app_user,
        domain: &app_domain,
        password: None,
        calls: 1,
        user_agent: None,
    };
    // Unbanned, an INVITE without credentials there is challenged (407).
    report.check(
        sipp(port, &app),
        &format!("and A's other entry points (its credential application) refuse {STORM} too"),
    );
    let other = sipp(port, &run(b, &phone, STORM, right(b), 1));
    report.check(
        other,
        &format!("A's ban of {STORM} does not touch B: its REGISTER with B's frank is admitted"),
    );

    // A source in an ACL of A is never banned.
    let acl_storm = sipp(port, &run(a, &wrong, SRC_A, bad(a), n + 2));
    let acl_after = sipp(port, &run(a, &phone, SRC_A, right(a), 1));
    report.check(
        acl_storm && acl_after,
        &format!(
            "{SRC_A}, in an IP ACL of A, sends {} wrong passwords: never banned (all re-challenged), then registers",
            n + 2
        ),
    );

    // What the console's endpoints show.
    let storm_total = n + 1;
    let (answer, listed) = until(
        || console(base, jar, &view(a, &format!("failures?source={STORM}"))),
        |v| {
            let rows = v["failures"].as_array().cloned().unwrap_or_default();
            let count: i64 = rows.iter().filter_map(|r| r["count"].as_i64()).sum();
            count == storm_total as i64
                && rows.iter().all(|r| {
                    r["source"] == STORM
                        && r["username"] == "frank"
                        && r["reason"] == "wrong password"
                        && r["entry"] == a.realm.as_str()
                })
        },
    );
    report.check(
        listed,
        &format!(
            "A's failures list shows the storm: {storm_total} wrong passwords for frank from {STORM} at {} ({})",
            a.realm,
            shown(&answer)
        ),
    );
    let (answer, none) = until(
        || {
            console(
                base,
                jar,
                &view(a, &format!("failures?source={CHALLENGED}")),
            )
        },
        |v| v["total"] == 0 && v["failures"].as_array().is_some_and(Vec::is_empty),
    );
    report.check(
        none,
        &format!(
            "and no failure of {CHALLENGED} (first challenges): {}",
            shown(&answer)
        ),
    );
    let (answer, bans) = until(
        || console(base, jar, &view(a, "security")),
        |v| {
            let bans = v["bans"].as_array().cloned().unwrap_or_default();
            bans.iter().any(|b| {
                b["source"] == STORM
                    && b["failures"] == storm_total
                    && b["seconds_left"].as_i64().is_some_and(|s| s > 0)
            }) && bans.iter().all(|b| b["source"] != SRC_A)
        },
    );
    report.check(
        bans,
        &format!(
            "A's Security view lists the ban of {STORM} ({storm_total} failures, time left) and none of {SRC_A}: {}",
            shown(&answer.map(|v| v["bans"].clone()))
        ),
    );
    let (answer, b_clean) = until(
        || console(base, jar, &view(b, "security")),
        |v| {
            v["bans"]
                .as_array()
                .is_some_and(|bans| bans.iter().all(|b| b["source"] != STORM))
        },
    );
    report.check(
        b_clean,
        &format!(
            "B's Security view has no ban of {STORM}: {}",
            shown(&answer.map(|v| v["bans"].clone()))
        ),
    );

    // Unban in the console, in Chromium; the very next REGISTER is admitted.
    let started = Instant::now();
    let clicked = Command::new("node")
        .arg(root.join("tests/sip/security.mjs"))
        .env("BASE_URL", base)
        .env("FIRST_RUN", stack.data.join("first-run.json"))
        .env("ACCOUNT", &a.id)
        .env("SOURCE", STORM)
        .status()
        .is_ok_and(|s| s.success());
    let browser = started.elapsed();
    let again = clicked && sipp(port, &run(a, &phone, STORM, right(a), 1));
    report.check(
        again,
        &format!(
            "the credentials list shows last seen and the Security page the storm, its chart and its ban, axe-clean in both themes and at 390 px; Unban {STORM} there (Chromium): its next REGISTER is admitted ({} ms with the browser)",
            browser.as_millis()
        ),
    );
    Ok(())
}
