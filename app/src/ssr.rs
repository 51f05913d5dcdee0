//! Server-side glue for the console: the application state handed to routes and server
//! functions, the session (sign-in state) helpers, request metadata and the metrics registry.
//! Server functions stay thin by calling these and the `gatehouse_iam` services.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use axum::extract::{ConnectInfo, FromRef};
use axum::http::request::Parts;
use gatehouse_iam::{Iam, Principal, RequestMeta, SessionAuth, SignInStage};
use leptos::prelude::*;
use tower_sessions::Session;

use crate::error::{internal, AppError};

/// Everything a request handler needs, built once at start-up.
#[derive(Clone)]
pub struct AppState {
    pub iam: Iam,
    pub leptos_options: LeptosOptions,
    pub console: Arc<ConsoleSettings>,
    pub metrics: Arc<Metrics>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

/// Console settings that come from the deployment's configuration.
#[derive(Clone, Debug)]
pub struct ConsoleSettings {
    /// The URL people reach Gatehouse at, without a trailing slash: `http://127.0.0.1:3000`.
    pub public_url: String,
    /// Sessions end this long after the password was verified, however active.
    pub session_absolute_timeout: time::Duration,
    /// Whether cookies carry `Secure` (Gatehouse is reached over TLS).
    pub secure_cookies: bool,
}

impl ConsoleSettings {
    /// The IAM users sign-in URL of an account, as the dashboard shows it.
    pub fn signin_url(&self, account: &str) -> String {
        format!("{}/signin/{}", self.public_url, account)
    }
}

/// The session key under which the sign-in state is stored.
const AUTH_KEY: &str = "gatehouse.auth";
/// The cookie that remembers the last account signed in to, to pre-fill the sign-in form.
pub const LAST_ACCOUNT_COOKIE: &str = "gatehouse-last-account";

#[track_caller]
pub fn state() -> Result<AppState, AppError> {
    let caller = std::panic::Location::caller();
    use_context::<AppState>().ok_or_else(|| internal(&Missing("application state", caller)))
}

#[track_caller]
fn parts() -> Result<Parts, AppError> {
    let caller = std::panic::Location::caller();
    use_context::<Parts>().ok_or_else(|| internal(&Missing("request parts", caller)))
}

async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| internal(&e))
}

/// Where the request came from, for the event history and the policy context. The transport
/// counts as secure when Gatehouse is published over https (TLS ends at its proxy).
pub fn request_meta() -> RequestMeta {
    let Ok(parts) = parts() else {
        return RequestMeta::default();
    };
    let secure_transport =
        use_context::<AppState>().is_some_and(|state| state.console.public_url.starts_with("https://"));
    RequestMeta {
        secure_transport,
        console_session: None,
        access_key_id: None,
        source_ip: parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string()),
        user_agent: parts
            .headers
            .get(axum::http::header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(512).collect()),
    }
}

/// The signed-in principal of this request, or `NotSignedIn`. A session past its absolute
/// timeout, or whose principal was disabled, deleted or signed out everywhere, is ended here.
pub async fn current_principal() -> Result<Principal, AppError> {
    let state = state()?;
    let meta = request_meta();
    // Server functions of one page render run concurrently: the first looks the principal up
    // while the others wait for it.
    let mut memo = match use_context::<RequestPrincipal>() {
        Some(memo) => Some(memo.0.lock_owned().await),
        None => None,
    };
    if let Some(Some(principal)) = memo.as_deref() {
        return Ok(principal.clone());
    }
    let session = session().await?;
    let auth: Option<SessionAuth> = session.get(AUTH_KEY).await.map_err(|e| internal(&e))?;
    let Some(auth) = auth else {
        return Err(AppError::NotSignedIn);
    };
    match auth.stage {
        SignInStage::SignedIn => {}
        // Half signed in: only the MFA code, then the forced password change, are reachable.
        SignInStage::MfaRequired { .. } => return Err(AppError::MfaCodeRequired),
        SignInStage::MustChangePassword { .. } => return Err(AppError::PasswordChangeRequired),
    }
    if auth.is_past_absolute_timeout(state.iam.now(), state.console.session_absolute_timeout) {
        session.flush().await.map_err(|e| internal(&e))?;
        return Err(AppError::NotSignedIn);
    }
    touch(&session, &state).await?;
    match state.iam.session_principal(&auth).await? {
        Some(principal) => {
            let principal = Principal {
                request: RequestMeta {
                    console_session: Some(gatehouse_iam::ConsoleSession {
                        mfa_authenticated_at: auth.mfa_authenticated_at,
                    }),
                    ..meta
                },
                ..principal
            };
            if let Some(memo) = memo.as_mut() {
                **memo = Some(principal.clone());
            }
            Ok(principal)
        }
        None => {
            session.flush().await.map_err(|e| internal(&e))?;
            Err(AppError::NotSignedIn)
        }
    }
}

