//! The one authorization point. Every service method that reads or changes IAM state takes an
//! [`Actor`] and calls [`Iam::authorize`] with the AWS action name and resource ARN before it
//! touches the store; the [`Authorized`] value it returns is the only way to reach the store
//! functions that need it, so the unchecked path cannot be called by accident.
//!
//! The rules: the operator (the local CLI, which already holds the database) may do anything; the
//! holder of a setup link nothing here; an account's root user anything within its own account;
//! an IAM user what the policy engine (crates/policy) allows, evaluating the user's inline and
//! attached policies, those of its groups, and its permissions boundary, as AWS does. Identity
//! policies never reach into another account. Anything that cannot be evaluated is denied.
//!
//! Two caches keep decisions off the store without ever deciding on stale permissions:
//! - compiled policies, keyed by the document's text: the same text always compiles to the same
//!   policy, so an entry can never be out of date;
//! - each user's permission set and tags, tagged with the permissions epoch they were loaded at.
//!   Database triggers raise the epoch in the same transaction as every change that can alter
//!   anyone's permissions, and the session lookup reads the current epoch with the principal, so
//!   a cached set is used only while nothing has changed since it was loaded. A principal without
//!   an epoch (read outside a session) always loads afresh.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use gatehouse_policy::{CompiledPolicy, Context, PermissionSet, Policy, PolicyKind, PolicySource, Request};

use crate::tags::{Tag, Tagged};
use crate::{AccountId, Error, Iam, Principal, PrincipalKind, Result};

/// Cached users' permission sets; past this many the cache starts again empty.
const MAX_CACHED_USERS: usize = 10_000;
/// Cached compiled policy documents; past this many the cache starts again empty.
const MAX_CACHED_DOCUMENTS: usize = 4_096;

/// Who is asking.
// One Actor is made per request and passed by reference: the variants' sizes do not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug)]
pub enum Actor {
    /// A signed-in console principal.
    Principal(Principal),
    /// The `gatehouse` CLI run by an operator with direct access to the database.
    Operator,
    /// Whoever holds the one-time first-run setup link; it may only create the first account.
    SetupLink,
}

impl Actor {
    pub fn arn(&self) -> Option<&str> {
        match self {
            Self::Principal(p) => Some(&p.arn),
            Self::Operator | Self::SetupLink => None,
        }
    }

    pub(crate) fn label(&self) -> String {
        match self {
            Self::Principal(p) => p.arn.clone(),
            Self::Operator => "gatehouse-cli".to_owned(),
            Self::SetupLink => "setup-link".to_owned(),
        }
    }
}

/// Proof that an action on a resource was authorized. Only [`Iam::authorize`] makes one.
#[derive(Debug)]
#[must_use]
pub struct Authorized {
    _private: (),
}

/// What every decision for an IAM user needs from the store: the user's compiled policies and
/// boundary, and the user's tags (`aws:PrincipalTag/*`).
pub(crate) struct Permissions {
    pub(crate) set: PermissionSet,
    pub(crate) tags: Vec<Tag>,
}

/// The caches described in the module documentation. One per [`Iam`].
#[derive(Default)]
pub(crate) struct PermissionCache {
    users: Mutex<HashMap<String, (i64, Arc<Permissions>)>>,
    compiled: Mutex<HashMap<String, Arc<CompiledPolicy>>>,
}

impl PermissionCache {
    fn user(&self, user_id: &str, epoch: i64) -> Option<Arc<Permissions>> {
        let users = self
            .users
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match users.get(user_id) {
            Some((at, permissions)) if *at == epoch => Some(Arc::clone(permissions)),
            _ => None,
        }
    }

    fn keep_user(&self, user_id: &str, epoch: i64, permissions: &Arc<Permissions>) {
        let mut users = self
            .users
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if users.len() >= MAX_CACHED_USERS && !users.contains_key(user_id) {
            users.clear();
        }
        users.insert(user_id.to_owned(), (epoch, Arc::clone(permissions)));
    }

    fn compiled(&self, document: &str) -> Option<Arc<CompiledPolicy>> {
        let compiled = self
            .compiled
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        compiled.get(document).cloned()
    }

    fn keep_compiled(&self, document: String, policy: &Arc<CompiledPolicy>) {
        let mut compiled = self
            .compiled
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if compiled.len() >= MAX_CACHED_DOCUMENTS {
            compiled.clear();
        }
        compiled.insert(document, Arc::clone(policy));
    }
}

/// One policy of a user's permission set as stored: where it comes from and its document.
struct StoredPolicy {
    role: Option<String>,
    name: Option<String>,
    version: Option<String>,
    document: Option<String>,
}

impl Iam {
    /// Decides whether `actor` may perform `action` on `resource` (an ARN) in `account`.
    pub async fn authorize(
        &self,
        actor: &Actor,
        action: &str,
        resource: &str,
        account: &AccountId,
    ) -> Result<Authorized> {
        self.authorize_with(actor, action, resource, account, &[]).await
    }

