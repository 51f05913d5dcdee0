//! An account's settings and summary: its alias (AWS's CreateAccountAlias / DeleteAccountAlias)
//! and the counts and security recommendations of the IAM dashboard.

use serde_json::json;

use crate::authz::Actor;
use crate::entities::change;
use crate::events::{self, RequestMeta, Source};
use crate::{AccountAlias, AccountId, Error, Iam, Result};

/// What the IAM dashboard shows about an account.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountSummary {
    pub users: i64,
    pub groups: i64,
    pub customer_policies: i64,
    /// Users who can sign in to the console.
    pub console_users: i64,
    /// Console users with no assigned MFA device.
    pub console_users_without_mfa: i64,
    pub root_has_mfa: bool,
    pub disabled_users: i64,
    /// Active access keys (of users and root) created more than 90 days ago: AWS recommends
    /// rotating keys at least that often.
    pub old_access_keys: i64,
}

/// Age after which the dashboard recommends rotating an active access key.
pub const ACCESS_KEY_ROTATION_DAYS: i64 = 90;

impl Iam {
    /// The dashboard's counts, authorized as `iam:GetAccountSummary` (resource `*`, as in AWS).
    pub async fn account_summary(&self, actor: &Actor, account: &AccountId) -> Result<AccountSummary> {
        let _ok = self
            .authorize(actor, "iam:GetAccountSummary", "*", account)
            .await?;
        let r = sqlx::query!(
            r#"select
                 (select count(*) from iam_users where account_id = $1) as "users!",
                 (select count(*) from iam_groups where account_id = $1) as "groups!",
                 (select count(*) from managed_policies where account_id = $1) as "policies!",
                 (select count(*) from iam_users u join login_profiles p using (user_id)
                   where u.account_id = $1) as "console!",
                 (select count(*) from iam_users u join login_profiles p using (user_id)
                   where u.account_id = $1
                     and not exists (select 1 from mfa_devices d
                                     where d.user_id = u.user_id and d.enabled_at is not null)) as "console_without_mfa!",
                 exists (select 1 from mfa_devices where account_id = $1 and user_id is null
                           and enabled_at is not null) as "root_mfa!",
                 (select count(*) from iam_users where account_id = $1 and disabled_at is not null) as "disabled!",
                 (select count(*) from access_keys where account_id = $1 and status = 'Active'
                   and created_at < $2) as "old_keys!""#,
            account.as_str(),
            self.now() - time::Duration::days(ACCESS_KEY_ROTATION_DAYS),
        )
        .fetch_one(self.pool())
        .await?;
        Ok(AccountSummary {
            users: r.users,
            groups: r.groups,
            customer_policies: r.policies,
            console_users: r.console,
            console_users_without_mfa: r.console_without_mfa,
            root_has_mfa: r.root_mfa,
            disabled_users: r.disabled,
            old_access_keys: r.old_keys,
        })
    }

    /// Sets (or replaces) the account's alias, authorized as `iam:CreateAccountAlias`. The alias is
    /// unique across the deployment; the IAM users sign-in URL follows it.
    pub async fn set_account_alias(
        &self,
        actor: &Actor,
        account: &AccountId,
        alias: &AccountAlias,
        meta: &RequestMeta,
    ) -> Result<()> {
        let _ok = self
            .authorize(actor, "iam:CreateAccountAlias", "*", account)
            .await?;
        let mut tx = self.pool().begin().await?;
        let before = sqlx::query_scalar!(
            "select alias from accounts where account_id = $1 for update",
            account.as_str()
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| Error::NotFound {
            kind: "account",
            name: account.to_string(),
        })?;
        sqlx::query!(
            "update accounts set alias = $2 where account_id = $1",
            account.as_str(),
            alias.as_str()
        )
        .execute(&mut *tx)
        .await
        .map_err(|e| Error::from(e).naming(alias))?;
        let arn = format!("arn:{}:iam::{account}:root", self.partition().as_str());
        let mut event = change(
            account,
            Source::Console,
            "CreateAccountAlias",
            actor,
            meta,
            &arn,
            json!({"accountAlias": alias}),
        );
        event.before = Some(json!({ "accountAlias": before }));
        event.after = Some(json!({ "accountAlias": alias }));
        events::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes the account's alias, authorized as `iam:DeleteAccountAlias`.
    pub async fn delete_account_alias(
        &self,
        actor: &Actor,
        account: &AccountId,
        meta: &RequestMeta,
    ) -> Result<()> {
        let _ok = self
            .authorize(actor, "iam:DeleteAccountAlias", "*", account)
            .await?;
        let mut tx = self.pool().begin().await?;
        let before = sqlx::query_scalar!(
            "select alias from accounts where account_id = $1 for update",
            account.as_str()
        )
        .fetch_optional(&mut *tx)
        .await?
        .flatten()
        .ok_or_else(|| Error::NotFound {
            kind: "account alias of account",
            name: account.to_string(),
        })?;
        sqlx::query!(
            "update accounts set alias = null where account_id = $1",
            account.as_str()
        )
        .execute(&mut *tx)
        .await?;
        let arn = format!("arn:{}:iam::{account}:root", self.partition().as_str());
        let mut event = change(
            account,
            Source::Console,
            "DeleteAccountAlias",
            actor,
            meta,
            &arn,
            json!({"accountAlias": before}),
        );
        event.before = Some(json!({ "accountAlias": before }));
        events::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }
}
