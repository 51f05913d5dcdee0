//! Newtypes for every identifier that crosses the edge. Each parses and validates once; services
//! never see raw strings. Validation errors name the field and say what is wrong.

use std::fmt;

use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::Error;

/// Declares a validated string newtype with `Display`, `AsRef<str>`, `TryFrom<String>`,
/// `TryFrom<&str>`, `FromStr` and serde (deserialising validates too).
macro_rules! string_newtype {
    ($(#[$meta:meta])* $name:ident, $field:literal, $validate:path) => {
        $(#[$meta])*
        #[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl TryFrom<String> for $name {
            type Error = Error;
            fn try_from(value: String) -> Result<Self, Error> {
                $validate(&value).map_err(|reason| Error::Invalid { field: $field, reason })?;
                Ok(Self(value))
            }
        }

        impl TryFrom<&str> for $name {
            type Error = Error;
            fn try_from(value: &str) -> Result<Self, Error> {
                Self::try_from(value.to_owned())
            }
        }

        impl std::str::FromStr for $name {
            type Err = Error;
            fn from_str(value: &str) -> Result<Self, Error> {
                Self::try_from(value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({:?})", stringify!($name), self.0)
            }
        }
    };
}

string_newtype!(
    /// A 12-digit account ID, random rather than sequential.
    AccountId,
    "account ID",
    validate_account_id
);
string_newtype!(
    /// An account alias: 3–63 lowercase letters, digits and hyphens; not all digits; no leading,
    /// trailing or double hyphen. Unique across the deployment.
    AccountAlias,
    "account alias",
    validate_account_alias
);
string_newtype!(
    /// An IAM user name: 1–64 of `A–Z a–z 0–9 + = , . @ _ -`. Unique per account ignoring case.
    UserName,
    "user name",
    validate_user_name
);
string_newtype!(
    /// An IAM path: `/` or `/a/b/`, at most 512 characters of printable ASCII.
    IamPath,
    "path",
    validate_path
);
string_newtype!(
    /// A root user's email address. Unique across the deployment ignoring case.
    Email,
    "email",
    validate_email
);
string_newtype!(
    /// An IAM user's unique ID: `AIDA` and 17 base32 characters.
    UserId,
    "user ID",
    validate_user_id
);

string_newtype!(
    /// A group name: 1–128 of `A–Z a–z 0–9 + = , . @ _ -`. Unique per account ignoring case.
    GroupName,
    "group name",
    validate_group_or_policy_name
);
string_newtype!(
    /// A managed or inline policy name: 1–128 of `A–Z a–z 0–9 + = , . @ _ -`.
    PolicyName,
    "policy name",
    validate_group_or_policy_name
);
string_newtype!(
    /// A group's unique ID: `AGPA` and 17 base32 characters.
    GroupId,
    "group ID",
    validate_group_id
);
string_newtype!(
    /// A managed policy's unique ID: `ANPA` and 17 base32 characters.
    PolicyId,
    "policy ID",
    validate_policy_id
);
string_newtype!(
    /// An access key ID: `AKIA` and 16 base32 characters (20 in all).
    AccessKeyId,
    "access key ID",
    validate_access_key_id
);

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

fn validate_group_or_policy_name(value: &str) -> Result<(), String> {
    if value.is_empty() || value.len() > 128 {
        return Err("must be 1 to 128 characters long".into());
    }
    if !value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
    {
        return Err("may contain only letters, digits and + = , . @ _ -".into());
    }
    Ok(())
}

fn validate_prefixed_id(value: &str, prefix: &str) -> Result<(), String> {
    match value.strip_prefix(prefix) {
        Some(rest) if rest.len() == 17 && rest.bytes().all(|b| BASE32.contains(&b)) => Ok(()),
        _ => Err(format!("must be {prefix} followed by 17 base32 characters")),
    }
}

fn validate_group_id(value: &str) -> Result<(), String> {
    validate_prefixed_id(value, "AGPA")
}

fn validate_policy_id(value: &str) -> Result<(), String> {
    validate_prefixed_id(value, "ANPA")
}

fn validate_account_id(value: &str) -> Result<(), String> {
    if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err("must be exactly 12 digits".into())
    }
}

fn validate_account_alias(value: &str) -> Result<(), String> {
    let len = value.chars().count();
    if !(3..=63).contains(&len) {
        return Err("must be 3 to 63 characters long".into());
    }
    if !value
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        return Err("may contain only lowercase letters, digits and hyphens (-)".into());
    }
    if value.bytes().all(|b| b.is_ascii_digit()) {
        return Err("must not be all digits, so that it cannot be taken for an account ID".into());
    }
    if value.starts_with('-') || value.ends_with('-') {
        return Err("must not start or end with a hyphen".into());
    }
    if value.contains("--") {
        return Err("must not contain two hyphens in a row".into());
    }
    Ok(())
}

