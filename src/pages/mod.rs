//! One page per file.

mod acl_detail;
pub(crate) mod acls;
mod activity;
mod applications;
mod credential_lists;
mod credentials;
pub mod domains;
mod not_found;
mod sign_in;
mod trunks;

pub use acl_detail::AclDetailPage;
pub use acls::AclsPage;
pub use activity::ActivityPage;
pub use applications::ApplicationsPage;
pub use credential_lists::CredentialListsPage;
pub use credentials::CredentialsPage;
pub use domains::DomainsPage;
pub use not_found::NotFoundPage;
pub use sign_in::{return_target, sign_in_path, SignInPage};
pub use trunks::TrunksPage;
