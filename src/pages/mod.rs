//! One page per file.

mod credentials;
mod not_found;
mod sign_in;

pub use credentials::CredentialsPage;
pub use not_found::NotFoundPage;
pub use sign_in::SignInPage;
