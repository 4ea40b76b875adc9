//! The REST client for the configured dialect. Only this module knows HTTP
//! and JSON; pages get typed values and [`ApiError`]s.

mod audit;
mod credentials;
mod early;
mod error;
mod export;
mod operators;
mod sip;
mod twilio;
mod types;
mod zentrunk;

pub use audit::{
    resource_words, AuditFilter, AuditPage, AuditRecord, Change, Download, ACTIONS, RESOURCES,
};
pub use error::{in_user_words, ApiError};
pub use export::Export;
pub use operators::{
    AccountRef, AddedOperator, ApiKey, CreatedApiKey, NewOperator, Operator, OperatorChange, Role,
};
pub use sip::{
    Ban, BanSettings, Failure, FailureFilter, FailurePage, HourCount, LastSeen, NodeOutcome,
    Registered, Registration, Registrations, Security, SipCredential, SipCredentials, TopSource,
    TopUsername, Unbanned,
};
pub use twilio::{CredentialList, Domain, DomainMappings, Mapping, MappingKind};
pub use types::*;
pub use zentrunk::{NewTrunk, Trunk};

use futures::future::LocalBoxFuture;
use gloo_net::http::{Method, Request, RequestBuilder, Response};
use leptos::prelude::{Callable, Callback};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::json;
use sipauth_model::Dialect;

/// Page size of every list (the plivo maximum).
pub const PAGE_SIZE: u32 = 20;

/// A request body: JSON, or form-urlencoded (the twilio dialect).
#[derive(Clone, Copy)]
enum Body<'a> {
    Json(&'a serde_json::Value),
    Form(&'a [(&'a str, String)]),
}

/// How often a request answered 429 is retried after `Retry-After`.
const RATE_LIMIT_RETRIES: u32 = 3;

/// Fetches and checks `/config.json`; the error says what to fix.
pub async fn load_config() -> Result<Config, String> {
    let response = match early::take("config").await {
        Some(response) => response,
        None => Request::get("/config.json")
            .send()
            .await
            .map_err(|e| format!("config.json could not be fetched: {e}."))?,
    };
    if !response.ok() {
        return Err(format!(
            "config.json is missing (HTTP {}): serve it beside index.html with api_base, dialect and account.",
            response.status()
        ));
    }
    let text = early::text(response)
        .await
        .map_err(|e| format!("config.json could not be read: {e}."))?;
    Config::parse(&text)
}

/// The API client: where the API is, which account, and the session's CSRF
/// token. The session cookie itself is HttpOnly: this code never sees it.
#[derive(Clone)]
pub struct Api {
    pub base: String,
    /// Which provider API the paths, bodies and list shapes follow.
    pub dialect: Dialect,
    pub account: String,
    pub csrf_token: Option<String>,
    /// Told the seconds to wait when the server rate-limits a request.
    pub on_rate_limit: Option<Callback<u32>>,
    /// Sent as `X-Audit-Batch` on every request: one id for all the
    /// requests of one import, so the audit log groups its lines.
    pub batch: Option<String>,
}

