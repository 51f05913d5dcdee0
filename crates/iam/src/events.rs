//! The event history: every change and every sign-in attempt, appended in the same transaction
//! as the change it records. The table refuses updates and deletes (see the migration).

use serde::Serialize;
use serde_json::Value;
use sqlx::PgConnection;
use time::OffsetDateTime;

use crate::{AccountId, Actor, Iam, Result};

/// Where a request came from, for the event history. Never holds secrets.
#[derive(Clone, Debug, Default)]
pub struct RequestMeta {
    pub source_ip: Option<String>,
    pub user_agent: Option<String>,
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
}

impl Source {
    fn as_str(self) -> &'static str {
        match self {
            Self::Signin => "signin",
            Self::Console => "console",
            Self::Cli => "cli",
            Self::Setup => "setup",
        }
    }
}

/// One event to append.
pub(crate) struct NewEvent<'a> {
    pub account_id: Option<&'a AccountId>,
    pub source: Source,
    pub name: &'static str,
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

pub(crate) async fn append(conn: &mut PgConnection, e: NewEvent<'_>) -> Result<()> {
    sqlx::query!(
        "insert into events (account_id, event_source, event_name, actor_arn, actor_detail, \
         source_ip, user_agent, outcome, error_code, resource_arn, request, before_state, after_state) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        e.account_id.map(AccountId::as_str),
        e.source.as_str(),
        e.name,
        e.actor_arn,
        e.actor_detail,
        e.meta.source_ip.as_deref(),
        e.meta.user_agent.as_deref(),
        match e.outcome {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
        },
        e.error_code,
        e.resource_arn,
        e.request,
        e.before,
        e.after,
    )
    .execute(conn)
    .await?;
    Ok(())
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
}

impl Iam {
    /// The newest events of an account, newest first.
    pub async fn list_events(
        &self,
        actor: &Actor,
        account: &AccountId,
        limit: i64,
    ) -> Result<Vec<EventRecord>> {
        let resource = format!("arn:{}:cloudtrail::{}:*", self.partition().as_str(), account);
        let _ok = self
            .authorize(actor, "cloudtrail:LookupEvents", &resource, account)
            .await?;
        let rows = sqlx::query_as!(
            EventRecord,
            "select event_id, event_time, account_id, event_source, event_name, actor_arn, actor_detail, \
             source_ip, user_agent, outcome, error_code, resource_arn, request \
             from events where account_id = $1 order by event_time desc, event_id desc limit $2",
            account.as_str(),
            limit.clamp(1, 1000),
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }
}
