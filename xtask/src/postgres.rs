//! Throwaway PostgreSQL clusters for tests and benches, and `cargo xtask
//! postgres`, which checks the store's PostgreSQL migrations in one.
//!
//! A cluster lives in a temporary directory, listens on a free loopback
//! port and a socket in that directory, trusts every local connection as
//! `sipauth`, and is stopped (its own postmaster only) and removed when
//! dropped. As root, PostgreSQL's programs run as the `postgres` user
//! (initdb refuses root).

use crate::steps::capture;
use crate::tools;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub struct Cluster {
    dir: PathBuf,
    bin: PathBuf,
    /// Who runs PostgreSQL's programs (through runuser) when we are root.
    user: Option<String>,
    pub port: u16,
    /// How long initdb and `pg_ctl start` took.
    pub initdb: Duration,
    pub start: Duration,
}

impl Cluster {
    /// initdb and start a cluster. Not `durable`: fsync, synchronous commit
    /// and full-page writes off, for tests (a bench keeps the defaults).
    pub fn start(durable: bool) -> Result<Cluster, String> {
        let bin = tools::postgres()?;
        let dir = capture("mktemp", &["-d", "-t", "sipauth-pg.XXXXXX"])
            .map(|d| PathBuf::from(d.trim()))
            .ok_or("mktemp -d failed")?;
        let mut cluster = Cluster {
            dir,
            bin,
            user: None,
            port: 0,
            initdb: Duration::ZERO,
            start: Duration::ZERO,
        };
        std::fs::create_dir(cluster.dir.join("sock")).map_err(|e| e.to_string())?;
        if capture("id", &["-u"]).unwrap_or_default().trim() == "0" {
            let user = unprivileged_user()?;
            let dir = cluster.dir.to_string_lossy().into_owned();
            cluster.run("chown", &["-R", &format!("{user}:"), &dir], false)?;
            cluster.user = Some(user);
        }
        let data = cluster.path("data");
        let started = Instant::now();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-U",
                "sipauth",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
                "--no-sync",
            ],
            true,
        )?;
        cluster.initdb = started.elapsed();
        let mut settings = format!(
            "-k {} -c listen_addresses=127.0.0.1 -c max_connections=200",
            cluster.path("sock")
        );
        if !durable {
            settings += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        }
        // The port is free when we look; another process may take it
        // before the postmaster binds it: then try another.
        for attempt in 1.. {
            cluster.port = crate::sip::free_port()?;
            let started = Instant::now();
            let options = format!("-p {} {settings}", cluster.port);
            let log = cluster.path("log");
            let args = ["-D", &data, "-l", &log, "-w", "-o", &options, "start"];
            match cluster.run("pg_ctl", &args, true) {
                Ok(_) => {
                    cluster.start = started.elapsed();
                    return Ok(cluster);
                }
                Err(e) => {
                    let log = std::fs::read_to_string(&log).unwrap_or_default();
                    if attempt == 5 || !log.contains("could not bind") {
                        return Err(format!("{e}\n{log}"));
                    }
                }
            }
        }
        unreachable!()
    }

    /// `postgres://sipauth@127.0.0.1:PORT/postgres`.
    pub fn url(&self) -> String {
        self.url_of("postgres")
    }

    pub fn url_of(&self, database: &str) -> String {
        format!("postgres://sipauth@127.0.0.1:{}/{database}", self.port)
    }

    /// Runs `sql` (any number of statements) in the `postgres` database;
    /// stops at the first error. Returns psql's unaligned output.
    pub fn psql(&self, sql: &str) -> Result<String, String> {
        self.psql_in("postgres", sql)
    }

    /// `psql` in `database`.
    pub fn psql_in(&self, database: &str, sql: &str) -> Result<String, String> {
        self.psql_at(&self.url_of(database), database, sql, None)
    }

    /// `psql` in `database` as `user`, who may need a password: libpq
    /// reads it from `passfile` (PGPASSFILE), or there is none (None).
    /// Never prompts.
    pub fn psql_as(
        &self,
        user: &str,
        database: &str,
        sql: &str,
        passfile: Option<&Path>,
    ) -> Result<String, String> {
        let url = format!("postgres://{user}@127.0.0.1:{}/{database}", self.port);
        let none = self.dir.join("no-passfile");
        self.psql_at(&url, database, sql, Some(passfile.unwrap_or(&none)))
    }

    fn psql_at(
        &self,
        url: &str,
        database: &str,
        sql: &str,
        passfile: Option<&Path>,
    ) -> Result<String, String> {
        use std::io::Write;
        let mut cmd = Command::new(self.bin.join("psql"));
        if let Some(passfile) = passfile {
            cmd.arg("-w")
                .env("PGPASSFILE", passfile)
                .env_remove("PGPASSWORD");
        }
        let mut child = cmd
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", "-"])
            .arg(url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| format!("cannot run psql: {e}"))?;
        let written = child.stdin.take().expect("piped").write_all(sql.as_bytes());
        let out = child.wait_with_output().map_err(|e| e.to_string())?;
        if out.status.success() && written.is_ok() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(format!(
                "psql in {database} failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ))
        }
    }

    /// `CREATE DATABASE name`, as a copy of `template` if given (which
    /// nothing may be connected to meanwhile).
    pub fn create_database(&self, name: &str, template: Option<&str>) -> Result<(), String> {
        let template = template
            .map(|t| format!(" TEMPLATE \"{t}\""))
            .unwrap_or_default();
        self.psql(&format!("CREATE DATABASE \"{name}\"{template};"))
            .map(drop)
    }

    /// Puts `line` first in pg_hba.conf (the first line that matches a
    /// connection decides how it authenticates) and tells the postmaster
    /// to reload it, which it does soon after, not before this returns.
    pub fn hba_first(&self, line: &str) -> Result<(), String> {
        let hba = self.dir.join("data/pg_hba.conf");
        let old = std::fs::read_to_string(&hba).map_err(|e| format!("{}: {e}", hba.display()))?;
        // Rewritten in place: it keeps its owner and mode.
        std::fs::write(&hba, format!("{line}\n{old}"))
            .map_err(|e| format!("{}: {e}", hba.display()))?;
        let data = self.path("data");
        self.run("pg_ctl", &["-D", &data, "reload"], true).map(drop)
    }

    /// The postmaster's process id (its backends are its children).
    pub fn postmaster_pid(&self) -> Option<u32> {
        std::fs::read_to_string(self.dir.join("data/postmaster.pid"))
            .ok()?
            .lines()
            .next()?
            .trim()
            .parse()
            .ok()
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).to_string_lossy().into_owned()
    }

    /// Runs `program` (from PostgreSQL's bin if `ours`) as the cluster's
    /// user; Err with its output when it fails.
    fn run(&self, program: &str, args: &[&str], ours: bool) -> Result<String, String> {
        let program = if ours {
            self.bin.join(program).to_string_lossy().into_owned()
        } else {
            program.to_string()
        };
        let mut cmd = match &self.user {
            Some(user) if ours => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--", &program]);
                c
            }
            _ => Command::new(&program),
        };
        let out = cmd
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {program}: {e}"))?;
        let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        if out.status.success() {
            Ok(text(&out.stdout))
        } else {
            Err(format!(
                "`{program} {}` failed ({}): {}{}",
                args.join(" "),
                out.status,
                text(&out.stdout),
                text(&out.stderr)
            ))
        }
    }
}

