//! The event history: every change and every sign-in attempt, appended in the same transaction
//! as the change it records. The table refuses updates and deletes (see the migration).

use serde::Serialize;
use serde_json::Value;
use sqlx::PgConnection;
use time::OffsetDateTime;

use crate::{AccountId, Actor, Iam, Result};

/// Where a request came from, for the event history and the policy context (`aws:SourceIp`,
/// `aws:UserAgent`, `aws:SecureTransport`). Never holds secrets.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestMeta {
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    /// Whether the request reached Gatehouse over TLS (its public URL is https).
    pub secure_transport: bool,
    /// Set for requests of a console session: whether (and when) it signed in with MFA, for
    /// `aws:MultiFactorAuthPresent` and `aws:MultiFactorAuthAge`. Absent elsewhere, as in AWS
    /// for long-term credentials.
    pub console_session: Option<ConsoleSession>,
    /// Set for IAM API requests: the access key that signed the request. Events of such a
    /// request are recorded with source `api` and the key ID, so an administrator can tell which
    /// of a user's keys made a change.
    pub access_key_id: Option<String>,
}

/// What the policy context needs to know of a console session.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ConsoleSession {
    /// Unix seconds when the session proved an MFA code; `None` when it signed in without.
    pub mfa_authenticated_at: Option<i64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Success,
    Failure,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    Signin,
    Console,
    Cli,
    Setup,
    /// The AWS-compatible IAM API (SigV4-signed requests).
    Api,
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Self::Signin => "signin",
            Self::Console => "console",
            Self::Cli => "cli",
            Self::Setup => "setup",
            Self::Api => "api",
        }
    }
}

/// One event to append.
pub(crate) struct NewEvent<'a> {
    pub account_id: Option<&'a AccountId>,
    pub source: Source,
    pub name: &'a str,
    pub actor_arn: Option<String>,
    pub actor_detail: Option<String>,
    pub meta: &'a RequestMeta,
    pub outcome: Outcome,
    pub error_code: Option<&'static str>,
    pub resource_arn: Option<String>,
    pub request: Value,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

/// Appends an event in the caller's transaction: it commits when the change it records does.
pub(crate) async fn append(conn: &mut PgConnection, e: NewEvent<'_>) -> Result<()> {
    insert(conn, e, None).await
}

/// Appends an event in a statement of its own whose commit does not wait for the WAL flush;
/// only for records of calls that changed nothing (see [`Iam::record_api_call`]).
pub(crate) async fn append_without_waiting_for_disk(conn: &mut PgConnection, e: NewEvent<'_>) -> Result<()> {
    insert(conn, e, Some("off")).await
}

/// An event's column values as stored: what [`insert`] writes, and what a service that records
/// its change within the change's own statement (see `users.rs`) binds.
pub(crate) struct EventRow<'a> {
    pub account_id: Option<&'a str>,
    pub source: &'static str,
    pub name: &'a str,
    pub actor_arn: Option<String>,
    pub actor_detail: Option<String>,
    pub source_ip: Option<&'a str>,
    pub user_agent: Option<&'a str>,
    pub outcome: &'static str,
    pub error_code: Option<&'static str>,
    pub resource_arn: Option<String>,
    pub request: Value,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl<'a> From<NewEvent<'a>> for EventRow<'a> {
    fn from(e: NewEvent<'a>) -> Self {
        // Whatever the service was told, a request signed with an access key came through the
        // API, and the key that signed it belongs in the record.
        let (source, actor_detail) = match &e.meta.access_key_id {
            Some(key) => (
                Source::Api,
                Some(format!(
                    "{} (access key {key})",
                    e.actor_detail.as_deref().unwrap_or("unknown")
                )),
            ),
            None => (e.source, e.actor_detail),
        };
        Self {
            account_id: e.account_id.map(AccountId::as_str),
            source: source.as_str(),
            name: e.name,
            actor_arn: e.actor_arn,
            actor_detail,
            source_ip: e.meta.source_ip.as_deref(),
            user_agent: e.meta.user_agent.as_deref(),
            outcome: match e.outcome {
                Outcome::Success => "success",
                Outcome::Failure => "failure",
            },
            error_code: e.error_code,
            resource_arn: e.resource_arn,
            request: e.request,
            before: e.before,
            after: e.after,
        }
    }
}

async fn insert(conn: &mut PgConnection, e: NewEvent<'_>, synchronous_commit: Option<&str>) -> Result<()> {
    let e = EventRow::from(e);
    // set_config(…, true) lasts until the end of the transaction, which for a statement outside
    // one includes its commit: so `Some("off")` makes this one statement's commit asynchronous in
    // a single round trip, and `None` sets the value the session already has (no change).
    sqlx::query!(
        "insert into events (account_id, event_source, event_name, actor_arn, actor_detail, \
         source_ip, user_agent, outcome, error_code, resource_arn, request, before_state, after_state) \
         select $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13 \
           from (select set_config('synchronous_commit', \
                        coalesce($14, current_setting('synchronous_commit')), true)) as setting",
        e.account_id,
        e.source,
        e.name,
        e.actor_arn,
        e.actor_detail,
        e.source_ip,
        e.user_agent,
        e.outcome,
        e.error_code,
        e.resource_arn,
        e.request,
        e.before,
        e.after,
        synchronous_commit,
    )
    .execute(conn)
    .await?;
    Ok(())
}

