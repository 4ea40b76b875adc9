//! `cargo xtask bench postgres` (issue 19; also part of `cargo xtask
//! bench`): the store on PostgreSQL next to SQLite, written to
//! BENCHMARKS.md as the section [`HEADING`].
//!
//! 1. The API with one server on each store, and on PostgreSQL with one
//!    and with two servers behind nginx (a copy of
//!    deploy/nginx-upstream.conf): list GET/s and creates/s under wrk.
//! 2. The cost with the data: the list, and Kamailio's digest lookups
//!    (REGISTERs through SIPp, as the SIP bench runs them), with one
//!    account, then with 1,000 accounts × 200 credentials seeded with SQL.
//! 3. Kamailio's reloads over JSON-RPC: `permissions.addressReload` with
//!    10,000 and 100,000 rows in `address`, `htable.reload` of the members
//!    (400,000 rows) and entry points.
//!
//! PostgreSQL is one throwaway cluster, durable (fsync and
//! synchronous_commit on, as SQLite's synchronous=FULL).

use crate::bench::{row, wrk_median};
use crate::postgres::Cluster;
use crate::server::TestServer;
use crate::sip::free_port;
use crate::sip_bench::{self, median, Drain, Kind, Run};
use crate::steps::{base64, capture};
use crate::tools;
use std::fmt::Write as _;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub const HEADING: &str = "## PostgreSQL (issue 19)";

/// Seconds of each wrk run (every figure is the median run of three).
const LIST_SECONDS: u32 = 3;
const CREATE_SECONDS: u32 = 2;
const CLIENTS: [u32; 3] = [1, 8, 64];
/// The demo account's credentials: listed 20 at a time, and SIPp's users.
const CREDENTIALS: usize = 200;
/// The grown store: this many accounts with `CREDENTIALS` each.
const ACCOUNTS: usize = 1_000;
/// Rows of the `address` view reloaded: /32 entries of the other accounts'
/// ACLs (each under its account's group).
const ADDRESSES: [usize; 2] = [10_000, 100_000];
/// Reloads timed per figure; the median is reported.
const RELOADS: usize = 5;
/// REGISTER runs (a fresh Kamailio each) per store and size.
const ROUNDS: usize = 3;
/// Kamailio's shared memory (MB, `-m`): the members htable of the grown
/// store holds 400,000 entries, twice while it reloads.
const SHM_MB: u32 = 256;
/// Kamailio's private memory per process (MB, `-M`; Debian's default is
/// 8): a load or reload holds the query's whole result there (db_sqlite
/// has no fetch; permissions reads `address` in one result on both).
const PKG_MB: u32 = 256;
/// What Kamailio reads at each step: the one account; the store grown
/// (`subscriber`); and every credential a member of its realm too.
const SIZES: [&str; 3] = ["one account", "grown", "grown, all members"];
/// Fresh accounts per set of creates (each takes at most 200 credentials).
const CREATE_ACCOUNTS: usize = 250;
/// The token of every account made for the creates.
const TOKEN: &str = "pg-bench-token-0123456789abcdefghijklmnop";

/// Where the store is.
enum Store<'a> {
    /// The server's SQLite file.
    Sqlite(PathBuf),
    /// A database of the cluster.
    Postgres(&'a Cluster, String),
}

impl Store<'_> {
    fn name(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "SQLite",
            Store::Postgres(..) => "PostgreSQL",
        }
    }

    /// Runs `sqlite` on SQLite (sqlite3) or `postgres` on PostgreSQL (psql).
    fn sql(&self, sqlite: &str, postgres: &str) -> Result<String, String> {
        match self {
            Store::Sqlite(file) => sqlite3(file, sqlite),
            Store::Postgres(cluster, db) => cluster.psql_in(db, postgres),
        }
    }

    /// A count, with the same text on both.
    fn count(&self, sql: &str) -> Result<u64, String> {
        let out = self.sql(sql, sql)?;
        out.trim()
            .parse()
            .map_err(|_| format!("{}: `{sql}` answered {out:?}", self.name()))
    }

    fn server_env(&self) -> Vec<(&'static str, String)> {
        match self {
            Store::Sqlite(_) => Vec::new(),
            Store::Postgres(cluster, db) => {
                vec![("SIPAUTH_DATABASE_URL", cluster.url_of(db))]
            }
        }
    }

    /// Kamailio's DBURL.
    fn kamailio_url(&self) -> String {
        match self {
            Store::Sqlite(file) => format!("sqlite:///{}", file.display()),
            Store::Postgres(cluster, db) => cluster.url_of(db),
        }
    }
}

