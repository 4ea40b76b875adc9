//! `sipauth migrate`: a SQLite store copied into a new, empty PostgreSQL
//! database, so an installation moves to several servers without losing
//! anything Kamailio or the console relies on.
//!
//! Decisions:
//! - One PostgreSQL transaction for the whole copy, the comparison and the
//!   sequences: the target ends up with every row or with none. A failed
//!   insert, a difference found, a lost connection or Ctrl-C leaves the
//!   database as empty as it was, so the migration can simply be run again.
//!   Servers starting on the target meanwhile wait for it (the first run's
//!   lock), then find the migrated accounts instead of making a demo one.
//! - The source is read in one SQLite read transaction: one snapshot, even
//!   if a server still writes to it (what it writes after is not copied:
//!   stop the servers first).
//! - Rows are copied as they are stored: every key, list order (`seq`),
//!   `rowid` (Kamailio's group numbers are `rowid * 4 + k` and `seq * 4 +
//!   k`), date and audit record. Passwords stay what the store holds:
//!   credentials' HA1s (`ha1`, `ha1b`), operators' argon2 hashes, SHA-256
//!   of API tokens, keys and sessions; nothing is hashed again or decoded,
//!   and no value is ever printed. `subscriber` is not copied: PostgreSQL's
//!   trigger fills it as credentials are inserted, and it is compared.
//! - What is compared, before COMMIT: for every table copied, the
//!   subscriber table and the views Kamailio reads (`address`,
//!   `sip_entry_points`, `sip_members`), the row count on both sides and a
//!   digest of every row (SHA-256 over the sorted SHA-256s of the rows'
//!   values in a canonical, typed encoding: independent of the order each
//!   engine returns rows in). Any difference rolls everything back.
//! - Tables, columns, keys and foreign keys are read from both schemas
//!   (SQLite's `sqlite_master` and pragmas, PostgreSQL's
//!   `information_schema`), so a table a later migration adds is copied
//!   too; a column one side lacks stops the migration before anything is
//!   written.

use crate::db::{Db, Tx};
use crate::sql::{q, Arg, Conn, Pool, Re, Q};
use sha2::{Digest, Sha256};
use sqlx::postgres::{PgRow, Postgres};
use sqlx::sqlite::{Sqlite, SqliteRow};
use sqlx::{Decode, FromRow, Row, TypeInfo, ValueRef};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write;
use std::time::{Duration, Instant};

pub type Error = Box<dyn std::error::Error + Send + Sync>;

/// Rows per INSERT (fewer when a table has so many columns that PostgreSQL's
/// 65,535 parameters would not hold them).
const BATCH: usize = 500;
/// Rows per read when comparing.
const PAGE: usize = 5000;
/// What Kamailio reads that the store derives: compared, never copied.
const VIEWS: [&str; 3] = ["address", "sip_entry_points", "sip_members"];
/// Filled by PostgreSQL's trigger from the credentials.
const TRIGGER_FILLED: &str = "subscriber";

/// What `run` did.
#[derive(Debug)]
pub struct Summary {
    pub tables: usize,
    pub rows: u64,
    pub elapsed: Duration,
}

/// A column's type on PostgreSQL, which SQLite's values are converted to.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ty {
    Int,
    Bool,
    Text,
    Blob,
}

impl Ty {
    fn of(data_type: &str) -> Option<Ty> {
        Some(match data_type {
            "bigint" | "integer" | "smallint" => Ty::Int,
            "boolean" => Ty::Bool,
            "text" | "character varying" | "character" => Ty::Text,
            "bytea" => Ty::Blob,
            _ => return None,
        })
    }
}

#[derive(Debug)]
struct Column {
    name: String,
    ty: Ty,
}

/// A table or view as both sides have it: PostgreSQL's columns (in its
/// order), each found on SQLite too (`rowid` being SQLite's own).
#[derive(Debug)]
struct Relation {
    name: String,
    columns: Vec<Column>,
    /// The primary key's columns (indexes into `columns`); empty for views.
    key: Vec<usize>,
    /// Tables it refers to (foreign keys).
    refers: BTreeSet<String>,
    /// The column SQLite numbers with AUTOINCREMENT (its `sqlite_sequence`
    /// may be past the largest row left).
    autoincrement: Option<String>,
    kind: Kind,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Copied,
    Trigger,
    View,
}

