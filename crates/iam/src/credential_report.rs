//! The credential report: every user of the account, root first, with the state of its password,
//! MFA and access keys, in AWS's CSV format (the same columns, order and sentinel values:
//! `<root_account>`, `not_supported`, `no_information`, `N/A`, lowercase booleans, ISO 8601
//! times in UTC), so that the scripts and auditing tools that read AWS's report read this one.
//!
//! As in AWS, a report is made on request (GenerateCredentialReport) and kept: a request within
//! four hours of the last report gets that report again; an older one is replaced. Reading it
//! (GetCredentialReport) needs a report no older than four hours.

use time::{Duration, OffsetDateTime};

use crate::authz::Actor;
use crate::{AccountId, Error, Iam, Result};

/// How long a report is reused, and how long it can be read.
pub const CREDENTIAL_REPORT_MAX_AGE: Duration = Duration::hours(4);

/// The columns of AWS's credential report, in its order.
pub const CREDENTIAL_REPORT_COLUMNS: [&str; 22] = [
    "user",
    "arn",
    "user_creation_time",
    "password_enabled",
    "password_last_used",
    "password_last_changed",
    "password_next_rotation",
    "mfa_active",
    "access_key_1_active",
    "access_key_1_last_rotated",
    "access_key_1_last_used_date",
    "access_key_1_last_used_region",
    "access_key_1_last_used_service",
    "access_key_2_active",
    "access_key_2_last_rotated",
    "access_key_2_last_used_date",
    "access_key_2_last_used_region",
    "access_key_2_last_used_service",
    "cert_1_active",
    "cert_1_last_rotated",
    "cert_2_active",
    "cert_2_last_rotated",
];

/// A generated report.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialReport {
    pub generated_at: OffsetDateTime,
    /// The CSV text, header line first.
    pub csv: String,
}

/// A time as the report writes it: ISO 8601 in UTC, `2026-11-23T16:05:09+00:00`.
fn iso(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn or_na(t: Option<OffsetDateTime>) -> String {
    t.map_or_else(|| "N/A".to_owned(), iso)
}

/// One access key's five columns.
struct KeyColumns {
    active: bool,
    created_at: OffsetDateTime,
    last_used_at: Option<OffsetDateTime>,
    region: Option<String>,
    service: Option<String>,
}

fn key_columns(key: Option<&KeyColumns>) -> [String; 5] {
    match key {
        None => [
            "false".into(),
            "N/A".into(),
            "N/A".into(),
            "N/A".into(),
            "N/A".into(),
        ],
        Some(k) => [
            k.active.to_string(),
            iso(k.created_at),
            or_na(k.last_used_at),
            k.last_used_at
                .and(k.region.clone())
                .unwrap_or_else(|| "N/A".into()),
            k.last_used_at
                .and(k.service.clone())
                .unwrap_or_else(|| "N/A".into()),
        ],
    }
}

/// A CSV field (RFC 4180): user names may hold `,` and `=`, never quotes, but be safe anyway.
fn field(value: &str) -> String {
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.to_owned()
    }
}

