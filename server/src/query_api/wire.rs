//! The AWS Query protocol on the wire: form-encoded parameters in (with `.member.N` lists and
//! `.entry.N.key/value` maps), XML out, and errors in AWS's `ErrorResponse` shape.

use std::collections::HashMap;
use std::fmt::Write as _;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use gatehouse_iam::Error;

/// The IAM API's XML namespace (API version 2010-05-08).
pub const IAM_NAMESPACE: &str = "https://iam.amazonaws.com/doc/2010-05-08/";
/// STS's, for GetCallerIdentity.
pub const STS_NAMESPACE: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// A request's parameters by name. AWS names are case-sensitive.
#[derive(Debug, Default)]
pub struct Params {
    values: HashMap<String, String>,
}

impl Params {
    /// Parameters from a form-encoded body and a query string together (the query's own
    /// signing parameters left out).
    pub fn parse(query: &str, body: &[u8]) -> Self {
        let mut values = HashMap::new();
        for (k, v) in form_urlencoded::parse(query.as_bytes()).chain(form_urlencoded::parse(body)) {
            if !k.starts_with("X-Amz-") {
                values.insert(k.into_owned(), v.into_owned());
            }
        }
        Self { values }
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// A required parameter; its absence is AWS's ValidationError.
    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name).ok_or_else(|| {
            ApiError::validation(format!(
                "1 validation error detected: Value null at '{}' failed to satisfy constraint: Member must not be null",
                lower_first(name)
            ))
        })
    }

    /// A boolean parameter (`true`/`false`), `default` when absent.
    pub fn flag(&self, name: &str, default: bool) -> Result<bool, ApiError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(ApiError::validation(format!(
                "Value '{v}' at '{}' failed to satisfy constraint: Member must be true or false",
                lower_first(name)
            ))),
        }
    }

    /// `Name.member.1`, `Name.member.2`, … in order, up to the first gap.
    pub fn list(&self, name: &str) -> Vec<&str> {
        (1..)
            .map_while(|i| self.get(&format!("{name}.member.{i}")))
            .collect()
    }

    /// A list of structures: `Name.member.N.<field>` for each N, as maps of field to value.
    pub fn structs(&self, name: &str, fields: &[&str]) -> Vec<HashMap<String, String>> {
        let mut out = Vec::new();
        for i in 1.. {
            let prefix = format!("{name}.member.{i}.");
            let item: HashMap<String, String> = fields
                .iter()
                .filter_map(|f| {
                    self.get(&format!("{prefix}{f}"))
                        .map(|v| ((*f).to_owned(), v.to_owned()))
                })
                .collect();
            // Multi-valued fields (e.g. ContextKeyValues.member.N) count as presence too.
            let nested = self.values.keys().any(|k| k.starts_with(&prefix));
            if item.is_empty() && !nested {
                break;
            }
            out.push(item);
        }
        out
    }

    /// Pagination: `Marker` (from a previous page's response) and `MaxItems` (1–1000, default 100).
    pub fn page(&self) -> Result<(Option<&str>, u32), ApiError> {
        let max = match self.get("MaxItems") {
            None => 100,
            Some(v) => match v.parse::<u32>() {
                Ok(n) if (1..=1000).contains(&n) => n,
                _ => {
                    return Err(ApiError::validation(format!(
                        "1 validation error detected: Value '{v}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 1000"
                    )))
                }
            },
        };
        Ok((self.get("Marker").filter(|m| !m.is_empty()), max))
    }
}

fn lower_first(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
        .unwrap_or_default()
}

/// An API error: AWS's code, HTTP status and message.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
        }
    }

    pub fn validation(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "ValidationError", message)
    }

    pub fn invalid_input(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidInput", message)
    }

    /// `Sender` errors are the caller's; `Receiver` ones are ours.
    fn fault(&self) -> &'static str {
        if self.status.is_server_error() {
            "Receiver"
        } else {
            "Sender"
        }
    }

    /// The `ErrorResponse` document.
    pub fn into_response(self, namespace: &str, request_id: &str) -> Response {
        let mut body = String::with_capacity(256);
        let _ = write!(
            body,
            "<ErrorResponse xmlns=\"{namespace}\"><Error><Type>{}</Type><Code>{}</Code><Message>{}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>",
            self.fault(),
            self.code,
            escape(&self.message)
        );
        xml_response(self.status, body, request_id)
    }
}

