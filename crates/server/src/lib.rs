//! The embedded server: the SIP auth REST API on SQLite, the console's
//! sign-in, and the built console's static files, on one origin.

pub mod activity;
pub mod auth;
pub mod body;
pub mod console;
pub mod db;
pub mod error;
pub mod export;
pub mod first_run;
pub mod headers;
pub mod kamailio;
pub mod migrate;
pub mod openapi;
pub mod operators;
pub mod paging;
pub mod paths;
pub mod plivo;
pub mod rate_limit;
pub mod secrets;
pub mod security;
pub mod service;
pub mod sip_events;
pub mod sql;
pub mod store;
pub mod twilio;
pub mod upstream;
pub mod vobiz;
pub mod zentrunk;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue};
use axum::serve::ListenerExt;
use axum::Router;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::normalize_path::NormalizePath;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::{SetResponseHeader, SetResponseHeaderLayer};
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

/// What `sipauth serve` was told.
#[derive(Debug, Clone)]
pub struct Settings {
    pub data_dir: PathBuf,
    /// The built console; not served when absent.
    pub dist: Option<PathBuf>,
    /// Realms are `<auth_id>.<sip_domain>`.
    pub sip_domain: String,
    /// The account `config.json` points the console at (default: the oldest).
    pub account: Option<String>,
    /// The provider API `config.json` tells the console to speak (the
    /// server answers all four).
    pub dialect: sipauth_model::Dialect,
    /// Requests a minute per account before 429 (0: no limit).
    pub rate_limit_per_minute: u32,
    /// Proxy mode: the API goes to this provider instead of the local store.
    pub upstream: Option<upstream::Upstream>,
    /// Each Kamailio's JSON-RPC URL, told to reload what it caches after
    /// every API write.
    pub kamailio_rpc: Vec<String>,
    /// The address operators open (`--public-url`); https makes the
    /// session cookie Secure and `__Host-`, sends HSTS, and opens sign-in
    /// to other machines.
    pub public_url: Option<String>,
    /// Reverse proxies whose `X-Forwarded-For` names the client
    /// (`--trusted-proxy`); without one, every client behind a proxy
    /// counts as the proxy's address.
    pub trusted_proxies: Vec<std::net::IpAddr>,
}

impl Settings {
    /// The client a request comes from: the peer, or, when the peer is a
    /// trusted proxy, the nearest address in `X-Forwarded-For` that is not
    /// one (the ones before it could be written by the client).
    pub fn client_ip(
        &self,
        peer: std::net::IpAddr,
        headers: &axum::http::HeaderMap,
    ) -> std::net::IpAddr {
        if !self.trusted_proxies.contains(&peer) {
            return peer;
        }
        headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
            .rev()
            .find(|a| !self.trusted_proxies.contains(a))
            .unwrap_or(peer)
    }

    /// Whether operators reach the console over TLS.
    pub fn https(&self) -> bool {
        self.public_url
            .as_deref()
            .is_some_and(|u| u.starts_with("https://"))
    }

