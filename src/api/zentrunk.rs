//! Zentrunk trunks: they use a credential and, optionally, an IP ACL.

use super::{Api, ApiError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
pub struct Trunk {
    pub trunk_id: String,
    pub name: String,
    pub trunk_direction: String,
    pub credential_uuid: Option<String>,
    pub ip_acl_uuid: Option<String>,
    /// Where the PBX sends an outbound trunk's calls; none for inbound
    /// trunks, which take no calls from the PBX.
    #[serde(default)]
    pub sip_uri: Option<String>,
}

/// A trunk to create, or what an edit sets.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewTrunk {
    pub name: String,
    pub trunk_direction: String,
    pub credential_uuid: String,
    /// "" for none (on an edit, "" takes the ACL away).
    pub ip_acl_uuid: String,
}

#[derive(Deserialize)]
struct CreatedTrunk {
    trunk_id: String,
}

impl Api {
    fn trunks_url(&self, rest: &str) -> String {
        self.account_url(&format!("Zentrunk/Trunk/{rest}"))
    }

    pub async fn all_trunks(&self) -> Result<Vec<Trunk>, ApiError> {
        self.all(&self.trunks_url(""), &[]).await
    }

    /// Every trunk; `first_page` gets the first page early.
    pub async fn trunks_from_first(
        &self,
        first_page: impl FnOnce(Vec<Trunk>, usize),
    ) -> Result<Vec<Trunk>, ApiError> {
        self.all_from_first(&self.trunks_url(""), &[], first_page)
            .await
    }

    pub async fn create_trunk(&self, new: &NewTrunk) -> Result<String, ApiError> {
        let created: CreatedTrunk = self.post(&self.trunks_url(""), new).await?;
        Ok(created.trunk_id)
    }

    pub async fn update_trunk(&self, id: &str, trunk: &NewTrunk) -> Result<(), ApiError> {
        self.post_empty(&self.trunks_url(&format!("{id}/")), trunk)
            .await
    }

    pub async fn delete_trunk(&self, id: &str) -> Result<(), ApiError> {
        self.delete(&self.trunks_url(&format!("{id}/"))).await
    }
}
