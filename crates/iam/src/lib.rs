//! The IAM domain of Gatehouse: validated types, the services that read and change IAM state,
//! their Postgres store, password hashing, the sign-in state kept in sessions, and the event
//! history. No Leptos, no HTTP: the console (`app`) and the server call these services.

mod access_keys;
mod account_settings;
mod accounts;
mod api_views;
mod authorization_details;
mod authz;
mod clock;
mod credential_report;
mod entities;
mod error;
mod events;
mod groups;
mod inline;
mod login_profiles;
mod mfa;
mod password;
mod password_policy;
mod policies;
mod policy_versions;
mod policy_views;
mod principal;
mod ready_connections;
mod secret_key;
mod session;
mod setup;
mod signin;
mod simulate;
mod tags;
mod types;
mod user_changes;
mod user_views;
mod users;

use std::sync::Arc;

use sqlx::PgPool;

pub use access_keys::{
    AccessKeyInfo, AccessKeyLastUsed, AccessKeyStatus, KeyHolder, NewAccessKey, MAX_ACCESS_KEYS,
};
pub use account_settings::AccountSummary;
pub use accounts::{AccountInfo, CreatedAccount, NewAccount};
pub use api_views::{ApiUser, EntityKind, GroupMember, UserRead};
pub use authorization_details::{
    AuthorizationDetails, DetailsCursor, DetailsFilter, GroupAuthorization, InlinePolicy,
    ManagedPolicyAuthorization, PolicyVersionDocument, UserAuthorization,
};
pub use authz::{Actor, Authorized};
pub use clock::{Clock, ManualClock, SystemClock};
pub use credential_report::{CredentialReport, CREDENTIAL_REPORT_COLUMNS, CREDENTIAL_REPORT_MAX_AGE};
pub use error::{Error, Result};
pub use events::{ConsoleSession, EventPage, EventQuery, EventRecord, Outcome, RequestMeta, Source};
pub use groups::{CreatedGroup, GroupDetail, GroupSummary, NewGroup};
pub use login_profiles::{NewLoginProfile, PasswordChange};
pub use mfa::{
    totp_code, totp_step, CredentialOwner, MfaDevice, NewMfaDevice, TwoCodes, MAX_MFA_DEVICES, TOTP_DIGITS,
    TOTP_STEP_SECONDS,
};
pub use password::{generate_password, measure_verify_rate, HashCost, Passwords};
pub use password_policy::{
    common_password_count, is_common_password, PasswordPolicy, EXPIRY_WARNING_DAYS, MAX_PASSWORD_LENGTH,
    PASSWORD_SYMBOLS,
};
pub use policies::{CreatedPolicy, NewPolicy, PolicyScope, PolicySummary};
pub use policy_views::{PolicyDetail, PolicyRead, PolicyVersionInfo};
pub use principal::{Principal, PrincipalKind};
pub use secret_key::{SecretKey, SecretKeys};
pub use session::{SessionAuth, SessionPrincipal, SignInStage};
pub use setup::SetupToken;
pub use signin::{NewSession, SignInSuccess, SignedIn};
pub use simulate::{Simulation, MAX_SIMULATED_ACTIONS};
pub use tags::{Tag, MAX_TAGS};
pub use types::{
    AccessKeyId, AccountAlias, AccountId, AccountRef, Email, GroupId, GroupName, IamPath, Partition,
    PolicyId, PolicyName, UserId, UserName,
};
pub use user_views::{EntityRef, PolicyRef, UserDetail, UserPage, UserQuery, UserSummary};
pub use users::{CreatedUser, NewUser, NewUserPermissions};

/// The migrations of the whole schema, embedded so the binary carries them.
pub static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