/// sqlite3 on `file`, waiting up to 30 s for the server's write lock, with
/// foreign keys on (as the server has them: deletes cascade).
fn sqlite3(file: &Path, sql: &str) -> Result<String, String> {
    let mut child = Command::new("sqlite3")
        .args(["-batch", "-bail"])
        .arg(file)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("sqlite3: {e}"))?;
    let written = child
        .stdin
        .take()
        .expect("piped")
        .write_all(format!(".timeout 30000\nPRAGMA foreign_keys = ON;\n{sql}\n").as_bytes());
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if out.status.success() && out.stderr.is_empty() && written.is_ok() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(format!(
            "sqlite3 {}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// What one store measured.
#[derive(Default)]
struct Figures {
    store: &'static str,
    /// (servers, clients, wrk's report).
    list: Vec<(String, u32, String)>,
    create: Vec<(String, u32, String)>,
    /// Password changes, all in one account.
    update: Vec<(String, u32, String)>,
    /// The list on the grown store: (clients, wrk's report).
    grown_list: Vec<(u32, String)>,
    /// REGISTER runs at each of `SIZES`, and the CPU seconds PostgreSQL's
    /// processes used in each.
    register: [Vec<Run>; 3],
    pg_cpu: [Vec<f64>; 3],
    /// How Kamailio was given the store's driver.
    cfg_note: String,
    /// Seeding the grown store, and (PostgreSQL) VACUUM ANALYZE after it.
    seed: Duration,
    vacuum: Option<Duration>,
    /// Making every other credential account wide (a member).
    members_made: Duration,
    /// Rows Kamailio reads at each size.
    subscriber: u64,
    members: [u64; 3],
    entry_points: [u64; 3],
    /// Reloads at each size.
    member_reload: [Vec<Duration>; 3],
    entry_reload: [Vec<Duration>; 3],
    /// (rows in `address`, seeding time, reloads).
    address_reload: Vec<(u64, Duration, Vec<Duration>)>,
    /// The reloads' queries alone, every row read by sqlite3 or psql, at
    /// the largest size.
    member_query: Vec<Duration>,
    address_query: Vec<Duration>,
    /// Kamailio's shared memory after every reload at the largest size: in
    /// use, and the most ever in use (MB).
    shm: (f64, f64),
    /// What Kamailio does on the grown store with Debian's memory sizes,
    /// before and after the addresses are seeded.
    debian_memory: Vec<String>,
}

pub fn run(root: &Path, binary: &Path, dist: &Path) -> Result<String, String> {
    tools::wrk()?;
    tools::nginx()?;
    tools::kamailio()?;
    if capture("sqlite3", &["-version"]).is_none() {
        return Err(
            "the PostgreSQL bench needs the sqlite3 command (apt-get install sqlite3)".into(),
        );
    }
    let clock = Instant::now();
    let load_before = load_average();
    let cluster = Cluster::start(true)?;
    let dir = std::env::temp_dir().join(format!("sipauth-bench-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    for kind in [Kind::Register, Kind::Invite] {
        sip_bench::write_scenario(&dir, kind)?;
    }
    let pin = sip_bench::pinning();
    // Kamailio's reports (issue 18) go here, as to a server.
    let drain = Drain::start(pin)?;
    let sqlite = Store::Sqlite(dir.join("sqlite-1/sipauth.db"));
    cluster.create_database("bench", None)?;
    let postgres = Store::Postgres(&cluster, "bench".into());
    let mut all = Vec::new();
    for store in [&sqlite, &postgres] {
        let figures = measure(root, binary, dist, &dir, store, &cluster, pin, &drain)
            .map_err(|e| format!("{}: {e} (files in {})", store.name(), dir.display()))?;
        all.push(figures);
    }
    drop(drain);
    drop(cluster);
    let load_after = load_average();
    let _ = std::fs::remove_dir_all(&dir);
    Ok(report(
        &all,
        clock.elapsed(),
        &load_before,
        &load_after,
        pin,
    ))
}

/// One store: the API, then the store grown, Kamailio on it, its reloads.
#[allow(clippy::too_many_arguments)]
fn measure(
    root: &Path,
    binary: &Path,
    dist: &Path,
    dir: &Path,
    store: &Store,
    cluster: &Cluster,
    pin: bool,
    drain: &Drain,
) -> Result<Figures, String> {
    let name = store.name();
    let mut f = Figures {
        store: name,
        ..Figures::default()
    };
    let dist = dist.to_str().ok_or("dist is not UTF-8")?;
    let serve = |n: u32| {
        let env = store.server_env();
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        TestServer::start(
            binary,
            &dir.join(format!("{}-{n}", name.to_lowercase())),
            &["--rate-limit", "0", "--dist", dist],
            &env,
        )
    };
    let first = serve(1)?;
    let (id, token) = first.demo_account()?;
    let realm = store
        .sql(
            &format!("SELECT realm FROM accounts WHERE auth_id = '{id}';"),
            &format!("SELECT realm FROM accounts WHERE auth_id = '{id}';"),
        )?
        .trim()
        .to_string();
    let users = make_credentials(&first.base, &id, &token, dir)?;
    let auth = format!("Authorization: Basic {}", base64(&format!("{id}:{token}")));
    let list = format!("/v1/Account/{id}/SipAuth/Credential/?limit=20&offset=100");

    // 1. The API: one server; on PostgreSQL also one and two servers
    // behind nginx (the second server shares the database).
    let mut second = None;
    let mut proxies = Vec::new();
    let mut configs = vec![("one server".to_string(), first.base.clone())];
    if matches!(store, Store::Postgres(..)) {
        let two = serve(2)?;
        let address = |s: &TestServer| s.base.trim_start_matches("http://").to_string();
        for (label, servers) in [
            ("one server behind nginx", vec![address(&first)]),
            (
                "two servers behind nginx",
                vec![address(&first), address(&two)],
            ),
        ] {
            let nginx = upstream_nginx(root, dir, proxies.len(), &servers)?;
            let url = format!("{}{list}", nginx.base);
            let code = capture(
                "curl",
                &[
                    "-s",
                    "-o",
                    "/dev/null",
                    "-w",
                    "%{http_code}",
                    "-H",
                    &auth,
                    &url,
                ],
            )
            .unwrap_or_default();
            if code.trim() != "200" {
                return Err(format!("the list through nginx answered {code}"));
            }
            configs.push((label.to_string(), nginx.base.clone()));
            proxies.push(nginx);
        }
        second = Some(two);
    }
    for (label, base) in &configs {
        for clients in CLIENTS {
            let out = wrk_median(
                clients,
                LIST_SECONDS,
                &["-H", &auth, &format!("{base}{list}")],
                |_| Vec::new(),
            )?;
            progress(name, label, "list", clients, &out);
            f.list.push((label.clone(), clients, out));
        }
    }
    let hash = sha256_hex(TOKEN)?;
    let script = root.join("xtask/bench-create.lua").display().to_string();
    let mut set = 0;
    for (label, base) in &configs {
        for clients in CLIENTS {
            set += 1;
            let accounts = create_accounts(store, dir, set, &hash)?;
            let out = wrk_median(
                clients,
                CREATE_SECONDS,
                &["-s", &script, &format!("{base}/")],
                |repeat| {
                    vec![
                        ("BENCH_ACCOUNTS", accounts.display().to_string()),
                        ("BENCH_RUN", format!("s{set}n{repeat}")),
                    ]
                },
            )?;
            progress(name, label, "create", clients, &out);
            f.create.push((label.clone(), clients, out));
        }
    }
    // Password changes in an account of their own (the demo account's
    // passwords are SIPp's): its credentials made with SQL, usernames of
    // 5 characters (an update checks the stored one's rule too).
    let updated = "PGBUPDATE";
    let ids = store.sql(
        &format!(
            "INSERT INTO accounts (auth_id, token_sha256, realm)
             VALUES ('{updated}', X'{hash}', lower('{updated}') || '.sip.localhost');
             WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {CREDENTIALS} - 1)
             INSERT INTO credentials (id, account_id, username, realm, ha1, ha1b)
             SELECT 'pgbu-' || i, '{updated}', 'u' || (1000 + i), lower('{updated}') || '.sip.localhost',
                    lower(hex(randomblob(16))), lower(hex(randomblob(16)))
             FROM n;
             SELECT id FROM credentials WHERE account_id = '{updated}' ORDER BY seq;"
        ),
        &format!(
            "INSERT INTO accounts (auth_id, token_sha256, realm)
             VALUES ('{updated}', decode('{hash}', 'hex'), lower('{updated}') || '.sip.localhost');
             INSERT INTO credentials (id, account_id, username, realm, ha1, ha1b)
             SELECT 'pgbu-' || i, '{updated}', 'u' || (1000 + i), lower('{updated}') || '.sip.localhost',
                    md5(i::text), md5('b' || i)
             FROM generate_series(0, {CREDENTIALS} - 1) AS i;
             SELECT id FROM credentials WHERE account_id = '{updated}' ORDER BY seq;"
        ),
    )?;
    let ids_file = dir.join(format!("credential-ids-{name}.txt"));
    std::fs::write(&ids_file, ids).map_err(|e| e.to_string())?;
    let script = root.join("xtask/bench-update.lua").display().to_string();
    let account = format!("{updated} {}", base64(&format!("{updated}:{TOKEN}")));
    for (label, base) in configs
        .iter()
        .filter(|(label, _)| label != "one server behind nginx")
    {
        for clients in CLIENTS {
            let out = wrk_median(
                clients,
                CREATE_SECONDS,
                &["-s", &script, &format!("{base}/")],
                |_| {
                    vec![
                        ("BENCH_AUTH", account.clone()),
                        ("BENCH_CREDENTIALS", ids_file.display().to_string()),
                    ]
                },
            )?;
            progress(name, label, "password change", clients, &out);
            f.update.push((label.clone(), clients, out));
        }
    }
    drop(proxies);
    drop(second);
    // Back to the one account (its 200 credentials) for what follows.
    store.sql(
        "DELETE FROM accounts WHERE auth_id LIKE 'PGB%';",
        "DELETE FROM accounts WHERE auth_id LIKE 'PGB%';",
    )?;

    // 2. Kamailio with one account, then the store grown: first its
    // `subscriber` only (the other credentials in no entry point), then
    // with every credential a member too.
    let cfg = kamailio_cfg(root, dir, store)?;
    f.cfg_note = match (store, cfg.1.is_empty()) {
        (Store::Sqlite(_), _) => String::new(),
        (_, false) => "with `-A WITH_POSTGRES`".into(),
        (_, true) => "a copy loading db_postgres.so instead of db_sqlite.so".into(),
    };
    let csv = dir.join(format!("users-{name}.csv"));
    let probe = dir.join(format!("probe-{name}.csv"));
    write_csv(&csv, &users, &realm)?;
    write_csv(&probe, &users[users.len() - 1..], &realm)?;
    let pg_pid = match store {
        Store::Postgres(..) => cluster.postmaster_pid(),
        Store::Sqlite(_) => None,
    };
    for (size, step) in SIZES.into_iter().enumerate() {
        if size == 1 {
            let started = Instant::now();
            seed(store)?;
            f.seed = started.elapsed();
            settle_store(store, &mut f.vacuum)?;
            f.subscriber = store.count("SELECT count(*) FROM subscriber;")?;
            let wanted = (ACCOUNTS * CREDENTIALS) as u64;
            if f.subscriber != wanted {
                return Err(format!(
                    "subscriber holds {} rows after seeding, not {wanted}",
                    f.subscriber
                ));
            }
            for clients in [1, 8] {
                let out = wrk_median(
                    clients,
                    LIST_SECONDS,
                    &["-H", &auth, &format!("{}{list}", first.base)],
                    |_| Vec::new(),
                )?;
                progress(name, "grown", "list", clients, &out);
                f.grown_list.push((clients, out));
            }
        }
        if size == 2 {
            // Each other credential becomes account wide: 2 member rows.
            let started = Instant::now();
            let update =
                "UPDATE credentials SET account_wide = TRUE WHERE account_id LIKE 'FILL%';";
            store.sql(update, update)?;
            f.members_made = started.elapsed();
            settle_store(store, &mut None)?;
        }
        f.members[size] = store.count("SELECT count(*) FROM sip_members;")?;
        f.entry_points[size] = store.count("SELECT count(*) FROM sip_entry_points;")?;
        let mut last = None;
        for round in 0..ROUNDS {
            let rpc = free_port()?;
            let kamailio = start_kamailio(dir, &cfg, store, rpc, &drain.events(), pin, false)?;
            if sip_bench::settle(dir, kamailio.port, &probe).is_err() {
                return Err(format!(
                    "Kamailio on {name} does not admit {} (its log: {}/kamailio-*.log)",
                    users[users.len() - 1].0,
                    dir.display()
                ));
            }
            let before = pg_pid.map(sip_bench::tree_cpu);
            let run = sip_bench::load_run(dir, Kind::Register, &kamailio, &csv, pin)?;
            let pg = match (pg_pid, before) {
                (Some(pid), Some(before)) => sip_bench::tree_cpu(pid) - before,
                _ => 0.0,
            };
            println!(
                "xtask: bench postgres: {name} {} REGISTER round {}: {:.0}/s, Kamailio {:.0} µs, PostgreSQL {:.0} µs per decision, {} failed",
                step,
                round + 1,
                run.rate(),
                run.cpu_us(),
                pg * 1e6 / run.succeeded.max(1) as f64,
                run.failed
            );
            f.register[size].push(run);
            f.pg_cpu[size].push(pg);
            last = Some((kamailio, rpc));
        }
        // 3. Reloads, on the last round's Kamailio.
        let (kamailio, rpc) = last.ok_or("no REGISTER round")?;
        wait_rpc(rpc)?;
        f.member_reload[size] = time_reloads(rpc, "htable.reload", &["sipmember"])?;
        f.entry_reload[size] = time_reloads(rpc, "htable.reload", &["sipep"])?;
        if size + 1 < SIZES.len() {
            continue;
        }
        // The same Kamailio reloads the addresses, so that its shared
        // memory's high mark covers every reload.
        f.member_query = time_query(store, "SELECT * FROM sip_members;")?;
        f.debian_memory
            .push(debian_memory(dir, &cfg, store, &drain.events(), pin)?);
        let mut from = 0;
        for to in ADDRESSES {
            let started = Instant::now();
            seed_addresses(store, from, to)?;
            let seeded = started.elapsed();
            from = to;
            let rows = store.count("SELECT count(*) FROM address;")?;
            if rows != to as u64 {
                return Err(format!("address holds {rows} rows, not {to}"));
            }
            let times = time_reloads(rpc, "permissions.addressReload", &[])?;
            println!(
                "xtask: bench postgres: {name} permissions.addressReload with {rows} rows: {:.0} ms (median of {RELOADS})",
                ms(&times)
            );
            f.address_reload.push((rows, seeded, times));
        }
        f.shm = shared_memory(rpc)?;
        drop(kamailio);
        f.address_query = time_query(store, "SELECT * FROM address;")?;
        f.debian_memory
            .push(debian_memory(dir, &cfg, store, &drain.events(), pin)?);
        println!(
            "xtask: bench postgres: {name} with Debian's memory sizes: {}",
            f.debian_memory.join("; ")
        );
    }
    drop(first);
    Ok(f)
}

fn progress(store: &str, label: &str, what: &str, clients: u32, out: &str) {
    println!(
        "xtask: bench postgres: {store} {label} {what} {clients} clients: {}/s, p99 {}",
        field(out, "Requests/sec:").unwrap_or_default(),
        field(out, "99%").unwrap_or_default()
    );
}

/// A value from wrk's report.
fn field(out: &str, prefix: &str) -> Option<String> {
    out.lines()
        .find_map(|l| l.trim().strip_prefix(prefix).map(|v| v.trim().to_string()))
}

/// The demo account's credentials, made through the vobiz API (account
/// wide: each registers at the account's realm), in one curl process.
fn make_credentials(
    base: &str,
    id: &str,
    token: &str,
    dir: &Path,
) -> Result<Vec<(String, String)>, String> {
    let url = format!("{base}/api/v1/account/{id}/credentials");
    let authorization = format!("Authorization: Basic {}", base64(&format!("{id}:{token}")));
    let mut batch = String::new();
    let mut users = Vec::new();
    for i in 0..CREDENTIALS {
        let (user, password) = (format!("b{i:03}"), format!("Bench-{i:03}-Passw0rd"));
        if !batch.is_empty() {
            batch.push_str("next\n");
        }
        let _ = writeln!(
            batch,
            "url = {}\nrequest = \"POST\"\nheader = {}\nheader = \"Content-Type: application/json\"\ndata = {}\noutput = \"/dev/null\"\nwrite-out = \"%{{http_code}}\\n\"",
            sip_bench::quoted(&url),
            sip_bench::quoted(&authorization),
            sip_bench::quoted(&format!(r#"{{"username":"{user}","password":"{password}"}}"#)),
        );
        users.push((user, password));
    }
    sip_bench::create_all(&dir.join("credentials.curl"), &batch, CREDENTIALS)?;
    Ok(users)
}

/// SIPp's injection file: user; its `[authentication]`; the realm.
fn write_csv(path: &Path, users: &[(String, String)], realm: &str) -> Result<(), String> {
    let mut csv = String::from("SEQUENTIAL\n");
    for (user, password) in users {
        let _ = writeln!(
            csv,
            "{user};[authentication username={user} password={password}];{realm}"
        );
    }
    std::fs::write(path, csv).map_err(|e| e.to_string())
}

/// Hex SHA-256 of `text` (sha256sum).
fn sha256_hex(text: &str) -> Result<String, String> {
    let mut child = Command::new("sha256sum")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("sha256sum: {e}"))?;
    child
        .stdin
        .take()
        .expect("piped")
        .write_all(text.as_bytes())
        .map_err(|e| e.to_string())?;
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let hex = String::from_utf8_lossy(&out.stdout);
    let hex = hex.split_whitespace().next().unwrap_or_default();
    if hex.len() == 64 {
        Ok(hex.to_string())
    } else {
        Err(format!("sha256sum answered {hex:?}"))
    }
}

/// After a bulk write: PostgreSQL's statistics and visibility map brought
/// up to date (`VACUUM ANALYZE`, as autovacuum would within a minute; its
/// time into `vacuum`), then the written pages flushed on both (a
/// checkpoint), so that none of it lands in what is measured next.
fn settle_store(store: &Store, vacuum: &mut Option<Duration>) -> Result<(), String> {
    if matches!(store, Store::Postgres(..)) {
        let started = Instant::now();
        store.sql("", "VACUUM ANALYZE;")?;
        *vacuum = Some(started.elapsed());
    }
    store
        .sql("PRAGMA wal_checkpoint(TRUNCATE);", "CHECKPOINT;")
        .map(drop)
}

/// `CREATE_ACCOUNTS` fresh accounts for one set of creates, inserted with
/// SQL (all with `TOKEN`); returns bench-create.lua's accounts file.
fn create_accounts(store: &Store, dir: &Path, set: usize, hash: &str) -> Result<PathBuf, String> {
    let prefix = format!("PGB{set}X");
    let last = CREATE_ACCOUNTS - 1;
    store.sql(
        &format!(
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {last})
             INSERT INTO accounts (auth_id, token_sha256, realm)
             SELECT '{prefix}' || i, X'{hash}', lower('{prefix}' || i) || '.sip.localhost' FROM n;"
        ),
        &format!(
            "INSERT INTO accounts (auth_id, token_sha256, realm)
             SELECT '{prefix}' || i, decode('{hash}', 'hex'), lower('{prefix}' || i) || '.sip.localhost'
             FROM generate_series(0, {last}) AS i;"
        ),
    )?;
    let mut lines = String::new();
    for i in 0..CREATE_ACCOUNTS {
        let id = format!("{prefix}{i}");
        let _ = writeln!(lines, "{id} {}", base64(&format!("{id}:{TOKEN}")));
    }
    let path = dir.join(format!("accounts-{}-{set}.txt", store.name()));
    std::fs::write(&path, lines).map_err(|e| e.to_string())?;
    Ok(path)
}

/// The store grown to `ACCOUNTS` accounts × `CREDENTIALS` credentials: the
/// other accounts and their credentials in one transaction of two
/// INSERT … SELECTs over a generated series. Their HA1s are random hex
/// (nothing signs in with them); not account wide, so they are in
/// `subscriber` only until [`measure`] makes them members.
fn seed(store: &Store) -> Result<(), String> {
    let (others, total) = (ACCOUNTS - 1, (ACCOUNTS - 1) * CREDENTIALS);
    store
        .sql(
            &format!(
                "BEGIN;
                 WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {others} - 1)
                 INSERT INTO accounts (auth_id, token_sha256, realm)
                 SELECT 'FILL' || i, randomblob(32), 'fill' || i || '.sip.localhost' FROM n;
                 WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {total} - 1)
                 INSERT INTO credentials (id, account_id, username, realm, ha1, ha1b)
                 SELECT 'fill-' || i, 'FILL' || (i / {CREDENTIALS}), 'u' || (1000 + i % {CREDENTIALS}),
                        'fill' || (i / {CREDENTIALS}) || '.sip.localhost',
                        lower(hex(randomblob(16))), lower(hex(randomblob(16)))
                 FROM n;
                 COMMIT;"
            ),
            &format!(
                "BEGIN;
                 INSERT INTO accounts (auth_id, token_sha256, realm)
                 SELECT 'FILL' || i, decode(md5(i::text) || md5('t' || i), 'hex'), 'fill' || i || '.sip.localhost'
                 FROM generate_series(0, {others} - 1) AS i;
                 INSERT INTO credentials (id, account_id, username, realm, ha1, ha1b)
                 SELECT 'fill-' || i, 'FILL' || (i / {CREDENTIALS}), 'u' || (1000 + i % {CREDENTIALS}),
                        'fill' || (i / {CREDENTIALS}) || '.sip.localhost', md5(i::text), md5('b' || i)
                 FROM generate_series(0, {total} - 1) AS i;
                 COMMIT;"
            ),
        )
        .map(drop)
}

