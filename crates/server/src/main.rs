//! `sipauth`: serve the API and console, or manage accounts and operators.

use clap::{Parser, Subcommand};
use sipauth_model::Password;
use sipauth_server::upstream::Upstream;
use sipauth_server::{db, first_run, secrets, store, AppState, Settings};
use std::io::{IsTerminal, Read};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(
    name = "sipauth",
    version,
    about = "SIP authentication API and admin console"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// Where the store is: a SQLite file in `--data-dir` (the default), or a
/// PostgreSQL database several servers share.
#[derive(clap::Args, Clone)]
struct StoreArgs {
    /// The SQLite store's directory (and, with --database too, where the
    /// first run's demo sign-in is saved).
    #[arg(long, default_value = "./data")]
    data_dir: PathBuf,
    /// A PostgreSQL URL (postgres://user@host:5432/db) instead of SQLite;
    /// else SIPAUTH_DATABASE_URL. No password in it (`ps` would show it):
    /// PGPASSFILE, ~/.pgpass or --database-password-file.
    #[arg(long)]
    database: Option<String>,
    /// A file holding the PostgreSQL password.
    #[arg(long, requires = "database")]
    database_password_file: Option<PathBuf>,
}

impl StoreArgs {
    fn location(&self) -> Result<db::Location, AnyError> {
        let url = self.database.clone().or_else(|| {
            std::env::var("SIPAUTH_DATABASE_URL")
                .ok()
                .filter(|u| !u.is_empty())
        });
        let Some(url) = url else {
            return Ok(db::Location::Sqlite(self.data_dir.clone()));
        };
        Ok(db::Location::postgres(
            "--database",
            &url,
            self.database_password_file.as_deref(),
        )?)
    }
}

// Parsed once at start: the size of `Serve` costs nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Serve the REST API and the built console.
    #[command(args_override_self = true)]
    Serve {
        #[arg(long, default_value = "127.0.0.1")]
        bind: IpAddr,
        /// 0 picks a free port; the address is printed as `listening on http://…`.
        #[arg(long, default_value_t = 8080)]
        port: u16,
        #[command(flatten)]
        store: StoreArgs,
        /// The console's release build (`cargo xtask build`).
        #[arg(long, default_value = "./dist")]
        dist: PathBuf,
        /// The provider API the console speaks (the server answers all
        /// four; proxy mode forwards each to the provider).
        #[arg(long, default_value = "plivo", value_parser = ["plivo", "zentrunk", "twilio", "vobiz"])]
        dialect: String,
        /// Realms are `<auth_id>.<sip-domain>`.
        #[arg(long, default_value = "sip.localhost")]
        sip_domain: String,
        /// The account the console opens (default: the oldest).
        #[arg(long)]
        account: Option<String>,
        /// API requests a minute per account before 429 (0: no limit).
        #[arg(long, default_value_t = 1200)]
        rate_limit: u32,
        /// Proxy mode: forward the API to this provider base URL
        /// (e.g. https://api.plivo.com) instead of answering it here.
        #[arg(long, requires = "upstream_auth_id")]
        upstream: Option<String>,
        /// The provider account's id (auth_id) for proxy mode.
        #[arg(long)]
        upstream_auth_id: Option<String>,
        /// A file holding the provider's token; else SIPAUTH_UPSTREAM_TOKEN.
        /// Never on the command line, where `ps` would show it.
        #[arg(long)]
        upstream_token_file: Option<PathBuf>,
        /// Seconds to wait for the provider.
        #[arg(long, default_value_t = 15)]
        upstream_timeout: u64,
        /// A Kamailio's JSON-RPC endpoint, repeated once per node: its
        /// jsonrpcs Unix datagram socket (unix:/run/kamailio/kamailio_rpc.sock,
        /// which no browser can reach) or, if you must, HTTP
        /// (http://127.0.0.1:5071/RPC). Told to reload what it caches after
        /// each change that reaches it.
        #[arg(long)]
        kamailio_rpc: Vec<String>,
        /// Where Kamailio's reports arrive (UDP: successful and failed
        /// authentications, bans), with --kamailio-rpc only. Keep it on
        /// loopback or a private network: whoever can send to it can add
        /// lines to the Security page (never a ban).
        #[arg(long, default_value = sipauth_server::sip_events::DEFAULT_ADDR)]
        sip_events: SocketAddr,
        /// A source with more failed SIP authentications than this at one
        /// account within --ban-window is banned there (Kamailio decides).
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..=1000))]
        ban_failures: u32,
        /// Seconds, from a source's first failure, in which its failures count.
        #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u32).range(10..=86400))]
        ban_window: u32,
        /// Seconds a ban lasts (Unban in the console lifts it at once).
        #[arg(long, default_value_t = 600, value_parser = clap::value_parser!(u32).range(10..=604800))]
        ban_seconds: u32,
        /// A username with more failures than this within --ban-window is
        /// flagged "under attack" on its credential (nothing is refused).
        #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=10000))]
        flag_user_failures: u32,
        /// The address operators open (e.g. https://sip-admin.example.com).
        /// When it is https: the session cookie is `__Host-` and Secure,
        /// HSTS is sent, and sign-in is open to other machines; without it
        /// only this machine may sign in over plain HTTP.
        #[arg(long, value_parser = public_url)]
        public_url: Option<String>,
        /// A reverse proxy's address whose X-Forwarded-For is believed for
        /// the per-client limits (repeatable; off by default: behind a
        /// proxy all clients then share its address).
        #[arg(long)]
        trusted_proxy: Vec<std::net::IpAddr>,
        /// Audit records older than this many days are pruned, at start and
        /// once a day (0: kept forever).
        #[arg(long, default_value_t = 365)]
        audit_retention_days: u32,
    },
    /// Manage API accounts.
    Account {
        #[command(subcommand)]
        action: AccountAction,
    },
    /// Manage console operators; the password is read from standard input.
    Operator {
        #[command(subcommand)]
        action: OperatorAction,
    },
    /// Copy a SQLite store into a new, empty PostgreSQL database: every row,
    /// id and HA1, compared with the source before it is committed (any
    /// difference: nothing is written). Stop the servers on the SQLite store
    /// first: what they change during the copy is not copied.
    Migrate {
        /// The SQLite store: sqlite:<data dir> or sqlite:<path to sipauth.db>.
        #[arg(long, value_name = "sqlite:PATH")]
        from: String,
        /// The PostgreSQL database (postgres://user@host:5432/db), migrated
        /// here if new; it must hold no account, operator or audit record.
        /// No password in the URL: PGPASSFILE, ~/.pgpass or --to-password-file.
        #[arg(long, value_name = "URL")]
        to: String,
        /// A file holding the PostgreSQL password.
        #[arg(long, value_name = "FILE")]
        to_password_file: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
enum AccountAction {
    /// Create an account; its API token is read from standard input.
    Create {
        #[command(flatten)]
        store: StoreArgs,
        #[arg(long)]
        auth_id: String,
        #[arg(long, default_value = "sip.localhost")]
        sip_domain: String,
    },
}

#[derive(Subcommand)]
enum OperatorAction {
    /// Add an operator.
    Add {
        #[command(flatten)]
        store: StoreArgs,
        /// What the operator may do: admin (everything, operators and API
        /// keys included), editor (changes SIP resources) or viewer (reads).
        #[arg(long, default_value = "admin", value_parser = ["admin", "editor", "viewer"])]
        role: String,
        /// An account the operator may use (repeatable; none: every account).
        #[arg(long = "account")]
        accounts: Vec<String>,
        name: String,
    },
    /// Set an existing operator's password (signs out their sessions).
    Reset {
        #[command(flatten)]
        store: StoreArgs,
        name: String,
    },
}

/// glibc serves a freed large block's size from its heaps from then on,
/// and keeps them: each sign-in's argon2 block (19 MiB) stayed with the
/// process. A fixed threshold keeps blocks above 1 MiB in their own
/// mappings, returned to the system when freed.
fn return_large_blocks() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; called before any
    // other thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

fn main() -> ExitCode {
    return_large_blocks();
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("the tokio runtime")
        .block_on(async_main())
}

async fn async_main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    match run(Cli::parse().command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

type AnyError = Box<dyn std::error::Error>;

/// The shortest API token `account create` accepts.
const MIN_TOKEN: usize = 32;

/// `--public-url`: an http or https origin.
fn public_url(value: &str) -> Result<String, String> {
    let rest = value
        .strip_prefix("https://")
        .or_else(|| value.strip_prefix("http://"))
        .ok_or_else(|| format!("{value:?} is not an http:// or https:// URL"))?;
    if rest.is_empty() || rest.contains(char::is_whitespace) {
        return Err(format!("{value:?} has no host"));
    }
    Ok(value.trim_end_matches('/').to_string())
}

async fn run(command: Command) -> Result<(), AnyError> {
    match command {
        Command::Serve {
            bind,
            port,
            store,
            dist,
            dialect,
            sip_domain,
            account,
            rate_limit,
            upstream,
            upstream_auth_id,
            upstream_token_file,
            upstream_timeout,
            kamailio_rpc,
            sip_events,
            ban_failures,
            ban_window,
            ban_seconds,
            flag_user_failures,
            public_url,
            trusted_proxy,
            audit_retention_days,
        } => {
            let dialect: sipauth_model::Dialect = dialect.parse()?;
            let upstream = match upstream {
                None => None,
                Some(base) => {
                    let token = match upstream_token_file {
                        Some(path) => std::fs::read_to_string(&path)
                            .map_err(|e| format!("--upstream-token-file {}: {e}", path.display()))?
                            .trim()
                            .to_string(),
                        None => std::env::var("SIPAUTH_UPSTREAM_TOKEN").map_err(|_| {
                            "proxy mode needs the provider's token: --upstream-token-file or SIPAUTH_UPSTREAM_TOKEN"
                        })?,
                    };
                    let auth_id = upstream_auth_id.unwrap_or_default();
                    let up = Upstream::new(
                        &base,
                        &auth_id,
                        &token,
                        Duration::from_secs(upstream_timeout),
                    )?;
                    println!(
                        "proxy mode: the API is forwarded to {} as {auth_id}",
                        up.base
                    );
                    Some(up)
                }
            };
            let pool = db::Db::open(&store.location()?).await?;
            let data_dir = store.data_dir;
            // Before the first run commits its demo rows, which are of no
            // use if their sign-in cannot be saved.
            db::private_dir(&data_dir)
                .map_err(|e| format!("--data-dir {}: {e}", data_dir.display()))?;
            // Kamailio would let such rows answer for another account's
            // users; the views already ignore them, but say so and stop.
            let foreign = store::accounts::foreign_sip_names(&pool).await?;
            if !foreign.is_empty() {
                return Err(format!(
                    "the store holds SIP names that are not their account's, so it will not serve:\n  {}\n\
                     Delete these rows (their accounts may recreate them under their own realm), then start again.",
                    foreign.join("\n  ")
                )
                .into());
            }
            if let Some(first) = first_run::bootstrap(&pool, &data_dir, &sip_domain).await? {
                let file = data_dir.join(first_run::FILE);
                println!(
                    "Created a demo operator and account (saved once to {}, mode 0600; rotate them).",
                    file.display()
                );
                // A service manager keeps stdout in its journal: the secrets
                // are shown only to a person at a terminal.
                if std::io::stdout().is_terminal() {
                    println!(
                        "  console sign-in:  {} / {}",
                        first.operator.username, first.operator.password
                    );
                    println!("  API auth_id:      {}", first.account.auth_id);
                    println!(
                        "  API auth_token:   {}  (shown only now)",
                        first.account.auth_token
                    );
                } else {
                    println!("  The sign-in and the API token are in that file only.");
                }
            }
            if audit_retention_days > 0 {
                sipauth_server::activity::prune(&pool, audit_retention_days).await?;
                sipauth_server::activity::keep_pruning(pool.clone(), audit_retention_days);
            }
            // Before the reloader's first round, which makes every node
            // read them.
            sipauth_server::sip_events::write_settings(
                &pool,
                sipauth_server::sip_events::BanSettings {
                    ban_failures,
                    ban_window,
                    ban_seconds,
                    user_failures: flag_user_failures,
                },
            )
            .await?;
            let dist = dist.join("index.html").is_file().then_some(dist);
            if dist.is_none() {
                tracing::warn!("no built console in --dist; serving the API only");
            }
            let state = AppState::new(
                pool,
                Settings {
                    data_dir,
                    dist,
                    sip_domain,
                    account,
                    dialect,
                    rate_limit_per_minute: rate_limit,
                    upstream,
                    kamailio_rpc,
                    public_url,
                    trusted_proxies: trusted_proxy,
                },
            );
            if state.sip_insight() {
                sipauth_server::sip_events::listen(&state, sip_events)
                    .await
                    .map_err(|e| format!("--sip-events {sip_events}: {e}"))?;
            }
            sipauth_server::serve(state, SocketAddr::new(bind, port)).await?;
        }
        Command::Account {
            action:
                AccountAction::Create {
                    store,
                    auth_id,
                    sip_domain,
                },
        } => account_create(&store, &auth_id, &sip_domain).await?,
        Command::Operator { action } => operator(action).await?,
        Command::Migrate {
            from,
            to,
            to_password_file,
        } => migrate(&from, &to, to_password_file.as_deref()).await?,
    }
    Ok(())
}

/// `sipauth migrate`.
async fn migrate(
    from: &str,
    to: &str,
    to_password_file: Option<&std::path::Path>,
) -> Result<(), AnyError> {
    let target = db::Location::postgres("--to", to, to_password_file)?;
    let path = from
        .strip_prefix("sqlite:")
        .filter(|p| !p.is_empty())
        .ok_or("--from: sqlite:<data dir> or sqlite:<path to sipauth.db>")?;
    let path = PathBuf::from(path);
    let file = match path.is_dir() {
        true => path.join(db::DB_FILE),
        false => path,
    };
    // Never a new, empty store in its place.
    if !file.is_file() {
        return Err(format!("--from: no SQLite store at {}", file.display()).into());
    }
    let source = db::open_existing(&file)
        .await
        .map_err(|e| format!("--from {}: {e}", file.display()))?;
    let target = db::Db::open(&target)
        .await
        .map_err(|e| format!("--to: {e}"))?;
    println!(
        "copying {} into PostgreSQL, in one transaction",
        file.display()
    );
    let summary = sipauth_server::migrate::run(&source, &target, &mut std::io::stdout())
        .await
        .map_err(|e| -> AnyError { e })?;
    println!(
        "copied {} rows of {} tables in {:.1} s; the same on both sides; committed",
        summary.rows,
        summary.tables,
        summary.elapsed.as_secs_f64()
    );
    source.close().await;
    target.close().await;
    Ok(())
}

/// `sipauth account create`.
async fn account_create(
    store: &StoreArgs,
    auth_id: &str,
    sip_domain: &str,
) -> Result<(), AnyError> {
    if !(2..=64).contains(&auth_id.len()) || !auth_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err("auth-id: 2–64 letters or digits".into());
    }
    // A token an attacker could guess is worse than none: given, it
    // must be long; not given, one is made and shown once.
    let given = read_stdin_line()?;
    let token = if given.is_empty() {
        secrets::new_token()
    } else {
        given.clone()
    };
    if token.chars().count() < MIN_TOKEN || token.chars().any(char::is_whitespace) {
        return Err(format!(
            "token (standard input): at least {MIN_TOKEN} characters, no spaces; or none, and one is made"
        )
        .into());
    }
    let pool = db::Db::open(&store.location()?).await?;
    match store::accounts::create(&pool, auth_id, &token, sip_domain).await {
        Ok(a) => {
            let realm = serde_json::json!({"realm": {"after": a.realm}});
            record_cli(
                &pool,
                Some(auth_id),
                "created",
                "account",
                auth_id,
                Some(realm),
            )
            .await?;
            println!("account {} created (realm {})", a.auth_id, a.realm);
            if given.is_empty() {
                println!("API token (shown only now): {token}");
            }
        }
        Err(e) if store::is_unique_violation(&e) => {
            return Err(format!("account {auth_id} already exists").into())
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}

/// `sipauth operator add|reset`. Each change writes its audit record (actor
/// `cli`) in its own transaction.
async fn operator(action: OperatorAction) -> Result<(), AnyError> {
    use sipauth_server::service::Role;
    use sipauth_server::store::audit::{self, NewRecord};
    let (store_args, name, added) = match action {
        OperatorAction::Add {
            store,
            role,
            accounts,
            name,
        } => (store, name, Some((role, accounts))),
        OperatorAction::Reset { store, name } => (store, name, None),
    };
    if added.is_some() {
        sipauth_model::OperatorName::parse(&name)
            .map_err(|e| format!("name: {} ({})", e.problem, e.rule))?;
    }
    let password = read_stdin_line()?;
    Password::parse(&password)
        .map_err(|e| format!("password (standard input): {} ({})", e.problem, e.rule))?;
    let pool = db::Db::open(&store_args.location()?).await?;
    let scope = match &added {
        Some((_, accounts)) if !accounts.is_empty() => {
            let mut ids: Vec<String> = Vec::new();
            for a in accounts {
                if !ids.contains(a) {
                    ids.push(a.clone());
                }
            }
            let unknown = store::accounts::unknown(&pool.read, &ids).await?;
            if !unknown.is_empty() {
                return Err(format!("--account: no account {}", unknown.join(", ")).into());
            }
            Some(ids)
        }
        _ => None,
    };
    let hash = tokio::task::spawn_blocking(move || secrets::hash_password(&password)).await?;
    let mut record = NewRecord {
        actor: "cli".into(),
        role: Some(Role::Admin.as_str()),
        dialect: "cli",
        resource: "operator",
        resource_id: Some(name.clone()),
        name: Some(name.clone()),
        ..NewRecord::default()
    };
    let mut tx = pool.transaction(Some(db::GLOBAL)).await?;
    match &added {
        Some((role, _)) => {
            let role: Role = role.parse()?;
            if !store::operators::insert(tx.conn(), &name, &hash, role, &scope).await? {
                return Err(format!("operator {name} already exists; use `operator reset`").into());
            }
            record.action = "created";
            record.changes = Some(serde_json::json!({
                "role": { "after": role.as_str() },
                "accounts": { "after": scope },
                "disabled": { "after": false },
            }));
        }
        None => {
            if !store::operators::set_password(tx.conn(), &name, &hash).await? {
                return Err(format!("no operator named {name}").into());
            }
            // A new password signs out every session of that operator.
            store::operators::end_sessions(tx.conn(), &name, None).await?;
            record.action = "password-reset";
            record.changes = Some(serde_json::json!({ "password": { "after": "changed" } }));
        }
    }
    audit::append(tx.conn(), &record).await?;
    tx.commit().await?;
    println!(
        "operator {name} {}",
        if added.is_some() { "added" } else { "updated" }
    );
    Ok(())
}

/// An audit record of a CLI change (actor and dialect `cli`), written
/// right after it: the CLI's store calls are single statements of their
/// own.
async fn record_cli(
    pool: &db::Db,
    account: Option<&str>,
    action: &'static str,
    resource: &'static str,
    name: &str,
    changes: Option<serde_json::Value>,
) -> Result<(), AnyError> {
    use sipauth_server::service::{audit, Actor, Origin, Role};
    audit::append(
        &pool.write,
        &Actor::Cli,
        Some(Role::Admin),
        &Origin::cli(),
        account,
        action,
        resource,
        Some(name),
        Some(name),
        changes,
    )
    .await?;
    Ok(())
}

/// The first line of standard input, without its line ending.
fn read_stdin_line() -> std::io::Result<String> {
    let mut input = String::new();
    std::io::stdin().read_to_string(&mut input)?;
    Ok(input.lines().next().unwrap_or("").to_string())
}
