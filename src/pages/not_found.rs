use crate::context::AppContext;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let start = use_context::<AppContext>().map_or("/credentials", |ctx| ctx.profile().home);
    view! {
        <h1>"Page not found"</h1>
        <p>"There is nothing at this address. " <A href=start>"Go to the start page"</A> "."</p>
    }
}