impl Iam {
    /// Records an IAM API call that no service recorded: a read that succeeded, or any call
    /// that was refused or failed (`error_code`, AWS's). Changes that succeed are recorded by the
    /// services that make them, in their own transaction.
    pub async fn record_api_call(
        &self,
        actor: &Actor,
        account: &AccountId,
        action: &str,
        meta: &RequestMeta,
        error_code: Option<&'static str>,
        request: Value,
    ) -> Result<()> {
        // A read changes nothing, so its record need not wait for the disk: committed
        // asynchronously, it is durable within a fraction of a second, and a crash of Postgres
        // in that moment loses the record of a read, never a change (changes are recorded in the
        // change's own, synchronous, transaction). One statement, one round trip.
        let mut conn = self.pool().acquire().await?;
        let name: String = action.chars().take(64).collect();
        append_without_waiting_for_disk(
            &mut conn,
            NewEvent {
                account_id: Some(account),
                source: Source::Api,
                name: &name,
                actor_arn: actor.arn().map(str::to_owned),
                actor_detail: Some(actor.label()),
                meta,
                outcome: if error_code.is_some() {
                    Outcome::Failure
                } else {
                    Outcome::Success
                },
                error_code,
                resource_arn: None,
                request,
                before: None,
                after: None,
            },
        )
        .await?;
        Ok(())
    }
}

/// An event as read back.
#[derive(Clone, Debug)]
pub struct EventRecord {
    pub event_id: i64,
    pub event_time: OffsetDateTime,
    pub account_id: Option<String>,
    pub event_source: String,
    pub event_name: String,
    pub actor_arn: Option<String>,
    pub actor_detail: Option<String>,
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
    pub outcome: String,
    pub error_code: Option<String>,
    pub resource_arn: Option<String>,
    pub request: Value,
    pub before_state: Option<Value>,
    pub after_state: Option<Value>,
}

/// Which events to list: the Event history page's filters and its page key.
#[derive(Clone, Debug, Default)]
pub struct EventQuery {
    /// Events whose actor or resource ARN contains this (a user name, say), ignoring case.
    pub who: Option<String>,
    /// Events with exactly this name, such as `CreateUser`.
    pub event_name: Option<String>,
    pub since: Option<OffsetDateTime>,
    pub until: Option<OffsetDateTime>,
    /// The page starts after (older than) this event: its time and ID.
    pub before: Option<(OffsetDateTime, i64)>,
    /// Rows per page; clamped to 1..=1000.
    pub limit: u32,
}

#[derive(Clone, Debug)]
pub struct EventPage {
    pub events: Vec<EventRecord>,
    /// The key of the next (older) page, when there is one.
    pub next: Option<(OffsetDateTime, i64)>,
}

impl Iam {
    /// The newest events of an account, newest first.
    pub async fn list_events(
        &self,
        actor: &Actor,
        account: &AccountId,
        limit: i64,
    ) -> Result<Vec<EventRecord>> {
        let query = EventQuery {
            limit: u32::try_from(limit).unwrap_or(1),
            ..EventQuery::default()
        };
        Ok(self.search_events(actor, account, &query).await?.events)
    }

    /// A page of an account's events, newest first, filtered, authorized as
    /// `cloudtrail:LookupEvents` (the event history is the account's CloudTrail).
    pub async fn search_events(
        &self,
        actor: &Actor,
        account: &AccountId,
        query: &EventQuery,
    ) -> Result<EventPage> {
        let resource = format!("arn:{}:cloudtrail::{}:*", self.partition().as_str(), account);
        let _ok = self
            .authorize(actor, "cloudtrail:LookupEvents", &resource, account)
            .await?;
        let limit = i64::from(query.limit.clamp(1, 1000));
        let who = query
            .who
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| format!("%{}%", like_escape(&s.to_lowercase())));
        let name = query
            .event_name
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty());
        let (before_time, before_id) = query.before.unzip();
        let mut events = sqlx::query_as!(
            EventRecord,
            r#"select event_id, event_time, account_id, event_source, event_name, actor_arn, actor_detail,
                      source_ip, user_agent, outcome, error_code, resource_arn, request, before_state, after_state
                 from events
                where account_id = $1
                  and ($2::text is null or lower(coalesce(actor_arn, '') || ' ' || coalesce(resource_arn, '') || ' ' || coalesce(actor_detail, '')) like $2)
                  and ($3::text is null or event_name = $3)
                  and ($4::timestamptz is null or event_time >= $4)
                  and ($5::timestamptz is null or event_time < $5)
                  and ($6::timestamptz is null or (event_time, event_id) < ($6, $7))
                order by event_time desc, event_id desc
                limit $8"#,
            account.as_str(),
            who,
            name,
            query.since,
            query.until,
            before_time,
            before_id,
            limit + 1,
        )
        .fetch_all(self.pool())
        .await?;
        let next = if events.len() as i64 > limit {
            events.truncate(limit as usize);
            events.last().map(|e| (e.event_time, e.event_id))
        } else {
            None
        };
        Ok(EventPage { events, next })
    }
}

/// Escapes `%`, `_` and `\` so that user input matches itself in a `like` pattern.
pub(crate) fn like_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
