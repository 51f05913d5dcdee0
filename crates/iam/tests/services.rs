//! Service tests on real Postgres: each test gets a fresh, migrated database from `#[sqlx::test]`
//! (DATABASE_URL names the server).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use gatehouse_iam::*;
use secrecy::SecretString;
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

fn iam_with_clock(pool: PgPool, clock: Arc<dyn Clock>) -> Iam {
    Iam::new(pool, common::cheap_config(), clock).unwrap()
}

fn iam(pool: PgPool) -> Iam {
    iam_with_clock(pool, Arc::new(SystemClock))
}

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

fn meta() -> RequestMeta {
    RequestMeta {
        source_ip: Some("192.0.2.10".into()),
        user_agent: Some("test".into()),
        secure_transport: false,
        console_session: None,
        access_key_id: None,
    }
}

async fn account(iam: &Iam, alias: Option<&str>, email: &str) -> CreatedAccount {
    iam.create_account(
        &Actor::Operator,
        NewAccount {
            alias: alias.map(|a| a.parse().unwrap()),
            root_email: email.parse().unwrap(),
            root_password: secret("root password 123"),
        },
        &meta(),
    )
    .await
    .unwrap()
}

async fn user(iam: &Iam, account: &str, name: &str, password: Option<&str>) -> Result<CreatedUser> {
    iam.create_user(
        &Actor::Operator,
        &AccountRef::parse(account).unwrap(),
        NewUser {
            name: name.parse()?,
            path: IamPath::default(),
            password: password.map(secret),
            password_reset_required: false,
        },
        Source::Cli,
        &meta(),
    )
    .await
}

#[sqlx::test(migrations = "../../migrations")]
async fn account_creation_draws_a_12_digit_id_and_records_the_event(pool: PgPool) {
    let iam = iam(pool);
    let a = account(&iam, Some("acme"), "root@acme.example").await;
    let b = account(&iam, None, "root@other.example").await;
    assert_eq!(a.account_id.as_str().len(), 12);
    assert_ne!(a.account_id, b.account_id);
    assert_eq!(a.root_arn, format!("arn:aws:iam::{}:root", a.account_id));
    let events = iam
        .list_events(&Actor::Operator, &a.account_id, 10)
        .await
        .unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event_name, "CreateAccount");
    assert_eq!(events[0].outcome, "success");
}

