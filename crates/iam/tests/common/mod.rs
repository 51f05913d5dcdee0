//! Setup shared by the service test files: an `Iam` with cheap hashes on the test's fresh
//! database, accounts and users created by the operator, and users as signed-in principals.

// Each test binary uses a different part of this module.
#![allow(dead_code)]

use std::sync::Arc;

use gatehouse_iam::*;
use sqlx::PgPool;

pub const OP: Actor = Actor::Operator;

/// The services' configuration for tests: cheap hashes keep the suite fast (the production
/// cost is tested in password.rs).
pub fn cheap_config() -> IamConfig {
    IamConfig {
        hash_cost: HashCost::FOR_TESTS,
        ..IamConfig::default()
    }
}

pub fn iam_with(pool: PgPool, quotas: Quotas) -> Iam {
    let config = IamConfig {
        quotas,
        ..cheap_config()
    };
    Iam::new(pool, config, Arc::new(SystemClock)).unwrap()
}

/// An `Iam` with cheap hashes whose clock the test moves.
pub fn iam_with_clock(pool: PgPool, clock: ManualClock) -> Iam {
    Iam::new(pool, cheap_config(), Arc::new(clock)).unwrap()
}

pub fn iam(pool: PgPool) -> Iam {
    iam_with(pool, Quotas::default())
}

pub fn meta() -> RequestMeta {
    RequestMeta {
        source_ip: Some("192.0.2.10".into()),
        user_agent: Some("test".into()),
        secure_transport: false,
        console_session: None,
        access_key_id: None,
    }
}

pub async fn account(iam: &Iam, email: &str) -> CreatedAccount {
    iam.create_account(
        &OP,
        NewAccount {
            alias: None,
            root_email: email.parse().unwrap(),
            root_password: secrecy::SecretString::from("root password 123".to_owned()),
        },
        &meta(),
    )
    .await
    .unwrap()
}

pub fn new_user(name: &str, path: &str) -> NewUser {
    NewUser {
        name: name.parse().unwrap(),
        path: path.parse().unwrap(),
        password: None,
        password_reset_required: false,
    }
}

/// Creates a user as `actor` (the console's path).
pub async fn create_user(
    iam: &Iam,
    actor: &Actor,
    account: &AccountId,
    name: &str,
    path: &str,
) -> Result<CreatedUser> {
    iam.create_user(
        actor,
        &AccountRef::Id(account.clone()),
        new_user(name, path),
        Source::Console,
        &meta(),
    )
    .await
}

/// Creates `name` (as the operator) and returns it as a signed-in principal too.
pub async fn user(iam: &Iam, account: &AccountId, name: &str) -> (Actor, CreatedUser) {
    let created = create_user(iam, &OP, account, name, "/").await.unwrap();
    let actor = Actor::Principal(Principal {
        account_id: account.clone(),
        account_alias: None,
        arn: created.arn.clone(),
        kind: PrincipalKind::User {
            user_id: created.user_id.clone(),
            user_name: created.user_name.clone(),
            path: IamPath::default(),
        },
        request: RequestMeta::default(),
        permissions_epoch: None,
    });
    (actor, created)
}

/// Whether `actor` may create a user now: AccessDenied is `false`, any other error fails.
pub async fn can_create_user(iam: &Iam, actor: &Actor, account: &AccountId, name: &str) -> bool {
    match create_user(iam, actor, account, name, "/").await {
        Ok(_) => true,
        Err(Error::AccessDenied { .. }) => false,
        Err(other) => panic!("unexpected error {other:?}"),
    }
}

pub fn new_policy(name: &str, document: &str) -> NewPolicy {
    NewPolicy {
        name: name.parse().unwrap(),
        path: IamPath::default(),
        description: "test policy".into(),
        document: document.into(),
    }
}

pub async fn count(pool: &PgPool, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(pool).await.unwrap()
}
