//! Component tests in headless Chromium: mount a form, type the way a user
//! does, and check what the user would see. Elements are found by their
//! label or their button text.

use leptos::prelude::*;
use sipauth_console::api::{ApiError, NewCredential};
use sipauth_console::components::{ChangePasswordForm, CreateCredentialForm};
use sipauth_model::Password;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlElement, HtmlInputElement};

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh container in the document for one test.
fn container() -> HtmlElement {
    let doc = document();
    let div = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&div).unwrap();
    div.unchecked_into()
}

fn all(root: &Element, selector: &str) -> Vec<Element> {
    let list = root.query_selector_all(selector).unwrap();
    (0..list.length())
        .filter_map(|i| list.item(i))
        .map(|n| n.unchecked_into())
        .collect()
}

/// The input a visible `<label>` with exactly this text names.
fn by_label(root: &Element, text: &str) -> HtmlInputElement {
    let label = all(root, "label")
        .into_iter()
        .find(|l| l.text_content().unwrap_or_default().trim() == text)
        .unwrap_or_else(|| panic!("no label {text:?}"));
    let id = label.get_attribute("for").expect("label without for");
    document()
        .get_element_by_id(&id)
        .unwrap_or_else(|| panic!("label {text:?} points at missing #{id}"))
        .unchecked_into()
}

fn button(root: &Element, text: &str) -> HtmlElement {
    all(root, "button")
        .into_iter()
        .find(|b| b.text_content().unwrap_or_default().trim() == text)
        .unwrap_or_else(|| panic!("no button {text:?}"))
        .unchecked_into()
}

/// The text of the elements an input's `aria-describedby` names.
fn description(input: &HtmlInputElement) -> String {
    input
        .get_attribute("aria-describedby")
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|id| document().get_element_by_id(id))
        .map(|e| e.text_content().unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" | ")
}

fn type_into(input: &HtmlInputElement, value: &str) {
    input.set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
    input.dispatch_event(&event).unwrap();
}

async fn settle() {
    leptos::task::tick().await;
    leptos::task::tick().await;
}

struct CreateForm {
    root: Element,
    submitted: RwSignal<Vec<NewCredential>>,
    server_error: RwSignal<Option<ApiError>>,
    _handle: leptos::mount::UnmountHandle<leptos::tachys::view::any_view::AnyViewState>,
}

fn mount_create_form() -> CreateForm {
    let parent = container();
    let submitted = RwSignal::new(Vec::new());
    let server_error = RwSignal::new(None);
    let handle = leptos::mount::mount_to(parent.clone(), move || {
        view! {
            <CreateCredentialForm
                on_submit=Callback::new(move |c| submitted.update(|v| v.push(c)))
                pending=Signal::derive(|| false)
                server_error=server_error
                on_cancel=Callback::new(|()| {})
            />
        }
        .into_any()
    });
    CreateForm {
        root: parent.into(),
        submitted,
        server_error,
        _handle: handle,
    }
}

#[wasm_bindgen_test]
async fn the_form_shows_the_username_rule_as_the_user_types() {
    let form = mount_create_form();
    let username = by_label(&form.root, "Username");
    settle().await;
    // Before typing: the rule, no error.
    assert!(description(&username).contains("3–64 characters: letters, digits"));
    assert_eq!(
        username.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );

    type_into(&username, "ab");
    settle().await;
    assert!(
        description(&username).contains("Username: it has 2 characters; 1 more needed."),
        "{}",
        description(&username)
    );
    assert_eq!(
        username.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );

    type_into(&username, "sip user");
    settle().await;
    assert!(description(&username).contains("a space is not allowed"));

    type_into(&username, "sip.user-1");
    settle().await;
    assert_eq!(
        username.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );
    assert!(!description(&username).contains("Username:"));
}

