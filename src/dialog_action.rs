//! One shape for every request a dialog makes: the dialog opens (about a
//! row, or about nothing for "Create …"), its button waits while the
//! request is under way, a refusal stays in the dialog beside its field,
//! success closes it with a toast and refreshes what the page shows.
//! Built on a Leptos [`Action`], whose `pending()` is the waiting state.
//!
//! A page uses it like this:
//!
//! ```text
//! let rename = DialogAction::new(ctx, Keep::Invalid, refresh, move |c: Credential, name: String| {
//!     let api = ctx.api();
//!     async move {
//!         api.set_label(&c.credential_uuid, &name).await?;
//!         Ok(Done::changed(format!("Renamed {} to {name}.", c.username)))
//!     }
//! });
//! view! {
//!     <button on:click=move |_| rename.show_for(credential.clone())>"Rename"</button>
//!     <Dialog id="rename" open=rename.open title=rename.about(|c| format!("Rename {}", c.username))>
//!         <NameForm
//!             on_submit=rename.submit()
//!             pending=rename.pending()
//!             server_error=rename.error
//!             on_cancel=rename.cancel()
//!             /* … */
//!         />
//!     </Dialog>
//! }
//! ```
//!
//! A dialog that creates something has no row: `DialogAction<I>` (the row
//! is `()`), opened with `show()`.

use crate::api::ApiError;
use crate::context::AppContext;
use crate::signals::derive;
use leptos::prelude::*;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

/// Which failures stay in the dialog (beside their field, or above its
/// buttons); any other closes it, goes to a toast and refreshes the page,
/// since what the dialog was about may have changed meanwhile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Keep {
    /// Every refusal but an ended session: a create, where nothing on the
    /// page is stale.
    Refusals,
    /// Only a refusal of what was typed (`ApiError::Invalid`): an edit.
    Invalid,
    /// A conflict (still in use): a delete. The page is refreshed so that
    /// the dialog names what uses it now.
    Conflict,
}

impl Keep {
    fn keeps(self, error: &ApiError) -> bool {
        match self {
            Keep::Refusals => *error != ApiError::Unauthorized,
            Keep::Invalid => matches!(error, ApiError::Invalid { .. }),
            Keep::Conflict => matches!(error, ApiError::Conflict(_)),
        }
    }
}

/// What a successful request says, and whether the page shows anything
/// it changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Done {
    pub toast: String,
    pub changed: bool,
}

impl Done {
    /// The page refreshes.
    pub fn changed(toast: impl Into<String>) -> Self {
        Done {
            toast: toast.into(),
            changed: true,
        }
    }

    /// Nothing the page shows changed (a new password).
    pub fn unchanged(toast: impl Into<String>) -> Self {
        Done {
            toast: toast.into(),
            changed: false,
        }
    }
}

/// A request under way: what `run` made of the row and the input.
type Request = Pin<Box<dyn Future<Output = Result<Done, ApiError>>>>;

/// Work an action runs: a dialog's request and its settling, or a task's.
type Work = Pin<Box<dyn Future<Output = ()>>>;

/// The action's input, taken once: an `Action` lends its input to the
/// function that starts the work, which must own it.
struct Once(RefCell<Option<Work>>);

/// The untyped action every dialog and task runs on, so that one copy of
/// Leptos's action code serves them all.
fn runner() -> Action<Once, ()> {
    // Local: the API's futures hold browser handles, which are not Send.
    Action::new_unsync_local(|once: &Once| {
        let work = once.0.borrow_mut().take();
        async move {
            if let Some(work) = work {
                work.await;
            }
        }
    })
}

/// A dialog about a row `T` that submits an `I`.
pub struct DialogAction<I: 'static, T: 'static = ()> {
    /// The row the dialog is about; set when it opens.
    pub target: RwSignal<Option<T>>,
    pub open: RwSignal<bool>,
    /// The refusal the dialog shows (see [`Keep`]).
    pub error: RwSignal<Option<ApiError>>,
    /// The request for the row the dialog is open for (none while closed).
    run: StoredValue<Rc<dyn Fn(I) -> Option<Work>>, LocalStorage>,
    /// Untyped, so that one copy of Leptos's action code serves every dialog.
    action: Action<Once, ()>,
}

impl<I: 'static, T: 'static> Clone for DialogAction<I, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<I: 'static, T: 'static> Copy for DialogAction<I, T> {}

/// What settling a dialog's request touches.
#[derive(Clone)]
struct Settle {
    ctx: AppContext,
    keep: Keep,
    open: RwSignal<bool>,
    error: RwSignal<Option<ApiError>>,
    refresh: Rc<dyn Fn()>,
}

/// Runs a request and settles its dialog: closed with a toast, or open
/// with the refusal it keeps, or closed with the error in a toast.
async fn settle(s: Settle, request: Request) {
    match request.await {
        Ok(done) => {
            s.open.set(false);
            s.ctx.toasts.success(done.toast);
            if done.changed {
                (s.refresh)();
            }
        }
        Err(e) if s.keep.keeps(&e) => {
            s.error.set(Some(e));
            if s.keep == Keep::Conflict {
                (s.refresh)();
            }
        }
        Err(e) => {
            s.open.set(false);
            s.ctx.report(&e);
            // An ended session leaves the page: nothing to refresh.
            if e != ApiError::Unauthorized {
                (s.refresh)();
            }
        }
    }
}

/// Opens a dialog about `row`, without the last refusal (generic over the
/// row only, not the dialog's input).
fn show<T: Send + Sync + 'static>(
    target: RwSignal<Option<T>>,
    open: RwSignal<bool>,
    error: RwSignal<Option<ApiError>>,
    row: T,
) {
    error.set(None);
    target.set(Some(row));
    open.set(true);
}