impl Drop for Cluster {
    /// Stops this cluster's postmaster (pg_ctl signals the pid in its data
    /// directory's postmaster.pid, nothing else), then removes the directory.
    fn drop(&mut self) {
        if self.dir.join("data/postmaster.pid").exists() {
            let data = self.path("data");
            let _ = self.run("pg_ctl", &["-D", &data, "-m", "immediate", "stop"], true);
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Who runs PostgreSQL when we are root: `postgres` (Debian's package
/// creates it), else a system user made for it.
fn unprivileged_user() -> Result<String, String> {
    for user in ["postgres", "sipauth-pg"] {
        if capture("id", &["-u", user]).is_some() {
            return Ok(user.into());
        }
    }
    crate::steps::sh(
        "useradd",
        &[
            "--system",
            "--no-create-home",
            "--shell",
            "/usr/sbin/nologin",
            "sipauth-pg",
        ],
    )?;
    Ok("sipauth-pg".into())
}

/// `cargo xtask postgres`: a cluster, the store's PostgreSQL migrations
/// applied with psql to a template database, a copy of it, and the sample
/// checks of xtask/postgres-checks.sql in that copy, with timings.
pub fn check(root: &Path) -> Result<(), String> {
    let clock = Instant::now();
    let bin = tools::postgres()?;
    println!(
        "xtask: postgres: {} and {} ({:.2} s)",
        bin.display(),
        tools::DB_POSTGRES,
        clock.elapsed().as_secs_f64()
    );
    let clock = Instant::now();
    let cluster = Cluster::start(false)?;
    println!(
        "xtask: postgres: cluster at {} in {:.2} s (initdb {:.2} s, pg_ctl start {:.2} s)",
        cluster.url(),
        clock.elapsed().as_secs_f64(),
        cluster.initdb.as_secs_f64(),
        cluster.start.as_secs_f64()
    );

    let dir = root.join("crates/server/migrations/postgres");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    let clock = Instant::now();
    cluster.create_database("sipauth_template", None)?;
    for file in &files {
        let sql = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
        cluster
            .psql_in("sipauth_template", &sql)
            .map_err(|e| format!("{}: {e}", file.display()))?;
    }
    println!(
        "xtask: postgres: {} migrations in {:.2} s",
        files.len(),
        clock.elapsed().as_secs_f64()
    );

    let clock = Instant::now();
    for n in 0..10 {
        cluster.create_database(&format!("t{n}"), Some("sipauth_template"))?;
    }
    println!(
        "xtask: postgres: 10 databases from the template in {:.2} s",
        clock.elapsed().as_secs_f64()
    );
    let clock = Instant::now();
    let out = cluster.psql_in("t0", include_str!("../postgres-checks.sql"))?;
    println!(
        "xtask: postgres: {} ({:.2} s)",
        out.trim(),
        clock.elapsed().as_secs_f64()
    );

    let clock = Instant::now();
    drop(cluster);
    println!(
        "xtask: postgres: stopped and removed in {:.2} s",
        clock.elapsed().as_secs_f64()
    );
    Ok(())
}