/// The sign-in state of this session whatever its stage, for the steps of signing in (the
/// forced password change) and for changes that replace it (a password change). `NotSignedIn`
/// when there is none or it is past its absolute timeout.
pub async fn session_auth() -> Result<SessionAuth, AppError> {
    let state = state()?;
    let session = session().await?;
    let auth: Option<SessionAuth> = session.get(AUTH_KEY).await.map_err(|e| internal(&e))?;
    match auth {
        Some(auth)
            if !auth.is_past_absolute_timeout(state.iam.now(), state.console.session_absolute_timeout) =>
        {
            Ok(auth)
        }
        _ => Err(AppError::NotSignedIn),
    }
}

/// The session key holding when the idle deadline was last extended (Unix seconds).
const TOUCHED_KEY: &str = "gatehouse.touched";
/// How often a session's idle deadline is extended: a session is saved (and its cookie set) at
/// most once this often instead of on every request, so the idle timeout is exact to a minute.
const TOUCH_INTERVAL_SECONDS: i64 = 60;

/// Extends the session's idle deadline if it was last extended over a minute ago: writing the
/// session marks it changed, and the session layer saves it with a new expiry.
async fn touch(session: &Session, state: &AppState) -> Result<(), AppError> {
    let now = state.iam.now().unix_timestamp();
    let touched: Option<i64> = session.get(TOUCHED_KEY).await.map_err(|e| internal(&e))?;
    if touched.is_none_or(|t| now.saturating_sub(t) >= TOUCH_INTERVAL_SECONDS) {
        session.insert(TOUCHED_KEY, now).await.map_err(|e| internal(&e))?;
    }
    Ok(())
}

/// The signed-in principal as the actor of a service call, with its account. Server functions
/// take `state()` before awaiting this: a future that outlives its render (a page view rebuilt
/// during server rendering) can no longer reach the request's context after an await.
pub async fn actor() -> Result<(gatehouse_iam::Actor, gatehouse_iam::AccountId), AppError> {
    let principal = current_principal().await?;
    let account = principal.account_id.clone();
    Ok((gatehouse_iam::Actor::Principal(principal), account))
}

/// Whether the actor may perform `action` on `resource`: for showing or hiding a control only.
pub async fn allows(
    state: &AppState,
    actor: &gatehouse_iam::Actor,
    account: &gatehouse_iam::AccountId,
    action: &str,
    resource: &str,
) -> Result<bool, AppError> {
    Ok(state.iam.allows(actor, action, resource, account).await?)
}

/// An ARN pattern of the account, such as `arn:aws:iam::123456789012:user/*`.
pub fn account_arn(state: &AppState, account: &gatehouse_iam::AccountId, rest: &str) -> String {
    format!("arn:{}:iam::{account}:{rest}", state.iam.partition().as_str())
}

/// An optional path field: empty means `/`.
pub fn parse_path(path: Option<String>) -> Result<gatehouse_iam::IamPath, AppError> {
    match path.as_deref().map(str::trim) {
        None | Some("") => Ok(gatehouse_iam::IamPath::default()),
        Some(p) => Ok(p.parse()?),
    }
}

/// Parses every name of a list, refusing the whole list on the first bad one.
pub fn parse_all<T>(names: Vec<String>) -> Result<Vec<T>, AppError>
where
    T: std::str::FromStr<Err = gatehouse_iam::Error>,
{
    names
        .iter()
        .map(|n| n.trim().parse::<T>().map_err(AppError::from))
        .collect()
}