/// /32 entries `from..to` of `address`: one ACL per other account (made
/// with the first), the entries spread over them, 10.x.y.z each.
fn seed_addresses(store: &Store, from: usize, to: usize) -> Result<(), String> {
    let others = ACCOUNTS - 1;
    let entries = |series: &str| {
        format!(
            "INSERT INTO acl_entries (id, acl_id, ip, cidr_prefix, network)
             SELECT 'ace-' || i, 'acl-fill-' || (i % {others}), ip, 32, ip || '/32'
             FROM (SELECT i, '10.' || (i / 65536) || '.' || (i / 256 % 256) || '.' || (i % 256) AS ip
                   FROM {series}) AS e;"
        )
    };
    let (mut sqlite, mut postgres) = (String::from("BEGIN;\n"), String::from("BEGIN;\n"));
    if from == 0 {
        let _ = writeln!(
            sqlite,
            "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {others} - 1)
             INSERT INTO ip_acls (id, account_id, name) SELECT 'acl-fill-' || i, 'FILL' || i, 'fill' FROM n;"
        );
        let _ = writeln!(
            postgres,
            "INSERT INTO ip_acls (id, account_id, name)
             SELECT 'acl-fill-' || i, 'FILL' || i, 'fill' FROM generate_series(0, {others} - 1) AS i;"
        );
    }
    let _ = writeln!(
        sqlite,
        "WITH RECURSIVE n(i) AS (SELECT {from} UNION ALL SELECT i + 1 FROM n WHERE i < {to} - 1)\n{}\nCOMMIT;",
        entries("n")
    );
    let _ = writeln!(
        postgres,
        "{}\nCOMMIT;",
        entries(&format!("generate_series({from}, {to} - 1) AS i"))
    );
    store.sql(&sqlite, &postgres).map(drop)
}

