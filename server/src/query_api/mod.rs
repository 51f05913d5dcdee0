//! The AWS-compatible IAM API (PRODUCT.md §6): the AWS Query protocol on `POST /` and
//! `GET /?Action=…`, on the console's port, signed with SigV4 using Gatehouse access keys, so the
//! aws CLI and boto3 work with `--endpoint-url`.
//!
//! A request is authenticated here (the key's holder, its secret, the signature), then handed to
//! the action's adapter in [`actions`], which calls the same `crates/iam` services, through the
//! same authorization point, as the console. Access-key requests carry no
//! `aws:MultiFactorAuthPresent`, as in AWS. Every authenticated call is in the event history with
//! its access key ID: changes by the services that make them, reads and refusals here.

mod actions;
mod qr_png;
pub mod sigv4;
mod wire;

use std::net::SocketAddr;

use app::ssr::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use gatehouse_iam::{Actor, RequestMeta};

pub use wire::{ApiError, Params};

/// The largest request body accepted. Policy documents, the largest parameters, are at most a
/// few kilobytes even URL-encoded.
const MAX_BODY: usize = 256 * 1024;

/// Whether a request is for the API rather than the console: a `POST /` (the console posts
/// elsewhere), or a `GET /` that names an `Action` or carries a presigned signature.
pub fn is_api_request(req: &Request) -> bool {
    if req.uri().path() != "/" {
        return false;
    }
    if req.method() == Method::POST {
        return true;
    }
    let signed = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("AWS4-"));
    signed
        || req.uri().query().is_some_and(|q| {
            q.split('&')
                .any(|p| p.starts_with("Action=") || p.starts_with("X-Amz-Signature="))
        })
}

/// Middleware in front of the console: API requests are answered here, the rest pass on.
pub async fn route(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if !is_api_request(&req) {
        return next.run(req).await;
    }
    handle(&state, req).await
}

async fn handle(state: &AppState, req: Request) -> Response {
    let request_id = new_request_id();
    let (parts, body) = req.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "RequestEntityTooLarge",
            format!("The request body exceeds {MAX_BODY} bytes."),
        )
        .into_response(wire::IAM_NAMESPACE, &request_id);
    };
    let query = parts.uri.query().unwrap_or_default();
    let params = Params::parse(query, &body);
    let action = params.get("Action").unwrap_or_default().to_owned();
    let namespace = if action == "GetCallerIdentity" {
        wire::STS_NAMESPACE
    } else {
        wire::IAM_NAMESPACE
    };
    let headers: Vec<(String, String)> = parts
        .headers
        .iter()
        .filter_map(|(n, v)| v.to_str().ok().map(|v| (n.as_str().to_owned(), v.to_owned())))
        .collect();
    // HTTP/1.1 clients send Host; a request that arrived as HTTP/2 has it in the URI only.
    let mut headers = headers;
    if !headers.iter().any(|(n, _)| n == "host") {
        if let Some(authority) = parts.uri.authority() {
            headers.push(("host".to_owned(), authority.to_string()));
        }
    }
    let signable = sigv4::Request {
        method: parts.method.as_str(),
        path: parts.uri.path(),
        query,
        headers: &headers,
        body: &body,
    };
    let iam = &state.iam;
    let holder = match authenticate(state, &signable, &action).await {
        Ok(holder) => holder,
        Err(err) => return err.into_response(namespace, &request_id),
    };
    let meta = RequestMeta {
        source_ip: parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|ConnectInfo(addr)| addr.ip().to_string()),
        user_agent: parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|ua| ua.chars().take(512).collect()),
        secure_transport: state.console.public_url.starts_with("https://"),
        console_session: None,
        access_key_id: Some(holder.key_id.clone()),
    };
    let mut principal = holder.principal;
    principal.request = meta.clone();
    let account = principal.account_id.clone();
    let call = actions::Call {
        iam,
        actor: Actor::Principal(principal),
        account,
        meta,
        params: &params,
    };
    let outcome = actions::run(&call, &action).await;
    call.record(&action, outcome.as_ref().err()).await;
    match outcome {
        Ok(result) => wire::success(&action, namespace, result.as_deref(), &request_id),
        Err(err) => err.into_response(namespace, &request_id),
    }
}

/// An authenticated request's key holder and key ID.
struct Authenticated {
    key_id: String,
    principal: gatehouse_iam::Principal,
}

/// Verifies the request's signature with the secret of the key it names, and records the key's
/// use. Any failure is one of AWS's authentication errors.
async fn authenticate(
    state: &AppState,
    req: &sigv4::Request<'_>,
    action: &str,
) -> Result<Authenticated, ApiError> {
    let auth_error = |e: sigv4::AuthError| {
        ApiError::new(
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::FORBIDDEN),
            e.code(),
            e.to_string(),
        )
    };
    let signed = sigv4::parse(req).map_err(auth_error)?;
    let key_id = signed.credential.access_key_id.clone();
    let holder = state
        .iam
        .access_key_holder(&key_id)
        .await
        .map_err(ApiError::from)?
        .ok_or_else(|| auth_error(sigv4::AuthError::InvalidClientTokenId))?;
    // STS's one action is signed for `sts`; everything else for `iam`.
    let service = if action == "GetCallerIdentity" {
        "sts"
    } else {
        "iam"
    };
    {
        use secrecy::ExposeSecret as _;
        signed
            .verify(req, holder.secret.expose_secret(), state.iam.now(), &[service])
            .map_err(auth_error)?;
    }
    state
        .iam
        .record_access_key_use(&key_id, service, &signed.credential.region)
        .await
        .map_err(ApiError::from)?;
    Ok(Authenticated {
        key_id,
        principal: holder.principal,
    })
}

/// A request ID in AWS's form (a random UUID).
fn new_request_id() -> String {
    use rand::RngCore as _;
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}
