//! Installing what the commands use, skipping what is present at the right
//! version. Everything comes from crates.io, rustup, npm or apt: tools that
//! download binaries at run time do not work here.

use crate::steps::{capture, sh};
use std::path::Path;

pub const WASM_SPLIT_VERSION: &str = "0.2.4";
pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub const FIREFOX: &str = "/usr/bin/firefox-esr";
pub const GECKODRIVER_VERSION: &str = "0.37.1";

/// Where `cargo install` puts binaries.
fn cargo_bin() -> std::path::PathBuf {
    match std::env::var_os("CARGO_HOME") {
        Some(home) => Path::new(&home).join("bin"),
        None => Path::new(&std::env::var_os("HOME").unwrap_or_default()).join(".cargo/bin"),
    }
}

/// Puts cargo's bin directory and `node_modules/.bin` (binaryen's `wasm-opt`) first
/// on PATH, so the build never picks up Debian's old `wasm-opt`.
pub fn extend_path(root: &Path) {
    // cargo's bin: wasm-bindgen, wasm-split-cli and geckodriver.
    let mut paths = vec![root.join("node_modules/.bin"), cargo_bin()];
    if let Some(old) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&old));
    }
    std::env::set_var("PATH", std::env::join_paths(paths).expect("PATH"));
}

pub fn wasm_target() -> Result<(), String> {
    let installed = capture("rustup", &["target", "list", "--installed"]).unwrap_or_default();
    if installed
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    sh("rustup", &["target", "add", "wasm32-unknown-unknown"])
}

/// The wasm splitter that matches Leptos 0.8's `wasm_split` (the console's
/// release build, see console.rs).
pub fn wasm_split() -> Result<(), String> {
    // The binary has no --version: cargo's list of installed crates says.
    let list = capture("cargo", &["install", "--list"]).unwrap_or_default();
    let want = format!("wasm_split_cli_support v{WASM_SPLIT_VERSION}:");
    if list.lines().any(|l| l.trim() == want) && capture("wasm-split-cli", &["--help"]).is_some() {
        return Ok(());
    }
    println!(
        "xtask: installing wasm_split_cli_support {WASM_SPLIT_VERSION} (about 2 minutes, once)"
    );
    sh(
        "cargo",
        &[
            "install",
            &format!("wasm_split_cli_support@{WASM_SPLIT_VERSION}"),
            "--features",
            "build-binary",
            "--locked",
        ],
    )
}

/// wasm-bindgen-cli at exactly the version in Cargo.lock, or Trunk and the
/// test runner refuse the build.
pub fn wasm_bindgen(root: &Path) -> Result<(), String> {
    let lock = std::fs::read_to_string(root.join("Cargo.lock")).map_err(|e| e.to_string())?;
    let want = locked_version(&lock, "wasm-bindgen").ok_or("wasm-bindgen is not in Cargo.lock")?;
    let installed = |v: &str| v.split_whitespace().nth(1) == Some(want.as_str());
    // Not --locked: its lockfile pins a webpki-roots the registry lacks.
    cargo_install(
        "wasm-bindgen",
        installed,
        "wasm-bindgen-cli",
        &want,
        3,
        "--force",
    )
}

/// `cargo install krate@version flag`, unless `program --version` says
/// the right one is `installed`.
fn cargo_install(
    program: &str,
    installed: impl Fn(&str) -> bool,
    krate: &str,
    version: &str,
    minutes: u32,
    flag: &str,
) -> Result<(), String> {
    let have = capture(program, &["--version"]).unwrap_or_default();
    if installed(have.trim()) {
        return Ok(());
    }
    println!("xtask: installing {krate} {version} (about {minutes} minutes, once)");
    sh("cargo", &["install", &format!("{krate}@{version}"), flag])
}

