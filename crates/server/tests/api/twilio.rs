//! The twilio dialect over real HTTP: credential lists and their credentials,
//! form bodies, SIDs, RFC 2822 dates, paging and Twilio's error shape, on the
//! same store the plivo dialect uses.

use crate::{pluck, spawn_app, TestApp, Who, SIP_DOMAIN};
use reqwest::{Method, Response};
use serde_json::Value;
use sipauth_server::store;

const SID: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "twilio-token-0123456789abcdef";

async fn twilio_app() -> TestApp {
    let app = spawn_app().await;
    store::accounts::create(&app.db, SID, TOKEN, SIP_DOMAIN)
        .await
        .unwrap();
    app
}

fn url(app: &TestApp, rest: &str) -> String {
    app.url(&format!("/2010-04-01/Accounts/{SID}/SIP/{rest}"))
}

const AS_TWILIO: Who = Who::Account(SID, TOKEN);

async fn post(app: &TestApp, rest: &str, form: &[(&str, &str)]) -> Response {
    app.post_form(AS_TWILIO, &url(app, rest), form).await
}

async fn get(app: &TestApp, rest: &str) -> Response {
    get_at(app, &url(app, rest)).await
}

/// A GET of any path of the server, as the twilio account.
async fn get_at(app: &TestApp, url: &str) -> Response {
    app.send(AS_TWILIO, Method::GET, url, None).await
}

async fn delete(app: &TestApp, rest: &str) -> u16 {
    let url = url(app, rest);
    let r = app.send(AS_TWILIO, Method::DELETE, &url, None).await;
    r.status().as_u16()
}

/// A form POST's JSON answer.
async fn answer(app: &TestApp, rest: &str, form: &[(&str, &str)]) -> Value {
    json(post(app, rest, form).await).await
}

/// Sets the FriendlyName of what `rest` is; the answer, which must carry
/// the new name.
async fn rename(app: &TestApp, rest: &str, name: &str) -> Value {
    let updated = answer(app, rest, &[("FriendlyName", name)]).await;
    assert_eq!(updated["friendly_name"], name, "{updated}");
    updated
}

/// Creates what `rest` lists (201) and returns its SID.
async fn create(app: &TestApp, rest: &str, form: &[(&str, &str)]) -> String {
    created(app, rest, form).await.0
}

/// Creates what `rest` lists (201, a SID of its kind): its SID and the
/// whole answer.
async fn created(app: &TestApp, rest: &str, form: &[(&str, &str)]) -> (String, Value) {
    let r = post(app, rest, form).await;
    assert_eq!(r.status(), 201, "{rest}");
    let body = json(r).await;
    let kind = match rest.rsplit('/').next().unwrap() {
        "CredentialLists.json" => "CL",
        "Credentials.json" => "CR",
        "IpAccessControlLists.json" => "AL",
        "IpAddresses.json" => "IP",
        "Domains.json" => "SD",
        _ => panic!("what SIDs does {rest} make?"),
    };
    assert!(is_sid(&body["sid"], kind), "{body}");
    (body["sid"].as_str().unwrap().to_string(), body)
}

fn digest(username: &str, realm: &str, password: &str) -> String {
    use sipauth_model::{Password, Realm, Username};
    sipauth_model::ha1(
        &Username::parse(username).unwrap(),
        &Realm::parse(realm).unwrap(),
        &Password::parse(password).unwrap(),
    )
}

async fn json(r: Response) -> Value {
    r.json().await.unwrap()
}

/// Asserts a twilio error whose message starts with `prefix`.
fn assert_message(e: &Value, prefix: &str) {
    let message = e["message"].as_str().unwrap_or_else(|| panic!("{e}"));
    assert!(message.starts_with(prefix), "{e}");
}

fn is_sid(value: &Value, prefix: &str) -> bool {
    value.as_str().is_some_and(|s| {
        s.len() == 34 && s.starts_with(prefix) && s[2..].bytes().all(|b| b.is_ascii_hexdigit())
    })
}

