//! The usual [`DialogAction`]: a request that changes what the page shows,
//! answered with the toast that says so.

use crate::api::{Api, ApiError};
use crate::context::AppContext;
use crate::dialog_action::{DialogAction, Done, Keep};
use futures::future::LocalBoxFuture;
use leptos::prelude::*;
use std::future::Future;

/// `request` gets the API client, the row and what was submitted, and
/// answers the toast; the page refreshes after it.
pub fn changes<I, T, F, Fut>(
    ctx: AppContext,
    keep: Keep,
    refresh: Callback<()>,
    request: F,
) -> DialogAction<I, T>
where
    I: Clone + Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
    F: Fn(Api, T, I) -> Fut + 'static,
    Fut: Future<Output = Result<String, ApiError>> + 'static,
{
    // Run when the request settles, perhaps after its page was left:
    // `try_run`, since running a disposed callback panics.
    let refresh = move || {
        refresh.try_run(());
    };
    DialogAction::new(ctx, keep, refresh, move |row, input| {
        changed(Box::pin(request(ctx.api(), row, input)))
    })
}

/// The toast of a change, once it is made; one copy for every request.
async fn changed(
    answer: LocalBoxFuture<'static, Result<String, ApiError>>,
) -> Result<Done, ApiError> {
    answer.await.map(Done::changed)
}

/// A delete from a row's dialog: only a conflict (still in use) stays in
/// the dialog, which then names the users afresh.
pub fn deletes<T, F, Fut>(ctx: AppContext, refresh: Callback<()>, request: F) -> DialogAction<(), T>
where
    T: Clone + Send + Sync + 'static,
    F: Fn(Api, T) -> Fut + 'static,
    Fut: Future<Output = Result<String, ApiError>> + 'static,
{
    changes(ctx, Keep::Conflict, refresh, move |api, row, ()| {
        request(api, row)
    })
}
