//! Component tests in headless Chromium and Firefox: mount a form, type the way a user
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
    mount_create_form_for(sipauth_model::Dialect::Plivo)
}

fn mount_create_form_for(dialect: sipauth_model::Dialect) -> CreateForm {
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
                dialect
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

fn entry(id: &str, ip: &str, prefix: u8) -> sipauth_console::api::Entry {
    sipauth_console::api::Entry {
        entry_id: id.into(),
        ip: ip.into(),
        cidr_prefix: prefix,
        description: String::new(),
    }
}

fn texts(root: &Element, selector: &str) -> Vec<String> {
    all(root, selector)
        .iter()
        .map(|e| e.text_content().unwrap_or_default())
        .collect()
}

#[wasm_bindgen_test]
async fn the_entry_editor_warns_before_anything_is_sent() {
    use sipauth_console::api::NewEntry;
    use sipauth_console::components::EntryForm;
    let parent = container();
    let sent = RwSignal::new(Vec::<NewEntry>::new());
    let server_error = RwSignal::new(None::<ApiError>);
    let existing = vec![entry("e1", "10.0.0.0", 8)];
    let _handle = leptos::mount::mount_to(parent.clone(), move || {
        view! {
            <EntryForm
                existing=Signal::derive(move || existing.clone())
                on_submit=Callback::new(move |e| sent.update(|v| v.push(e)))
                pending=Signal::derive(|| false)
                server_error=server_error
                added=Signal::derive(|| 0)
            />
        }
    });
    let root: Element = parent.into();
    let address = by_label(&root, "Address or range");

    type_into(&address, "10.1.2.0/24");
    settle().await;
    assert_eq!(
        texts(&root, ".warning"),
        ["Warning: redundant: 10.0.0.0/8 already admits it."]
    );
    assert!(description(&address).contains("redundant"));

    type_into(&address, "0.0.0.0/0");
    settle().await;
    assert_eq!(
        texts(&root, ".warning"),
        [
            "Warning: allows every address.",
            "Warning: 10.0.0.0/8 becomes redundant: this entry (0.0.0.0/0) already admits it."
        ]
    );

    type_into(&address, " 2001:db8::1/129 ");
    settle().await;
    assert!(
        description(&address).contains("Address: 129 is out of range for an IPv6 address (0–128).")
    );
    assert_eq!(
        address.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );

    // Host bits: one click uses the network instead.
    type_into(&address, "203.0.113.10/24");
    settle().await;
    assert_eq!(
        texts(&root, ".warning"),
        ["Warning: host bits set; the network is 203.0.113.0/24."]
    );
    button(&root, "Use 203.0.113.0/24").click();
    settle().await;
    assert_eq!(address.value(), "203.0.113.0/24");

    type_into(&by_label(&root, "Description (optional)"), "Primary PBX");
    button(&root, "Add entry").click();
    settle().await;
    assert_eq!(
        sent.get_untracked(),
        [NewEntry {
            ip: "203.0.113.0".into(),
            cidr_prefix: 24,
            description: "Primary PBX".into()
        }]
    );
    server_error.set(Some(ApiError::Conflict(
        "this IP ACL already has an entry for the network 203.0.113.0/24".into(),
    )));
    settle().await;
    assert!(description(&address).contains("already has an entry"));
    assert_eq!(address.value(), "203.0.113.0/24");
}

#[wasm_bindgen_test]
async fn the_entry_editor_offers_the_ipv4_form_of_a_mapped_address() {
    use sipauth_console::api::NewEntry;
    use sipauth_console::components::EntryForm;
    let parent = container();
    let sent = RwSignal::new(Vec::<NewEntry>::new());
    let _handle = leptos::mount::mount_to(parent.clone(), move || {
        view! {
            <EntryForm
                existing=Signal::derive(Vec::<sipauth_console::api::Entry>::new)
                on_submit=Callback::new(move |e| sent.update(|v| v.push(e)))
                pending=Signal::derive(|| false)
                server_error=Signal::derive(|| None::<ApiError>)
                added=Signal::derive(|| 0)
            />
        }
    });
    let root: Element = parent.into();
    let address = by_label(&root, "Address or range");

    type_into(&address, "::ffff:192.0.2.1");
    settle().await;
    assert!(
        description(&address).contains("Address: ::ffff:192.0.2.1 is an IPv4 address written as IPv6; SIP traffic from it arrives as IPv4: enter 192.0.2.1."),
        "{}",
        description(&address)
    );
    assert_eq!(
        address.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    button(&root, "Add entry").click();
    settle().await;
    assert!(
        sent.get_untracked().is_empty(),
        "a refused address was sent"
    );
    button(&root, "Use 192.0.2.1/32").click();
    settle().await;
    assert_eq!(address.value(), "192.0.2.1/32");
    assert_eq!(
        address.get_attribute("aria-invalid").as_deref(),
        Some("false")
    );

    // Link-local is allowed, with a warning in words.
    type_into(&address, "fe80::1");
    settle().await;
    assert_eq!(
        texts(&root, ".warning"),
        ["Warning: link-local: only a device on the SIP server's own network segment has this address."]
    );
    type_into(&address, "::");
    settle().await;
    assert!(description(&address).contains("Address: :: is the unspecified address"));
}

#[wasm_bindgen_test]
async fn the_import_dialog_reports_each_line_and_carries_on() {
    use sipauth_console::api::NewEntry;
    use sipauth_console::components::{AddEntry, ImportForm};
    use std::sync::{Arc, Mutex};
    let parent = container();
    let calls = Arc::new(Mutex::new(Vec::<NewEntry>::new()));
    let batches = Arc::new(Mutex::new(Vec::<String>::new()));
    let done = RwSignal::new(None::<(usize, usize)>);
    let (recorder, batch_recorder) = (calls.clone(), batches.clone());
    // The server refuses 192.0.2.5; everything else is created.
    let add: AddEntry = Arc::new(move |e: NewEntry, batch: String| {
        let refuse = e.ip == "192.0.2.5";
        recorder.lock().unwrap().push(e);
        batch_recorder.lock().unwrap().push(batch);
        Box::pin(async move {
            if refuse {
                Err(ApiError::Conflict(
                    "this IP ACL already has an entry for the network 192.0.2.5/32".into(),
                ))
            } else {
                Ok(())
            }
        })
    });
    let existing = vec![entry("e1", "198.51.100.0", 24)];
    let _handle = leptos::mount::mount_to(parent.clone(), move || {
        view! {
            <ImportForm
                existing=Signal::derive(move || existing.clone())
                add=add.clone()
                on_done=Callback::new(move |r| done.set(Some(r)))
                on_close=Callback::new(|()| {})
            />
        }
    });
    let root: Element = parent.into();
    let area: HtmlInputElement = by_label(&root, "Entries, one per line");
    let paste = "192.0.2.1,Core router\n192.0.2.2\n192.0.2.3/32\n192.0.2.300\n192.0.2.5\n\
                 2001:db8::/48,v6 office\n198.51.100.0/24\n192.0.2.8\n192.0.2.9\n192.0.2.10";
    let area_el: web_sys::HtmlTextAreaElement = area.unchecked_into();
    area_el.set_value(paste);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    area_el
        .dispatch_event(&web_sys::Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
    settle().await;
    assert!(texts(&root, "p")
        .iter()
        .any(|t| t == "8 entries ready to import; 1 line with errors."));
    assert_eq!(
        texts(&root, ".line-errors li"),
        [
            "Line 4: address: \"192.0.2.300\" is not an IP address: 300 is above 255 (rule: an IPv4 address like 203.0.113.10 or an IPv6 address like 2001:db8::1)",
            "Line 7: 198.51.100.0/24 is already in this ACL",
        ]
    );
    assert!(
        calls.lock().unwrap().is_empty(),
        "nothing is sent before the user confirms"
    );

    button(&root, "Import 8 entries").click();
    for _ in 0..20 {
        settle().await;
    }
    assert_eq!(done.get_untracked(), Some((7, 1)));
    assert_eq!(
        calls.lock().unwrap().len(),
        8,
        "the import carried on past the failure"
    );
    // One audit batch for every line of the import.
    let sent = batches.lock().unwrap().clone();
    assert_eq!(sent.len(), 8);
    assert!(
        !sent[0].is_empty() && sent.iter().all(|b| *b == sent[0]),
        "{sent:?}"
    );
    let progress: web_sys::HtmlProgressElement =
        by_label(&root, "Imported 8 of 8").unchecked_into();
    assert_eq!((progress.value(), progress.max()), (8.0, 8.0));
    assert_eq!(
        texts(&root, ".outcomes li"),
        ["Line 5 (192.0.2.5/32): this IP ACL already has an entry for the network 192.0.2.5/32"]
    );
    // The outcome, not a preview calling the added lines duplicates: only
    // the line that failed is left to fix.
    assert_eq!(
        texts(&root, ".outcome"),
        ["7 entries added; 1 failed (listed below): its line is left in the box to fix and try again."]
    );
    let area_el: web_sys::HtmlTextAreaElement =
        by_label(&root, "Entries, one per line").unchecked_into();
    assert_eq!(area_el.value(), "192.0.2.5");
    assert!(!texts(&root, "p")
        .iter()
        .any(|t| t.contains("already in this ACL")));
}

#[wasm_bindgen_test]
fn config_errors_name_the_key_that_is_wrong() {
    use sipauth_console::api::Config;
    let ok = Config::parse(
        r#"{"api_base": "/api", "dialect": "plivo", "account": "MA123", "title": "Acme voice"}"#,
    )
    .unwrap();
    assert_eq!(
        (ok.api_base.as_str(), ok.account.as_str(), ok.title.as_str()),
        ("/api", "MA123", "Acme voice")
    );
    let defaults = Config::parse(r#"{"account": "MA123"}"#).unwrap();
    assert_eq!(
        (
            defaults.api_base.as_str(),
            defaults.dialect.as_str(),
            defaults.title.as_str()
        ),
        ("", "plivo", "SIP auth console")
    );
    let table = [
        ("{", "config.json is not valid JSON"),
        ("[]", "must be a JSON object"),
        (r#"{"dialect": "plivo"}"#, "\"account\" is missing"),
        (r#"{"account": ""}"#, "\"account\" is missing"),
        (r#"{"account": 7}"#, "\"account\" must be a string"),
        (
            r#"{"account": "MA1", "dialect": "sms"}"#,
            "\"dialect\" must be one of \"plivo\", \"zentrunk\", \"twilio\", \"vobiz\", not \"sms\"",
        ),
        (
            r#"{"account": "MA1", "api_base": 42}"#,
            "\"api_base\" must be a string",
        ),
        (
            r#"{"account": "MA1", "api_base": "api.example.com"}"#,
            "\"api_base\" must be \"\", a path",
        ),
    ];
    for (text, fragment) in table {
        let e = Config::parse(text).unwrap_err();
        assert!(e.contains(fragment), "{text}: {e}");
    }
}

#[wasm_bindgen_test]
fn config_sign_in_is_a_boolean() {
    use sipauth_console::api::Config;
    assert!(Config::parse(r#"{"account": "MA1"}"#).unwrap().sign_in);
    assert!(
        !Config::parse(r#"{"account": "MA1", "sign_in": false}"#)
            .unwrap()
            .sign_in
    );
    let e = Config::parse(r#"{"account": "MA1", "sign_in": "no"}"#).unwrap_err();
    assert!(e.contains("\"sign_in\" must be true or false"), "{e}");
}

/// Waits for `ms` milliseconds: later tasks (such as a dialog's `close`
/// event) run meanwhile.
async fn pause(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise).await.unwrap();
}

#[wasm_bindgen_test]
async fn a_dialog_reopened_at_once_stays_open() {
    use sipauth_console::components::Dialog;
    let parent = container();
    let open = RwSignal::new(false);
    let _handle = leptos::mount::mount_to(parent.clone(), move || {
        view! { <Dialog id="quick" open title="Quick"><p>"Inside"</p></Dialog> }
    });
    open.set(true);
    settle().await;
    let dialog: web_sys::HtmlDialogElement = parent
        .query_selector("dialog")
        .unwrap()
        .expect("a dialog")
        .unchecked_into();
    assert!(dialog.open(), "the dialog opens");
    assert!(parent.text_content().unwrap().contains("Inside"));

    // The browser closes it (as on Escape), and the user reopens it before
    // the `close` event's task has run.
    dialog.close();
    open.set(false);
    open.set(true);
    settle().await;
    pause(50).await;
    assert!(
        dialog.open(),
        "the late close event shut the reopened dialog"
    );
    assert!(open.get_untracked());
    assert!(parent.text_content().unwrap().contains("Inside"));

    // A real close still closes it and clears the signal.
    dialog.close();
    pause(50).await;
    assert!(!open.get_untracked());
}

#[wasm_bindgen_test]
async fn the_sip_server_notice_says_whether_acl_changes_are_enforced() {
    use sipauth_console::api::SipServerStatus;
    use sipauth_console::components::SipServerLine;
    let parent = container();
    let status = RwSignal::new(None::<SipServerStatus>);
    let _handle = leptos::mount::mount_to(parent.clone(), move || {
        view! { <SipServerLine status /> }
    });
    let shown = || texts(&parent, "[role=status]");
    let at = |configured, picked_up, error: Option<&str>| SipServerStatus {
        configured,
        changes: 3,
        picked_up,
        error: error.map(str::to_string),
        nodes: Vec::new(),
    };
    // No SIP server configured: nothing to say.
    status.set(Some(at(false, true, None)));
    settle().await;
    assert!(shown().is_empty(), "{:?}", shown());
    status.set(Some(at(true, false, None)));
    settle().await;
    assert_eq!(
        shown(),
        ["SIP server: Passing the latest IP ACL change to the SIP server…"]
    );
    status.set(Some(at(true, false, Some("connection refused"))));
    settle().await;
    let text = shown().join(" ");
    assert!(
        text.contains("has not picked up the latest IP ACL change yet: connection refused"),
        "{text}"
    );
    status.set(Some(at(true, true, None)));
    settle().await;
    assert_eq!(
        shown(),
        ["SIP server: The SIP server enforces every IP ACL change."]
    );
    // Two nodes, one stopped: the notice names it and why.
    use sipauth_console::api::SipNode;
    let node = |node: &str, state: &str, why: Option<&str>| SipNode {
        node: node.into(),
        state: state.into(),
        why: why.map(str::to_string),
    };
    let mut two = at(true, false, Some("unix:/run/b.sock: connection refused"));
    two.nodes = vec![
        node("unix:/run/a.sock", "enforced", None),
        node("unix:/run/b.sock", "pending", Some("connection refused")),
    ];
    status.set(Some(two.clone()));
    settle().await;
    let text = shown().join(" ");
    assert!(
        text.contains("1 of 2 SIP server nodes have not picked up the latest IP ACL change yet: unix:/run/b.sock (connection refused)."),
        "{text}"
    );
    assert!(!text.contains("a.sock"), "{text}");
    two.picked_up = true;
    two.error = None;
    two.nodes[1] = node("unix:/run/b.sock", "enforced", None);
    status.set(Some(two));
    settle().await;
    assert_eq!(
        shown(),
        ["SIP server: All 2 SIP server nodes enforce every IP ACL change."]
    );
}

#[wasm_bindgen_test]
async fn each_dialect_holds_the_form_to_its_providers_rules() {
    use sipauth_model::Dialect;
    // Vobiz: 8 characters suffice (mixed classes are advised, not required),
    // and a description goes along.
    let form = mount_create_form_for(Dialect::Vobiz);
    let password = by_label(&form.root, "Password");
    assert!(description(&password).contains("Rule: 8–128 characters."));
    type_into(&by_label(&form.root, "Username"), "frontdesk");
    type_into(&password, "lowercase");
    type_into(
        &by_label(&form.root, "Description (optional)"),
        "Lobby phone",
    );
    settle().await;
    button(&form.root, "Create credential").click();
    settle().await;
    let sent = form.submitted.get_untracked();
    assert_eq!(sent.len(), 1, "{}", description(&password));
    assert_eq!(
        (sent[0].description.as_deref(), sent[0].name.as_deref()),
        (Some("Lobby phone"), None)
    );

    // Twilio: the same password is refused, and so is a 33-character username.
    // (One form at a time: the forms' input ids are the same.)
    drop(form);
    let form = mount_create_form_for(Dialect::Twilio);
    let username = by_label(&form.root, "Username");
    type_into(&username, &"a".repeat(33));
    type_into(&by_label(&form.root, "Password"), "lowercase");
    settle().await;
    button(&form.root, "Create credential").click();
    settle().await;
    assert!(form.submitted.get_untracked().is_empty());
    assert!(
        description(&username).contains("Rule: 3–32 characters"),
        "{}",
        description(&username)
    );
    assert!(description(&username).contains("33 characters"));
    // Twilio has neither a name nor a description field.
    assert!(all(&form.root, "label")
        .iter()
        .all(|l| !l.text_content().unwrap_or_default().contains("optional")));

    // Zentrunk: an optional name goes along.
    drop(form);
    let form = mount_create_form_for(Dialect::Zentrunk);
    type_into(&by_label(&form.root, "Username"), "pbx.trunk");
    type_into(&by_label(&form.root, "Password"), "Wonderland-2026x");
    type_into(&by_label(&form.root, "Name (optional)"), "Head office");
    settle().await;
    button(&form.root, "Create credential").click();
    settle().await;
    let sent = form.submitted.get_untracked();
    assert_eq!(sent[0].name.as_deref(), Some("Head office"));
    assert_eq!(sent[0].description, None);
}

#[wasm_bindgen_test]
fn the_rule_text_says_what_each_entry_point_admits() {
    use sipauth_console::admits::{application, domain_calls, domain_registrations, trunk, Admits};
    let rule = |text: &str| Admits {
        text: text.to_string(),
        warning: false,
    };
    let warning = |text: &str| Admits {
        text: text.to_string(),
        warning: true,
    };
    let table = [
        (
            application("credential", Some("alice"), None),
            rule("Calls to this address must authenticate as alice."),
        ),
        (
            application("ip_acl", None, Some("Office")),
            rule("Calls to this address must come from an address in Office."),
        ),
        (
            application("credential_and_ip_acl", Some("alice"), Some("Office")),
            rule("Calls to this address must come from an address in Office and authenticate as alice (both)."),
        ),
        (
            // In the form, before anything is picked.
            application("credential", None, None),
            rule("Calls to this address must authenticate as the credential you pick."),
        ),
        (
            application("", Some("alice"), None),
            warning("No SIP authentication: this application accepts calls from any address."),
        ),
        (
            trunk("outbound", Some("pbx"), None, false),
            rule("Calls must authenticate as pbx."),
        ),
        (
            trunk("outbound", Some("pbx"), Some("Office"), false),
            rule("Calls must authenticate as pbx and come from an address in Office."),
        ),
        (
            trunk("outbound", None, Some("Office"), false),
            warning("Calls fail authentication: its credential was deleted."),
        ),
        (
            trunk("inbound", Some("pbx"), None, false),
            rule("Inbound: takes no calls from the PBX."),
        ),
        (
            domain_calls(&[], &[]),
            warning("Calls are refused: nothing is mapped for calls."),
        ),
        (
            domain_calls(&["Phones", "Desks"], &[]),
            rule("Calls must authenticate as a user in Phones or Desks."),
        ),
        (
            domain_calls(&[], &["Office", "Lab", "Home"]),
            rule("Calls must come from an address in Office, Lab or Home."),
        ),
        (
            domain_calls(&["Phones"], &["Office"]),
            rule("Calls must come from an address in Office and authenticate as a user in Phones (both required)."),
        ),
        (
            domain_registrations(false, &[], "acme.x"),
            rule("Registrations are off."),
        ),
        (
            domain_registrations(false, &["Phones"], "acme.x"),
            rule("Registrations are off: Phones is mapped but not used until registrations are allowed."),
        ),
        (
            domain_registrations(true, &[], "acme.x"),
            warning("Registrations are refused: no credential list is mapped for registrations."),
        ),
        (
            domain_registrations(true, &["Phones"], "acme.x"),
            rule("Devices register as a user in Phones, each only as its own address (user@acme.x)."),
        ),
    ];
    for (got, want) in table {
        assert_eq!(got, want);
    }
}

#[wasm_bindgen_test]
async fn an_open_application_is_a_note_in_words_not_only_colour() {
    use sipauth_console::admits::application;
    use sipauth_console::components::AdmitsLine;
    let parent = container();
    let kind = RwSignal::new(String::from("credential"));
    let _handle = leptos::mount::mount_to(parent.clone(), move || {
        let admits = Signal::derive(move || application(&kind.get(), Some("alice"), None));
        view! { <AdmitsLine id="admits" admits /> }
    });
    settle().await;
    assert!(texts(&parent, "[role=note]").is_empty());
    assert_eq!(
        texts(&parent, "#admits"),
        ["Calls to this address must authenticate as alice."]
    );
    kind.set(String::new());
    settle().await;
    let notes = texts(&parent, "[role=note]");
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0]
            .ends_with("No SIP authentication: this application accepts calls from any address."),
        "{notes:?}"
    );
}

#[wasm_bindgen_test]
async fn the_domain_name_is_held_under_the_accounts_realm_as_typed() {
    use sipauth_console::pages::domains::{DomainForm, NewDomain};
    let parent = container();
    let sent = RwSignal::new(Vec::<NewDomain>::new());
    let server_error = RwSignal::new(None::<ApiError>);
    let _handle = leptos::mount::mount_to(parent.clone(), move || {
        view! {
            <DomainForm
                realm=Some("mabc.sip.localhost".to_string())
                on_submit=Callback::new(move |d| sent.update(|v| v.push(d)))
                pending=Signal::derive(|| false)
                server_error
                on_cancel=Callback::new(|()| {})
            />
        }
    });
    let root: Element = parent.into();
    let name = by_label(&root, "Domain name");
    assert!(
        description(&name).contains("Ends with .mabc.sip.localhost, e.g. acme.mabc.sip.localhost"),
        "{}",
        description(&name)
    );
    assert!(description(&name).contains("(<name>.mabc.sip.localhost)"));
    type_into(&name, "acme.sip.example.com");
    settle().await;
    assert!(
        description(&name).contains("does not end with .mabc.sip.localhost"),
        "{}",
        description(&name)
    );
    button(&root, "Create domain").click();
    settle().await;
    assert!(sent.get_untracked().is_empty(), "a refused name was sent");

    type_into(&name, "acme.mabc.sip.localhost");
    by_label(&root, "Allow SIP registrations").click();
    settle().await;
    assert_eq!(name.get_attribute("aria-invalid").as_deref(), Some("false"));
    button(&root, "Create domain").click();
    settle().await;
    assert_eq!(
        sent.get_untracked(),
        [("acme.mabc.sip.localhost".to_string(), String::new(), true)]
    );

    // The server's refusal shows beside the field, like the model's.
    server_error.set(Some(ApiError::Conflict(
        "Domain name: this account already has a domain named acme.mabc.sip.localhost".into(),
    )));
    settle().await;
    assert!(description(&name).contains("already has a domain named"));
    assert!(
        !description(&name).contains("DomainName"),
        "the API's parameter name is not shown"
    );
}

#[wasm_bindgen_test]
fn config_names_the_sip_realm_when_the_server_knows_it() {
    use sipauth_console::api::Config;
    let with = Config::parse(r#"{"account": "MA1", "sip_realm": "ma1.sip.localhost"}"#).unwrap();
    assert_eq!(with.sip_realm.as_deref(), Some("ma1.sip.localhost"));
    // Proxy mode says null.
    let proxy = Config::parse(r#"{"account": "MA1", "sip_realm": null}"#).unwrap();
    assert_eq!(proxy.sip_realm, None);
    let e = Config::parse(r#"{"account": "MA1", "sip_realm": 5}"#).unwrap_err();
    assert!(e.contains("\"sip_realm\" must be a string"), "{e}");
}

/// Twelve credentials, three of them desk phones, for the picker tests.
fn credential_choices() -> Vec<(String, String)> {
    (0..12)
        .map(|i| {
            let name = if i % 4 == 0 {
                format!("desk-{i}")
            } else {
                format!("phone-{i}")
            };
            (format!("id-{i}"), name)
        })
        .collect()
}

fn option_texts(select: &Element) -> Vec<String> {
    all(select, "option")
        .into_iter()
        .map(|o| o.text_content().unwrap_or_default())
        .collect()
}

#[wasm_bindgen_test]
async fn a_long_picker_narrows_as_one_types_and_enter_picks_the_first_match() {
    use sipauth_console::components::Picker;
    let parent = container();
    let value = RwSignal::new(String::new());
    let choices = RwSignal::new(credential_choices());
    let _handle = leptos::mount::mount_to(parent.clone(), move || {
        view! {
            <form>
                <Picker id="pick-credential" label="Credential" value choices=choices none="Pick a credential" />
            </form>
        }
    });
    settle().await;
    let root: Element = parent.clone().into();
    let select: Element = by_label(&root, "Credential").unchecked_into();
    assert_eq!(
        option_texts(&select).len(),
        13,
        "every credential and the empty choice"
    );
    let search = by_label(&root, "Credential search");
    // A text field: in a search field Escape would clear it, not close the dialog.
    assert_eq!(search.type_(), "text");
    assert_eq!(
        description(&search),
        "12 to choose from; type to narrow them."
    );

    type_into(&search, "DESK");
    settle().await;
    assert_eq!(
        option_texts(&select),
        ["Pick a credential", "desk-0", "desk-4", "desk-8"]
    );
    assert_eq!(description(&search), "3 of 12 match.");

    // Enter picks the first match and moves to the select; its default
    // (submitting the form) is prevented.
    // A real key event, as the browser sends it (web-sys's init type is
    // not among this crate's features).
    let press = js_sys::Function::new_with_args(
        "el",
        "const e = new KeyboardEvent('keydown', {key: 'Enter', bubbles: true, cancelable: true}); el.dispatchEvent(e); return e.defaultPrevented;",
    );
    let prevented = press.call1(&wasm_bindgen::JsValue::NULL, &search).unwrap();
    settle().await;
    assert_eq!(value.get_untracked(), "id-0");
    assert_eq!(
        prevented.as_bool(),
        Some(true),
        "Enter in the search field does not submit"
    );
    assert_eq!(
        document().active_element().map(|e| e.id()),
        Some("pick-credential".to_string())
    );

    // Narrowing never drops the pick.
    type_into(&search, "phone-1");
    settle().await;
    assert_eq!(
        option_texts(&select),
        [
            "Pick a credential",
            "desk-0",
            "phone-1",
            "phone-10",
            "phone-11"
        ]
    );
    assert_eq!(value.get_untracked(), "id-0");
}

#[wasm_bindgen_test]
async fn a_short_picker_is_a_plain_select() {
    use sipauth_console::components::Picker;
    let parent = container();
    let value = RwSignal::new(String::new());
    let few: Vec<(String, String)> = credential_choices().into_iter().take(5).collect();
    let _handle = leptos::mount::mount_to(parent.clone(), move || {
        view! { <Picker id="pick-acl" label="IP ACL" value choices=Signal::stored(few.clone()) /> }
    });
    settle().await;
    let root: Element = parent.into();
    assert_eq!(
        all(&root, "input").len(),
        0,
        "no search field for five choices"
    );
    assert_eq!(all(&root, "option").len(), 5);
}

#[wasm_bindgen_test]
async fn a_list_left_before_its_answer_arrives_lets_the_answer_go() {
    use sipauth_console::api::Config;
    use sipauth_console::components::Toasts;
    use sipauth_console::context::AppContext;
    use sipauth_console::list::{FirstPage, Listing};
    use std::cell::RefCell;
    use std::rc::Rc;
    let ctx = AppContext::new(
        Config::parse(r#"{"account": "MA1"}"#).unwrap(),
        None,
        Toasts::new(),
    );
    // The list's answer waits until the test lets it through.
    let (answer, arrives) = futures::channel::oneshot::channel::<()>();
    let arrives = Rc::new(RefCell::new(Some(arrives)));
    let parent = container();
    let page = leptos::mount::mount_to(parent.clone(), move || {
        let arrives = arrives.clone();
        let list = Listing::load(ctx, move |_api, first: FirstPage<u32>| {
            let arrives = arrives.borrow_mut().take();
            async move {
                if let Some(arrives) = arrives {
                    let _ = arrives.await;
                }
                first(vec![1], 2);
                Ok(vec![1, 2])
            }
        });
        view! { <p>{move || list.rows.with(|r| format!("{:?}", r.as_ref().map(|r| r.as_ref().map(Vec::len))))}</p> }
    });
    settle().await;
    assert_eq!(parent.text_content().unwrap(), "None", "still loading");
    // The operator moves on; then the answer arrives for a page that is
    // gone. Reading the list's disposed values here used to panic (in the
    // release build, `RuntimeError: unreachable`), failing this test.
    // A panic in a task would not fail this test by itself: a hook notes
    // it (and still reports it as before).
    thread_local!(static PANICKED: RefCell<Option<String>> = const { RefCell::new(None) });
    let report = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICKED.with(|p| *p.borrow_mut() = Some(info.to_string()));
        report(info);
    }));
    drop(page);
    answer.send(()).unwrap();
    pause(20).await;
    assert_eq!(PANICKED.with(|p| p.borrow_mut().take()), None);
    assert_eq!(parent.text_content().unwrap_or_default(), "");
}

#[wasm_bindgen_test]
async fn a_weak_password_the_provider_accepts_is_called_easy_to_guess() {
    use sipauth_model::Dialect;
    let warned = |input: &HtmlInputElement| {
        description(input).contains("Accepted by the provider's rule, but easy to guess")
    };
    // Vobiz's rule is 8 characters: "password" passes it.
    let form = mount_create_form_for(Dialect::Vobiz);
    let password = by_label(&form.root, "Password");
    type_into(&password, "password");
    settle().await;
    assert!(warned(&password), "{}", description(&password));
    assert_eq!(all(&form.root, "[role=note]").len(), 1);
    type_into(&password, "Tr7kx9Qm2vLpW4nzHs8dRb5c");
    settle().await;
    assert!(!warned(&password));
    drop(form);
    // Plivo refuses it outright: the refusal says so, not the note.
    let form = mount_create_form_for(Dialect::Plivo);
    let password = by_label(&form.root, "Password");
    type_into(&password, "password");
    settle().await;
    assert!(!warned(&password));
}

#[wasm_bindgen_test]
async fn a_generated_password_can_be_copied_and_a_typed_one_hidden_cannot() {
    let form = mount_create_form();
    let has_copy = |root: &Element| {
        all(root, "button")
            .iter()
            .any(|b| b.text_content().unwrap_or_default().trim() == "Copy password")
    };
    type_into(&by_label(&form.root, "Password"), "Secret-Word-2026");
    settle().await;
    assert!(!has_copy(&form.root), "a hidden password offers no copy");
    button(&form.root, "Generate password").click();
    settle().await;
    assert!(has_copy(&form.root));
}

#[wasm_bindgen_test]
async fn the_save_it_now_step_shows_the_password_once_and_then_forgets_it() {
    use sipauth_console::components::SavePasswordDialog;
    let parent = container();
    let shown = RwSignal::new(None::<(String, String)>);
    let _handle = leptos::mount::mount_to(parent.clone(), move || {
        view! { <SavePasswordDialog shown /> }
    });
    settle().await;
    let dialog: web_sys::HtmlDialogElement = all(&parent, "dialog").remove(0).unchecked_into();
    assert!(!dialog.open());
    shown.set(Some(("alice".into(), "Qm2vLpW4nzHs8dRb5cTr".into())));
    settle().await;
    assert!(dialog.open());
    assert_eq!(texts(&parent, "h2"), ["Save the password of alice now"]);
    assert_eq!(texts(&parent, "code"), ["Qm2vLpW4nzHs8dRb5cTr"]);
    assert!(dialog
        .text_content()
        .unwrap_or_default()
        .contains("it cannot be shown again"));
    assert!(button(&parent, "Copy password").is_connected());
    button(&parent, "I have saved it").click();
    settle().await;
    assert!(!dialog.open());
    assert_eq!(shown.get_untracked(), None);
    assert!(!parent.inner_html().contains("Qm2vLpW4nzHs8dRb5cTr"));
}

#[wasm_bindgen_test]
async fn times_show_in_local_words_with_the_exact_instant_in_datetime() {
    use sipauth_console::components::Stamp;
    let parent = container();
    let _handle = leptos::mount::mount_to(parent.clone(), move || {
        view! {
            // Twilio's RFC 2822, unchanged since: one time.
            <div id="twilio">
                <Stamp
                    created=Some("Tue, 01 Dec 2026 20:00:00 +0000".to_string())
                    updated=Some("Tue, 01 Dec 2026 20:00:00 +0000".to_string())
                />
            </div>
            // Vobiz's ISO 8601, changed later: both.
            <div id="vobiz">
                <Stamp
                    created=Some("2026-12-01T20:00:00Z".to_string())
                    updated=Some("2026-12-02T08:30:00Z".to_string())
                />
            </div>
            <div id="garbled">
                <Stamp created=Some("yesterday-ish".to_string()) updated=None />
            </div>
        }
    });
    settle().await;
    let datetimes = |sel: &str| -> Vec<String> {
        all(&parent, &format!("{sel} time"))
            .iter()
            .map(|t| t.get_attribute("datetime").unwrap_or_default())
            .collect()
    };
    assert_eq!(datetimes("#twilio"), ["2026-12-01T20:00:00.000Z"]);
    assert_eq!(
        datetimes("#vobiz"),
        ["2026-12-01T20:00:00.000Z", "2026-12-02T08:30:00.000Z"]
    );
    let text = texts(&parent, "#vobiz .stamp").join("");
    assert!(
        text.starts_with("Created ") && text.contains(" · Updated "),
        "{text}"
    );
    assert!(texts(&parent, "#garbled .stamp").is_empty());
}

#[wasm_bindgen_test]
async fn a_delete_says_what_it_does_to_trunks_and_applications() {
    use sipauth_console::api::Application;
    use sipauth_console::components::{DeleteDialog, Resource};
    use sipauth_console::usage::Breaks;
    let parent = container();
    let resource = RwSignal::new(Resource::Acl);
    let breaks = RwSignal::new(vec!["Head office PBX".to_string()]);
    let users = RwSignal::new(Vec::<Application>::new());
    let _handle = leptos::mount::mount_to(parent.clone(), move || {
        move || {
            view! {
                <DeleteDialog
                    id="delete-test"
                    open=RwSignal::new(true)
                    resource=resource.get()
                    name=Signal::derive(|| "Office".to_string())
                    users
                    breaks
                    breaks_kind=Breaks::Trunks
                    pending=Signal::derive(|| false)
                    error=Signal::derive(|| None)
                    on_confirm=Callback::new(|()| {})
                />
            }
        }
    });
    settle().await;
    let said = || texts(&parent, "dialog p").join(" ");
    // An ACL's trunk is left open to any address, not blocked.
    assert!(
        said().contains("The trunk Head office PBX uses this IP ACL. Deleting it leaves it with no IP restriction"),
        "{}",
        said()
    );
    assert!(!said().contains("fails authentication"));
    // A credential's trunk refuses its calls.
    resource.set(Resource::Credential);
    settle().await;
    assert!(said().contains("fails authentication"), "{}", said());

    // Plivo: an application left without SIP authentication is a warning note.
    breaks.set(Vec::new());
    resource.set(Resource::Acl);
    users.set(vec![Application {
        app_id: "1".into(),
        app_name: "Support line".into(),
        answer_url: String::new(),
        sip_auth_type: "ip_acl".into(),
        credential_uuid: None,
        ip_acl_uuid: Some("acl".into()),
        sip_uri: None,
    }]);
    settle().await;
    let notes = texts(&parent, "dialog [role=note]");
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(notes[0].ends_with(
        "Support line is left without SIP authentication: it will accept calls from any address."
    ));
}

#[wasm_bindgen_test]
async fn at_most_three_toasts_show_and_errors_stay_until_dismissed() {
    use sipauth_console::components::{ToastRegion, Toasts};
    let parent = container();
    let toasts = Toasts::new();
    let _handle = leptos::mount::mount_to(parent.clone(), move || {
        view! { <ToastRegion toasts /> }.into_any()
    });
    let root: Element = parent.into();
    let shown = |root: &Element| texts(root, ".toast span");

    toasts.error("Could not delete alice.");
    toasts.success("Created bob.");
    toasts.success("Created carol.");
    toasts.success("Created dave.");
    settle().await;
    // The oldest success made room; the error, older still, stays.
    assert_eq!(
        shown(&root),
        ["Could not delete alice.", "Created carol.", "Created dave."]
    );
    assert_eq!(all(&root, "[role=alert]").len(), 1);

    // Successes leave by themselves; the error waits for its Dismiss.
    let mut waited = 0;
    while shown(&root).len() > 1 && waited < 15_000 {
        pause(250).await;
        waited += 250;
    }
    assert_eq!(shown(&root), ["Could not delete alice."]);
    button(&root, "Dismiss").click();
    settle().await;
    assert!(shown(&root).is_empty());

    // Four errors: still three on screen, the newest ones.
    for n in 1..=4 {
        toasts.error(format!("Error {n}."));
    }
    settle().await;
    assert_eq!(shown(&root), ["Error 2.", "Error 3.", "Error 4."]);
}

#[wasm_bindgen_test]
async fn list_cells_are_labelled_with_their_column_for_the_phone_cards() {
    use sipauth_console::components::{label_cells, ListTable};
    let parent = container();
    let long = "x".repeat(300);
    // (Whether a cell is cut depends on the stylesheet: the e2e checks it.)
    let _handle = leptos::mount::mount_to(parent.clone(), move || {
        view! {
            <ListTable caption="Things" columns=&[("Name", ""), ("Realm", ""), ("Notes", "")]>
                <tr>
                    <th scope="row">"alice"</th>
                    <td>{long.clone()}</td>
                    <td><ul class="notes"><li>"a note"</li></ul></td>
                    <td class="row-actions"><button type="button">"Delete"</button></td>
                </tr>
            </ListTable>
        }
        .into_any()
    });
    let root: Element = parent.into();
    settle().await;
    label_cells();
    let labels: Vec<_> = all(&root, "tbody td")
        .iter()
        .map(|td| td.get_attribute("data-label").unwrap_or_default())
        .collect();
    assert_eq!(labels, ["Realm", "Notes", "Actions"]);
    // Plain text may be cut to a line; a cell holding a list or buttons not.
    let clipped: Vec<_> = all(&root, "tbody td")
        .iter()
        .map(|td| td.has_attribute("data-clip"))
        .collect();
    assert_eq!(clipped, [true, false, false]);
}

#[wasm_bindgen_test]
async fn an_open_dialog_shows_the_toasts_the_page_behind_it_cannot() {
    use sipauth_console::api::Config;
    use sipauth_console::components::{Dialog, Toasts};
    use sipauth_console::context::AppContext;
    let parent = container();
    let open = RwSignal::new(false);
    let toasts = Toasts::new();
    let _handle = leptos::mount::mount_to(parent.clone(), move || {
        provide_context(AppContext::new(
            Config::parse(r#"{"account": "MA1"}"#).unwrap(),
            None,
            toasts,
        ));
        view! { <Dialog id="with-toasts" open title="Create credential"><p>"Form"</p></Dialog> }
    });
    open.set(true);
    settle().await;
    toasts.success("Copied the password.");
    settle().await;
    let dialog = parent.query_selector("dialog").unwrap().unwrap();
    assert_eq!(
        texts(&dialog, ".toasts [role=status] span"),
        ["Copied the password."]
    );
    open.set(false);
    settle().await;
    assert!(texts(&dialog, ".toasts").is_empty(), "gone with the dialog");
}

/// A context whose session has `role`, over config.json's account MA1.
fn signed_in_as(role: sipauth_console::api::Role) -> sipauth_console::context::AppContext {
    use sipauth_console::api::{Config, Session};
    use sipauth_console::components::Toasts;
    let session = Session {
        operator: "op".into(),
        role,
        ..Session::default()
    };
    sipauth_console::context::AppContext::new(
        Config::parse(r#"{"account": "MA1"}"#).unwrap(),
        Some(session),
        Toasts::new(),
    )
}

#[wasm_bindgen_test]
async fn a_viewer_is_drawn_no_create_button_no_row_buttons_and_no_actions_column() {
    use sipauth_console::api::Role;
    use sipauth_console::components::{ListTable, PageHead, RowActions};
    for (role, buttons, headings) in [
        (Role::Viewer, 0, 1),
        (Role::Editor, 3, 2),
        (Role::Admin, 3, 2),
    ] {
        let parent = container();
        let _page = leptos::mount::mount_to(parent.clone(), move || {
            provide_context(signed_in_as(role));
            let nothing = Callback::new(|()| {});
            view! {
                <PageHead title="IP access control lists" create="Create IP ACL" on_create=nothing />
                <ListTable caption="IP ACLs" columns=&[("Name", "")]>
                    <tr>
                        <th scope="row">"Office"</th>
                        <RowActions name="Office" edit="Rename" on_edit=nothing on_delete=nothing />
                    </tr>
                </ListTable>
            }
        });
        settle().await;
        let root: Element = parent.into();
        assert_eq!(
            all(&root, "button").len(),
            buttons,
            "{role:?}: {:?}",
            texts(&root, "button")
        );
        assert_eq!(all(&root, "thead th").len(), headings, "{role:?}");
        assert_eq!(
            all(&root, "td.row-actions").len(),
            buttons.min(1),
            "{role:?}"
        );
    }
}

#[wasm_bindgen_test]
async fn the_accounts_of_an_operator_are_all_or_those_ticked_and_none_ticked_is_said_beside_them() {
    use sipauth_console::api::{AccountRef, Role};
    use sipauth_console::pages::operators::fields::{AccountsField, Scope};
    let parent = container();
    let scope = Scope::new(None);
    let submitted = RwSignal::new(false);
    let _page = leptos::mount::mount_to(parent.clone(), move || {
        provide_context(signed_in_as(Role::Admin));
        let choices = ["MA1", "MA2"]
            .map(|id| AccountRef {
                auth_id: id.into(),
                realm: format!("{}.sip.example", id.to_lowercase()),
            })
            .to_vec();
        view! { <AccountsField id="acc" scope choices submitted server=Signal::stored(None) /> }
    });
    settle().await;
    let root: Element = parent.into();
    let all_box = by_label(&root, "All accounts, including ones added later");
    assert!(all_box.checked());
    let boxes = root.query_selector(".account-boxes").unwrap().unwrap();
    assert!(boxes.has_attribute("hidden"), "no list while all accounts");
    assert_eq!(scope.value(), None);

    let change = |input: &HtmlInputElement, on: bool| {
        input.set_checked(on);
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        let event = web_sys::Event::new_with_event_init_dict("change", &init).unwrap();
        input.dispatch_event(&event).unwrap();
    };
    change(&all_box, false);
    submitted.set(true);
    settle().await;
    assert!(!boxes.has_attribute("hidden"));
    let fieldset = root.query_selector("fieldset").unwrap().unwrap();
    let error = document()
        .get_element_by_id(&fieldset.get_attribute("aria-describedby").unwrap())
        .unwrap();
    assert_eq!(
        error.text_content().unwrap(),
        "Accounts: tick at least one, or all accounts."
    );
    change(&by_label(&root, "MA2 (ma2.sip.example)"), true);
    settle().await;
    assert_eq!(error.text_content().unwrap(), "");
    assert_eq!(scope.value(), Some(vec!["MA2".to_string()]));
}

#[wasm_bindgen_test]
async fn an_audit_record_expands_to_its_details_and_never_shows_a_password() {
    use sipauth_console::api::AuditRecord;
    use sipauth_console::components::AuditTable;
    let record = AuditRecord::parse(
        r#"{"seq":42,"at":"2026-12-01T10:00:00Z","actor":"operator:alice","role":"admin",
            "source":"192.0.2.1","user_agent":"Firefox","dialect":"plivo","account":"MA1",
            "action":"changed","resource":"credential","resource_id":"c1","name":"bob",
            "changes":{"password":{"before":"Old-Secret-1","after":"New-Secret-2"},
                       "name":{"before":"Desk","after":"Lobby"}},"batch":"b-1"}"#,
    )
    .unwrap();
    let parent = container();
    let _handle = leptos::mount::mount_to(parent.clone(), move || {
        view! { <AuditTable caption="Activity" records=vec![record.clone()] id_prefix="t" /> }
    });
    let root: Element = parent.into();
    let row = texts(&root, "tr.audit-record td");
    assert_eq!(row[..4], ["operator:alice", "changed", "Credential", "bob"]);
    let details = button(&root, "Details");
    assert_eq!(
        details.get_attribute("aria-expanded").as_deref(),
        Some("false")
    );
    assert!(all(&root, "table.diff").is_empty());
    details.click();
    settle().await;
    assert_eq!(
        details.get_attribute("aria-expanded").as_deref(),
        Some("true")
    );
    assert_eq!(
        details.get_attribute("aria-controls").as_deref(),
        Some("t-record-42")
    );
    assert_eq!(
        texts(&root, "table.diff tbody tr"),
        ["nameDeskLobby", "passwordchanged"]
    );
    let shown = root.text_content().unwrap_or_default();
    for expected in ["plivo", "Firefox", "b-1"] {
        assert!(shown.contains(expected), "{expected} in {shown}");
    }
    assert!(
        !shown.contains("Secret"),
        "a password value was shown: {shown}"
    );
    details.click();
    settle().await;
    assert!(document().get_element_by_id("t-record-42").is_none());
}

// Issue 18: what the SIP side sees.

/// 24 hours ending with the current one, `failures` at the given offsets
/// from the oldest.
fn hours(failures: &[(usize, u64)]) -> Vec<sipauth_console::api::HourCount> {
    let now = js_sys::Date::now();
    let start = (now / 3_600_000.0).floor() * 3_600_000.0 - 23.0 * 3_600_000.0;
    (0..24)
        .map(|i| {
            let at = js_sys::Date::new(&(start + i as f64 * 3_600_000.0).into());
            sipauth_console::api::HourCount {
                hour: at.to_iso_string().as_string().unwrap(),
                failures: failures
                    .iter()
                    .find(|(h, _)| *h == i)
                    .map_or(0, |(_, n)| *n),
            }
        })
        .collect()
}

/// An hour's start as the chart labels it: local time.
fn local_hour(raw: &str) -> String {
    let d = js_sys::Date::new(&raw.into());
    format!("{:02}:{:02}", d.get_hours(), d.get_minutes())
}

#[wasm_bindgen_test]
async fn the_failure_chart_draws_a_bar_per_busy_hour_and_says_it_in_words() {
    use sipauth_console::pages::security::chart::FailureChart;
    let hourly = hours(&[(3, 2), (14, 400), (23, 10)]);
    let peak = local_hour(&hourly[14].hour);
    let parent = container();
    let shown = hourly.clone();
    let _handle = leptos::mount::mount_to(parent.clone(), move || {
        view! { <FailureChart hourly=shown.clone() /> }
    });
    settle().await;
    let root: Element = parent.into();
    let svg = root.query_selector("svg[role=img]").unwrap().unwrap();
    assert_eq!(
        svg.get_attribute("aria-label").unwrap(),
        format!("412 failed authentications in the last 24 hours, most at {peak}")
    );
    let bars = all(&root, "svg rect.bar");
    assert_eq!(bars.len(), 3, "one bar per hour with failures");
    let height = |i: usize| {
        bars[i]
            .get_attribute("height")
            .unwrap()
            .parse::<f64>()
            .unwrap()
    };
    assert!(
        height(1) > height(2) && height(2) >= height(0),
        "scaled to the busiest hour"
    );
    // Drawn in the theme's colour, not a fixed one.
    assert_eq!(
        bars[0].get_attribute("fill").as_deref(),
        Some("currentColor")
    );
    // The same numbers as a table, in a closed disclosure.
    let details = root.query_selector("details").unwrap().unwrap();
    assert!(!details.has_attribute("open"));
    assert_eq!(
        texts(&root, "details summary"),
        ["Failures per hour as a table"]
    );
    let rows = texts(&root, "details tbody tr");
    assert_eq!(rows.len(), 24);
    assert_eq!(rows[14], format!("{peak}400"));
    assert_eq!(rows[0], format!("{}0", local_hour(&hourly[0].hour)));

    // A quiet day: no bars, and the sentence says so.
    let quiet = container();
    let _quiet = leptos::mount::mount_to(quiet.clone(), move || {
        view! { <FailureChart hourly=hours(&[]) /> }
    });
    settle().await;
    let quiet: Element = quiet.into();
    assert!(all(&quiet, "svg rect").is_empty());
    assert_eq!(
        quiet
            .query_selector("svg[role=img]")
            .unwrap()
            .unwrap()
            .get_attribute("aria-label")
            .as_deref(),
        Some("No failed authentications in the last 24 hours")
    );
}

fn ban(source: &str, seconds_left: i64) -> sipauth_console::api::Ban {
    sipauth_console::api::Ban {
        source: source.into(),
        banned_at: "2026-12-01T10:00:00Z".into(),
        until: "2026-12-01T10:10:00Z".into(),
        seconds_left,
        failures: 11,
    }
}

#[wasm_bindgen_test]
async fn bans_count_down_each_second_and_only_editors_and_admins_may_unban() {
    use sipauth_console::api::Role;
    use sipauth_console::pages::security::bans::BansTable;
    for (role, may_unban) in [
        (Role::Viewer, false),
        (Role::Editor, true),
        (Role::Admin, true),
    ] {
        let parent = container();
        let _page = leptos::mount::mount_to(parent.clone(), move || {
            provide_context(signed_in_as(role));
            view! { <BansTable bans=vec![ban("127.0.0.30", 600), ban("2001:db8::7", 1)] /> }
        });
        settle().await;
        let root: Element = parent.into();
        let buttons = texts(&root, "button");
        let expected: Vec<String> = match may_unban {
            true => vec!["Unban 127.0.0.30".into(), "Unban 2001:db8::7".into()],
            false => vec![],
        };
        assert_eq!(buttons, expected, "{role:?}");
        assert_eq!(
            texts(&root, "caption"),
            ["Current bans"],
            "a table named like its heading"
        );
        assert_eq!(texts(&root, "td.time-left"), ["10 min", "1 s"], "{role:?}");
        if role != Role::Admin {
            continue;
        }
        // A second later: the first counts down, the second has run out.
        pause(1_100).await;
        assert_eq!(texts(&root, "td.time-left"), ["9 min 59 s"]);
        assert_eq!(texts(&root, "tbody th"), ["127.0.0.30"]);
    }
    // None left: said in words.
    let parent = container();
    let _page = leptos::mount::mount_to(parent.clone(), move || {
        provide_context(signed_in_as(Role::Admin));
        view! { <BansTable bans=vec![] /> }
    });
    settle().await;
    assert_eq!(
        parent.text_content().unwrap_or_default(),
        "No source is banned now."
    );
}

#[wasm_bindgen_test]
async fn last_seen_cells_say_when_and_from_where_and_mark_stale_and_attacked_credentials() {
    use sipauth_console::api::{LastSeen, SipCredential};
    use sipauth_console::components::LastSeenCell;
    let an_hour_ago = js_sys::Date::new(&(js_sys::Date::now() - 3_600_000.0).into())
        .to_iso_string()
        .as_string()
        .unwrap();
    let seen = |at: &str| LastSeen {
        at: at.into(),
        source: "192.0.2.1".into(),
        port: Some(5060),
        transport: "udp".into(),
        method: "REGISTER".into(),
    };
    let cases: Vec<(&str, Option<SipCredential>)> = vec![
        ("loading", None),
        (
            "never",
            Some(SipCredential {
                id: "c1".into(),
                username: "never".into(),
                ..Default::default()
            }),
        ),
        (
            "stale",
            Some(SipCredential {
                id: "c2".into(),
                username: "stale".into(),
                last_seen: Some(seen("2025-01-01T00:00:00Z")),
                registrations: Some(0),
                ..Default::default()
            }),
        ),
        (
            "busy",
            Some(SipCredential {
                id: "c3".into(),
                username: "alice".into(),
                last_seen: Some(seen(&an_hour_ago)),
                registrations: Some(2),
                under_attack: true,
            }),
        ),
    ];
    let opened = RwSignal::new(0u32);
    let parent = container();
    let _handle = leptos::mount::mount_to(parent.clone(), move || {
        let on_registrations = Callback::new(move |()| opened.update(|n| *n += 1));
        view! {
            <table><tbody>
                {cases.clone().into_iter().map(|(id, sip)| {
                    let username = sip.as_ref().map(|s| s.username.clone()).unwrap_or_default();
                    view! { <tr><td id=id><LastSeenCell username sip stale_days=90 on_registrations /></td></tr> }
                }).collect_view()}
            </tbody></table>
        }
    });
    settle().await;
    let root: Element = parent.into();
    let cell = |id: &str| root.query_selector(&format!("#{id}")).unwrap().unwrap();
    let text = |id: &str| cell(id).text_content().unwrap_or_default();
    assert_eq!(text("loading"), "", "nothing said before the answer");
    assert_eq!(text("never"), "Never used");
    assert!(
        all(&cell("never"), "button, a").is_empty(),
        "no registrations badge where it cannot register"
    );

    let stale = text("stale");
    assert!(stale.contains(" from 192.0.2.1:5060"), "{stale}");
    assert!(stale.contains("Not used for 90 days"), "{stale}");
    assert_eq!(
        cell("stale")
            .query_selector("time")
            .unwrap()
            .unwrap()
            .get_attribute("datetime")
            .as_deref(),
        Some("2025-01-01T00:00:00.000Z")
    );
    assert_eq!(texts(&cell("stale"), "button"), ["Not registered"]);

    let busy = text("busy");
    assert!(
        !busy.contains("Not used") && !busy.contains("Never"),
        "{busy}"
    );
    let flag = cell("busy").query_selector("a").unwrap().unwrap();
    assert_eq!(flag.text_content().unwrap(), "Under attack");
    assert_eq!(
        flag.get_attribute("href").as_deref(),
        Some("/security?username=alice")
    );
    let badge = button(&cell("busy"), "Registered (2)");
    assert_eq!(
        badge.get_attribute("aria-label").as_deref(),
        Some("Registered (2): registrations of alice")
    );
    badge.click();
    assert_eq!(opened.get_untracked(), 1);
}

#[wasm_bindgen_test]
async fn the_registrations_dialog_lists_each_contact_and_says_which_node_did_not_answer() {
    use sipauth_console::api::{Config, Registration, Registrations};
    use sipauth_console::components::{
        RegistrationsDialog, RegistrationsOf, RegistrationsTable, Toasts,
    };
    use sipauth_console::context::AppContext;
    let contact = |agent: &str, source: &str, transport: &str, since: Option<&str>| Registration {
        aor: "alice@ma1.sip.example".into(),
        username: "alice".into(),
        contact: format!("sip:alice@{source}:5060"),
        source: source.into(),
        port: Some(5060),
        transport: transport.into(),
        user_agent: agent.into(),
        expires_in: 3599,
        registered_since: since.map(str::to_string),
        last_refresh: None,
        node: "unix:/run/kamailio/a.sock".into(),
    };
    let answer = Registrations {
        registrations: vec![
            contact("SIPp", "127.0.0.1", "udp", Some("2026-12-01T10:00:00Z")),
            contact("", "::1", "tcp", None),
        ],
        unreachable: vec!["http://10.0.0.2:5060/RPC".into()],
        truncated: true,
    };
    let parent = container();
    let _handle = leptos::mount::mount_to(parent.clone(), move || {
        view! { <RegistrationsTable answer=answer.clone() empty="alice has no current registration.".to_string() /> }
    });
    settle().await;
    let root: Element = parent.into();
    assert_eq!(
        texts(&root, "thead th"),
        [
            "User agent",
            "Source",
            "Transport",
            "Expires in",
            "Registered since",
            "Contact"
        ]
    );
    let rows: Vec<Vec<String>> = all(&root, "tbody tr")
        .iter()
        .map(|tr| texts(tr, "th, td"))
        .collect();
    assert_eq!(
        rows[0][..4],
        ["SIPp", "127.0.0.1:5060", "UDP", "59 min 59 s"]
    );
    assert_eq!(
        rows[1][..5],
        [
            "Unknown user agent",
            "[::1]:5060",
            "TCP",
            "59 min 59 s",
            "Unknown"
        ]
    );
    assert_eq!(rows[0][5], "sip:alice@127.0.0.1:5060");
    let note = texts(&root, "[role=note]").join("");
    assert!(
        note.contains("http://10.0.0.2:5060/RPC did not answer"),
        "{note}"
    );

    // The dialog: named after the credential, with Refresh and Close.
    let open = RwSignal::new(false);
    let of = RwSignal::new(RegistrationsOf {
        username: "alice".into(),
        credential_id: "c1".into(),
    });
    let parent = container();
    let _dialog = leptos::mount::mount_to(parent.clone(), move || {
        provide_context(AppContext::new(
            Config::parse(r#"{"account": "MA1"}"#).unwrap(),
            None,
            Toasts::new(),
        ));
        view! { <RegistrationsDialog open of /> }
    });
    open.set(true);
    settle().await;
    let dialog: web_sys::HtmlDialogElement = parent
        .query_selector("dialog")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(dialog.open());
    let title = document()
        .get_element_by_id(&dialog.get_attribute("aria-labelledby").unwrap())
        .unwrap();
    assert_eq!(title.text_content().unwrap(), "Registrations of alice");
    let root: Element = parent.into();
    assert!(button(&root, "Refresh").is_connected());
    button(&root, "Close").click();
    settle().await;
    assert!(!dialog.open());
}