#[tokio::test]
async fn credential_lists_and_credentials_round_trip() {
    let app = twilio_app().await;
    let (cl, list) = created(
        &app,
        "CredentialLists.json",
        &[("FriendlyName", "Desk phones")],
    )
    .await;
    assert_eq!(list["friendly_name"], "Desk phones");
    assert_eq!(list["account_sid"], SID);
    assert_eq!(
        list["uri"],
        format!("/2010-04-01/Accounts/{SID}/SIP/CredentialLists/{cl}.json")
    );
    assert_eq!(
        list["subresource_uris"]["credentials"],
        format!("/2010-04-01/Accounts/{SID}/SIP/CredentialLists/{cl}/Credentials.json")
    );
    // RFC 2822, GMT: "Wed, 25 Nov 2026 16:20:00 +0000".
    let date = list["date_created"].as_str().unwrap();
    assert!(date.ends_with(" +0000") && date.len() == 31, "{date}");

    let (_, credential) = created(
        &app,
        &format!("CredentialLists/{cl}/Credentials.json"),
        &[("Username", "desk.101"), ("Password", "IWasAtSignal2018")],
    )
    .await;
    assert_eq!(credential["credential_list_sid"], cl.as_str());
    assert_eq!(credential["username"], "desk.101");
    assert!(credential.get("password").is_none());
    let cr = credential["sid"].as_str().unwrap().to_string();

    // Stored as the HA1 of the account's realm, as plivo does.
    let (ha1, realm): (String, String) = app
        .select_one("SELECT ha1, realm FROM credentials WHERE id = $1", &[&cr])
        .await;
    assert_eq!(realm, format!("{}.{SIP_DOMAIN}", SID.to_lowercase()));
    assert_eq!(ha1, digest("desk.101", &realm, "IWasAtSignal2018"));

    let fetched =
        json(get(&app, &format!("CredentialLists/{cl}/Credentials/{cr}.json")).await).await;
    assert_eq!(fetched["username"], "desk.101");

    // Update: a new password replaces the HA1; the username stays.
    let r = post(
        &app,
        &format!("CredentialLists/{cl}/Credentials/{cr}.json"),
        &[("Password", "Another-Passw0rd-2026")],
    )
    .await;
    assert_eq!(r.status(), 200);
    let new_ha1: String = app
        .scalar("SELECT ha1 FROM credentials WHERE id = $1", &[&cr])
        .await;
    assert_eq!(new_ha1, digest("desk.101", &realm, "Another-Passw0rd-2026"));

    // Rename the list.
    rename(&app, &format!("CredentialLists/{cl}.json"), "Lobby").await;

    // Deleting the list takes its credentials with it.
    assert_eq!(
        delete(&app, &format!("CredentialLists/{cl}.json")).await,
        204
    );
    let r = get(&app, &format!("CredentialLists/{cl}/Credentials/{cr}.json")).await;
    assert_eq!(r.status(), 404);
}

