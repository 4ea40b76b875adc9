//! One way to run `sipauth serve` for a test, a suite or a bench: on a free
//! port over a fresh data directory, with its address read from the
//! `listening on` line and the demo sign-in from `first-run.json`; stopped
//! and its data removed when dropped.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

pub struct TestServer {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    pub data: PathBuf,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

impl TestServer {
    /// Starts `binary serve --port 0` over `data` (emptied, or made, first), with
    /// `args` after it and `env` set; logs at `warn` unless `env` says
    /// otherwise.
    pub fn start(
        binary: &Path,
        data: &Path,
        args: &[&str],
        env: &[(&str, &str)],
    ) -> Result<Self, String> {
        let _ = std::fs::remove_dir_all(data);
        let mut cmd = Command::new(binary);
        cmd.args(["serve", "--port", "0", "--data-dir"])
            .arg(data)
            .args(args)
            // Warnings only: request logs would bury the output.
            .env("RUST_LOG", "warn")
            .envs(env.iter().copied())
            .stdout(Stdio::piped());
        let child = cmd
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
        let mut server = Self {
            child,
            base: String::new(),
            data: data.to_path_buf(),
        };
        let mut lines = BufReader::new(server.child.stdout.take().expect("piped")).lines();
        for line in lines.by_ref() {
            let Ok(line) = line else { break };
            if let Some(addr) = line.trim().strip_prefix("listening on ") {
                server.base = addr.to_string();
                break;
            }
        }
        // Keep draining stdout so the server never blocks on it.
        std::thread::spawn(move || lines.for_each(drop));
        if server.base.is_empty() {
            return Err(format!("{} did not start", binary.display()));
        }
        Ok(server)
    }

    /// The server's resident memory now, in MiB (Linux).
    pub fn rss_mib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let kib: u64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmRSS:"))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kib / 1024)
    }

    /// What the first start wrote: the demo operator and account.
    pub fn first_run(&self) -> Result<serde_json::Value, String> {
        let path = self.data.join("first-run.json");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// The demo account's (auth_id, auth_token).
    pub fn demo_account(&self) -> Result<(String, String), String> {
        let first = self.first_run()?;
        let field = |name: &str| {
            first["account"][name]
                .as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("first-run.json has no account.{name}"))
        };
        Ok((field("auth_id")?, field("auth_token")?))
    }
}

/// `binary account create` over `data` (the server may be running), the
/// token given on stdin as a script would.
pub fn create_account(
    binary: &Path,
    data: &Path,
    auth_id: &str,
    stdin: &str,
) -> Result<(), String> {
    use std::io::Write;
    let mut child = Command::new(binary)
        .args(["account", "create", "--auth-id", auth_id, "--data-dir"])
        .arg(data)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .map_err(|e| e.to_string())?;
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(stdin.as_bytes())
        .map_err(|e| e.to_string())?;
    if !child.wait().is_ok_and(|s| s.success()) {
        return Err(format!("sipauth account create {auth_id} failed"));
    }
    Ok(())
}
