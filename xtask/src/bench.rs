//! `cargo xtask bench`: what users feel, measured and written to
//! BENCHMARKS.md: the console's download size, the server's start, and API
//! throughput under wrk. Never asserted in tests.

use crate::steps::capture;
use crate::{run, tools};
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

pub fn bench(root: &Path) -> Result<(), String> {
    tools::wrk()?;
    tools::chromium()?;
    run::build_console(root)?;
    run::build_server(Some("server"))?;
    let mut report = String::from("# Benchmarks\n\nWritten by `cargo xtask bench`; numbers from one run on the machine named below.\n\n");
    let _ = writeln!(
        report,
        "Machine: {} cores; {}.\n",
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        capture("rustc", &["--version"]).unwrap_or_default().trim()
    );
    bundle(root, &mut report)?;
    api(root, &mut report)?;
    std::fs::write(root.join("BENCHMARKS.md"), &report).map_err(|e| e.to_string())?;
    println!("{report}");
    Ok(())
}

/// Sizes of what the browser downloads, raw and gzip -9.
fn bundle(root: &Path, report: &mut String) -> Result<(), String> {
    report.push_str("## Console bundle (release)\n\n| file | raw | gzip -9 |\n|---|---:|---:|\n");
    let mut files: Vec<_> = std::fs::read_dir(root.join("dist"))
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            matches!(
                p.extension().and_then(|e| e.to_str()),
                Some("wasm" | "js" | "css" | "html")
            )
        })
        .collect();
    files.sort();
    let (mut raw_total, mut gz_total) = (0, 0);
    for file in files {
        let raw = std::fs::metadata(&file).map_err(|e| e.to_string())?.len() as usize;
        let gz = Command::new("gzip")
            .args(["-9", "-c"])
            .arg(&file)
            .output()
            .map_err(|e| e.to_string())?
            .stdout
            .len();
        raw_total += raw;
        gz_total += gz;
        let ext = file
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or_default();
        let _ = writeln!(report, "| {ext} | {:.1} KB | {:.1} KB |", kb(raw), kb(gz));
    }
    let _ = writeln!(
        report,
        "| **total** | **{:.1} KB** | **{:.1} KB** |\n",
        kb(raw_total),
        kb(gz_total)
    );
    Ok(())
}

fn kb(bytes: usize) -> f64 {
    bytes as f64 / 1000.0
}

/// Starts the release server on a fresh directory, seeds 200 credentials
/// and measures reads with wrk.
fn api(root: &Path, report: &mut String) -> Result<(), String> {
    let data = std::env::temp_dir().join(format!("sipauth-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    let started = Instant::now();
    let mut child = Command::new(run::server_binary(Some("server")))
        .args(["serve", "--port", "0", "--rate-limit", "0", "--data-dir"])
        .arg(&data)
        .arg("--dist")
        .arg(root.join("dist"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut lines = BufReader::new(child.stdout.take().expect("piped")).lines();
    let base = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.trim().strip_prefix("listening on ").map(str::to_string));
    let first_start = started.elapsed();
    std::thread::spawn(move || lines.for_each(drop));
    let result = (|| {
        let base = base.ok_or("the server did not start")?;
        let first: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(data.join("first-run.json")).map_err(|e| e.to_string())?,
        )
        .map_err(|e| e.to_string())?;
        let id = first["account"]["auth_id"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let token = first["account"]["auth_token"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let list = format!("{base}/v1/Account/{id}/SipAuth/Credential/");
        let seeding = Instant::now();
        for i in 0..200 {
            let body =
                format!("{{\"username\":\"bench{i:03}\",\"password\":\"Bench-Passw0rd-{i:03}\"}}");
            let out = capture(
                "curl",
                &[
                    "-s",
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_code}",
                    "-u",
                    &format!("{id}:{token}"),
                    "-H",
                    "Content-Type: application/json",
                    "-d",
                    &body,
                    &list,
                ],
            )
            .unwrap_or_default();
            if out.trim() != "201" {
                return Err(format!("seeding credential {i} answered {out}"));
            }
        }
        let seed_time = seeding.elapsed();
        let _ = writeln!(
            report,
            "## Server (release profile `server`)\n\n- first start on an empty data directory (migrations, demo operator with argon2): {:.0} ms\n- 200 sequential creates through curl (one process each, fsync per commit): {:.0} ms, {:.1} ms each\n",
            first_start.as_secs_f64() * 1000.0,
            seed_time.as_secs_f64() * 1000.0,
            seed_time.as_secs_f64() * 1000.0 / 200.0
        );
        report.push_str("| request (wrk, 2 threads, 16 connections, 5 s) | requests/s | p50 | p99 |\n|---|---:|---:|---:|\n");
        let auth = format!(
            "Authorization: Basic {}",
            crate::steps::base64(&format!("{id}:{token}"))
        );
        for (name, url) in [
            ("list 20 credentials", format!("{list}?limit=20&offset=100")),
            (
                "search credentials by username",
                format!("{list}?username=bench1"),
            ),
            ("index.html", format!("{base}/")),
        ] {
            let out = capture(
                "wrk",
                &["-t2", "-c16", "-d5s", "--latency", "-H", &auth, &url],
            )
            .ok_or("wrk failed")?;
            let rps = out
                .lines()
                .find_map(|l| l.trim().strip_prefix("Requests/sec:"))
                .unwrap_or("?")
                .trim()
                .to_string();
            let pct = |p: &str| {
                out.lines()
                    .find_map(|l| l.trim().strip_prefix(p).map(|v| v.trim().to_string()))
                    .unwrap_or_else(|| "?".into())
            };
            let _ = writeln!(
                report,
                "| {name} | {rps} | {} | {} |",
                pct("50%"),
                pct("99%")
            );
        }
        report.push('\n');
        browser(root, &base, &data, report)
    })();
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&data);
    result
}

/// Median browser timings from `xtask/browser-bench.mjs` (5 runs each).
fn browser(root: &Path, base: &str, data: &Path, report: &mut String) -> Result<(), String> {
    let out = Command::new("node")
        .arg(root.join("xtask/browser-bench.mjs"))
        .env("BASE_URL", base)
        .env("FIRST_RUN", data.join("first-run.json"))
        .env("CHROMIUM", tools::CHROMIUM)
        .output()
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout);
    let json: serde_json::Value = text
        .lines()
        .rev()
        .find_map(|l| serde_json::from_str(l).ok())
        .ok_or_else(|| {
            format!(
                "browser bench failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })?;
    let ms = |k: &str| json[k].as_f64().unwrap_or(f64::NAN);
    let _ = writeln!(
        report,
        "## Console in Chromium (median of 5)\n\n| what | ms |\n|---|---:|\n\
         | cold load to the sign-in form (new browser context) | {:.0} |\n\
         | open an IP ACL with 50 entries until every row and note is shown | {:.0} |\n\
         | import 50 pasted lines, click to \"Imported 50 of 50\" | {:.0} |\n",
        ms("console_ready_ms"),
        ms("acl_50_entries_render_ms"),
        ms("import_50_lines_ms"),
    );
    Ok(())
}
