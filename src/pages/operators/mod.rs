use leptos::prelude::*;
#[component]
pub fn OperatorsPage() -> impl IntoView {
    view! { <h1>"Operators"</h1> }
}
