//! `cargo xtask test`: every check and test, as CI runs them. Installs what
//! it needs, runs everything even after a failure, and ends with one line:
//! `N passed, N failed`.

use crate::steps::{run_counted, Counts};
use crate::{run, tools};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
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

pub fn test(root: &Path) -> Result<(), String> {
    let started = Instant::now();
    tools::wasm_target()?;
    tools::wasm_bindgen(root)?;
    tools::trunk()?;
    tools::node_modules(root)?;
    tools::chromium()?;

    let mut r = Report { rows: Vec::new() };
    let wasm = "wasm32-unknown-unknown";
    let chromedriver = [("CHROMEDRIVER", tools::CHROMEDRIVER)];
    r.step("format", "cargo", &["fmt", "--all", "--check"], &[]);
    r.step(
        "clippy (native)",
        "cargo",
        &[
            "clippy",
            "-p",
            "sipauth-model",
            "-p",
            "sipauth-server",
            "-p",
            "xtask",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    );
    r.step(
        "clippy (wasm)",
        "cargo",
        &[
            "clippy",
            "-p",
            "sipauth-console",
            "--target",
            wasm,
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
        &[],
    );
    r.step(
        "model tests (native)",
        "cargo",
        &["test", "-p", "sipauth-model"],
        &[],
    );
    r.step(
        "model tests (wasm)",
        "cargo",
        &["test", "-p", "sipauth-model", "--target", wasm],
        &[],
    );
    r.step("xtask tests", "cargo", &["test", "-p", "xtask"], &[]);
    r.step(
        "server tests",
        "cargo",
        &["test", "-p", "sipauth-server"],
        &[],
    );
    r.step(
        "console tests (Chromium)",
        "cargo",
        &["test", "-p", "sipauth-console", "--target", wasm],
        &chromedriver,
    );
    let built = Instant::now();
    let ok = run::build_console(root).is_ok() && run::build_server(None).is_ok();
    r.add("release build", ok, Counts::default(), built);
    if ok {
        let e2e = Instant::now();
        let (ok, counts) = end_to_end(root);
        r.add("end to end (Chromium)", ok, counts, e2e);
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

/// Starts the real server on a free port over a fresh data directory with
/// the release console, and runs the playwright-core tests against it.
fn end_to_end(root: &Path) -> (bool, Counts) {
    let data = std::env::temp_dir().join(format!("sipauth-e2e-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let server = run::server_binary(None);
    let mut child = match Command::new(&server)
        .args(["serve", "--port", "0", "--data-dir"])
        .arg(&data)
        .arg("--dist")
        .arg(root.join("dist"))
        .stdout(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cannot start {}: {e}", server.display());
            return (false, Counts::default());
        }
    };
    let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
    let mut base = None;
    for line in lines.by_ref() {
        let Ok(line) = line else { break };
        if let Some(addr) = line.trim().strip_prefix("listening on ") {
            base = Some(addr.to_string());
            break;
        }
    }
    std::thread::spawn(move || lines.for_each(drop));
    let result = match base {
        Some(base) => {
            let mut cmd = Command::new("node");
            cmd.args(["--test", "--test-reporter=tap", "--test-concurrency=1"])
                .arg(root.join("tests/e2e"))
                .env("BASE_URL", &base)
                .env("FIRST_RUN", data.join("first-run.json"))
                .env("CHROMIUM", tools::CHROMIUM)
                .env("ARTIFACTS", root.join("tests/e2e/artifacts"));
            run_counted(cmd)
        }
        None => (false, Counts::default()),
    };
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&data);
    result
}
