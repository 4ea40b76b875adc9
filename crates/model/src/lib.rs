//! Domain types and every validation rule of the SIP auth console.
//!
//! Compiled twice: natively for the server, which has the last word, and to
//! wasm for the console, which shows the same rules while the user types.
//! Once a value of one of these types exists, it is valid.

pub mod acl;
mod dialect;
mod error;
mod fields;
mod ha1;
mod ip;
pub mod sip;
pub mod strength;
mod team;

pub use dialect::{Dialect, Policy};
pub use error::FieldError;
pub use fields::{
    AclName, AnswerUrl, AppName, Description, FriendlyName, Password, Realm, Username,
};
pub use ha1::{digests, ha1, rename_needs_password, username_is_fixed, Digests};
pub use ip::IpEntry;
pub use team::{KeyName, OperatorName};

/// Account quotas: credentials, ACLs and entries from the provider's
/// documentation (seed 000); the rest ours, in line with them
/// (docs/decisions.md).
pub mod quota {
    pub const CREDENTIALS_PER_ACCOUNT: i64 = 200;
    pub const ACLS_PER_ACCOUNT: i64 = 100;
    pub const ENTRIES_PER_ACL: i64 = 50;
    pub const APPLICATIONS_PER_ACCOUNT: i64 = 100;
    pub const TRUNKS_PER_ACCOUNT: i64 = 100;
    pub const CREDENTIAL_LISTS_PER_ACCOUNT: i64 = 100;
    pub const DOMAINS_PER_ACCOUNT: i64 = 100;
}
