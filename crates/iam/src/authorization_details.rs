//! A snapshot of an account's whole authorization state (AWS GetAccountAuthorizationDetails):
//! every user with its inline policies, groups, attached policies, boundary and tags; every group
//! with its inline and attached policies; the managed policies with all their versions. It is
//! read in one read-only repeatable-read transaction, so a page is consistent with itself, and
//! paged by key across the three lists (users by name, then groups by name, then policies by
//! ID), a fixed number of queries per page whatever the account's size.

use std::collections::HashMap;

use time::OffsetDateTime;

use crate::authz::Actor;
use crate::{AccountId, Error, Iam, PolicyRef, Result, Tag};

/// Which parts of the account a caller asked for (AWS's `Filter`; all of them when empty).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DetailsFilter {
    pub users: bool,
    pub groups: bool,
    /// Customer managed policies (AWS `LocalManagedPolicy`).
    pub local_policies: bool,
    /// System policies in use in the account (AWS `AWSManagedPolicy`).
    pub system_policies: bool,
}

impl DetailsFilter {
    pub const ALL: Self = Self {
        users: true,
        groups: true,
        local_policies: true,
        system_policies: true,
    };
    pub const NONE: Self = Self {
        users: false,
        groups: false,
        local_policies: false,
        system_policies: false,
    };
}

/// Where a page starts: after this entry. Its text form is the API's opaque `Marker`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum DetailsCursor {
    /// After the user with this lower-cased name.
    User(String),
    /// After the group with this lower-cased name.
    Group(String),
    /// After the policy with this ID.
    Policy(String),
}

impl DetailsCursor {
    pub fn to_marker(&self) -> String {
        match self {
            Self::User(k) => format!("user/{k}"),
            Self::Group(k) => format!("group/{k}"),
            Self::Policy(k) => format!("policy/{k}"),
        }
    }

    /// Reads a marker this service wrote; anything else is invalid input.
    pub fn from_marker(marker: &str) -> Result<Self> {
        let invalid = || Error::Invalid {
            field: "Marker",
            reason: "The marker is not one this service returned.".into(),
        };
        let (kind, key) = marker.split_once('/').ok_or_else(invalid)?;
        if key.is_empty() {
            return Err(invalid());
        }
        match kind {
            "user" => Ok(Self::User(key.to_owned())),
            "group" => Ok(Self::Group(key.to_owned())),
            "policy" => Ok(Self::Policy(key.to_owned())),
            _ => Err(invalid()),
        }
    }

    fn rank(&self) -> u8 {
        match self {
            Self::User(_) => 0,
            Self::Group(_) => 1,
            Self::Policy(_) => 2,
        }
    }
}