/// The npm packages (playwright-core, binaryen's wasm-opt), from the lockfile.
pub fn node_modules(root: &Path) -> Result<(), String> {
    let lock = root.join("package-lock.json");
    let marker = root.join("node_modules/.package-lock.json");
    let fresh = match (marker.metadata(), lock.metadata()) {
        (Ok(m), Ok(l)) => m.modified().ok() >= l.modified().ok(),
        _ => false,
    };
    if fresh {
        return Ok(());
    }
    sh("npm", &["ci", "--no-audit", "--no-fund"])
}

/// Debian's Chromium and ChromeDriver for the browser tests.
pub fn chromium() -> Result<(), String> {
    if Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists() {
        return Ok(());
    }
    println!("xtask: installing Debian's chromium and chromium-driver");
    apt_install(&["chromium", "chromium-driver"])
}

/// Debian's Firefox ESR and geckodriver (from crates.io: Mozilla's release
/// binaries are downloads this machine cannot make) for the second engine.
/// Returns the geckodriver to hand to the wasm-bindgen test runner.
pub fn firefox() -> Result<String, String> {
    if !Path::new(FIREFOX).exists() {
        println!("xtask: installing Debian's firefox-esr");
        apt_install(&["firefox-esr"])?;
    }
    let have = capture("geckodriver", &["--version"]).unwrap_or_default();
    if have.split_whitespace().nth(1) != Some(GECKODRIVER_VERSION) {
        println!("xtask: installing geckodriver {GECKODRIVER_VERSION} (about 3 minutes, once)");
        sh(
            "cargo",
            &[
                "install",
                &format!("geckodriver@{GECKODRIVER_VERSION}"),
                "--locked",
            ],
        )?;
    }
    // On PATH (cargo's bin is on it, see extend_path).
    Ok("geckodriver".into())
}

/// A Python virtual environment in target/sdk-venv with the helper
/// libraries pinned in tests/sdk/requirements.txt (from PyPI). Returns its
/// python.
pub fn sdk_venv(root: &Path) -> Result<std::path::PathBuf, String> {
    venv(root, "sdk-venv", "tests/sdk/requirements.txt")
}

/// A virtual environment with Schemathesis, pinned in
/// tests/schemathesis/requirements.txt. Returns its `schemathesis`.
pub fn schemathesis(root: &Path) -> Result<std::path::PathBuf, String> {
    let python = venv(
        root,
        "schemathesis-venv",
        "tests/schemathesis/requirements.txt",
    )?;
    Ok(python.with_file_name("schemathesis"))
}

/// A Python virtual environment in target/`name` with `requirements`
/// installed from PyPI, reinstalled when that file changes. Returns its
/// python.
fn venv(root: &Path, name: &str, requirements: &str) -> Result<std::path::PathBuf, String> {
    let venv = root.join("target").join(name);
    let python = venv.join("bin/python");
    let requirements = root.join(requirements);
    let marker = venv.join("installed-requirements.txt");
    let wanted = std::fs::read_to_string(&requirements).map_err(|e| e.to_string())?;
    if python.exists() && std::fs::read_to_string(&marker).ok().as_deref() == Some(wanted.as_str())
    {
        return Ok(python);
    }
    let venv_arg = venv.to_string_lossy().into_owned();
    if sh("python3", &["-m", "venv", &venv_arg]).is_err() {
        // Debian splits the venv module out.
        apt_install(&["python3-venv"])?;
        sh("python3", &["-m", "venv", &venv_arg])?;
    }
    sh(
        &python.to_string_lossy(),
        &[
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            &requirements.to_string_lossy(),
        ],
    )?;
    std::fs::write(&marker, wanted).map_err(|e| e.to_string())?;
    Ok(python)
}

