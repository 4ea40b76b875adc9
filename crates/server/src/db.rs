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
    std::fs::create_dir_all(data_dir).map_err(sqlx::Error::Io)?;
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
