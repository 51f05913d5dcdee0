//! Access keys: at most two per owner, secrets returned once and sealed at rest, activate /
//! deactivate / delete by whoever the policies allow, the root user's keys for root alone, every
//! change in the event history, and the dashboard's rotation recommendation. The credential
//! report in AWS's CSV format, kept for four hours. A fresh database per test.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use gatehouse_iam::*;
use secrecy::{ExposeSecret, SecretString};
use sqlx::PgPool;

/// Lets a user manage their own access keys only, as AWS's self-manage examples do.
const OWN_KEYS: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
  "Action":["iam:CreateAccessKey","iam:UpdateAccessKey","iam:DeleteAccessKey","iam:ListAccessKeys"],
  "Resource":"arn:aws:iam::*:user/${aws:username}"}]}"#;

fn name(s: &str) -> UserName {
    s.parse().unwrap()
}

async fn events_named(iam: &Iam, account: &AccountId, event: &str) -> Vec<EventRecord> {
    iam.list_events(&OP, account, 100)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event_name == event)
        .collect()
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_user_has_at_most_two_keys_whose_secrets_are_shown_once_and_sealed(pool: PgPool) {
    let iam = iam(pool.clone());
    let a = account(&iam, "root@a.example").await.account_id;
    create_user(&iam, &OP, &a, "alice", "/").await.unwrap();
    let alice = CredentialOwner::User(&name("alice"));
    let first = iam.create_access_key(&OP, &a, alice, &meta()).await.unwrap();
    let second = iam.create_access_key(&OP, &a, alice, &meta()).await.unwrap();
    for key in [&first, &second] {
        assert!(key.access_key_id.as_str().starts_with("AKIA"));
        assert_eq!(key.access_key_id.as_str().len(), 20);
        assert_eq!(key.secret_access_key.expose_secret().len(), 40);
    }
    assert_ne!(first.access_key_id, second.access_key_id);
    assert_ne!(
        first.secret_access_key.expose_secret(),
        second.secret_access_key.expose_secret()
    );
    assert!(!format!("{first:?}").contains(first.secret_access_key.expose_secret()));

    // The quota, with AWS's name; nothing is written.
    assert!(matches!(
        iam.create_access_key(&OP, &a, alice, &meta()).await,
        Err(Error::LimitExceeded {
            quota: "AccessKeysPerUser",
            limit: 2
        })
    ));
    assert_eq!(count(&pool, "select count(*) from access_keys").await, 2);

    // At rest: neither the secret nor its bytes, only a sealed value tied to its key ID.
    let sealed: Vec<u8> = sqlx::query_scalar("select secret from access_keys where access_key_id = $1")
        .bind(first.access_key_id.as_str())
        .fetch_one(&pool)
        .await
        .unwrap();
    let secret = first.secret_access_key.expose_secret().as_bytes();
    assert!(!sealed.windows(secret.len()).any(|w| w == secret));
    assert!(sealed.len() > secret.len());

    let listed = iam.list_access_keys(&OP, &a, alice).await.unwrap();
    assert_eq!(
        listed
            .iter()
            .map(|k| (&k.access_key_id, k.status))
            .collect::<Vec<_>>(),
        vec![
            (&first.access_key_id, AccessKeyStatus::Active),
            (&second.access_key_id, AccessKeyStatus::Active)
        ]
    );
    assert!(listed.iter().all(|k| k.last_used.is_none()));
    let created = events_named(&iam, &a, "CreateAccessKey").await;
    assert_eq!(created.len(), 2);
    assert!(!created[0]
        .request
        .to_string()
        .contains(first.secret_access_key.expose_secret()));

    // The users list shows the age of the oldest active key.
    let listed_users = iam
        .list_users(
            &OP,
            &a,
            &UserQuery {
                limit: 10,
                ..UserQuery::default()
            },
        )
        .await
        .unwrap();
    let oldest = listed_users.users[0].oldest_active_key.unwrap();
    assert!((oldest - first.created_at).abs() < time::Duration::milliseconds(1));
    assert!(!listed_users.users[0].mfa);

    // A user's keys go with the user.
    iam.delete_user(&OP, &a, &name("alice"), Source::Console, &meta())
        .await
        .unwrap();
    assert_eq!(count(&pool, "select count(*) from access_keys").await, 0);
}

