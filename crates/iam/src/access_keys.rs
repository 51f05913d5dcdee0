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
use crate::{
    AccessKeyId, AccountId, CredentialOwner, Error, Iam, IamPath, Principal, PrincipalKind, Result, UserId,
};

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

/// The owner of an Active access key, ready to act: what the IAM API needs to verify a request's
/// SigV4 signature (the secret) and then to authorize it (the principal).
pub struct KeyHolder {
    pub principal: Principal,
    pub secret: SecretString,
}

impl std::fmt::Debug for KeyHolder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyHolder")
            .field("principal", &self.principal.arn)
            .finish_non_exhaustive()
    }
}

/// How often at most the last use of a key is written: a script calling in a loop does not
/// turn every request into a write, and the time shown stays accurate to the minute.
const LAST_USED_GRANULARITY: time::Duration = time::Duration::seconds(60);

/// The last use of each key this process wrote, so that a key signing requests in a loop is
/// written once a minute, not read and written on every request. Past this many keys it starts
/// again empty.
#[derive(Default)]
pub(crate) struct KeyUseCache {
    written: std::sync::Mutex<std::collections::HashMap<String, (OffsetDateTime, String, String)>>,
}

const MAX_CACHED_KEY_USES: usize = 10_000;

impl KeyUseCache {
    /// Whether the use must be written: never written by this process, more than a minute ago,
    /// or to another service or region. Marks it written now if so.
    fn should_write(&self, id: &str, now: OffsetDateTime, service: &str, region: &str) -> bool {
        let mut written = self
            .written
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let fresh = written
            .get(id)
            .is_some_and(|(at, s, r)| now - *at < LAST_USED_GRANULARITY && s == service && r == region);
        if fresh {
            return false;
        }
        if written.len() >= MAX_CACHED_KEY_USES {
            written.clear();
        }
        written.insert(id.to_owned(), (now, service.to_owned(), region.to_owned()));
        true
    }
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
        // The operator's CLI bootstraps keys for scripts (`gatehouse access-key create`).
        let source = match actor {
            Actor::Operator => Source::Cli,
            _ => Source::Console,
        };
        let event = change_event(
            account,
            source,
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

impl Iam {
    /// The holder of the access key `id`, with the key's secret, when the key exists, is Active,
    /// and its owner may act: an IAM user that is not disabled, or the account's root user.
    /// `None` otherwise, whichever the reason, so that callers cannot tell an unknown key from an
    /// inactive one (AWS answers both with InvalidClientTokenId).
    ///
    /// This is authentication, not an IAM action: nothing is authorized here, and the principal
    /// returned goes through [`Iam::authorize`] for whatever it then asks to do.
    pub async fn access_key_holder(&self, id: &str) -> Result<Option<KeyHolder>> {
        let Ok(id) = AccessKeyId::try_from(id) else {
            return Ok(None);
        };
        let row = sqlx::query!(
            r#"select k.account_id, k.user_id, k.secret, k.key_id, k.status, a.alias as "alias?",
                      u.user_name as "user_name?", u.path as "path?",
                      u.disabled_at is not null as "disabled?", r.email as "email?",
                      (select epoch from permissions_epoch) as "permissions_epoch!"
                 from access_keys k
                 join accounts a on a.account_id = k.account_id
                 left join iam_users u on u.user_id = k.user_id
                 left join root_users r on r.account_id = k.account_id and k.user_id is null
                where k.access_key_id = $1"#,
            id.as_str(),
        )
        .fetch_optional(self.pool())
        .await?;
        let Some(row) = row else { return Ok(None) };
        if row.status != AccessKeyStatus::Active.as_str() || row.disabled == Some(true) {
            return Ok(None);
        }
        let account_id = AccountId::try_from(row.account_id.as_str())?;
        let partition = self.partition();
        let (arn, kind, epoch) = match (row.user_id, row.user_name, row.path, row.email) {
            (Some(user_id), Some(name), Some(path), _) => {
                let user_name = crate::UserName::try_from(name.as_str())?;
                let path = IamPath::try_from(path.as_str())?;
                (
                    partition.user_arn(&account_id, &path, &user_name),
                    PrincipalKind::User {
                        user_id: UserId::try_from(user_id.as_str())?,
                        user_name,
                        path,
                    },
                    Some(row.permissions_epoch),
                )
            }
            (None, _, _, Some(email)) => (
                partition.root_arn(&account_id),
                PrincipalKind::Root {
                    email: email.try_into()?,
                },
                None,
            ),
            _ => return Ok(None),
        };
        let secret = self
            .inner
            .secret_keys
            .by_id(&row.key_id)?
            .open(&row.secret, id.as_str().as_bytes())?;
        let secret = String::from_utf8(secret)
            .map_err(|_| Error::Internal("a sealed access key secret is not text".into()))?;
        Ok(Some(KeyHolder {
            principal: Principal {
                account_id,
                account_alias: row.alias.map(TryInto::try_into).transpose()?,
                arn,
                kind,
                request: RequestMeta::default(),
                permissions_epoch: epoch,
            },
            secret: secret.into(),
        }))
    }

    /// Records that the key signed a request to `service` in `region` now (its "last used").
    /// Written at most once a minute per key unless the service or region changes.
    pub async fn record_access_key_use(&self, id: &str, service: &str, region: &str) -> Result<()> {
        let now = self.now();
        if !self.inner.key_use.should_write(id, now, service, region) {
            return Ok(());
        }
        sqlx::query!(
            "update access_keys set last_used_at = $2, last_used_service = $3, last_used_region = $4
              where access_key_id = $1
                and (last_used_at is null or last_used_at < $5
                     or last_used_service is distinct from $3 or last_used_region is distinct from $4)",
            id,
            now,
            service,
            region,
            now - LAST_USED_GRANULARITY,
        )
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// One key's last use and its owner's name (AWS GetAccessKeyLastUsed), authorized as
    /// `iam:GetAccessKeyLastUsed` on the owner. `None` for the user name means the root user.
    pub async fn access_key_last_used(
        &self,
        actor: &Actor,
        account: &AccountId,
        id: &AccessKeyId,
    ) -> Result<(Option<String>, Option<AccessKeyLastUsed>)> {
        let row = sqlx::query!(
            r#"select u.user_name as "user_name?", u.path as "path?", k.last_used_at,
                      k.last_used_service, k.last_used_region
                 from access_keys k left join iam_users u on u.user_id = k.user_id
                where k.access_key_id = $1 and k.account_id = $2"#,
            id.as_str(),
            account.as_str(),
        )
        .fetch_optional(self.pool())
        .await?;
        // Another account's key is as unknown here as a key that never existed.
        let row = row.ok_or_else(|| Error::NotFound {
            kind: "access key",
            name: id.to_string(),
        })?;
        let owner_arn = match (&row.user_name, &row.path) {
            (Some(name), Some(path)) => self.partition().entity_arn(account, "user", path, name),
            _ => self.partition().root_arn(account),
        };
        let _ok = self
            .authorize(actor, "iam:GetAccessKeyLastUsed", &owner_arn, account)
            .await?;
        let last_used = row.last_used_at.map(|at| AccessKeyLastUsed {
            at,
            service: row.last_used_service.unwrap_or_else(|| "N/A".to_owned()),
            region: row.last_used_region.unwrap_or_else(|| "N/A".to_owned()),
        });
        Ok((row.user_name, last_used))
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
