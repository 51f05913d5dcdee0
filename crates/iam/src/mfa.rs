//! Virtual MFA devices: TOTP (RFC 6238; SHA-1, 6 digits, 30-second steps), as AWS's virtual MFA
//! devices and every authenticator app speak it.
//!
//! A device is created unassigned with a fresh 160-bit seed from the operating system's CSPRNG
//! (AWS CreateVirtualMFADevice); its owner scans the QR code (or types the secret key) and proves
//! it with two consecutive codes, which assigns it (EnableMFADevice). At sign-in a code is
//! accepted for the current 30-second step or the one before, and only for a step later than the
//! last accepted one, so no code is usable twice. Resync (two consecutive codes within ten
//! minutes either side) measures a clock's drift and remembers it. Seeds are sealed with the
//! server's secret key; nothing here logs or returns a seed except at creation.
//!
//! The root user's devices are the root user's alone: no IAM user manages them.

use qrcode::render::svg;
use qrcode::QrCode;
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use subtle::ConstantTimeEq;
use time::OffsetDateTime;

use crate::authz::Actor;
use crate::entities::{change as change_event, Kind};
use crate::events::{self, RequestMeta, Source};
use crate::{AccountId, Error, Iam, PrincipalKind, Result, UserName};

/// The TOTP time step, in seconds.
pub const TOTP_STEP_SECONDS: i64 = 30;
/// Digits of a code.
pub const TOTP_DIGITS: u8 = 6;
/// MFA devices one user (or root) may have (AWS's quota).
pub const MAX_MFA_DEVICES: u32 = 8;
/// How far a resync looks for the two codes, in steps either side (ten minutes).
const RESYNC_WINDOW_STEPS: i64 = 20;
/// Seed length in bytes (160 bits, RFC 4226's recommendation and what AWS issues).
const SEED_BYTES: usize = 20;

/// The code of `seed` for time step `step` (RFC 6238 with SHA-1).
pub fn totp_code(seed: &[u8], step: i64, digits: u8) -> Result<String> {
    let totp = totp_rs::Builder::new()
        .with_secret(seed.to_vec())
        .with_digits(digits)
        .build()
        .map_err(|e| Error::Internal(e.to_string().into()))?;
    let time = u64::try_from(step.max(0)).unwrap_or_default() * TOTP_STEP_SECONDS.unsigned_abs();
    Ok(totp.generate(time).to_string())
}

/// The time step a moment falls in.
pub fn totp_step(at: OffsetDateTime) -> i64 {
    at.unix_timestamp().div_euclid(TOTP_STEP_SECONDS)
}

/// Whether `code` is the code of `seed` at `step`, compared in constant time.
fn code_matches(seed: &[u8], step: i64, code: &str) -> Result<bool> {
    let expected = totp_code(seed, step, TOTP_DIGITS)?;
    Ok(expected.as_bytes().ct_eq(code.as_bytes()).into())
}

/// What a person typed as an MFA code, spaces removed; six digits or an error.
fn parse_code(field: &'static str, code: &str) -> Result<String> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() == usize::from(TOTP_DIGITS) && code.bytes().all(|b| b.is_ascii_digit()) {
        Ok(code)
    } else {
        Err(Error::Invalid {
            field,
            reason: "must be the 6-digit code your authenticator app shows".to_owned(),
        })
    }
}