impl Iam {
    /// Makes the account's credential report, or keeps the last one when it is under four hours
    /// old (AWS GenerateCredentialReport, authorized as `iam:GenerateCredentialReport` on `*`).
    /// Returns the report in effect.
    pub async fn generate_credential_report(
        &self,
        actor: &Actor,
        account: &AccountId,
    ) -> Result<CredentialReport> {
        let _ok = self
            .authorize(actor, "iam:GenerateCredentialReport", "*", account)
            .await?;
        // Stored to the microsecond: what is returned now equals what is read back later.
        let now = self.now();
        let now = now
            .replace_nanosecond(now.nanosecond() / 1_000 * 1_000)
            .unwrap_or(now);
        let mut tx = self.pool().begin().await?;
        // One generation at a time per account: the account row is the lock.
        sqlx::query!(
            "select account_id from accounts where account_id = $1 for update",
            account.as_str()
        )
        .fetch_one(&mut *tx)
        .await?;
        let existing = sqlx::query!(
            "select generated_at, content from credential_reports where account_id = $1",
            account.as_str()
        )
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(r) = existing.filter(|r| now - r.generated_at < CREDENTIAL_REPORT_MAX_AGE) {
            return Ok(CredentialReport {
                generated_at: r.generated_at,
                csv: r.content,
            });
        }
        let csv = self.credential_report_csv(&mut tx, account).await?;
        sqlx::query!(
            "insert into credential_reports (account_id, generated_at, content) values ($1, $2, $3)
             on conflict (account_id) do update set generated_at = $2, content = $3",
            account.as_str(),
            now,
            csv,
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(CredentialReport {
            generated_at: now,
            csv,
        })
    }

    /// The account's last credential report (AWS GetCredentialReport, authorized as
    /// `iam:GetCredentialReport` on `*`): `NotFound` when none was made or the last one is over
    /// four hours old (AWS's ReportNotPresent and ReportExpired).
    pub async fn get_credential_report(
        &self,
        actor: &Actor,
        account: &AccountId,
    ) -> Result<CredentialReport> {
        let _ok = self
            .authorize(actor, "iam:GetCredentialReport", "*", account)
            .await?;
        let row = sqlx::query!(
            "select generated_at, content from credential_reports where account_id = $1",
            account.as_str()
        )
        .fetch_optional(self.pool())
        .await?;
        match row {
            Some(r) if self.now() - r.generated_at < CREDENTIAL_REPORT_MAX_AGE => Ok(CredentialReport {
                generated_at: r.generated_at,
                csv: r.content,
            }),
            Some(_) => Err(Error::NotFound {
                kind: "credential report",
                name: "(the last one expired: generate a new one)".to_owned(),
            }),
            None => Err(Error::NotFound {
                kind: "credential report",
                name: "(none generated yet)".to_owned(),
            }),
        }
    }

    async fn credential_report_csv(
        &self,
        conn: &mut sqlx::PgConnection,
        account: &AccountId,
    ) -> Result<String> {
        let max_age = sqlx::query_scalar!(
            "select max_password_age from account_password_policies where account_id = $1",
            account.as_str()
        )
        .fetch_optional(&mut *conn)
        .await?
        .flatten();
        let root = sqlx::query!(
            r#"select a.created_at, r.password_last_used,
                      exists (select 1 from mfa_devices d where d.account_id = a.account_id
                                and d.user_id is null and d.enabled_at is not null) as "mfa!"
                 from accounts a join root_users r using (account_id) where a.account_id = $1"#,
            account.as_str()
        )
        .fetch_one(&mut *conn)
        .await?;
        let users = sqlx::query!(
            r#"select u.user_id, u.user_name, u.path, u.created_at,
                      lp.user_id is not null as "password!",
                      lp.password_last_used as "password_last_used?",
                      lp.password_changed_at as "password_changed_at?",
                      exists (select 1 from mfa_devices d
                               where d.user_id = u.user_id and d.enabled_at is not null) as "mfa!"
                 from iam_users u left join login_profiles lp using (user_id)
                where u.account_id = $1
                order by lower(u.user_name)"#,
            account.as_str()
        )
        .fetch_all(&mut *conn)
        .await?;
        let keys = sqlx::query!(
            "select user_id, status, created_at, last_used_at, last_used_region, last_used_service
               from access_keys where account_id = $1 order by created_at, access_key_id",
            account.as_str()
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut keys_of: std::collections::HashMap<Option<String>, Vec<KeyColumns>> =
            std::collections::HashMap::new();
        for k in keys {
            keys_of.entry(k.user_id).or_default().push(KeyColumns {
                active: k.status == "Active",
                created_at: k.created_at,
                last_used_at: k.last_used_at,
                region: k.last_used_region,
                service: k.last_used_service,
            });
        }
        let key_cells = |owner: Option<String>| -> Vec<String> {
            let owned = keys_of.get(&owner);
            let first = owned.and_then(|k| k.first());
            let second = owned.and_then(|k| k.get(1));
            key_columns(first)
                .into_iter()
                .chain(key_columns(second))
                .collect()
        };
        let certificates = ["false", "N/A", "false", "N/A"].map(str::to_owned);

        let mut csv = CREDENTIAL_REPORT_COLUMNS.join(",");
        csv.push('\n');
        let mut push_row = |cells: Vec<String>| {
            csv.push_str(&cells.iter().map(|c| field(c)).collect::<Vec<_>>().join(","));
            csv.push('\n');
        };
        let mut row = vec![
            "<root_account>".to_owned(),
            self.partition().root_arn(account),
            iso(root.created_at),
            "not_supported".to_owned(),
            root.password_last_used
                .map_or_else(|| "no_information".to_owned(), iso),
            "not_supported".to_owned(),
            "not_supported".to_owned(),
            root.mfa.to_string(),
        ];
        row.extend(key_cells(None));
        row.extend(certificates.clone());
        push_row(row);
        for u in users {
            let (last_used, changed, next_rotation) = if u.password {
                (
                    u.password_last_used
                        .map_or_else(|| "no_information".to_owned(), iso),
                    or_na(u.password_changed_at),
                    match (max_age, u.password_changed_at) {
                        (Some(days), Some(changed)) => iso(changed + Duration::days(i64::from(days))),
                        _ => "N/A".to_owned(),
                    },
                )
            } else {
                ("N/A".to_owned(), "N/A".to_owned(), "N/A".to_owned())
            };
            let arn = self
                .partition()
                .entity_arn(account, "user", &u.path, &u.user_name);
            let mut row = vec![
                u.user_name,
                arn,
                iso(u.created_at),
                u.password.to_string(),
                last_used,
                changed,
                next_rotation,
                u.mfa.to_string(),
            ];
            row.extend(key_cells(Some(u.user_id)));
            row.extend(certificates.clone());
            push_row(row);
        }
        Ok(csv)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_iso_8601_in_utc() {
        let t = OffsetDateTime::from_unix_timestamp(1_413_401_320).unwrap();
        assert_eq!(iso(t), "2014-10-15T19:28:40+00:00");
        let offset = t.to_offset(time::UtcOffset::from_hms(2, 0, 0).unwrap());
        assert_eq!(iso(offset), "2014-10-15T19:28:40+00:00");
    }

    #[test]
    fn a_missing_key_is_false_and_not_applicable() {
        assert_eq!(
            key_columns(None),
            ["false", "N/A", "N/A", "N/A", "N/A"].map(String::from)
        );
    }
}
