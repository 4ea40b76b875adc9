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

/// Short messages after an action; errors stay until dismissed.
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
        self.items.update(|v| v.push(Toast { id, kind, text }));
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