/// Base32 (RFC 4648, no padding), the form authenticator apps take a secret key in.
fn base32(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &byte in bytes {
        buffer = (buffer << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Percent-encodes a label or parameter of an `otpauth://` URI.
fn uri_component(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => char::from(b).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Two consecutive codes from a device ("MFA code 1", "MFA code 2"), as enrolment and resync take.
#[derive(Clone, Copy, Debug)]
pub struct TwoCodes<'a> {
    pub code1: &'a str,
    pub code2: &'a str,
}

/// Whose credentials (MFA devices, access keys) an operation is about, within an account.
#[derive(Clone, Copy, Debug)]
pub enum CredentialOwner<'a> {
    Root,
    User(&'a UserName),
}

/// A device just created: everything the owner's authenticator needs, shown once.
pub struct NewMfaDevice {
    pub serial_number: String,
    /// The seed in base32, for typing into an authenticator app.
    pub secret_key: SecretString,
    /// The `otpauth://totp/...` URI the QR code holds.
    pub otpauth_uri: SecretString,
    /// The QR code of the URI as an SVG image.
    pub qr_code_svg: SecretString,
}

impl std::fmt::Debug for NewMfaDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewMfaDevice")
            .field("serial_number", &self.serial_number)
            .finish_non_exhaustive()
    }
}

/// An assigned MFA device.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MfaDevice {
    pub serial_number: String,
    pub device_name: String,
    pub enabled_at: OffsetDateTime,
}

/// The owner an operation resolved to.
pub(crate) struct Owner {
    /// The IAM user's ID; `None` for root.
    pub(crate) user_id: Option<String>,
    pub(crate) arn: String,
    /// For messages: the user name, or "root user".
    pub(crate) label: String,
}

impl Iam {
    /// The serial number (ARN) of a virtual MFA device named `name` in `account`.
    pub fn mfa_serial(&self, account: &AccountId, name: &str) -> String {
        self.partition().mfa_arn(account, name)
    }

    /// Authorizes `action` on the owner and starts the transaction of the change, with the
    /// owner's row locked (so quotas hold under concurrent changes). The root user's credentials
    /// are managed by the root user only.
    pub(crate) async fn begin_owner_change(
        &self,
        actor: &Actor,
        account: &AccountId,
        owner: CredentialOwner<'_>,
        action: &str,
    ) -> Result<(sqlx::Transaction<'static, sqlx::Postgres>, Owner)> {
        match owner {
            CredentialOwner::User(name) => {
                let (tx, entity) = self
                    .begin_change(actor, account, Kind::User, name.as_str(), action, &[])
                    .await?;
                Ok((
                    tx,
                    Owner {
                        user_id: Some(entity.id),
                        arn: entity.arn,
                        label: entity.name,
                    },
                ))
            }
            CredentialOwner::Root => {
                let arn = self.partition().root_arn(account);
                // Root's credentials are root's alone, and the operator's, who holds the
                // database anyway (`gatehouse access-key create --root` bootstraps a script).
                let may = match actor {
                    Actor::Operator => true,
                    Actor::Principal(p) => p.is_root() && &p.account_id == account,
                    Actor::SetupLink => false,
                };
                if !may {
                    return Err(Error::AccessDenied {
                        actor: actor.label(),
                        action: action.to_owned(),
                        resource: arn,
                    });
                }
                let mut tx = self.pool().begin().await?;
                // One change to the root user's devices at a time.
                sqlx::query!(
                    "select account_id from root_users where account_id = $1 for update",
                    account.as_str()
                )
                .fetch_one(&mut *tx)
                .await?;
                Ok((
                    tx,
                    Owner {
                        user_id: None,
                        arn,
                        label: "root user".to_owned(),
                    },
                ))
            }
        }
    }

