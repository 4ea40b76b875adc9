//! Opening the store (a SQLite file, or a PostgreSQL database several
//! servers share), migrating it, and the two kinds of write: a service's
//! change ([`Db::change`]) and a plain transaction ([`Db::transaction`]).

use crate::sql::{Conn, Pool};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Postgres, Sqlite, SqliteConnection, SqlitePool};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, OwnedMutexGuard};

pub const DB_FILE: &str = "sipauth.db";

/// The store's connections. On SQLite, reads run side by side (WAL lets
/// them); writes queue in order for one connection, rather than racing for
/// SQLite's write lock and sleeping in its busy handler (which gave creates
/// under load a p99 of hundreds of milliseconds). On PostgreSQL both are
/// the one pool, and each change is its own transaction.
#[derive(Clone, Debug)]
pub struct Db {
    pub read: Pool,
    pub write: Pool,
    /// SQLite only: the services' changes, committed in groups on
    /// `write`'s connection.
    writer: Option<Arc<Writer>>,
}

/// Which store to open.
#[derive(Clone, Debug)]
pub enum Location {
    /// `sipauth.db` in this directory.
    Sqlite(std::path::PathBuf),
    /// A PostgreSQL database (credentials from the options: the password
    /// never comes from a command line).
    Postgres(Box<PgConnectOptions>),
}

impl Location {
    /// A PostgreSQL database from its URL (`postgres://user@host:5432/db`),
    /// given with the command-line flag `flag` (`--database`, `--to`; its
    /// password file is `<flag>-password-file`). The URL must hold no
    /// password: `ps` and the environment would show it. The password comes
    /// from `password_file`, else libpq's PGPASSFILE or ~/.pgpass. An error
    /// names the flag and never repeats the URL.
    pub fn postgres(
        flag: &str,
        url: &str,
        password_file: Option<&Path>,
    ) -> Result<Location, String> {
        let parsed = reqwest::Url::parse(url).map_err(|e| format!("{flag}: {e}"))?;
        if !matches!(parsed.scheme(), "postgres" | "postgresql") {
            return Err(format!("{flag}: a postgres:// URL"));
        }
        if parsed.password().is_some() {
            return Err(format!(
                "{flag}: the URL holds a password, which `ps` and the environment would show: \
                 put it in PGPASSFILE (or ~/.pgpass) or {flag}-password-file"
            ));
        }
        let mut options: PgConnectOptions = url.parse().map_err(|e| format!("{flag}: {e}"))?;
        if let Some(file) = password_file {
            let password = std::fs::read_to_string(file)
                .map_err(|e| format!("{flag}-password-file {}: {e}", file.display()))?;
            options = options.password(password.trim_end_matches(['\r', '\n']));
        }
        Ok(Location::Postgres(Box::new(
            options.application_name("sipauth"),
        )))
    }
}

impl Db {
    pub async fn open(at: &Location) -> Result<Db, sqlx::Error> {
        match at {
            Location::Sqlite(dir) => open(dir).await,
            Location::Postgres(options) => open_postgres((**options).clone()).await,
        }
    }

    /// On PostgreSQL, holds `key`'s session lock until the returned guard
    /// is dropped (its connection is closed then, which releases the lock
    /// even if the unlock never ran): for work of several statements that
    /// two servers must not do at once, such as the first run's demo
    /// account. On SQLite, `None`: one server per file is the deployment.
    pub async fn exclusive(
        &self,
        key: &str,
    ) -> Result<Option<PoolConnection<Postgres>>, sqlx::Error> {
        let Pool::Pg(pool) = &self.write else {
            return Ok(None);
        };
        let mut conn = pool.acquire().await?;
        conn.close_on_drop();
        sqlx::query("SELECT pg_advisory_lock(hashtextextended($1, 0))")
            .bind(key)
            .execute(&mut *conn)
            .await?;
        Ok(Some(conn))
    }