#[wasm_bindgen_test]
async fn the_strength_meter_moves_with_the_password() {
    let form = mount_create_form();
    let password = by_label(&form.root, "Password");
    let meter: web_sys::HtmlMeterElement = by_label(&form.root, "Strength").unchecked_into();
    settle().await;
    let mut scores = Vec::new();
    for attempt in [
        "password",
        "Password1234",
        "Tr7kx9Qm2vLp",
        "Tr7kx9Qm2vLpW4nzHs8dRb5c",
    ] {
        type_into(&password, attempt);
        settle().await;
        scores.push(meter.value());
    }
    assert_eq!(scores.first(), Some(&0.0));
    assert_eq!(scores.last(), Some(&4.0));
    assert!(scores.windows(2).all(|w| w[0] <= w[1]), "{scores:?}");
    assert!(description(&password).contains("Very strong"));

    type_into(&password, "password");
    settle().await;
    assert!(
        description(&password).contains("Add an uppercase letter."),
        "{}",
        description(&password)
    );
}

#[wasm_bindgen_test]
async fn the_generator_fills_a_password_that_passes_the_policy() {
    let form = mount_create_form();
    let password = by_label(&form.root, "Password");
    let mut seen = Vec::new();
    for _ in 0..5 {
        button(&form.root, "Generate password").click();
        settle().await;
        let value = password.value();
        assert_eq!(value.chars().count(), 20);
        assert!(Password::parse(&value).is_ok(), "{value}");
        assert!(!seen.contains(&value), "the generator repeated itself");
        seen.push(value);
    }
    // Shown, so the operator can read it out or copy it.
    assert_eq!(password.type_(), "text");
    assert!(!description(&password).contains("Password:"));
}

#[wasm_bindgen_test]
async fn submitting_sends_valid_input_and_refuses_invalid() {
    let form = mount_create_form();
    let username = by_label(&form.root, "Username");
    let password = by_label(&form.root, "Password");
    settle().await;

    button(&form.root, "Create credential").click();
    settle().await;
    assert!(form.submitted.get_untracked().is_empty());
    assert!(description(&username).contains("Username: it is empty."));
    assert!(description(&password).contains("Password: it is empty."));

    type_into(&username, "alice");
    type_into(&password, "Wonderland-2026x");
    settle().await;
    button(&form.root, "Create credential").click();
    settle().await;
    let sent = form.submitted.get_untracked();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].username, "alice");
    assert_eq!(sent[0].password, "Wonderland-2026x");

    // The server's answer lands beside the field it concerns; what was
    // typed stays.
    form.server_error.set(Some(ApiError::Conflict(
        "a credential with username 'alice' already exists in this account".into(),
    )));
    settle().await;
    assert!(description(&username).contains("already exists"));
    assert_eq!(username.value(), "alice");
    assert_eq!(password.value(), "Wonderland-2026x");

    // Errors about no field are announced for the form.
    form.server_error.set(Some(ApiError::BadRequest(
        "credential quota reached".into(),
    )));
    settle().await;
    let alerts: Vec<String> = all(&form.root, "[role=alert]")
        .iter()
        .map(|e| e.text_content().unwrap_or_default())
        .collect();
    assert_eq!(
        alerts,
        ["The server refused this: credential quota reached"]
    );
}

#[wasm_bindgen_test]
async fn change_password_form_checks_the_policy() {
    let parent = container();
    let sent = RwSignal::new(Vec::<String>::new());
    let _handle = leptos::mount::mount_to(parent.clone(), move || {
        view! {
            <ChangePasswordForm
                on_submit=Callback::new(move |p| sent.update(|v| v.push(p)))
                pending=Signal::derive(|| false)
                server_error=Signal::derive(|| None)
                on_cancel=Callback::new(|()| {})
            />
        }
    });
    let root: Element = parent.into();
    let password = by_label(&root, "New password");
    type_into(&password, "alllowercase123");
    settle().await;
    assert!(description(&password).contains("it is missing an uppercase letter"));
    button(&root, "Save new password").click();
    settle().await;
    assert!(sent.get_untracked().is_empty());
    type_into(&password, "Alllowercase123");
    settle().await;
    button(&root, "Save new password").click();
    settle().await;
    assert_eq!(sent.get_untracked(), ["Alllowercase123"]);
}