#[tokio::test]
async fn errors_have_twilios_shape_and_name_the_parameter() {
    let app = twilio_app().await;
    let cl = create(&app, "CredentialLists.json", &[("FriendlyName", "Trunks")]).await;
    let credentials = format!("CredentialLists/{cl}/Credentials.json");

    // Twilio's password policy: 12+, a digit, mixed case.
    let r = post(
        &app,
        &credentials,
        &[("Username", "pbx"), ("Password", "alllowercase12")],
    )
    .await;
    assert_eq!(r.status(), 400);
    let e = json(r).await;
    assert_eq!(e["code"], 20001);
    assert_eq!(e["status"], 400);
    assert_eq!(e["more_info"], "https://www.twilio.com/docs/errors/20001");
    let message = e["message"].as_str().unwrap();
    assert!(
        message.starts_with("Password: it is missing an uppercase letter"),
        "{message}"
    );
    assert!(
        !message.contains("alllowercase12"),
        "the password is never echoed"
    );

    // Twilio's usernames are at most 32 characters.
    let long = "u".repeat(33);
    let e = answer(
        &app,
        &credentials,
        &[("Username", &long), ("Password", "IWasAtSignal2018")],
    )
    .await;
    assert_message(&e, "Username: it has 33 characters");

    let e = answer(&app, &credentials, &[("Password", "IWasAtSignal2018")]).await;
    assert_eq!(e["message"], "Username: a required parameter is missing");

    // A username is unique per account across lists: 409 naming the list.
    assert_eq!(
        post(
            &app,
            &credentials,
            &[("Username", "pbx"), ("Password", "IWasAtSignal2018")]
        )
        .await
        .status(),
        201
    );
    let other = create(&app, "CredentialLists.json", &[("FriendlyName", "Other")]).await;
    let r = post(
        &app,
        &format!("CredentialLists/{other}/Credentials.json"),
        &[("Username", "pbx"), ("Password", "IWasAtSignal2018")],
    )
    .await;
    assert_eq!(r.status(), 409);
    let e = json(r).await;
    assert_eq!(e["code"], 20409);
    // The list by its name, never its SID.
    let message = e["message"].as_str().unwrap();
    assert!(message.contains("the credential list \"Trunks\""), "{e}");
    assert!(!message.contains(&cl), "{e}");

    // Unknown resources: 404 with the path.
    let missing = format!("CredentialLists/CL{}.json", "0".repeat(32));
    let r = get(&app, &missing).await;
    assert_eq!(r.status(), 404);
    let e = json(r).await;
    assert_eq!(e["code"], 20404);
    assert_eq!(
        e["message"],
        format!("The requested resource /2010-04-01/Accounts/{SID}/SIP/{missing} was not found")
    );

    // Wrong token: 401, code 20003, with a Basic challenge.
    let wrong = Who::Account(SID, "wrong-token-0123456789");
    let r = app
        .send(wrong, Method::GET, &url(&app, "CredentialLists.json"), None)
        .await;
    assert_eq!(r.status(), 401);
    assert!(r.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .starts_with("Basic"));
    assert_eq!(json(r).await["code"], 20003);
    // The console's requests (an ended session) never trigger the
    // browser's own Basic prompt, which would hang its fetch.
    let r = app
        .client
        .get(url(&app, "CredentialLists.json"))
        .header("X-Requested-With", "sipauth-console")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert!(r.headers().get("www-authenticate").is_none());
    assert_eq!(json(r).await["code"], 20003);

    // Another account's list looks missing.
    let theirs = format!(
        "/2010-04-01/Accounts/{}/SIP/CredentialLists/{cl}.json",
        app.auth_id
    );
    assert_eq!(app.get(&app.url(&theirs)).await.status(), 404);
}

#[tokio::test]
async fn lists_page_the_twilio_way_and_share_the_store() {
    let app = twilio_app().await;
    let cl = create(&app, "CredentialLists.json", &[("FriendlyName", "Many")]).await;
    for i in 0..5 {
        let r = post(
            &app,
            &format!("CredentialLists/{cl}/Credentials.json"),
            &[
                ("Username", &format!("user{i}")),
                ("Password", "IWasAtSignal2018"),
            ],
        )
        .await;
        assert_eq!(r.status(), 201);
    }
    let page = json(
        get(
            &app,
            &format!("CredentialLists/{cl}/Credentials.json?PageSize=2"),
        )
        .await,
    )
    .await;
    let names = |p: &Value| -> Vec<String> {
        let names = pluck(&p["credentials"], "username");
        names.into_iter().map(String::from).collect()
    };
    assert_eq!(names(&page), ["user0", "user1"]);
    assert_eq!(
        (page["page"].as_i64(), page["page_size"].as_i64()),
        (Some(0), Some(2))
    );
    assert_eq!(page["previous_page_uri"], Value::Null);
    // Follow next_page_uri as the helper libraries do.
    let mut seen = names(&page);
    let mut next = page["next_page_uri"].as_str().map(str::to_string);
    while let Some(uri) = next {
        let p = json(get_at(&app, &app.url(&uri)).await).await;
        seen.extend(names(&p));
        next = p["next_page_uri"].as_str().map(str::to_string);
    }
    assert_eq!(seen, ["user0", "user1", "user2", "user3", "user4"]);

    let e = json(
        get(
            &app,
            &format!("CredentialLists/{cl}/Credentials.json?PageSize=0"),
        )
        .await,
    )
    .await;
    assert_eq!(e["code"], 20001);

    // One store: the plivo dialect lists the same credentials for the account.
    let plivo = app.url(&format!("/v1/Account/{SID}/SipAuth/Credential/"));
    let plivo = json(get_at(&app, &plivo).await).await;
    assert_eq!(plivo["meta"]["total_count"], 5);
}

