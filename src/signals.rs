//! Leptos's effects, memos and derived signals through boxed closures: one
//! copy of their code for each value type, not one per call site.

use leptos::prelude::*;

/// Runs `run` now and again whenever a signal it reads changes.
pub fn effect(run: impl Fn() + 'static) {
    run_effect(Box::new(run));
}

fn run_effect(run: Box<dyn Fn()>) {
    Effect::new(move |_| run());
}

/// `Memo::new`, for a memo that does not read its previous value.
pub fn memo<T>(compute: impl Fn() -> T + Send + Sync + 'static) -> Memo<T>
where
    T: PartialEq + Send + Sync + 'static,
{
    boxed_memo(Box::new(compute))
}

fn boxed_memo<T>(compute: Box<dyn Fn() -> T + Send + Sync>) -> Memo<T>
where
    T: PartialEq + Send + Sync + 'static,
{
    Memo::new(move |_| compute())
}

/// `Signal::derive`.
pub fn derive<T>(compute: impl Fn() -> T + Send + Sync + 'static) -> Signal<T>
where
    T: Send + Sync + 'static,
{
    boxed_derive(Box::new(compute))
}

fn boxed_derive<T>(compute: Box<dyn Fn() -> T + Send + Sync>) -> Signal<T>
where
    T: Send + Sync + 'static,
{
    Signal::derive(compute)
}

/// Runs `run` every `ms` milliseconds for as long as the calling owner
/// (a component, a dialog's content) lives.
pub fn every(ms: u64, run: impl Fn() + 'static) {
    every_boxed(ms, Box::new(run));
}

fn every_boxed(ms: u64, run: Box<dyn Fn()>) {
    if let Ok(handle) = set_interval_with_handle(run, std::time::Duration::from_millis(ms)) {
        on_cleanup(move || handle.clear());
    }
}