    /// Closes every connection (waits for those in use).
    pub async fn close(&self) {
        for pool in [&self.read, &self.write] {
            match pool {
                Pool::Lite(p) => p.close().await,
                Pool::Pg(p) => p.close().await,
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self.write, Pool::Pg(_))
    }

    /// Starts a service's change of `account`'s data. On SQLite it joins
    /// the open batch (group commit, [`Writer`]); on PostgreSQL it is its
    /// own transaction, which first takes the account's lock: changes of
    /// one account run one at a time, as every change does on SQLite, so a
    /// quota check inside an INSERT sees every competitor's row (READ
    /// COMMITTED takes each statement's snapshot after the lock).
    pub async fn change(&self, account: &str) -> Result<Change, sqlx::Error> {
        match (&self.write, &self.writer) {
            (Pool::Lite(_), Some(writer)) => Ok(Change::Lite(writer.begin().await?)),
            (Pool::Pg(pool), _) => {
                let mut tx = pool.begin().await?;
                lock(&mut tx, account).await?;
                Ok(Change::Pg(tx))
            }
            (Pool::Lite(_), None) => unreachable!("a SQLite store has its writer"),
        }
    }

    /// A transaction outside the services' changes (sign-ins, operators,
    /// the SIP reports). `lock`: on PostgreSQL, the key that serializes it
    /// with others of that key (an account id, or [`GLOBAL`] for rules
    /// across accounts such as "never the last enabled admin"); on SQLite
    /// every write transaction is serialized anyway.
    pub async fn transaction(&self, lock_key: Option<&str>) -> Result<Tx, sqlx::Error> {
        match &self.write {
            Pool::Lite(pool) => Ok(Tx::Lite(pool.begin().await?)),
            Pool::Pg(pool) => {
                let mut tx = pool.begin().await?;
                if let Some(key) = lock_key {
                    lock(&mut tx, key).await?;
                }
                Ok(Tx::Pg(tx))
            }
        }
    }
}

/// The lock key of changes that span accounts (operators, the first run).
pub const GLOBAL: &str = "sipauth:global";

/// Takes `key`'s transaction-scoped advisory lock: released by COMMIT or
/// ROLLBACK, so a crashed server never leaves it held.
async fn lock(tx: &mut sqlx::Transaction<'static, Postgres>, key: &str) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .bind(key)
        .execute(&mut **tx)
        .await
        .map(drop)
}

/// A service's change in progress. Dropped without [`Change::commit`], it
/// is undone.
pub enum Change {
    Lite(Batched),
    Pg(sqlx::Transaction<'static, Postgres>),
}

impl Change {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Change::Lite(c) => Conn::Lite(c.conn()),
            Change::Pg(t) => Conn::Pg(t),
        }
    }

    /// Returns once the change is durable (an error: nothing of it landed,
    /// or, if the COMMIT's outcome is unknown, it may have).
    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Change::Lite(c) => c.commit().await,
            Change::Pg(t) => t.commit().await,
        }
    }

    /// Undoes the change; a read after it sees what the change saw.
    pub async fn rollback(self) {
        match self {
            Change::Lite(c) => c.rollback().await,
            Change::Pg(t) => {
                let _ = t.rollback().await;
            }
        }
    }
}

/// A plain transaction ([`Db::transaction`]); dropped uncommitted, it is
/// rolled back.
pub enum Tx {
    Lite(sqlx::Transaction<'static, Sqlite>),
    Pg(sqlx::Transaction<'static, Postgres>),
}

impl Tx {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            Tx::Lite(t) => Conn::Lite(t),
            Tx::Pg(t) => Conn::Pg(t),
        }
    }

    pub async fn commit(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Lite(t) => t.commit().await,
            Tx::Pg(t) => t.commit().await,
        }
    }

    pub async fn rollback(self) -> Result<(), sqlx::Error> {
        match self {
            Tx::Lite(t) => t.rollback().await,
            Tx::Pg(t) => t.rollback().await,
        }
    }
}

