use super::list_table::{draw_rows, ListRow, RowsView};
use leptos::prelude::*;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToastKind {
    Success,
    /// Something happening (a retry); goes away by itself.
    Notice,
    Error,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Toast {
    pub id: u32,
    pub kind: ToastKind,
    pub text: String,
}

/// At most this many toasts at once: on a phone more would cover the page.
pub const MAX_TOASTS: usize = 3;

/// Short messages after an action; success and notices leave by themselves,
/// errors stay until dismissed. A fourth toast pushes out the oldest
/// success or notice (the oldest error only when all are errors).
#[derive(Debug, Clone, Copy)]
pub struct Toasts {
    items: RwSignal<Vec<Toast>>,
    next: StoredValue<u32>,
}

impl Default for Toasts {
    fn default() -> Self {
        Self::new()
    }
}

impl Toasts {
    pub fn new() -> Self {
        Self {
            items: RwSignal::new(Vec::new()),
            next: StoredValue::new(0),
        }
    }

    pub fn success(&self, text: impl Into<String>) {
        self.transient(ToastKind::Success, text.into());
    }

    pub fn notice(&self, text: impl Into<String>) {
        self.transient(ToastKind::Notice, text.into());
    }

    fn transient(&self, kind: ToastKind, text: String) {
        let id = self.push(kind, text);
        let items = self.items;
        set_timeout(
            move || items.update(|v| v.retain(|t| t.id != id)),
            Duration::from_secs(6),
        );
    }

    pub fn error(&self, text: impl Into<String>) {
        self.push(ToastKind::Error, text.into());
    }

    fn push(&self, kind: ToastKind, text: String) -> u32 {
        let id = self.next.get_value();
        self.next.set_value(id + 1);
        self.items.update(|v| {
            // The same words again (a repeated click) replace the old toast.
            v.retain(|t| !(t.kind == kind && t.text == text));
            v.push(Toast { id, kind, text });
            while v.len() > MAX_TOASTS {
                let oldest = v
                    .iter()
                    .position(|t| t.kind != ToastKind::Error)
                    .unwrap_or(0);
                v.remove(oldest);
            }
        });
        id
    }

    pub fn dismiss(&self, id: u32) {
        self.items.update(|v| v.retain(|t| t.id != id));
    }

    pub fn items(&self) -> Vec<Toast> {
        self.items.get()
    }
}

/// The live region where toasts appear and are announced.
#[component]
pub fn ToastRegion(toasts: Toasts) -> impl IntoView {
    let rows: RowsView = Arc::new(move || {
        toasts
            .items()
            .into_iter()
            .map(|toast| ListRow::new(toast.id.into(), move || toast_view(toasts, toast)))
            .collect()
    });
    view! {
        <div class="toasts" aria-live="polite">{draw_rows(&rows)}</div>
    }
}

fn toast_view(toasts: Toasts, toast: Toast) -> AnyView {
    view! {
        <div
            class=move || match toast.kind {
                ToastKind::Success => "toast success",
                ToastKind::Notice => "toast notice",
                ToastKind::Error => "toast error",
            }
            role=if toast.kind == ToastKind::Error { "alert" } else { "status" }
        >
            <span>{toast.text.clone()}</span>
            <button type="button" class="link" on:click=move |_| toasts.dismiss(toast.id)>
                "Dismiss"
            </button>
        </div>
    }
    .into_any()
}