/// One value as stored, before conversion to its column's type.
#[derive(Debug)]
enum Raw {
    Null,
    Int(i64),
    Bool(bool),
    Text(String),
    Blob(Vec<u8>),
    /// A type no column of the store has (SQLite's REAL...).
    Other(String),
}

impl Raw {
    fn kind(&self) -> &str {
        match self {
            Raw::Null => "NULL",
            Raw::Int(_) => "an integer",
            Raw::Bool(_) => "a boolean",
            Raw::Text(_) => "text",
            Raw::Blob(_) => "a blob",
            Raw::Other(t) => t,
        }
    }
}

/// A row of any relation, decoded by each value's own type.
struct Record(Vec<Raw>);

fn decode_error(i: usize, e: sqlx::error::BoxDynError) -> sqlx::Error {
    sqlx::Error::ColumnDecode {
        index: i.to_string(),
        source: e,
    }
}

impl<'r> FromRow<'r, SqliteRow> for Record {
    fn from_row(row: &'r SqliteRow) -> Result<Self, sqlx::Error> {
        let mut values = Vec::with_capacity(row.len());
        for i in 0..row.len() {
            let raw = row.try_get_raw(i)?;
            if raw.is_null() {
                values.push(Raw::Null);
                continue;
            }
            // The value's own type (SQLite types values, not columns).
            let kind = raw.type_info().name().to_string();
            let err = |e| decode_error(i, e);
            values.push(match kind.as_str() {
                "INTEGER" => Raw::Int(<i64 as Decode<Sqlite>>::decode(raw).map_err(err)?),
                "TEXT" => Raw::Text(<String as Decode<Sqlite>>::decode(raw).map_err(err)?),
                "BLOB" => Raw::Blob(<Vec<u8> as Decode<Sqlite>>::decode(raw).map_err(err)?),
                other => Raw::Other(other.to_string()),
            });
        }
        Ok(Record(values))
    }
}

impl<'r> FromRow<'r, PgRow> for Record {
    fn from_row(row: &'r PgRow) -> Result<Self, sqlx::Error> {
        let mut values = Vec::with_capacity(row.len());
        for i in 0..row.len() {
            let raw = row.try_get_raw(i)?;
            if raw.is_null() {
                values.push(Raw::Null);
                continue;
            }
            let kind = raw.type_info().name().to_string();
            let err = |e| decode_error(i, e);
            values.push(match kind.as_str() {
                "INT8" => Raw::Int(<i64 as Decode<Postgres>>::decode(raw).map_err(err)?),
                "INT4" => Raw::Int(<i32 as Decode<Postgres>>::decode(raw).map_err(err)?.into()),
                "INT2" => Raw::Int(<i16 as Decode<Postgres>>::decode(raw).map_err(err)?.into()),
                "BOOL" => Raw::Bool(<bool as Decode<Postgres>>::decode(raw).map_err(err)?),
                "TEXT" | "VARCHAR" | "BPCHAR" | "NAME" => {
                    Raw::Text(<String as Decode<Postgres>>::decode(raw).map_err(err)?)
                }
                "BYTEA" => Raw::Blob(<Vec<u8> as Decode<Postgres>>::decode(raw).map_err(err)?),
                other => Raw::Other(other.to_string()),
            });
        }
        Ok(Record(values))
    }
}

/// A row converted to its PostgreSQL columns' types: what is inserted and
/// what is digested. SQLite's 0/1 flags become booleans; anything else that
/// does not fit its column stops the migration (never a silent change).
type Values = Vec<Arg<'static>>;

fn convert(r: &Relation, record: Record) -> Result<Values, Error> {
    if record.0.len() != r.columns.len() {
        return Err(format!(
            "{}: {} values for {} columns",
            r.name,
            record.0.len(),
            r.columns.len()
        )
        .into());
    }
    record
        .0
        .into_iter()
        .zip(&r.columns)
        .map(|(raw, column)| {
            Ok(match (column.ty, raw) {
                (Ty::Int, Raw::Null) => Arg::Int(None),
                (Ty::Int, Raw::Int(i)) => Arg::Int(Some(i)),
                (Ty::Bool, Raw::Null) => Arg::Bool(None),
                (Ty::Bool, Raw::Int(0)) => Arg::Bool(Some(false)),
                (Ty::Bool, Raw::Int(1)) => Arg::Bool(Some(true)),
                (Ty::Bool, Raw::Bool(b)) => Arg::Bool(Some(b)),
                (Ty::Text, Raw::Null) => Arg::Text(None),
                (Ty::Text, Raw::Text(s)) => Arg::Text(Some(Cow::Owned(s))),
                (Ty::Blob, Raw::Null) => Arg::Blob(None),
                (Ty::Blob, Raw::Blob(b)) => Arg::Blob(Some(Cow::Owned(b))),
                (ty, raw) => {
                    let wanted = match ty {
                        Ty::Int => "an integer",
                        Ty::Bool => "0 or 1 (a boolean)",
                        Ty::Text => "text",
                        Ty::Blob => "a blob",
                    };
                    let got = match raw {
                        Raw::Int(_) if ty == Ty::Bool => "another integer",
                        ref other => other.kind(),
                    };
                    return Err(format!(
                        "{}.{}: a row holds {got} where PostgreSQL's column wants {wanted}",
                        r.name, column.name
                    )
                    .into());
                }
            })
        })
        .collect()
}