impl From<Error> for ApiError {
    /// The domain's errors with AWS's codes, statuses and wording.
    fn from(err: Error) -> Self {
        use StatusCode as S;
        match err {
            Error::Invalid { .. } => Self::validation(err.to_string()),
            Error::PasswordPolicy(_) => Self::new(S::BAD_REQUEST, "PasswordPolicyViolation", err.to_string()),
            Error::NotFound {
                kind: "credential report",
                name,
            } => {
                if name.contains("expired") {
                    Self::new(S::GONE, "ReportExpired", "The credential report has expired. Generate a new one with GenerateCredentialReport.")
                } else {
                    Self::new(S::GONE, "ReportNotPresent", "Credential report does not exist. Use GenerateCredentialReport to generate a report.")
                }
            }
            Error::NotFound { kind, name } => Self::new(S::NOT_FOUND, "NoSuchEntity", not_found(kind, &name)),
            Error::AlreadyExists { kind, name } => {
                Self::new(S::CONFLICT, "EntityAlreadyExists", already_exists(kind, &name))
            }
            Error::LimitExceeded { quota, limit } => Self::new(
                S::CONFLICT,
                "LimitExceeded",
                format!("Cannot exceed quota for {quota}: {limit}"),
            ),
            Error::DeleteConflict(reason) => Self::new(S::CONFLICT, "DeleteConflict", reason),
            Error::MalformedPolicyDocument(reason) => {
                Self::new(S::BAD_REQUEST, "MalformedPolicyDocument", reason)
            }
            Error::AccessDenied { .. } => Self::new(S::FORBIDDEN, "AccessDenied", err.to_string()),
            Error::AuthenticationFailed | Error::PasswordExpired => Self::new(
                S::FORBIDDEN,
                "AccessDenied",
                "The old password is incorrect or the password has expired.",
            ),
            Error::SetupLinkInvalid | Error::SetupAlreadyDone => Self::invalid_input(err.to_string()),
            Error::Internal(source) => {
                let id = gatehouse_iam::generate_error_id();
                tracing::error!(error_id = %id, error = %source, "internal error in the IAM API");
                Self::new(
                    S::INTERNAL_SERVER_ERROR,
                    "ServiceFailure",
                    format!("The request processing has failed because of an unknown error (error ID {id})."),
                )
            }
        }
    }
}

/// AWS's NoSuchEntity wording.
fn not_found(kind: &str, name: &str) -> String {
    match kind {
        "user" | "group" => format!("The {kind} with name {name} cannot be found."),
        "policy" => format!("Policy {name} does not exist or is not attachable."),
        "access key" => {
            let id = name.split(" of ").next().unwrap_or(name);
            format!("The Access Key with id {id} cannot be found.")
        }
        "login profile" => format!("Login Profile for User {name} cannot be found."),
        "MFA device" => format!("MFA Device with serial number {name} does not exist."),
        _ => format!("The {kind} {name} cannot be found."),
    }
}

/// AWS's EntityAlreadyExists wording.
fn already_exists(kind: &str, name: &str) -> String {
    match kind {
        "user" => format!("User with name {name} already exists."),
        "group" => format!("Group with name {name} already exists."),
        "policy" => format!("A policy called {name} already exists. Duplicate names are not allowed."),
        _ => format!("The {kind} {name} already exists."),
    }
}

/// A successful response: `<{Action}Response><{Action}Result>…</…Result><ResponseMetadata>…`.
/// `result` is the Result element's content; `None` for actions that return nothing.
pub fn success(action: &str, namespace: &str, result: Option<&str>, request_id: &str) -> Response {
    let mut body = String::with_capacity(256 + result.map_or(0, str::len));
    let _ = write!(body, "<{action}Response xmlns=\"{namespace}\">");
    if let Some(result) = result {
        let _ = write!(body, "<{action}Result>{result}</{action}Result>");
    }
    let _ = write!(
        body,
        "<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata></{action}Response>"
    );
    xml_response(StatusCode::OK, body, request_id)
}

fn xml_response(status: StatusCode, body: String, request_id: &str) -> Response {
    let mut response = (status, [(header::CONTENT_TYPE, "text/xml")], body).into_response();
    if let Ok(id) = request_id.parse() {
        response.headers_mut().insert("x-amzn-RequestId", id);
    }
    response
}

/// Text for XML content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
    out
}

/// Builds a Result element's content.
#[derive(Default)]
pub struct Xml {
    out: String,
}

impl Xml {
    pub fn new() -> Self {
        Self::default()
    }

    /// Text already escaped (a string list's member).
    pub fn raw(&mut self, escaped: &str) -> &mut Self {
        self.out.push_str(escaped);
        self
    }

