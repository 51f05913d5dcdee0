//! The HTTP surface: the console (Leptos pages and server functions) with sessions, the IAM API
//! (`query_api`, on `POST /` and `GET /?Action=`), `/healthz`,
//! `/metrics`, the static site, and the middleware every request passes through (metrics,
//! security headers, and the Origin check that refuses cross-site state changes).

use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;
use app::ssr::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use tower_sessions::cookie::SameSite;
use tower_sessions::session_store::ExpiredDeletion;
use tower_sessions::{Expiry, SessionManagerLayer};

/// The name of the session cookie. `__Host-` requires `Secure`, which browsers only accept over
/// TLS, so plain-HTTP deployments (local development) use the unprefixed name.
pub fn session_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-gatehouse-session"
    } else {
        "gatehouse-session"
    }
}

/// The console's routes, generated once per process. Generating them renders the app with
/// resource loading suppressed through a process-wide flag: a resource first polled meanwhile, by a
/// page another router is serving, would never load, and its response would never end
/// (leptos-rs/leptos#4773). Once generated, building further routers (the tests build one per
/// test, concurrently) renders nothing.
fn route_list() -> &'static [AxumRouteListing] {
    static ROUTES: std::sync::OnceLock<Vec<AxumRouteListing>> = std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(app::App))
}

/// Builds the whole application router. Also starts the task that deletes expired sessions.
pub async fn build_router(state: AppState, session_idle: time::Duration) -> Result<Router> {
    let store = crate::sessions::Sessions::open(state.iam.clone()).await?;
    tokio::spawn(
        store
            .clone()
            .continuously_delete_expired(std::time::Duration::from_secs(300)),
    );
    let secure = state.console.secure_cookies;
    let sessions = SessionManagerLayer::new(store)
        .with_name(session_cookie_name(secure))
        .with_secure(secure)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        // The idle deadline is extended by saving the session, which the console does at most
        // once a minute per session (app::ssr's touch), not on every request.
        .with_expiry(Expiry::OnInactivity(session_idle));

    let options = state.leptos_options.clone();
    let routes = route_list().to_vec();
    let context_state = state.clone();
    let console = Router::new()
        .leptos_routes_with_context(
            &state,
            routes,
            move || {
                provide_context(context_state.clone());
                provide_context(app::ssr::RequestPrincipal::default());
            },
            {
                let options = options.clone();
                move || app::shell(options.clone())
            },
        )
        .layer(sessions);

    let origins = Arc::new(AllowedOrigin::new(&state.console.public_url));
    let router = Router::new()
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics))
        .merge(console)
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(app::shell))
        .layer(middleware::from_fn(server_fn_error_status))
        .layer(middleware::from_fn_with_state(origins, verify_origin))
        // The IAM API shares the port: its requests are signed, not cookie-borne, so they are
        // answered before the console's CSRF check, which they could not pass.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::query_api::route,
        ))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn_with_state(state.clone(), record_metrics))
        .with_state(state);
    Ok(router)
}

async fn healthz(State(state): State<AppState>) -> Response {
    match state.iam.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(err) => {
            tracing::warn!(error = %err, "health check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable\n").into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        state.metrics.render(),
    )
        .into_response()
}

async fn record_metrics(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let method = req.method().as_str().to_owned();
    let started = Instant::now();
    let response = next.run(req).await;
    state.metrics.record_request(
        &method,
        response.status().as_u16(),
        started.elapsed().as_secs_f64(),
    );
    response
}

/// Server functions answer every error with 500 and the error in the body. This gives each the
/// status it means (400 bad input, 401 not signed in, 403 access denied, 404, 409), so clients,
/// logs and metrics tell a refusal from a failure. Plain form posts are redirects, untouched.
async fn server_fn_error_status(req: Request, next: Next) -> Response {
    /// Error bodies are short; anything longer is left as it is.
    const MAX_ERROR_BODY: usize = 64 * 1024;
    let response = next.run(req).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response
            .headers()
            .contains_key(leptos::server_fn::error::SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, MAX_ERROR_BODY).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "error body too long\n").into_response();
    };
    if let Ok(error) = serde_json::from_slice::<app::error::AppError>(&bytes) {
        parts.status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

async fn security_headers(req: Request, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/pkg/");
    let mut response = next.run(req).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("frame-ancestors 'none'"),
    );
    if !is_asset {
        // Pages and server-function answers hold account data: never cache them.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// The origin state-changing requests must come from: the public URL's, or the one the
/// browser addressed (its Host header), so both localhost and 127.0.0.1 work locally.
struct AllowedOrigin {
    public: String,
    scheme: &'static str,
}

impl AllowedOrigin {
    fn new(public_url: &str) -> Self {
        let origin = origin_of(public_url).unwrap_or_default();
        let scheme = if origin.starts_with("https://") {
            "https"
        } else {
            "http"
        };
        Self {
            public: origin,
            scheme,
        }
    }

    fn allows(&self, origin: &str, host: Option<&str>) -> bool {
        origin == self.public || host.is_some_and(|h| origin == format!("{}://{h}", self.scheme))
    }
}

/// `scheme://host[:port]` of a URL.
fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    (!authority.is_empty() && matches!(scheme, "http" | "https")).then(|| format!("{scheme}://{authority}"))
}

/// CSRF defence on top of SameSite cookies: a request that can change state must name our own
/// origin in `Origin` (or, failing that, `Referer`). Requests that name neither are refused too.
async fn verify_origin(State(allowed): State<Arc<AllowedOrigin>>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let claimed = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .filter(|o| *o != "null")
        .map(str::to_owned)
        .or_else(|| {
            headers
                .get(header::REFERER)
                .and_then(|v| v.to_str().ok())
                .and_then(origin_of)
        });
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match claimed {
        Some(origin) if allowed.allows(&origin, host) => next.run(req).await,
        _ => (
            StatusCode::FORBIDDEN,
            "Cross-origin request refused: this request did not come from a Gatehouse page.\n",
        )
            .into_response(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origin_of_keeps_scheme_host_and_port_only() {
        assert_eq!(
            origin_of("http://127.0.0.1:3000/signin?x=1").as_deref(),
            Some("http://127.0.0.1:3000")
        );
        assert_eq!(
            origin_of("https://iam.example.com").as_deref(),
            Some("https://iam.example.com")
        );
        assert_eq!(origin_of("javascript:alert(1)"), None);
        assert_eq!(origin_of("ftp://x"), None);
    }

    #[test]
    fn allowed_origin_matches_public_url_or_addressed_host() {
        let allowed = AllowedOrigin::new("http://127.0.0.1:3000");
        assert!(allowed.allows("http://127.0.0.1:3000", None));
        assert!(allowed.allows("http://localhost:3000", Some("localhost:3000")));
        assert!(!allowed.allows("http://evil.example", Some("127.0.0.1:3000")));
        assert!(!allowed.allows("https://127.0.0.1:3000", Some("127.0.0.1:3000")));
    }
}
