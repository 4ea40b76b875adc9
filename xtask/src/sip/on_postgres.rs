//! The SIP suite on PostgreSQL: one server (`sipauth serve` on
//! `SIPAUTH_DATABASE_URL`) and two Kamailio nodes reading one database of
//! a throwaway cluster with deploy/kamailio/kamailio.cfg's WITH_POSTGRES,
//! as a `kamailio` role that may only SELECT what Kamailio reads and must
//! give its password (scram-sha-256, from PGPASSFILE).
//!
//! Per node, one cell of each rule the SQLite matrix checks (registration,
//! IP ACL, credential); then an ACL change made through the API must be
//! enforced by both nodes within 1 s, and with one node stopped a further
//! change by the live one within 1 s, while the console's
//! `/console/sip-server` names the stopped node as pending and why. No
//! node's log may hold a driver's complaint about what it read.

use super::security::{console, shown, until};
use super::{
    free_port, free_udp_port, invite, picked_up, register, set_up, sign_in_at, sipp,
    wait_for_socket, Kamailio, Probe, Report, Scenarios, Spec, Tenant, BAN_FAILURES, BAN_SECONDS,
    BAN_WINDOW, DEADLINE,
};
use super::{Auth::*, Src::*};
use crate::postgres::Cluster;
use crate::server::TestServer;
use crate::steps::Counts;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// How soon every live node must enforce an ACL change.
const WITHIN: Duration = Duration::from_secs(1);
/// How often each node's decision is probed meanwhile.
const EVERY: Duration = Duration::from_millis(100);
/// In no ACL until the first change adds it to A's office ACL.
const FIRST_ADDED: &str = "127.0.0.41";
/// In no ACL until the second change (one node stopped) adds it.
const SECOND_ADDED: &str = "127.0.0.42";
/// What a node's log must never say: db_postgres handing Kamailio a value
/// of a type it does not expect, or a row it cannot use.
const LOG_ERRORS: [&str; 3] = ["Wrong db type", "not a string value", "invalid record"];
/// Kamailio's database and role.
const DATABASE: &str = "sipauth";
const ROLE: &str = "kamailio";
/// What Kamailio reads, and all the role may read.
const KAMAILIO_READS: &str =
    "subscriber, address, sip_entry_points, sip_members, sip_settings, version";

/// Per node, one cell of each rule of the SQLite matrix: (what, probe).
const CELLS: &[(&str, Spec)] = &[
    (
        "REGISTER erin at A's realm with her password → 200",
        register("realm", "erin", Outside, Own("erin"), 200),
    ),
    (
        "REGISTER erin with a wrong password → 401",
        register("realm", "erin", Outside, Wrong("erin"), 401),
    ),
    (
        "INVITE to the IP-ACL application from 127.0.0.10, in its ACL → 200",
        invite("app ip_acl", Mine, Plain, 200),
    ),
    (
        "INVITE to the IP-ACL application from 127.0.0.41, in no ACL → 403",
        invite("app ip_acl", At(FIRST_ADDED), Plain, 403),
    ),
    (
        "INVITE to the credential application without credentials is challenged → 407",
        invite("app credential", Outside, Plain, 407),
    ),
    (
        "INVITE to the credential application as alice, its credential → 200",
        invite("app credential", Outside, Own("alice"), 200),
    ),
];

/// One Kamailio node on the database.
struct Node {
    name: &'static str,
    port: u16,
    /// Its `--kamailio-rpc` URL.
    rpc: String,
    socket: PathBuf,
    run_dir: PathBuf,
    log: PathBuf,
    kamailio: Option<Kamailio>,
}

impl Node {
    fn new(dir: &Path, name: &'static str) -> Result<Self, String> {
        let run_dir = dir.join(format!("run-{name}"));
        std::fs::create_dir_all(&run_dir).map_err(|e| e.to_string())?;
        let socket = run_dir.join("kamailio_rpc.sock");
        Ok(Self {
            name,
            port: free_port()?,
            rpc: format!("unix:{}", socket.display()),
            socket,
            log: dir.join(format!("kamailio-{name}.log")),
            run_dir,
            kamailio: None,
        })
    }
}

