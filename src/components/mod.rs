//! Widgets shared by pages.

pub mod account_switcher;
pub mod audit;
pub mod cards;
pub mod copy_value;
pub mod credential_form;
pub mod delete_dialog;
pub mod dialog;
pub mod entry_form;
pub mod export_buttons;
pub mod form_end;
pub mod form_error;
pub mod import_form;
pub mod last_seen;
pub mod list_table;
pub mod load;
pub mod name_form;
pub mod password_field;
pub mod picker;
pub mod registrations;
pub mod request;
pub mod sip_address;
pub mod sip_server;
pub mod stamp;
pub mod text_field;
pub mod toast;

pub use account_switcher::AccountSwitcher;
pub use audit::{diff_rows, AuditTable, DiffRow, History, RecordDetails};
pub use cards::{keep_cells_labelled, label_cells};
pub use copy_value::CopyValue;
pub use credential_form::{ChangePasswordForm, CreateCredentialForm};
pub use delete_dialog::{
    unassign_and_delete, ConfirmButtons, ConfirmDelete, DeleteDialog, DeleteRowDialog, Resource,
};
pub use dialog::Dialog;
pub use entry_form::{entry_label, entry_name, finding_text, EntryForm};
pub use export_buttons::ExportButtons;
pub use form_end::{EditDialog, FormCheck, FormEnd};
pub use form_error::{server_message, FormError};
pub use import_form::{AddEntry, ImportForm};
pub use last_seen::{duration_words, security_for, source_with_port, staleness, LastSeenCell};
pub use list_table::{
    names_or_dash, opens, Column, FilteredList, ListTable, PageHead, RowActions, RowButtons,
};
pub use load::{load, load_beside, load_beside_into, LoadFailed, Loaded, Loading};
pub use name_form::{NameDialog, NameForm};
pub use password_field::{PasswordField, SavePasswordDialog};
pub use picker::{
    acl_choices, credential_choices, narrowed, Picker, PickerSearch, Picks, Refs, SEARCH_FROM,
};
pub use registrations::{
    RegistrationsDialog, RegistrationsOf, RegistrationsTable, RegistrationsView,
};
pub use request::{changes, deletes};
pub use sip_address::{copy_secret, copy_text, AdmitsLine, SipAddress};
pub use sip_server::{sip_server_message, SipServerLine, SipServerNotice};
pub use stamp::{local_time, Stamp, When};
pub use text_field::TextField;
pub use toast::{Toast, ToastKind, ToastRegion, Toasts};
