//! The SIP auth console: a Leptos CSR app compiled to wasm.
//!
//! Only `api` knows HTTP and JSON; validation rules come from
//! `sipauth-model`, the same code the server runs.

pub mod admits;
pub mod api;
pub mod app;
pub mod chunks;
pub mod components;
pub mod context;
pub mod dialog_action;
pub mod list;
pub mod pages;
pub mod profile;
pub mod signals;
pub mod usage;

/// Mounts the console on `<body>`.
pub fn start() {
    // A panic in the wasm is otherwise only `RuntimeError: unreachable`:
    // say what and where in the browser's console (the hook runs before
    // the release build's abort). No crate: these lines are all it takes.
    std::panic::set_hook(Box::new(|info| {
        leptos::logging::error!("sipauth console: {info}");
    }));
    leptos::mount::mount_to_body(app::App);
}
