//! `cargo xtask test`: every check and test, as CI runs them. Installs what
//! it needs, runs everything even after a failure, and ends with one line:
//! `N passed, N failed`.

use crate::server::{create_account, TestServer};
use crate::steps::{run_counted, Counts};
use crate::{run, tools};
use std::path::Path;
use std::process::Command;
use std::time::Instant;

struct Report {
    rows: Vec<(String, bool, Counts, f64)>,
}

impl Report {
    /// Records a step. A step that reports no tests (fmt, clippy, a build)
    /// counts as one check; a failing step with no failed test counts one.
    fn add(&mut self, name: &str, ok: bool, mut counts: Counts, started: Instant) {
        if counts.passed + counts.failed == 0 {
            if ok {
                counts.passed = 1;
            } else {
                counts.failed = 1;
            }
        } else if !ok && counts.failed == 0 {
            counts.failed = 1;
        }
        let secs = started.elapsed().as_secs_f64();
        println!(
            "\nxtask: {name}: {} ({secs:.0} s)\n",
            if ok { "ok" } else { "FAILED" }
        );
        self.rows.push((name.to_string(), ok, counts, secs));
    }

    fn step(&mut self, name: &str, program: &str, args: &[&str], env: &[(&str, &str)]) {
        println!("xtask: {name}: {program} {}", args.join(" "));
        let started = Instant::now();
        let mut cmd = Command::new(program);
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let (ok, counts) = run_counted(cmd);
        self.add(name, ok, counts, started);
    }
}

/// A cargo step, run in the order listed: (name, arguments, env).
type CargoStep<'a> = (String, Vec<&'a str>, &'a [(&'a str, &'a str)]);

pub fn test(root: &Path) -> Result<(), String> {
    let started = Instant::now();
    tools::wasm_target()?;
    tools::wasm_bindgen(root)?;
    tools::node_modules(root)?;
    tools::chromium()?;
    let geckodriver = tools::firefox()?;
    tools::nginx()?;
    tools::kamailio()?;
    // A throwaway cluster (its own temp dir and port), stopped when dropped.
    let postgres = crate::postgres::Cluster::start(false)?;
    let postgres_env = [("SIPAUTH_TEST_DATABASE_URL", postgres.url())];
    let postgres_env: Vec<(&str, &str)> =
        postgres_env.iter().map(|(k, v)| (*k, v.as_str())).collect();

    let mut r = Report { rows: Vec::new() };
    let wasm = "wasm32-unknown-unknown";
    // The same wasm-bindgen tests in both engines; the model's too, in the
    // browser rather than Node, since the console runs it there.
    let chromium = [
        ("CHROMEDRIVER", tools::CHROMEDRIVER),
        ("WASM_BINDGEN_USE_BROWSER", "1"),
    ];
    let firefox = [
        ("GECKODRIVER", geckodriver.as_str()),
        ("WASM_BINDGEN_USE_BROWSER", "1"),
    ];
    let clippy = ["--all-targets", "--", "-D", "warnings"];
    let native = ["-p", "sipauth-model", "-p", "sipauth-server", "-p", "xtask"];
    let mut steps: Vec<CargoStep> = vec![
        ("format".into(), vec!["fmt", "--all", "--check"], &[]),
        (
            "clippy (native)".into(),
            [&["clippy"][..], &native, &clippy].concat(),
            &[],
        ),
        (
            "clippy (wasm)".into(),
            [
                &["clippy", "-p", "sipauth-console", "--target", wasm][..],
                &clippy,
            ]
            .concat(),
            &[],
        ),
        (
            "model tests (native)".into(),
            vec!["test", "-p", "sipauth-model"],
            &[],
        ),
    ];
    let in_browsers = |what: &str, package| {
        [("Chromium", &chromium), ("Firefox", &firefox)].map(|(engine, env)| {
            let args = vec!["test", "-p", package, "--target", wasm];
            (format!("{what} tests ({engine})"), args, &env[..])
        })
    };
    steps.extend(in_browsers("model", "sipauth-model"));
    steps.push(("xtask tests".into(), vec!["test", "-p", "xtask"], &[]));
    steps.push((
        "server tests".into(),
        vec!["test", "-p", "sipauth-server"],
        &[],
    ));
    // The same API suite on PostgreSQL: one behaviour on both backends.
    steps.push((
        "server tests (PostgreSQL)".into(),
        vec!["test", "-p", "sipauth-server", "--test", "api"],
        &postgres_env,
    ));
    steps.extend(in_browsers("console", "sipauth-console"));
    for (name, args, env) in &steps {
        r.step(name, "cargo", args, env);
    }
    let built = Instant::now();
    let ok = run::build_console(root).is_ok() && run::build_server(None).is_ok();
    r.add("release build", ok, Counts::default(), built);
    if ok {
        let e2e = Instant::now();
        let (ok, counts) = end_to_end(root, &geckodriver);
        r.add(
            "end to end (Chromium; Firefox for the split console)",
            ok,
            counts,
            e2e,
        );
        let sdk = Instant::now();
        let (ok, counts) = twilio_sdk(root);
        r.add("Twilio helper library", ok, counts, sdk);
        schemathesis(root, &mut r);
        let sip = Instant::now();
        println!("xtask: SIP suite: Kamailio + SIPp against the store");
        let (ok, counts) = crate::sip::suite(root, &run::server_binary(None), &root.join("dist"));
        r.add("SIP (Kamailio + SIPp)", ok, counts, sip);
    }

    println!(
        "\n{:<28} {:>6} {:>6} {:>7}",
        "step", "passed", "failed", "seconds"
    );
    let mut total = Counts::default();
    for (name, ok, c, secs) in &r.rows {
        println!(
            "{:<28} {:>6} {:>6} {:>7.0}{}",
            name,
            c.passed,
            c.failed,
            secs,
            if *ok { "" } else { "  FAILED" }
        );
        total.passed += c.passed;
        total.failed += c.failed;
    }
    println!("total time {:.0} s", started.elapsed().as_secs_f64());
    println!("{} passed, {} failed", total.passed, total.failed);
    if r.rows.iter().all(|(_, ok, _, _)| *ok) {
        Ok(())
    } else {
        Err("some steps failed".into())
    }
}

