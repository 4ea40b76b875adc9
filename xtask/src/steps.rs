//! Running commands: plain, captured, or counted as a test step.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Runs a command with inherited output; Err when it fails.
pub fn sh(program: &str, args: &[&str]) -> Result<(), String> {
    let status = Command::new(program)
        .args(args)
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{program} {}` failed ({status})", args.join(" ")))
    }
}

/// Stops a child with SIGTERM, so it can stop its own children, then
/// reaps it.
pub fn terminate(child: &mut Child) {
    // Quiet: it may have exited already.
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .stderr(Stdio::null())
        .status();
    let _ = child.wait();
}

/// Runs a command and returns its standard output, if it succeeded.
pub fn capture(program: &str, args: &[&str]) -> Option<String> {
    let out = Command::new(program)
        .args(args)
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Passed and failed test counts found in a test runner's output.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub passed: u32,
    pub failed: u32,
}

impl Counts {
    /// Adds the counts in one line of output: libtest and wasm-bindgen-test
    /// (`test result: ok. 3 passed; 1 failed; …`) and node's TAP (`# pass 3`).
    pub fn scan(&mut self, line: &str) {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("test result: ") {
            for part in rest.split(';') {
                let words: Vec<&str> = part.split_whitespace().collect();
                if let [.., n, what] = words.as_slice() {
                    match (*what, n.parse::<u32>()) {
                        ("passed", Ok(n)) => self.passed += n,
                        ("failed", Ok(n)) => self.failed += n,
                        _ => {}
                    }
                }
            }
        } else if let Some(n) = line.strip_prefix("# pass ") {
            self.passed += n.trim().parse().unwrap_or(0);
        } else if let Some(n) = line.strip_prefix("# fail ") {
            self.failed += n.trim().parse().unwrap_or(0);
        }
    }
}

/// Runs `cmd`, echoing its output, and counts the tests it reports.
pub fn run_counted(mut cmd: Command) -> (bool, Counts) {
    cmd.stdout(Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("cannot start {:?}: {e}", cmd.get_program());
            return (false, Counts::default());
        }
    };
    let mut counts = Counts::default();
    for line in BufReader::new(child.stdout.take().expect("piped")).lines() {
        let Ok(line) = line else { break };
        println!("{line}");
        counts.scan(&line);
    }
    let ok = child.wait().map(|s| s.success()).unwrap_or(false);
    (ok, counts)
}

/// Standard base64 (coreutils), for Basic auth headers in configs.
pub fn base64(text: &str) -> String {
    use std::io::Write;
    let mut child = match Command::new("base64")
        .arg("-w0")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
    {
        Ok(c) => c,
        Err(_) => return String::new(),
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(text.as_bytes());
    }
    child
        .wait_with_output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::Counts;

    #[test]
    fn counts_libtest_wasm_and_tap_lines() {
        let mut c = Counts::default();
        for line in [
            "test result: ok. 14 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.02s",
            "test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 filtered out; finished in 1.1s",
            "# pass 5",
            "# fail 1",
            "running 3 tests",
        ] {
            c.scan(line);
        }
        assert_eq!(
            c,
            Counts {
                passed: 22,
                failed: 3
            }
        );
    }
}
