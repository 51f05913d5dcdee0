//! An account's password policy: AWS's knobs (minimum length, character classes, expiry, reuse
//! prevention, hard expiry, "Allow users to change their own password"), the lockout policy AWS
//! lacks, and the check against common and breached passwords, which cannot be switched off.
//! AWS's GetAccountPasswordPolicy / UpdateAccountPasswordPolicy / DeleteAccountPasswordPolicy.

use std::collections::HashSet;
use std::sync::OnceLock;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::authz::Actor;
use crate::entities::change;
use crate::events::{self, RequestMeta, Source};
use crate::{AccountId, Error, Iam, Result};

/// The longest password accepted (ASVS 2.1.2); longer ones are refused, never truncated.
pub const MAX_PASSWORD_LENGTH: usize = 128;
/// The symbols that count for "Require at least one non-alphanumeric character", as in AWS.
pub const PASSWORD_SYMBOLS: &str = "!@#$%^&*()_+-=[]{}|'";
/// Days before expiry from which the console warns that the password is about to expire.
pub const EXPIRY_WARNING_DAYS: i64 = 15;
/// The longest a lockout grows to by doubling, unless the policy's first lockout is longer.
const LOCKOUT_CAP_MINUTES: i64 = 60;

/// An account's password policy. The defaults follow NIST SP 800-63B and ASVS 2.1: at least 8
/// characters and no composition rules, no forced rotation, users may change their own password,
/// and 10 consecutive failed sign-ins lock the user out for 5 minutes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    pub minimum_length: u32,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub allow_users_to_change_password: bool,
    /// Days a password stays valid; `None`: passwords do not expire.
    pub max_password_age: Option<u32>,
    /// How many previous passwords may not be reused; `None`: reuse is allowed.
    pub password_reuse_prevention: Option<u32>,
    /// An expired password needs an administrator's reset (AWS's "Password expiration requires
    /// administrator reset"); otherwise the user changes it at sign-in.
    pub hard_expiry: bool,
    /// Consecutive failed sign-ins that lock the user out.
    pub lockout_threshold: u32,
    /// The first lockout's length in minutes; each further lockout doubles it, up to an hour.
    pub lockout_minutes: u32,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        Self {
            minimum_length: 8,
            require_symbols: false,
            require_numbers: false,
            require_uppercase: false,
            require_lowercase: false,
            allow_users_to_change_password: true,
            max_password_age: None,
            password_reuse_prevention: None,
            hard_expiry: false,
            lockout_threshold: 10,
            lockout_minutes: 5,
        }
    }
}