    /// Creates an unassigned virtual MFA device for `owner` (AWS CreateVirtualMFADevice,
    /// authorized as `iam:CreateVirtualMFADevice` on the device's ARN and, for a user, on the user).
    /// An earlier unassigned device of the same name for the same owner (an enrolment left
    /// unfinished) is replaced.
    pub async fn create_virtual_mfa_device(
        &self,
        actor: &Actor,
        account: &AccountId,
        owner: CredentialOwner<'_>,
        device_name: &str,
        meta: &RequestMeta,
    ) -> Result<NewMfaDevice> {
        let device_name = device_name.trim();
        let valid_name = !device_name.is_empty()
            && device_name.len() <= 64
            && device_name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(c));
        if !valid_name {
            return Err(Error::Invalid {
                field: "device name",
                reason: "must be 1 to 64 letters, digits or the characters _+=,.@-".to_owned(),
            });
        }
        let serial = self.mfa_serial(account, device_name);
        let _ok = self
            .authorize(actor, "iam:CreateVirtualMFADevice", &serial, account)
            .await?;
        let (mut tx, owner) = self
            .begin_owner_change(actor, account, owner, "iam:EnableMFADevice")
            .await?;
        let assigned = self
            .count_devices(&mut tx, account, owner.user_id.as_deref())
            .await?;
        if assigned >= i64::from(MAX_MFA_DEVICES) {
            return Err(Error::LimitExceeded {
                quota: "MFADevicesPerUser",
                limit: MAX_MFA_DEVICES,
            });
        }
        sqlx::query!(
            "delete from mfa_devices where account_id = $1 and lower(device_name) = lower($2)
                and enabled_at is null and user_id is not distinct from $3",
            account.as_str(),
            device_name,
            owner.user_id,
        )
        .execute(&mut *tx)
        .await?;
        let mut seed = [0u8; SEED_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut seed);
        let key = self.inner.secret_keys.current();
        let sealed = key.seal(&seed, serial.as_bytes())?;
        sqlx::query!(
            "insert into mfa_devices (serial_number, account_id, user_id, device_name, seed, key_id, created_at)
             values ($1, $2, $3, $4, $5, $6, $7)",
            serial,
            account.as_str(),
            owner.user_id,
            device_name,
            sealed,
            key.id(),
            self.now(),
        )
        .execute(&mut *tx)
        .await
        .map_err(|e| match Error::from(e) {
            Error::AlreadyExists { kind, .. } => Error::AlreadyExists {
                kind,
                name: device_name.to_owned(),
            },
            other => other,
        })?;
        let event = change_event(
            account,
            Source::Console,
            "CreateVirtualMFADevice",
            actor,
            meta,
            &serial,
            json!({ "virtualMFADeviceName": device_name, "for": owner.arn }),
        );
        events::append(&mut tx, event).await?;
        tx.commit().await?;