/// Settings the services need that come from the deployment's configuration.
#[derive(Clone, Debug, Default)]
pub struct IamConfig {
    pub hash_cost: HashCost,
    pub partition: Partition,
    pub quotas: Quotas,
    /// The keys that seal stored secrets (TOTP seeds, access key secrets). The default is a random key for the
    /// life of the process, fit for tests only: a deployment configures its own.
    pub secret_keys: SecretKeys,
    pub sign_in_throttle: SignInThrottle,
}

/// How many failed sign-ins one source address may make in a window before its sign-ins are
/// refused until the window ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SignInThrottle {
    pub failures: u32,
    pub window: time::Duration,
}

impl Default for SignInThrottle {
    /// 50 failures in 15 minutes: far above what people mistyping do, far below what guessing
    /// needs.
    fn default() -> Self {
        Self {
            failures: 50,
            window: time::Duration::minutes(15),
        }
    }
}

/// The IAM quotas; AWS's defaults unless the deployment configures others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quotas {
    /// GroupsPerUser
    pub groups_per_user: u32,
    /// PoliciesPerUser: managed policies attached to one user
    pub policies_per_user: u32,
    /// PoliciesPerGroup: managed policies attached to one group
    pub policies_per_group: u32,
    /// VersionsPerPolicy
    pub versions_per_policy: u32,
    /// UserPolicySize: the inline policies of one user together, in characters without whitespace
    pub user_inline_size: usize,
    /// GroupPolicySize: the inline policies of one group together
    pub group_inline_size: usize,
}

impl Default for Quotas {
    fn default() -> Self {
        Self {
            groups_per_user: 10,
            policies_per_user: 10,
            policies_per_group: 10,
            versions_per_policy: 5,
            user_inline_size: 2_048,
            group_inline_size: 5_120,
        }
    }
}

/// The entry point to every IAM service. Cheap to clone; one per process.
#[derive(Clone)]
pub struct Iam {
    inner: Arc<Inner>,
}

struct Inner {
    pool: PgPool,
    ready_connections: Arc<ready_connections::ReadyConnections>,
    passwords: Passwords,
    partition: Partition,
    quotas: Quotas,
    secret_keys: SecretKeys,
    sign_in_throttle: SignInThrottle,
    clock: Arc<dyn Clock>,
    permission_cache: authz::PermissionCache,
    key_use: access_keys::KeyUseCache,
}

impl Iam {
    /// Builds the services. Hashes one dummy password, so call it once at start-up.
    pub fn new(pool: PgPool, config: IamConfig, clock: Arc<dyn Clock>) -> Result<Self> {
        Ok(Self {
            inner: Arc::new(Inner {
                ready_connections: ready_connections::ReadyConnections::new(pool.clone()),
                pool,
                passwords: Passwords::new(config.hash_cost)?,
                partition: config.partition,
                quotas: config.quotas,
                secret_keys: config.secret_keys,
                sign_in_throttle: config.sign_in_throttle,
                clock,
                permission_cache: authz::PermissionCache::default(),
                key_use: access_keys::KeyUseCache::default(),
            }),
        })
    }

    pub fn pool(&self) -> &PgPool {
        &self.inner.pool
    }

    /// Connections for the statements of a sign-in (ready_connections.rs).
    pub(crate) fn ready_connections(&self) -> &Arc<ready_connections::ReadyConnections> {
        &self.inner.ready_connections
    }

    pub fn partition(&self) -> &Partition {
        &self.inner.partition
    }

    pub(crate) fn permission_cache(&self) -> &authz::PermissionCache {
        &self.inner.permission_cache
    }

    pub fn quotas(&self) -> &Quotas {
        &self.inner.quotas
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.inner.clock.now()
    }

    /// Whether the database answers; used by `/healthz`.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query!("select 1 as one").fetch_one(self.pool()).await?;
        Ok(())
    }
}

/// A short random ID under which an internal failure is logged; the only part a user sees.
pub fn generate_error_id() -> String {
    use rand::Rng;
    let n: u64 = rand::thread_rng().gen();
    format!("{:012x}", n & 0xffff_ffff_ffff)
}
