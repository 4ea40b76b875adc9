//! `cargo xtask run`: build the console in release, build and start the
//! server on it, print where to go and how to sign in.

use crate::steps::sh;
use crate::tools;
use std::path::{Path, PathBuf};

/// Trunk's release build of the console into `dist/`.
pub fn build_console(root: &Path) -> Result<(), String> {
    tools::wasm_target()?;
    tools::wasm_bindgen(root)?;
    tools::trunk()?;
    tools::node_modules(root)?;
    std::env::set_var("TRUNK_SKIP_VERSION_CHECK", "true");
    // Trunk builds offline; make sure every crate is in the local registry.
    sh("cargo", &["fetch", "--target", "wasm32-unknown-unknown"])?;
    sh("trunk", &["build", "--release"])
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
    build_console(root)?;
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
            "Sign in as {username} / {password} (from {}; rotate it with `sipauth operator reset`).",
            first_run.display()
        );
    }
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
