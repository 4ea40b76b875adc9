//! First start on an empty data directory: a demo account and operator,
//! printed once and saved to `first-run.json` (mode 0600) for scripts.

use crate::db::Db;
use crate::secrets;
use crate::store::{accounts, operators};
use serde::Serialize;
use std::path::Path;

pub const FILE: &str = "first-run.json";
pub const DEMO_OPERATOR: &str = "admin";

#[derive(Debug, Serialize)]
pub struct FirstRun {
    pub operator: SignIn,
    pub account: ApiKey,
}

#[derive(Debug, Serialize)]
pub struct SignIn {
    pub username: String,
    pub password: String,
}

#[derive(Debug, Serialize)]
pub struct ApiKey {
    pub auth_id: String,
    pub auth_token: String,
}

/// Creates the demo account and operator when the store has neither.
pub async fn bootstrap(
    db: &Db,
    data_dir: &Path,
    sip_domain: &str,
) -> Result<Option<FirstRun>, Box<dyn std::error::Error>> {
    // Servers starting together on one new PostgreSQL database: one makes
    // the demo, the others find it made.
    let _only_us = db.exclusive("sipauth:first-run").await?;
    if accounts::count(db).await? > 0 || operators::count(db).await? > 0 {
        return Ok(None);
    }
    let auth_id = secrets::new_auth_id();
    let auth_token = secrets::new_token();
    accounts::create(db, &auth_id, &auth_token, sip_domain).await?;
    let password = sipauth_model::strength::generate(secrets::fill_random)
        .expose()
        .to_string();
    let hash = {
        let password = password.clone();
        tokio::task::spawn_blocking(move || secrets::hash_password(&password)).await?
    };
    operators::upsert(db, DEMO_OPERATOR, &hash, false).await?;
    let first = FirstRun {
        operator: SignIn {
            username: DEMO_OPERATOR.into(),
            password,
        },
        account: ApiKey {
            auth_id,
            auth_token,
        },
    };
    write_private(&data_dir.join(FILE), &serde_json::to_vec_pretty(&first)?)?;
    Ok(Some(first))
}

/// Writes a file only its owner can read.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(bytes)
}