#[tokio::test]
async fn ip_access_control_lists_and_addresses_share_the_plivo_acls() {
    let app = twilio_app().await;
    let (al, acl) = created(
        &app,
        "IpAccessControlLists.json",
        &[("FriendlyName", "Office")],
    )
    .await;
    assert_eq!(
        acl["subresource_uris"]["ip_addresses"],
        format!("/2010-04-01/Accounts/{SID}/SIP/IpAccessControlLists/{al}/IpAddresses.json")
    );
    let addresses = format!("IpAccessControlLists/{al}/IpAddresses.json");

    // A single host when CidrPrefixLength is absent; a range when given.
    let host = answer(
        &app,
        &addresses,
        &[("FriendlyName", "PBX"), ("IpAddress", "198.51.100.7")],
    )
    .await;
    assert!(is_sid(&host["sid"], "IP"), "{host}");
    assert_eq!(host["cidr_prefix_length"], 32);
    assert_eq!(host["ip_access_control_list_sid"], al.as_str());
    let (_, branch) = created(
        &app,
        &addresses,
        &[
            ("FriendlyName", "Branch"),
            ("IpAddress", "203.0.113.0"),
            ("CidrPrefixLength", "24"),
        ],
    )
    .await;
    let ip = branch["sid"].as_str().unwrap().to_string();

    // The model's rules, in Twilio's parameter names.
    let e = answer(
        &app,
        &addresses,
        &[("FriendlyName", "Bad"), ("IpAddress", "203.0.113.256")],
    )
    .await;
    assert_eq!(e["code"], 20001);
    assert_message(&e, "IpAddress: ");
    let e = answer(
        &app,
        &addresses,
        &[
            ("FriendlyName", "Bad"),
            ("IpAddress", "10.0.0.0"),
            ("CidrPrefixLength", "33"),
        ],
    )
    .await;
    assert_message(&e, "CidrPrefixLength: 33 is out of range");
    // The same network again (host bits aside) is a 409.
    let r = post(
        &app,
        &addresses,
        &[
            ("FriendlyName", "Again"),
            ("IpAddress", "203.0.113.9"),
            ("CidrPrefixLength", "24"),
        ],
    )
    .await;
    assert_eq!(r.status(), 409);

    // Update one field; the others stay.
    let address = format!("IpAccessControlLists/{al}/IpAddresses/{ip}.json");
    let updated = rename(&app, &address, "Branch office").await;
    assert_eq!(updated["cidr_prefix_length"], 24);

    let listed = json(get(&app, &addresses).await).await;
    let ips = pluck(&listed["ip_addresses"], "ip_address");
    assert_eq!(ips, ["198.51.100.7", "203.0.113.0"]);

    // One store: the plivo dialect shows the same ACL with both entries.
    let plivo = app.url(&format!(
        "/v1/Account/{SID}/SipAuth/IpAccessControlList/{al}/"
    ));
    let plivo = json(get_at(&app, &plivo).await).await;
    assert_eq!(plivo["name"], "Office");
    assert_eq!(plivo["entries"].as_array().unwrap().len(), 2, "{plivo}");

    let address = format!("IpAccessControlLists/{al}/IpAddresses/{ip}.json");
    assert_eq!(delete(&app, &address).await, 204);
    assert_eq!(
        delete(&app, &format!("IpAccessControlLists/{al}.json")).await,
        204
    );
    assert_eq!(
        get(&app, &format!("IpAccessControlLists/{al}.json"))
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn domains_map_credential_lists_and_acls_for_calls_and_registrations() {
    let app = twilio_app().await;
    let realm = format!("{}.{SIP_DOMAIN}", SID.to_lowercase());
    let office = format!("office.{realm}");
    let (_, domain) = created(
        &app,
        "Domains.json",
        &[
            ("DomainName", &office),
            ("FriendlyName", "Office"),
            ("SipRegistration", "true"),
        ],
    )
    .await;
    assert_eq!(domain["sip_registration"], true);
    assert_eq!(domain["sip_uri"], format!("sip:{office}"));
    let sd = domain["sid"].as_str().unwrap().to_string();
    // Names live under the account's realm, so a conflict is with the
    // account's own domain and says so.
    let r = post(&app, "Domains.json", &[("DomainName", &office)]).await;
    assert_eq!(r.status(), 409);
    assert_eq!(
        json(r).await["message"],
        format!("DomainName: this account already has a domain named {office}")
    );
    // Another account's realm, a name under it, a name under no realm and
    // the realm itself are refused before anything is looked up.
    let other = format!("{}.{SIP_DOMAIN}", app.auth_id.to_lowercase());
    for name in [
        other.clone(),
        format!("office.{other}"),
        "office.sip.example.com".into(),
        realm.clone(),
    ] {
        let r = post(&app, "Domains.json", &[("DomainName", &name)]).await;
        assert_eq!(r.status(), 400, "{name}");
        let message = json(r).await["message"].as_str().unwrap().to_string();
        assert!(
            message.starts_with(&format!(
                "DomainName: \"{name}\" does not end with .{realm}"
            )),
            "{message}"
        );
    }
    let e = answer(&app, "Domains.json", &[("DomainName", "not a domain")]).await;
    assert_message(&e, "DomainName: ");

    let cl = create(&app, "CredentialLists.json", &[("FriendlyName", "Phones")]).await;
    let al = create(
        &app,
        "IpAccessControlLists.json",
        &[("FriendlyName", "Office")],
    )
    .await;
    let calls = format!("Domains/{sd}/Auth/Calls/CredentialListMappings.json");
    let acls = format!("Domains/{sd}/Auth/Calls/IpAccessControlListMappings.json");
    let registrations = format!("Domains/{sd}/Auth/Registrations/CredentialListMappings.json");

    let m = answer(&app, &calls, &[("CredentialListSid", &cl)]).await;
    assert_eq!(
        (m["sid"].as_str(), m["friendly_name"].as_str()),
        (Some(cl.as_str()), Some("Phones"))
    );
    assert_eq!(
        post(&app, &acls, &[("IpAccessControlListSid", &al)])
            .await
            .status(),
        201
    );
    assert_eq!(
        post(&app, &registrations, &[("CredentialListSid", &cl)])
            .await
            .status(),
        201
    );
    // Twice is a 409; a list of another kind or account is a 400 naming it.
    assert_eq!(
        post(&app, &calls, &[("CredentialListSid", &cl)])
            .await
            .status(),
        409
    );
    let e = answer(&app, &calls, &[("CredentialListSid", &al)]).await;
    assert_message(&e, "CredentialListSid: ");

    let listed = json(get(&app, &calls).await).await;
    assert_eq!(listed["contents"].as_array().unwrap().len(), 1);
    let fetched = json(
        get(
            &app,
            &format!("Domains/{sd}/Auth/Calls/IpAccessControlListMappings/{al}.json"),
        )
        .await,
    )
    .await;
    assert_eq!(fetched["friendly_name"], "Office");

    // Deleting the list drops its mappings; the domain stays.
    assert_eq!(
        delete(&app, &format!("CredentialLists/{cl}.json")).await,
        204
    );
    for mappings in [&calls, &registrations] {
        let listed = json(get(&app, mappings).await).await;
        assert_eq!(
            listed["contents"].as_array().unwrap().len(),
            0,
            "{mappings}"
        );
    }
    let mapping = format!("Domains/{sd}/Auth/Calls/IpAccessControlListMappings/{al}.json");
    assert_eq!(delete(&app, &mapping).await, 204);
    let updated = rename(&app, &format!("Domains/{sd}.json"), "Main office").await;
    assert_eq!(updated["sip_registration"], true);
    assert_eq!(delete(&app, &format!("Domains/{sd}.json")).await, 204);
}

/// A form value that is not UTF-8 is refused naming the parameter, not
/// stored with replacement characters the sender never wrote.
#[tokio::test]
async fn form_values_that_are_not_utf8_are_refused() {
    let app = spawn_app().await;
    let url = app.url(&format!(
        "/2010-04-01/Accounts/{}/SIP/CredentialLists.json",
        app.auth_id
    ));
    let send = |body: &'static str| {
        app.client
            .post(&url)
            .basic_auth(&app.auth_id, Some(&app.token))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body)
            .send()
    };
    let (status, body) = crate::json(send("FriendlyName=Office%FF%FE").await.unwrap()).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("FriendlyName: the value is not valid UTF-8"),
        "{body}"
    );
    let (status, body) =
        crate::json(send("FriendlyName=Caf%C3%A9%20%EF%BF%BD").await.unwrap()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["friendly_name"], "Café \u{FFFD}");
}