/// Kamailio's config for the store: deploy/kamailio/kamailio.cfg, and the
/// defines it needs. On PostgreSQL: `-A WITH_POSTGRES` where the config
/// has that define, else a copy loading db_postgres.so instead of
/// db_sqlite.so (the DBURL says which database).
fn kamailio_cfg(root: &Path, dir: &Path, store: &Store) -> Result<(PathBuf, Vec<String>), String> {
    let deploy = root.join("deploy/kamailio/kamailio.cfg");
    if matches!(store, Store::Sqlite(_)) {
        return Ok((deploy, Vec::new()));
    }
    let text = std::fs::read_to_string(&deploy).map_err(|e| e.to_string())?;
    if text.contains("WITH_POSTGRES") {
        return Ok((deploy, vec!["WITH_POSTGRES".into()]));
    }
    let sqlite = "loadmodule \"db_sqlite.so\"";
    if !text.contains(sqlite) {
        return Err(format!("{} loads no db_sqlite.so", deploy.display()));
    }
    let copy = dir.join("kamailio-postgres.cfg");
    std::fs::write(&copy, text.replace(sqlite, "loadmodule \"db_postgres.so\""))
        .map_err(|e| e.to_string())?;
    Ok((copy, Vec::new()))
}

/// A fresh Kamailio on the store, as deployed (`-X tlsf`, 2 children)
/// with `SHM_MB` of shared memory, JSON-RPC over HTTP on `rpc`, pinned to
/// core 1 when pinning.
fn start_kamailio(
    dir: &Path,
    (cfg, defines): &(PathBuf, Vec<String>),
    store: &Store,
    rpc: u16,
    events: &str,
    pin: bool,
    debian_memory: bool,
) -> Result<sip_bench::Kamailio, String> {
    let port = free_port()?;
    let run_dir = dir.join(format!("run-{}-{port}", store.name()));
    std::fs::create_dir_all(&run_dir).map_err(|e| e.to_string())?;
    let mut cmd = sip_bench::pinned(pin, "1", "/usr/sbin/kamailio");
    cmd.args(["-X", "tlsf"]);
    if !debian_memory {
        cmd.args(["-m", &SHM_MB.to_string(), "-M", &PKG_MB.to_string()]);
    }
    cmd.arg("-f")
        .arg(cfg)
        .args(["-DD", "-E", "-P"])
        .arg(run_dir.join("kamailio.pid"))
        .arg("-Y")
        .arg(&run_dir)
        .arg("-A")
        .arg(format!("DBURL=\"{}\"", store.kamailio_url()))
        .arg("-A")
        .arg(format!("SIP_LISTEN=udp:127.0.0.1:{port}"))
        .arg("-A")
        .arg("CHILDREN=2")
        .arg("-A")
        .arg(format!("RPC_LISTEN=tcp:127.0.0.1:{rpc}"))
        .arg("-A")
        .arg(events);
    for define in defines {
        cmd.arg("-A").arg(define);
    }
    let log = std::fs::File::create(dir.join(format!("kamailio-{}-{port}.log", store.name())))
        .map_err(|e| e.to_string())?;
    let child = cmd
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .map_err(|e| format!("cannot start kamailio: {e}"))?;
    Ok(sip_bench::Kamailio {
        running: crate::sip::Kamailio { child },
        port,
    })
}