fn validate_user_name(value: &str) -> Result<(), String> {
    if value.is_empty() || value.len() > 64 {
        return Err("must be 1 to 64 characters long".into());
    }
    if !value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b"+=,.@_-".contains(&b))
    {
        return Err("may contain only letters, digits and + = , . @ _ -".into());
    }
    Ok(())
}

fn validate_path(value: &str) -> Result<(), String> {
    if value.len() > 512 {
        return Err("must be at most 512 characters long".into());
    }
    if !value.starts_with('/') || !value.ends_with('/') {
        return Err("must begin and end with a slash (/)".into());
    }
    if value.contains("//") {
        return Err("must not contain two slashes in a row".into());
    }
    if !value.bytes().all(|b| (0x21..=0x7e).contains(&b)) {
        return Err("may contain only printable ASCII characters without spaces".into());
    }
    Ok(())
}

fn validate_email(value: &str) -> Result<(), String> {
    if value.len() < 3 || value.len() > 254 {
        return Err("must be 3 to 254 characters long".into());
    }
    if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("must not contain spaces".into());
    }
    match value.split_once('@') {
        Some((local, domain)) if !local.is_empty() && !domain.is_empty() && !domain.contains('@') => {
            if domain.starts_with('.') || domain.ends_with('.') || !domain.contains('.') {
                Err("must have a domain such as example.com after the @".into())
            } else {
                Ok(())
            }
        }
        _ => Err("must look like name@example.com".into()),
    }
}

fn validate_user_id(value: &str) -> Result<(), String> {
    match value.strip_prefix("AIDA") {
        Some(rest) if rest.len() == 17 && rest.bytes().all(|b| BASE32.contains(&b)) => Ok(()),
        _ => Err("must be AIDA followed by 17 base32 characters".into()),
    }
}

fn validate_access_key_id(value: &str) -> Result<(), String> {
    match value.strip_prefix("AKIA") {
        Some(rest) if rest.len() == 16 && rest.bytes().all(|b| BASE32.contains(&b)) => Ok(()),
        _ => Err("must be AKIA followed by 16 base32 characters".into()),
    }
}

impl AccessKeyId {
    pub fn random(rng: &mut impl Rng) -> Self {
        Self(format!("AKIA{}", random_base32(rng, 16)))
    }
}

impl AccountId {
    /// A uniformly random 12-digit ID (leading zeros allowed, as in AWS).
    pub fn random(rng: &mut impl Rng) -> Self {
        Self(format!("{:012}", rng.gen_range(0..1_000_000_000_000u64)))
    }
}

impl GroupId {
    pub fn random(rng: &mut impl Rng) -> Self {
        Self(format!("AGPA{}", random_base32(rng, 17)))
    }
}

impl PolicyId {
    pub fn random(rng: &mut impl Rng) -> Self {
        Self(format!("ANPA{}", random_base32(rng, 17)))
    }
}

impl UserId {
    pub fn random(rng: &mut impl Rng) -> Self {
        Self(format!("AIDA{}", random_base32(rng, 17)))
    }
}

impl Default for IamPath {
    fn default() -> Self {
        Self("/".into())
    }
}

fn random_base32(rng: &mut impl Rng, len: usize) -> String {
    (0..len)
        .map(|_| char::from(BASE32[rng.gen_range(0..BASE32.len())]))
        .collect()
}

/// What a person types in "Account ID (12 digits) or account alias". Account IDs may be typed with
/// the hyphens the AWS console shows (`1234-5678-9012`); aliases are matched in lowercase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AccountRef {
    Id(AccountId),
    Alias(AccountAlias),
}

impl AccountRef {
    pub fn parse(input: &str) -> Result<Self, Error> {
        let trimmed = input.trim();
        let digits: String = trimmed.chars().filter(|c| *c != '-').collect();
        let grouped = trimmed.len() == 14
            && trimmed.as_bytes().get(4) == Some(&b'-')
            && trimmed.as_bytes().get(9) == Some(&b'-');
        if digits.len() == 12 && digits.bytes().all(|b| b.is_ascii_digit()) && (grouped || digits == trimmed)
        {
            return Ok(Self::Id(AccountId(digits)));
        }
        AccountAlias::try_from(trimmed.to_ascii_lowercase())
            .map(Self::Alias)
            .map_err(|_| Error::Invalid {
                field: "account",
                reason: "must be a 12-digit account ID or an account alias".into(),
            })
    }
}

impl fmt::Display for AccountRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Id(id) => id.fmt(f),
            Self::Alias(alias) => alias.fmt(f),
        }
    }
}

/// The ARN partition: `aws` unless the deployment configures another, so AWS policy texts work verbatim.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Partition(String);