/// The debug server with the release console, over a fresh data directory
/// named after the run.
fn start_server(
    root: &Path,
    name: &str,
    extra: &[&str],
    env: &[(&str, &str)],
) -> Result<TestServer, String> {
    let data = std::env::temp_dir().join(format!("sipauth-e2e-{name}-{}", std::process::id()));
    let dist = root.join("dist");
    let mut args = vec!["--dist", dist.to_str().ok_or("dist is not UTF-8")?];
    args.extend(extra);
    TestServer::start(&run::server_binary(None), &data, &args, env)
}

/// Twilio's official Python library (PyPI `twilio`, pinned in
/// tests/sdk/requirements.txt) against the twilio dialect of a fresh server,
/// with only its base URL changed.
fn twilio_sdk(root: &Path) -> (bool, Counts) {
    let run = || -> Result<(bool, Counts), String> {
        let python = tools::sdk_venv(root)?;
        let (sid, token) = (
            "AC5d1c0ffee5d1c0ffee5d1c0ffee5d1c0",
            "sdk-token-0123456789abcdef0123456789",
        );
        // config.json then names this account and its realm, which the
        // test's domain names end with.
        let server = start_server(root, "sdk", &["--account", sid], &[])?;
        let binary = run::server_binary(None);
        create_account(&binary, &server.data, sid, &format!("{token}\n"))
            .map_err(|e| format!("could not create the twilio test account: {e}"))?;
        let mut cmd = Command::new(python);
        cmd.arg(root.join("tests/sdk/test_twilio.py"))
            .env("BASE_URL", &server.base)
            .env("ACCOUNT_SID", sid)
            .env("AUTH_TOKEN", token);
        Ok(run_counted(cmd))
    };
    run().unwrap_or_else(|e| {
        println!("xtask: {e}");
        (false, Counts::default())
    })
}

/// Schemathesis against each dialect's OpenAPI document, all four served by
/// one fresh server (its account limit off: the run is one client asking
/// fast). Bounds, checks and why some are off: tests/schemathesis/.
fn schemathesis(root: &Path, r: &mut Report) {
    let started = Instant::now();
    let setup = || -> Result<_, String> {
        let program = tools::schemathesis(root)?;
        let server = start_server(root, "schemathesis", &["--rate-limit", "0"], &[])?;
        let first_run: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(server.data.join("first-run.json"))
                .map_err(|e| e.to_string())?,
        )
        .map_err(|e| e.to_string())?;
        let account = &first_run["account"];
        let id = account["auth_id"].as_str().unwrap_or_default().to_string();
        let token = account["auth_token"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        Ok((program, server, id, token))
    };
    let (program, server, id, token) = match setup() {
        Ok(ready) => ready,
        Err(e) => {
            println!("xtask: Schemathesis: {e}");
            r.add("Schemathesis", false, Counts::default(), started);
            return;
        }
    };
    let config = root.join("tests/schemathesis/schemathesis.toml");
    for dialect in ["plivo", "zentrunk", "twilio", "vobiz"] {
        let started = Instant::now();
        let document = format!("{}/openapi/{dialect}.json", server.base);
        println!("xtask: Schemathesis against {document}");
        let mut cmd = Command::new(&program);
        cmd.arg("--config-file")
            .arg(&config)
            .args(["run", &document, "--no-color"])
            .env("AUTH_ID", &id)
            // Its reports and example database stay with the server's data.
            .current_dir(&server.data);
        if dialect == "vobiz" {
            cmd.args(["-H", &format!("X-Auth-ID: {id}")])
                .args(["-H", &format!("X-Auth-Token: {token}")]);
        } else {
            cmd.args(["-a", &format!("{id}:{token}")]);
        }
        let (ok, counts) = run_counted(cmd);
        r.add(&format!("Schemathesis ({dialect})"), ok, counts, started);
    }
}