/// Both kinds of twilio lists: names are unique per account (case aside)
/// on create and update, 409 with code 20409 naming the name.
#[tokio::test]
async fn list_names_are_unique_per_account() {
    let app = twilio_app().await;
    for (rest, words) in [
        ("CredentialLists.json", "A credential list"),
        ("IpAccessControlLists.json", "An IP access control list"),
    ] {
        let first = create(&app, rest, &[("FriendlyName", "Office phones")]).await;
        let r = post(&app, rest, &[("FriendlyName", " OFFICE PHONES ")]).await;
        assert_eq!(r.status(), 409, "{rest}");
        let e = json(r).await;
        assert_eq!(e["code"], 20409, "{e}");
        assert_eq!(
            e["message"],
            format!("{words} named \"OFFICE PHONES\" already exists in this account")
        );
        // Update: onto another's name is refused; a case change of its own is not.
        let second = create(&app, rest, &[("FriendlyName", "Desk phones")]).await;
        let one = |sid: &str| format!("{}/{sid}.json", rest.trim_end_matches(".json"));
        let e = answer(&app, &one(&second), &[("FriendlyName", "office Phones")]).await;
        assert_eq!(e["status"], 409, "{e}");
        assert_message(&e, words);
        let kept = json(get(&app, &one(&second)).await).await;
        assert_eq!(kept["friendly_name"], "Desk phones");
        rename(&app, &one(&first), "OFFICE phones").await;

        // Racing creates of one new name land once.
        let racers: Vec<_> = (0..8)
            .map(|_| {
                let (client, url) = (app.client.clone(), url(&app, rest));
                tokio::spawn(async move {
                    let r = client.post(url).basic_auth(SID, Some(TOKEN));
                    let r = r.form(&[("FriendlyName", "Racing")]).send().await;
                    r.unwrap().status().as_u16()
                })
            })
            .collect();
        let mut statuses = Vec::new();
        for r in racers {
            statuses.push(r.await.unwrap());
        }
        assert_eq!(crate::count(&statuses, 201), 1, "{rest}: {statuses:?}");
        assert_eq!(crate::count(&statuses, 409), 7, "{rest}: {statuses:?}");
    }

    // Another account may use the same names, and its refusals never
    // mention this account's lists.
    let (other, token) = app.other_account().await;
    let theirs = app.url(&format!(
        "/2010-04-01/Accounts/{other}/SIP/CredentialLists.json"
    ));
    let as_other = Who::Account(&other, &token);
    let form = [("FriendlyName", "Office phones")];
    let r = app.post_form(as_other, &theirs, &form).await;
    assert_eq!(r.status(), 201);
    let r = app.post_form(as_other, &theirs, &form).await;
    assert_eq!(r.status(), 409);
    let e = json(r).await;
    assert!(!e["message"].as_str().unwrap().contains("CL"), "{e}");
}

#[tokio::test]
async fn an_ipv4_address_written_as_ipv6_is_refused_with_its_ipv4_form() {
    let app = twilio_app().await;
    let al = create(
        &app,
        "IpAccessControlLists.json",
        &[("FriendlyName", "Office")],
    )
    .await;
    let addresses = format!("IpAccessControlLists/{al}/IpAddresses.json");
    let e = answer(
        &app,
        &addresses,
        &[
            ("FriendlyName", "PBX"),
            ("IpAddress", "::ffff:198.51.100.7"),
        ],
    )
    .await;
    assert_eq!(e["code"], 20001, "{e}");
    assert_message(
        &e,
        "IpAddress: ::ffff:198.51.100.7 is an IPv4 address written as IPv6; SIP traffic from it arrives as IPv4: enter 198.51.100.7",
    );
}