impl PasswordPolicy {
    /// Refuses settings outside AWS's ranges (and ours for the lockout), naming the field.
    pub fn validate(&self) -> Result<()> {
        let range = |field: &'static str, value: u32, low: u32, high: u32| {
            if (low..=high).contains(&value) {
                Ok(())
            } else {
                Err(Error::Invalid {
                    field,
                    reason: format!("must be between {low} and {high}"),
                })
            }
        };
        range("minimum password length", self.minimum_length, 6, 128)?;
        if let Some(days) = self.max_password_age {
            range("password expiration period", days, 1, 1095)?;
        }
        if let Some(n) = self.password_reuse_prevention {
            range("password reuse prevention", n, 1, 24)?;
        }
        range("lockout threshold", self.lockout_threshold, 1, 100)?;
        range("lockout duration", self.lockout_minutes, 1, 1440)?;
        if self.hard_expiry && self.max_password_age.is_none() {
            return Err(Error::Invalid {
                field: "administrator reset setting",
                reason: "needs password expiration turned on: only a password that expires can need a reset"
                    .to_owned(),
            });
        }
        Ok(())
    }

    /// Checks a new password and returns every rule it breaks, in plain words. `identities` are
    /// names it must not equal (user name, email, account alias). Reuse is checked separately,
    /// against the stored hashes.
    pub fn check(&self, password: &SecretString, identities: &[&str]) -> Result<()> {
        let pw = password.expose_secret();
        let length = pw.chars().count();
        let mut broken = Vec::new();
        if length < self.minimum_length as usize {
            broken.push(format!(
                "It must be at least {} characters long.",
                self.minimum_length
            ));
        }
        if length > MAX_PASSWORD_LENGTH {
            broken.push(format!(
                "It must be at most {MAX_PASSWORD_LENGTH} characters long."
            ));
        }
        if length > 0 && pw.trim().is_empty() {
            broken.push("It must not be only spaces.".to_owned());
        }
        if self.require_uppercase && !pw.chars().any(|c| c.is_ascii_uppercase()) {
            broken.push("It must contain at least one uppercase letter (A–Z).".to_owned());
        }
        if self.require_lowercase && !pw.chars().any(|c| c.is_ascii_lowercase()) {
            broken.push("It must contain at least one lowercase letter (a–z).".to_owned());
        }
        if self.require_numbers && !pw.chars().any(|c| c.is_ascii_digit()) {
            broken.push("It must contain at least one number (0–9).".to_owned());
        }
        if self.require_symbols && !pw.chars().any(|c| PASSWORD_SYMBOLS.contains(c)) {
            broken.push(format!(
                "It must contain at least one of these symbols: {PASSWORD_SYMBOLS}"
            ));
        }
        let lowered = pw.to_lowercase();
        if identities
            .iter()
            .filter(|id| !id.is_empty())
            .any(|id| lowered == id.to_lowercase())
        {
            broken.push("It must not be the same as your user name or email.".to_owned());
        }
        if is_common_password(pw) {
            broken.push("It is too common: it appears in lists of common and breached passwords.".to_owned());
        }
        if broken.is_empty() {
            Ok(())
        } else {
            Err(Error::PasswordPolicy(broken))
        }
    }

    /// How long the lockout that begins after `lockouts_before` earlier lockouts in a row lasts:
    /// the first lasts `lockout_minutes`, each further one twice as long as the one before, up to
    /// an hour (or `lockout_minutes`, if that is longer). Temporary by design: a stranger who
    /// knows a user name can delay that user, never lock them out for good.
    pub fn lockout_duration(&self, lockouts_before: u32) -> time::Duration {
        let first = i64::from(self.lockout_minutes);
        let cap = first.max(LOCKOUT_CAP_MINUTES);
        let doubled = first.saturating_mul(1_i64 << lockouts_before.min(20));
        time::Duration::minutes(doubled.min(cap))
    }
}

/// Whether `password` is on the shipped list of common and breached passwords (ignoring case).
pub fn is_common_password(password: &str) -> bool {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    let list = LIST.get_or_init(|| {
        include_str!("../data/common-passwords.txt")
            .lines()
            .map(str::trim_end)
            .filter(|l| !l.is_empty())
            .collect()
    });
    list.contains(password.to_lowercase().as_str())
}

/// The number of entries on the shipped common-password list.
pub fn common_password_count() -> usize {
    include_str!("../data/common-passwords.txt")
        .lines()
        .filter(|l| !l.is_empty())
        .count()
}

impl Iam {
    /// The account's password policy (the defaults when none was set), authorized as
    /// `iam:GetAccountPasswordPolicy` on `*`.
    pub async fn get_password_policy(&self, actor: &Actor, account: &AccountId) -> Result<PasswordPolicy> {
        let _ok = self
            .authorize(actor, "iam:GetAccountPasswordPolicy", "*", account)
            .await?;
        self.password_policy_of(self.pool(), account).await
    }

    /// The account's password policy, unauthorized: for sign-in and for checking new passwords.
    pub(crate) async fn password_policy_of(
        &self,
        conn: impl sqlx::PgExecutor<'_>,
        account: &AccountId,
    ) -> Result<PasswordPolicy> {
        // The row as JSON, read by PasswordPolicy's own field names (the columns' names): the
        // same mapping serves sign-in, which reads the policy within a larger query.
        let policy = sqlx::query_scalar!(
            r#"select to_jsonb(p) - 'account_id' - 'updated_at'
                        as "policy!: sqlx::types::Json<PasswordPolicy>"
               from account_password_policies p where account_id = $1"#,
            account.as_str(),
        )
        .fetch_optional(conn)
        .await?;
        Ok(policy.map(|p| p.0).unwrap_or_default())
    }

