//! Answers the start-up script asked for before the wasm started: it
//! fetches `config.json`, then the session (then, signed in on the
//! credentials page, its list's first page), while the wasm downloads and
//! compiles (xtask writes it; see `console.rs`), and leaves the promises on
//! `window.sipauthEarly`; after its sign-in form (sign_in.js) the session is
//! that sign-in's answer. Each is taken once; without them (the component
//! tests, `trunk serve`) the console asks itself. The script also reads
//! each answer's body as it arrives (`bodies`, keyed by the response):
//! reading a body takes a task of its own, which would let the browser draw
//! the console half-built (loading, then the shell, then the rows).

use gloo_net::http::Response;
use wasm_bindgen::{JsCast, JsValue};

/// `window.sipauthEarly`, where the start-up script ran.
fn early() -> Option<JsValue> {
    let early = js_sys::Reflect::get(&leptos::prelude::window(), &"sipauthEarly".into()).ok()?;
    (!early.is_undefined() && !early.is_null()).then_some(early)
}

/// The response `promise` resolves with, if it does.
async fn response(promise: JsValue) -> Option<Response> {
    let promise = promise.dyn_into::<js_sys::Promise>().ok()?;
    let answer = wasm_bindgen_futures::JsFuture::from(promise).await.ok()?;
    answer
        .dyn_into::<web_sys::Response>()
        .ok()
        .map(Response::from)
}

/// The answer named `name` ("config" or "session"), if the start-up script
/// asked for it and it arrived; taken, so a later request asks afresh.
pub async fn take(name: &str) -> Option<Response> {
    let early = early()?;
    let key = JsValue::from_str(name);
    let promise = js_sys::Reflect::get(&early, &key).ok()?;
    let _ = js_sys::Reflect::delete_property(early.unchecked_ref::<js_sys::Object>(), &key);
    response(promise).await
}

/// The answer to `GET url?query`, if the start-up script asked for that very URL
/// (the first page of the home list, asked for beside the session while the
/// wasm compiles; see `firstListUrl` in sign_in.js). Taken once; any other
/// URL leaves it for the request it was meant for.
pub async fn take_get(url: &str, query: &[(&str, String)]) -> Option<Response> {
    let early = early()?;
    let key = JsValue::from_str("list");
    let promise = js_sys::Reflect::get(&early, &key).ok()?;
    let pending = promise.clone().dyn_into::<js_sys::Promise>().ok()?;
    // `{ url, answer }` once the session has said who is signed in; null
    // when nothing was asked.
    let asked = wasm_bindgen_futures::JsFuture::from(pending).await.ok()?;
    let asked_url = js_sys::Reflect::get(&asked, &"url".into())
        .ok()?
        .as_string()?;
    let wanted = {
        let here = leptos::prelude::window().location().href().ok()?;
        let wanted = web_sys::Url::new_with_base(url, &here).ok()?;
        let params = wanted.search_params();
        for (name, value) in query {
            params.append(name, value);
        }
        wanted.href()
    };
    // Still there (no other request for the same URL took it meanwhile)?
    let now = js_sys::Reflect::get(&early, &key).ok()?;
    if asked_url != wanted || !js_sys::Object::is(&now, &promise) {
        return None;
    }
    let _ = js_sys::Reflect::delete_property(early.unchecked_ref::<js_sys::Object>(), &key);
    response(js_sys::Reflect::get(&asked, &"answer".into()).ok()?).await
}

/// The body of `response`: the one the start-up script read ahead (a
/// settled promise: no task to wait for), else read now.
pub async fn text(response: Response) -> Result<String, gloo_net::Error> {
    let raw = web_sys::Response::from(response);
    let ahead = early()
        .and_then(|early| js_sys::Reflect::get(&early, &"bodies".into()).ok())
        .and_then(|bodies| bodies.dyn_into::<js_sys::WeakMap>().ok())
        .map(|bodies| bodies.get(raw.unchecked_ref()))
        .and_then(|read| read.dyn_into::<js_sys::Promise>().ok());
    if let Some(read) = ahead {
        if let Some(text) = wasm_bindgen_futures::JsFuture::from(read)
            .await
            .ok()
            .and_then(|t| t.as_string())
        {
            return Ok(text);
        }
    }
    Response::from(raw).text().await
}