/// A row's SHA-256 over a typed, length-prefixed encoding of its values
/// (NULL, an empty text and a 0 all differ).
fn row_hash(row: &[Arg]) -> [u8; 32] {
    let mut h = Sha256::new();
    for value in row {
        match value {
            Arg::Int(None) | Arg::Bool(None) | Arg::Text(None) | Arg::Blob(None) => h.update(b"N"),
            Arg::Int(Some(i)) => {
                h.update(b"I");
                h.update(i.to_be_bytes());
            }
            Arg::Bool(Some(b)) => h.update(if *b { b"T" } else { b"F" }),
            Arg::Text(Some(s)) => {
                h.update(b"S");
                h.update((s.len() as u64).to_be_bytes());
                h.update(s.as_bytes());
            }
            Arg::Blob(Some(b)) => {
                h.update(b"B");
                h.update((b.len() as u64).to_be_bytes());
                h.update(b);
            }
        }
    }
    h.finalize().into()
}

/// The rows of one side of one relation.
#[derive(Default)]
struct RowSet {
    rows: Vec<[u8; 32]>,
}

impl RowSet {
    fn add(&mut self, row: &[Arg]) {
        self.rows.push(row_hash(row));
    }

    /// The same for the same rows in any order.
    fn finish(mut self) -> [u8; 32] {
        self.rows.sort_unstable();
        let mut h = Sha256::new();
        for r in &self.rows {
            h.update(r);
        }
        h.finalize().into()
    }
}

fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// Where a read of a relation goes on from.
enum Cursor {
    /// The first page (`None`), or the page after this key.
    After(Option<Values>),
    /// Every row at once (views, which have no key).
    All,
}

/// The statement reading `r`'s next page: the same text on both backends
/// (row values compare lexicographically on both, each by its own order).
fn select(r: &Relation, cursor: &Cursor, limit: usize) -> Q<'static> {
    let columns: Vec<String> = r.columns.iter().map(|c| ident(&c.name)).collect();
    let mut sql = format!("SELECT {} FROM {}", columns.join(", "), ident(&r.name));
    let Cursor::After(after) = cursor else {
        return q(sql);
    };
    let key: Vec<&str> = r.key.iter().map(|&i| columns[i].as_str()).collect();
    let key = key.join(", ");
    let mut args = Vec::new();
    if let Some(values) = after {
        let marks: Vec<String> = (1..=r.key.len()).map(|i| format!("${i}")).collect();
        let _ = write!(sql, " WHERE ({key}) > ({})", marks.join(", "));
        args.extend(values.iter().cloned());
    }
    let _ = write!(sql, " ORDER BY {key} LIMIT {limit}");
    q(sql).args(args)
}

async fn page(
    conn: Conn<'_>,
    r: &Relation,
    cursor: &Cursor,
    limit: usize,
) -> Result<Vec<Values>, Error> {
    let records: Vec<Record> = select(r, cursor, limit).fetch_all(conn).await?;
    records.into_iter().map(|rec| convert(r, rec)).collect()
}

fn key_of(r: &Relation, row: &Values) -> Values {
    r.key.iter().map(|&i| row[i].clone()).collect()
}

/// Every row of `r` on one side: its count (as read) and digest.
async fn digest(mut conn: Conn<'_>, r: &Relation) -> Result<(u64, [u8; 32]), Error> {
    let mut d = RowSet::default();
    if r.key.is_empty() {
        for row in page(conn.re(), r, &Cursor::All, 0).await? {
            d.add(&row);
        }
    } else {
        let mut cursor = Cursor::After(None);
        loop {
            let rows = page(conn.re(), r, &cursor, PAGE).await?;
            for row in &rows {
                d.add(row);
            }
            match rows.last() {
                Some(last) if rows.len() == PAGE => cursor = Cursor::After(Some(key_of(r, last))),
                _ => break,
            }
        }
    }
    Ok((d.rows.len() as u64, d.finish()))
}

