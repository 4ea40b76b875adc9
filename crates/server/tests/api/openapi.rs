//! The OpenAPI documents as a client fetches them: public, JSON, one per
//! dialect, describing the answers the server really sends.

use crate::{json, spawn_app};

/// Each dialect's document is served without sign-in, and an unknown name
/// (or a path trick) is a 404 in the API's error shape.
#[tokio::test]
async fn each_dialect_has_a_public_document() {
    let app = spawn_app().await;
    for (dialect, path) in [
        ("plivo", "/v1/Account/{auth_id}/SipAuth/Credential/"),
        ("zentrunk", "/v1/Account/{auth_id}/Zentrunk/Trunk/"),
        (
            "twilio",
            "/2010-04-01/Accounts/{AccountSid}/SIP/Domains.json",
        ),
        ("vobiz", "/api/v1/account/{auth_id}/credentials"),
    ] {
        let response = app
            .get_anonymous(&app.url(&format!("/openapi/{dialect}.json")))
            .await;
        assert_eq!(
            response.headers()["content-type"],
            "application/json",
            "{dialect}"
        );
        let (status, doc) = json(response).await;
        assert_eq!(status, 200, "{dialect}");
        assert_eq!(doc["openapi"], "3.1.0", "{dialect}");
        assert!(doc["paths"][path].is_object(), "{dialect} lacks {path}");
    }
    for wrong in [
        "/openapi/asterisk.json",
        "/openapi/..%2fplivo.json",
        "/openapi/plivo",
    ] {
        let (status, body) = json(app.get_anonymous(&app.url(wrong)).await).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (404, Some("document not found")),
            "{wrong}"
        );
    }
}

/// What the document says a credential looks like is what the API sends:
/// the answer's fields are exactly the schema's properties.
#[tokio::test]
async fn a_documented_answer_matches_the_wire() {
    let app = spawn_app().await;
    let (_, doc) = json(app.get_anonymous(&app.url("/openapi/plivo.json")).await).await;
    let (status, created) = json(app.create("alice", "Xy7pQ2mLk9Rt4w").await).await;
    assert_eq!(status, 201);
    let schema = &doc["components"]["schemas"]["Credential"];
    let mut documented: Vec<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    documented.push("api_id");
    documented.sort_unstable();
    let mut sent: Vec<&str> = created
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    sent.sort_unstable();
    assert_eq!(sent, documented);
    assert!(created.get("password").is_none());
}
