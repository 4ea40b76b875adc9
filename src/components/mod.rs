//! Widgets shared by pages.

pub mod credential_form;
pub mod dialog;
pub mod password_field;
pub mod toast;

pub use credential_form::{ChangePasswordForm, CreateCredentialForm};
pub use dialog::Dialog;
pub use password_field::PasswordField;
pub use toast::{Toast, ToastKind, ToastRegion, Toasts};