    /// [`Iam::authorize`] with request-specific context keys, such as `iam:PolicyARN` for
    /// attaching a policy. A key given more than once is multi-valued, and `aws:TagKeys` always
    /// is, so that `ForAllValues:`/`ForAnyValue:` conditions see every value.
    pub async fn authorize_with(
        &self,
        actor: &Actor,
        action: &str,
        resource: &str,
        account: &AccountId,
        extra: &[(&str, &str)],
    ) -> Result<Authorized> {
        let allowed = match actor {
            Actor::Operator => true,
            Actor::SetupLink => false,
            Actor::Principal(p) if &p.account_id != account => false,
            Actor::Principal(p) => match &p.kind {
                PrincipalKind::Root { .. } => true,
                PrincipalKind::User { user_id, .. } => {
                    let permissions = self.permissions(user_id.as_str(), p.permissions_epoch).await?;
                    let mut context = self.principal_context(p);
                    add_principal_tags(&mut context, &permissions.tags);
                    add_extra(&mut context, extra);
                    permissions
                        .set
                        .decide(&Request::new(action, resource, &context))
                        .is_allowed()
                }
            },
        };
        if allowed {
            Ok(Authorized { _private: () })
        } else {
            Err(Error::AccessDenied {
                actor: actor.label(),
                action: action.to_owned(),
                resource: resource.to_owned(),
            })
        }
    }