        let secret_key = base32(&seed);
        let issuer = "Gatehouse";
        let account_label = match actor {
            Actor::Principal(p) => p
                .account_alias
                .as_ref()
                .map_or_else(|| account.to_string(), ToString::to_string),
            _ => account.to_string(),
        };
        let label = format!("{issuer}:{}@{account_label}", owner.label.replace(' ', "-"));
        let uri = format!(
            "otpauth://totp/{}?secret={secret_key}&issuer={}&algorithm=SHA1&digits={TOTP_DIGITS}&period={TOTP_STEP_SECONDS}",
            uri_component(&label),
            uri_component(issuer),
        );
        let qr = QrCode::new(uri.as_bytes()).map_err(|e| Error::Internal(e.to_string().into()))?;
        let image = qr
            .render::<svg::Color<'_>>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .build();
        // The XML prolog has no place inside an HTML page.
        let image = match image.find("<svg") {
            Some(at) => image[at..].to_owned(),
            None => image,
        };
        Ok(NewMfaDevice {
            serial_number: serial,
            secret_key: secret_key.into(),
            otpauth_uri: uri.into(),
            qr_code_svg: image.into(),
        })
    }

    /// Assigns an unassigned device to its owner once two consecutive codes prove the owner's
    /// authenticator holds its seed (AWS EnableMFADevice, authorized as `iam:EnableMFADevice` on
    /// the owner). The second code must be for the current or the previous step.
    pub async fn enable_mfa_device(
        &self,
        actor: &Actor,
        account: &AccountId,
        owner: CredentialOwner<'_>,
        serial: &str,
        codes: TwoCodes<'_>,
        meta: &RequestMeta,
    ) -> Result<()> {
        let code1 = parse_code("MFA code 1", codes.code1)?;
        let code2 = parse_code("MFA code 2", codes.code2)?;
        let (mut tx, owner) = self
            .begin_owner_change(actor, account, owner, "iam:EnableMFADevice")
            .await?;
        let row = sqlx::query!(
            r#"select seed, key_id, enabled_at, user_id as "user_id?" from mfa_devices
               where serial_number = $1 and account_id = $2 for update"#,
            serial,
            account.as_str(),
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some(row) = row.filter(|r| r.user_id == owner.user_id || r.enabled_at.is_none()) else {
            return Err(Error::NotFound {
                kind: "MFA device",
                name: serial.to_owned(),
            });
        };
        if row.enabled_at.is_some() {
            return Err(Error::AlreadyExists {
                kind: "MFA device",
                name: serial.to_owned(),
            });
        }
        if self
            .count_devices(&mut tx, account, owner.user_id.as_deref())
            .await?
            >= i64::from(MAX_MFA_DEVICES)
        {
            return Err(Error::LimitExceeded {
                quota: "MFADevicesPerUser",
                limit: MAX_MFA_DEVICES,
            });
        }
        let seed = self.open_seed(&row.seed, &row.key_id, serial)?;
        let now = totp_step(self.now());
        let mut accepted = None;
        for second in [now, now - 1] {
            if code_matches(&seed, second - 1, &code1)? && code_matches(&seed, second, &code2)? {
                accepted = Some(second);
                break;
            }
        }
        let Some(last_step) = accepted else {
            return Err(Error::Invalid {
                field: "MFA codes",
                reason: "are not valid: enter two consecutive codes, the second the one your app shows now"
                    .to_owned(),
            });
        };
        sqlx::query!(
            "update mfa_devices set user_id = $2, enabled_at = $3, last_used_step = $4, drift_steps = 0
             where serial_number = $1",
            serial,
            owner.user_id,
            self.now(),
            last_step,
        )
        .execute(&mut *tx)
        .await?;
        let event = change_event(
            account,
            Source::Console,
            "EnableMFADevice",
            actor,
            meta,
            &owner.arn,
            json!({ "serialNumber": serial }),
        );
        events::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes an assigned device (AWS DeactivateMFADevice and, the device being virtual,
    /// DeleteVirtualMFADevice), authorized as `iam:DeactivateMFADevice` on the owner. Every
    /// session of the owner ends; returns the owner's new auth epoch.
    pub async fn remove_mfa_device(
        &self,
        actor: &Actor,
        account: &AccountId,
        owner: CredentialOwner<'_>,
        serial: &str,
        meta: &RequestMeta,
    ) -> Result<i64> {
        self.unassign_mfa_device(actor, account, owner, serial, meta, true)
            .await
    }

    /// Unassigns a device from its owner and keeps it, unassigned (AWS DeactivateMFADevice
    /// through the API, where DeleteVirtualMFADevice then deletes it), authorized as
    /// `iam:DeactivateMFADevice` on the owner. Every session of the owner ends.
    pub async fn deactivate_mfa_device(
        &self,
        actor: &Actor,
        account: &AccountId,
        owner: CredentialOwner<'_>,
        serial: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        self.unassign_mfa_device(actor, account, owner, serial, meta, false)
            .await?;
        Ok(())
    }

    async fn unassign_mfa_device(
        &self,
        actor: &Actor,
        account: &AccountId,
        owner: CredentialOwner<'_>,
        serial: &str,
        meta: &RequestMeta,
        delete: bool,
    ) -> Result<i64> {
        let (mut tx, owner) = self
            .begin_owner_change(actor, account, owner, "iam:DeactivateMFADevice")
            .await?;
        let deleted = if delete {
            sqlx::query!(
                "delete from mfa_devices where serial_number = $1 and account_id = $2
                    and user_id is not distinct from $3 and enabled_at is not null",
                serial,
                account.as_str(),
                owner.user_id,
            )
            .execute(&mut *tx)
            .await?
            .rows_affected()
        } else {
            sqlx::query!(
                "update mfa_devices set enabled_at = null where serial_number = $1 and account_id = $2
                    and user_id is not distinct from $3 and enabled_at is not null",
                serial,
                account.as_str(),
                owner.user_id,
            )
            .execute(&mut *tx)
            .await?
            .rows_affected()
        };
        if deleted == 0 {
            return Err(Error::NotFound {
                kind: "MFA device",
                name: serial.to_owned(),
            });
        }
        let epoch = match &owner.user_id {
            Some(user_id) => sqlx::query_scalar!(
                "update iam_users set auth_epoch = auth_epoch + 1 where user_id = $1 returning auth_epoch",
                user_id
            )
            .fetch_one(&mut *tx)
            .await?,
            None => sqlx::query_scalar!(
                "update root_users set auth_epoch = auth_epoch + 1 where account_id = $1 returning auth_epoch",
                account.as_str()
            )
            .fetch_one(&mut *tx)
            .await?,
        };
        let event = change_event(
            account,
            Source::Console,
            "DeactivateMFADevice",
            actor,
            meta,
            &owner.arn,
            json!({ "serialNumber": serial }),
        );
        events::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(epoch)
    }

    /// Deletes an unassigned virtual device (AWS DeleteVirtualMFADevice), authorized as
    /// `iam:DeleteVirtualMFADevice` on the device. A device in use is a DeleteConflict.
    pub async fn delete_virtual_mfa_device(
        &self,
        actor: &Actor,
        account: &AccountId,
        serial: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        let _ok = self
            .authorize(actor, "iam:DeleteVirtualMFADevice", serial, account)
            .await?;
        let mut tx = self.pool().begin().await?;
        let row = sqlx::query!(
            "delete from mfa_devices where serial_number = $1 and account_id = $2 returning enabled_at",
            serial,
            account.as_str(),
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| Error::NotFound {
            kind: "MFA device",
            name: serial.to_owned(),
        })?;
        if row.enabled_at.is_some() {
            return Err(Error::DeleteConflict(
                "MFA Device is in use by a user: deactivate it first.",
            ));
        }
        let event = change_event(
            account,
            Source::Console,
            "DeleteVirtualMFADevice",
            actor,
            meta,
            serial,
            json!({ "serialNumber": serial }),
        );
        events::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Resynchronizes a device whose clock drifted (AWS ResyncMFADevice, authorized as
    /// `iam:ResyncMFADevice` on the owner): two consecutive codes, found within ten minutes
    /// either side of now, set the drift that later codes are checked with.
    pub async fn resync_mfa_device(
        &self,
        actor: &Actor,
        account: &AccountId,
        owner: CredentialOwner<'_>,
        serial: &str,
        codes: TwoCodes<'_>,
        meta: &RequestMeta,
    ) -> Result<()> {
        let code1 = parse_code("MFA code 1", codes.code1)?;
        let code2 = parse_code("MFA code 2", codes.code2)?;
        let (mut tx, owner) = self
            .begin_owner_change(actor, account, owner, "iam:ResyncMFADevice")
            .await?;
        let row = sqlx::query!(
            "select seed, key_id, last_used_step from mfa_devices
             where serial_number = $1 and account_id = $2 and user_id is not distinct from $3
                and enabled_at is not null for update",
            serial,
            account.as_str(),
            owner.user_id,
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| Error::NotFound {
            kind: "MFA device",
            name: serial.to_owned(),
        })?;
        let seed = self.open_seed(&row.seed, &row.key_id, serial)?;
        let now = totp_step(self.now());
        let mut found = None;
        for offset in 0..=RESYNC_WINDOW_STEPS {
            for second in [now + offset, now - offset] {
                if second > row.last_used_step
                    && code_matches(&seed, second - 1, &code1)?
                    && code_matches(&seed, second, &code2)?
                {
                    found = Some(second);
                    break;
                }
            }
            if found.is_some() {
                break;
            }
        }
        let Some(second) = found else {
            return Err(Error::Invalid {
                field: "MFA codes",
                reason: "are not valid: enter two consecutive codes from the device".to_owned(),
            });
        };
        let drift = i32::try_from(second - now).unwrap_or_default();
        sqlx::query!(
            "update mfa_devices set last_used_step = $2, drift_steps = $3 where serial_number = $1",
            serial,
            second,
            drift,
        )
        .execute(&mut *tx)
        .await?;
        let event = change_event(
            account,
            Source::Console,
            "ResyncMFADevice",
            actor,
            meta,
            &owner.arn,
            json!({ "serialNumber": serial, "driftSteps": drift }),
        );
        events::append(&mut tx, event).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The owner's assigned devices (AWS ListMFADevices, authorized as `iam:ListMFADevices` on
    /// the owner), oldest first.
    pub async fn list_mfa_devices(
        &self,
        actor: &Actor,
        account: &AccountId,
        owner: CredentialOwner<'_>,
    ) -> Result<Vec<MfaDevice>> {
        let (tx, owner) = self
            .begin_owner_change(actor, account, owner, "iam:ListMFADevices")
            .await?;
        drop(tx);
        self.assigned_devices(account, owner.user_id.as_deref()).await
    }

    async fn assigned_devices(&self, account: &AccountId, user_id: Option<&str>) -> Result<Vec<MfaDevice>> {
        let rows = sqlx::query!(
            r#"select serial_number, device_name, enabled_at as "enabled_at!" from mfa_devices
               where account_id = $1 and user_id is not distinct from $2 and enabled_at is not null
               order by enabled_at, serial_number"#,
            account.as_str(),
            user_id,
        )
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| MfaDevice {
                serial_number: r.serial_number,
                device_name: r.device_name,
                enabled_at: r.enabled_at,
            })
            .collect())
    }

    async fn count_devices(
        &self,
        conn: &mut sqlx::PgConnection,
        account: &AccountId,
        user_id: Option<&str>,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar!(
            r#"select count(*) as "n!" from mfa_devices
               where account_id = $1 and user_id is not distinct from $2 and enabled_at is not null"#,
            account.as_str(),
            user_id,
        )
        .fetch_one(conn)
        .await?)
    }

    fn open_seed(&self, sealed: &[u8], key_id: &str, serial: &str) -> Result<Vec<u8>> {
        self.inner
            .secret_keys
            .by_id(key_id)?
            .open(sealed, serial.as_bytes())
    }

    /// Whether the root user (`user_id` `None`) or IAM user has an assigned MFA device.
    pub(crate) async fn has_mfa(&self, account: &AccountId, user_id: Option<&str>) -> Result<bool> {
        let mut conn = self.pool().acquire().await?;
        Ok(self.count_devices(&mut conn, account, user_id).await? > 0)
    }

    /// Checks a sign-in code against the owner's devices: the current step or the one before
    /// (after the device's drift), later than the last accepted step. An accepted code's step
    /// is stored in the same statement that checks it, so a code is accepted once even when
    /// two requests race.
    pub(crate) async fn accept_mfa_code(
        &self,
        account: &AccountId,
        user_id: Option<&str>,
        code: &str,
    ) -> Result<bool> {
        let Ok(code) = parse_code("MFA code", code) else {
            return Ok(false);
        };
        let rows = sqlx::query!(
            "select serial_number, seed, key_id, last_used_step, drift_steps from mfa_devices
             where account_id = $1 and user_id is not distinct from $2 and enabled_at is not null",
            account.as_str(),
            user_id,
        )
        .fetch_all(self.pool())
        .await?;
        let now = totp_step(self.now());
        for row in rows {
            let seed = self.open_seed(&row.seed, &row.key_id, &row.serial_number)?;
            let current = now + i64::from(row.drift_steps);
            for step in [current, current - 1] {
                if step > row.last_used_step && code_matches(&seed, step, &code)? {
                    let taken = sqlx::query!(
                        "update mfa_devices set last_used_step = $2
                         where serial_number = $1 and last_used_step < $2",
                        row.serial_number,
                        step,
                    )
                    .execute(self.pool())
                    .await?
                    .rows_affected();
                    return Ok(taken == 1);
                }
            }
        }
        Ok(false)
    }

    /// Whether the user's policies demand MFA of a session without it, as AWS's force-MFA
    /// policy does (deny everything but managing one's own MFA while
    /// `aws:MultiFactorAuthPresent` is false): some everyday console action is explicitly denied
    /// without MFA and not with it. Such a user is led to enrol a device after signing in.
    pub async fn mfa_required_by_policy(&self, principal: &crate::Principal) -> Result<bool> {
        let PrincipalKind::User { user_id, .. } = &principal.kind else {
            return Ok(false);
        };
        let permissions = self
            .permissions(user_id.as_str(), principal.permissions_epoch)
            .await?;
        let account = &principal.account_id;
        let probes = [
            (
                "iam:ListUsers",
                format!("arn:{}:iam::{account}:user/*", self.partition().as_str()),
            ),
            (
                "iam:ListGroups",
                format!("arn:{}:iam::{account}:group/*", self.partition().as_str()),
            ),
            (
                "iam:ListPolicies",
                format!("arn:{}:iam::{account}:policy/*", self.partition().as_str()),
            ),
            ("iam:GetAccountSummary", "*".to_owned()),
        ];
        let decide = |mfa: bool, action: &str, resource: &str| {
            let mut with = principal.clone();
            with.request.console_session = Some(crate::ConsoleSession {
                mfa_authenticated_at: mfa.then(|| self.now().unix_timestamp()),
            });
            let mut context = self.principal_context(&with);
            crate::authz::add_principal_tags(&mut context, &permissions.tags);
            permissions
                .set
                .decide(&gatehouse_policy::Request::new(action, resource, &context))
        };
        Ok(probes.iter().any(|(action, resource)| {
            decide(false, action, resource) == gatehouse_policy::Decision::ExplicitDeny
                && decide(true, action, resource) != gatehouse_policy::Decision::ExplicitDeny
        }))
    }

    /// The principal's own password, checked before it removes an MFA device or changes other
    /// credentials of its own (re-authentication).
    pub async fn verify_own_password(
        &self,
        principal: &crate::Principal,
        password: &SecretString,
    ) -> Result<()> {
        let hash = match &principal.kind {
            PrincipalKind::Root { .. } => {
                sqlx::query_scalar!(
                    "select password_hash from root_users where account_id = $1",
                    principal.account_id.as_str()
                )
                .fetch_optional(self.pool())
                .await?
            }
            PrincipalKind::User { user_id, .. } => {
                sqlx::query_scalar!(
                    "select password_hash from login_profiles where user_id = $1",
                    user_id.as_str()
                )
                .fetch_optional(self.pool())
                .await?
            }
        };
        if password.expose_secret().is_empty()
            || !self.inner.passwords.verify(password, hash.as_deref()).await
        {
            return Err(Error::Invalid {
                field: "password",
                reason: "is incorrect".to_owned(),
            });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1: the seed is the ASCII string "12345678901234567890", codes
    /// have 8 digits.
    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        let seed = b"12345678901234567890";
        for (time, code) in [
            (59_i64, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(totp_code(seed, time / 30, 8).unwrap(), code, "T = {time}");
        }
        // Six digits are the last six of the same value.
        assert_eq!(totp_code(seed, 59 / 30, 6).unwrap(), "287082");
    }

    #[test]
    fn base32_is_rfc_4648_without_padding() {
        assert_eq!(base32(b""), "");
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(&[0u8; 20]).len(), 32);
    }

    #[test]
    fn codes_are_six_digits_spaces_ignored() {
        assert_eq!(parse_code("MFA code", " 123 456 ").unwrap(), "123456");
        assert!(parse_code("MFA code", "12345").is_err());
        assert!(parse_code("MFA code", "12345a").is_err());
        assert!(parse_code("MFA code", "1234567").is_err());
    }

    #[test]
    fn steps_are_thirty_seconds() {
        let at = |s| OffsetDateTime::from_unix_timestamp(s).unwrap();
        assert_eq!(totp_step(at(59)), 1);
        assert_eq!(totp_step(at(60)), 2);
    }
}