#[sqlx::test(migrations = "../../migrations")]
async fn users_manage_their_own_keys_and_no_one_elses(pool: PgPool) {
    let iam = iam(pool.clone());
    let a = account(&iam, "root@a.example").await.account_id;
    let (alice_actor, _) = user(&iam, &a, "alice").await;
    create_user(&iam, &OP, &a, "bob", "/").await.unwrap();
    let policy = iam
        .create_policy(&OP, &a, new_policy("OwnKeys", OWN_KEYS), Source::Console, &meta())
        .await
        .unwrap();
    iam.attach_user_policy(&OP, &a, &name("alice"), &policy.arn, Source::Console, &meta())
        .await
        .unwrap();
    let alice = CredentialOwner::User(&name("alice"));
    let bob = CredentialOwner::User(&name("bob"));

    let key = iam
        .create_access_key(&alice_actor, &a, alice, &meta())
        .await
        .unwrap();
    let id = key.access_key_id.clone();
    match iam.create_access_key(&alice_actor, &a, bob, &meta()).await {
        Err(Error::AccessDenied { action, resource, .. }) => {
            assert_eq!(action, "iam:CreateAccessKey");
            assert_eq!(resource, format!("arn:aws:iam::{a}:user/bob"));
        }
        other => panic!("expected AccessDenied, got {other:?}"),
    }
    assert!(matches!(
        iam.list_access_keys(&alice_actor, &a, bob).await,
        Err(Error::AccessDenied { .. })
    ));

    iam.update_access_key(&alice_actor, &a, alice, &id, AccessKeyStatus::Inactive, &meta())
        .await
        .unwrap();
    assert_eq!(
        iam.list_access_keys(&alice_actor, &a, alice).await.unwrap()[0].status,
        AccessKeyStatus::Inactive
    );
    let updated = events_named(&iam, &a, "UpdateAccessKey").await;
    assert_eq!(
        updated[0].before_state,
        Some(serde_json::json!({ "status": "Active" }))
    );
    assert_eq!(
        updated[0].after_state,
        Some(serde_json::json!({ "status": "Inactive" }))
    );
    iam.update_access_key(&alice_actor, &a, alice, &id, AccessKeyStatus::Active, &meta())
        .await
        .unwrap();
    assert_eq!(
        iam.list_access_keys(&OP, &a, alice).await.unwrap()[0].status,
        AccessKeyStatus::Active
    );

    // Alice's key is not bob's: asked of bob, it does not exist (and an admin can't mix them up).
    assert!(matches!(
        iam.update_access_key(&OP, &a, bob, &id, AccessKeyStatus::Inactive, &meta())
            .await,
        Err(Error::NotFound {
            kind: "access key",
            ..
        })
    ));
    assert!(matches!(
        iam.delete_access_key(&OP, &a, bob, &id, &meta()).await,
        Err(Error::NotFound { .. })
    ));

    iam.delete_access_key(&alice_actor, &a, alice, &id, &meta())
        .await
        .unwrap();
    assert!(iam.list_access_keys(&OP, &a, alice).await.unwrap().is_empty());
    assert!(matches!(
        iam.delete_access_key(&alice_actor, &a, alice, &id, &meta()).await,
        Err(Error::NotFound { .. })
    ));
    let deleted = events_named(&iam, &a, "DeleteAccessKey").await;
    assert_eq!(deleted.len(), 1);
    assert_eq!(
        deleted[0].resource_arn.as_deref(),
        Some(format!("arn:aws:iam::{a}:user/alice").as_str())
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_root_users_keys_are_root_only_and_old_keys_are_flagged(pool: PgPool) {
    let clock = ManualClock::new(time::OffsetDateTime::now_utc());
    let iam = iam_with_clock(pool, clock.clone());
    let a = account(&iam, "root@a.example").await.account_id;
    let root = iam
        .sign_in_root(
            "root@a.example",
            &SecretString::from("root password 123".to_owned()),
            &meta(),
        )
        .await
        .unwrap();
    let root = Actor::Principal(root.principal);
    let (admin, _) = user(&iam, &a, "admin").await;
    iam.attach_user_policy(
        &OP,
        &a,
        &name("admin"),
        "arn:aws:iam::aws:policy/AdministratorAccess",
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();

    assert!(matches!(
        iam.create_access_key(&admin, &a, CredentialOwner::Root, &meta())
            .await,
        Err(Error::AccessDenied { .. })
    ));
    let root_key = iam
        .create_access_key(&root, &a, CredentialOwner::Root, &meta())
        .await
        .unwrap();
    assert!(matches!(
        iam.list_access_keys(&admin, &a, CredentialOwner::Root).await,
        Err(Error::AccessDenied { .. })
    ));
    assert_eq!(
        iam.list_access_keys(&root, &a, CredentialOwner::Root)
            .await
            .unwrap()[0]
            .access_key_id,
        root_key.access_key_id
    );
    // The root user's keys are not any user's.
    assert!(iam
        .list_access_keys(&admin, &a, CredentialOwner::User(&name("admin")))
        .await
        .unwrap()
        .is_empty());

    // 90 days on, the active keys are due for rotation; an inactive one is not counted.
    let user_key = iam
        .create_access_key(&admin, &a, CredentialOwner::User(&name("admin")), &meta())
        .await
        .unwrap();
    assert_eq!(iam.account_summary(&admin, &a).await.unwrap().old_access_keys, 0);
    clock.advance(time::Duration::days(91));
    assert_eq!(iam.account_summary(&admin, &a).await.unwrap().old_access_keys, 2);
    iam.update_access_key(
        &admin,
        &a,
        CredentialOwner::User(&name("admin")),
        &user_key.access_key_id,
        AccessKeyStatus::Inactive,
        &meta(),
    )
    .await
    .unwrap();
    assert_eq!(iam.account_summary(&admin, &a).await.unwrap().old_access_keys, 1);
}

/// The report's rows as maps from column name to value.
fn report_rows(csv: &str) -> Vec<std::collections::HashMap<String, String>> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    assert_eq!(
        header,
        CREDENTIAL_REPORT_COLUMNS.to_vec(),
        "AWS's columns in AWS's order"
    );
    lines
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            assert_eq!(cells.len(), header.len(), "{line}");
            header
                .iter()
                .zip(cells)
                .map(|(h, c)| (h.to_string(), c.to_owned()))
                .collect()
        })
        .collect()
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_credential_report_is_awss_csv_and_is_kept_for_four_hours(pool: PgPool) {
    let start = time::OffsetDateTime::now_utc();
    let clock = ManualClock::new(start);
    let iam = iam_with_clock(pool, clock.clone());
    let a = account(&iam, "root@a.example").await.account_id;
    let password = SecretString::from("a long passphrase 77".to_owned());
    for (name, with_password) in [("carol", true), ("bob", false), ("alice", true)] {
        iam.create_user(
            &OP,
            &AccountRef::Id(a.clone()),
            NewUser {
                name: name.parse().unwrap(),
                path: "/staff/".parse().unwrap(),
                password: with_password.then(|| password.clone()),
                password_reset_required: false,
            },
            Source::Console,
            &meta(),
        )
        .await
        .unwrap();
    }
    let policy = PasswordPolicy {
        max_password_age: Some(90),
        ..PasswordPolicy::default()
    };
    iam.update_password_policy(&OP, &a, &policy, &meta())
        .await
        .unwrap();
    iam.sign_in_user(a.as_str(), "carol", &password, &meta())
        .await
        .unwrap();
    let bob = CredentialOwner::User(&name("bob"));
    let first = iam.create_access_key(&OP, &a, bob, &meta()).await.unwrap();
    clock.advance(time::Duration::minutes(5));
    let second = iam.create_access_key(&OP, &a, bob, &meta()).await.unwrap();
    iam.update_access_key(
        &OP,
        &a,
        bob,
        &second.access_key_id,
        AccessKeyStatus::Inactive,
        &meta(),
    )
    .await
    .unwrap();

    // Reading before any report was made: there is none.
    assert!(matches!(
        iam.get_credential_report(&OP, &a).await,
        Err(Error::NotFound {
            kind: "credential report",
            ..
        })
    ));
    let report = iam.generate_credential_report(&OP, &a).await.unwrap();
    let rows = report_rows(&report.csv);
    let users: Vec<&str> = rows.iter().map(|r| r["user"].as_str()).collect();
    assert_eq!(
        users,
        ["<root_account>", "alice", "bob", "carol"],
        "root first, then by name"
    );

    let root = &rows[0];
    assert_eq!(root["arn"], format!("arn:aws:iam::{a}:root"));
    assert_eq!(root["password_enabled"], "not_supported");
    assert_eq!(root["password_last_used"], "no_information");
    assert_eq!(root["password_last_changed"], "not_supported");
    assert_eq!(root["password_next_rotation"], "not_supported");
    assert_eq!(root["mfa_active"], "false");
    assert_eq!(root["access_key_1_active"], "false");
    assert_eq!(root["access_key_1_last_rotated"], "N/A");

    let alice = &rows[1];
    assert_eq!(alice["arn"], format!("arn:aws:iam::{a}:user/staff/alice"));
    assert_eq!(alice["password_enabled"], "true");
    assert_eq!(alice["password_last_used"], "no_information", "never signed in");
    let changed = &alice["password_last_changed"];
    assert!(changed.ends_with("+00:00") && changed.contains('T'), "{changed}");
    let rotation = time::OffsetDateTime::parse(
        &alice["password_next_rotation"],
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!((rotation - (start + time::Duration::days(90))).abs() < time::Duration::seconds(2));
    assert_eq!(rows[3]["password_last_used"].len(), 25, "carol signed in: a time");

    let bob = &rows[2];
    assert_eq!(bob["password_enabled"], "false");
    for column in [
        "password_last_used",
        "password_last_changed",
        "password_next_rotation",
    ] {
        assert_eq!(bob[column], "N/A", "{column}");
    }
    assert_eq!(bob["access_key_1_active"], "true");
    assert_eq!(bob["access_key_2_active"], "false", "the second key is inactive");
    let rotated = time::OffsetDateTime::parse(
        &bob["access_key_1_last_rotated"],
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert!((rotated - first.created_at).abs() < time::Duration::seconds(1));
    assert_ne!(bob["access_key_2_last_rotated"], "N/A");
    for column in [
        "access_key_1_last_used_date",
        "access_key_1_last_used_region",
        "access_key_1_last_used_service",
    ] {
        assert_eq!(bob[column], "N/A", "{column}: never used");
    }
    assert_eq!(
        (bob["cert_1_active"].as_str(), bob["cert_2_last_rotated"].as_str()),
        ("false", "N/A")
    );

    // Within four hours the same report comes back, even after changes; after, a new one.
    create_user(&iam, &OP, &a, "dave", "/").await.unwrap();
    clock.advance(time::Duration::hours(3));
    let again = iam.generate_credential_report(&OP, &a).await.unwrap();
    assert_eq!(again, report);
    assert_eq!(iam.get_credential_report(&OP, &a).await.unwrap(), report);
    clock.advance(time::Duration::hours(2));
    assert!(
        matches!(
            iam.get_credential_report(&OP, &a).await,
            Err(Error::NotFound { .. })
        ),
        "over four hours old: expired"
    );
    let fresh = iam.generate_credential_report(&OP, &a).await.unwrap();
    assert!(fresh.generated_at > report.generated_at);
    assert!(fresh.csv.lines().any(|l| l.starts_with("dave,")));

    // Who may not read IAM users may not have the report either.
    let (nobody, _) = user(&iam, &a, "nobody").await;
    assert!(matches!(
        iam.generate_credential_report(&nobody, &a).await,
        Err(Error::AccessDenied { .. })
    ));
    assert!(matches!(
        iam.get_credential_report(&nobody, &a).await,
        Err(Error::AccessDenied { .. })
    ));
}