    /// Whether `actor` may perform `action` on `resource`, for showing or hiding a control. The
    /// answer is advice for the page only: the service call that acts checks again.
    pub async fn allows(
        &self,
        actor: &Actor,
        action: &str,
        resource: &str,
        account: &AccountId,
    ) -> Result<bool> {
        match self.authorize(actor, action, resource, account).await {
            Ok(_) => Ok(true),
            Err(Error::AccessDenied { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The request context every decision for `principal` carries: who it is, the time, and
    /// where the request came from (`aws:SourceIp`, `aws:UserAgent`, `aws:SecureTransport`).
    pub(crate) fn principal_context(&self, principal: &Principal) -> Context {
        let user = match &principal.kind {
            PrincipalKind::User {
                user_id, user_name, ..
            } => Some((user_id.as_str(), user_name.as_str())),
            PrincipalKind::Root { .. } => None,
        };
        let mut ctx = self.request_context(&principal.arn, &principal.account_id, user);
        let request = &principal.request;
        if let Some(ip) = &request.source_ip {
            ctx.insert("aws:SourceIp", ip.as_str());
        }
        if let Some(agent) = &request.user_agent {
            ctx.insert("aws:UserAgent", agent.as_str());
        }
        if request.source_ip.is_some() {
            // Only a request that arrived over the network has a transport to speak of.
            ctx.insert("aws:SecureTransport", request.secure_transport);
        }
        if let Some(session) = &request.console_session {
            ctx.insert(
                "aws:MultiFactorAuthPresent",
                session.mfa_authenticated_at.is_some(),
            );
            if let Some(at) = session.mfa_authenticated_at {
                let age = (self.now().unix_timestamp() - at).max(0);
                ctx.insert("aws:MultiFactorAuthAge", age);
            }
        }
        ctx
    }

    /// The user's permissions, from the cache while `epoch` (read with the principal) is current.
    pub(crate) async fn permissions(&self, user_id: &str, epoch: Option<i64>) -> Result<Arc<Permissions>> {
        let cache = self.permission_cache();
        if let Some(permissions) = epoch.and_then(|e| cache.user(user_id, e)) {
            return Ok(permissions);
        }
        let permissions = Arc::new(Permissions {
            set: self.permission_set(user_id).await?,
            tags: self.tags_of(Tagged::User, user_id).await?,
        });
        if let Some(epoch) = epoch {
            cache.keep_user(user_id, epoch, &permissions);
        }
        Ok(permissions)
    }

    /// The request context of a principal by ARN, with the user's ID and name for an IAM user.
    pub(crate) fn request_context(
        &self,
        arn: &str,
        account: &AccountId,
        user: Option<(&str, &str)>,
    ) -> Context {
        let now = self.now();
        let mut ctx = Context::new()
            .with("aws:PrincipalArn", arn)
            .with("aws:PrincipalAccount", account.as_str())
            .with("aws:EpochTime", now.unix_timestamp())
            .with(
                "aws:CurrentTime",
                now.format(&time::format_description::well_known::Rfc3339)
                    .unwrap_or_default(),
            );
        if let Some((user_id, user_name)) = user {
            ctx.insert("aws:username", user_name);
            ctx.insert("aws:userid", user_id);
            ctx.insert("aws:PrincipalType", "User");
        }
        ctx
    }

    /// The user's policies, compiled: user inline and attached, group inline and attached, and
    /// the permissions boundary, each attached policy at its default version, in one query.
    pub(crate) async fn permission_set(&self, user_id: &str) -> Result<PermissionSet> {
        let rows = sqlx::query_as!(
            StoredPolicy,
            r#"
            with managed as (
                select 'identity' as role, policy_id from user_policy_attachments where user_id = $1
                union all
                select 'identity', a.policy_id
                  from group_members m join group_policy_attachments a on a.group_id = m.group_id
                 where m.user_id = $1
                union all
                select 'boundary', permissions_boundary from iam_users
                 where user_id = $1 and permissions_boundary is not null
            )
            select 'identity' as role, 'user/inline/' || policy_name as name, null::text as version, document
              from user_inline_policies where user_id = $1
            union all
            select 'identity', 'group/' || g.group_name || '/inline/' || gi.policy_name, null, gi.document
              from group_members m
              join iam_groups g on g.group_id = m.group_id
              join group_inline_policies gi on gi.group_id = m.group_id
             where m.user_id = $1
            union all
            select m.role, 'arn:' || $2 || ':iam::' || coalesce(p.account_id, 'aws') || ':policy' || p.path || p.policy_name,
                   v.version_id, v.document
              from managed m
              join managed_policies p on p.policy_id = m.policy_id
              join policy_versions v on v.policy_id = p.policy_id and v.version_id = p.default_version
            union all
            select 'identity', $4, null, $3
              from iam_users u left join account_password_policies pp on pp.account_id = u.account_id
             where u.user_id = $1 and coalesce(pp.allow_users_to_change_password, true)
            "#,
            user_id,
            self.partition().as_str(),
            CHANGE_OWN_PASSWORD_POLICY,
            CHANGE_OWN_PASSWORD_SOURCE,
        )
        .fetch_all(self.pool())
        .await?;
        let mut set = PermissionSet::new();
        for row in rows {
            let name = row.name.unwrap_or_default();
            let document = row.document.unwrap_or_default();
            let compiled = match self.permission_cache().compiled(&document) {
                Some(compiled) => compiled,
                None => {
                    // Stored documents were validated when written. One that no longer parses
                    // cannot be evaluated: refusing the request is the only safe answer (it
                    // might hold a Deny).
                    let policy = Policy::parse(&document, PolicyKind::Managed).map_err(|e| {
                        Error::internal(std::io::Error::other(format!(
                            "stored policy {name} does not parse: {e}"
                        )))
                    })?;
                    let compiled = Arc::new(policy.compile());
                    self.permission_cache().keep_compiled(document.clone(), &compiled);
                    compiled
                }
            };
            let source = PolicySource::new(name, row.version);
            if row.role.as_deref() == Some("boundary") {
                set.set_boundary(source, compiled);
            } else {
                set.add_identity(source, compiled);
            }
        }
        Ok(set)
    }
}

/// The account setting "Allow users to change their own password" grants this, as in AWS:
/// `iam:ChangePassword` on the user's own ARN (whatever its path) and
/// `iam:GetAccountPasswordPolicy`. User names are unique in an account, so an ARN of the
/// principal's account that ends in `/<name>` is the user's own.
const CHANGE_OWN_PASSWORD_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "ChangeOwnPassword",
      "Effect": "Allow",
      "Action": "iam:ChangePassword",
      "Resource": [
        "arn:*:iam::${aws:PrincipalAccount}:user/${aws:username}",
        "arn:*:iam::${aws:PrincipalAccount}:user/*/${aws:username}"
      ]
    },
    {
      "Sid": "ReadPasswordPolicy",
      "Effect": "Allow",
      "Action": "iam:GetAccountPasswordPolicy",
      "Resource": "*"
    }
  ]
}"#;
/// Where the decision explanation says that grant comes from.
const CHANGE_OWN_PASSWORD_SOURCE: &str = "Account setting: Allow users to change their own password";

/// Adds the user's tags to the context as `aws:PrincipalTag/<key>`.
pub(crate) fn add_principal_tags(context: &mut Context, tags: &[Tag]) {
    for tag in tags {
        context.insert(&format!("aws:PrincipalTag/{}", tag.key), tag.value.as_str());
    }
}

/// Adds request-specific keys to the context (see [`Iam::authorize_with`]).
fn add_extra(context: &mut Context, extra: &[(&str, &str)]) {
    let mut keys: Vec<&str> = extra.iter().map(|(k, _)| *k).collect();
    keys.sort_unstable();
    keys.dedup();
    for key in keys {
        let values: Vec<&str> = extra.iter().filter(|(k, _)| *k == key).map(|(_, v)| *v).collect();
        match values.as_slice() {
            [one] if !key.eq_ignore_ascii_case("aws:TagKeys") => context.insert(key, *one),
            many => context.insert(key, many),
        }
    }
}
