//! Opening the SQLite store: WAL mode, foreign keys, migrations.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::path::Path;
use std::time::Duration;

pub const DB_FILE: &str = "sipauth.db";

/// The store's connections: reads run side by side (WAL lets them); writes
/// queue in order for one connection, rather than racing for SQLite's write
/// lock and sleeping in its busy handler (which gave creates under load a
/// p99 of hundreds of milliseconds).
#[derive(Clone, Debug)]
pub struct Db {
    pub read: SqlitePool,
    pub write: SqlitePool,
}

/// Opens (creating if needed) the database in `data_dir` and migrates it.
/// Several processes may open it at once (the CLI while a server runs).
pub async fn open(data_dir: &Path) -> Result<Db, sqlx::Error> {
    private(data_dir).map_err(sqlx::Error::Io)?;
    let options = SqliteConnectOptions::new()
        .filename(data_dir.join(DB_FILE))
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        // FULL: a write the API acknowledged survives a crash or power cut.
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10));
    let write = SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options.clone())
        .await?;
    sqlx::migrate!("./migrations").run(&write).await?;
    let read = SqlitePoolOptions::new()
        .max_connections(8)
        .connect_with(options)
        .await?;
    Ok(Db { read, write })
}

/// The store holds HA1s (as good as a password for digest) and session
/// hashes: only the owner may enter the directory or read its files. A
/// directory or file left open by an earlier version or a loose umask is
/// closed, with a warning naming it. SQLite gives `-wal` and `-shm` the
/// database file's mode, so the database is created 0600 before it opens.
#[cfg(unix)]
pub fn private(data_dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(data_dir)?;
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

#[cfg(not(unix))]
pub fn private(data_dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(data_dir)
}
