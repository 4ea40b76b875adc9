//! Widgets shared by pages.

pub mod credential_form;
pub mod delete_dialog;
pub mod dialog;
pub mod entry_form;
pub mod form_error;
pub mod import_form;
pub mod name_form;
pub mod password_field;
pub mod sip_address;
pub mod sip_server;
pub mod text_field;
pub mod toast;

pub use credential_form::{ChangePasswordForm, CreateCredentialForm};
pub use delete_dialog::{unassign_and_delete, ConfirmDelete, DeleteDialog, Resource};
pub use dialog::Dialog;
pub use entry_form::EntryForm;
pub use form_error::{server_message, FormError};
pub use import_form::{AddEntry, ImportForm};
pub use name_form::NameForm;
pub use password_field::PasswordField;
pub use sip_address::{copy_text, AdmitsLine, SipAddress};
pub use sip_server::{sip_server_message, SipServerLine, SipServerNotice};
pub use text_field::TextField;
pub use toast::{Toast, ToastKind, ToastRegion, Toasts};
