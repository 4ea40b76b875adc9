//! "Create API key" (a name and a role), then its secret, once, with how
//! an application uses it in this dialect.

use crate::api::{ApiError, CreatedApiKey, Role};
use crate::components::{copy_secret, copy_text, Dialog, FormCheck, FormEnd, TextField};
use crate::context::AppContext;
use crate::dialog_action::DialogAction;
use crate::pages::operators::RoleField;
use crate::signals::{derive, effect};
use leptos::prelude::*;
use sipauth_model::{FieldError, KeyName};

/// A key's name as sent, under the model's rule.
fn key_name(value: &str) -> Result<String, FieldError> {
    KeyName::parse(value).map(|n| n.as_str().to_string())
}

/// The roles a key may have: never admin.
const KEY_ROLES: [Role; 2] = [Role::Editor, Role::Viewer];

#[component]
pub fn CreateKeyDialog(action: DialogAction<(String, Role)>) -> impl IntoView {
    view! {
        <Dialog id="create-api-key" open=action.open title="Create API key">
            {move || {
                let server: Signal<Option<ApiError>> = action.error.into();
                let check = FormCheck::new(server);
                let name = RwSignal::new(String::new());
                let role = RwSignal::new(Role::Viewer);
                let name_error = check.typed("name", "Name", name, key_name);
                let submit = move |ev: leptos::ev::SubmitEvent| {
                    ev.prevent_default();
                    check.submitted.set(true);
                    if let Ok(n) = key_name(&name.get_untracked()) {
                        action.submit().run((n, role.get_untracked()));
                    }
                };
                view! {
                    <form class="form" on:submit=submit novalidate>
                        <TextField
                            id="api-key-name"
                            label="Name"
                            value=name
                            error=name_error
                            rule=KeyName::RULE
                            hint=Some("What uses it, e.g. \u{201c}billing sync\u{201d}.".to_string())
                        />
                        <RoleField id="api-key-role" value=role roles=&KEY_ROLES server />
                        <FormEnd server_error=server pending=action.pending() submit_label="Create API key" on_cancel=action.cancel() />
                    </form>
                }
            }}
        </Dialog>
    }
}

/// The new key's ID and secret, once, with Copy and how to use them; the
/// secret leaves memory when the dialog closes.
#[component]
pub fn SecretDialog(shown: RwSignal<Option<CreatedApiKey>>) -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    let keys = ctx.profile().keys;
    let open = RwSignal::new(false);
    effect(move || open.set(shown.with(Option::is_some)));
    effect(move || {
        if !open.get() && shown.with_untracked(Option::is_some) {
            shown.set(None);
        }
    });
    let title = derive(move || {
        shown.with(|s| {
            s.as_ref()
                .map(|k| format!("Save the secret of {} now", k.api_key.name))
                .unwrap_or_default()
        })
    });
    let id = move || shown.with(|s| s.as_ref().map(|k| k.api_key.id.clone()).unwrap_or_default());
    let secret = move || shown.with(|s| s.as_ref().map(|k| k.secret.clone()).unwrap_or_default());
    let origin = window().location().origin().unwrap_or_default();
    let path = keys
        .example_path
        .replace("{account}", &ctx.account.get_untracked());
    let example = derive(move || match keys.headers {
        true => format!(
            "curl -H 'X-Auth-ID: {}' -H 'X-Auth-Token: <secret>' {origin}{path}",
            id()
        ),
        false => format!("curl -u '{}:<secret>' {origin}{path}", id()),
    });
    let how = match keys.headers {
        true => "Send the key ID in the X-Auth-ID header and the secret in X-Auth-Token, where the account's own ID and token go:",
        false => "Use Basic auth with the key ID as the username and the secret as the password (keyid:secret), where the account's ID and token go:",
    };
    let toasts = Some(ctx.toasts);
    view! {
        <Dialog id="save-api-key" open title>
            <p>"This is the only time the secret is shown: the server keeps only its hash, so it cannot be shown again. Put it in the application's configuration or your password manager now."</p>
            <p class="field">"Key ID: " <code>{id}</code></p>
            <p class="field">"Secret: " <code class="secret">{secret}</code></p>
            <div class="actions">
                <button type="button" on:click=move |_| copy_text(ctx.toasts, id())>"Copy key ID"</button>
                <button type="button" on:click=move |_| copy_secret(toasts, secret(), "the secret")>"Copy secret"</button>
            </div>
            <h3>"How to use it"</h3>
            <p>{how}</p>
            <pre class="example"><code>{example}</code></pre>
            <div class="actions">
                <button type="button" class="primary" on:click=move |_| open.set(false)>"I have saved it"</button>
            </div>
        </Dialog>
    }
}
