//! One page per file.

mod acl_detail;
pub(crate) mod acls;
mod activity;
mod api_keys;
mod applications;
mod credential_lists;
mod credentials;
pub mod domains;
mod not_found;
pub mod operators;
pub mod security;
mod sign_in;
mod trunks;

pub use acl_detail::AclDetailPage;
pub use acls::AclsPage;
pub use activity::ActivityPage;
pub use api_keys::ApiKeysPage;
pub use applications::ApplicationsPage;
pub use credential_lists::CredentialListsPage;
pub use credentials::CredentialsPage;
pub use domains::DomainsPage;
pub use not_found::NotFoundPage;
pub use operators::OperatorsPage;
pub use security::SecurityPage;
pub use sign_in::{return_target, sign_in_path, SignInPage};
pub use trunks::TrunksPage;
