//! Access keys: the credentials scripts, the aws CLI and boto3 sign IAM API requests with (SigV4).
//!
//! A key is an ID (`AKIA` + 16 base32 characters) and a 40-character secret from the operating
//! system's CSPRNG. The secret is returned once, when the key is created; the server keeps it
//! sealed with its secret key (AES-256-GCM, the key ID as associated data), because verifying a
//! SigV4 signature needs the secret itself, so it cannot be hashed. An owner (an IAM user, or
//! the root user for the root user's own keys) has at most two keys, so that one can be rotated
//! while the other still works; a key is Active or Inactive; deleting is final.

use rand::Rng;
use secrecy::SecretString;
use serde_json::json;
use time::OffsetDateTime;

use crate::authz::Actor;
use crate::entities::change as change_event;
use crate::events::{self, RequestMeta, Source};
use crate::{AccessKeyId, AccountId, CredentialOwner, Error, Iam, Result};

/// Access keys one user (or root) may have (AWS's AccessKeysPerUser quota).
pub const MAX_ACCESS_KEYS: u32 = 2;
/// Characters of a secret access key, as AWS issues them.
const SECRET_LEN: usize = 40;
/// The alphabet of secrets (AWS's: base64 characters).
const SECRET_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Whether a key signs requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccessKeyStatus {
    Active,
    Inactive,
}

impl AccessKeyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "Active",
            Self::Inactive => "Inactive",
        }
    }

    fn from_db(value: &str) -> Self {
        if value == "Active" {
            Self::Active
        } else {
            Self::Inactive
        }
    }
}

impl std::str::FromStr for AccessKeyStatus {
    type Err = Error;

    fn from_str(value: &str) -> Result<Self> {
        match value {
            "Active" => Ok(Self::Active),
            "Inactive" => Ok(Self::Inactive),
            _ => Err(Error::Invalid {
                field: "status",
                reason: "must be Active or Inactive".to_owned(),
            }),
        }
    }
}

/// A key just created: the only time its secret leaves the server.
pub struct NewAccessKey {
    pub access_key_id: AccessKeyId,
    pub secret_access_key: SecretString,
    pub created_at: OffsetDateTime,
}

impl std::fmt::Debug for NewAccessKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewAccessKey")
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

/// Where and when a key was last used to sign a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessKeyLastUsed {
    pub at: OffsetDateTime,
    pub service: String,
    pub region: String,
}

/// A key as lists show it: never its secret.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccessKeyInfo {
    pub access_key_id: AccessKeyId,
    pub status: AccessKeyStatus,
    pub created_at: OffsetDateTime,
    pub last_used: Option<AccessKeyLastUsed>,
}

fn new_secret() -> String {
    let mut rng = rand::rngs::OsRng;
    (0..SECRET_LEN)
        .map(|_| char::from(SECRET_ALPHABET[rng.gen_range(0..SECRET_ALPHABET.len())]))
        .collect()
}

fn key_not_found(id: &AccessKeyId, owner: &str) -> Error {
    Error::NotFound {
        kind: "access key",
        name: format!("{id} of {owner}"),
    }
}

impl Iam {
    /// Creates an access key for `owner` (AWS CreateAccessKey, authorized as
    /// `iam:CreateAccessKey` on the owner), Active, and returns its secret this once.
    pub async fn create_access_key(
        &self,
        actor: &Actor,
        account: &AccountId,
        owner: CredentialOwner<'_>,
        meta: &RequestMeta,
    ) -> Result<NewAccessKey> {
        let (mut tx, owner) = self
            .begin_owner_change(actor, account, owner, "iam:CreateAccessKey")
            .await?;
        let existing = sqlx::query_scalar!(
            r#"select count(*) as "n!" from access_keys where account_id = $1 and user_id is not distinct from $2"#,
            account.as_str(),
            owner.user_id,
        )
        .fetch_one(&mut *tx)
        .await?;
        if existing >= i64::from(MAX_ACCESS_KEYS) {
            return Err(Error::LimitExceeded {
                quota: "AccessKeysPerUser",
                limit: MAX_ACCESS_KEYS,
            });
        }
        let id = AccessKeyId::random(&mut rand::rngs::OsRng);
        let secret = new_secret();
        let key = self.inner.secret_keys.current();
        let sealed = key.seal(secret.as_bytes(), id.as_str().as_bytes())?;
        let created_at = self.now();
        sqlx::query!(
            "insert into access_keys (access_key_id, account_id, user_id, secret, key_id, created_at)
             values ($1, $2, $3, $4, $5, $6)",
            id.as_str(),
            account.as_str(),
            owner.user_id,
            sealed,
            key.id(),
            created_at,
        )
        .execute(&mut *tx)
        .await?;
        let event = change_event(
            account,
            Source::Console,
            "CreateAccessKey",
            actor,
            meta,
            &owner.arn,
            json!({ "accessKeyId": id.as_str(), "status": "Active" }),
        );
        events::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(NewAccessKey {
            access_key_id: id,
            secret_access_key: secret.into(),
            created_at,
        })
    }

