//! Running one statement on either backend (SQLite or PostgreSQL): the only
//! code that knows there are two. The store writes its SQL once, in the
//! subset both engines read alike (`$1` placeholders, `TRUE`, aliased
//! subqueries, qualified upsert columns...), and runs it through [`q`]; the
//! few statements that cannot be shared carry a PostgreSQL text beside the
//! SQLite one ([`Q::pg`]). Rows decode into the same types on both.
//!
//! Why not sqlx's `Any` driver: it cannot decode SQLite's integers into
//! `bool`, copies every value of every row, and rewrites no placeholders.

use sqlx::postgres::{PgConnection, PgPool, PgRow};
use sqlx::sqlite::{SqliteConnection, SqlitePool, SqliteRow};
use sqlx::{FromRow, Postgres, Sqlite};
use std::borrow::Cow;

/// A pool of connections to one of the two backends.
#[derive(Clone, Debug)]
pub enum Pool {
    Lite(SqlitePool),
    Pg(PgPool),
}

/// A borrowed connection (inside a transaction, usually).
pub enum Conn<'c> {
    Lite(&'c mut SqliteConnection),
    Pg(&'c mut PgConnection),
}

impl Conn<'_> {
    /// The same connection for one more statement.
    pub fn re(&mut self) -> Conn<'_> {
        match self {
            Conn::Lite(c) => Conn::Lite(c),
            Conn::Pg(c) => Conn::Pg(c),
        }
    }
}

/// [`Conn::re`] for a bare SQLite connection.
pub trait Re {
    fn re(&mut self) -> Conn<'_>;
}

impl Re for SqliteConnection {
    fn re(&mut self) -> Conn<'_> {
        Conn::Lite(self)
    }
}

impl Re for PgConnection {
    fn re(&mut self) -> Conn<'_> {
        Conn::Pg(self)
    }
}

/// Where a statement runs: a pool or one connection.
pub enum Exec<'c> {
    LitePool(&'c SqlitePool),
    PgPool(&'c PgPool),
    Lite(&'c mut SqliteConnection),
    Pg(&'c mut PgConnection),
}

impl<'c> From<&'c Pool> for Exec<'c> {
    fn from(p: &'c Pool) -> Self {
        match p {
            Pool::Lite(p) => Exec::LitePool(p),
            Pool::Pg(p) => Exec::PgPool(p),
        }
    }
}

impl<'c> From<&'c SqlitePool> for Exec<'c> {
    fn from(p: &'c SqlitePool) -> Self {
        Exec::LitePool(p)
    }
}

impl<'c> From<&'c PgPool> for Exec<'c> {
    fn from(p: &'c PgPool) -> Self {
        Exec::PgPool(p)
    }
}

impl<'c> From<&'c mut SqliteConnection> for Exec<'c> {
    fn from(c: &'c mut SqliteConnection) -> Self {
        Exec::Lite(c)
    }
}

impl<'c> From<&'c mut PgConnection> for Exec<'c> {
    fn from(c: &'c mut PgConnection) -> Self {
        Exec::Pg(c)
    }
}

impl<'c> From<Conn<'c>> for Exec<'c> {
    fn from(c: Conn<'c>) -> Self {
        match c {
            Conn::Lite(c) => Exec::Lite(c),
            Conn::Pg(c) => Exec::Pg(c),
        }
    }
}

/// A row type both backends decode (every `#[derive(sqlx::FromRow)]` type
/// and tuple of plain values is one).
pub trait Rows: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin {}

impl<T> Rows for T where
    T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin
{
}

/// One bound value. Text and bytes are borrowed where the caller lends them.
#[derive(Debug, Clone)]
pub enum Arg<'a> {
    Text(Option<Cow<'a, str>>),
    Int(Option<i64>),
    Bool(Option<bool>),
    Blob(Option<Cow<'a, [u8]>>),
}

/// Values [`Q::arg`] takes.
pub trait IntoArg<'a> {
    fn into_arg(self) -> Arg<'a>;
}

macro_rules! text_arg {
    ($($t:ty => |$v:ident| $e:expr),* $(,)?) => {$(
        impl<'a> IntoArg<'a> for $t {
            fn into_arg(self) -> Arg<'a> {
                let $v = self;
                Arg::Text($e)
            }
        }
    )*};
}

text_arg! {
    &'a str => |v| Some(Cow::Borrowed(v)),
    &'a String => |v| Some(Cow::Borrowed(v.as_str())),
    String => |v| Some(Cow::Owned(v)),
    Option<&'a str> => |v| v.map(Cow::Borrowed),
    Option<&'a String> => |v| v.map(|s| Cow::Borrowed(s.as_str())),
    Option<String> => |v| v.map(Cow::Owned),
    &'a Option<String> => |v| v.as_deref().map(Cow::Borrowed),
}

