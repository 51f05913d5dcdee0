//! The dashboard's summary, Account settings (the alias) and the Event history.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub users: i64,
    pub groups: i64,
    pub customer_policies: i64,
    pub console_users: i64,
    pub console_users_without_mfa: i64,
    pub root_has_mfa: bool,
    pub disabled_users: i64,
    pub old_access_keys: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRow {
    pub id: i64,
    pub time: String,
    pub name: String,
    pub source: String,
    pub actor: String,
    pub source_ip: String,
    pub outcome: String,
    pub error_code: Option<String>,
    pub resource: String,
    pub request: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventsPage {
    pub events: Vec<EventRow>,
    /// The `before` of the next (older) page.
    pub next: Option<String>,
}

/// The dashboard's counts, authorized as `iam:GetAccountSummary`.
#[server(prefix = "/api", endpoint = "account_summary")]
pub async fn account_summary() -> Result<Summary, AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let s = state.iam.account_summary(&actor, &account).await?;
    Ok(Summary {
        users: s.users,
        groups: s.groups,
        customer_policies: s.customer_policies,
        console_users: s.console_users,
        console_users_without_mfa: s.console_users_without_mfa,
        root_has_mfa: s.root_has_mfa,
        disabled_users: s.disabled_users,
        old_access_keys: s.old_access_keys,
    })
}

/// Sets the account alias (`iam:CreateAccountAlias`); an empty alias removes it
/// (`iam:DeleteAccountAlias`).
#[server(prefix = "/api", endpoint = "set_account_alias")]
pub async fn set_account_alias(alias: String) -> Result<(), AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let iam = state.iam.clone();
    let alias = alias.trim();
    if alias.is_empty() {
        iam.delete_account_alias(&actor, &account, &request_meta())
            .await?;
    } else {
        iam.set_account_alias(&actor, &account, &alias.parse()?, &request_meta())
            .await?;
    }
    Ok(())
}

/// A page of the event history, newest first. `since`/`until` are dates (`2026-11-23`);
/// `before` is the previous page's `next`.
#[server(prefix = "/api", endpoint = "list_events")]
pub async fn list_events(
    who: Option<String>,
    event_name: Option<String>,
    since: Option<String>,
    until: Option<String>,
    before: Option<String>,
) -> Result<EventsPage, AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let date = |field: &'static str, value: Option<String>, end: bool| -> Result<_, AppError> {
        let Some(v) = value.filter(|v| !v.trim().is_empty()) else {
            return Ok(None);
        };
        let bad = || AppError::Invalid {
            field: field.into(),
            message: "Enter a date as YYYY-MM-DD.".into(),
        };
        let parts: Vec<&str> = v.trim().split('-').collect();
        let [y, m, d] = parts[..] else { return Err(bad()) };
        let month: u8 = m.parse().map_err(|_| bad())?;
        let day = time::Date::from_calendar_date(
            y.parse().map_err(|_| bad())?,
            time::Month::try_from(month).map_err(|_| bad())?,
            d.parse().map_err(|_| bad())?,
        )
        .map_err(|_| bad())?;
        let day = if end { day.next_day().unwrap_or(day) } else { day };
        Ok(Some(day.midnight().assume_utc()))
    };
    let before = match before.filter(|b| !b.is_empty()) {
        None => None,
        Some(b) => {
            let bad = || AppError::Invalid {
                field: "before".into(),
                message: "This page link is not valid; start again from the first page.".into(),
            };
            let (nanos, id) = b.split_once('_').ok_or_else(bad)?;
            let nanos: i128 = nanos.parse().map_err(|_| bad())?;
            let time = time::OffsetDateTime::from_unix_timestamp_nanos(nanos).map_err(|_| bad())?;
            Some((time, id.parse().map_err(|_| bad())?))
        }
    };
    let query = gatehouse_iam::EventQuery {
        who,
        event_name,
        since: date("since", since, false)?,
        until: date("until", until, true)?,
        before,
        limit: 50,
    };
    let page = state.iam.search_events(&actor, &account, &query).await?;
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    Ok(EventsPage {
        next: page
            .next
            .map(|(t, id)| format!("{}_{id}", t.unix_timestamp_nanos())),
        events: page
            .events
            .into_iter()
            .map(|e| EventRow {
                id: e.event_id,
                time: display_time(e.event_time),
                name: e.event_name,
                source: e.event_source,
                actor: e.actor_arn.or(e.actor_detail).unwrap_or_else(|| "—".into()),
                source_ip: e.source_ip.unwrap_or_else(|| "—".into()),
                outcome: e.outcome,
                error_code: e.error_code,
                resource: e.resource_arn.unwrap_or_else(|| "—".into()),
                request: pretty(&e.request),
                before: e.before_state.as_ref().map(pretty),
                after: e.after_state.as_ref().map(pretty),
            })
            .collect(),
    })
}

/// The state of the account's credential report, for the Credential report page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportStatus {
    /// When the report a download would give now was made; `None` when there is none under four
    /// hours old (a download makes one).
    pub generated: Option<String>,
    pub can_download: bool,
}

#[server(prefix = "/api", endpoint = "credential_report_status")]
pub async fn credential_report_status() -> Result<ReportStatus, AppError> {
    use crate::ssr::*;
    let state = state()?;
    let (actor, account) = actor().await?;
    let generated = match state.iam.get_credential_report(&actor, &account).await {
        Ok(report) => Some(display_time(report.generated_at)),
        Err(gatehouse_iam::Error::NotFound { .. }) => None,
        Err(gatehouse_iam::Error::AccessDenied { .. }) => {
            return Ok(ReportStatus {
                generated: None,
                can_download: false,
            })
        }
        Err(e) => return Err(e.into()),
    };
    let can_download = allows(&state, &actor, &account, "iam:GenerateCredentialReport", "*").await?
        && allows(&state, &actor, &account, "iam:GetCredentialReport", "*").await?;
    Ok(ReportStatus {
        generated,
        can_download,
    })
}

/// The credential report as a CSV file download (`GET /api/credential_report`): the last report
/// if it is under four hours old, else a new one (AWS GenerateCredentialReport, then
/// GetCredentialReport).
#[server(
    prefix = "/api",
    endpoint = "credential_report",
    input = leptos::server_fn::codec::GetUrl,
    output = leptos::server_fn::codec::StreamingText
)]
pub async fn download_credential_report() -> Result<leptos::server_fn::codec::TextStream<AppError>, AppError>
{
    use crate::ssr::*;
    use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
    use axum::http::HeaderValue;
    let state = state()?;
    let (actor, account) = actor().await?;
    state.iam.generate_credential_report(&actor, &account).await?;
    let report = state.iam.get_credential_report(&actor, &account).await?;
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.insert_header(CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
        let file = format!("attachment; filename=\"credential-report-{account}.csv\"");
        if let Ok(value) = HeaderValue::from_str(&file) {
            response.insert_header(CONTENT_DISPOSITION, value);
        }
        response.insert_header(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(leptos::server_fn::codec::TextStream::from(
        futures_util::stream::once(std::future::ready(report.csv)),
    ))
}