    /// The session cookie's name: `__Host-` binds it to this origin over TLS.
    pub fn session_cookie(&self) -> &'static str {
        if self.https() {
            "__Host-sipauth_session"
        } else {
            auth::SESSION_COOKIE
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: db::Db,
    pub accounts: Arc<store::accounts::Cache>,
    /// Present with `--kamailio-rpc`.
    pub kamailio: Option<Arc<kamailio::Reloader>>,
    /// Where services raise what they changed.
    pub events: service::events::Events,
    pub settings: Arc<Settings>,
    /// API requests per account.
    pub limiter: Arc<rate_limit::RateLimiter>,
    /// Failed sign-ins per client source: past the budget, the source is
    /// refused for a while.
    pub sign_in_failures: Arc<rate_limit::FailureGuard>,
    /// Sign-in attempts per operator name, whatever the source: many
    /// addresses guessing one name are stopped too.
    pub sign_in_names: Arc<rate_limit::RateLimiter>,
    /// Failed API authentications per client source.
    pub auth_failures: Arc<rate_limit::FailureGuard>,
    /// Password checks that may run at once (each argon2 check holds
    /// 19 MiB): memory stays bounded whatever the sign-in load.
    pub password_checks: Arc<tokio::sync::Semaphore>,
    /// When each API key's last use was written (at most once a minute).
    pub key_uses: Arc<auth::KeyUses>,
    /// The first REGISTER of each registration Kamailio reported
    /// (`sip_events`), for "registered since".
    pub registered: Arc<sip_events::Registered>,
}

/// Password checks at once: one per core of the machine this targets.
pub const PASSWORD_CHECKS: usize = 2;

/// Failed sign-ins a minute from one address; past them the address is
/// refused (a right password too) until the budget gives one back.
/// Successful sign-ins do not count: an office behind one address signs in
/// as often as it needs to.
pub const SIGN_IN_FAILURES_PER_MINUTE: u32 = 10;

/// Sign-in attempts a minute for one operator name.
pub const SIGN_INS_PER_NAME_PER_MINUTE: u32 = 20;

/// Failed API authentications a minute from one client source.
pub const AUTH_FAILURES_PER_MINUTE: u32 = 30;

impl AppState {
    pub fn new(db: db::Db, settings: Settings) -> Self {
        // In memory on SQLite; in the store on PostgreSQL, shared by every
        // server on it (see rate_limit).
        let buckets = rate_limit::Buckets::of(&db);
        let limiter = Arc::new(buckets.limiter(rate_limit::API, settings.rate_limit_per_minute));
        let kamailio = (!settings.kamailio_rpc.is_empty())
            .then(|| kamailio::Reloader::start(settings.kamailio_rpc.clone(), db.clone()));
        let mut events = service::events::Events::default();
        if let Some(reloader) = kamailio.clone() {
            events.listen(move |e| {
                if e.cached_by_kamailio() {
                    reloader.changed();
                }
            });
        }
        let sign_in_failures = Arc::new(buckets.failure_guard(
            rate_limit::SIGN_IN,
            rate_limit::SIGN_IN_REFUSED,
            SIGN_IN_FAILURES_PER_MINUTE,
        ));
        let sign_in_names =
            Arc::new(buckets.limiter(rate_limit::NAME, SIGN_INS_PER_NAME_PER_MINUTE));
        let auth_failures = Arc::new(buckets.failure_guard(
            rate_limit::FAILURE,
            rate_limit::REFUSED,
            AUTH_FAILURES_PER_MINUTE,
        ));
        let key_uses = Arc::new(auth::KeyUses::default());
        // Buckets of keys not seen for a minute are forgotten.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let all = [&limiter, &sign_in_names].map(Arc::clone);
            let failures = [&auth_failures, &sign_in_failures].map(Arc::clone);
            let uses = key_uses.clone();
            runtime.spawn(async move {
                let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
                loop {
                    every.tick().await;
                    all.iter().for_each(|l| l.evict());
                    failures.iter().for_each(|f| f.evict());
                    uses.evict();
                    if let Err(e) = buckets.evict().await {
                        tracing::warn!(error = %e, "could not evict the shared rate-limit buckets");
                    }
                }
            });
        }
        Self {
            db,
            accounts: Arc::default(),
            kamailio,
            events,
            settings: Arc::new(settings),
            limiter,
            sign_in_failures,
            sign_in_names,
            auth_failures,
            password_checks: Arc::new(tokio::sync::Semaphore::new(PASSWORD_CHECKS)),
            key_uses,
            registered: Arc::default(),
        }
    }

    /// Whether the SIP side's views are served: with `--kamailio-rpc`,
    /// never in proxy mode (`config.json`'s `sip_insight`).
    pub fn sip_insight(&self) -> bool {
        self.kamailio.is_some() && self.settings.upstream.is_none()
    }
}