macro_rules! int_arg {
    ($($t:ty),*) => {$(
        impl<'a> IntoArg<'a> for $t {
            fn into_arg(self) -> Arg<'a> {
                Arg::Int(Some(i64::from(self)))
            }
        }
        impl<'a> IntoArg<'a> for Option<$t> {
            fn into_arg(self) -> Arg<'a> {
                Arg::Int(self.map(i64::from))
            }
        }
    )*};
}

int_arg!(i64, i32, u32, u16, u8);

impl<'a> IntoArg<'a> for bool {
    fn into_arg(self) -> Arg<'a> {
        Arg::Bool(Some(self))
    }
}

impl<'a> IntoArg<'a> for Option<bool> {
    fn into_arg(self) -> Arg<'a> {
        Arg::Bool(self)
    }
}

impl<'a> IntoArg<'a> for &'a [u8] {
    fn into_arg(self) -> Arg<'a> {
        Arg::Blob(Some(Cow::Borrowed(self)))
    }
}

impl<'a> IntoArg<'a> for Vec<u8> {
    fn into_arg(self) -> Arg<'a> {
        Arg::Blob(Some(Cow::Owned(self)))
    }
}

impl<'a> IntoArg<'a> for &'a Vec<u8> {
    fn into_arg(self) -> Arg<'a> {
        Arg::Blob(Some(Cow::Borrowed(self.as_slice())))
    }
}

impl<'a> IntoArg<'a> for Arg<'a> {
    fn into_arg(self) -> Arg<'a> {
        self
    }
}

/// A statement with its arguments, not yet run.
#[derive(Debug, Clone)]
#[must_use = "a statement does nothing until run"]
pub struct Q<'a> {
    sql: Cow<'a, str>,
    /// PostgreSQL's text when it differs from SQLite's.
    pg: Option<Cow<'a, str>>,
    args: Vec<Arg<'a>>,
}

/// A statement (placeholders `$1`, `$2`, ... on both backends).
pub fn q<'a>(sql: impl Into<Cow<'a, str>>) -> Q<'a> {
    Q {
        sql: sql.into(),
        pg: None,
        args: Vec::new(),
    }
}

/// What a statement that returns no rows did.
#[derive(Debug, Clone, Copy)]
pub struct Done {
    rows: u64,
}

impl Done {
    pub fn rows_affected(&self) -> u64 {
        self.rows
    }
}

/// Binds every argument of `$args` to the sqlx query `$query` (expanded
/// once per backend, so each binds its own native types).
macro_rules! bind_all {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for a in $args {
            query = match a {
                Arg::Text(v) => query.bind(v.as_deref()),
                Arg::Int(v) => query.bind(*v),
                Arg::Bool(v) => query.bind(*v),
                Arg::Blob(v) => query.bind(v.as_deref()),
            };
        }
        query
    }};
}

impl<'a> Q<'a> {
    /// The text PostgreSQL runs instead (same placeholders and arguments).
    pub fn pg(mut self, sql: impl Into<Cow<'a, str>>) -> Self {
        self.pg = Some(sql.into());
        self
    }

    /// Binds the next placeholder.
    pub fn arg(mut self, value: impl IntoArg<'a>) -> Self {
        self.args.push(value.into_arg());
        self
    }