/// Whether Kamailio starts on the grown store with Debian's memory sizes
/// (no `-m`/`-M`: 64 MB shared, 8 MB private per process), and then
/// reloads what the server asks for.
fn debian_memory(
    dir: &Path,
    cfg: &(PathBuf, Vec<String>),
    store: &Store,
    events: &str,
    pin: bool,
) -> Result<String, String> {
    let port = free_port()?;
    let mut kamailio = start_kamailio(dir, cfg, store, port, events, pin, true)?;
    let log = dir.join(format!("kamailio-{}-{}.log", store.name(), kamailio.port));
    // The first error, and the module whose start failed if one did.
    let first_error = || {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        let error = text
            .lines()
            .find(|l| l.contains("ERROR"))
            .map(|l| l.split_once(": ").map_or(l, |(_, rest)| rest).trim())
            .unwrap_or_default()
            .to_string();
        let module = text.lines().find_map(|l| {
            let (_, rest) = l.split_once("Error while initializing module ")?;
            Some(rest.split_whitespace().next()?.to_string())
        });
        match module {
            Some(m) => format!("module {m}: {error}"),
            None => error,
        }
    };
    let started = Instant::now();
    loop {
        if let Ok(Some(_)) = kamailio.running.child.try_wait() {
            return Ok(format!("does not start (`{}`)", first_error()));
        }
        if rpc(port, "core.version", &[]).is_ok() {
            break;
        }
        if started.elapsed() > Duration::from_secs(60) {
            return Ok("does not answer within 60 s".into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut outcome = vec!["starts".to_string()];
    for (what, method, params) in [
        ("`address`", "permissions.addressReload", &[][..]),
        ("`sipmember`", "htable.reload", &["sipmember"][..]),
    ] {
        outcome.push(match rpc(port, method, params) {
            Ok(_) => format!("reloads {what}"),
            Err(e) => format!("fails to reload {what} ({e}; `{}`)", first_error()),
        });
    }
    Ok(outcome.join(", "))
}

/// One JSON-RPC call over Kamailio's HTTP listener: the time from sending
/// the request to the whole answer, and its `result`.
fn rpc(port: u16, method: &str, params: &[&str]) -> Result<(Duration, serde_json::Value), String> {
    let body = serde_json::json!({"jsonrpc": "2.0", "method": method, "params": params, "id": 1})
        .to_string();
    let mut stream =
        std::net::TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("RPC: {e}"))?;
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .map_err(|e| e.to_string())?;
    let request = format!(
        "POST /RPC HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let started = Instant::now();
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("RPC: {e}"))?;
    let mut answer = Vec::new();
    let mut chunk = [0u8; 16384];
    let mut body_at = None;
    loop {
        if let Some((at, length)) = body_at {
            if answer.len() >= at + length {
                break;
            }
        }
        let n = stream
            .read(&mut chunk)
            .map_err(|e| format!("RPC {method}: {e}"))?;
        if n == 0 {
            return Err(format!("RPC {method}: closed before the answer"));
        }
        answer.extend_from_slice(&chunk[..n]);
        if body_at.is_none() {
            if let Some(i) = answer.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&answer[..i]).to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .ok_or_else(|| format!("RPC {method}: no Content-Length in {head}"))?;
                body_at = Some((i + 4, length));
            }
        }
    }
    let elapsed = started.elapsed();
    let (at, length) = body_at.expect("read until the body");
    let json: serde_json::Value = serde_json::from_slice(&answer[at..at + length])
        .map_err(|e| format!("RPC {method}: {e}"))?;
    if json.get("error").is_some() || json.get("result").is_none() {
        return Err(format!("RPC {method} answered {json}"));
    }
    Ok((elapsed, json["result"].clone()))
}