/// The whole HTTP application.
pub fn app(state: AppState) -> Router {
    let not_found = || async { error::ApiError::NotFound("resource") };
    let v1 = match &state.settings.upstream {
        Some(_) => Router::new().fallback(upstream::forward),
        None => plivo::router(state.clone())
            .merge(zentrunk::router(state.clone()))
            .merge(export::router(state.clone()))
            .method_not_allowed_fallback(|| async { error::ApiError::MethodNotAllowed })
            .fallback(not_found),
    };
    let mut router = Router::new()
        .nest("/v1", v1)
        .merge(console::router())
        .merge(operators::router())
        .merge(activity::router())
        .merge(openapi::router());
    if state.sip_insight() {
        router = router.merge(security::router());
    }
    if state.settings.upstream.is_some() {
        // Proxy mode forwards every dialect's routes (upstream::forward
        // decides which).
        router = router
            .nest("/2010-04-01", Router::new().fallback(upstream::forward))
            .nest("/api/v1", Router::new().fallback(upstream::forward));
    } else {
        let not_found = |uri: axum::extract::OriginalUri| async move {
            twilio::TwilioError::NotFound(uri.path().to_string())
        };
        router = router
            .nest(
                "/2010-04-01",
                twilio::router(state.clone())
                    .method_not_allowed_fallback(|| async { twilio::TwilioError::MethodNotAllowed })
                    .fallback(not_found),
            )
            .nest(
                "/api/v1",
                vobiz::router(state.clone())
                    .method_not_allowed_fallback(|| async { error::ApiError::MethodNotAllowed })
                    .fallback(|| async { error::ApiError::NotFound("resource") }),
            );
    }
    router = match &state.settings.dist {
        // Unknown paths get index.html: the console routes on the client.
        // The build writes each file's brotli and gzip copies beside it,
        // at strengths too slow for each request: sent as they are to a
        // client that takes them.
        // The answer depends on Accept-Encoding, which caches must know.
        Some(dist) => router.fallback_service(SetResponseHeader::if_not_present(
            ServeDir::new(dist)
                .precompressed_br()
                .precompressed_gzip()
                .fallback(
                    ServeFile::new(dist.join("index.html"))
                        .precompressed_br()
                        .precompressed_gzip(),
                ),
            header::VARY,
            HeaderValue::from_static("accept-encoding"),
        )),
        None => router.fallback(not_found),
    };
    if state.settings.https() {
        // A year, as browsers' preload lists ask.
        router = router.layer(SetResponseHeaderLayer::overriding(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000"),
        ));
    }
    let app = router
        .layer(DefaultBodyLimit::max(body::MAX_BODY_BYTES))
        .layer(axum::middleware::from_fn(headers::add))
        // API answers; the console's files come compressed (above) and
        // are left as they are.
        .layer(CompressionLayer::new())
        // Method and path only: headers (tokens, cookies) and bodies
        // (passwords) are never logged. Every request at DEBUG
        // (RUST_LOG=debug); at INFO the handlers log each change they make,
        // and a line per read would cost more than the read itself.
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::DEBUG))
                .on_response(DefaultOnResponse::new().level(Level::DEBUG)),
        )
        .with_state(state);
    // One trailing-slash policy: routes are declared without one and `/x/`
    // is `/x` (plivo documents paths ending in `/`; clients drop it). The
    // outer router records the URI as sent first, so proxy mode forwards
    // the path unchanged.
    Router::new().fallback_service(NormalizePath::trim_trailing_slash(app))
}

/// Binds, prints `listening on http://ADDR`, and serves until Ctrl-C or SIGTERM.
pub async fn serve(state: AppState, addr: SocketAddr) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    // Without TCP_NODELAY a response written in two parts (headers, then a
    // file body) waits 40 ms for the client's delayed ACK.
    let listener = listener.tap_io(|tcp| {
        let _ = tcp.set_nodelay(true);
    });
    println!("listening on http://{local}");
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
