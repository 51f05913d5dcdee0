//! IAM users and their login profiles (console passwords).

use rand::thread_rng;
use secrecy::SecretString;
use serde_json::json;

use crate::authz::Actor;
use crate::events::{self, NewEvent, Outcome, RequestMeta, Source};
use crate::{AccountRef, Error, Iam, IamPath, Result, UserId, UserName};

pub struct NewUser {
    pub name: UserName,
    pub path: IamPath,
    /// A console password; `None` creates a user without console access.
    pub password: Option<SecretString>,
    pub password_reset_required: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreatedUser {
    pub user_id: UserId,
    pub user_name: UserName,
    pub arn: String,
}

impl Iam {
    /// Creates an IAM user (and its login profile when a password is given) in one transaction,
    /// authorized as `iam:CreateUser` (and `iam:CreateLoginProfile`) on the new user's ARN.
    pub async fn create_user(
        &self,
        actor: &Actor,
        account: &AccountRef,
        new: NewUser,
        source: Source,
        meta: &RequestMeta,
    ) -> Result<CreatedUser> {
        let account = self.find_account(account).await?.ok_or_else(|| Error::NotFound {
            kind: "account",
            name: account.to_string(),
        })?;
        let arn = self
            .partition()
            .user_arn(&account.account_id, &new.path, &new.name);
        let _create = self
            .authorize(actor, "iam:CreateUser", &arn, &account.account_id)
            .await?;
        let password_hash = match &new.password {
            Some(password) => {
                let _profile = self
                    .authorize(actor, "iam:CreateLoginProfile", &arn, &account.account_id)
                    .await?;
                self.password_rules().check(password, &[new.name.as_str()])?;
                Some(self.inner.passwords.hash(password).await?)
            }
            None => None,
        };
        let user_id = UserId::random(&mut thread_rng());
        let mut tx = self.pool().begin().await?;
        sqlx::query!(
            "insert into iam_users (user_id, account_id, user_name, path) values ($1, $2, $3, $4)",
            user_id.as_str(),
            account.account_id.as_str(),
            new.name.as_str(),
            new.path.as_str(),
        )
        .execute(&mut *tx)
        .await
        .map_err(|e| Error::from(e).naming(&new.name))?;
        if let Some(hash) = password_hash {
            sqlx::query!(
                "insert into login_profiles (user_id, password_hash, password_reset_required) values ($1, $2, $3)",
                user_id.as_str(),
                hash,
                new.password_reset_required,
            )
            .execute(&mut *tx)
            .await?;
        }
        events::append(
            &mut tx,
            NewEvent {
                account_id: Some(&account.account_id),
                source,
                name: "CreateUser",
                actor_arn: actor.arn().map(str::to_owned),
                actor_detail: Some(actor.label()),
                meta,
                outcome: Outcome::Success,
                error_code: None,
                resource_arn: Some(arn.clone()),
                request: json!({
                    "userName": new.name,
                    "path": new.path,
                    "consoleAccess": new.password.is_some(),
                    "passwordResetRequired": new.password_reset_required,
                }),
                before: None,
                after: Some(json!({ "userId": user_id, "arn": arn })),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(CreatedUser {
            user_id,
            user_name: new.name,
            arn,
        })
    }
}
