//! The console's loading, for `cargo xtask bench` (and `cargo xtask bench
//! console` alone): the split console in `dist/` against the same console
//! in one wasm (built here as "before"), each on its own release server
//! with 200 credentials, driven by `xtask/load-bench.mjs` in Chromium.

use crate::{console, run, tools};
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

pub const SIGN_IN_GOAL: &str = "sign-in page ≤ 150 KB gzip transferred";
pub const CREDENTIALS_GOAL: &str =
    "credentials page reached from sign-in ≤ 250 KB gzip transferred";

pub struct Loading {
    pub section: String,
    pub goals: Vec<(&'static str, String, bool)>,
}

/// Needs `dist/` (the split console) and the `server` profile built.
pub fn run(root: &Path) -> Result<Loading, String> {
    let whole = root.join("target/console-whole");
    console::build_whole(root, &whole)?;
    let binary = run::server_binary(Some("server"));
    let mut builds = Vec::new();
    let mut servers = Vec::new();
    for (name, dist) in [("split", root.join("dist")), ("whole", whole)] {
        let data = std::env::temp_dir().join(format!("sipauth-load-{name}-{}", std::process::id()));
        let server = crate::bench::bench_server(&binary, &data, &dist)?;
        let (id, token) = server.demo_account()?;
        crate::bench::seed_credentials(&server.base, &id, &token, 200)?;
        builds.push(serde_json::json!({
            "name": name,
            "base": server.base,
            "dist": dist,
            "firstRun": data.join("first-run.json"),
        }));
        servers.push(server);
    }
    tools::chromium()?;
    let out = Command::new("node")
        .arg(root.join("xtask/load-bench.mjs"))
        .env("BUILDS", serde_json::Value::Array(builds).to_string())
        .env("CHROMIUM", tools::CHROMIUM)
        .output()
        .map_err(|e| e.to_string())?;
    drop(servers);
    let json = crate::bench::last_json_line("load bench", &out)?;
    Ok(report(&json))
}

fn kb(v: &serde_json::Value) -> String {
    format!("{:.1} KB", v.as_f64().unwrap_or(f64::NAN) / 1000.0)
}

fn ms(v: &serde_json::Value) -> String {
    format!("{:.0}", v.as_f64().unwrap_or(f64::NAN))
}

/// A link of the chain: "start–end".
fn span(v: &serde_json::Value) -> String {
    if v["end"].is_null() {
        return "—".into();
    }
    format!("{}–{}", ms(&v["start"]), ms(&v["end"]))
}

fn report(json: &serde_json::Value) -> Loading {
    let (split, whole) = (&json["split"], &json["whole"]);
    let mut s = String::from(
        "## Console loading (issue 20)\n\n\
         The split console (`dist/`: a sign-in page without wasm, which fetches the console once \
         the operator types; the shell and the credentials list in the first wasm, the credentials page's dialogs in a chunk \
         fetched once the list has painted, every other page in its chunk, fetched on \
         navigation and preloaded after the first paint) against the same \
         console in one wasm, built in the same run (\"before\"). Sizes are what a gzip client is sent for \
         the files the browser asked for: the build's gzip copy of each (zopfli, about 4% under \
         gzip -9; served as it is by the server and by nginx's gzip_static). API answers are not \
         counted; a fresh browser context each time.\n\n\
         | what the browser downloads | split | one wasm |\n|---|---:|---:|\n",
    );
    let rows = [
        ("sign-in page, until its form is shown", "sign_in"),
        (
            "… in total, while nobody types (2 s)",
            "sign_in_with_preload",
        ),
        (
            "… once the operator types (the split console fetches its wasm and the home page's chunk files meanwhile)",
            "sign_in_typing",
        ),
        (
            "credentials page reached from sign-in, until its list is shown (in total)",
            "credentials",
        ),
        (
            "the credentials page with its dialogs (the first load, then the dialogs' chunk after the list has painted)",
            "credentials_needs",
        ),
        (
            "… and every page preloaded after that list painted (in total)",
            "all_preloaded",
        ),
        ("every file of the build", "everything"),
    ];
    for (what, key) in rows {
        let _ = writeln!(s, "| {what} | {} | {} |", kb(&split[key]), kb(&whole[key]));
    }
    let _ = writeln!(
        s,
        "| files requested for the sign-in form / for the credentials list | {} / {} | {} / {} |",
        split["sign_in_files"],
        split["credentials_files"],
        whole["sign_in_files"],
        whole["credentials_files"]
    );
    for dialect in ["plivo", "zentrunk", "twilio", "vobiz"] {
        let _ = writeln!(
            s,
            "| {dialect}: everything its console can open | {} | {} |",
            kb(&split["dialects"][dialect]),
            kb(&whole["everything"])
        );
    }
    let _ = writeln!(
        s,
        "\nEach chunk (a split point's own file, then with the shared chunks it needs; the first load, which any page needs, is {}; {} files in `dist/`):\n\n\
         | chunk | own | with shared chunks | files |\n|---|---:|---:|---:|",
        kb(&split["first"]),
        split["files"]
    );
    if let Some(modules) = split["modules"].as_object() {
        for (name, m) in modules {
            let _ = writeln!(
                s,
                "| {name} | {} | {} | {} |",
                kb(&m["own"]),
                kb(&m["with_shared"]),
                m["files"]
            );
        }
    }
    let _ = writeln!(
        s,
        "\nFirst paint on a slow link (Chromium's emulation: 1.6 Mbit/s down, 750 kbit/s up, 150 ms \
         round trip; cold cache), median of the runs, ms from navigation start (after the load event):\n\n\
         | page | split | one wasm |\n|---|---:|---:|\n\
         | sign-in form | {} ({}) | {} ({}) |\n\
         | credentials list, 20 of 200 rows, signed in | {} ({}) | {} ({}) |\n\
         | the same, fast link, warm cache | {} ({}) | {} ({}) |",
        ms(&split["slow_sign_in"]["painted"]),
        ms(&split["slow_sign_in"]["after_load"]),
        ms(&whole["slow_sign_in"]["painted"]),
        ms(&whole["slow_sign_in"]["after_load"]),
        ms(&split["slow_list"]["painted"]),
        ms(&split["slow_list"]["after_load"]),
        ms(&whole["slow_list"]["painted"]),
        ms(&whole["slow_list"]["after_load"]),
        ms(&split["fast_list"]["painted"]),
        ms(&split["fast_list"]["after_load"]),
        ms(&whole["fast_list"]["painted"]),
        ms(&whole["fast_list"]["after_load"]),
    );
    let _ = writeln!(
        s,
        "\nWhere the time goes before the credentials list paints (ms from navigation start, start–end of each request):\n\n\
         | link | split, slow | one wasm, slow | split, fast warm | one wasm, fast warm |\n|---|---:|---:|---:|---:|"
    );
    let chain = |b: &serde_json::Value, k: &str, link: &str| {
        let v = &b[k]["chain"][link];
        if v.is_object() {
            span(v)
        } else {
            ms(v)
        }
    };
    for (what, link) in [
        ("HTML received", "html"),
        ("main wasm", "wasm"),
        ("config.json", "config"),
        ("session", "session"),
        ("first list request", "list"),
        ("load event", "load"),
    ] {
        let _ = writeln!(
            s,
            "| {what} | {} | {} | {} | {} |",
            chain(split, "slow_list", link),
            chain(whole, "slow_list", link),
            chain(split, "fast_list", link),
            chain(whole, "fast_list", link)
        );
    }
    let _ = writeln!(
        s,
        "| list painted | {} | {} | {} | {} |\n",
        ms(&split["slow_list"]["painted"]),
        ms(&whole["slow_list"]["painted"]),
        ms(&split["fast_list"]["painted"]),
        ms(&whole["fast_list"]["painted"])
    );
    let bytes = |k: &str| split[k].as_f64().unwrap_or(f64::NAN);
    let goals = vec![
        (
            SIGN_IN_GOAL,
            format!(
                "{} in total while the form waits (one wasm: {}); {} once the operator types",
                kb(&split["sign_in_with_preload"]),
                kb(&whole["sign_in_with_preload"]),
                kb(&split["sign_in_typing"])
            ),
            bytes("sign_in_with_preload") <= 150_000.0,
        ),
        (
            CREDENTIALS_GOAL,
            format!(
                "{} (one wasm: {})",
                kb(&split["credentials"]),
                kb(&whole["credentials"])
            ),
            bytes("credentials") <= 250_000.0,
        ),
    ];
    Loading { section: s, goals }
}