pub(super) fn run(root: &Path, server_binary: &Path, dist: &Path) -> Result<Counts, String> {
    let started = Instant::now();
    let dir = std::env::temp_dir().join(format!("sipauth-sip-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    // Dropped last: the nodes, then the server, then the cluster.
    let cluster = Cluster::start(false)?;
    cluster.create_database(DATABASE, None)?;
    let cluster_secs = started.elapsed().as_secs_f64();
    let mut nodes = [Node::new(&dir, "1")?, Node::new(&dir, "2")?];

    // The server makes the schema (its migrations) and the demo account.
    let events = format!("127.0.0.1:{}", free_udp_port()?);
    let dist = dist.to_str().ok_or("dist is not UTF-8")?;
    let (failures, window, seconds) = (
        BAN_FAILURES.to_string(),
        BAN_WINDOW.to_string(),
        BAN_SECONDS.to_string(),
    );
    let mut args = vec![
        "--rate-limit",
        "0",
        "--dist",
        dist,
        "--sip-events",
        &events,
        "--ban-failures",
        &failures,
        "--ban-window",
        &window,
        "--ban-seconds",
        &seconds,
    ];
    for node in &nodes {
        args.extend(["--kamailio-rpc", &node.rpc]);
    }
    let url = cluster.url_of(DATABASE);
    let server = TestServer::start(
        server_binary,
        &dir.join("data"),
        &args,
        &[("SIPAUTH_DATABASE_URL", &url)],
    )?;
    let mut report = Report::default();

    // Kamailio's role: its password only in a PGPASSFILE, checked by
    // PostgreSQL (scram-sha-256 before the cluster's trust lines).
    let password = random_hex()?;
    cluster.psql_in(
        DATABASE,
        &format!(
            "CREATE ROLE {ROLE} LOGIN PASSWORD '{password}';\n\
             GRANT SELECT ON {KAMAILIO_READS} TO {ROLE};"
        ),
    )?;
    cluster.hba_first(&format!("host all {ROLE} 127.0.0.1/32 scram-sha-256"))?;
    let passfile = dir.join("pgpass");
    write_private(
        &passfile,
        &format!("127.0.0.1:{}:{DATABASE}:{ROLE}:{password}\n", cluster.port),
    )?;
    role_checks(&cluster, &passfile, &mut report);

    let passfile_env = passfile.to_string_lossy().into_owned();
    for node in &mut nodes {
        node.kamailio = Some(Kamailio::spawn(
            root,
            &node.run_dir,
            &node.log,
            &[
                "WITH_POSTGRES=1".into(),
                format!(
                    "DBURL=\"postgres://{ROLE}@127.0.0.1:{}/{DATABASE}\"",
                    cluster.port
                ),
                format!("SIP_LISTEN=udp:127.0.0.1:{}", node.port),
                format!("EVENTS=\"sip:{events}\""),
            ],
            &[("PGPASSFILE", &passfile_env)],
        )?);
    }
    for node in &nodes {
        wait_for_socket(&node.socket, &node.log)?;
    }
    let stack_secs = started.elapsed().as_secs_f64();

    let mut a = Tenant::new("A", &server.base, server.demo_account()?);
    set_up(&mut a)?;
    let first_run = server.first_run()?;
    let jar = sign_in_at(&dir, &server.base, &first_run)?;
    // Every set-up write in both nodes before the cells (the server's
    // first reload round may have found them not started yet: its retries
    // back off up to 1.6 s).
    let settled = Instant::now();
    while !picked_up(&server.base, &jar, 1) {
        if settled.elapsed() > Duration::from_secs(10) {
            return Err("the nodes did not pick up the set-up (see /console/sip-server)".into());
        }
        std::thread::sleep(Duration::from_millis(20));
    }

    let scenarios = Scenarios::new(&dir.join("scenarios"))?;
    for node in &nodes {
        for (what, spec) in CELLS {
            let probe = a.probe(&a, spec).ok_or("a cell probes a missing ACL")?;
            report.check(
                sipp(&scenarios, node.port, &probe),
                &format!("PostgreSQL node {}: {what}", node.name),
            );
        }
    }

    // An ACL change through the API, probed on both nodes at once.
    let admitted = |source: &'static str| -> Result<Probe, String> {
        a.probe(&a, &invite("app ip_acl", At(source), Plain, 200))
            .ok_or_else(|| "no IP-ACL application".to_string())
    };
    let (plivo, _) = a.paths();
    let entry = |source: &str| {
        let body = format!(r#"{{"ip":"{source}","cidr_prefix":32}}"#);
        let path = format!(
            "{plivo}/SipAuth/IpAccessControlList/{}/Entry/",
            a.ids["office"]
        );
        a.api.ok("POST", &path, Some(&body)).map(drop)
    };
    let probe = admitted(FIRST_ADDED)?;
    // The scenario exists before the probes race to write it.
    scenarios.file(probe.method, false, probe.expect);
    let change = entry(FIRST_ADDED);
    let answered = Instant::now();
    let polled: Vec<(Option<Duration>, u32)> = std::thread::scope(|s| {
        let polls: Vec<_> = nodes
            .iter()
            .map(|node| {
                let (scenarios, probe, port) = (&scenarios, &probe, node.port);
                s.spawn(move || poll(scenarios, port, probe, answered))
            })
            .collect();
        polls
            .into_iter()
            .map(|p| p.join().unwrap_or((None, 0)))
            .collect()
    });
    for (node, (held, tries)) in nodes.iter().zip(polled) {
        report.check(
            change.is_ok() && held.is_some(),
            &format!(
                "PostgreSQL node {}: {FIRST_ADDED} added to A's office ACL through the API is admitted within 1 s ({}; {})",
                node.name,
                timing(held, tries),
                change.as_ref().err().map_or("the API answered 2xx", String::as_str)
            ),
        );
    }

    // One node stopped: a further change reaches the live one.
    let [live, stopped] = &mut nodes;
    stopped.kamailio.take();
    let probe = admitted(SECOND_ADDED)?;
    let mut refused = probe.clone();
    refused.expect = 403;
    let before = sipp(&scenarios, live.port, &refused);
    let change = entry(SECOND_ADDED);
    let answered = Instant::now();
    let (held, tries) = poll(&scenarios, live.port, &probe, answered);
    report.check(
        before && change.is_ok() && held.is_some(),
        &format!(
            "with node {} stopped, node {}: {SECOND_ADDED}, refused (403) before, is admitted within 1 s of its addition through the API ({}; {})",
            stopped.name,
            live.name,
            timing(held, tries),
            change.as_ref().err().map_or("the API answered 2xx", String::as_str)
        ),
    );
    let (answer, listed) = until(
        || console(&server.base, &jar, "/console/sip-server"),
        |v| nodes_shown(v, &live.rpc, &stopped.rpc),
    );
    report.check(
        listed,
        &format!(
            "/console/sip-server lists both nodes: node {} \"enforced\", the stopped node {} \"pending\" with why naming its error: {}",
            live.name,
            stopped.name,
            shown(&answer)
        ),
    );

    for node in &nodes {
        let log = std::fs::read_to_string(&node.log).unwrap_or_default();
        let bad = log
            .lines()
            .find(|line| LOG_ERRORS.iter().any(|e| line.contains(e)));
        report.check(
            bad.is_none(),
            &format!(
                "PostgreSQL node {}'s log has no {}: {}",
                node.name,
                LOG_ERRORS.map(|e| format!("\"{e}\"")).join(", "),
                bad.unwrap_or("none")
            ),
        );
    }

    drop(nodes);
    drop(server);
    drop(cluster);
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "# PostgreSQL variant: {:.1} s (cluster and database {cluster_secs:.1} s, with the server and both nodes {stack_secs:.1} s)",
        started.elapsed().as_secs_f64()
    );
    let counts = report.counts;
    println!("# pass {}\n# fail {}", counts.passed, counts.failed);
    Ok(counts)
}

/// The `kamailio` role: refused without its password, and with it (from
/// the PGPASSFILE Kamailio gets) may read what Kamailio reads, not write.
/// pg_ctl reload is asynchronous: the refusal is awaited (at most 3 s).
fn role_checks(cluster: &Cluster, passfile: &Path, report: &mut Report) {
    let count = "SELECT count(*) FROM subscriber;";
    let started = Instant::now();
    let without = loop {
        let answer = cluster.psql_as(ROLE, DATABASE, count, None);
        if answer.is_err() || started.elapsed() > DEADLINE {
            break answer;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let with = cluster.psql_as(ROLE, DATABASE, count, Some(passfile));
    let write = cluster.psql_as(
        ROLE,
        DATABASE,
        "DELETE FROM subscriber WHERE false;",
        Some(passfile),
    );
    let refused = without.as_ref().is_err_and(|e| e.contains("password"));
    let denied = write
        .as_ref()
        .is_err_and(|e| e.contains("permission denied"));
    report.check(
        refused && with.is_ok() && denied,
        &format!(
            "PostgreSQL: the {ROLE} role is refused without its password ({}), reads subscriber with it from PGPASSFILE ({}), and may not write ({})",
            brief(&without),
            brief(&with),
            brief(&write)
        ),
    );
}

/// Probes every EVERY from `answered` until the probe holds, for at most
/// WITHIN: when the probe that held was sent, after the API's answer, and
/// how many were sent.
fn poll(
    scenarios: &Scenarios,
    port: u16,
    probe: &Probe,
    answered: Instant,
) -> (Option<Duration>, u32) {
    let mut tries = 0;
    loop {
        let sent = answered.elapsed();
        if sent > WITHIN {
            return (None, tries);
        }
        tries += 1;
        if sipp(scenarios, port, probe) {
            return (Some(sent), tries);
        }
        if let Some(wait) = (EVERY * tries).checked_sub(answered.elapsed()) {
            std::thread::sleep(wait);
        }
    }
}

fn timing(held: Option<Duration>, tries: u32) -> String {
    match held {
        Some(sent) => format!(
            "probe {tries} sent {} ms after the API's answer",
            sent.as_millis()
        ),
        None => format!("not within 1 s: {tries} probes, one every 100 ms"),
    }
}

/// Whether `/console/sip-server` lists exactly the two nodes, `live`
/// enforced and `stopped` pending with its error.
fn nodes_shown(v: &serde_json::Value, live: &str, stopped: &str) -> bool {
    let Some(nodes) = v["nodes"].as_array() else {
        return false;
    };
    let node = |url: &str| nodes.iter().find(|n| n["node"] == url);
    nodes.len() == 2
        && node(live).is_some_and(|n| n["state"] == "enforced")
        && node(stopped).is_some_and(|n| {
            n["state"] == "pending"
                && n["why"]
                    .as_str()
                    .is_some_and(|why| !why.is_empty() && why != "reload pending")
        })
}

/// psql's answer, short, for a TAP line.
fn brief(answer: &Result<String, String>) -> String {
    let s = match answer {
        Ok(out) => format!("ok: {}", out.trim()),
        Err(e) => e.clone(),
    };
    s.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(160)
        .collect()
}

/// 16 random bytes in hex: the role's password, made for this run.
fn random_hex() -> Result<String, String> {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut bytes))
        .map_err(|e| format!("/dev/urandom: {e}"))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// Writes a file only its owner may read (libpq ignores a PGPASSFILE
/// others can read).
fn write_private(path: &Path, text: &str) -> Result<(), String> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .map_err(|e| format!("{}: {e}", path.display()))
}
