//! The SIP suite of `cargo xtask test`: Debian's Kamailio reads the server's
//! store with deploy/kamailio/kamailio.cfg, SIPp sends real REGISTER and
//! OPTIONS requests on loopback, and each check measures how long after the
//! API's answer Kamailio enforced the change.

use crate::steps::{base64, capture, Counts};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long a change may take to be enforced before the check fails.
const DEADLINE: Duration = Duration::from_secs(3);

struct Kamailio {
    child: Child,
}

impl Drop for Kamailio {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16, String> {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| e.to_string())
}

/// The API, through curl (what a script would do): (status, body).
struct Api {
    base: String,
    auth: String,
}

/// The operator's view: Kamailio has all of at least `changes` ACL changes
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

impl Api {
    fn call(&self, method: &str, path: &str, body: Option<&str>) -> (u16, String) {
        let url = format!("{}{path}", self.base);
        let mut args = vec!["-s", "-X", method, "-w", "\n%{http_code}", "-H", &self.auth];
        if let Some(body) = body {
            args.extend(["-H", "Content-Type: application/json", "-d", body]);
        }
        args.push(&url);
        let out = capture("curl", &args).unwrap_or_default();
        let (body, code) = out.rsplit_once('\n').unwrap_or(("", "0"));
        (code.trim().parse().unwrap_or(0), body.to_string())
    }

    fn json(&self, method: &str, path: &str, body: Option<&str>) -> serde_json::Value {
        serde_json::from_str(&self.call(method, path, body).1).unwrap_or_default()
    }
}

