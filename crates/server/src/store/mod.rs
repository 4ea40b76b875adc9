//! Queries over the store. Only this module writes SQL.

pub mod accounts;
pub mod acls;
pub mod api_keys;
pub mod applications;
pub mod audit;
pub mod credential_lists;
pub mod credentials;
pub mod domains;
pub mod operators;
pub mod trunks;

use crate::db::Db;
use sqlx::sqlite::SqliteRow;
use sqlx::{FromRow, SqliteConnection};

/// Which rows of a list: `limit` of them from `offset`.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub limit: i64,
    pub offset: i64,
}

/// A page of rows and how many the whole list has.
pub type Rows<T> = (Vec<T>, i64);
pub type Listed<T> = Result<Rows<T>, sqlx::Error>;

/// One page of `select` (a SELECT with its WHERE, binding `?1`…`?n` to
/// `binds`) ordered by `order`, and how many rows all of it has: every
/// store list but the credentials' JSON page, which is hotter.
pub async fn page<T>(
    db: &Db,
    select: &str,
    binds: &[Option<&str>],
    order: &str,
    w: Window,
) -> Listed<T>
where
    T: for<'r> FromRow<'r, SqliteRow> + Send + Unpin,
{
    let n = binds.len();
    let rows_sql = format!(
        "{select} ORDER BY {order} LIMIT ?{} OFFSET ?{}",
        n + 1,
        n + 2
    );
    let mut rows = sqlx::query_as(&rows_sql);
    for b in binds {
        rows = rows.bind(*b);
    }
    let rows = rows
        .bind(w.limit)
        .bind(w.offset)
        .fetch_all(&db.read)
        .await?;
    let count_sql = format!("SELECT count(*) FROM ({select})");
    let mut total = sqlx::query_scalar(&count_sql);
    for b in binds {
        total = total.bind(*b);
    }
    Ok((rows, total.fetch_one(&db.read).await?))
}

/// The condition that no other row of the account in `table` has the name
/// bound at `?name` in `column` (ASCII letters compared without case:
/// SQLite's NOCASE; names are stored trimmed by the model). Part of the
/// INSERT or UPDATE itself, so racing writes of one name land once;
/// `?account` and `?id` are the placeholders of the account and of the
/// row being written.
pub(crate) fn name_free(table: &str, column: &str, account: &str, name: &str, id: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM {table} WHERE account_id = {account} AND id <> {id}
                     AND {column} = {name} COLLATE NOCASE)"
    )
}

/// Whether another row of the account in `table` has `name` (as
/// [`name_free`] compares): why a write that [`name_free`] guarded did
/// nothing.
pub(crate) async fn name_taken(
    conn: &mut SqliteConnection,
    table: &str,
    column: &str,
    account_id: &str,
    name: &str,
    id: &str,
) -> Result<bool, sqlx::Error> {
    let free = name_free(table, column, "?1", "?2", "?3");
    let (taken,): (bool,) = sqlx::query_as(&format!("SELECT NOT {free}"))
        .bind(account_id)
        .bind(name)
        .bind(id)
        .fetch_one(conn)
        .await?;
    Ok(taken)
}

/// A row of a table whose rows each belong to one account.
pub trait Owned: for<'r> FromRow<'r, SqliteRow> + Send + Unpin {
    const TABLE: &'static str;
    const COLUMNS: &'static str;
}

/// The row `id` if the account owns it.
pub async fn find<T: Owned>(db: &Db, account_id: &str, id: &str) -> Result<Option<T>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {} FROM {} WHERE account_id = ? AND id = ?",
        T::COLUMNS,
        T::TABLE
    ))
    .bind(account_id)
    .bind(id)
    .fetch_optional(&db.read)
    .await
}

/// [`find`] on a connection: inside a change's transaction, its state.
pub async fn find_on<T: Owned>(
    conn: &mut SqliteConnection,
    account_id: &str,
    id: &str,
) -> Result<Option<T>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {} FROM {} WHERE account_id = ? AND id = ?",
        T::COLUMNS,
        T::TABLE
    ))
    .bind(account_id)
    .bind(id)
    .fetch_optional(conn)
    .await
}

/// A page of all the account's rows, oldest first, and how many there are.
pub async fn list<T: Owned>(db: &Db, account_id: &str, w: Window) -> Listed<T> {
    let select = format!(
        "SELECT {}, seq FROM {} WHERE account_id = ?1",
        T::COLUMNS,
        T::TABLE
    );
    page(db, &select, &[Some(account_id)], "seq", w).await
}

/// How many rows the account has.
pub async fn count<T: Owned>(db: &Db, account_id: &str) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(&format!(
        "SELECT count(*) FROM {} WHERE account_id = ?",
        T::TABLE
    ))
    .bind(account_id)
    .fetch_one(&db.read)
    .await
}

/// Deletes the row `id` if the account owns it; false if it does not.
pub async fn delete<T: Owned>(
    conn: &mut SqliteConnection,
    account_id: &str,
    id: &str,
) -> Result<bool, sqlx::Error> {
    let r = sqlx::query(&format!(
        "DELETE FROM {} WHERE account_id = ? AND id = ?",
        T::TABLE
    ))
    .bind(account_id)
    .bind(id)
    .execute(conn)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// True when `e` is a UNIQUE constraint violation.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

/// True when `e` is a FOREIGN KEY violation (something still uses the row).
pub fn is_foreign_key_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_foreign_key_violation())
}

/// A LIKE pattern matching `s` anywhere, with `%`, `_` and `\` taken literally.
pub fn like_pattern(s: &str) -> String {
    let escaped = s
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    format!("%{escaped}%")
}
