//! The `sipauth` binary as users run it: first start, CLI, restart, logs.

use crate::json;
use reqwest::Method;
use serde_json::{json, Value};
use sipauth_server::sql::q;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};

const BIN: &str = env!("CARGO_BIN_EXE_sipauth");

pub(crate) struct Server {
    pub(crate) child: Child,
    pub(crate) base: String,
    banner: Vec<String>,
    logs: Arc<Mutex<String>>,
}

/// Kills and reaps the server however the test ends.
impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn start(data_dir: &std::path::Path) -> Server {
    start_with(data_dir, &[], &[])
}

pub(crate) fn start_with(
    data_dir: &std::path::Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> Server {
    let child = Command::new(BIN)
        .args(["serve", "--port", "0", "--data-dir"])
        .arg(data_dir)
        .args(args)
        .envs(env.iter().copied())
        .env("RUST_LOG", "debug")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut server = Server {
        child,
        base: String::new(),
        banner: Vec::new(),
        logs: Arc::new(Mutex::new(String::new())),
    };
    let mut stderr = server.child.stderr.take().unwrap();
    let sink = server.logs.clone();
    std::thread::spawn(move || {
        let mut buf = [0u8; 4096];
        while let Ok(n) = stderr.read(&mut buf) {
            if n == 0 {
                break;
            }
            sink.lock()
                .unwrap()
                .push_str(&String::from_utf8_lossy(&buf[..n]));
        }
    });
    let mut stdout = BufReader::new(server.child.stdout.take().unwrap());
    loop {
        let mut line = String::new();
        let read = stdout.read_line(&mut line).unwrap_or(0);
        assert!(read > 0, "server exited: {}", server.logs.lock().unwrap());
        if let Some(addr) = line.trim().strip_prefix("listening on ") {
            server.base = addr.to_string();
            // Keep draining stdout so the server never blocks on it.
            std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
            return server;
        }
        server.banner.push(line.trim_end().to_string());
    }
}

/// The account and the operator a first start wrote to `first-run.json`
/// in `data_dir`: (auth_id, token, operator password).
pub(crate) fn first_run(data_dir: &std::path::Path) -> (String, String, String) {
    let first: Value =
        serde_json::from_slice(&std::fs::read(data_dir.join("first-run.json")).unwrap()).unwrap();
    let text = |v: &Value| v.as_str().unwrap().to_string();
    (
        text(&first["account"]["auth_id"]),
        text(&first["account"]["auth_token"]),
        text(&first["operator"]["password"]),
    )
}

/// One request to a server a test started, with Basic auth as
/// `(id, token)` when given and `body` as JSON.
pub(crate) async fn request(
    client: &reqwest::Client,
    method: reqwest::Method,
    url: String,
    basic: Option<(&str, &str)>,
    body: Option<Value>,
) -> reqwest::Response {
    let mut request = client.request(method, url);
    if let Some((id, token)) = basic {
        request = request.basic_auth(id, Some(token));
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap()
}

/// A CLI run: (command, its arguments after --data-dir, stdin, whether it
/// succeeds, what it says).
type CliStep<'a> = ([&'a str; 2], &'a [&'a str], &'a str, bool, &'a str);

