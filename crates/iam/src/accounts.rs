//! Accounts and their root users.

use rand::thread_rng;
use secrecy::SecretString;
use serde_json::json;
use sqlx::PgConnection;

use crate::authz::Actor;
use crate::events::{self, NewEvent, Outcome, RequestMeta, Source};
use crate::{AccountAlias, AccountId, AccountRef, Email, Error, Iam, Result};

/// What it takes to create an account: its root user's email and password, and an optional alias.
pub struct NewAccount {
    pub alias: Option<AccountAlias>,
    pub root_email: Email,
    pub root_password: SecretString,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreatedAccount {
    pub account_id: AccountId,
    pub alias: Option<AccountAlias>,
    pub root_arn: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountInfo {
    pub account_id: AccountId,
    pub alias: Option<AccountAlias>,
}

impl Iam {
    /// Creates an account and its root user. Only the operator (CLI) may create accounts; the
    /// first account of a deployment is created through the setup link instead.
    pub async fn create_account(
        &self,
        actor: &Actor,
        new: NewAccount,
        meta: &RequestMeta,
    ) -> Result<CreatedAccount> {
        if !matches!(actor, Actor::Operator) {
            return Err(Error::AccessDenied {
                actor: actor.label(),
                action: "organizations:CreateAccount".into(),
                resource: "*".into(),
            });
        }
        let hash = self.check_and_hash_root_password(&new).await?;
        let mut tx = self.pool().begin().await?;
        let created = self
            .insert_account(&mut tx, &new, hash, Source::Cli, actor, meta)
            .await?;
        tx.commit().await?;
        Ok(created)
    }

    pub(crate) async fn check_and_hash_root_password(&self, new: &NewAccount) -> Result<String> {
        let alias = new.alias.as_ref().map(AccountAlias::as_str).unwrap_or_default();
        // A new account has the default password policy.
        crate::PasswordPolicy::default().check(&new.root_password, &[new.root_email.as_str(), alias])?;
        self.inner.passwords.hash(&new.root_password).await
    }

    /// Inserts account, root user and the event in the caller's transaction.
    pub(crate) async fn insert_account(
        &self,
        tx: &mut PgConnection,
        new: &NewAccount,
        password_hash: String,
        source: Source,
        actor: &Actor,
        meta: &RequestMeta,
    ) -> Result<CreatedAccount> {
        // A random 12-digit ID; on the rare collision, draw again.
        let mut account_id = None;
        for _ in 0..5 {
            let candidate = AccountId::random(&mut thread_rng());
            let inserted = sqlx::query!(
                "insert into accounts (account_id, alias) values ($1, $2) on conflict (account_id) do nothing",
                candidate.as_str(),
                new.alias.as_ref().map(AccountAlias::as_str),
            )
            .execute(&mut *tx)
            .await
            .map_err(|e| Error::from(e).naming(new.alias.as_ref().map(AccountAlias::as_str).unwrap_or_default()))?;
            if inserted.rows_affected() == 1 {
                account_id = Some(candidate);
                break;
            }
        }
        let account_id =
            account_id.ok_or_else(|| Error::Internal("could not draw a free account ID".into()))?;
        sqlx::query!(
            "insert into root_users (account_id, email, password_hash) values ($1, $2, $3)",
            account_id.as_str(),
            new.root_email.as_str(),
            password_hash,
        )
        .execute(&mut *tx)
        .await
        .map_err(|e| Error::from(e).naming(&new.root_email))?;
        let root_arn = self.partition().root_arn(&account_id);
        events::append(
            tx,
            NewEvent {
                account_id: Some(&account_id),
                source,
                name: "CreateAccount",
                actor_arn: actor.arn().map(str::to_owned),
                actor_detail: Some(actor.label()),
                meta,
                outcome: Outcome::Success,
                error_code: None,
                resource_arn: Some(root_arn.clone()),
                request: json!({ "alias": new.alias, "rootEmail": new.root_email }),
                before: None,
                after: Some(json!({ "accountId": account_id, "alias": new.alias })),
            },
        )
        .await?;
        Ok(CreatedAccount {
            account_id,
            alias: new.alias.clone(),
            root_arn,
        })
    }

    /// Resolves what a person typed as an account (ID or alias) to the account.
    pub async fn find_account(&self, account: &AccountRef) -> Result<Option<AccountInfo>> {
        let row = match account {
            AccountRef::Id(id) => sqlx::query!(
                "select account_id, alias from accounts where account_id = $1",
                id.as_str()
            )
            .fetch_optional(self.pool())
            .await?
            .map(|r| (r.account_id, r.alias)),
            AccountRef::Alias(alias) => sqlx::query!(
                "select account_id, alias from accounts where alias = $1",
                alias.as_str()
            )
            .fetch_optional(self.pool())
            .await?
            .map(|r| (r.account_id, r.alias)),
        };
        row.map(|(id, alias)| {
            Ok(AccountInfo {
                account_id: id.try_into()?,
                alias: alias.map(TryInto::try_into).transpose()?,
            })
        })
        .transpose()
    }
}