    /// `<tag>text</tag>`, escaped.
    pub fn leaf(&mut self, tag: &str, text: &str) -> &mut Self {
        let _ = write!(self.out, "<{tag}>{}</{tag}>", escape(text));
        self
    }

    pub fn leaf_opt(&mut self, tag: &str, text: Option<&str>) -> &mut Self {
        if let Some(text) = text {
            self.leaf(tag, text);
        }
        self
    }

    pub fn time(&mut self, tag: &str, at: time::OffsetDateTime) -> &mut Self {
        self.leaf(tag, &iso8601(at))
    }

    pub fn flag(&mut self, tag: &str, value: bool) -> &mut Self {
        self.leaf(tag, if value { "true" } else { "false" })
    }

    pub fn number(&mut self, tag: &str, value: impl std::fmt::Display) -> &mut Self {
        let _ = write!(self.out, "<{tag}>{value}</{tag}>");
        self
    }

    /// `<tag>` … `</tag>` around what `inner` writes.
    pub fn node(&mut self, tag: &str, inner: impl FnOnce(&mut Self)) -> &mut Self {
        let _ = write!(self.out, "<{tag}>");
        inner(self);
        let _ = write!(self.out, "</{tag}>");
        self
    }

    /// `<tag><member>…</member>…</tag>` with one member per item.
    pub fn members<T>(
        &mut self,
        tag: &str,
        items: impl IntoIterator<Item = T>,
        mut each: impl FnMut(&mut Self, T),
    ) -> &mut Self {
        let _ = write!(self.out, "<{tag}>");
        for item in items {
            self.out.push_str("<member>");
            each(self, item);
            self.out.push_str("</member>");
        }
        let _ = write!(self.out, "</{tag}>");
        self
    }

    /// `IsTruncated` and, when there is a next page, its `Marker`.
    pub fn page(&mut self, next: Option<&str>) -> &mut Self {
        self.flag("IsTruncated", next.is_some());
        self.leaf_opt("Marker", next);
        self
    }

    pub fn finish(self) -> String {
        self.out
    }
}

/// AWS's timestamp format: ISO 8601 in UTC with a `Z`.
pub fn iso8601(at: time::OffsetDateTime) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    at.to_offset(time::UtcOffset::UTC)
        .format(&format)
        .unwrap_or_default()
}

/// A policy document as AWS returns it in XML: URL-encoded.
pub fn url_encoded(document: &str) -> String {
    percent_encoding::utf8_percent_encode(document, percent_encoding::NON_ALPHANUMERIC).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_lists_stop_at_the_first_gap() {
        let p = Params::parse("", b"Names.member.1=a&Names.member.2=b&Names.member.4=d");
        assert_eq!(p.list("Names"), vec!["a", "b"]);
    }

    #[test]
    fn query_and_body_parameters_merge_without_signing_parameters() {
        let p = Params::parse("Action=ListUsers&X-Amz-Signature=x", b"Version=2010-05-08");
        assert_eq!(p.get("Action"), Some("ListUsers"));
        assert_eq!(p.get("Version"), Some("2010-05-08"));
        assert_eq!(p.get("X-Amz-Signature"), None);
    }

    #[test]
    fn max_items_must_be_between_1_and_1000() {
        assert_eq!(Params::parse("", b"").page().ok().map(|p| p.1), Some(100));
        assert!(Params::parse("", b"MaxItems=0").page().is_err());
        assert!(Params::parse("", b"MaxItems=1001").page().is_err());
        assert_eq!(
            Params::parse("", b"MaxItems=7&Marker=m").page().ok(),
            Some((Some("m"), 7))
        );
    }

    #[test]
    fn xml_text_is_escaped() {
        assert_eq!(escape("a<b>&\"c'"), "a&lt;b&gt;&amp;&quot;c&apos;");
    }

    #[test]
    fn domain_errors_get_aws_codes_and_wording() {
        let e = ApiError::from(Error::NotFound {
            kind: "user",
            name: "bob".into(),
        });
        assert_eq!((e.status.as_u16(), e.code), (404, "NoSuchEntity"));
        assert_eq!(e.message, "The user with name bob cannot be found.");
        let e = ApiError::from(Error::LimitExceeded {
            quota: "AccessKeysPerUser",
            limit: 2,
        });
        assert_eq!((e.status.as_u16(), e.code), (409, "LimitExceeded"));
        assert_eq!(e.message, "Cannot exceed quota for AccessKeysPerUser: 2");
    }
}