pub(crate) fn cli(args: &[&str], stdin: &str) -> (bool, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test]
async fn first_start_restart_and_logs_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = start(dir.path());

    // The banner shows the sign-in and the token once; first-run.json has them.
    let file = dir.path().join("first-run.json");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let (auth_id, token, operator_password) = first_run(dir.path());
    // Stdout is a pipe here, as under a service manager that keeps it in a
    // journal: the banner says where the secrets are, never what they are.
    let banner = server.banner.join("\n");
    assert!(banner.contains("first-run.json"), "{banner}");
    assert!(!banner.contains(&token), "{banner}");
    assert!(!banner.contains(&operator_password), "{banner}");
    assert!(sipauth_model::Password::parse(&operator_password).is_ok());

    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let sip_password = "Durable-Secret-77";
    let basic = Some((auth_id.as_str(), token.as_str()));
    let credentials = |base: &str| format!("{base}/v1/Account/{auth_id}/SipAuth/Credential/");
    let acls = |base: &str| format!("{base}/v1/Account/{auth_id}/SipAuth/IpAccessControlList/");
    for (url, body) in [
        (
            credentials(&server.base),
            json!({"username": "durable", "password": sip_password}),
        ),
        (
            acls(&server.base),
            json!({"name": "Durable ACL", "entries": [{"ip": "2001:db8::", "cidr_prefix": 32}]}),
        ),
    ] {
        let r = request(&client, Method::POST, url, basic, Some(body)).await;
        assert_eq!(r.status(), 201);
    }
    let session = format!("{}/console/session", server.base);
    let sign_in = json!({"username": "admin", "password": operator_password});
    let r = request(&client, Method::POST, session, None, Some(sign_in)).await;
    assert_eq!(r.status(), 200);

    // Killed without warning: what was acknowledged must still be there.
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let first_logs = server.logs.lock().unwrap().clone();

    let mut again = start(dir.path());
    assert!(
        again.banner.is_empty(),
        "second start printed {:?}",
        again.banner
    );
    let get = |url| request(&client, Method::GET, url, basic, None);
    let (status, body) = json(get(credentials(&again.base)).await).await;
    assert_eq!(status, 200);
    assert_eq!(body["objects"][0]["username"], "durable");
    let (_, acls) = json(get(acls(&again.base)).await).await;
    assert_eq!(acls["objects"][0]["name"], "Durable ACL");
    assert_eq!(acls["objects"][0]["entries"][0]["ip"], "2001:db8::");
    again.child.kill().unwrap();
    again.child.wait().unwrap();

    let logs = format!("{first_logs}{}", again.logs.lock().unwrap());
    assert!(
        logs.contains("credential created"),
        "requests are logged: {logs}"
    );
    for secret in [sip_password, token.as_str(), operator_password.as_str()] {
        assert!(!logs.contains(secret), "a secret reached the logs");
    }
}

#[tokio::test]
async fn account_and_operator_commands() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let steps: [CliStep; 7] = [
        (
            ["account", "create"],
            &["--auth-id", "MACLIACCOUNT"],
            "cli-token-0123456789abcdef0123456789\n",
            true,
            "account MACLIACCOUNT created",
        ),
        (
            ["account", "create"],
            &["--auth-id", "MACLIACCOUNT"],
            "cli-token-0123456789abcdef0123456789\n",
            false,
            "already exists",
        ),
        (
            ["account", "create"],
            &["--auth-id", "MASHORT"],
            "short-token-0123456789\n",
            false,
            "at least 32 characters",
        ),
        (
            ["operator", "add"],
            &["ops"],
            "weakpassword\n",
            false,
            "12–128 characters",
        ),
        (
            ["operator", "add"],
            &["ops"],
            "Operator-Pass-2026\n",
            true,
            "",
        ),
        (
            ["operator", "reset"],
            &["nobody"],
            "Operator-Pass-2026\n",
            false,
            "no operator named nobody",
        ),
        (
            ["operator", "reset"],
            &["ops"],
            "Operator-Pass-2027\n",
            true,
            "",
        ),
    ];
    for ([command, verb], rest, stdin, succeeds, says) in steps {
        let args = [&[command, verb, "--data-dir", d][..], rest].concat();
        let (ok, out) = cli(&args, stdin);
        assert_eq!(ok, succeeds, "{args:?}: {out}");
        assert!(out.contains(says), "{args:?}: {out}");
    }

    // The data directory was not empty: no demo account, and the console
    // points at the account created above; the new password signs in.
    let mut server = start(dir.path());
    assert!(server.banner.is_empty());
    assert!(!dir.path().join("first-run.json").exists());
    let client = reqwest::Client::new();
    let config = format!("{}/config.json", server.base);
    let (_, config) = json(request(&client, Method::GET, config, None, None).await).await;
    assert_eq!(config["account"], "MACLIACCOUNT");
    let session = format!("{}/console/session", server.base);
    let sign_in = json!({"username": "ops", "password": "Operator-Pass-2027"});
    let r = request(&client, Method::POST, session, None, Some(sign_in)).await;
    assert_eq!(r.status(), 200);
    let url = format!(
        "{}/v1/Account/MACLIACCOUNT/SipAuth/Credential/",
        server.base
    );
    let basic = Some(("MACLIACCOUNT", "cli-token-0123456789abcdef0123456789"));
    let r = request(&client, Method::GET, url, basic, None).await;
    assert_eq!(r.status(), 200);
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

