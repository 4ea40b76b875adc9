use leptos::prelude::*;
#[component]
pub fn ApiKeysPage() -> impl IntoView {
    view! { <h1>"API keys"</h1> }
}