    /// Activates or deactivates one of the owner's keys (AWS UpdateAccessKey, authorized as
    /// `iam:UpdateAccessKey` on the owner). An Inactive key signs nothing until activated again.
    pub async fn update_access_key(
        &self,
        actor: &Actor,
        account: &AccountId,
        owner: CredentialOwner<'_>,
        id: &AccessKeyId,
        status: AccessKeyStatus,
        meta: &RequestMeta,
    ) -> Result<()> {
        let (mut tx, owner) = self
            .begin_owner_change(actor, account, owner, "iam:UpdateAccessKey")
            .await?;
        let before = sqlx::query_scalar!(
            "select status from access_keys where access_key_id = $1 and account_id = $2
                and user_id is not distinct from $3 for update",
            id.as_str(),
            account.as_str(),
            owner.user_id,
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| key_not_found(id, &owner.label))?;
        sqlx::query!(
            "update access_keys set status = $2 where access_key_id = $1",
            id.as_str(),
            status.as_str(),
        )
        .execute(&mut *tx)
        .await?;
        let mut event = change_event(
            account,
            Source::Console,
            "UpdateAccessKey",
            actor,
            meta,
            &owner.arn,
            json!({ "accessKeyId": id.as_str(), "status": status.as_str() }),
        );
        event.before = Some(json!({ "status": before }));
        event.after = Some(json!({ "status": status.as_str() }));
        events::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes one of the owner's keys for good (AWS DeleteAccessKey, authorized as
    /// `iam:DeleteAccessKey` on the owner).
    pub async fn delete_access_key(
        &self,
        actor: &Actor,
        account: &AccountId,
        owner: CredentialOwner<'_>,
        id: &AccessKeyId,
        meta: &RequestMeta,
    ) -> Result<()> {
        let (mut tx, owner) = self
            .begin_owner_change(actor, account, owner, "iam:DeleteAccessKey")
            .await?;
        let before = sqlx::query_scalar!(
            "delete from access_keys where access_key_id = $1 and account_id = $2
                and user_id is not distinct from $3 returning status",
            id.as_str(),
            account.as_str(),
            owner.user_id,
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| key_not_found(id, &owner.label))?;
        let mut event = change_event(
            account,
            Source::Console,
            "DeleteAccessKey",
            actor,
            meta,
            &owner.arn,
            json!({ "accessKeyId": id.as_str() }),
        );
        event.before = Some(json!({ "accessKeyId": id.as_str(), "status": before }));
        events::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The owner's keys, oldest first (AWS ListAccessKeys with GetAccessKeyLastUsed, authorized
    /// as `iam:ListAccessKeys` on the owner).
    pub async fn list_access_keys(
        &self,
        actor: &Actor,
        account: &AccountId,
        owner: CredentialOwner<'_>,
    ) -> Result<Vec<AccessKeyInfo>> {
        let (tx, owner) = self
            .begin_owner_change(actor, account, owner, "iam:ListAccessKeys")
            .await?;
        drop(tx);
        let rows = sqlx::query!(
            "select access_key_id, status, created_at, last_used_at, last_used_service, last_used_region
             from access_keys where account_id = $1 and user_id is not distinct from $2
             order by created_at, access_key_id",
            account.as_str(),
            owner.user_id,
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(AccessKeyInfo {
                    access_key_id: AccessKeyId::try_from(r.access_key_id.as_str())?,
                    status: AccessKeyStatus::from_db(&r.status),
                    created_at: r.created_at,
                    last_used: r.last_used_at.map(|at| AccessKeyLastUsed {
                        at,
                        service: r.last_used_service.unwrap_or_else(|| "N/A".to_owned()),
                        region: r.last_used_region.unwrap_or_else(|| "N/A".to_owned()),
                    }),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_forty_base64_characters_and_differ() {
        let a = new_secret();
        let b = new_secret();
        assert_eq!(a.len(), SECRET_LEN);
        assert!(a.bytes().all(|c| SECRET_ALPHABET.contains(&c)));
        assert_ne!(a, b);
    }

    #[test]
    fn statuses_parse_as_aws_spells_them() {
        assert_eq!(
            "Active".parse::<AccessKeyStatus>().ok(),
            Some(AccessKeyStatus::Active)
        );
        assert_eq!(
            "Inactive".parse::<AccessKeyStatus>().ok(),
            Some(AccessKeyStatus::Inactive)
        );
        assert!("active".parse::<AccessKeyStatus>().is_err());
    }
}