/// A row button's callback: [`show`] about `row`.
fn opening<T: Clone + Send + Sync + 'static>(
    target: RwSignal<Option<T>>,
    open: RwSignal<bool>,
    error: RwSignal<Option<ApiError>>,
    row: T,
) -> Callback<()> {
    Callback::new(move |()| show(target, open, error, row.clone()))
}

/// A form's `on_submit`: runs the request for the row the dialog is open
/// for (generic over the input only, not the row).
fn submits<I: 'static>(
    run: StoredValue<Rc<dyn Fn(I) -> Option<Work>>, LocalStorage>,
    error: RwSignal<Option<ApiError>>,
    action: Action<Once, ()>,
) -> Callback<I> {
    Callback::new(move |input: I| {
        if let Some(work) = run.with_value(|run| run(input)) {
            error.set(None);
            send(action, work);
        }
    })
}

/// Starts `work` on `action`. Apart, so that one copy serves every dialog
/// and task.
#[inline(never)]
fn send(action: Action<Once, ()>, work: Work) {
    action.dispatch_local(Once(RefCell::new(Some(work))));
}

/// Work a button or form starts outside a dialog (sign-out, a
/// switch), on the same untyped action as the dialogs.
pub struct Task<I: 'static> {
    run: StoredValue<Rc<dyn Fn(I) -> Work>, LocalStorage>,
    action: Action<Once, ()>,
}

impl<I: 'static> Clone for Task<I> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<I: 'static> Copy for Task<I> {}

impl<I: 'static> Task<I> {
    pub fn new<Fut: Future<Output = ()> + 'static>(run: impl Fn(I) -> Fut + 'static) -> Self {
        let run: Rc<dyn Fn(I) -> Work> = Rc::new(move |input| Box::pin(run(input)));
        Task {
            run: StoredValue::new_local(run),
            action: runner(),
        }
    }

    pub fn dispatch(&self, input: I) {
        send(self.action, self.run.with_value(|run| run(input)));
    }

    /// True while the work is under way.
    pub fn pending(&self) -> Signal<bool> {
        self.action.pending().into()
    }
}

impl<I, T> DialogAction<I, T>
where
    I: 'static,
    T: Clone + Send + Sync + 'static,
{
    /// `run` makes the request for the row and what was submitted.
    pub fn new<F, Fut>(ctx: AppContext, keep: Keep, refresh: impl Fn() + 'static, run: F) -> Self
    where
        F: Fn(T, I) -> Fut + 'static,
        Fut: Future<Output = Result<Done, ApiError>> + 'static,
    {
        let open = RwSignal::new(false);
        let error = RwSignal::new(None);
        let target = RwSignal::new(None);
        let settling = Settle {
            ctx,
            keep,
            open,
            error,
            refresh: Rc::new(refresh),
        };
        let run: Rc<dyn Fn(I) -> Option<Work>> = Rc::new(move |input| {
            let row = target.get_untracked()?;
            let request: Request = Box::pin(run(row, input));
            Some(Box::pin(settle(settling.clone(), request)))
        });
        DialogAction {
            target,
            open,
            error,
            run: StoredValue::new_local(run),
            action: runner(),
        }
    }

    /// Opens the dialog about `row`, without the last refusal.
    pub fn show_for(&self, row: T) {
        show(self.target, self.open, self.error, row);
    }

    /// For a row's button: opens the dialog about `row`.
    pub fn opens(&self, row: T) -> Callback<()> {
        opening(self.target, self.open, self.error, row)
    }

    /// For the form's `on_submit`: sends what was submitted.
    pub fn submit(&self) -> Callback<I> {
        submits(self.run, self.error, self.action)
    }

    /// True while the request is under way.
    pub fn pending(&self) -> Signal<bool> {
        self.action.pending().into()
    }

    /// For the form's `on_cancel`.
    pub fn cancel(&self) -> Callback<()> {
        let open = self.open;
        Callback::new(move |()| open.set(false))
    }

    /// Words about the row, for a title or a name ("" while closed).
    pub fn about(&self, words: impl Fn(&T) -> String + Send + Sync + 'static) -> Signal<String> {
        let target = self.target;
        derive(move || target.with(|t| t.as_ref().map(&words).unwrap_or_default()))
    }
}

impl<I: 'static> DialogAction<I, ()> {
    /// Opens a dialog that is about no row ("Create …").
    pub fn show(&self) {
        self.show_for(());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_create_keeps_every_refusal_but_an_ended_session() {
        let refusals = [
            ApiError::Invalid {
                field: "username".into(),
                message: "taken".into(),
            },
            ApiError::Conflict("a credential named alice exists".into()),
            ApiError::BadRequest("quota".into()),
        ];
        for e in &refusals {
            assert!(Keep::Refusals.keeps(e), "{e:?}");
        }
        assert!(!Keep::Refusals.keeps(&ApiError::Unauthorized));
    }

    #[test]
    fn an_edit_keeps_only_what_was_typed_wrong_and_a_delete_only_a_conflict() {
        let invalid = ApiError::Invalid {
            field: "name".into(),
            message: "too long".into(),
        };
        let conflict = ApiError::Conflict("in use".into());
        assert!(Keep::Invalid.keeps(&invalid));
        assert!(!Keep::Invalid.keeps(&conflict));
        assert!(!Keep::Invalid.keeps(&ApiError::NotFound));
        assert!(Keep::Conflict.keeps(&conflict));
        assert!(!Keep::Conflict.keeps(&invalid));
        assert!(!Keep::Conflict.keeps(&ApiError::NotFound));
    }
}