impl Partition {
    pub fn new(value: &str) -> Result<Self, Error> {
        if !value.is_empty()
            && value.len() <= 32
            && value
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            Ok(Self(value.to_owned()))
        } else {
            Err(Error::Invalid {
                field: "partition",
                reason: "must be lowercase letters, digits and hyphens, such as aws".into(),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn root_arn(&self, account: &AccountId) -> String {
        format!("arn:{}:iam::{}:root", self.0, account)
    }

    /// The ARN (serial number) of a virtual MFA device.
    pub fn mfa_arn(&self, account: &AccountId, device_name: &str) -> String {
        format!("arn:{}:iam::{}:mfa/{}", self.0, account, device_name)
    }

    pub fn user_arn(&self, account: &AccountId, path: &IamPath, name: &UserName) -> String {
        self.entity_arn(account, "user", path.as_str(), name.as_str())
    }

    pub fn group_arn(&self, account: &AccountId, path: &IamPath, name: &GroupName) -> String {
        self.entity_arn(account, "group", path.as_str(), name.as_str())
    }

    /// `arn:<partition>:iam::<account>:<kind><path><name>`, e.g. kind `user`.
    pub(crate) fn entity_arn(&self, account: &AccountId, kind: &str, path: &str, name: &str) -> String {
        format!("arn:{}:iam::{account}:{kind}{path}{name}", self.0)
    }

    /// A managed policy's ARN: system policies belong to the account `aws`.
    pub fn policy_arn(&self, account: Option<&AccountId>, path: &str, name: &str) -> String {
        let owner = account.map_or("aws", AccountId::as_str);
        format!("arn:{}:iam::{owner}:policy{path}{name}", self.0)
    }
}

impl Default for Partition {
    fn default() -> Self {
        Self("aws".into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_alias_follows_aws_rules() {
        for ok in ["abc", "my-company", "a1b", "x".repeat(63).as_str()] {
            assert!(AccountAlias::try_from(ok).is_ok(), "{ok}");
        }
        for bad in [
            "ab",
            "-abc",
            "abc-",
            "a--b",
            "ABC",
            "123456",
            "a_b",
            "x".repeat(64).as_str(),
        ] {
            assert!(AccountAlias::try_from(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn user_name_allows_aws_character_set_only() {
        assert!(UserName::try_from("Alice+ops=1,x.y@z_w-v").is_ok());
        assert!(UserName::try_from("x".repeat(64)).is_ok());
        for bad in ["", "with space", "slash/", "é", &"x".repeat(65)] {
            assert!(UserName::try_from(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn path_must_be_slash_delimited() {
        assert!(IamPath::try_from("/").is_ok());
        assert!(IamPath::try_from("/engineering/ops/").is_ok());
        for bad in ["", "a/", "/a", "//", "/a b/"] {
            assert!(IamPath::try_from(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn account_ref_accepts_id_grouped_id_and_alias() {
        assert_eq!(
            AccountRef::parse("123456789012").ok(),
            Some(AccountRef::Id(AccountId("123456789012".into())))
        );
        assert_eq!(
            AccountRef::parse(" 1234-5678-9012 ").ok(),
            Some(AccountRef::Id(AccountId("123456789012".into())))
        );
        assert_eq!(
            AccountRef::parse("My-Company").ok(),
            Some(AccountRef::Alias(AccountAlias("my-company".into())))
        );
        assert!(AccountRef::parse("12345").is_err());
        assert!(AccountRef::parse("acme!").is_err());
        // Not an ID, but a well-formed alias.
        assert!(matches!(
            AccountRef::parse("12-3456789012"),
            Ok(AccountRef::Alias(_))
        ));
    }

    #[test]
    fn generated_ids_are_well_formed_and_differ() {
        let mut rng = rand::thread_rng();
        let a = AccountId::random(&mut rng);
        let b = AccountId::random(&mut rng);
        assert!(AccountId::try_from(a.as_str()).is_ok());
        assert_ne!(a, b);
        let u = UserId::random(&mut rng);
        assert!(UserId::try_from(u.as_str()).is_ok());
        let k = AccessKeyId::random(&mut rng);
        assert_eq!(k.as_str().len(), 20);
        assert!(AccessKeyId::try_from(k.as_str()).is_ok());
        assert!(
            AccessKeyId::try_from("AKIAIOSFODNN7EXAMPL1").is_err(),
            "1 is not base32"
        );
        assert!(AccessKeyId::try_from("ASIAIOSFODNN7EXAMPLE").is_err());
    }

    #[test]
    fn arns_follow_aws_format() {
        let p = Partition::default();
        let acct = AccountId("000000000042".into());
        assert_eq!(p.root_arn(&acct), "arn:aws:iam::000000000042:root");
        let path = IamPath::try_from("/ops/").ok().unwrap_or_default();
        let name = UserName::try_from("alice").ok();
        assert_eq!(
            name.map(|n| p.user_arn(&acct, &path, &n)),
            Some("arn:aws:iam::000000000042:user/ops/alice".to_owned())
        );
    }

    #[test]
    fn email_needs_local_part_and_domain() {
        assert!(Email::try_from("root@example.com").is_ok());
        for bad in [
            "root",
            "@example.com",
            "root@",
            "root@localhost",
            "a b@example.com",
        ] {
            assert!(Email::try_from(bad).is_err(), "{bad}");
        }
    }
}