    /// Sets the account's password policy, authorized as `iam:UpdateAccountPasswordPolicy` on
    /// `*`. Existing passwords stay valid; the new rules apply to the next password set.
    pub async fn update_password_policy(
        &self,
        actor: &Actor,
        account: &AccountId,
        policy: &PasswordPolicy,
        meta: &RequestMeta,
    ) -> Result<()> {
        let _ok = self
            .authorize(actor, "iam:UpdateAccountPasswordPolicy", "*", account)
            .await?;
        policy.validate()?;
        let mut tx = self.pool().begin().await?;
        let before = self.password_policy_of(&mut *tx, account).await?;
        let as_i32 = |v: u32| i32::try_from(v).unwrap_or(i32::MAX);
        sqlx::query!(
            r#"insert into account_password_policies (account_id, minimum_length, require_symbols,
                   require_numbers, require_uppercase, require_lowercase,
                   allow_users_to_change_password, max_password_age, password_reuse_prevention,
                   hard_expiry, lockout_threshold, lockout_minutes, updated_at)
               values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now())
               on conflict (account_id) do update set
                   minimum_length = excluded.minimum_length,
                   require_symbols = excluded.require_symbols,
                   require_numbers = excluded.require_numbers,
                   require_uppercase = excluded.require_uppercase,
                   require_lowercase = excluded.require_lowercase,
                   allow_users_to_change_password = excluded.allow_users_to_change_password,
                   max_password_age = excluded.max_password_age,
                   password_reuse_prevention = excluded.password_reuse_prevention,
                   hard_expiry = excluded.hard_expiry,
                   lockout_threshold = excluded.lockout_threshold,
                   lockout_minutes = excluded.lockout_minutes,
                   updated_at = now()"#,
            account.as_str(),
            as_i32(policy.minimum_length),
            policy.require_symbols,
            policy.require_numbers,
            policy.require_uppercase,
            policy.require_lowercase,
            policy.allow_users_to_change_password,
            policy.max_password_age.map(as_i32),
            policy.password_reuse_prevention.map(as_i32),
            policy.hard_expiry,
            as_i32(policy.lockout_threshold),
            as_i32(policy.lockout_minutes),
        )
        .execute(&mut *tx)
        .await?;
        let arn = self.partition().root_arn(account);
        let mut event = change(
            account,
            Source::Console,
            "UpdateAccountPasswordPolicy",
            actor,
            meta,
            &arn,
            json!(policy),
        );
        event.before = Some(json!(before));
        event.after = Some(json!(policy));
        events::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Returns the account to the default password policy, authorized as
    /// `iam:DeleteAccountPasswordPolicy` on `*`.
    pub async fn delete_password_policy(
        &self,
        actor: &Actor,
        account: &AccountId,
        meta: &RequestMeta,
    ) -> Result<()> {
        let _ok = self
            .authorize(actor, "iam:DeleteAccountPasswordPolicy", "*", account)
            .await?;
        let mut tx = self.pool().begin().await?;
        let before = self.password_policy_of(&mut *tx, account).await?;
        sqlx::query!(
            "delete from account_password_policies where account_id = $1",
            account.as_str()
        )
        .execute(&mut *tx)
        .await?;
        let arn = self.partition().root_arn(account);
        let mut event = change(
            account,
            Source::Console,
            "DeleteAccountPasswordPolicy",
            actor,
            meta,
            &arn,
            json!({}),
        );
        event.before = Some(json!(before));
        event.after = Some(json!(PasswordPolicy::default()));
        events::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(policy: &PasswordPolicy, pw: &str) -> std::result::Result<(), Vec<String>> {
        match policy.check(&SecretString::from(pw.to_owned()), &["alice"]) {
            Ok(()) => Ok(()),
            Err(Error::PasswordPolicy(v)) => Err(v),
            Err(e) => panic!("unexpected error {e}"),
        }
    }

    #[test]
    fn default_policy_wants_length_not_composition() {
        let p = PasswordPolicy::default();
        assert!(check(&p, "long enough passphrase").is_ok());
        assert!(check(&p, "alllowercaseletters").is_ok());
        assert!(check(&p, &"x".repeat(128)).is_ok());
        let short = check(&p, "Sh0rt!x").unwrap_err();
        assert_eq!(short, vec!["It must be at least 8 characters long.".to_owned()]);
        let long = check(&p, &"x".repeat(129)).unwrap_err();
        assert_eq!(long, vec!["It must be at most 128 characters long.".to_owned()]);
        assert!(check(&p, "          ").unwrap_err()[0].contains("only spaces"));
        assert!(check(&p, "ALICE")
            .unwrap_err()
            .iter()
            .any(|m| m.contains("user name")));
    }

    #[test]
    fn character_classes_are_each_named_when_missing() {
        let p = PasswordPolicy {
            require_symbols: true,
            require_numbers: true,
            require_uppercase: true,
            require_lowercase: true,
            ..PasswordPolicy::default()
        };
        assert!(check(&p, "Tr0ub4dor&3x").is_ok());
        let broken = check(&p, "zzzzzzzzzzzz").unwrap_err();
        assert_eq!(broken.len(), 3, "{broken:?}");
        assert!(broken[0].contains("uppercase"));
        assert!(broken[1].contains("number"));
        assert!(broken[2].contains("symbols"));
        let broken = check(&p, "ZZZZZZZZZZ9|").unwrap_err();
        assert_eq!(
            broken,
            vec!["It must contain at least one lowercase letter (a–z).".to_owned()]
        );
    }

    #[test]
    fn common_and_breached_passwords_are_refused_ignoring_case() {
        let p = PasswordPolicy::default();
        for pw in [
            "password",
            "PASSWORD1",
            "12345678",
            "iloveyou",
            "qwertyuiop",
            "sunshine",
        ] {
            let broken = check(&p, pw).unwrap_err();
            assert!(
                broken.iter().any(|m| m.contains("too common")),
                "{pw}: {broken:?}"
            );
        }
        assert!(!is_common_password("correct horse battery staple"));
        assert!(common_password_count() >= 10_000);
    }

    #[test]
    fn the_common_list_holds_the_10000_most_common_passwords_of_6_or_more_characters() {
        // The shipped list is ordered by frequency; its first 10,000 entries are all refused.
        let list = include_str!("../data/common-passwords.txt");
        let top: Vec<&str> = list.lines().take(10_000).collect();
        assert_eq!(top.len(), 10_000);
        assert!(top.iter().all(|pw| is_common_password(pw)));
        assert!(top.iter().all(|pw| pw.chars().count() >= 6));
    }

    #[test]
    fn policy_ranges_follow_aws() {
        let ok = PasswordPolicy::default();
        assert!(ok.validate().is_ok());
        let bad = |p: PasswordPolicy, field: &str| match p.validate() {
            Err(Error::Invalid { field: f, .. }) => assert_eq!(f, field),
            other => panic!("{field}: {other:?}"),
        };
        bad(
            PasswordPolicy {
                minimum_length: 5,
                ..ok.clone()
            },
            "minimum password length",
        );
        bad(
            PasswordPolicy {
                minimum_length: 129,
                ..ok.clone()
            },
            "minimum password length",
        );
        bad(
            PasswordPolicy {
                max_password_age: Some(0),
                ..ok.clone()
            },
            "password expiration period",
        );
        bad(
            PasswordPolicy {
                max_password_age: Some(1096),
                ..ok.clone()
            },
            "password expiration period",
        );
        bad(
            PasswordPolicy {
                password_reuse_prevention: Some(25),
                ..ok.clone()
            },
            "password reuse prevention",
        );
        bad(
            PasswordPolicy {
                lockout_threshold: 0,
                ..ok.clone()
            },
            "lockout threshold",
        );
        bad(
            PasswordPolicy {
                hard_expiry: true,
                ..ok.clone()
            },
            "administrator reset setting",
        );
        assert!(PasswordPolicy {
            max_password_age: Some(1095),
            password_reuse_prevention: Some(24),
            hard_expiry: true,
            ..ok
        }
        .validate()
        .is_ok());
    }

    #[test]
    fn lockouts_double_up_to_an_hour() {
        let p = PasswordPolicy::default();
        let minutes: Vec<i64> = (0..6).map(|n| p.lockout_duration(n).whole_minutes()).collect();
        assert_eq!(minutes, vec![5, 10, 20, 40, 60, 60]);
        let long = PasswordPolicy {
            lockout_minutes: 120,
            ..p
        };
        assert_eq!(long.lockout_duration(3).whole_minutes(), 120);
        assert_eq!(long.lockout_duration(u32::MAX).whole_minutes(), 120);
    }
}