/// Inserts `rows` into `r` in one statement.
async fn insert(conn: Conn<'_>, r: &Relation, rows: Vec<Values>) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    let n = r.columns.len();
    let columns: Vec<String> = r.columns.iter().map(|c| ident(&c.name)).collect();
    let mut sql = format!(
        "INSERT INTO {} ({}) VALUES ",
        ident(&r.name),
        columns.join(", ")
    );
    for i in 0..rows.len() {
        sql.push_str(if i == 0 { "(" } else { ", (" });
        for j in 0..n {
            let _ = write!(sql, "{}${}", if j == 0 { "" } else { ", " }, i * n + j + 1);
        }
        sql.push(')');
    }
    q(sql)
        .args(rows.into_iter().flatten())
        .execute(conn)
        .await?;
    Ok(())
}

/// Both schemas, matched: the tables to copy in foreign-key order, then
/// what is only compared.
async fn schema(mut lite: Conn<'_>, mut pg: Conn<'_>) -> Result<Vec<Relation>, Error> {
    // PostgreSQL's columns and their types, tables and views alike.
    let rows: Vec<(String, String, String)> = q(
        "SELECT CAST(table_name AS text), CAST(column_name AS text), CAST(data_type AS text)
         FROM information_schema.columns WHERE table_schema = current_schema()
         ORDER BY table_name, ordinal_position",
    )
    .fetch_all(pg.re())
    .await?;
    let mut pg_columns: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (table, column, data_type) in rows {
        pg_columns
            .entry(table)
            .or_default()
            .push((column, data_type));
    }
    let names: Vec<(String, String)> = q("SELECT type, name FROM sqlite_master
         WHERE type IN ('table', 'view') AND substr(name, 1, 7) <> 'sqlite_'
           AND name <> '_sqlx_migrations'
         ORDER BY name")
    .fetch_all(lite.re())
    .await?;
    let autoincrement: Vec<(String,)> =
        q("SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE '%AUTOINCREMENT%'")
            .fetch_all(lite.re())
            .await?;
    let autoincrement: BTreeSet<String> = autoincrement.into_iter().map(|(n,)| n).collect();
    let mut relations = Vec::new();
    for (ty, name) in names {
        let kind = match ty.as_str() {
            "view" if VIEWS.contains(&name.as_str()) => Kind::View,
            // Other views (`utc`: the time now) hold no data.
            "view" => continue,
            _ if name == TRIGGER_FILLED => Kind::Trigger,
            _ => Kind::Copied,
        };
        let Some(columns) = pg_columns.remove(&name) else {
            return Err(format!(
                "PostgreSQL has no {ty} {name}: is the target's schema older than this sipauth?"
            )
            .into());
        };
        let columns = columns
            .into_iter()
            .map(|(column, data_type)| match Ty::of(&data_type) {
                Some(ty) => Ok(Column { name: column, ty }),
                None => Err(format!(
                    "PostgreSQL's {name}.{column} is {data_type}, which migrate does not know"
                )),
            })
            .collect::<Result<Vec<_>, _>>()?;
        let info: Vec<(String, i64)> = q("SELECT name, pk FROM pragma_table_info($1) ORDER BY cid")
            .arg(&name)
            .fetch_all(lite.re())
            .await?;
        let lite_names: BTreeSet<&str> = info.iter().map(|(n, _)| n.as_str()).collect();
        for c in &columns {
            // accounts, operators and api_keys: SQLite's rowid is a real
            // column on PostgreSQL.
            let rowid = c.name == "rowid" && kind == Kind::Copied;
            if !rowid && !lite_names.contains(c.name.as_str()) {
                return Err(format!(
                    "PostgreSQL's {name} has a column {} that SQLite's has not",
                    c.name
                )
                .into());
            }
        }
        for n in &lite_names {
            if !columns.iter().any(|c| c.name == *n) {
                return Err(
                    format!("SQLite's {name} has a column {n} that PostgreSQL's has not").into(),
                );
            }
        }
        let mut pk: Vec<(i64, &str)> = info
            .iter()
            .filter(|(_, k)| *k > 0)
            .map(|(n, k)| (*k, n.as_str()))
            .collect();
        pk.sort();
        let key = match kind {
            Kind::View => Vec::new(),
            _ if pk.is_empty() => return Err(format!("SQLite's {name} has no primary key").into()),
            _ => pk
                .iter()
                .map(|(_, n)| {
                    columns
                        .iter()
                        .position(|c| c.name == *n)
                        .expect("checked above")
                })
                .collect(),
        };
        let refers: Vec<(String,)> =
            q("SELECT DISTINCT \"table\" FROM pragma_foreign_key_list($1)")
                .arg(&name)
                .fetch_all(lite.re())
                .await?;
        let refers = refers
            .into_iter()
            .map(|(t,)| t)
            .filter(|t| *t != name)
            .collect();
        let autoincrement = match (autoincrement.contains(&name), pk.as_slice()) {
            (true, [(_, column)]) => Some(column.to_string()),
            _ => None,
        };
        relations.push(Relation {
            name,
            columns,
            key,
            refers,
            autoincrement,
            kind,
        });
    }
    for view in VIEWS {
        if !relations.iter().any(|r| r.name == view) {
            return Err(format!("SQLite has no view {view}").into());
        }
    }
    // Foreign-key order: a table after every table it refers to.
    let (mut rest, derived): (Vec<Relation>, Vec<Relation>) =
        relations.into_iter().partition(|r| r.kind == Kind::Copied);
    let mut ordered: Vec<Relation> = Vec::new();
    while !rest.is_empty() {
        let ready = rest
            .iter()
            .position(|r| {
                r.refers
                    .iter()
                    .all(|t| ordered.iter().any(|o| &o.name == t))
            })
            .ok_or_else(|| {
                let left: Vec<&str> = rest.iter().map(|r| r.name.as_str()).collect();
                format!("no foreign-key order for {}", left.join(", "))
            })?;
        ordered.push(rest.remove(ready));
    }
    ordered.extend(derived);
    Ok(ordered)
}

/// Copies the SQLite store `from` into the PostgreSQL store `to`, which must
/// hold no account, operator or audit record; writes the comparison to
/// `out`. Nothing lands unless every row arrived.
pub async fn run(from: &Db, to: &Db, out: &mut dyn Write) -> Result<Summary, Error> {
    let started = Instant::now();
    let (tx, tables, rows) = copy(from, to, out)
        .await
        .map_err(|e| -> Error { format!("{e}. Nothing was written to PostgreSQL.").into() })?;
    tx.commit()
        .await
        .map_err(|e| format!("PostgreSQL's COMMIT of the copy failed: {e}"))?;
    Ok(Summary {
        tables,
        rows,
        elapsed: started.elapsed(),
    })
}

/// Everything but the COMMIT: the open transaction, tables and rows copied.
async fn copy(from: &Db, to: &Db, out: &mut dyn Write) -> Result<(Tx, usize, u64), Error> {
    let (Pool::Lite(lite), Pool::Pg(_)) = (&from.read, &to.write) else {
        return Err("migrate copies a SQLite store into PostgreSQL".into());
    };
    // One snapshot of the source for the copy and the comparison (a read
    // transaction, rolled back when dropped).
    let mut source = lite.begin().await?;
    let mut tx = to.transaction(None).await?;
    // A server starting on the target now waits for the COMMIT (or the
    // ROLLBACK), then finds the accounts (or makes its demo one).
    q("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
        .arg("sipauth:first-run")
        .execute(tx.conn())
        .await?;
    let (accounts, operators, audit): (i64, i64, i64) = q(
        "SELECT (SELECT count(*) FROM accounts), (SELECT count(*) FROM operators),
                (SELECT count(*) FROM audit_log)",
    )
    .fetch_one(tx.conn())
    .await?;
    if accounts + operators + audit > 0 {
        return Err(format!(
            "the target database already holds data ({accounts} accounts, {operators} operators, \
             {audit} audit records): migrate copies into a new, empty database only"
        )
        .into());
    }
    let relations = schema(source.re(), tx.conn()).await?;
    let copied: Vec<&Relation> = relations
        .iter()
        .filter(|r| r.kind == Kind::Copied)
        .collect();

    // The rows the target's migrations seeded (version, sip_settings,
    // kamailio_changes) give way to the source's.
    for r in copied.iter().rev() {
        q(format!("DELETE FROM {}", ident(&r.name)))
            .execute(tx.conn())
            .await?;
    }

    let mut digests: BTreeMap<&str, (u64, [u8; 32])> = BTreeMap::new();
    let mut total = 0u64;
    for r in &copied {
        let copying = Instant::now();
        let batch = BATCH.min(65_535 / r.columns.len());
        let mut d = RowSet::default();
        let mut rows = page(source.re(), r, &Cursor::After(None), batch).await?;
        while !rows.is_empty() {
            for row in &rows {
                d.add(row);
            }
            let full = rows.len() == batch;
            let cursor = Cursor::After(rows.last().map(|last| key_of(r, last)));
            total += rows.len() as u64;
            // The next page is read while this one is inserted.
            let next = async {
                match full {
                    true => page(source.re(), r, &cursor, batch).await,
                    false => Ok(Vec::new()),
                }
            };
            let (inserted, next) = tokio::join!(insert(tx.conn(), r, rows), next);
            inserted.map_err(|e| format!("copying {}: {e}", r.name))?;
            rows = next?;
        }
        tracing::info!(table = %r.name, rows = d.rows.len(), seconds = copying.elapsed().as_secs_f64(), "copied");
        digests.insert(&r.name, (d.rows.len() as u64, d.finish()));
    }

    // The comparison, on both sides, of everything copied or derived.
    writeln!(
        out,
        "{:<24} {:>10} {:>10}  ok",
        "table", "sqlite", "postgres"
    )?;
    let mut differs = Vec::new();
    for r in &relations {
        let comparing = Instant::now();
        let count = format!("SELECT count(*) FROM {}", ident(&r.name));
        let lite_count: i64 = q(count.clone()).scalar(source.re()).await?;
        let pg_count: i64 = q(count).scalar(tx.conn()).await?;
        let lite = match digests.get(r.name.as_str()) {
            Some(d) => *d,
            None => digest(source.re(), r).await?,
        };
        let pg = digest(tx.conn(), r).await?;
        let same = lite_count == pg_count && lite.0 == lite_count as u64 && lite == pg;
        let label = match r.kind {
            Kind::Copied => r.name.clone(),
            Kind::Trigger => format!("{} (trigger)", r.name),
            Kind::View => format!("{} (view)", r.name),
        };
        let verdict = match (same, lite_count == pg_count) {
            (true, _) => "yes",
            (false, true) => "NO: the rows differ",
            (false, false) => "NO",
        };
        writeln!(
            out,
            "{label:<24} {lite_count:>10} {pg_count:>10}  {verdict}"
        )?;
        tracing::debug!(table = %r.name, seconds = comparing.elapsed().as_secs_f64(), "compared");
        if !same {
            differs.push(r.name.clone());
        }
    }
    out.flush()?;
    if !differs.is_empty() {
        tx.rollback().await?;
        return Err(format!(
            "PostgreSQL's copy differs from the SQLite store ({})",
            differs.join(", ")
        )
        .into());
    }

    // New rows get new numbers: every identity column continues after the
    // largest copied value, or after SQLite's AUTOINCREMENT counter when
    // rows at the end were deleted (their numbers are never reused). After
    // the comparison: a sequence does not roll back.
    let identities: Vec<(String, String)> =
        q("SELECT CAST(table_name AS text), CAST(column_name AS text)
         FROM information_schema.columns
         WHERE table_schema = current_schema() AND is_identity = 'YES'")
        .fetch_all(tx.conn())
        .await?;
    for r in &copied {
        for (_, column) in identities.iter().filter(|(t, _)| *t == r.name) {
            let max: Option<i64> = q(format!(
                "SELECT CAST(max({}) AS BIGINT) FROM {}",
                ident(column),
                ident(&r.name)
            ))
            .scalar(tx.conn())
            .await?;
            let counter: Option<i64> = match r.autoincrement.as_deref() == Some(column.as_str()) {
                true => {
                    q("SELECT seq FROM sqlite_sequence WHERE name = $1")
                        .arg(&r.name)
                        .scalar_optional(source.re())
                        .await?
                }
                false => None,
            };
            let last = max.unwrap_or(0).max(counter.unwrap_or(0));
            if last > 0 {
                q("SELECT setval(pg_get_serial_sequence($1, $2), $3)")
                    .arg(ident(&r.name))
                    .arg(column)
                    .arg(last)
                    .execute(tx.conn())
                    .await?;
            }
        }
    }
    Ok((tx, copied.len(), total))
}