/// The real server with the release console over fresh data, driven by the
/// playwright-core tests: once directly, and once through a second server
/// in proxy mode in front of it (as a provider would be).
fn end_to_end(root: &Path, geckodriver: &str) -> (bool, Counts) {
    let run = || -> Result<(bool, Counts), String> {
        let direct = start_server(root, "direct", &[], &[])?;
        let mut total = Counts::default();
        let node = |base: &str, first_run: &Path, api: &str, files: &[&str]| {
            let mut cmd = Command::new("node");
            cmd.args(["--test", "--test-reporter=tap", "--test-concurrency=1"])
                .args(files.iter().map(|f| root.join("tests/e2e").join(f)))
                .env("BASE_URL", base)
                .env("API_URL", api)
                .env("FIRST_RUN", first_run)
                .env("CHROMIUM", tools::CHROMIUM)
                .env("ARTIFACTS", root.join("tests/e2e/artifacts"))
                .env("SCREENSHOTS", root.join("target/screenshots"));
            run_counted(cmd)
        };
        let direct_first_run = direct.data.join("first-run.json");
        // export.test.mjs checks the buttons are absent through the proxy.
        let files = [
            "credentials.test.mjs",
            "mappings.test.mjs",
            "export.test.mjs",
        ];
        println!("xtask: end to end, directly against {}", direct.base);
        let (ok_direct, c) = node(
            &direct.base,
            &direct_first_run,
            &direct.base,
            &[
                "credentials.test.mjs",
                "mappings.test.mjs",
                "a11y.test.mjs",
                "export.test.mjs",
            ],
        );
        total.passed += c.passed;
        total.failed += c.failed;

        // Through the proxy: the operator signs in to the proxy, whose
        // provider is the direct server's account.
        let provider: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&direct_first_run).map_err(|e| e.to_string())?,
        )
        .map_err(|e| e.to_string())?;
        let auth_id = provider["account"]["auth_id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let token = provider["account"]["auth_token"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let proxy = start_server(
            root,
            "proxy",
            &["--upstream", &direct.base, "--upstream-auth-id", &auth_id],
            &[("SIPAUTH_UPSTREAM_TOKEN", &token)],
        )?;
        let own: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(proxy.data.join("first-run.json"))
                .map_err(|e| e.to_string())?,
        )
        .map_err(|e| e.to_string())?;
        let merged =
            serde_json::json!({ "operator": own["operator"], "account": provider["account"] });
        let merged_path = proxy.data.join("e2e-first-run.json");
        std::fs::write(&merged_path, merged.to_string()).map_err(|e| e.to_string())?;
        println!("xtask: end to end, through the proxy at {}", proxy.base);
        let (ok_proxy, c) = node(&proxy.base, &merged_path, &direct.base, &files);
        total.passed += c.passed;
        total.failed += c.failed;
        drop(proxy);

        // The same scenario in each provider's dialect, each on a fresh server.
        let mut ok_dialects = true;
        for dialect in ["plivo", "zentrunk", "twilio", "vobiz"] {
            let server = start_server(root, dialect, &["--dialect", dialect], &[])?;
            println!("xtask: end to end, {dialect} dialect at {}", server.base);
            let mut cmd = Command::new("node");
            // One file after the other: each leaves the account as it found it.
            cmd.args(["--test", "--test-reporter=tap", "--test-concurrency=1"])
                .arg(root.join("tests/e2e/dialects.test.mjs"))
                .arg(root.join("tests/e2e/navigation.test.mjs"))
                .arg(root.join("tests/e2e/loading.test.mjs"))
                .arg(root.join("tests/e2e/firefox.test.mjs"))
                // Last: it reads the log of the changes it makes.
                .arg(root.join("tests/e2e/activity.test.mjs"))
                .env("BASE_URL", &server.base)
                .env("DIALECT", dialect)
                .env("FIRST_RUN", server.data.join("first-run.json"))
                .env("CHROMIUM", tools::CHROMIUM)
                .env("GECKODRIVER", geckodriver)
                .env("FIREFOX", tools::FIREFOX)
                .env("ARTIFACTS", root.join("tests/e2e/artifacts"));
            let (ok, c) = run_counted(cmd);
            ok_dialects &= ok;
            total.passed += c.passed;
            total.failed += c.failed;

            // Roles last on this server (it adds operators and rows), with a
            // second account the scoped editor may not reach and the admin
            // switches to.
            let second = "E2ESECOND";
            create_account(
                &run::server_binary(None),
                &server.data,
                second,
                "second-account-token-0123456789abcdef\n",
            )?;
            let mut cmd = Command::new("node");
            cmd.args(["--test", "--test-reporter=tap", "--test-concurrency=1"])
                .arg(root.join("tests/e2e/roles.test.mjs"))
                .env("BASE_URL", &server.base)
                .env("SECOND_ACCOUNT", second)
                .env("DIALECT", dialect)
                .env("FIRST_RUN", server.data.join("first-run.json"))
                .env("CHROMIUM", tools::CHROMIUM);
            let (ok, c) = run_counted(cmd);
            ok_dialects &= ok;
            total.passed += c.passed;
            total.failed += c.failed;
        }

        // The layout proof in each dialect, on its own fresh server: it
        // fills the account with the longest names the model allows.
        for dialect in ["plivo", "zentrunk", "twilio", "vobiz"] {
            let server = start_server(
                root,
                &format!("layout-{dialect}"),
                &["--dialect", dialect],
                &[],
            )?;
            println!("xtask: layout, {dialect} dialect at {}", server.base);
            let mut cmd = Command::new("node");
            cmd.args(["--test", "--test-reporter=tap", "--test-concurrency=1"])
                .arg(root.join("tests/e2e/layout.test.mjs"))
                .env("BASE_URL", &server.base)
                .env("DIALECT", dialect)
                .env("FIRST_RUN", server.data.join("first-run.json"))
                .env("CHROMIUM", tools::CHROMIUM)
                .env("SCREENSHOTS", root.join("target/screenshots"));
            let (ok, c) = run_counted(cmd);
            ok_dialects &= ok;
            total.passed += c.passed;
            total.failed += c.failed;
        }

        // Static files behind nginx, with deploy/nginx.conf as a user would.
        let nginx = static_site_nginx(root, &direct.base, &auth_id, &token)?;
        println!("xtask: end to end, behind nginx at {}", nginx.base);
        let (ok_nginx, c) = node(
            &nginx.base,
            &direct_first_run,
            &direct.base,
            &["nginx.test.mjs"],
        );
        total.passed += c.passed;
        total.failed += c.failed;
        Ok((ok_direct && ok_proxy && ok_dialects && ok_nginx, total))
    };
    run().unwrap_or_else(|e| {
        eprintln!("xtask: end to end: {e}");
        (false, Counts::default())
    })
}