    /// Binds the next placeholders, in order.
    pub fn args<V: IntoArg<'a>>(mut self, values: impl IntoIterator<Item = V>) -> Self {
        self.args.extend(values.into_iter().map(IntoArg::into_arg));
        self
    }

    fn pg_text(&self) -> &str {
        self.pg.as_deref().unwrap_or(&self.sql)
    }

    pub async fn execute<'c>(self, on: impl Into<Exec<'c>>) -> Result<Done, sqlx::Error> {
        let rows = match on.into() {
            Exec::LitePool(p) => bind_all!(sqlx::query::<Sqlite>(&self.sql), &self.args)
                .execute(p)
                .await?
                .rows_affected(),
            Exec::Lite(c) => bind_all!(sqlx::query::<Sqlite>(&self.sql), &self.args)
                .execute(c)
                .await?
                .rows_affected(),
            Exec::PgPool(p) => bind_all!(sqlx::query::<Postgres>(self.pg_text()), &self.args)
                .execute(p)
                .await?
                .rows_affected(),
            Exec::Pg(c) => bind_all!(sqlx::query::<Postgres>(self.pg_text()), &self.args)
                .execute(c)
                .await?
                .rows_affected(),
        };
        Ok(Done { rows })
    }

    pub async fn fetch_all<'c, T: Rows>(
        self,
        on: impl Into<Exec<'c>>,
    ) -> Result<Vec<T>, sqlx::Error> {
        match on.into() {
            Exec::LitePool(p) => {
                bind_all!(sqlx::query_as::<Sqlite, T>(&self.sql), &self.args)
                    .fetch_all(p)
                    .await
            }
            Exec::Lite(c) => {
                bind_all!(sqlx::query_as::<Sqlite, T>(&self.sql), &self.args)
                    .fetch_all(c)
                    .await
            }
            Exec::PgPool(p) => {
                bind_all!(sqlx::query_as::<Postgres, T>(self.pg_text()), &self.args)
                    .fetch_all(p)
                    .await
            }
            Exec::Pg(c) => {
                bind_all!(sqlx::query_as::<Postgres, T>(self.pg_text()), &self.args)
                    .fetch_all(c)
                    .await
            }
        }
    }

    pub async fn fetch_optional<'c, T: Rows>(
        self,
        on: impl Into<Exec<'c>>,
    ) -> Result<Option<T>, sqlx::Error> {
        match on.into() {
            Exec::LitePool(p) => {
                bind_all!(sqlx::query_as::<Sqlite, T>(&self.sql), &self.args)
                    .fetch_optional(p)
                    .await
            }
            Exec::Lite(c) => {
                bind_all!(sqlx::query_as::<Sqlite, T>(&self.sql), &self.args)
                    .fetch_optional(c)
                    .await
            }
            Exec::PgPool(p) => {
                bind_all!(sqlx::query_as::<Postgres, T>(self.pg_text()), &self.args)
                    .fetch_optional(p)
                    .await
            }
            Exec::Pg(c) => {
                bind_all!(sqlx::query_as::<Postgres, T>(self.pg_text()), &self.args)
                    .fetch_optional(c)
                    .await
            }
        }
    }

    pub async fn fetch_one<'c, T: Rows>(self, on: impl Into<Exec<'c>>) -> Result<T, sqlx::Error> {
        self.fetch_optional(on)
            .await?
            .ok_or(sqlx::Error::RowNotFound)
    }

    /// The first column of the one row.
    pub async fn scalar<'c, T>(self, on: impl Into<Exec<'c>>) -> Result<T, sqlx::Error>
    where
        (T,): Rows,
    {
        Ok(self.fetch_one::<(T,)>(on).await?.0)
    }

    /// The first column of the row, if there is one.
    pub async fn scalar_optional<'c, T>(
        self,
        on: impl Into<Exec<'c>>,
    ) -> Result<Option<T>, sqlx::Error>
    where
        (T,): Rows,
    {
        Ok(self.fetch_optional::<(T,)>(on).await?.map(|(v,)| v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn memory() -> SqlitePool {
        SqlitePool::connect("sqlite::memory:").await.unwrap()
    }

    #[tokio::test]
    async fn binds_every_kind_by_number_on_sqlite() {
        let pool = memory().await;
        let row: (String, Option<String>, i64, bool, Vec<u8>) = q("SELECT $1, $2, $3 + 1, $4, $5")
            .arg("a")
            .arg(None::<&str>)
            .arg(41_i64)
            .arg(true)
            .arg(vec![1_u8, 2])
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(row, ("a".into(), None, 42, true, vec![1, 2]));
    }

    #[tokio::test]
    async fn a_connection_runs_several_statements() {
        let pool = memory().await;
        let mut conn = pool.acquire().await.unwrap();
        let mut c = conn.re();
        q("CREATE TABLE t (n INTEGER)")
            .execute(c.re())
            .await
            .unwrap();
        let done = q("INSERT INTO t VALUES ($1), ($2)")
            .args([1_i64, 2])
            .execute(c.re())
            .await
            .unwrap();
        assert_eq!(done.rows_affected(), 2);
        let sum: i64 = q("SELECT CAST(sum(n) AS BIGINT) FROM t")
            .scalar(c.re())
            .await
            .unwrap();
        assert_eq!(sum, 3);
        let none: Option<i64> = q("SELECT n FROM t WHERE n > $1")
            .arg(5_i64)
            .scalar_optional(c)
            .await
            .unwrap();
        assert_eq!(none, None);
    }

    #[tokio::test]
    async fn postgres_text_is_used_only_on_postgres() {
        let pool = memory().await;
        let v: String = q("SELECT 'sqlite'")
            .pg("SELECT 'postgres'")
            .scalar(&pool)
            .await
            .unwrap();
        assert_eq!(v, "sqlite");
    }
}
