//! One page per file.

pub mod acl_detail;
mod acls;
mod applications;
mod credentials;
mod not_found;
mod sign_in;

pub use acl_detail::AclDetailPage;
pub use acls::AclsPage;
pub use applications::ApplicationsPage;
pub use credentials::CredentialsPage;
pub use not_found::NotFoundPage;
pub use sign_in::SignInPage;