/// Opens (creating if needed) the database in `data_dir` and migrates it.
/// Several processes may open it at once (the CLI while a server runs).
pub async fn open(data_dir: &Path) -> Result<Db, sqlx::Error> {
    private(data_dir).map_err(sqlx::Error::Io)?;
    open_sqlite(&data_dir.join(DB_FILE), true).await
}

/// Opens an existing SQLite store by its file (which may have any name),
/// and migrates it: what `sipauth migrate` copies from.
pub async fn open_existing(file: &Path) -> Result<Db, sqlx::Error> {
    open_sqlite(file, false).await
}

async fn open_sqlite(file: &Path, create: bool) -> Result<Db, sqlx::Error> {
    let options = SqliteConnectOptions::new()
        .filename(file)
        .create_if_missing(create)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a write the API acknowledged survives a crash or power cut.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options.clone())
        .await?;
    sqlx::migrate!("./migrations/sqlite").run(&write).await?;
    let read = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    let writer = Arc::new(Writer::new(write.clone()));
    Ok(Db {
        read: Pool::Lite(read),
        write: Pool::Lite(write),
        writer: Some(writer),
    })
}

/// Connections to PostgreSQL per server: enough for the API's concurrent
/// requests (each holds one for a statement or a change), few enough that
/// several servers stay under the default `max_connections` of 100.
const PG_CONNECTIONS: u32 = 16;

/// Connects to a PostgreSQL database and migrates it (sqlx holds an
/// advisory lock while it migrates: servers starting together are safe).
pub async fn open_postgres(options: PgConnectOptions) -> Result<Db, sqlx::Error> {
    let pool = PgPoolOptions::new()
        .max_connections(PG_CONNECTIONS)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(options)
        .await?;
    sqlx::migrate!("./migrations/postgres").run(&pool).await?;
    Ok(Db {
        read: Pool::Pg(pool.clone()),
        write: Pool::Pg(pool),
        writer: None,
    })
}

/// A batch closes at this many changes even if more are waiting ...
const BATCH_CHANGES: usize = 64;
/// ... or once open this long: a steady queue cannot hold a change's
/// acknowledgement back for more than about this.
const BATCH_AGE: Duration = Duration::from_millis(5);