pub use crate::api::url_encode;

/// A time as the console lists it: `2026-11-23 14:05 UTC`.
pub fn display_time(t: time::OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

/// Whole days from `t` until now.
pub fn days_since(state: &AppState, t: time::OffsetDateTime) -> i64 {
    (state.iam.now() - t).whole_days()
}

/// Puts a value in the session, under `key`.
pub async fn session_put<T: serde::Serialize + Send + Sync>(key: &str, value: &T) -> Result<(), AppError> {
    session()
        .await?
        .insert(key, value)
        .await
        .map_err(|e| internal(&e))
}

/// Takes a value out of the session: it is removed as it is read.
pub async fn session_take<T: serde::de::DeserializeOwned>(key: &str) -> Result<Option<T>, AppError> {
    session().await?.remove(key).await.map_err(|e| internal(&e))
}

/// Starts the signed-in session under a new session ID (a fixed ID could have been planted).
pub async fn begin_session(auth: &SessionAuth) -> Result<(), AppError> {
    if let Some(memo) = use_context::<RequestPrincipal>() {
        memo.clear().await;
    }
    let session = session().await?;
    // A request that came without a session ID has none to renew: its session is stored under a
    // fresh random ID when saved. (Renewing it would delete a row that never existed: a round trip
    // to Postgres at every sign-in.) An ID the request came with, known or not, is replaced.
    if session.id().is_some() {
        session.cycle_id().await.map_err(|e| internal(&e))?;
    }
    session.insert(AUTH_KEY, auth).await.map_err(|e| internal(&e))?;
    session
        .insert(TOUCHED_KEY, auth.authenticated_at)
        .await
        .map_err(|e| internal(&e))?;
    Ok(())
}

/// Starts the session of a sign-in step that succeeded (`begin_session`), and hands what the
/// success writes to the session store, which records it in the statement that stores the new
/// session (`gatehouse_iam::SignInSuccess`). Should the session not be stored, neither is the
/// sign-in, and the person is not signed in.
pub async fn begin_signed_in_session(
    auth: &SessionAuth,
    success: Option<gatehouse_iam::SignInSuccess>,
) -> Result<(), AppError> {
    begin_session(auth).await?;
    if let Some(success) = success {
        session()
            .await?
            .insert(gatehouse_iam::SignInSuccess::SESSION_KEY, success)
            .await
            .map_err(|e| internal(&e))?;
    }
    Ok(())
}

/// Where a session goes once a sign-in step is done: the next step (MFA code, forced password
/// change), or the console; a user whose policies demand MFA and who signed in without it goes
/// straight to assigning an MFA device. `signed_in` is the principal when the caller has just
/// read it (a sign-in), which spares looking it up again.
pub async fn landing_page(
    auth: &SessionAuth,
    signed_in: Option<&Principal>,
) -> Result<&'static str, AppError> {
    Ok(match auth.stage {
        SignInStage::MfaRequired { .. } => "/mfa",
        SignInStage::MustChangePassword { .. } => "/change-password",
        SignInStage::SignedIn if auth.mfa_authenticated_at.is_none() => {
            let state = state()?;
            let principal = match signed_in {
                Some(principal) => Some(principal.clone()),
                None => state.iam.session_principal(auth).await?,
            };
            match principal {
                Some(principal) if state.iam.mfa_required_by_policy(&principal).await? => {
                    "/security-credentials?mfa=required"
                }
                _ => "/",
            }
        }
        SignInStage::SignedIn => "/",
    })
}

/// Ends this session: the store row is deleted and the cookie removed.
pub async fn end_session() -> Result<(), AppError> {
    if let Some(memo) = use_context::<RequestPrincipal>() {
        memo.clear().await;
    }
    session().await?.flush().await.map_err(|e| internal(&e))
}

/// The signed-in principal of the request being served, once looked up: a page render runs
/// several server functions, and each would otherwise read the session and the principal again.
/// The server provides a fresh one to every request; sign-in and sign-out clear it.
#[derive(Clone, Default)]
pub struct RequestPrincipal(Arc<tokio::sync::Mutex<Option<Principal>>>);

impl RequestPrincipal {
    /// Forgets the principal (sign-in and sign-out change who is signed in).
    async fn clear(&self) {
        *self.0.lock().await = None;
    }
}

