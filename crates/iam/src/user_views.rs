//! Reading users: the Users list (search by name, keyset pages) and one user's details with
//! everything its Permissions and Groups tabs show.

use time::OffsetDateTime;

use crate::authz::Actor;
use crate::events::like_escape;
use crate::{AccountId, Error, Iam, Result, UserName};

/// How many names, in page order, a search of the Users list filters before it asks the trigram
/// index for all the matches instead. A walk this long finds a page of 50 when more than one name
/// in forty matches, and costs about what the trigram index costs for a search matching a
/// thousand names.
const SEARCH_WALK: i64 = 2000;

/// One page of the Users list. Names are unique per account ignoring case, so the lower-cased
/// name is the page key: the next page starts after `next`.
#[derive(Clone, Debug, Default)]
pub struct UserQuery {
    /// Users whose name contains this, ignoring case (a prefix is a substring too).
    pub search: Option<String>,
    /// The key the page starts after (the last row's [`UserSummary::key`]).
    pub after: Option<String>,
    /// Rows per page; clamped to 1..=1000.
    pub limit: u32,
    /// Descending name order.
    pub descending: bool,
    /// Only users whose path starts with this (the API's `PathPrefix`).
    pub path_prefix: Option<String>,
}

#[derive(Clone, Debug)]
pub struct UserPage {
    pub users: Vec<UserSummary>,
    /// The key of the next page, when there is one.
    pub next: Option<String>,
}

/// A row of the Users list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserSummary {
    pub name: String,
    pub path: String,
    pub arn: String,
    pub user_id: String,
    pub groups: i64,
    pub console_access: bool,
    pub password_changed_at: Option<OffsetDateTime>,
    pub console_last_sign_in: Option<OffsetDateTime>,
    /// Whether the user has an assigned MFA device.
    pub mfa: bool,
    /// When the oldest of the user's active access keys was created (its age is what AWS's
    /// console shows as "Active key age").
    pub oldest_active_key: Option<OffsetDateTime>,
    pub disabled: bool,
    pub created_at: OffsetDateTime,
}

impl UserSummary {
    /// The keyset key of this row.
    pub fn key(&self) -> String {
        self.name.to_lowercase()
    }
}

/// One user with what its detail page shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserDetail {
    pub summary: UserSummary,
    pub password_reset_required: bool,
    /// Until when the user is locked out of the console, if it is now.
    pub locked_until: Option<OffsetDateTime>,
    pub groups: Vec<EntityRef>,
    /// Managed policies attached to the user directly.
    pub attached: Vec<PolicyRef>,
    /// Managed policies the user has through its groups.
    pub from_groups: Vec<(EntityRef, PolicyRef)>,
    pub inline_policies: Vec<String>,
    pub boundary: Option<PolicyRef>,
    pub tags: Vec<crate::Tag>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