/// Group commit for the services' changes. A change runs in a savepoint of
/// the open batch (a `BEGIN IMMEDIATE` transaction on `write`'s one
/// connection; the batch's first change needs none), one change at a
/// time. A change that succeeds releases its
/// savepoint and, if other changes are waiting to start, leaves the batch
/// open for them; the last change of a batch (nobody waiting, or the batch
/// full or old) commits it for all. Every change is acknowledged only after
/// the COMMIT that holds it (synchronous=FULL: after its fsync); a failed
/// COMMIT fails every change of its batch. A change that fails rolls back
/// to its savepoint: its neighbours keep theirs. Between batches the
/// connection is back in the pool for the other users of `write`.
pub struct Writer {
    pool: SqlitePool,
    batch: Arc<Mutex<Batch>>,
    /// Changes waiting for the batch's lock, to start.
    waiting: AtomicUsize,
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("waiting", &self.waiting.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

struct Batch {
    /// `Some` while a batch is open: its transaction is open on it.
    conn: Option<PoolConnection<Sqlite>>,
    /// Changes released into the open batch, awaiting its COMMIT.
    members: usize,
    opened: Instant,
    /// Set (under the lock) exactly when the batch closes.
    result: Arc<OnceLock<Result<(), String>>>,
}

/// Counts a change as waiting until it holds the lock (or gives up).
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn new(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Waiting(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Writer {
    fn new(pool: SqlitePool) -> Self {
        Writer {
            pool,
            batch: Arc::new(Mutex::new(Batch {
                conn: None,
                members: 0,
                opened: Instant::now(),
                result: Arc::new(OnceLock::new()),
            })),
            waiting: AtomicUsize::new(0),
        }
    }

    /// Starts a change: joins the open batch, or opens one.
    pub async fn begin(self: &Arc<Self>) -> Result<Batched, sqlx::Error> {
        let waiting = Waiting::new(&self.waiting);
        let guard = self.batch.clone().lock_owned().await;
        drop(waiting);
        // From here on a drop (an error, a cancelled request) cleans up.
        let mut change = Batched {
            guard: Some(guard),
            writer: self.clone(),
            saved: false,
        };
        let batch = change.guard.as_mut().expect("held");
        if batch.conn.is_none() {
            let conn = self.pool.acquire().await?;
            batch.conn = Some(conn);
            batch.members = 0;
            batch.opened = Instant::now();
            batch.result = Arc::new(OnceLock::new());
            // BEGIN IMMEDIATE: the write lock is taken at once, so another
            // process's write (the CLI) waits in the busy handler instead of
            // failing the upgrade from read to write.
            sqlx::query("BEGIN IMMEDIATE")
                .execute(change.conn())
                .await?;
            // The batch's first change needs no savepoint: undoing it is
            // undoing the batch (two statements fewer for a lone change).
            return Ok(change);
        }
        sqlx::query("SAVEPOINT change")
            .execute(change.conn())
            .await?;
        change.saved = true;
        Ok(change)
    }
}

/// One change in the open batch: holds the batch's lock (nothing else
/// writes while it lives). Dropped without [`Batched::commit`], it is rolled
/// back to its savepoint, its neighbours untouched.
pub struct Batched {
    guard: Option<OwnedMutexGuard<Batch>>,
    writer: Arc<Writer>,
    /// Its savepoint exists.
    saved: bool,
}

impl Batched {
    /// The batch's connection, inside this change's savepoint.
    pub fn conn(&mut self) -> &mut SqliteConnection {
        self.guard
            .as_mut()
            .and_then(|b| b.conn.as_mut())
            .expect("an open batch")
    }

    /// Releases the change into its batch and returns once the COMMIT that
    /// holds it has succeeded (an error: nothing of it landed, or, if the
    /// COMMIT's outcome is unknown, it may have). Runs on its own task: a
    /// caller that goes away does not leave the batch half done.
    pub async fn commit(mut self) -> Result<(), sqlx::Error> {
        let guard = self.guard.take().expect("held");
        let writer = self.writer.clone();
        tokio::spawn(release(guard, writer, self.saved))
            .await
            .map_err(|e| sqlx::Error::Protocol(format!("group commit: {e}")))?
    }
}

impl Batched {
    /// Undoes the change and, if changes before it in its batch await their
    /// COMMIT, commits them now: a read after the refusal (why was it
    /// refused?) sees on `db.read` what the change saw.
    pub async fn rollback(mut self) {
        let guard = self.guard.take().expect("held");
        let _ = tokio::spawn(abandon(guard, self.saved, true)).await;
    }
}

impl Drop for Batched {
    fn drop(&mut self) {
        if let Some(guard) = self.guard.take() {
            // The lock goes with the task: nobody uses the connection
            // before the change is undone.
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(abandon(guard, self.saved, false));
            }
        }
    }
}

async fn release(
    mut guard: OwnedMutexGuard<Batch>,
    writer: Arc<Writer>,
    saved: bool,
) -> Result<(), sqlx::Error> {
    let conn = guard.conn.as_mut().expect("an open batch");
    if saved {
        if let Err(e) = sqlx::query("RELEASE change").execute(&mut **conn).await {
            abandon(guard, true, false).await;
            return Err(e);
        }
    }
    guard.members += 1;
    let result = guard.result.clone();
    // Unset result: this change's batch is still the open one.
    while result.get().is_none() {
        if writer.waiting.load(Ordering::SeqCst) == 0
            || guard.members >= BATCH_CHANGES
            || guard.opened.elapsed() >= BATCH_AGE
        {
            finish(&mut guard).await;
            break;
        }
        // Let the waiting changes in; back in the queue behind them (the
        // lock is fair), the batch is still ours to close if they leave it.
        drop(guard);
        tokio::task::yield_now().await;
        guard = writer.batch.clone().lock_owned().await;
    }
    drop(guard);
    match result.get() {
        Some(Ok(())) => Ok(()),
        Some(Err(e)) => Err(sqlx::Error::Protocol(format!("group commit: {e}"))),
        None => unreachable!("a batch closes with its result"),
    }
}

/// Commits the open batch, returns its connection to the pool and tells
/// its members.
async fn finish(batch: &mut Batch) {
    let Some(mut conn) = batch.conn.take() else {
        return;
    };
    let result = match sqlx::query("COMMIT").execute(&mut *conn).await {
        Ok(_) => Ok(()),
        Err(e) => {
            tracing::error!("group commit failed: {e}");
            end(conn).await;
            Err(e.to_string())
        }
    };
    let _ = batch.result.set(result);
}

/// Rolls the connection's transaction back, or closes it if that fails:
/// no connection goes back to the pool inside a transaction.
async fn end(mut conn: PoolConnection<Sqlite>) {
    if let Err(e) = sqlx::query("ROLLBACK").execute(&mut *conn).await {
        if !e.to_string().contains("no transaction is active") {
            let _ = conn.close().await;
        }
    }
}

/// Undoes a change that was not committed. If its savepoint cannot be
/// rolled back, the whole batch fails (nothing of it lands). `flush`: the
/// batch's other changes are committed now rather than by their last.
async fn abandon(mut batch: OwnedMutexGuard<Batch>, saved: bool, flush: bool) {
    let first = !saved && batch.members == 0;
    let Some(conn) = batch.conn.as_mut() else {
        return;
    };
    let undone = if first {
        // The batch's first change, which has no savepoint: it is undone
        // with the batch, which holds nothing else (below).
        Ok(())
    } else {
        match sqlx::query("ROLLBACK TO change").execute(&mut **conn).await {
            Ok(_) => sqlx::query("RELEASE change")
                .execute(&mut **conn)
                .await
                .map(drop),
            // Gone before its savepoint was made.
            Err(e) if !saved && e.to_string().contains("no such savepoint") => Ok(()),
            Err(e) => Err(e),
        }
    };
    let failed = match undone {
        Ok(()) if batch.members > 0 => {
            if flush {
                finish(&mut batch).await;
            }
            // Otherwise the members, back in the lock's queue, commit it.
            return;
        }
        Ok(()) => None,
        Err(e) => {
            tracing::error!("undoing a change failed, its batch with it: {e}");
            Some(e.to_string())
        }
    };
    if let Some(conn) = batch.conn.take() {
        end(conn).await;
    }
    let _ = batch
        .result
        .set(Err(failed.unwrap_or_else(|| "rolled back".into())));
}

/// The store holds HA1s (as good as a password for digest) and session
/// hashes: only the owner may enter the directory or read its files. A
/// directory or file left open by an earlier version or a loose umask is
/// closed, with a warning naming it. SQLite gives `-wal` and `-shm` the
/// database file's mode, so the database is created 0600 before it opens.
#[cfg(unix)]
pub fn private(data_dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    private_dir(data_dir)?;
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .open(data_dir.join(DB_FILE))?;
    let files = ["", "-wal", "-shm"].map(|suffix| data_dir.join(format!("{DB_FILE}{suffix}")));
    let first_run = data_dir.join(crate::first_run::FILE);
    for (path, mode) in std::iter::once((data_dir.to_path_buf(), 0o700))
        .chain(files.into_iter().chain([first_run]).map(|p| (p, 0o600)))
    {
        let Ok(meta) = std::fs::metadata(&path) else {
            continue;
        };
        let was = meta.permissions().mode() & 0o777;
        if was & !mode != 0 {
            tracing::warn!(path = %path.display(), "was mode {was:o}, readable by others: now {mode:o}");
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode))?;
        }
    }
    Ok(())
}

/// Creates the data directory (0700) if it is missing: the first run's
/// sign-in is saved there whatever the backend.
#[cfg(unix)]
pub fn private_dir(data_dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(data_dir)
}

#[cfg(not(unix))]
pub fn private_dir(data_dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(data_dir)
}

#[cfg(not(unix))]
pub fn private(data_dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(data_dir)
}