impl Api {
    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base.trim_end_matches('/'))
    }

    fn account_url(&self, rest: &str) -> String {
        self.url(&format!("/v1/Account/{}/{rest}", self.account))
    }

    /// Sends a request built by `build`, waiting out 429s: the server says
    /// how long in `Retry-After`, and the user is told.
    async fn send(
        &self,
        method: Method,
        url: &str,
        query: &[(&str, String)],
        body: Option<Body<'_>>,
    ) -> Result<Response, ApiError> {
        self.send_with_retries(method, url, query, body, RATE_LIMIT_RETRIES)
            .await
    }

    async fn send_with_retries(
        &self,
        method: Method,
        url: &str,
        query: &[(&str, String)],
        body: Option<Body<'_>>,
        retries: u32,
    ) -> Result<Response, ApiError> {
        let _counted = InFlight::start();
        // Asked for by the start-up script while the wasm compiled (a 429
        // is asked again, with retries).
        if method == Method::GET && body.is_none() {
            if let Some(early) = early::take_get(url, query).await {
                if early.status() != 429 {
                    return Ok(early);
                }
            }
        }
        let mut attempt = 0;
        loop {
            let mut builder = RequestBuilder::new(url)
                .method(method.clone())
                .header("X-Requested-With", "sipauth-console");
            if let Some(token) = &self.csrf_token {
                builder = builder.header("X-CSRF-Token", token);
            }
            if let Some(batch) = &self.batch {
                builder = builder.header("X-Audit-Batch", batch);
            }
            if !query.is_empty() {
                builder = builder.query(query.iter().map(|(k, v)| (*k, v.as_str())));
            }
            let response = match body {
                Some(Body::Json(b)) => builder.json(b)?.send().await?,
                // The browser sets the form content type for URLSearchParams.
                Some(Body::Form(fields)) => {
                    let form = web_sys::UrlSearchParams::new()
                        .map_err(|_| ApiError::Server("form encoding".into()))?;
                    for (k, v) in fields {
                        form.append(k, v);
                    }
                    builder.body(form)?.send().await?
                }
                None => builder.send().await?,
            };
            if response.status() != 429 || attempt >= retries {
                return Ok(response);
            }
            attempt += 1;
            let seconds = retry_after(&response);
            if let Some(notify) = &self.on_rate_limit {
                // Owned by the page that asked, which may be gone.
                notify.try_run(seconds);
            }
            sleep_ms(seconds * 1000).await;
        }
    }

    /// The body of a successful answer, or the error it amounts to. Not
    /// generic: the request code is in the wasm once, however many resource
    /// types are read (the typed wrappers below only parse).
    /// Boxed, so that the futures of the typed wrappers hold a pointer to
    /// this one instead of a copy of its state machine.
    fn text<'a>(
        &'a self,
        method: Method,
        url: &'a str,
        query: &'a [(&'a str, String)],
        body: Option<Body<'a>>,
    ) -> LocalBoxFuture<'a, Result<String, ApiError>> {
        Box::pin(async move {
            // Counted until the body is read: what the page shows is drawn
            // in the same turn, before anything waiting for none runs.
            let _counted = InFlight::start();
            let response = self.send(method, url, query, body).await?;
            if response.ok() {
                Ok(early::text(response).await?)
            } else {
                Err(ApiError::from_response(response).await)
            }
        })
    }

    async fn get<T: DeserializeOwned>(
        &self,
        url: &str,
        query: &[(&str, String)],
    ) -> Result<T, ApiError> {
        parse(&self.text(Method::GET, url, query, None).await?)
    }

    async fn post<T: DeserializeOwned>(
        &self,
        url: &str,
        body: &impl Serialize,
    ) -> Result<T, ApiError> {
        self.write(Method::POST, url, body).await
    }

    /// A JSON write answered with the object.
    async fn write<T: DeserializeOwned>(
        &self,
        method: Method,
        url: &str,
        body: &impl Serialize,
    ) -> Result<T, ApiError> {
        let body = serde_json::to_value(body).map_err(unencodable)?;
        parse(&self.write_json(method, url, &body).await?)
    }

    async fn write_json(
        &self,
        method: Method,
        url: &str,
        body: &serde_json::Value,
    ) -> Result<String, ApiError> {
        self.text(method, url, &[], Some(Body::Json(body))).await
    }

    async fn post_empty(&self, url: &str, body: &impl Serialize) -> Result<(), ApiError> {
        self.write_empty(Method::POST, url, body).await
    }

    async fn write_empty(
        &self,
        method: Method,
        url: &str,
        body: &impl Serialize,
    ) -> Result<(), ApiError> {
        let body = serde_json::to_value(body).map_err(unencodable)?;
        self.write_json(method, url, &body).await.map(drop)
    }

    /// A form-urlencoded POST (twilio), answered with the object.
    async fn post_form<T: DeserializeOwned>(
        &self,
        url: &str,
        fields: &[(&str, String)],
    ) -> Result<T, ApiError> {
        parse(
            &self
                .text(Method::POST, url, &[], Some(Body::Form(fields)))
                .await?,
        )
    }

    async fn delete(&self, url: &str) -> Result<(), ApiError> {
        self.text(Method::DELETE, url, &[], None).await.map(drop)
    }

    /// Every page of a list, for list pages, pickers and where-used maps.
    /// The first answer gives the total; the other pages (at most 9, the
    /// quotas bound them) are then fetched at once rather than one by one.
    async fn all<T: DeserializeOwned>(
        &self,
        url: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<T>, ApiError> {
        self.all_from_first(url, query, |_, _| ()).await
    }

    /// `all`, handing over the first page (and the total) as soon as it
    /// arrives, so a list page can paint it while the rest loads.
    async fn all_from_first<T: DeserializeOwned>(
        &self,
        url: &str,
        query: &[(&str, String)],
        first_page: impl FnOnce(Vec<T>, usize),
    ) -> Result<Vec<T>, ApiError> {
        let mut first_page = Some(first_page);
        let pages = self
            .all_pages(url, query, &mut |text, total| {
                if let (Some(f), Ok(page)) = (first_page.take(), parse::<Page<T>>(text)) {
                    f(page.objects, total);
                }
            })
            .await?;
        let mut out = Vec::new();
        for text in &pages {
            out.extend(parse::<Page<T>>(text)?.objects);
        }
        Ok(out)
    }

    /// The bodies of every page of a plivo-style list, each parsed once as
    /// its type by the caller (not generic, for the same reason as `text`).
    async fn all_pages(
        &self,
        url: &str,
        query: &[(&str, String)],
        first_page: &mut dyn FnMut(&str, usize),
    ) -> Result<Vec<String>, ApiError> {
        /// What paging needs of a page, the rows skipped over unparsed.
        #[derive(serde::Deserialize)]
        struct Head {
            meta: Meta,
            objects: Vec<serde::de::IgnoredAny>,
        }
        let page_at = |offset: usize| {
            let mut q = query.to_vec();
            q.push(("limit", PAGE_SIZE.to_string()));
            q.push(("offset", offset.to_string()));
            async move { self.text(Method::GET, url, &q, None).await }
        };
        let first = page_at(0).await?;
        let head: Head = parse(&first)?;
        let (total, got) = (head.meta.total_count as usize, head.objects.len());
        if got == 0 || got >= total {
            return Ok(vec![first]);
        }
        first_page(&first, total);
        let mut out = vec![first];
        // Stepping by what the server gave, in case it caps `limit` lower.
        let rest = (got..total).step_by(got).map(page_at);
        out.extend(at_once(rest).await?);
        Ok(out)
    }

    // Session

    pub async fn session(&self) -> Result<Option<Session>, ApiError> {
        if let Some(answer) = self.early_session().await {
            return answer;
        }
        match self.get(&self.url("/console/session"), &[]).await {
            Ok(session) => Ok(Some(session)),
            Err(ApiError::Unauthorized) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The session the start-up script asked for, when it asked this API
    /// and was answered (a 429 is asked again, with retries).
    async fn early_session(&self) -> Option<Result<Option<Session>, ApiError>> {
        let response = early::take("session").await?;
        let here = leptos::prelude::window().location().href().ok()?;
        let wanted = web_sys::Url::new_with_base(&self.url("/console/session"), &here).ok()?;
        if response.url() != wanted.href() || response.status() == 429 {
            return None;
        }
        Some(if response.ok() {
            match early::text(response).await {
                Ok(text) => parse(&text).map(Some),
                Err(e) => Err(e.into()),
            }
        } else {
            match ApiError::from_response(response).await {
                ApiError::Unauthorized => Ok(None),
                e => Err(e),
            }
        })
    }

    /// The session a sign-in answered with (sign_in.js posts the form).
    pub async fn signed_in(answer: web_sys::Response) -> Result<Session, ApiError> {
        parse(&Response::from(answer).text().await?)
    }

    pub async fn sign_out(&self) -> Result<(), ApiError> {
        self.delete(&self.url("/console/session")).await
    }

    /// Whether the SIP server has every IP ACL change (embedded server only).
    pub async fn sip_server(&self) -> Result<SipServerStatus, ApiError> {
        self.get(&self.url("/console/sip-server"), &[]).await
    }

    // IP ACLs: plivo's SipAuth ones (zentrunk uses the same), or twilio's
    // IpAccessControlLists with their IpAddresses.

    fn acls_url(&self, rest: &str) -> String {
        self.account_url(&format!("SipAuth/IpAccessControlList/{rest}"))
    }

    pub async fn all_acls(&self) -> Result<Vec<Acl>, ApiError> {
        self.acls_from_first(|_, _| ()).await
    }

    /// Every IP ACL with its entries; `first_page` gets the first page early.
    pub async fn acls_from_first(
        &self,
        first_page: impl FnOnce(Vec<Acl>, usize),
    ) -> Result<Vec<Acl>, ApiError> {
        match self.dialect {
            Dialect::Twilio => {
                let lists: Vec<twilio::Named> = self
                    .twilio_all(&self.twilio_url("IpAccessControlLists.json"))
                    .await?;
                at_once(lists.into_iter().map(|l| self.twilio_acl(l))).await
            }
            _ => {
                self.all_from_first(&self.acls_url(""), &[], first_page)
                    .await
            }
        }
    }

    pub async fn get_acl(&self, id: &str) -> Result<Acl, ApiError> {
        match self.dialect {
            Dialect::Twilio => {
                let list = self
                    .get(
                        &self.twilio_url(&format!("IpAccessControlLists/{id}.json")),
                        &[],
                    )
                    .await?;
                self.twilio_acl(list).await
            }
            _ => self.get(&self.acls_url(&format!("{id}/")), &[]).await,
        }
    }

    pub async fn create_acl(&self, name: &str) -> Result<Created, ApiError> {
        match self.dialect {
            Dialect::Twilio => {
                self.post_form(
                    &self.twilio_url("IpAccessControlLists.json"),
                    &[("FriendlyName", name.to_string())],
                )
                .await
            }
            _ => {
                self.post(&self.acls_url(""), &json!({ "name": name }))
                    .await
            }
        }
    }

    pub async fn rename_acl(&self, id: &str, name: &str) -> Result<(), ApiError> {
        match self.dialect {
            Dialect::Twilio => self
                .post_form::<serde_json::Value>(
                    &self.twilio_url(&format!("IpAccessControlLists/{id}.json")),
                    &[("FriendlyName", name.to_string())],
                )
                .await
                .map(drop),
            _ => {
                self.post_empty(&self.acls_url(&format!("{id}/")), &json!({ "name": name }))
                    .await
            }
        }
    }

    pub async fn delete_acl(&self, id: &str) -> Result<(), ApiError> {
        match self.dialect {
            Dialect::Twilio => {
                self.delete(&self.twilio_url(&format!("IpAccessControlLists/{id}.json")))
                    .await
            }
            _ => self.delete(&self.acls_url(&format!("{id}/"))).await,
        }
    }

    pub async fn add_entry(&self, acl: &str, entry: &NewEntry) -> Result<Created, ApiError> {
        match self.dialect {
            // Twilio requires a FriendlyName: the address stands in for an
            // empty description.
            Dialect::Twilio => {
                let name = if entry.description.trim().is_empty() {
                    format!("{}/{}", entry.ip, entry.cidr_prefix)
                } else {
                    entry.description.clone()
                };
                self.post_form(
                    &self.twilio_url(&format!("IpAccessControlLists/{acl}/IpAddresses.json")),
                    &[
                        ("FriendlyName", name),
                        ("IpAddress", entry.ip.clone()),
                        ("CidrPrefixLength", entry.cidr_prefix.to_string()),
                    ],
                )
                .await
            }
            _ => {
                self.post(&self.acls_url(&format!("{acl}/Entry/")), entry)
                    .await
            }
        }
    }

    /// Changes an entry's description: twilio's IpAddress FriendlyName,
    /// which cannot be empty (the address stands in, as on create). Plivo's
    /// API has no entry update; its pages do not offer it.
    pub async fn set_entry_description(
        &self,
        acl: &str,
        entry: &Entry,
        description: &str,
    ) -> Result<(), ApiError> {
        match self.dialect {
            Dialect::Twilio => {
                let name = match description.trim() {
                    "" => format!("{}/{}", entry.ip, entry.cidr_prefix),
                    _ => description.to_string(),
                };
                self.post_form::<serde_json::Value>(
                    &self.twilio_url(&format!(
                        "IpAccessControlLists/{acl}/IpAddresses/{}.json",
                        entry.entry_id
                    )),
                    &[("FriendlyName", name)],
                )
                .await
                .map(drop)
            }
            _ => Err(ApiError::BadRequest(
                "this provider cannot change an entry's description; remove the entry and add it again".into(),
            )),
        }
    }

    pub async fn remove_entry(&self, acl: &str, entry: &str) -> Result<(), ApiError> {
        match self.dialect {
            Dialect::Twilio => {
                self.delete(&self.twilio_url(&format!(
                    "IpAccessControlLists/{acl}/IpAddresses/{entry}.json"
                )))
                .await
            }
            _ => {
                self.delete(&self.acls_url(&format!("{acl}/Entry/{entry}/")))
                    .await
            }
        }
    }

    // Applications

    fn applications_url(&self, rest: &str) -> String {
        self.account_url(&format!("Application/{rest}"))
    }

    pub async fn all_applications(&self) -> Result<Vec<Application>, ApiError> {
        self.all(&self.applications_url(""), &[]).await
    }

    pub async fn create_application(&self, app: &ApplicationInput) -> Result<Created, ApiError> {
        self.post(&self.applications_url(""), app).await
    }

    pub async fn update_application(
        &self,
        id: &str,
        app: &ApplicationInput,
    ) -> Result<(), ApiError> {
        self.post_empty(&self.applications_url(&format!("{id}/")), app)
            .await
    }

    pub async fn delete_application(&self, id: &str) -> Result<(), ApiError> {
        self.delete(&self.applications_url(&format!("{id}/"))).await
    }
}

fn retry_after(response: &Response) -> u32 {
    response
        .headers()
        .get("retry-after")
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(1)
        .clamp(1, 120)
}

thread_local! {
    static IN_FLIGHT: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Counts a request from its start until its answer (or its end).
struct InFlight;

impl InFlight {
    fn start() -> Self {
        IN_FLIGHT.with(|n| n.set(n.get() + 1));
        InFlight
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        IN_FLIGHT.with(|n| n.set(n.get().saturating_sub(1)));
    }
}

/// How many API requests are waiting for their answer: preloading waits
/// for none, so the page on screen gets its data first.
pub fn requests_in_flight() -> u32 {
    IN_FLIGHT.with(std::cell::Cell::get)
}

pub async fn sleep_ms(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ =
                window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms as i32);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The answers of `each`, run at once, or the first error. Only the typed
/// slots are generic: the joining is `join_boxed`, in the wasm once.
async fn at_once<'a, T: 'a, F>(each: impl Iterator<Item = F>) -> Result<Vec<T>, ApiError>
where
    F: std::future::Future<Output = Result<T, ApiError>> + 'a,
{
    let each: Vec<F> = each.collect();
    let slots: Vec<std::cell::Cell<Option<T>>> = each.iter().map(|_| Default::default()).collect();
    let jobs = each.into_iter().zip(&slots).map(|(job, slot)| {
        Box::pin(async move {
            slot.set(Some(job.await?));
            Ok(())
        }) as LocalBoxFuture<'_, Result<(), ApiError>>
    });
    join_boxed(jobs.collect()).await?;
    Ok(slots
        .into_iter()
        .filter_map(std::cell::Cell::into_inner)
        .collect())
}

/// `at_once`'s joining, not generic.
async fn join_boxed(jobs: Vec<LocalBoxFuture<'_, Result<(), ApiError>>>) -> Result<(), ApiError> {
    futures::future::try_join_all(jobs).await.map(drop)
}

/// A JSON answer as `T`; a shape we did not expect is the server's fault.
fn parse<T: DeserializeOwned>(text: &str) -> Result<T, ApiError> {
    serde_json::from_str(text).map_err(unexpected)
}

/// A body that could not be encoded, as an error.
#[inline(never)]
fn unencodable(e: serde_json::Error) -> ApiError {
    ApiError::Server(e.to_string())
}

/// A shape we did not expect, as an error; apart from `parse`, so that its
/// formatting is in the wasm once.
#[inline(never)]
fn unexpected(e: serde_json::Error) -> ApiError {
    ApiError::Server(format!("unexpected answer: {e}"))
}
