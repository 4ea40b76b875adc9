//! Queries over the store. Only this module writes SQL.

pub mod accounts;
pub mod credentials;
pub mod operators;

/// True when `e` is a UNIQUE constraint violation.
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}
