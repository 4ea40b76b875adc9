//! `cargo xtask run`: build the console in release, build and start the
//! server on it, print where to go and how to sign in.

use crate::steps::sh;
use std::path::{Path, PathBuf};

/// The console's release build into `dist/` (split into wasm chunks).
pub fn build_console(root: &Path) -> Result<(), String> {
    crate::console::build(root)
}

/// True when dist/index.html is newer than everything the console is built
/// from, so a second `cargo xtask run` starts in seconds (the build would rerun
/// wasm-opt even with nothing to do).
fn console_is_fresh(root: &Path) -> bool {
    fn newest(path: &Path) -> Option<std::time::SystemTime> {
        let meta = std::fs::metadata(path).ok()?;
        if meta.is_dir() {
            std::fs::read_dir(path)
                .ok()?
                .filter_map(Result::ok)
                .filter_map(|e| newest(&e.path()))
                .max()
        } else {
            meta.modified().ok()
        }
    }
    let Some(built) = std::fs::metadata(root.join("dist/index.html"))
        .and_then(|m| m.modified())
        .ok()
    else {
        return false;
    };
    [
        "src",
        "style",
        "crates/model",
        "index.html",
        "Cargo.toml",
        "Cargo.lock",
        "Trunk.toml",
    ]
    .iter()
    .all(|p| newest(&root.join(p)).is_some_and(|t| t <= built))
}

/// Builds the server; `profile` None is the dev profile the tests use.
pub fn build_server(profile: Option<&str>) -> Result<(), String> {
    let mut args = vec!["build", "-p", "sipauth-server"];
    if let Some(p) = profile {
        args.extend(["--profile", p]);
    }
    sh("cargo", &args)
}

pub fn server_binary(profile: Option<&str>) -> PathBuf {
    PathBuf::from("target")
        .join(profile.unwrap_or("debug"))
        .join("sipauth")
        .canonicalize()
        .unwrap_or_else(|_| PathBuf::from("target/debug/sipauth"))
}

pub fn run(root: &Path, args: &[String]) -> Result<(), String> {
    if console_is_fresh(root) {
        println!("xtask: dist/ is newer than the console's sources; not rebuilding it");
    } else {
        build_console(root)?;
    }
    build_server(Some("server"))?;
    let data_dir = args
        .iter()
        .position(|a| a == "--data-dir")
        .and_then(|i| args.get(i + 1))
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("data"));
    let first_run = data_dir.join("first-run.json");
    if let Some((username, password)) = saved_sign_in(&first_run) {
        println!(
            "Sign in as {username} / {password} (from {}).",
            first_run.display()
        );
    }
    let bin = server_binary(Some("server"));
    println!(
        "Operators: add one with `{bin} operator add --data-dir {dir} NAME`, or set a new password with\n\
         `{bin} operator reset --data-dir {dir} NAME` (the password is read from standard input).",
        bin = bin.display(),
        dir = data_dir.display()
    );
    let mut cmd = std::process::Command::new(server_binary(Some("server")));
    cmd.arg("serve")
        .arg("--data-dir")
        .arg(&data_dir)
        .arg("--dist")
        .arg(root.join("dist"));
    // Later arguments win with clap, so the user's override ours.
    cmd.args(args.iter().filter(|a| a.as_str() != "--"));
    exec(cmd)
}

/// Replaces xtask with the server, so Ctrl-C reaches it alone and it stops cleanly.
#[cfg(unix)]
fn exec(mut cmd: std::process::Command) -> Result<(), String> {
    use std::os::unix::process::CommandExt;
    Err(format!("cannot start the server: {}", cmd.exec()))
}

#[cfg(not(unix))]
fn exec(mut cmd: std::process::Command) -> Result<(), String> {
    let status = cmd.status().map_err(|e| e.to_string())?;
    status
        .success()
        .then_some(())
        .ok_or_else(|| format!("server exited with {status}"))
}

/// The operator's sign-in saved by the server's first start.
fn saved_sign_in(first_run: &Path) -> Option<(String, String)> {
    let text = std::fs::read_to_string(first_run).ok()?;
    let json: serde_json::Value = serde_json::from_str(&text).ok()?;
    let operator = &json["operator"];
    Some((
        operator["username"].as_str()?.to_string(),
        operator["password"].as_str()?.to_string(),
    ))
}