#[tokio::test]
async fn operator_add_takes_a_role_and_the_accounts_it_may_use() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let token = "cli-token-0123456789abcdef0123456789";
    for id in ["MAFIRST", "MASECOND"] {
        let (ok, out) = cli(
            &["account", "create", "--data-dir", d, "--auth-id", id],
            &format!("{token}\n"),
        );
        assert!(ok, "{out}");
    }
    let password = "Operator-Pass-2026\n";
    let add = |rest: &[&str]| {
        cli(
            &[&["operator", "add", "--data-dir", d][..], rest].concat(),
            password,
        )
    };
    let (ok, out) = add(&["--role", "viewer", "--account", "MASECOND", "vera"]);
    assert!(ok && out.contains("operator vera added"), "{out}");
    let (ok, out) = add(&["--account", "MANOPE", "--account", "MAFIRST", "lost"]);
    assert!(!ok && out.contains("no account MANOPE"), "{out}");
    let (ok, out) = add(&["--role", "owner", "boss"]);
    assert!(!ok && out.contains("owner"), "{out}");
    let (ok, out) = add(&["has space"]);
    assert!(!ok && out.contains("not allowed"), "{out}");
    // No --role: an admin; no --account: every account.
    let (ok, out) = add(&["root"]);
    assert!(ok, "{out}");

    let server = start(dir.path());
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let session = format!("{}/console/session", server.base);
    let sign_in = json!({"username": "vera", "password": "Operator-Pass-2026"});
    let r = request(&client, Method::POST, session.clone(), None, Some(sign_in)).await;
    let (status, me) = json(r).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(me["role"], "viewer");
    assert_eq!(me["all_accounts"], false);
    assert_eq!(me["accounts"][0]["auth_id"], "MASECOND");
    assert_eq!(me["accounts"].as_array().unwrap().len(), 1);
    let csrf = me["csrf_token"].as_str().unwrap().to_string();
    let second = format!("{}/v1/Account/MASECOND/SipAuth/Credential/", server.base);
    let r = request(&client, Method::GET, second.clone(), None, None).await;
    assert_eq!(r.status(), 200);
    let body = json!({"username": "sipuser1", "password": "Xy7pQ2mLk9Rt4w"});
    let r = client
        .post(second)
        .header("X-CSRF-Token", &csrf)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let first = format!("{}/v1/Account/MAFIRST/SipAuth/Credential/", server.base);
    let r = request(&client, Method::GET, first, None, None).await;
    assert_eq!(r.status(), 404);

    let root = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let sign_in = json!({"username": "root", "password": "Operator-Pass-2026"});
    let (status, me) = json(request(&root, Method::POST, session, None, Some(sign_in)).await).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(
        (me["role"].as_str(), me["all_accounts"].as_bool()),
        (Some("admin"), Some(true))
    );
}

