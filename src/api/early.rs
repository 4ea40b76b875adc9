//! Answers the start-up script asked for before the wasm started: it
//! fetches `config.json`, then the session, while the wasm downloads and
//! compiles (xtask writes it; see `console.rs`), and leaves both promises on
//! `window.sipauthEarly`; after its sign-in form (sign_in.js) the session is
//! that sign-in's answer. Each is taken once; without them (the component
//! tests, `trunk serve`) the console asks itself.

use gloo_net::http::Response;
use wasm_bindgen::{JsCast, JsValue};

/// The answer named `name` ("config" or "session"), if the start-up script
/// asked for it and it arrived; taken, so a later request asks afresh.
pub async fn take(name: &str) -> Option<Response> {
    let early = js_sys::Reflect::get(&leptos::prelude::window(), &"sipauthEarly".into()).ok()?;
    if early.is_undefined() || early.is_null() {
        return None;
    }
    let key = JsValue::from_str(name);
    let promise = js_sys::Reflect::get(&early, &key).ok()?;
    let _ = js_sys::Reflect::delete_property(early.unchecked_ref::<js_sys::Object>(), &key);
    let promise = promise.dyn_into::<js_sys::Promise>().ok()?;
    let answer = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    answer
        .dyn_into::<web_sys::Response>()
        .ok()
        .map(Response::from)
}
