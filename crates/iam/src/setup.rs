//! First-run setup. While a deployment has no account, start-up issues a one-time setup link;
//! opening it lets a person create the first account and its root user. Only a SHA-256 of the
//! token is stored; a token works once, expires, and is replaced when a newer one is issued.

use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use sha2::{Digest, Sha256};
use time::Duration;

use crate::accounts::{CreatedAccount, NewAccount};
use crate::authz::Actor;
use crate::events::{RequestMeta, Source};
use crate::{Error, Iam, Result};

/// A freshly issued setup token. Shown once (in the terminal), never stored in clear.
pub struct SetupToken(SecretString);

impl SetupToken {
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl std::fmt::Debug for SetupToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SetupToken([redacted])")
    }
}

fn digest(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Whether the deployment has any account yet.
async fn accounts_exist(conn: impl sqlx::PgExecutor<'_>) -> Result<bool> {
    let row = sqlx::query!(r#"select exists (select 1 from accounts) as "exists!""#)
        .fetch_one(conn)
        .await?;
    Ok(row.exists)
}

impl Iam {
    pub async fn has_accounts(&self) -> Result<bool> {
        accounts_exist(self.pool()).await
    }

    /// Issues a new setup token valid for `valid_for`, unless the deployment already has an
    /// account (then `None`). Earlier unused tokens stop working.
    pub async fn issue_setup_token(&self, valid_for: Duration) -> Result<Option<SetupToken>> {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let token: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let now = self.now();
        let mut tx = self.pool().begin().await?;
        if accounts_exist(&mut *tx).await? {
            return Ok(None);
        }
        sqlx::query!("delete from setup_tokens where used_at is null")
            .execute(&mut *tx)
            .await?;
        sqlx::query!(
            "insert into setup_tokens (token_hash, created_at, expires_at) values ($1, $2, $3)",
            digest(&token),
            now,
            now + valid_for,
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Some(SetupToken(SecretString::from(token))))
    }

    /// Whether `token` would be accepted now.
    pub async fn setup_token_is_valid(&self, token: &str) -> Result<bool> {
        let row = sqlx::query!(
            r#"select exists (select 1 from setup_tokens
                              where token_hash = $1 and used_at is null and expires_at > $2)
                      and not exists (select 1 from accounts) as "valid!""#,
            digest(token),
            self.now(),
        )
        .fetch_one(self.pool())
        .await?;
        Ok(row.valid)
    }

    /// Creates the first account and its root user with a valid setup token, and spends the
    /// token, all in one transaction.
    pub async fn complete_setup(
        &self,
        token: &str,
        new: NewAccount,
        meta: &RequestMeta,
    ) -> Result<CreatedAccount> {
        if !self.setup_token_is_valid(token).await? {
            return Err(if self.has_accounts().await? {
                Error::SetupAlreadyDone
            } else {
                Error::SetupLinkInvalid
            });
        }
        let hash = self.check_and_hash_root_password(&new).await?;
        let mut tx = self.pool().begin().await?;
        // Lock the token row so that two submissions of one link cannot both succeed.
        let usable = sqlx::query!(
            r#"select used_at is null and expires_at > $2 as "usable!"
               from setup_tokens where token_hash = $1 for update"#,
            digest(token),
            self.now(),
        )
        .fetch_optional(&mut *tx)
        .await?
        .is_some_and(|r| r.usable);
        if !usable {
            return Err(Error::SetupLinkInvalid);
        }
        if accounts_exist(&mut *tx).await? {
            return Err(Error::SetupAlreadyDone);
        }
        let created = self
            .insert_account(&mut tx, &new, hash, Source::Setup, &Actor::SetupLink, meta)
            .await?;
        sqlx::query!(
            "update setup_tokens set used_at = $2, account_id = $3 where token_hash = $1",
            digest(token),
            self.now(),
            created.account_id.as_str(),
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(created)
    }
}