/// Debian's Kamailio with its SQLite modules, and SIPp, for the SIP suite.
pub fn kamailio() -> Result<(), String> {
    let present = Path::new("/usr/sbin/kamailio").exists()
        && Path::new("/usr/lib/x86_64-linux-gnu/kamailio/modules/db_sqlite.so").exists()
        && Path::new("/usr/bin/sipp").exists();
    if present {
        return Ok(());
    }
    println!("xtask: installing Debian's kamailio, kamailio-sqlite-modules and sip-tester");
    apt_install(&["kamailio", "kamailio-sqlite-modules", "sip-tester"])
}

/// Kamailio's PostgreSQL driver, from `kamailio-postgres-modules`.
pub const DB_POSTGRES: &str = "/usr/lib/x86_64-linux-gnu/kamailio/modules/db_postgres.so";

/// Debian's PostgreSQL programs (for throwaway clusters, see `postgres`)
/// and Kamailio's PostgreSQL driver. Returns the `bin` directory of the
/// highest installed version. The cluster Debian's package creates
/// (15/main) is never used, started or stopped.
pub fn postgres() -> Result<std::path::PathBuf, String> {
    if let (Some(bin), true) = (postgres_bin(), Path::new(DB_POSTGRES).exists()) {
        return Ok(bin);
    }
    println!("xtask: installing Debian's postgresql and kamailio-postgres-modules");
    apt_install(&["postgresql", "kamailio-postgres-modules"])?;
    postgres_bin().ok_or_else(|| "no /usr/lib/postgresql/*/bin/initdb after installing".into())
}

/// `/usr/lib/postgresql/N/bin` of the highest N with an `initdb`.
fn postgres_bin() -> Option<std::path::PathBuf> {
    std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let version: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((version, bin))
        })
        .max_by_key(|(version, _)| *version)
        .map(|(_, bin)| bin)
}

/// Debian's nginx, for the static-hosting test.
pub fn nginx() -> Result<(), String> {
    if Path::new("/usr/sbin/nginx").exists() {
        return Ok(());
    }
    apt_install(&["nginx"])?;
    // The package starts its default site; the test runs its own instance.
    let _ = sh("sh", &["-c", "nginx -s stop 2>/dev/null || true"]);
    Ok(())
}

/// wrk, the HTTP load generator of `cargo xtask bench`.
pub fn wrk() -> Result<(), String> {
    if capture("wrk", &["--version"]).is_some() || Path::new("/usr/bin/wrk").exists() {
        return Ok(());
    }
    apt_install(&["wrk"])
}

/// Installs Debian packages, refreshing the package lists if needed.
fn apt_install(packages: &[&str]) -> Result<(), String> {
    let root = capture("id", &["-u"]).unwrap_or_default().trim() == "0";
    let apt = |args: &[&str]| {
        if root {
            sh("apt-get", args)
        } else {
            let mut all = vec!["apt-get"];
            all.extend_from_slice(args);
            sh("sudo", &all)
        }
    };
    std::env::set_var("DEBIAN_FRONTEND", "noninteractive");
    let mut install = vec!["install", "-y", "--no-install-recommends"];
    install.extend_from_slice(packages);
    if apt(&install).is_err() {
        apt(&["update"])?;
        apt(&install)?;
    }
    Ok(())
}

/// The `version` of package `name` in a Cargo.lock.
pub fn locked_version(lock: &str, name: &str) -> Option<String> {
    let wanted = format!("name = \"{name}\"");
    let mut lines = lock.lines();
    while let Some(line) = lines.next() {
        if line.trim() == wanted {
            let version = lines.next()?.trim();
            return version
                .strip_prefix("version = \"")
                .and_then(|v| v.strip_suffix('"'))
                .map(str::to_string);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::locked_version;

    #[test]
    fn reads_a_locked_version() {
        let lock = "[[package]]\nname = \"wasm-bindgen-macro\"\nversion = \"0.2.1\"\n\n[[package]]\nname = \"wasm-bindgen\"\nversion = \"0.2.130\"\n";
        assert_eq!(
            locked_version(lock, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(locked_version(lock, "serde"), None);
    }
}