/// A user or group by name and ARN.
pub struct EntityRef {
    pub name: String,
    pub arn: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyRef {
    pub name: String,
    pub arn: String,
    pub system: bool,
}

/// A row of the Users list as read.
#[derive(sqlx::FromRow)]
struct UserRow {
    user_id: String,
    user_name: String,
    path: String,
    created_at: OffsetDateTime,
    disabled_at: Option<OffsetDateTime>,
    groups: i64,
    console: bool,
    password_changed_at: Option<OffsetDateTime>,
    last_sign_in: Option<OffsetDateTime>,
    mfa: bool,
    oldest_key: Option<OffsetDateTime>,
}

impl Iam {
    /// A page of the account's users by name, authorized as `iam:ListUsers` on
    /// `arn:<partition>:iam::<account>:user/*`.
    pub async fn list_users(
        &self,
        actor: &Actor,
        account: &AccountId,
        query: &UserQuery,
    ) -> Result<UserPage> {
        let all = format!("arn:{}:iam::{account}:user/*", self.partition().as_str());
        let _ok = self.authorize(actor, "iam:ListUsers", &all, account).await?;
        let limit = i64::from(query.limit.clamp(1, 1000));
        let pattern = query
            .search
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| format!("%{}%", like_escape(&s.to_lowercase())));
        let after = query.after.as_deref().map(str::to_lowercase);
        let path_prefix = query
            .path_prefix
            .as_deref()
            .filter(|p| *p != "/")
            .map(|prefix| format!("{}%", like_escape(prefix)));
        let (order, beyond) = if query.descending {
            ("desc", "<")
        } else {
            ("asc", ">")
        };
        // The conditions of every walk through the account's users in page order. Every value
        // reaches Postgres as `(select $n::text)`, which the planner cannot look into: its
        // estimates then never depend on the values, and after a few executions Postgres keeps
        // one plan for the statement instead of planning it again each time (its estimates for
        // a substring are guesses anyway; the shape of the query decides the plan).
        let in_page_order = |sql: &mut sqlx::QueryBuilder<'_, sqlx::Postgres>, alias: &str| {
            sql.push(format!(" {alias}.account_id = (select "))
                .push_bind(account.as_str().to_owned())
                .push("::text)");
            if let Some(prefix) = &path_prefix {
                sql.push(format!(" and {alias}.path like (select "))
                    .push_bind(prefix.clone())
                    .push("::text)");
            }
            if let Some(after) = &after {
                sql.push(format!(" and lower({alias}.user_name) {beyond} (select "))
                    .push_bind(after.clone())
                    .push("::text)");
            }
        };
        // The page's rows of iam_users come from the name index alone (it includes every column
        // read here), walked in page order. One row more than asked tells whether there is a
        // next page. The limits of the walks through the index are written into the statement:
        // Postgres keeps one plan per statement, made for its limit. Passed as values it cannot
        // see (`(select $n::bigint)`), a limit is assumed to take a tenth of the account's
        // users, and for 100,000 users the kept plan read them all and sorted them (90 ms for a
        // page of 51). Before a freshly grown table has statistics, a limit larger than
        // Postgres's guess of the account's users still makes it read them all and sort them
        // (60 ms for a page of 1,000 out of 30,000 unanalyzed users, until autovacuum
        // analyzes the table). The login profile is looked
        // up row by row (a lateral subquery Postgres cannot flatten): as a plain join, Postgres
        // read every login profile of the table to hash-join a page of 1,000 rows (the API's
        // ListUsers), because it prices index lookups as disk reads.
        let rows_wanted = limit + 1;
        let columns = "u.user_id, u.user_name, u.path, u.created_at, u.disabled_at, \
                       lower(u.user_name) as k";
        let mut sql = sqlx::QueryBuilder::new("with ");
        match &pattern {
            None => {
                sql.push(format!("page as (select {columns} from iam_users u where"));
                in_page_order(&mut sql, "u");
                sql.push(format!(
                    " order by lower(u.user_name) {order} limit {rows_wanted})"
                ));
            }
            Some(pattern) => {
                // A search first walks the next SEARCH_WALK names in page order, filtering them
                // in the index: cheap, and enough whenever the search matches more than about
                // one name in forty. Only when that finds less than a page does it ask the
                // trigram index for all the matches instead (for a rare name, few rows).
                // Postgres's guess of how many names a substring matches decides neither step:
                // a wrong guess used to cost a scan of every user, or a sort of all matches.
                sql.push(format!(
                    "hits as materialized (select * from (select {columns} from iam_users u where"
                ));
                in_page_order(&mut sql, "u");
                // The walk's limit reaches Postgres as a value it cannot see: as the literal
                // 2000, larger than its guess of the account's users before the table has
                // statistics, it made the kept plan read every user and sort them.
                sql.push(format!(" order by lower(u.user_name) {order} limit (select "))
                    .push_bind(SEARCH_WALK)
                    .push("::bigint)) w where w.k like (select ")
                    .push_bind(pattern.clone())
                    .push(format!("::text) order by w.k {order} limit {rows_wanted}), "));
                sql.push(format!(
                    "rest as materialized (select {columns} from iam_users u \
                      where (select count(*) from hits) < {rows_wanted} and"
                ));
                in_page_order(&mut sql, "u");
                sql.push(" and lower(u.user_name) like (select ")
                    .push_bind(pattern.clone())
                    .push("::text)");
                sql.push(format!(
                    "), page as (select * from hits where (select count(*) from hits) = {rows_wanted} \
                      union all select * from rest order by k {order} limit {rows_wanted})"
                ));
            }
        }
        sql.push(format!(
            " select u.user_id, u.user_name, u.path, u.created_at, u.disabled_at, \
                    (select count(*) from group_members m where m.user_id = u.user_id) as groups, \
                    lp.user_id is not null as console, lp.password_changed_at, \
                    lp.password_last_used as last_sign_in, \
                    exists (select 1 from mfa_devices d \
                             where d.user_id = u.user_id and d.enabled_at is not null) as mfa, \
                    (select min(k.created_at) from access_keys k \
                      where k.user_id = u.user_id and k.status = 'Active') as oldest_key \
               from page u \
               left join lateral (select lp.user_id, lp.password_changed_at, lp.password_last_used \
                                    from login_profiles lp where lp.user_id = u.user_id offset 0) lp on true \
              order by u.k {order}"
        ));
        let rows: Vec<UserRow> = sql.build_query_as().fetch_all(self.pool()).await?;
        let mut users: Vec<UserSummary> = rows
            .into_iter()
            .map(|r| UserSummary {
                arn: self
                    .partition()
                    .entity_arn(account, "user", &r.path, &r.user_name),
                name: r.user_name,
                path: r.path,
                user_id: r.user_id,
                groups: r.groups,
                console_access: r.console,
                password_changed_at: r.password_changed_at,
                console_last_sign_in: r.last_sign_in,
                mfa: r.mfa,
                oldest_active_key: r.oldest_key,
                disabled: r.disabled_at.is_some(),
                created_at: r.created_at,
            })
            .collect();
        let next = if users.len() as i64 > limit {
            users.truncate(limit as usize);
            users.last().map(UserSummary::key)
        } else {
            None
        };
        Ok(UserPage { users, next })
    }

    /// One user with its groups, policies and boundary, authorized as `iam:GetUser` on its ARN.
    pub async fn get_user(&self, actor: &Actor, account: &AccountId, name: &UserName) -> Result<UserDetail> {
        let row = sqlx::query!(
            r#"select u.user_id, u.user_name, u.path, u.created_at, u.disabled_at,
                      lp.user_id is not null as "console!",
                      lp.password_changed_at as "password_changed_at?",
                      lp.password_last_used as "last_sign_in?",
                      coalesce(lp.password_reset_required, false) as "reset!",
                      lp.locked_until as "locked_until?",
                      exists (select 1 from mfa_devices d
                               where d.user_id = u.user_id and d.enabled_at is not null) as "mfa!",
                      (select min(k.created_at) from access_keys k
                        where k.user_id = u.user_id and k.status = 'Active') as "oldest_key?",
                      b.policy_name as "boundary_name?", b.path as "boundary_path?",
                      b.account_id as "boundary_account?"
                 from iam_users u
                 left join login_profiles lp on lp.user_id = u.user_id
                 left join managed_policies b on b.policy_id = u.permissions_boundary
                where u.account_id = $1 and lower(u.user_name) = lower($2)"#,
            account.as_str(),
            name.as_str(),
        )
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else {
            // Only someone who may read users learns that this one does not exist.
            let arn = format!("arn:{}:iam::{account}:user/{name}", self.partition().as_str());
            let _ok = self.authorize(actor, "iam:GetUser", &arn, account).await?;
            return Err(Error::NotFound {
                kind: "user",
                name: name.to_string(),
            });
        };
        let arn = self
            .partition()
            .entity_arn(account, "user", &row.path, &row.user_name);
        let _ok = self.authorize(actor, "iam:GetUser", &arn, account).await?;
        let groups = sqlx::query!(
            "select g.group_name, g.path from group_members m join iam_groups g using (group_id) \
             where m.user_id = $1 order by lower(g.group_name)",
            row.user_id,
        )
        .fetch_all(self.pool())
        .await?;
        let policies = sqlx::query!(
            r#"select null::text as "group_name?", null::text as "group_path?",
                      p.policy_name as "policy_name!", p.path as "path!", p.account_id
                 from user_policy_attachments a join managed_policies p using (policy_id)
                where a.user_id = $1
               union all
               select g.group_name, g.path, p.policy_name, p.path, p.account_id
                 from group_members m
                 join iam_groups g on g.group_id = m.group_id
                 join group_policy_attachments a on a.group_id = m.group_id
                 join managed_policies p on p.policy_id = a.policy_id
                where m.user_id = $1
                order by 1 nulls first, 3"#,
            row.user_id,
        )
        .fetch_all(self.pool())
        .await?;
        let inline_policies = sqlx::query_scalar!(
            "select policy_name from user_inline_policies where user_id = $1 order by policy_name",
            row.user_id,
        )
        .fetch_all(self.pool())
        .await?;
        let policy_ref = |owner: Option<&str>, path: &str, name: &str| PolicyRef {
            arn: self.partition().policy_arn(owner.map(|_| account), path, name),
            name: name.to_owned(),
            system: owner.is_none(),
        };
        let group_ref = |name: &str, path: &str| EntityRef {
            arn: self.partition().entity_arn(account, "group", path, name),
            name: name.to_owned(),
        };
        let mut attached = Vec::new();
        let mut from_groups = Vec::new();
        for p in &policies {
            let policy = policy_ref(p.account_id.as_deref(), &p.path, &p.policy_name);
            match (&p.group_name, &p.group_path) {
                (Some(g), Some(path)) => from_groups.push((group_ref(g, path), policy)),
                _ => attached.push(policy),
            }
        }
        let boundary = match (&row.boundary_name, &row.boundary_path) {
            (Some(name), Some(path)) => Some(policy_ref(row.boundary_account.as_deref(), path, name)),
            _ => None,
        };
        let tags = self.tags_of(crate::tags::Tagged::User, &row.user_id).await?;
        Ok(UserDetail {
            summary: UserSummary {
                arn,
                name: row.user_name,
                path: row.path,
                user_id: row.user_id,
                groups: groups.len() as i64,
                console_access: row.console,
                password_changed_at: row.password_changed_at,
                console_last_sign_in: row.last_sign_in,
                mfa: row.mfa,
                oldest_active_key: row.oldest_key,
                disabled: row.disabled_at.is_some(),
                created_at: row.created_at,
            },
            password_reset_required: row.reset,
            locked_until: row.locked_until.filter(|until| *until > self.now()),
            groups: groups.iter().map(|g| group_ref(&g.group_name, &g.path)).collect(),
            attached,
            from_groups,
            inline_policies,
            boundary,
            tags,
        })
    }
}