/// The value of a request cookie.
pub fn request_cookie(name: &str) -> Option<String> {
    let parts = parts().ok()?;
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// Adds a `Set-Cookie` to the response. `value` must already be cookie-safe.
pub fn set_cookie(name: &str, value: &str, max_age_seconds: i64) {
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    let secure = state().map(|s| s.console.secure_cookies).unwrap_or(true);
    let cookie = format!(
        "{name}={value}; Path=/; Max-Age={max_age_seconds}; HttpOnly; SameSite=Lax{}",
        if secure { "; Secure" } else { "" }
    );
    if let Ok(header) = axum::http::HeaderValue::from_str(&cookie) {
        response.append_header(axum::http::header::SET_COOKIE, header);
    }
}

/// A context value that should have been provided, and the code that looked for it.
#[derive(Debug)]
struct Missing(&'static str, &'static std::panic::Location<'static>);

impl std::fmt::Display for Missing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} missing from the request context (looked for at {})",
            self.0, self.1
        )
    }
}

impl std::error::Error for Missing {}

/// Counters and a latency histogram, rendered in the Prometheus text format at `/metrics`.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    latency_buckets: [AtomicU64; LATENCY_BUCKETS.len()],
    latency_count: AtomicU64,
    latency_sum_micros: AtomicU64,
    sign_ins: Mutex<BTreeMap<(&'static str, &'static str), u64>>,
}

const LATENCY_BUCKETS: [f64; 10] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

impl Metrics {
    pub fn record_request(&self, method: &str, status: u16, seconds: f64) {
        if let Ok(mut map) = self.requests.lock() {
            *map.entry((method.to_owned(), status)).or_default() += 1;
        }
        for (bucket, bound) in self.latency_buckets.iter().zip(LATENCY_BUCKETS) {
            if seconds <= bound {
                bucket.fetch_add(1, Ordering::Relaxed);
            }
        }
        self.latency_count.fetch_add(1, Ordering::Relaxed);
        self.latency_sum_micros
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    /// `kind` is `root` or `iam_user`; `result` is `success` or `failure`.
    pub fn record_sign_in(&self, kind: &'static str, result: &'static str) {
        if let Ok(mut map) = self.sign_ins.lock() {
            *map.entry((kind, result)).or_default() += 1;
        }
    }

    pub fn render(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        out.push_str("# HELP gatehouse_http_requests_total HTTP requests served, by method and status.\n");
        out.push_str("# TYPE gatehouse_http_requests_total counter\n");
        if let Ok(map) = self.requests.lock() {
            for ((method, status), n) in map.iter() {
                let _ = writeln!(
                    out,
                    "gatehouse_http_requests_total{{method=\"{method}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str("# HELP gatehouse_http_request_duration_seconds Time to answer HTTP requests.\n");
        out.push_str("# TYPE gatehouse_http_request_duration_seconds histogram\n");
        for (bucket, bound) in self.latency_buckets.iter().zip(LATENCY_BUCKETS) {
            let _ = writeln!(
                out,
                "gatehouse_http_request_duration_seconds_bucket{{le=\"{bound}\"}} {}",
                bucket.load(Ordering::Relaxed)
            );
        }
        let count = self.latency_count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "gatehouse_http_request_duration_seconds_bucket{{le=\"+Inf\"}} {count}"
        );
        let _ = writeln!(
            out,
            "gatehouse_http_request_duration_seconds_sum {}",
            self.latency_sum_micros.load(Ordering::Relaxed) as f64 / 1e6
        );
        let _ = writeln!(out, "gatehouse_http_request_duration_seconds_count {count}");
        out.push_str(
            "# HELP gatehouse_sign_ins_total Console sign-in attempts, by principal kind and result.\n",
        );
        out.push_str("# TYPE gatehouse_sign_ins_total counter\n");
        if let Ok(map) = self.sign_ins.lock() {
            for ((kind, result), n) in map.iter() {
                let _ = writeln!(
                    out,
                    "gatehouse_sign_ins_total{{kind=\"{kind}\",result=\"{result}\"}} {n}"
                );
            }
        }
        out
    }
}