/// One SIPp run of `scenario` against Kamailio; true when it got exactly the
/// replies the scenario expects. An IPv6 `source` talks to Kamailio's `[::1]`.
fn sipp(root: &Path, port: u16, scenario: &str, source: &str, extra: &[&str]) -> bool {
    let target = if source.contains(':') {
        format!("[::1]:{port}")
    } else {
        format!("127.0.0.1:{port}")
    };
    Command::new("sipp")
        .arg(target)
        .arg("-sf")
        .arg(root.join("tests/sip").join(scenario))
        .args([
            "-i",
            source,
            "-m",
            "1",
            "-nostdin",
            "-timeout",
            "2s",
            "-timeout_error",
        ])
        .args(extra)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
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

fn run(root: &Path, server_binary: &Path, dist: &Path) -> Result<Counts, String> {
    let dir = std::env::temp_dir().join(format!("sipauth-sip-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let data = dir.join("data");
    let run_dir = dir.join("run");
    std::fs::create_dir_all(&run_dir).map_err(|e| e.to_string())?;
    let (sip_port, rpc_port) = (free_port()?, free_port()?);
    let rpc = format!("http://127.0.0.1:{rpc_port}/RPC");

    // The server first: it creates the store Kamailio reads.
    let mut server = Command::new(server_binary)
        .args([
            "serve",
            "--port",
            "0",
            "--rate-limit",
            "0",
            "--kamailio-rpc",
            &rpc,
            "--data-dir",
        ])
        .arg(&data)
        .arg("--dist")
        .arg(dist)
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let guard = ServerGuard(&mut server);
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(
        guard.0.stdout.take().expect("piped"),
    ));
    let base = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.trim().strip_prefix("listening on ").map(str::to_string))
        .ok_or("the server did not start")?;
    std::thread::spawn(move || lines.for_each(drop));

    let db = data.join("sipauth.db");
    let kamailio = Kamailio {
        child: Command::new("/usr/sbin/kamailio")
            .arg("-f")
            .arg(root.join("deploy/kamailio/kamailio.cfg"))
            .args(["-DD", "-E", "-P"])
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
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", rpc_port)).is_err() {
        if started.elapsed() > Duration::from_secs(10) {
            let log = std::fs::read_to_string(dir.join("kamailio.log")).unwrap_or_default();
            return Err(format!("kamailio did not start:\n{log}"));
        }
        std::thread::sleep(Duration::from_millis(50));
    }

    let first: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(data.join("first-run.json")).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let id = first["account"]["auth_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let token = first["account"]["auth_token"].as_str().unwrap_or_default();
    let api = Api {
        base,
        auth: format!("Authorization: Basic {}", base64(&format!("{id}:{token}"))),
    };
    let sipauth = format!("/v1/Account/{id}/SipAuth");
    let jar = dir.join("cookies");
    let sign_in = serde_json::json!({
        "username": first["operator"]["username"],
        "password": first["operator"]["password"],
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
            &format!("{}/console/session", api.base),
        ],
    )
    .ok_or("cannot sign in with curl")?;

    let mut counts = Counts::default();
    let mut n = 0;
    // Runs `probe` until it passes or the deadline, after an API change
    // answered at `answered`; prints a TAP line with the delay.
    let mut check = |what: &str, answered: Instant, probe: &dyn Fn() -> bool| {
        n += 1;
        let mut probes = 0;
        loop {
            let sent = answered.elapsed();
            let probe_started = Instant::now();
            probes += 1;
            if probe() {
                counts.passed += 1;
                // The change was enforced by the time this probe's request
                // arrived: at most `sent` plus the probe's own run.
                println!(
                    "ok {n} - {what} (probe {probes} sent {} ms after the API's answer, took {} ms)",
                    sent.as_millis(),
                    probe_started.elapsed().as_millis()
                );
                return;
            }
            if answered.elapsed() > DEADLINE {
                counts.failed += 1;
                println!(
                    "not ok {n} - {what} (not within {} s, {probes} probes)",
                    DEADLINE.as_secs()
                );
                return;
            }
        }
    };

    // Credentials: auth_db reads the subscriber view per request.
    let created = api.json(
        "POST",
        &format!("{sipauth}/Credential/"),
        Some(r#"{"username":"phone100","password":"Phone-Passw0rd-100"}"#),
    );
    let answered = Instant::now();
    let realm = created["realm"].as_str().unwrap_or_default().to_string();
    let credential = created["credential_uuid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let register = |scenario: &str, password: &str| {
        sipp(
            root,
            sip_port,
            scenario,
            "127.0.0.1",
            &[
                "-s", "phone100", "-key", "realm", &realm, "-au", "phone100", "-ap", password,
            ],
        )
    };
    check(
        "a new credential registers with its password",
        answered,
        &|| register("register-accepted.xml", "Phone-Passw0rd-100"),
    );
    check("a wrong password is refused", Instant::now(), &|| {
        register("register-refused.xml", "Wrong-Passw0rd-100")
    });

    api.call(
        "POST",
        &format!("{sipauth}/Credential/{credential}/"),
        Some(r#"{"password":"Phone-Passw0rd-200"}"#),
    );
    let answered = Instant::now();
    check(
        "after a password change the old one is refused",
        answered,
        &|| register("register-refused.xml", "Phone-Passw0rd-100"),
    );
    check("and the new one registers", answered, &|| {
        register("register-accepted.xml", "Phone-Passw0rd-200")
    });

    let vobiz = format!("/api/v1/account/{id}/credentials/{credential}");
    api.call("PUT", &vobiz, Some(r#"{"enabled":false}"#));
    check("a disabled credential is refused", Instant::now(), &|| {
        register("register-refused.xml", "Phone-Passw0rd-200")
    });
    api.call("PUT", &vobiz, Some(r#"{"enabled":true}"#));
    check("enabled again, it registers", Instant::now(), &|| {
        register("register-accepted.xml", "Phone-Passw0rd-200")
    });
    api.call(
        "DELETE",
        &format!("{sipauth}/Credential/{credential}/"),
        None,
    );
    check("a deleted credential is refused", Instant::now(), &|| {
        register("register-refused.xml", "Phone-Passw0rd-200")
    });

    // Source addresses: the server asks Kamailio to reload after each change.
    let options = |scenario: &str, source: &str| sipp(root, sip_port, scenario, source, &[]);
    check(
        "before any ACL, 127.0.0.2 is refused",
        Instant::now(),
        &|| options("options-403.xml", "127.0.0.2"),
    );
    let acl = api.json(
        "POST",
        &format!("{sipauth}/IpAccessControlList/"),
        Some(r#"{"name":"Lab","entries":[{"ip":"127.0.0.2","cidr_prefix":32}]}"#),
    );
    let answered = Instant::now();
    let acl_id = acl["ip_acl_uuid"].as_str().unwrap_or_default().to_string();
    check("an ACL entry for 127.0.0.2/32 admits it", answered, &|| {
        options("options-200.xml", "127.0.0.2")
    });
    check(
        "the console is told the SIP server has it",
        answered,
        &|| picked_up(&api.base, &jar, 1),
    );
    check("and 127.0.0.3 stays refused", Instant::now(), &|| {
        options("options-403.xml", "127.0.0.3")
    });
    let entries = api.json(
        "GET",
        &format!("{sipauth}/IpAccessControlList/{acl_id}/"),
        None,
    );
    let entry = entries["entries"][0]["entry_id"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    api.call(
        "DELETE",
        &format!("{sipauth}/IpAccessControlList/{acl_id}/Entry/{entry}/"),
        None,
    );
    check(
        "the entry removed, 127.0.0.2 is refused",
        Instant::now(),
        &|| options("options-403.xml", "127.0.0.2"),
    );
    let (status, body) = api.call(
        "POST",
        &format!("{sipauth}/IpAccessControlList/{acl_id}/Entry/"),
        Some(r#"{"ip":"127.0.0.0","cidr_prefix":29}"#),
    );
    if status != 201 {
        println!("xtask: adding 127.0.0.0/29 answered {status}: {body}");
    }
    check(
        "a /29 that covers 127.0.0.2 admits it",
        Instant::now(),
        &|| options("options-200.xml", "127.0.0.2"),
    );
    check(
        "IPv6 loopback is refused before it has an entry",
        Instant::now(),
        &|| options("options-403.xml", "::1"),
    );
    let (status, body) = api.call(
        "POST",
        &format!("{sipauth}/IpAccessControlList/{acl_id}/Entry/"),
        Some(r#"{"ip":"::1","cidr_prefix":128}"#),
    );
    if status != 201 {
        println!("xtask: adding ::1/128 answered {status}: {body}");
    }
    check(
        "an entry for ::1/128 admits IPv6 loopback",
        Instant::now(),
        &|| options("options-200.xml", "::1"),
    );

    // What the operator sees: an entry added in the console, whose page
    // must say whether the SIP server has it (tests/sip/console.mjs).
    let console = |address: &str, expect: &str| {
        Command::new("node")
            .arg(root.join("tests/sip/console.mjs"))
            .env("BASE_URL", &api.base)
            .env("FIRST_RUN", data.join("first-run.json"))
            .env("ACL_ID", &acl_id)
            .env("ADDRESS", address)
            .env("EXPECT", expect)
            .status()
            .is_ok_and(|s| s.success())
    };
    let mut report = |what: &str, ok: bool, started: Instant| {
        n += 1;
        let ms = started.elapsed().as_millis();
        if ok {
            counts.passed += 1;
            println!("ok {n} - {what} ({ms} ms with the browser)");
        } else {
            counts.failed += 1;
            println!("not ok {n} - {what}");
        }
    };
    let started = Instant::now();
    let ok = console(
        "127.0.0.4/32",
        "The SIP server enforces every IP ACL change.",
    ) && options("options-200.xml", "127.0.0.4");
    report(
        "an entry added in the console: the page says the SIP server enforces it, and SIPp from 127.0.0.4 is admitted",
        ok,
        started,
    );
    drop(kamailio);
    let started = Instant::now();
    let ok = console(
        "127.0.0.5/32",
        "has not picked up the latest IP ACL change yet",
    );
    report(
        "with Kamailio stopped, the page says the SIP server has not picked the change up",
        ok,
        started,
    );
    let _ = std::fs::remove_dir_all(&dir);
    println!("# pass {}\n# fail {}", counts.passed, counts.failed);
    Ok(counts)
}

struct ServerGuard<'a>(&'a mut Child);

impl Drop for ServerGuard<'_> {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
