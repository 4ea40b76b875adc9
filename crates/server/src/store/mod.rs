//! Queries over the store. Only this module writes SQL.

pub mod accounts;
pub mod acls;
pub mod api_keys;
pub mod applications;
pub mod audit;
pub mod credential_lists;
pub mod credentials;
pub mod domains;
pub mod kamailio;
pub mod operators;
pub mod trunks;

use crate::db::Db;
use crate::sql::{q, Conn};

/// Which rows of a list: `limit` of them from `offset`.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    pub limit: i64,
    pub offset: i64,
}

/// A page of rows and how many the whole list has.
pub type Rows<T> = (Vec<T>, i64);
pub type Listed<T> = Result<Rows<T>, sqlx::Error>;

/// One page of `select` (a SELECT with its WHERE, binding `$1`…`$n` to
/// `binds`) ordered by `order`, and how many rows all of it has: every
/// store list but the credentials' JSON page, which is hotter.
pub async fn page<T: crate::sql::Rows>(
    db: &Db,
    select: &str,
    binds: &[Option<&str>],
    order: &str,
    w: Window,
) -> Listed<T> {
    let n = binds.len();
    let rows = q(format!(
        "{select} ORDER BY {order} LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    ))
    .args(binds.iter().copied())
    .arg(w.limit)
    .arg(w.offset)
    .fetch_all(&db.read)
    .await?;
    let total = q(format!("SELECT count(*) FROM ({select}) AS listed"))
        .args(binds.iter().copied())
        .scalar(&db.read)
        .await?;
    Ok((rows, total))
}

/// The condition that no other row of the account in `table` has the name
/// bound at `$name` in `column` (ASCII letters compared without case, as
/// `lower()` folds them on both backends; names are stored trimmed by the
/// model). Part of the INSERT or UPDATE itself, so racing writes of one
/// name land once; `$account` and `$id` are the placeholders of the account
/// and of the row being written.
pub(crate) fn name_free(table: &str, column: &str, account: &str, name: &str, id: &str) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM {table} WHERE account_id = {account} AND id <> {id}
                     AND lower({column}) = lower({name}))"
    )
}

/// Whether another row of the account in `table` has `name` (as
/// [`name_free`] compares): why a write that [`name_free`] guarded did
/// nothing.
pub(crate) async fn name_taken(
    mut conn: Conn<'_>,
    table: &str,
    column: &str,
    account_id: &str,
    name: &str,
    id: &str,
) -> Result<bool, sqlx::Error> {
    let free = name_free(table, column, "$1", "$2", "$3");
    q(format!("SELECT NOT {free}"))
        .arg(account_id)
        .arg(name)
        .arg(id)
        .scalar(conn.re())
        .await
}

/// A row of a table whose rows each belong to one account.
pub trait Owned: crate::sql::Rows {
    const TABLE: &'static str;
    const COLUMNS: &'static str;
}

/// The row `id` if the account owns it.
pub async fn find<T: Owned>(db: &Db, account_id: &str, id: &str) -> Result<Option<T>, sqlx::Error> {
    q(format!(
        "SELECT {} FROM {} WHERE account_id = $1 AND id = $2",
        T::COLUMNS,
        T::TABLE
    ))
    .arg(account_id)
    .arg(id)
    .fetch_optional(&db.read)
    .await
}

/// [`find`] on a connection: inside a change's transaction, its state.
pub async fn find_on<T: Owned>(
    mut conn: Conn<'_>,
    account_id: &str,
    id: &str,
) -> Result<Option<T>, sqlx::Error> {
    q(format!(
        "SELECT {} FROM {} WHERE account_id = $1 AND id = $2",
        T::COLUMNS,
        T::TABLE
    ))
    .arg(account_id)
    .arg(id)
    .fetch_optional(conn.re())
    .await
}

/// A page of all the account's rows, oldest first, and how many there are.
pub async fn list<T: Owned>(db: &Db, account_id: &str, w: Window) -> Listed<T> {
    let select = format!(
        "SELECT {}, seq FROM {} WHERE account_id = $1",
        T::COLUMNS,
        T::TABLE
    );
    page(db, &select, &[Some(account_id)], "seq", w).await
}

/// How many rows the account has.
pub async fn count<T: Owned>(db: &Db, account_id: &str) -> Result<i64, sqlx::Error> {
    q(format!(
        "SELECT count(*) FROM {} WHERE account_id = $1",
        T::TABLE
    ))
    .arg(account_id)
    .scalar(&db.read)
    .await
}

/// Deletes the row `id` if the account owns it; false if it does not.
pub async fn delete<T: Owned>(
    mut conn: Conn<'_>,
    account_id: &str,
    id: &str,
) -> Result<bool, sqlx::Error> {
    let r = q(format!(
        "DELETE FROM {} WHERE account_id = $1 AND id = $2",
        T::TABLE
    ))
    .arg(account_id)
    .arg(id)
    .execute(conn.re())
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