/// Debian's nginx running `deploy/nginx.conf` with its placeholders filled,
/// serving a copy of dist/ with a config.json for that mode.
fn static_site_nginx(
    root: &Path,
    upstream: &str,
    auth_id: &str,
    token: &str,
) -> Result<crate::nginx::Nginx, String> {
    let prefix = std::env::temp_dir().join(format!("sipauth-nginx-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&prefix);
    let site = prefix.join("site");
    std::fs::create_dir_all(&site).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(root.join("dist")).map_err(|e| e.to_string())? {
        let path = entry.map_err(|e| e.to_string())?.path();
        if path.is_file() {
            std::fs::copy(&path, site.join(path.file_name().expect("file")))
                .map_err(|e| e.to_string())?;
        }
    }
    let config = serde_json::json!({ "api_base": "", "dialect": "plivo", "account": auth_id, "sign_in": false });
    std::fs::write(site.join("config.json"), config.to_string()).map_err(|e| e.to_string())?;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let conf = std::fs::read_to_string(root.join("deploy/nginx.conf"))
        .map_err(|e| e.to_string())?
        .replace("@LISTEN@", &format!("127.0.0.1:{port}"))
        .replace("@DIST@", &site.display().to_string())
        .replace("@UPSTREAM@", upstream)
        .replace(
            "@BASIC_AUTH@",
            &crate::steps::base64(&format!("{auth_id}:{token}")),
        )
        .replace("@PREFIX@", &prefix.display().to_string())
        .replace("@AUTH_ID@", auth_id)
        .replace("@CA_BUNDLE@", "/etc/ssl/certs/ca-certificates.crt");
    crate::nginx::Nginx::launch(prefix, &conf, port)
}