#[sqlx::test(migrations = "../../migrations")]
async fn account_alias_is_unique_across_the_deployment(pool: PgPool) {
    let iam = iam(pool.clone());
    account(&iam, Some("acme"), "one@acme.example").await;
    let err = iam
        .create_account(
            &Actor::Operator,
            NewAccount {
                alias: Some("acme".parse().unwrap()),
                root_email: "two@acme.example".parse().unwrap(),
                root_password: secret("root password 123"),
            },
            &meta(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "The account alias acme already exists.");
    let (accounts,): (i64,) = sqlx::query_as("select count(*) from accounts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(accounts, 1, "the failed creation left nothing behind");
}

#[sqlx::test(migrations = "../../migrations")]
async fn root_email_is_unique_ignoring_case_and_nothing_is_half_written(pool: PgPool) {
    let iam = iam(pool.clone());
    account(&iam, None, "Root@Acme.example").await;
    let err = iam
        .create_account(
            &Actor::Operator,
            NewAccount {
                alias: None,
                root_email: "root@acme.EXAMPLE".parse().unwrap(),
                root_password: secret("root password 123"),
            },
            &meta(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::AlreadyExists {
                kind: "root user email",
                ..
            }
        ),
        "{err}"
    );
    let (accounts,): (i64,) = sqlx::query_as("select count(*) from accounts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        accounts, 1,
        "the account row of the failed creation was rolled back"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn weak_root_password_is_rejected_with_the_rule_it_breaks(pool: PgPool) {
    let iam = iam(pool.clone());
    let err = iam
        .create_account(
            &Actor::Operator,
            NewAccount {
                alias: None,
                root_email: "root@acme.example".parse().unwrap(),
                root_password: secret("short"),
            },
            &meta(),
        )
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "The password does not meet the password policy: It must be at least 8 characters long."
    );
    assert!(!iam.has_accounts().await.unwrap());
}

#[sqlx::test(migrations = "../../migrations")]
async fn user_names_are_unique_per_account_ignoring_case(pool: PgPool) {
    let iam = iam(pool);
    let a = account(&iam, Some("acme"), "root@acme.example").await;
    let b = account(&iam, Some("globex"), "root@globex.example").await;
    let alice = user(&iam, a.account_id.as_str(), "Alice", Some("alice password 1"))
        .await
        .unwrap();
    assert!(alice.user_id.as_str().starts_with("AIDA"));
    assert_eq!(alice.arn, format!("arn:aws:iam::{}:user/Alice", a.account_id));
    let dup = user(&iam, "acme", "alice", None).await.unwrap_err();
    assert_eq!(dup.to_string(), "The user alice already exists.");
    // The same name in another account is a different user.
    user(&iam, b.account_id.as_str(), "alice", None).await.unwrap();
}

#[sqlx::test(migrations = "../../migrations")]
async fn creating_a_user_in_an_unknown_account_says_so(pool: PgPool) {
    let iam = iam(pool);
    let err = user(&iam, "nosuchalias", "bob", None).await.unwrap_err();
    assert_eq!(err.to_string(), "The account nosuchalias cannot be found.");
}

#[sqlx::test(migrations = "../../migrations")]
async fn root_of_one_account_cannot_create_users_in_another(pool: PgPool) {
    let iam = iam(pool);
    let a = account(&iam, Some("acme"), "root@acme.example").await;
    let b = account(&iam, Some("globex"), "root@globex.example").await;
    let root_a = iam
        .sign_in_root("root@acme.example", &secret("root password 123"), &meta())
        .await
        .unwrap();
    let actor = Actor::Principal(root_a.principal);
    let new = |name: &str| NewUser {
        name: name.parse().unwrap(),
        path: IamPath::default(),
        password: None,
        password_reset_required: false,
    };
    iam.create_user(
        &actor,
        &AccountRef::Id(a.account_id.clone()),
        new("ok"),
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    let err = iam
        .create_user(
            &actor,
            &AccountRef::Id(b.account_id.clone()),
            new("nope"),
            Source::Console,
            &meta(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::AccessDenied { ref action, .. } if action == "iam:CreateUser"),
        "{err}"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn root_signs_in_with_email_and_password_only(pool: PgPool) {
    let iam = iam(pool);
    let a = account(&iam, Some("acme"), "root@acme.example").await;
    let ok = iam
        .sign_in_root("ROOT@acme.example", &secret("root password 123"), &meta())
        .await
        .unwrap();
    assert_eq!(ok.principal.account_id, a.account_id);
    assert!(ok.principal.is_root());
    for (email, pw) in [
        ("root@acme.example", "wrong password"),
        ("nobody@acme.example", "root password 123"),
        ("not an email", "x"),
    ] {
        let err = iam.sign_in_root(email, &secret(pw), &meta()).await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "Your authentication information is incorrect. Please try again."
        );
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn iam_user_signs_in_by_account_id_or_alias(pool: PgPool) {
    let iam = iam(pool);
    let a = account(&iam, Some("acme"), "root@acme.example").await;
    user(&iam, "acme", "alice", Some("alice password 1"))
        .await
        .unwrap();
    let by_id = iam
        .sign_in_user(
            a.account_id.as_str(),
            "alice",
            &secret("alice password 1"),
            &meta(),
        )
        .await
        .unwrap();
    let by_alias = iam
        .sign_in_user("ACME", "ALICE", &secret("alice password 1"), &meta())
        .await
        .unwrap();
    assert_eq!(by_id.principal, by_alias.principal);
    assert_eq!(by_id.principal.display_name(), "alice");
    assert_eq!(
        by_id.principal.account_alias.as_ref().map(|a| a.as_str()),
        Some("acme")
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn every_sign_in_failure_is_the_same_error_and_is_recorded_with_its_reason(pool: PgPool) {
    let iam = iam(pool.clone());
    let a = account(&iam, Some("acme"), "root@acme.example").await;
    user(&iam, "acme", "alice", Some("alice password 1"))
        .await
        .unwrap();
    user(&iam, "acme", "nologin", None).await.unwrap();
    user(&iam, "acme", "gone", Some("gone password 1")).await.unwrap();
    sqlx::query("update iam_users set disabled_at = now() where user_name = 'gone'")
        .execute(&pool)
        .await
        .unwrap();
    let cases = [
        ("acme", "alice", "wrong password", "WrongPassword"),
        ("acme", "bob", "alice password 1", "NoSuchUser"),
        ("nosuch", "alice", "alice password 1", "NoSuchAccount"),
        ("acme", "nologin", "anything", "NoLoginProfile"),
        ("acme", "gone", "gone password 1", "UserDisabled"),
        ("acme", "bad name!", "x", "MalformedInput"),
    ];
    for (account, name, pw, _) in cases {
        let err = iam
            .sign_in_user(account, name, &secret(pw), &meta())
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::AuthenticationFailed),
            "{account}/{name}: {err}"
        );
    }
    let codes: Vec<(Option<String>,)> = sqlx::query_as(
        "select error_code from events where event_name = 'ConsoleLogin' and outcome = 'failure' order by event_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let codes: Vec<String> = codes.into_iter().filter_map(|c| c.0).collect();
    assert_eq!(codes, cases.iter().map(|c| c.3.to_owned()).collect::<Vec<_>>());
    let in_account = iam
        .list_events(&Actor::Operator, &a.account_id, 50)
        .await
        .unwrap();
    assert!(in_account
        .iter()
        .all(|e| e.source_ip.as_deref() == Some("192.0.2.10")));
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_session_ends_when_the_user_is_disabled_or_its_epoch_moves(pool: PgPool) {
    let iam = iam(pool.clone());
    account(&iam, Some("acme"), "root@acme.example").await;
    user(&iam, "acme", "alice", Some("alice password 1"))
        .await
        .unwrap();
    let s = iam
        .sign_in_user("acme", "alice", &secret("alice password 1"), &meta())
        .await
        .unwrap();
    let current = iam.session_principal(&s.session).await.unwrap().unwrap();
    assert!(
        current.permissions_epoch.is_some(),
        "read with the permissions epoch"
    );
    // Sign-in read the permissions epoch too, so the console's first authorization can come
    // from the permission cache.
    assert_eq!(current, s.principal);
    sqlx::query("update iam_users set auth_epoch = auth_epoch + 1")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(iam.session_principal(&s.session).await.unwrap(), None);
    let s = iam
        .sign_in_user("acme", "alice", &secret("alice password 1"), &meta())
        .await
        .unwrap();
    sqlx::query("update iam_users set disabled_at = now()")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(iam.session_principal(&s.session).await.unwrap(), None);
}

#[sqlx::test(migrations = "../../migrations")]
async fn setup_link_works_once(pool: PgPool) {
    let iam = iam(pool);
    let token = iam.issue_setup_token(Duration::hours(1)).await.unwrap().unwrap();
    assert!(iam.setup_token_is_valid(token.expose()).await.unwrap());
    let new = || NewAccount {
        alias: Some("acme".parse().unwrap()),
        root_email: "root@acme.example".parse().unwrap(),
        root_password: secret("root password 123"),
    };
    let created = iam.complete_setup(token.expose(), new(), &meta()).await.unwrap();
    assert_eq!(created.alias.unwrap().as_str(), "acme");
    assert!(!iam.setup_token_is_valid(token.expose()).await.unwrap());
    let again = iam
        .complete_setup(token.expose(), new(), &meta())
        .await
        .unwrap_err();
    assert!(matches!(again, Error::SetupAlreadyDone), "{again}");
    assert!(
        iam.issue_setup_token(Duration::hours(1)).await.unwrap().is_none(),
        "no new link once an account exists"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn setup_link_expires_and_is_replaced_by_a_newer_one(pool: PgPool) {
    let clock = ManualClock::new(OffsetDateTime::now_utc());
    let iam = iam_with_clock(pool, Arc::new(clock.clone()));
    let first = iam.issue_setup_token(Duration::hours(1)).await.unwrap().unwrap();
    let second = iam.issue_setup_token(Duration::hours(1)).await.unwrap().unwrap();
    assert!(
        !iam.setup_token_is_valid(first.expose()).await.unwrap(),
        "replaced"
    );
    assert!(iam.setup_token_is_valid(second.expose()).await.unwrap());
    assert!(!iam.setup_token_is_valid("not-a-token").await.unwrap());
    clock.advance(Duration::minutes(61));
    assert!(
        !iam.setup_token_is_valid(second.expose()).await.unwrap(),
        "expired"
    );
    let new = NewAccount {
        alias: None,
        root_email: "root@acme.example".parse().unwrap(),
        root_password: secret("root password 123"),
    };
    let err = iam
        .complete_setup(second.expose(), new, &meta())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::SetupLinkInvalid), "{err}");
    assert!(!iam.has_accounts().await.unwrap());
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_event_history_refuses_updates_and_deletes(pool: PgPool) {
    let iam = iam(pool.clone());
    account(&iam, None, "root@acme.example").await;
    let update = sqlx::query("update events set outcome = 'failure'")
        .execute(&pool)
        .await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = sqlx::query("delete from events").execute(&pool).await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
    let truncate = sqlx::query("truncate events").execute(&pool).await;
    assert!(truncate.unwrap_err().to_string().contains("append-only"));
}
