//! Queries over the store. Only this module writes SQL.

pub mod accounts;
pub mod acls;
pub mod applications;
pub mod credential_lists;
pub mod credentials;
pub mod domains;
pub mod operators;
pub mod trunks;

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