/// An inline policy with its document.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlinePolicy {
    pub name: String,
    pub document: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserAuthorization {
    pub path: String,
    pub name: String,
    pub user_id: String,
    pub arn: String,
    pub created_at: OffsetDateTime,
    pub inline: Vec<InlinePolicy>,
    /// Group names.
    pub groups: Vec<String>,
    pub attached: Vec<PolicyRef>,
    pub boundary_arn: Option<String>,
    pub tags: Vec<Tag>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupAuthorization {
    pub path: String,
    pub name: String,
    pub group_id: String,
    pub arn: String,
    pub created_at: OffsetDateTime,
    pub inline: Vec<InlinePolicy>,
    pub attached: Vec<PolicyRef>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyVersionDocument {
    pub version_id: String,
    pub document: String,
    pub is_default: bool,
    pub created_at: OffsetDateTime,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ManagedPolicyAuthorization {
    pub name: String,
    pub policy_id: String,
    pub arn: String,
    pub path: String,
    pub description: String,
    pub default_version: String,
    /// Users and groups of this account it is attached to.
    pub attachments: i64,
    /// Users of this account it bounds.
    pub boundary_uses: i64,
    pub system: bool,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    /// Newest first.
    pub versions: Vec<PolicyVersionDocument>,
}

/// One page of the account's authorization details.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AuthorizationDetails {
    pub users: Vec<UserAuthorization>,
    pub groups: Vec<GroupAuthorization>,
    pub policies: Vec<ManagedPolicyAuthorization>,
    /// Where the next page starts, if there is one.
    pub next: Option<DetailsCursor>,
}

impl AuthorizationDetails {
    fn len(&self) -> usize {
        self.users.len() + self.groups.len() + self.policies.len()
    }
}

impl Iam {
    /// Up to `limit` entries of the account's authorization details after `after`, authorized as
    /// `iam:GetAccountAuthorizationDetails` on `*`.
    pub async fn authorization_details(
        &self,
        actor: &Actor,
        account: &AccountId,
        filter: DetailsFilter,
        after: Option<&DetailsCursor>,
        limit: u32,
    ) -> Result<AuthorizationDetails> {
        let _ok = self
            .authorize(actor, "iam:GetAccountAuthorizationDetails", "*", account)
            .await?;
        let limit = limit.max(1) as usize;
        let rank = after.map_or(0, DetailsCursor::rank);
        let key = |wanted: u8| match after {
            Some(c) if c.rank() == wanted => Some(match c {
                DetailsCursor::User(k) | DetailsCursor::Group(k) | DetailsCursor::Policy(k) => k.clone(),
            }),
            _ => None,
        };
        let mut tx = self.pool().begin().await?;
        sqlx::query("set transaction isolation level repeatable read, read only")
            .execute(&mut *tx)
            .await?;
        let mut out = AuthorizationDetails::default();
        // Each list is read one row past what the page can hold, to know whether more follow.
        if filter.users && rank == 0 {
            let (users, more) = self
                .users_page(&mut tx, account, key(0).as_deref(), limit)
                .await?;
            out.users = users;
            if more {
                out.next = out
                    .users
                    .last()
                    .map(|u| DetailsCursor::User(u.name.to_lowercase()));
                return Ok(out);
            }
        }
        if filter.groups && rank <= 1 && out.len() < limit {
            let (groups, more) = self
                .groups_page(&mut tx, account, key(1).as_deref(), limit - out.len())
                .await?;
            out.groups = groups;
            if more {
                out.next = out
                    .groups
                    .last()
                    .map(|g| DetailsCursor::Group(g.name.to_lowercase()));
                return Ok(out);
            }
        }
        if (filter.local_policies || filter.system_policies) && out.len() < limit {
            let (policies, more) = self
                .policies_page(&mut tx, account, filter, key(2).as_deref(), limit - out.len())
                .await?;
            out.policies = policies;
            if more {
                out.next = out
                    .policies
                    .last()
                    .map(|p| DetailsCursor::Policy(p.policy_id.clone()));
                return Ok(out);
            }
        }
        // The page is full; whatever kind comes next may still hold entries.
        if out.len() >= limit {
            out.next = self
                .cursor_after_full_page(&mut tx, account, filter, &out)
                .await?;
        }
        tx.commit().await?;
        Ok(out)
    }

    /// After a page that ended exactly at the end of one list: the cursor of its last entry if a
    /// later list (in the filter) has entries, else none.
    async fn cursor_after_full_page(
        &self,
        tx: &mut sqlx::PgConnection,
        account: &AccountId,
        filter: DetailsFilter,
        page: &AuthorizationDetails,
    ) -> Result<Option<DetailsCursor>> {
        let last = if let Some(p) = page.policies.last() {
            DetailsCursor::Policy(p.policy_id.clone())
        } else if let Some(g) = page.groups.last() {
            DetailsCursor::Group(g.name.to_lowercase())
        } else if let Some(u) = page.users.last() {
            DetailsCursor::User(u.name.to_lowercase())
        } else {
            return Ok(None);
        };
        let groups_follow = filter.groups && last.rank() < 1 && {
            let (groups, _) = self.groups_page(tx, account, None, 1).await?;
            !groups.is_empty()
        };
        let policies_follow = !groups_follow && last.rank() < 2 && {
            let (policies, _) = self.policies_page(tx, account, filter, None, 1).await?;
            !policies.is_empty()
        };
        Ok((groups_follow || policies_follow).then_some(last))
    }

    async fn users_page(
        &self,
        tx: &mut sqlx::PgConnection,
        account: &AccountId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<UserAuthorization>, bool)> {
        let rows = sqlx::query!(
            r#"select u.user_id, u.user_name, u.path, u.created_at,
                      b.policy_name as "boundary_name?", b.path as "boundary_path?",
                      b.account_id as boundary_account
                 from iam_users u left join managed_policies b on b.policy_id = u.permissions_boundary
                where u.account_id = $1 and ($2::text is null or lower(u.user_name) > $2)
                order by lower(u.user_name) limit $3"#,
            account.as_str(),
            after,
            (limit + 1) as i64,
        )
        .fetch_all(&mut *tx)
        .await?;
        let more = rows.len() > limit;
        let ids: Vec<String> = rows.iter().take(limit).map(|r| r.user_id.clone()).collect();
        let mut inline = inline_policies_of(tx, &ids).await?;
        let mut groups = group_by(
            sqlx::query!(
                "select m.user_id, g.group_name from group_members m join iam_groups g using (group_id)
                  where m.user_id = any($1) order by lower(g.group_name)",
                &ids,
            )
            .fetch_all(&mut *tx)
            .await?,
            |r| r.user_id.clone(),
            |r| r.group_name,
        );
        let mut attached = self.attached_policies_of(tx, account, &ids).await?;
        let mut tags = group_by(
            sqlx::query!(
                "select user_id, tag_key, tag_value from user_tags where user_id = any($1) order by tag_key",
                &ids,
            )
            .fetch_all(&mut *tx)
            .await?,
            |r| r.user_id.clone(),
            |r| Tag {
                key: r.tag_key,
                value: r.tag_value,
            },
        );
        let users = rows
            .into_iter()
            .take(limit)
            .map(|r| UserAuthorization {
                arn: self
                    .partition()
                    .entity_arn(account, "user", &r.path, &r.user_name),
                boundary_arn: r.boundary_name.zip(r.boundary_path).map(|(name, path)| {
                    self.partition()
                        .policy_arn(r.boundary_account.as_ref().map(|_| account), &path, &name)
                }),
                inline: inline.remove(&r.user_id).unwrap_or_default(),
                groups: groups.remove(&r.user_id).unwrap_or_default(),
                attached: attached.remove(&r.user_id).unwrap_or_default(),
                tags: tags.remove(&r.user_id).unwrap_or_default(),
                name: r.user_name,
                path: r.path,
                user_id: r.user_id,
                created_at: r.created_at,
            })
            .collect();
        Ok((users, more))
    }

    async fn groups_page(
        &self,
        tx: &mut sqlx::PgConnection,
        account: &AccountId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<GroupAuthorization>, bool)> {
        let rows = sqlx::query!(
            "select group_id, group_name, path, created_at from iam_groups
              where account_id = $1 and ($2::text is null or lower(group_name) > $2)
              order by lower(group_name) limit $3",
            account.as_str(),
            after,
            (limit + 1) as i64,
        )
        .fetch_all(&mut *tx)
        .await?;
        let more = rows.len() > limit;
        let ids: Vec<String> = rows.iter().take(limit).map(|r| r.group_id.clone()).collect();
        let mut inline = inline_policies_of(tx, &ids).await?;
        let mut attached = self.attached_policies_of(tx, account, &ids).await?;
        let groups = rows
            .into_iter()
            .take(limit)
            .map(|r| GroupAuthorization {
                arn: self
                    .partition()
                    .entity_arn(account, "group", &r.path, &r.group_name),
                inline: inline.remove(&r.group_id).unwrap_or_default(),
                attached: attached.remove(&r.group_id).unwrap_or_default(),
                name: r.group_name,
                path: r.path,
                group_id: r.group_id,
                created_at: r.created_at,
            })
            .collect();
        Ok((groups, more))
    }

    /// Customer managed policies, and the system policies this account uses (attached or as a
    /// boundary), as AWS lists only the AWS managed policies an account uses.
    async fn policies_page(
        &self,
        tx: &mut sqlx::PgConnection,
        account: &AccountId,
        filter: DetailsFilter,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<ManagedPolicyAuthorization>, bool)> {
        let rows = sqlx::query!(
            r#"with counts as (
                 select p.policy_id,
                        (select count(*) from user_policy_attachments a join iam_users u using (user_id)
                          where a.policy_id = p.policy_id and u.account_id = $1)
                      + (select count(*) from group_policy_attachments a join iam_groups g using (group_id)
                          where a.policy_id = p.policy_id and g.account_id = $1) as attachments,
                        (select count(*) from iam_users u
                          where u.permissions_boundary = p.policy_id and u.account_id = $1) as boundary_uses
                   from managed_policies p
                  where (p.account_id = $1 and $2) or (p.account_id is null and $3))
               select p.policy_id, p.account_id, p.policy_name, p.path, p.description, p.default_version,
                      p.created_at, p.updated_at, c.attachments as "attachments!", c.boundary_uses as "boundary_uses!"
                 from managed_policies p join counts c using (policy_id)
                where (p.account_id is not null or c.attachments + c.boundary_uses > 0)
                  and ($4::text is null or p.policy_id > $4)
                order by p.policy_id limit $5"#,
            account.as_str(),
            filter.local_policies,
            filter.system_policies,
            after,
            (limit + 1) as i64,
        )
        .fetch_all(&mut *tx)
        .await?;
        let more = rows.len() > limit;
        let ids: Vec<String> = rows.iter().take(limit).map(|r| r.policy_id.clone()).collect();
        let mut versions = group_by(
            sqlx::query!(
                "select v.policy_id, v.version_id, v.document, v.created_at, p.default_version
                   from policy_versions v join managed_policies p using (policy_id)
                  where v.policy_id = any($1) order by v.created_at desc, v.version_id desc",
                &ids,
            )
            .fetch_all(&mut *tx)
            .await?,
            |r| r.policy_id.clone(),
            |r| PolicyVersionDocument {
                is_default: r.version_id == r.default_version,
                version_id: r.version_id,
                document: r.document,
                created_at: r.created_at,
            },
        );
        let policies = rows
            .into_iter()
            .take(limit)
            .map(|r| ManagedPolicyAuthorization {
                arn: self.partition().policy_arn(
                    r.account_id.as_ref().map(|_| account),
                    &r.path,
                    &r.policy_name,
                ),
                system: r.account_id.is_none(),
                versions: versions.remove(&r.policy_id).unwrap_or_default(),
                name: r.policy_name,
                policy_id: r.policy_id,
                path: r.path,
                description: r.description,
                default_version: r.default_version,
                attachments: r.attachments,
                boundary_uses: r.boundary_uses,
                created_at: r.created_at,
                updated_at: r.updated_at,
            })
            .collect();
        Ok((policies, more))
    }

    /// The managed policies attached to each of these users or groups (user and group IDs
    /// never collide: AIDA… and AGPA…), by owner.
    async fn attached_policies_of(
        &self,
        tx: &mut sqlx::PgConnection,
        account: &AccountId,
        owners: &[String],
    ) -> Result<HashMap<String, Vec<PolicyRef>>> {
        let rows = sqlx::query!(
            r#"select a.owner as "owner!", p.policy_name, p.path, p.account_id
                 from (select user_id as owner, policy_id from user_policy_attachments where user_id = any($1)
                       union all
                       select group_id, policy_id from group_policy_attachments where group_id = any($1)) a
                 join managed_policies p using (policy_id)
                order by lower(p.policy_name)"#,
            owners,
        )
        .fetch_all(&mut *tx)
        .await?;
        Ok(group_by(
            rows,
            |r| r.owner.clone(),
            |r| PolicyRef {
                arn: self.partition().policy_arn(
                    r.account_id.as_ref().map(|_| account),
                    &r.path,
                    &r.policy_name,
                ),
                system: r.account_id.is_none(),
                name: r.policy_name,
            },
        ))
    }
}

/// The inline policies of each of these users or groups, by owner.
async fn inline_policies_of(
    tx: &mut sqlx::PgConnection,
    owners: &[String],
) -> Result<HashMap<String, Vec<InlinePolicy>>> {
    let rows = sqlx::query!(
        r#"select user_id as "owner!", policy_name as "name!", document as "document!"
             from user_inline_policies where user_id = any($1)
           union all
           select group_id, policy_name, document from group_inline_policies where group_id = any($1)
           order by 2"#,
        owners,
    )
    .fetch_all(&mut *tx)
    .await?;
    Ok(group_by(
        rows,
        |r| r.owner.clone(),
        |r| InlinePolicy {
            name: r.name,
            document: r.document,
        },
    ))
}

/// Rows grouped by a key, each group in the rows' order.
fn group_by<R, K: std::hash::Hash + Eq, V>(
    rows: Vec<R>,
    key: impl Fn(&R) -> K,
    value: impl Fn(R) -> V,
) -> HashMap<K, Vec<V>> {
    let mut out: HashMap<K, Vec<V>> = HashMap::new();
    for row in rows {
        out.entry(key(&row)).or_default().push(value(row));
    }
    out
}