/// Waits (at most 30 s) until Kamailio answers JSON-RPC.
fn wait_rpc(port: u16) -> Result<(), String> {
    let started = Instant::now();
    loop {
        match rpc(port, "core.version", &[]) {
            Ok(_) => return Ok(()),
            Err(e) if started.elapsed() > Duration::from_secs(30) => return Err(e),
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

/// `RELOADS` runs of `sql` through sqlite3 or psql (every row read and
/// printed to a pipe; the program's start included).
fn time_query(store: &Store, sql: &str) -> Result<Vec<Duration>, String> {
    (0..RELOADS)
        .map(|_| {
            let started = Instant::now();
            store.sql(sql, sql).map(|_| started.elapsed())
        })
        .collect()
}

/// `RELOADS` calls of `method`, one after the other.
fn time_reloads(port: u16, method: &str, params: &[&str]) -> Result<Vec<Duration>, String> {
    (0..RELOADS)
        .map(|_| rpc(port, method, params).map(|(d, _)| d))
        .collect()
}

/// Kamailio's shared memory in use and the most ever in use, MB.
fn shared_memory(port: u16) -> Result<(f64, f64), String> {
    let (_, result) = rpc(port, "core.shmmem", &[])?;
    let mb = |key: &str| result[key].as_f64().unwrap_or(f64::NAN) / 1_048_576.0;
    Ok((mb("real_used"), mb("max_used")))
}

/// Median of durations, in ms.
fn ms(times: &[Duration]) -> f64 {
    let mut v: Vec<f64> = times.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// "median (min–max)" in ms.
fn ms_range(times: &[Duration]) -> String {
    let v: Vec<f64> = times.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    let (lo, hi) = v.iter().fold((f64::INFINITY, 0.0f64), |(lo, hi), &x| {
        (lo.min(x), hi.max(x))
    });
    format!("{} ({}–{})", fmt_ms(ms(times)), fmt_ms(lo), fmt_ms(hi))
}

fn fmt_ms(x: f64) -> String {
    if x < 10.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.0}")
    }
}

/// /proc/loadavg's first three fields.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Debian's nginx running a copy of deploy/nginx-upstream.conf with one
/// `server` line per server given; stopped when dropped.
fn upstream_nginx(
    root: &Path,
    dir: &Path,
    n: usize,
    servers: &[String],
) -> Result<crate::nginx::Nginx, String> {
    let prefix = dir.join(format!("nginx-{n}"));
    let _ = std::fs::remove_dir_all(&prefix);
    std::fs::create_dir_all(&prefix).map_err(|e| e.to_string())?;
    let port = free_port()?;
    let sample = std::fs::read_to_string(root.join("deploy/nginx-upstream.conf"))
        .map_err(|e| e.to_string())?;
    let is_server = |l: &str, n: u32| l.trim_start().starts_with(&format!("server @SERVER{n}@"));
    let template = sample
        .lines()
        .find(|l| is_server(l, 1))
        .ok_or("deploy/nginx-upstream.conf has no `server @SERVER1@` line")?;
    let conf: Vec<String> = sample
        .lines()
        .filter(|l| !is_server(l, 2))
        .map(|l| {
            if is_server(l, 1) {
                servers
                    .iter()
                    .map(|s| template.replace("@SERVER1@", s))
                    .collect::<Vec<_>>()
                    .join("\n")
            } else {
                l.replace("@LISTEN@", &format!("127.0.0.1:{port}"))
                    .replace("@PREFIX@", &prefix.display().to_string())
            }
        })
        .collect();
    crate::nginx::Nginx::launch(prefix, &(conf.join("\n") + "\n"), port)
}

/// The section.
fn report(
    all: &[Figures],
    took: Duration,
    load_before: &str,
    load_after: &str,
    pin: bool,
) -> String {
    let mut s = String::new();
    let date = capture("date", &["-u", "+%F %H:%M"]).unwrap_or_default();
    let _ = writeln!(
        s,
        "{HEADING}\n\n\
         Measured {} UTC by `cargo xtask bench postgres` in {:.0} s (load average before {load_before}, after {load_after}).",
        date.trim(),
        took.as_secs_f64()
    );
    let busy = load_before
        .split_whitespace()
        .take(2)
        .filter_map(|v| v.parse::<f64>().ok())
        .fold(0.0, f64::max);
    if busy > 1.0 {
        let _ = writeln!(
            s,
            "\nThe machine was shared: other builds and tests ran while this did (a load average of \
             {busy:.1} on 2 cores before it started), so single figures move by tens of percent between \
             runs. Compare within a table, and trust the CPU per decision more than the rates."
        );
    }
    let _ = writeln!(
        s,
        "\nMethod: this machine's 2 cores are shared by the load generator (wrk, SIPp), the servers, nginx, \
         Kamailio and PostgreSQL, so a figure is what the whole stack does on 2 cores, not what a \
         database server would. PostgreSQL {} is a throwaway cluster on this disk, durable: fsync, \
         synchronous_commit and full_page_writes on (its defaults; an acknowledged write survives a \
         crash, as SQLite's synchronous=FULL). The server is the release build (profile `server`), \
         on SQLite with its data directory, on PostgreSQL with \
         `SIPAUTH_DATABASE_URL=postgres://sipauth@127.0.0.1:PORT/bench`, `--rate-limit 0`. \
         Every wrk figure is the run with the median requests/s of three ({LIST_SECONDS} s each for the \
         list, {CREATE_SECONDS} s for creates).",
        capture("psql", &["--version"])
            .unwrap_or_default()
            .trim()
            .trim_start_matches("psql (PostgreSQL) ")
    );
    api_section(&mut s, all);
    growth_section(&mut s, all, pin);
    reload_section(&mut s, all);
    analysis(&mut s, all);
    s
}

fn api_section(s: &mut String, all: &[Figures]) {
    let _ = writeln!(
        s,
        "\n### The API, one server and two\n\n\
         The demo account's 20 credentials at offset 100 of 200 (`GET /v1/Account/{{id}}/SipAuth/Credential/?limit=20&offset=100`), \
         and creates with xtask/bench-create.lua over fresh accounts ({CREATE_ACCOUNTS} per row, made with SQL; \
         each create is one transaction with its audit record, committed with its fsync), \
         and password changes with xtask/bench-update.lua, every one in one account (its 200 \
         credentials in turn): the rate of one account's changes, which on PostgreSQL each take the \
         account's lock. \
         Two servers: both `sipauth serve` on the one database behind nginx (a copy of \
         deploy/nginx-upstream.conf: round robin, `keepalive 32`, 2 workers); \
         \"one server behind nginx\" is the same nginx with one `server` line, to tell nginx's cost \
         from the second server's. Two servers on one SQLite file are not a deployment (each \
         server queues its writers for the file's one lock and caches accounts), so SQLite has one.\n"
    );
    for (title, pick) in [
        ("list 20 credentials", 0),
        ("create a credential (fresh accounts)", 1),
        ("change a password (one account)", 2),
    ] {
        let seconds = if pick == 0 {
            LIST_SECONDS
        } else {
            CREATE_SECONDS
        };
        let _ = writeln!(
            s,
            "| {title}: store, servers | clients | seconds | requests/s | p50 | p99 | not 2xx |\n|---|---:|---:|---:|---:|---:|---:|"
        );
        for f in all {
            let rows = [&f.list, &f.create, &f.update][pick];
            for (label, clients, out) in rows {
                row(s, &format!("{}, {label}", f.store), *clients, seconds, out);
            }
        }
        s.push('\n');
    }
}

fn growth_section(s: &mut String, all: &[Figures], pin: bool) {
    let first = &all[0];
    let _ = writeln!(
        s,
        "### Cost with the data\n\n\
         The same list (one account's page, 1 and 8 clients), and Kamailio's digest lookups, with the one \
         account (the demo account, its {CREDENTIALS} credentials), then with {} accounts × {CREDENTIALS} \
         credentials ({} in `subscriber`), then with each of those credentials also a member of its \
         account's realm. The other {} accounts and their credentials were seeded with SQL (two INSERT … \
         SELECT over a generated series in one transaction, through the store's triggers; random 32-hex \
         HA1s, as nothing signs in with them), then made members with one UPDATE (account wide, as vobiz \
         credentials: 2 `sip_members` rows each). After each, on PostgreSQL `VACUUM ANALYZE` (as autovacuum \
         would within a minute), and a checkpoint on both.\n\n\
         REGISTER: deploy/kamailio/kamailio.cfg (on PostgreSQL {}, DBURL \
         `postgres://sipauth@127.0.0.1:PORT/bench`) with `-X tlsf -m {SHM_MB} -M {PKG_MB}` (more memory \
         than Debian's defaults: see the reloads below), 2 children, reports to a socket the bench drains; \
         {ROUNDS} runs like the SIP bench's (4 SIPp × 10,000 scenarios, at most 50 open each: 401, digest \
         answered, 200 with the binding saved; the demo account's {CREDENTIALS} users at its realm), a \
         fresh Kamailio each, the median reported.{} Kamailio and PostgreSQL µs are CPU per REGISTER \
         decision (PostgreSQL's: all its processes).\n",
        fmt_int(ACCOUNTS as u64),
        fmt_int(first.subscriber),
        fmt_int((ACCOUNTS - 1) as u64),
        all.iter()
            .map(|f| f.cfg_note.as_str())
            .find(|n| !n.is_empty())
            .unwrap_or("-"),
        if pin {
            " Kamailio pinned to core 1 and SIPp to core 0 (`taskset`); PostgreSQL's processes unpinned."
        } else {
            ""
        },
    );
    let _ = writeln!(
        s,
        "| store | data | list, 1 client: GET/s | p50 / p99 | list, 8 clients: GET/s | p50 / p99 | REGISTER/s | Kamailio µs | PostgreSQL µs | failed |\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for f in all {
        let one: Vec<(u32, &String)> = f
            .list
            .iter()
            .filter(|(label, _, _)| label == "one server")
            .map(|(_, c, out)| (*c, out))
            .collect();
        let grown: Vec<(u32, &String)> = f.grown_list.iter().map(|(c, out)| (*c, out)).collect();
        let data = [
            format!(
                "1 account × {CREDENTIALS} ({} members)",
                fmt_int(f.members[0])
            ),
            format!(
                "{} accounts × {CREDENTIALS} ({} members)",
                fmt_int(ACCOUNTS as u64),
                fmt_int(f.members[1])
            ),
            format!("the same, {} members", fmt_int(f.members[2])),
        ];
        for (size, (data, lists)) in data.into_iter().zip([one, grown, Vec::new()]).enumerate() {
            let list = |clients: u32| {
                lists
                    .iter()
                    .find(|(c, _)| *c == clients)
                    .map(|(_, out)| {
                        (
                            field(out, "Requests/sec:").unwrap_or_else(|| "?".into()),
                            format!(
                                "{} / {}",
                                field(out, "50%").unwrap_or_default(),
                                field(out, "99%").unwrap_or_default()
                            ),
                        )
                    })
                    .unwrap_or_else(|| ("–".into(), "–".into()))
            };
            let (r1, l1) = list(1);
            let (r8, l8) = list(8);
            let runs = &f.register[size];
            let pg = if f.store == "PostgreSQL" {
                format!("{:.0}", pg_us(f, size))
            } else {
                "–".into()
            };
            let failed: u64 = runs.iter().map(|r| r.failed).sum();
            let _ = writeln!(
                s,
                "| {} | {data} | {r1} | {l1} | {r8} | {l8} | {:.0} | {:.0} | {pg} | {failed} |",
                f.store,
                median(runs, Run::rate),
                median(runs, Run::cpu_us),
            );
        }
    }
    let _ = writeln!(s, "\nEvery REGISTER run (decisions per second):\n");
    for f in all {
        for (size, data) in SIZES.into_iter().enumerate() {
            let _ = writeln!(
                s,
                "- {}, {data}: {}",
                f.store,
                f.register[size]
                    .iter()
                    .map(|r| format!("{:.0}", r.rate()))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    let _ = writeln!(s, "\nSeeding:\n");
    for f in all {
        let _ = writeln!(
            s,
            "- {}: {} accounts and {} credentials in {:.1} s{}; all of them members in {:.1} s; `sip_entry_points` {} rows.",
            f.store,
            fmt_int((ACCOUNTS - 1) as u64),
            fmt_int(((ACCOUNTS - 1) * CREDENTIALS) as u64),
            f.seed.as_secs_f64(),
            f.vacuum
                .map(|v| format!(" (then VACUUM ANALYZE {:.1} s)", v.as_secs_f64()))
                .unwrap_or_default(),
            f.members_made.as_secs_f64(),
            fmt_int(f.entry_points[2]),
        );
    }
    s.push('\n');
}

/// PostgreSQL's CPU per REGISTER decision at `size`, µs (median).
fn pg_us(f: &Figures, size: usize) -> f64 {
    let per: Vec<f64> = f.pg_cpu[size]
        .iter()
        .zip(&f.register[size])
        .map(|(cpu, r)| cpu * 1e6 / r.succeeded.max(1) as f64)
        .collect();
    median_f(&per)
}

fn reload_section(s: &mut String, all: &[Figures]) {
    let _ = writeln!(
        s,
        "### Kamailio's reloads\n\n\
         Each change the server makes that Kamailio caches is followed, on every node, by one round of \
         four reloads over JSON-RPC: `permissions.addressReload`, then `htable.reload` of `sipep`, \
         `sipmember` and `sipcfg` (crates/server/src/kamailio.rs; changes arriving during a round are \
         covered by one more). Timed here from the request sent (HTTP, Kamailio's `RPC_LISTEN`) to the \
         whole answer, one after the other on an idle Kamailio, median of {RELOADS} (min–max), ms. The \
         `address` rows are /32 entries (10.x.y.z) in one ACL per other account, each once under its \
         account's group: permissions keeps /32 entries in its address hash table (128 buckets), other \
         masks in the subnet table (`max_subnets` 65536 in the config), so this is the hash table's reload.\n"
    );
    let _ = write!(s, "| reload | rows |");
    for f in all {
        let _ = write!(s, " {} ms |", f.store);
    }
    let _ = write!(s, "\n|---|---:|");
    for _ in all {
        s.push_str("---:|");
    }
    s.push('\n');
    let first = &all[0];
    let last = SIZES.len() - 1;
    for (what, rows, pick) in [
        ("`htable.reload sipmember`", first.members[0], 0),
        ("`htable.reload sipmember`", first.members[last], 1),
        ("`htable.reload sipep`", first.entry_points[0], 2),
        ("`htable.reload sipep`", first.entry_points[last], 3),
    ] {
        let _ = write!(s, "| {what} | {} |", fmt_int(rows));
        for f in all {
            let times = match pick {
                0 => &f.member_reload[0],
                1 => &f.member_reload[last],
                2 => &f.entry_reload[0],
                _ => &f.entry_reload[last],
            };
            let _ = write!(s, " {} |", ms_range(times));
        }
        s.push('\n');
    }
    for (i, (rows, _, _)) in first.address_reload.iter().enumerate() {
        let _ = write!(
            s,
            "| `permissions.addressReload` (/32 entries) | {} |",
            fmt_int(*rows)
        );
        for f in all {
            let cell = f
                .address_reload
                .get(i)
                .map(|(_, _, t)| ms_range(t))
                .unwrap_or_default();
            let _ = write!(s, " {cell} |");
        }
        s.push('\n');
    }
    for (what, rows, pick) in [
        (
            "the query alone: `SELECT * FROM sip_members` (sqlite3 / psql)",
            first.members[last],
            0,
        ),
        (
            "the query alone: `SELECT * FROM address`",
            first.address_reload.last().map_or(0, |r| r.0),
            1,
        ),
    ] {
        let _ = write!(s, "| {what} | {} |", fmt_int(rows));
        for f in all {
            let times = if pick == 0 {
                &f.member_query
            } else {
                &f.address_query
            };
            let _ = write!(s, " {} |", ms_range(times));
        }
        s.push('\n');
    }
    let _ = write!(
        s,
        "| one round at {} members and {} addresses (sum of the medians) | |",
        fmt_int(first.members[last]),
        fmt_int(first.address_reload.last().map_or(0, |r| r.0))
    );
    for f in all {
        let _ = write!(s, " {:.0} |", round_ms(f));
    }
    s.push_str("\n\n");
    for f in all {
        let _ = writeln!(
            s,
            "- {}: Kamailio's shared memory after these reloads {:.0} MB in use, at most {:.0} MB (of `-m {SHM_MB}`); seeding the addresses took {}. With Debian's memory sizes (no `-m`/`-M`: 64 MB shared, 8 MB private per process) Kamailio, with {} members and no addresses: {}; with {} addresses too: {}.",
            f.store,
            f.shm.0,
            f.shm.1,
            f.address_reload
                .iter()
                .map(|(rows, took, _)| format!("{:.1} s to {}", took.as_secs_f64(), fmt_int(*rows)))
                .collect::<Vec<_>>()
                .join(", "),
            fmt_int(f.members[last]),
            f.debian_memory.first().map_or("?", String::as_str),
            fmt_int(f.address_reload.last().map_or(0, |r| r.0)),
            f.debian_memory.get(1).map_or("?", String::as_str),
        );
    }
    s.push('\n');
}

/// One reload round at the largest size: addresses, entry points,
/// members (sipcfg's 4 rows are left out), ms.
fn round_ms(f: &Figures) -> f64 {
    let last = SIZES.len() - 1;
    f.address_reload.last().map_or(f64::NAN, |(_, _, t)| ms(t))
        + ms(&f.member_reload[last])
        + ms(&f.entry_reload[last])
}

/// What limits the next step, from the figures.
fn analysis(s: &mut String, all: &[Figures]) {
    let by = |name: &str| all.iter().find(|f| f.store == name);
    let (Some(lite), Some(pg)) = (by("SQLite"), by("PostgreSQL")) else {
        return;
    };
    let rate = |rows: &[(String, u32, String)], label: &str, clients: u32| {
        rows.iter()
            .find(|(l, c, _)| l == label && *c == clients)
            .and_then(|(_, _, out)| field(out, "Requests/sec:"))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    let best = |rows: &[(String, u32, String)], label: &str| {
        CLIENTS
            .iter()
            .map(|&c| rate(rows, label, c))
            .fold(f64::NAN, f64::max)
    };
    let reg = |f: &Figures, size: usize| median(&f.register[size], Run::rate);
    let kam = |f: &Figures, size: usize| median(&f.register[size], Run::cpu_us);
    let last = SIZES.len() - 1;
    // µs per member row of the whole reload, and of Kamailio's part of it.
    let per_member =
        |f: &Figures| ms(&f.member_reload[last]) * 1000.0 / f.members[last].max(1) as f64;
    let building = |f: &Figures| {
        (ms(&f.member_reload[last]) - ms(&f.member_query)) * 1000.0 / f.members[last].max(1) as f64
    };
    let _ = writeln!(
        s,
        "### What limits the next step (on paper, from these figures)\n\n\
         - Writes are commits. A change is one transaction (its rows, its audit record, a commit that \
         waits for its fsync). SQLite's server runs changes waiting for the one writer as savepoints of \
         one transaction, so one fsync acknowledges many: creates peaked at {:.0}/s. On PostgreSQL each \
         change is its own transaction and commit (concurrent commits may share a WAL flush): {:.0}/s \
         with one server, {:.0}/s with two behind nginx. One account's changes on PostgreSQL also queue \
         for that account's advisory lock, held from the change's first statement to its commit: \
         password changes all in one account reached {:.0}/s with one server and {:.0}/s with two \
         (SQLite {:.0}/s), {}. So a second server does not raise the write rate: the database's commit \
         rate does, and for one account (an import, a provisioning script) the lock's hold time, \
         a change's round trips plus its commit's flush, bounds it whatever the number of servers. A \
         PostgreSQL on its own machine with a faster WAL device (or group commit of its own: \
         `commit_delay`) is the lever; more servers are for availability, and for reads once they \
         have cores of their own (here two servers share 2 cores with wrk, nginx and PostgreSQL, so \
         the second server adds work, not capacity).\n\
         - Reads: the list is one query on an index range (`credentials (account_id, seq)`): \
         {:.0} GET/s on SQLite, {:.0} on PostgreSQL at 8 clients with one server; with the store grown \
         1,000-fold, {:.0} and {:.0}. The plan does not change with the other accounts' rows \
         (PostgreSQL's generic plan, checked by hand with EXPLAIN ANALYZE at 200,000 rows: the same \
         index range, 0.2 ms), and hand-run repeats on one unchanged store moved by as much on this \
         shared machine, so these differences are most likely not the data's. \
         PostgreSQL's extra cost per read is a backend round trip, and the page's JSON built in \
         another process, on the same 2 cores.\n\
         - Digest lookups: Kamailio asks `subscriber` for every digest answer, one indexed lookup. \
         From 200 to {} rows Kamailio's CPU per REGISTER went {:.0} → {:.0} µs on SQLite and \
         {:.0} → {:.0} µs on PostgreSQL (rates {:.0} → {:.0}/s and {:.0} → {:.0}/s, which this shared \
         machine moves more than the data does): the table's size costs {}. PostgreSQL's price is \
         elsewhere: db_postgres's round trip costs Kamailio {:.0} µs more per decision than db_sqlite's \
         in-process read, and PostgreSQL {:.0} µs of its own CPU; sharing one machine, the REGISTER \
         rate on PostgreSQL is {:.0}% of SQLite's; with PostgreSQL on its own machine Kamailio's own \
         µs is what counts.\n\
         - Members: with every credential a member of its realm ({} `sipmember` entries in 2^14 \
         buckets) Kamailio spent {:.0} µs per REGISTER on SQLite and {:.0} µs on PostgreSQL, against \
         {:.0} and {:.0} with {} members: {}.\n\
         - Reloads are the limit that grows with the data. One round at {} members and {} addresses \
         takes {:.0} ms of Kamailio's time on SQLite and {:.0} ms on PostgreSQL; the queries alone \
         (every row read by sqlite3 or psql) take {:.0} and {:.0} ms of it, the rest is Kamailio building \
         its tables (about {:.1} µs per member row): a faster database does not shorten it much. The server reloads all four tables after every change \
         Kamailio caches (a credential made or deleted, an ACL entry, a mapping), and coalesces changes \
         that arrive during a round: from about {:.1} changes a second (one per round) each node \
         reloads back to back (one Kamailio process busy), and a change is enforced within about two \
         rounds, {:.1} s here. \
         It grows linearly with the rows: a million members would take about {:.0} s for `sipmember` \
         alone. Each reload \
         builds the new table beside the old one in shared memory ({:.0} MB at most here, over \
         Debian's default `-m 64`), and the query's whole result lands in one process's private \
         memory first for `address` on both drivers and for every htable on db_sqlite (no fetch), \
         over Debian's 8 MB `-M` (see above): sizing `-m`/`-M` is part of deploying at this scale. The \
         next steps, in order of gain: reload only what a change touches (a credential change \
         touches `sipmember`, never `address`; an ACL entry `address` only; the settings `sipcfg`), \
         then send members as deltas (`htable.sets`/`htable.delete` of the changed keys instead of \
         `htable.reload`, with a full reload as the fallback), and keep `sipmember` to what is \
         mapped. `address` has no per-entry RPC, so ACL writes keep costing a full permissions \
         reload ({:.0} ms at {} entries); with 128 hash buckets, each `allow_source_address` then \
         walks about {:.0} entries of a bucket (not measured here: these REGISTERs check no ACL).\n",
        best(&lite.create, "one server"),
        best(&pg.create, "one server"),
        best(&pg.create, "two servers behind nginx"),
        best(&pg.update, "one server"),
        best(&pg.update, "two servers behind nginx"),
        best(&lite.update, "one server"),
        if best(&pg.update, "one server") >= 0.8 * best(&pg.create, "one server") {
            format!(
                "about as fast as creates spread over {CREATE_ACCOUNTS} accounts: at this rate the \
                 account's lock is not what limits, the commit is"
            )
        } else {
            format!(
                "slower than creates spread over {CREATE_ACCOUNTS} accounts: the account's lock \
                 serializes them"
            )
        },
        rate(&lite.list, "one server", 8),
        rate(&pg.list, "one server", 8),
        lite.grown_list
            .iter()
            .find(|(c, _)| *c == 8)
            .and_then(|(_, out)| field(out, "Requests/sec:"))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN),
        pg.grown_list
            .iter()
            .find(|(c, _)| *c == 8)
            .and_then(|(_, out)| field(out, "Requests/sec:"))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN),
        fmt_int(lite.subscriber),
        kam(lite, 0),
        kam(lite, 1),
        kam(pg, 0),
        kam(pg, 1),
        reg(lite, 0),
        reg(lite, 1),
        reg(pg, 0),
        reg(pg, 1),
        more(kam(lite, 1) - kam(lite, 0), kam(pg, 1) - kam(pg, 0), "next to nothing"),
        kam(pg, 1) - kam(lite, 1),
        pg_us(pg, 1),
        100.0 * reg(pg, 1) / reg(lite, 1),
        fmt_int(lite.members[last]),
        kam(lite, last),
        kam(pg, last),
        kam(lite, 1),
        kam(pg, 1),
        fmt_int(lite.members[1]),
        match more(
            kam(lite, last) - kam(lite, 1),
            kam(pg, last) - kam(pg, 1),
            "no measurable difference",
        ) {
            m if m.ends_with("more") => format!(
                "{m} per decision, as each lookup walks a chain of about {} entries",
                lite.members[last] / 16384
            ),
            m => m,
        },
        fmt_int(lite.members[last]),
        fmt_int(lite.address_reload.last().map_or(0, |r| r.0)),
        round_ms(lite),
        round_ms(pg),
        ms(&lite.member_query) + ms(&lite.address_query),
        ms(&pg.member_query) + ms(&pg.address_query),
        (building(lite) + building(pg)) / 2.0,
        1000.0 / round_ms(lite).max(round_ms(pg)),
        2.0 * round_ms(lite).max(round_ms(pg)) / 1000.0,
        (per_member(lite) + per_member(pg)) / 2.0,
        lite.shm.1.max(pg.shm.1),
        lite.address_reload
            .last()
            .map_or(f64::NAN, |(_, _, t)| ms(t))
            .max(pg.address_reload.last().map_or(f64::NAN, |(_, _, t)| ms(t))),
        fmt_int(lite.address_reload.last().map_or(0, |r| r.0)),
        lite.address_reload.last().map_or(0, |r| r.0) as f64 / 128.0,
    );
}

/// "about N µs" for the mean of two differences in µs, or `none` when it
/// is within this machine's noise (3 µs).
fn more(a: f64, b: f64, none: &str) -> String {
    let mean = (a + b) / 2.0;
    if mean.abs() <= 3.0 {
        none.to_string()
    } else if mean > 0.0 {
        format!("about {mean:.0} µs more")
    } else {
        format!("about {:.0} µs less", -mean)
    }
}

fn median_f(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

/// 200000 as "200,000".
fn fmt_int(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands() {
        assert_eq!(super::fmt_int(200_000), "200,000");
        assert_eq!(super::fmt_int(999), "999");
        assert_eq!(super::fmt_int(1_000), "1,000");
    }
}