#[tokio::test]
async fn proxy_mode_keeps_the_provider_token_out_of_logs_and_answers() {
    let provider_dir = tempfile::tempdir().unwrap();
    let provider = start(provider_dir.path());
    let (auth_id, token, _) = first_run(provider_dir.path());

    // The token from a file, as the README says; never on the command line.
    let proxy_dir = tempfile::tempdir().unwrap();
    let token_file = proxy_dir.path().join("provider-token");
    std::fs::write(&token_file, format!("{token}\n")).unwrap();
    let proxy = start_with(
        &proxy_dir.path().join("data"),
        &[
            "--upstream",
            &provider.base,
            "--upstream-auth-id",
            &auth_id,
            "--upstream-token-file",
            token_file.to_str().unwrap(),
        ],
        &[],
    );
    let (_, _, operator_password) = first_run(&proxy_dir.path().join("data"));
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let session = format!("{}/console/session", proxy.base);
    let sign_in = json!({"username": "admin", "password": operator_password});
    let (_, session) =
        json(request(&client, Method::POST, session, None, Some(sign_in)).await).await;
    let csrf = session["csrf_token"].as_str().unwrap();
    let url = format!("{}/v1/Account/{auth_id}/SipAuth/Credential/", proxy.base);
    let r = client
        .post(&url)
        .header("X-CSRF-Token", csrf)
        .json(&json!({"username": "proxied", "password": "Proxied-Secret-42"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let text = |url: String| async {
        let r = request(&client, Method::GET, url, None, None).await;
        r.text().await.unwrap()
    };
    let listed = text(url.clone()).await;
    assert!(listed.contains("proxied"));
    let config = text(format!("{}/config.json", proxy.base)).await;
    assert!(config.contains(&auth_id));
    for answer in [&listed, &config] {
        assert!(!answer.contains(&token));
    }
    drop(proxy);
    let logs = {
        let p = start_with(
            &proxy_dir.path().join("data"),
            &["--upstream", &provider.base, "--upstream-auth-id", &auth_id],
            &[("SIPAUTH_UPSTREAM_TOKEN", &token)],
        );
        let banner = p.banner.join("\n");
        assert!(
            banner.contains("proxy mode: the API is forwarded to"),
            "{banner}"
        );
        drop(p);
        format!("{}{banner}", provider.logs.lock().unwrap())
    };
    assert!(logs.contains("credential created"));
    assert!(!logs.contains(&token), "the provider token reached a log");
    assert!(!logs.contains("Proxied-Secret-42"));
}

#[tokio::test]
async fn dialect_tells_the_console_which_provider_api_to_speak() {
    let dir = tempfile::tempdir().unwrap();
    let server = start_with(dir.path(), &["--dialect", "twilio"], &[]);
    let (_, config) = json(
        reqwest::get(format!("{}/config.json", server.base))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(config["dialect"], "twilio");
    drop(server);
    let d = dir.path().to_str().unwrap();
    let (ok, out) = cli(&["serve", "--data-dir", d, "--dialect", "sms"], "");
    assert!(!ok);
    assert!(
        out.contains("possible values: plivo, zentrunk, twilio, vobiz"),
        "{out}"
    );
    // Proxy mode serves every dialect, and never without the provider's token.
    let (ok, out) = cli(
        &[
            "serve",
            "--data-dir",
            d,
            "--dialect",
            "vobiz",
            "--upstream",
            "https://api.example.com",
            "--upstream-auth-id",
            "MA1",
        ],
        "",
    );
    assert!(!ok);
    assert!(
        out.contains("proxy mode needs the provider's token"),
        "{out}"
    );
}

#[tokio::test]
async fn a_store_with_a_foreign_realm_credential_refuses_to_serve_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    for (id, token) in [
        (
            "MAFIRST0000000000001",
            "first-token-0123456789abcdef0123456789",
        ),
        (
            "MASECOND000000000002",
            "second-token-0123456789abcdef0123456789",
        ),
    ] {
        let d = dir.path().to_str().unwrap();
        let (ok, out) = cli(
            &["account", "create", "--auth-id", id, "--data-dir", d],
            token,
        );
        assert!(ok, "{out}");
    }
    // What the API refuses now, written as an older version could have.
    let db = sipauth_server::db::open(dir.path()).await.unwrap();
    q(
        "INSERT INTO credentials (id, account_id, username, realm, ha1)
         VALUES ('cred-1', 'MAFIRST0000000000001', '1001', 'masecond000000000002.sip.localhost', 'h')",
    )
    .execute(&db.write)
    .await
    .unwrap();
    db.close().await;

    let out = Command::new(BIN)
        .args(["serve", "--port", "0", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(
        text.contains("SIP names that are not their account's")
            && text.contains(
                "credential cred-1 (username 1001, realm masecond000000000002.sip.localhost) of account MAFIRST0000000000001"
            ),
        "{text}"
    );
}

/// `account create` with no token on standard input makes one, long and
/// random, and shows it once; a short one is refused.
#[tokio::test]
async fn account_create_makes_a_token_when_none_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (ok, out) = cli(
        &["account", "create", "--auth-id", "MAMADE", "--data-dir", d],
        "",
    );
    assert!(ok, "{out}");
    let token = out
        .lines()
        .find_map(|l| l.strip_prefix("API token (shown only now): "))
        .unwrap_or_else(|| panic!("{out}"))
        .to_string();
    assert!(token.len() >= 32 && token.chars().all(|c| c.is_ascii_alphanumeric()));
    let server = start(dir.path());
    let url = format!("{}/v1/Account/MAMADE/SipAuth/Credential/", server.base);
    let r = reqwest::Client::new()
        .get(url)
        .basic_auth("MAMADE", Some(&token))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

/// The store holds HA1s and session hashes: only its owner may read it. A
/// fresh data directory is 0700 with its files 0600; one left open (an old
/// version, a loose umask) is closed at start, with a warning naming it.
#[cfg(unix)]
#[tokio::test]
async fn the_store_is_readable_by_its_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let parent = tempfile::tempdir().unwrap();
    let dir = parent.path().join("data");
    let mode = |name: &str| {
        let path = if name.is_empty() {
            dir.clone()
        } else {
            dir.join(name)
        };
        std::fs::metadata(&path).unwrap().permissions().mode() & 0o777
    };
    let files = [
        "sipauth.db",
        "sipauth.db-wal",
        "sipauth.db-shm",
        "first-run.json",
    ];
    {
        let _server = start(&dir);
        assert_eq!(mode(""), 0o700);
        for file in files {
            assert_eq!(mode(file), 0o600, "{file}");
        }
    }
    let open = |name: &str, m: u32| {
        let path = if name.is_empty() {
            dir.clone()
        } else {
            dir.join(name)
        };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(m)).unwrap();
    };
    open("", 0o755);
    open("sipauth.db", 0o644);
    open("first-run.json", 0o644);
    let server = start(&dir);
    assert_eq!(mode(""), 0o700);
    for file in files {
        assert_eq!(mode(file), 0o600, "{file}");
    }
    let logs = server.logs.lock().unwrap().clone();
    assert!(
        logs.contains("sipauth.db") && logs.contains("readable by others"),
        "{logs}"
    );
}

/// Failed sign-ins cannot exhaust memory: each password check holds argon2's
/// 19 MiB, so only a few run at once (the rest wait briefly or get 503 with
/// `Retry-After`) and the memory goes back when they end. 240 wrong
/// sign-ins, 32 at a time from 60 addresses and 240 names (under the
/// per-address and per-name limits), once grew the server to 3.4 GiB.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn wrong_sign_ins_from_many_addresses_keep_memory_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let server = start(dir.path());
    let rss_mib = || {
        let status =
            std::fs::read_to_string(format!("/proc/{}/status", server.child.id())).unwrap();
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .unwrap();
        kib / 1024
    };
    let clients: Vec<reqwest::Client> = (1..=60)
        .map(|i| {
            let from = std::net::IpAddr::from([127, 3, 0, i]);
            reqwest::Client::builder()
                .local_address(from)
                .build()
                .unwrap()
        })
        .collect();
    let url = format!("{}/console/session", server.base);
    let mut statuses = Vec::new();
    for round in 0..(240 / 32) {
        let attempts: Vec<_> = (0..32)
            .map(|i| {
                let client = clients[(round * 32 + i) % clients.len()].clone();
                let url = url.clone();
                tokio::spawn(async move {
                    // A name each, as a botnet would: no per-name limit stops
                    // them, so every one reaches the password check.
                    let n = round * 32 + i;
                    let body =
                        json!({"username": format!("admin{n}"), "password": "not-the-password"});
                    let r = client.post(url).json(&body).send().await.unwrap();
                    let retry = r.headers().get("retry-after").is_some();
                    (r.status().as_u16(), retry)
                })
            })
            .collect();
        for a in attempts {
            statuses.push(a.await.unwrap());
        }
    }
    assert!(
        statuses
            .iter()
            .all(|(s, retry)| *s == 401 || (*s == 503 && *retry)),
        "{statuses:?}"
    );
    assert!(statuses.iter().any(|(s, _)| *s == 401));
    let rss = rss_mib();
    assert!(rss < 100, "the server holds {rss} MiB after the sign-ins");
}

/// The ban flags reach `sip_settings` (what Kamailio loads as `sipcfg`),
/// out-of-range values are refused by name, and with `--kamailio-rpc` the
/// binary listens for reports where `--sip-events` says.
#[tokio::test]
async fn ban_flags_are_bounded_and_written_for_kamailio() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    for (flag, value) in [
        ("--ban-failures", "0"),
        ("--ban-window", "5"),
        ("--ban-seconds", "9"),
        ("--flag-user-failures", "10001"),
    ] {
        let (ok, out) = cli(&["serve", "--data-dir", d, flag, value], "");
        assert!(!ok, "{flag} {value}");
        assert!(out.contains(flag), "{out}");
    }
    // A free UDP port for the reports.
    let port = std::net::UdpSocket::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let events = format!("127.0.0.1:{port}");
    let server = start_with(
        dir.path(),
        &[
            "--kamailio-rpc",
            "http://127.0.0.1:9/RPC",
            "--sip-events",
            &events,
            "--ban-failures",
            "12",
            "--ban-seconds",
            "900",
        ],
        &[],
    );
    let (_, config) = json(
        reqwest::get(format!("{}/config.json", server.base))
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(config["sip_insight"], true);
    let db = sipauth_server::db::open(dir.path()).await.unwrap();
    let settings: Vec<(String, String)> =
        q("SELECT key_name, key_value FROM sip_settings ORDER BY key_name")
            .fetch_all(&db.read)
            .await
            .unwrap();
    let expect = [
        ("ban_failures", "12"),
        ("ban_seconds", "900"),
        ("ban_window", "60"),
        ("user_failures", "20"),
    ]
    .map(|(k, v)| (k.to_string(), v.to_string()));
    assert_eq!(settings, expect);
    // The port is the server's: taking it again fails.
    assert!(std::net::UdpSocket::bind(&events).is_err());
    assert!(server
        .logs
        .lock()
        .unwrap()
        .contains("listening for Kamailio's reports"));
}
