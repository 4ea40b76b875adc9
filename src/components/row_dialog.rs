//! Which row a dialog is about, whether it is open, and how its request
//! went: the state behind every "Edit …", "Rename …" and "Delete …" button
//! of a list.

use crate::api::ApiError;
use crate::context::AppContext;
use leptos::prelude::*;
use leptos::task::spawn_local;
use std::future::Future;

pub struct RowDialog<T: Send + Sync + 'static> {
    /// The row acted on; none for a dialog that creates one.
    pub row: RwSignal<Option<T>>,
    pub open: RwSignal<bool>,
    /// Its request is under way (the button waits).
    pub pending: RwSignal<bool>,
    /// What the server refused, shown in the dialog.
    pub error: RwSignal<Option<ApiError>>,
    /// Reloads what the page shows after a change.
    refresh: Callback<()>,
}

impl<T: Send + Sync + 'static> Clone for RowDialog<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Send + Sync + 'static> Copy for RowDialog<T> {}

impl<T: Send + Sync + 'static> RowDialog<T> {
    pub fn new(refresh: Callback<()>) -> Self {
        Self {
            refresh,
            row: RwSignal::new(None),
            open: RwSignal::new(false),
            pending: RwSignal::new(false),
            error: RwSignal::new(None),
        }
    }

    /// Opens the dialog about `row` (none: to create one), without the
    /// error of an earlier try.
    pub fn show(&self, row: Option<T>) {
        self.error.set(None);
        self.row.set(row);
        self.open.set(true);
    }

    pub fn close(&self) {
        self.open.set(false);
    }

    /// The row now, without tracking it (for handlers).
    pub fn current(&self) -> Option<T>
    where
        T: Clone,
    {
        self.row.get_untracked()
    }

    /// Something about the row, followed as it changes (a title, a name).
    pub fn about<U>(&self, f: impl Fn(&T) -> U + Send + Sync + 'static) -> Signal<U>
    where
        U: Default + Send + Sync + 'static,
    {
        let row = self.row;
        Signal::derive(move || row.with(|r| r.as_ref().map(&f).unwrap_or_default()))
    }

    /// A callback that shows the dialog about `row`: for row buttons.
    pub fn opener(&self, row: Option<T>) -> Callback<()>
    where
        T: Clone,
    {
        let this = *self;
        Callback::new(move |()| this.show(row.clone()))
    }

    /// Sends the dialog's request, the dialog waiting meanwhile. On success
    /// it closes, `done` says what happened and the page refreshes; a refusal
    /// that `stays` accepts is shown in the dialog; any other failure closes
    /// it, is reported, and the page refreshes (the row may be gone).
    pub fn send<R, Fut>(
        &self,
        ctx: AppContext,
        request: Fut,
        stays: fn(&ApiError) -> bool,
        done: impl FnOnce(R) + 'static,
    ) where
        R: 'static,
        Fut: Future<Output = Result<R, ApiError>> + 'static,
    {
        let this = *self;
        this.pending.set(true);
        this.error.set(None);
        spawn_local(async move {
            let result = request.await;
            this.pending.set(false);
            match result {
                Ok(answer) => {
                    this.close();
                    done(answer);
                }
                Err(e) if stays(&e) => return this.error.set(Some(e)),
                Err(e) => {
                    this.close();
                    ctx.report(&e);
                }
            }
            this.refresh.try_run(());
        });
    }
}

/// For forms: every refusal but an ended session is the form's to show.
pub fn in_form(e: &ApiError) -> bool {
    *e != ApiError::Unauthorized
}

/// For confirmations that have nowhere to show a refusal.
pub fn nowhere(_: &ApiError) -> bool {
    false
}
