//! Passwords after sign-up: the account password policy, lockout, forced and self-service
//! password changes, reuse prevention and administrators' console-access changes, on a fresh
//! database per test with a clock the tests move.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use common::{meta, OP};
use gatehouse_iam::*;
use secrecy::SecretString;
use sqlx::PgPool;
use time::Duration;

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

struct World {
    iam: Iam,
    clock: ManualClock,
    account: AccountId,
}

async fn world(pool: PgPool) -> World {
    let clock = ManualClock::new(time::OffsetDateTime::now_utc());
    let iam = Iam::new(pool, common::cheap_config(), Arc::new(clock.clone())).unwrap();
    let account = common::account(&iam, "root@acme.example").await.account_id;
    World { iam, clock, account }
}

impl World {
    async fn user(&self, name: &str, password: &str, reset: bool) -> CreatedUser {
        self.iam
            .create_user(
                &OP,
                &AccountRef::Id(self.account.clone()),
                NewUser {
                    name: name.parse().unwrap(),
                    path: IamPath::default(),
                    password: Some(secret(password)),
                    password_reset_required: reset,
                },
                Source::Console,
                &meta(),
            )
            .await
            .unwrap()
    }

    async fn create_bob(&self, password: &str) -> Result<CreatedUser> {
        self.iam
            .create_user(
                &OP,
                &AccountRef::Id(self.account.clone()),
                NewUser {
                    name: "bob".parse().unwrap(),
                    path: IamPath::default(),
                    password: Some(secret(password)),
                    password_reset_required: true,
                },
                Source::Console,
                &meta(),
            )
            .await
    }

    async fn sign_in_root(&self, password: &str) -> Result<SignedIn> {
        self.iam
            .sign_in_root("root@acme.example", &secret(password), &meta())
            .await
    }

    async fn sign_in(&self, name: &str, password: &str) -> Result<SignedIn> {
        self.iam
            .sign_in_user(self.account.as_str(), name, &secret(password), &meta())
            .await
    }

    async fn set_policy(&self, policy: PasswordPolicy) {
        self.iam
            .update_password_policy(&OP, &self.account, &policy, &meta())
            .await
            .unwrap();
    }

    fn change(old: &str, new: &str) -> PasswordChange {
        PasswordChange {
            old: secret(old),
            new: secret(new),
            retyped: secret(new),
        }
    }

    async fn events(&self, name: &str) -> Vec<(String, Option<String>)> {
        sqlx::query_as("select outcome, error_code from events where event_name = $1 order by event_id")
            .bind(name)
            .fetch_all(self.iam.pool())
            .await
            .unwrap()
    }
}

fn rules_broken(result: Result<impl std::fmt::Debug>) -> Vec<String> {
    match result {
        Err(Error::PasswordPolicy(broken)) => broken,
        other => panic!("expected a password policy error, got {other:?}"),
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_default_policy_follows_nist_and_can_be_changed_and_reset(pool: PgPool) {
    let w = world(pool).await;
    let policy = w.iam.get_password_policy(&OP, &w.account).await.unwrap();
    assert_eq!(policy, PasswordPolicy::default());
    assert_eq!(policy.minimum_length, 8);
    assert!(policy.allow_users_to_change_password);
    assert_eq!(policy.max_password_age, None);
    let strict = PasswordPolicy {
        minimum_length: 14,
        require_symbols: true,
        max_password_age: Some(90),
        password_reuse_prevention: Some(5),
        lockout_threshold: 3,
        ..PasswordPolicy::default()
    };
    w.set_policy(strict.clone()).await;
    assert_eq!(w.iam.get_password_policy(&OP, &w.account).await.unwrap(), strict);
    let bad = PasswordPolicy {
        minimum_length: 200,
        ..strict.clone()
    };
    let err = w
        .iam
        .update_password_policy(&OP, &w.account, &bad, &meta())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "The minimum password length must be between 6 and 128."
    );
    assert_eq!(w.iam.get_password_policy(&OP, &w.account).await.unwrap(), strict);
    w.iam
        .delete_password_policy(&OP, &w.account, &meta())
        .await
        .unwrap();
    assert_eq!(
        w.iam.get_password_policy(&OP, &w.account).await.unwrap(),
        PasswordPolicy::default()
    );
    assert_eq!(w.events("UpdateAccountPasswordPolicy").await.len(), 1);
    assert_eq!(w.events("DeleteAccountPasswordPolicy").await.len(), 1);
}

#[sqlx::test(migrations = "../../migrations")]
async fn new_users_passwords_meet_the_account_policy_and_the_common_list(pool: PgPool) {
    let w = world(pool.clone()).await;
    w.set_policy(PasswordPolicy {
        minimum_length: 12,
        require_numbers: true,
        ..PasswordPolicy::default()
    })
    .await;
    let broken = rules_broken(w.create_bob("zq7short").await);
    assert_eq!(broken, vec!["It must be at least 12 characters long."]);
    let broken = rules_broken(w.create_bob("no digits in this one").await);
    assert_eq!(broken, vec!["It must contain at least one number (0–9)."]);
    let broken = rules_broken(w.create_bob("password1234").await);
    assert!(broken.iter().any(|m| m.contains("too common")), "{broken:?}");
    assert_eq!(common::count(&pool, "select count(*) from iam_users").await, 0);
    w.create_bob("a decent passphrase 7").await.unwrap();
}

#[sqlx::test(migrations = "../../migrations")]
async fn consecutive_failures_lock_out_with_growing_waits_and_the_same_error(pool: PgPool) {
    let w = world(pool).await;
    w.set_policy(PasswordPolicy {
        lockout_threshold: 3,
        lockout_minutes: 2,
        ..PasswordPolicy::default()
    })
    .await;
    w.user("alice", "alice password 1", false).await;
    for _ in 0..3 {
        assert!(matches!(
            w.sign_in("alice", "wrong password").await,
            Err(Error::AuthenticationFailed)
        ));
    }
    // Locked: the right password fails exactly as an unknown user does.
    let locked = w.sign_in("alice", "alice password 1").await.unwrap_err();
    let unknown = w.sign_in("nobody", "alice password 1").await.unwrap_err();
    assert!(matches!(locked, Error::AuthenticationFailed));
    assert_eq!(locked.to_string(), unknown.to_string());
    let lockouts = w.events("LoginLockout").await;
    assert_eq!(lockouts.len(), 1);
    let failures = w.events("ConsoleLogin").await;
    assert!(failures.contains(&("failure".into(), Some("LockedOut".into()))));

    // The first lockout lasts 2 minutes.
    w.clock.advance(Duration::seconds(119));
    assert!(w.sign_in("alice", "alice password 1").await.is_err());
    w.clock.advance(Duration::seconds(2));
    // Three more failures: the second lockout lasts twice as long.
    for _ in 0..3 {
        assert!(w.sign_in("alice", "wrong password").await.is_err());
    }
    w.clock.advance(Duration::minutes(3));
    assert!(w.sign_in("alice", "alice password 1").await.is_err());
    w.clock.advance(Duration::minutes(1) + Duration::seconds(1));
    w.sign_in("alice", "alice password 1").await.unwrap();
    // A success starts again from zero: two failures do not lock.
    for _ in 0..2 {
        assert!(w.sign_in("alice", "wrong password").await.is_err());
    }
    w.sign_in("alice", "alice password 1").await.unwrap();
    assert_eq!(w.events("LoginLockout").await.len(), 2);
}

/// The console's sign-in leaves its writes to the statement that stores the new session: until
/// then nothing is written; that statement writes the session, the event and the reset counters
/// together, and nothing at all when the session ID is taken.
#[sqlx::test(migrations = "../../migrations")]
async fn a_deferred_sign_in_is_recorded_only_with_its_session(pool: PgPool) {
    let w = world(pool).await;
    w.user("alice", "alice password 1", false).await;
    assert!(w.sign_in("alice", "wrong password").await.is_err());
    let failed_sign_ins = || async {
        sqlx::query_scalar::<_, i32>(
            "select failed_sign_ins from login_profiles join iam_users using (user_id)
              where user_name = 'alice' and password_last_used is null",
        )
        .fetch_optional(w.iam.pool())
        .await
        .unwrap()
    };
    let (signed_in, success) = w
        .iam
        .sign_in_user_deferred(w.account.as_str(), "alice", &secret("alice password 1"), &meta())
        .await
        .unwrap();
    assert_eq!(signed_in.session.stage, SignInStage::SignedIn);
    let success = success.expect("no MFA step is due, so the sign-in succeeded");
    assert_eq!(
        w.events("ConsoleLogin").await,
        [("failure".into(), Some("WrongPassword".into()))]
    );
    assert_eq!(failed_sign_ins().await, Some(1), "nothing written yet");

    sqlx::query("insert into tower_sessions.session values ('taken', '', now())")
        .execute(w.iam.pool())
        .await
        .unwrap();
    let session = |id| NewSession {
        id,
        data: b"session data",
        expiry_date: w.clock.now() + Duration::hours(1),
    };
    let stored = w
        .iam
        .record_sign_in_with_session(&success, session("taken"))
        .await
        .unwrap();
    assert!(!stored, "the ID is taken");
    assert_eq!(w.events("ConsoleLogin").await.len(), 1, "and nothing was written");
    assert_eq!(failed_sign_ins().await, Some(1));

    let stored = w
        .iam
        .record_sign_in_with_session(&success, session("fresh"))
        .await
        .unwrap();
    assert!(stored);
    assert_eq!(
        w.events("ConsoleLogin").await,
        [
            ("failure".into(), Some("WrongPassword".into())),
            ("success".into(), None)
        ]
    );
    assert_eq!(
        failed_sign_ins().await,
        None,
        "counter reset and last use recorded"
    );
    let data: Vec<u8> = sqlx::query_scalar("select data from tower_sessions.session where id = 'fresh'")
        .fetch_one(w.iam.pool())
        .await
        .unwrap();
    assert_eq!(data, b"session data");
}

#[sqlx::test(migrations = "../../migrations")]
async fn an_administrator_unlocks_a_locked_out_user(pool: PgPool) {
    let w = world(pool).await;
    w.set_policy(PasswordPolicy {
        lockout_threshold: 1,
        ..PasswordPolicy::default()
    })
    .await;
    w.user("alice", "alice password 1", false).await;
    assert!(w.sign_in("alice", "wrong password").await.is_err());
    assert!(w.sign_in("alice", "alice password 1").await.is_err());
    let alice: UserName = "alice".parse().unwrap();
    // An IAM user without permission cannot unlock.
    let (mallory, _) = common::user(&w.iam, &w.account, "mallory").await;
    assert!(matches!(
        w.iam.unlock_user(&mallory, &w.account, &alice, &meta()).await,
        Err(Error::AccessDenied { .. })
    ));
    w.iam.unlock_user(&OP, &w.account, &alice, &meta()).await.unwrap();
    w.sign_in("alice", "alice password 1").await.unwrap();
    assert_eq!(w.events("UnlockUser").await.len(), 1);
}

#[sqlx::test(migrations = "../../migrations")]
async fn root_is_locked_out_too_and_the_lockout_ends_by_itself(pool: PgPool) {
    let w = world(pool).await;
    for _ in 0..10 {
        assert!(w.sign_in_root("wrong").await.is_err());
    }
    assert!(w.sign_in_root("root password 123").await.is_err());
    w.clock.advance(Duration::minutes(5));
    w.sign_in_root("root password 123").await.unwrap();
    // A success starts root's count again from zero too: nine more failures do not lock it.
    for _ in 0..9 {
        assert!(w.sign_in_root("wrong").await.is_err());
    }
    w.sign_in_root("root password 123").await.unwrap();
}

#[sqlx::test(migrations = "../../migrations")]
async fn only_the_operator_unlocks_a_locked_out_root_user(pool: PgPool) {
    let w = world(pool).await;
    assert!(
        !w.iam.unlock_root(&OP, &w.account, &meta()).await.unwrap(),
        "not locked"
    );
    for _ in 0..10 {
        assert!(w.sign_in_root("wrong").await.is_err());
    }
    assert!(w.sign_in_root("root password 123").await.is_err(), "locked out");
    let admin = w.user("admin", "admin passphrase 1", false).await;
    w.iam
        .attach_user_policy(
            &OP,
            &w.account,
            &admin.user_name,
            "arn:aws:iam::aws:policy/AdministratorAccess",
            Source::Console,
            &meta(),
        )
        .await
        .unwrap();
    let admin = Actor::Principal(w.sign_in("admin", "admin passphrase 1").await.unwrap().principal);
    assert!(matches!(
        w.iam.unlock_root(&admin, &w.account, &meta()).await,
        Err(Error::AccessDenied { .. })
    ));
    assert!(w.iam.unlock_root(&OP, &w.account, &meta()).await.unwrap());
    w.sign_in_root("root password 123").await.unwrap();
    assert_eq!(
        w.events("UnlockRoot").await,
        [("success".to_owned(), None), ("success".to_owned(), None)]
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_required_reset_signs_in_to_the_change_stage_only(pool: PgPool) {
    let w = world(pool).await;
    w.user("alice", "first password 1", true).await;
    let signed_in = w.sign_in("alice", "first password 1").await.unwrap();
    assert_eq!(
        signed_in.session.stage,
        SignInStage::MustChangePassword { expired: false }
    );
    let auth = &signed_in.session;
    // Wrong old password, mismatched retype, the same password again, a common one.
    let err = w
        .iam
        .complete_password_change(auth, &World::change("nope", "second password 2"), &meta())
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "The old password is incorrect.");
    let mismatch = PasswordChange {
        retyped: secret("second password 3"),
        ..World::change("first password 1", "second password 2")
    };
    let err = w
        .iam
        .complete_password_change(auth, &mismatch, &meta())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "The retyped password does not match the new password."
    );
    let broken = rules_broken(
        w.iam
            .complete_password_change(
                auth,
                &World::change("first password 1", "first password 1"),
                &meta(),
            )
            .await,
    );
    assert_eq!(broken, vec!["It must be different from your current password."]);
    let broken = rules_broken(
        w.iam
            .complete_password_change(auth, &World::change("first password 1", "iloveyou"), &meta())
            .await,
    );
    assert!(broken.iter().any(|m| m.contains("too common")));
    assert!(
        w.sign_in("alice", "first password 1").await.is_ok(),
        "nothing changed yet"
    );

    let done = w
        .iam
        .complete_password_change(
            auth,
            &World::change("first password 1", "second password 2"),
            &meta(),
        )
        .await
        .unwrap();
    assert_eq!(done.stage, SignInStage::SignedIn);
    assert_eq!(done.auth_epoch, auth.auth_epoch + 1);
    // The old session state no longer stands; the new one does.
    assert!(w.iam.session_principal(auth).await.unwrap().is_none());
    assert!(w.iam.session_principal(&done).await.unwrap().is_some());
    // The reset flag is gone: the next sign-in is straight in.
    let again = w.sign_in("alice", "second password 2").await.unwrap();
    assert_eq!(again.session.stage, SignInStage::SignedIn);
    assert!(w.sign_in("alice", "first password 1").await.is_err());
    assert_eq!(w.events("ChangePassword").await.len(), 1);
}

#[sqlx::test(migrations = "../../migrations")]
async fn an_expired_password_is_changed_at_sign_in_or_needs_an_administrator(pool: PgPool) {
    let w = world(pool).await;
    w.set_policy(PasswordPolicy {
        max_password_age: Some(30),
        ..PasswordPolicy::default()
    })
    .await;
    w.user("alice", "alice password 1", false).await;
    w.user("bob", "bob password 12", false).await;
    let fresh = w.sign_in("alice", "alice password 1").await.unwrap().session;
    assert_eq!(fresh.stage, SignInStage::SignedIn);
    assert_eq!(fresh.password_expiry_warning(w.iam.now()), None);
    w.clock.advance(Duration::days(20));
    let soon = w.sign_in("alice", "alice password 1").await.unwrap().session;
    assert_eq!(soon.password_expiry_warning(w.iam.now()), Some(10));
    w.clock.advance(Duration::days(11));
    let expired = w.sign_in("alice", "alice password 1").await.unwrap();
    assert_eq!(
        expired.session.stage,
        SignInStage::MustChangePassword { expired: true }
    );
    w.set_policy(PasswordPolicy {
        max_password_age: Some(30),
        hard_expiry: true,
        ..PasswordPolicy::default()
    })
    .await;
    assert!(matches!(
        w.sign_in("bob", "bob password 12").await,
        Err(Error::PasswordExpired)
    ));
    // Only the right password learns that it expired.
    assert!(matches!(
        w.sign_in("bob", "wrong password").await,
        Err(Error::AuthenticationFailed)
    ));
    // An administrator's reset starts a fresh age.
    w.iam
        .reset_login_profile(
            &OP,
            &w.account,
            &"bob".parse().unwrap(),
            &NewLoginProfile {
                password: secret("bob reset password 3"),
                password_reset_required: false,
            },
            &meta(),
        )
        .await
        .unwrap();
    w.sign_in("bob", "bob reset password 3").await.unwrap();
}

#[sqlx::test(migrations = "../../migrations")]
async fn reuse_prevention_refuses_recent_passwords(pool: PgPool) {
    let w = world(pool).await;
    w.set_policy(PasswordPolicy {
        password_reuse_prevention: Some(2),
        ..PasswordPolicy::default()
    })
    .await;
    let created = w.user("alice", "password one 11", false).await;
    let actor = Actor::Principal(Principal {
        account_id: w.account.clone(),
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
    let auth = w.sign_in("alice", "password one 11").await.unwrap().session;
    let auth = w
        .iam
        .change_own_password(
            &actor,
            &auth,
            &World::change("password one 11", "password two 22"),
            &meta(),
        )
        .await
        .unwrap();
    let broken = rules_broken(
        w.iam
            .change_own_password(
                &actor,
                &auth,
                &World::change("password two 22", "password one 11"),
                &meta(),
            )
            .await,
    );
    assert_eq!(broken, vec!["It must not be one of your last 2 passwords."]);
    let auth = w
        .iam
        .change_own_password(
            &actor,
            &auth,
            &World::change("password two 22", "password three 33"),
            &meta(),
        )
        .await
        .unwrap();
    // Two changes later the first password is allowed again.
    w.iam
        .change_own_password(
            &actor,
            &auth,
            &World::change("password three 33", "password one 11"),
            &meta(),
        )
        .await
        .unwrap();
}

#[sqlx::test(migrations = "../../migrations")]
async fn changing_ones_own_password_needs_the_account_setting_or_a_policy(pool: PgPool) {
    let w = world(pool).await;
    let (alice, _) = common::user(&w.iam, &w.account, "alice").await;
    w.iam
        .create_login_profile(
            &OP,
            &w.account,
            &"alice".parse().unwrap(),
            &NewLoginProfile {
                password: secret("alice password 1"),
                password_reset_required: false,
            },
            &meta(),
        )
        .await
        .unwrap();
    let auth = w.sign_in("alice", "alice password 1").await.unwrap().session;
    // Allowed by default ("Allow users to change their own password").
    assert!(w.iam.get_password_policy(&alice, &w.account).await.is_ok());
    let auth = w
        .iam
        .change_own_password(
            &alice,
            &auth,
            &World::change("alice password 1", "alice password 2"),
            &meta(),
        )
        .await
        .unwrap();
    w.set_policy(PasswordPolicy {
        allow_users_to_change_password: false,
        ..PasswordPolicy::default()
    })
    .await;
    let err = w
        .iam
        .change_own_password(
            &alice,
            &auth,
            &World::change("alice password 2", "alice password 3"),
            &meta(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::AccessDenied { action, .. } if action == "iam:ChangePassword"),
        "{err:?}"
    );
    assert!(w.iam.get_password_policy(&alice, &w.account).await.is_err());
    // The setting never lets a user read or change anyone else.
    let (bob, _) = common::user(&w.iam, &w.account, "bob").await;
    w.set_policy(PasswordPolicy::default()).await;
    assert!(!w
        .iam
        .allows(
            &bob,
            "iam:ChangePassword",
            &format!("arn:aws:iam::{}:user/alice", w.account),
            &w.account
        )
        .await
        .unwrap());
}

#[sqlx::test(migrations = "../../migrations")]
async fn console_access_is_given_reset_and_taken_away_ending_sessions(pool: PgPool) {
    let w = world(pool).await;
    common::user(&w.iam, &w.account, "alice").await;
    let alice: UserName = "alice".parse().unwrap();
    let profile = |pw: &str, reset| NewLoginProfile {
        password: secret(pw),
        password_reset_required: reset,
    };
    // Resetting a password that does not exist is refused.
    assert!(matches!(
        w.iam
            .reset_login_profile(
                &OP,
                &w.account,
                &alice,
                &profile("alice password 1", false),
                &meta()
            )
            .await,
        Err(Error::NotFound { .. })
    ));
    w.iam
        .create_login_profile(
            &OP,
            &w.account,
            &alice,
            &profile("alice password 1", false),
            &meta(),
        )
        .await
        .unwrap();
    assert!(matches!(
        w.iam
            .create_login_profile(
                &OP,
                &w.account,
                &alice,
                &profile("alice password 2", false),
                &meta()
            )
            .await,
        Err(Error::AlreadyExists { .. })
    ));
    let session = w.sign_in("alice", "alice password 1").await.unwrap().session;
    w.iam
        .reset_login_profile(
            &OP,
            &w.account,
            &alice,
            &profile("alice password 3", true),
            &meta(),
        )
        .await
        .unwrap();
    assert!(
        w.iam.session_principal(&session).await.unwrap().is_none(),
        "reset ends sessions"
    );
    let staged = w.sign_in("alice", "alice password 3").await.unwrap().session;
    assert_eq!(staged.stage, SignInStage::MustChangePassword { expired: false });
    w.iam
        .delete_login_profile(&OP, &w.account, &alice, &meta())
        .await
        .unwrap();
    assert!(
        w.iam.session_principal(&staged).await.unwrap().is_none(),
        "disabling ends sessions"
    );
    assert!(w.sign_in("alice", "alice password 3").await.is_err());
    assert!(matches!(
        w.iam.delete_login_profile(&OP, &w.account, &alice, &meta()).await,
        Err(Error::NotFound { .. })
    ));
}

#[sqlx::test(migrations = "../../migrations")]
async fn an_address_that_keeps_failing_is_throttled_and_no_one_is_locked_out(pool: PgPool) {
    let clock = ManualClock::new(time::OffsetDateTime::now_utc());
    let config = IamConfig {
        sign_in_throttle: SignInThrottle {
            failures: 5,
            window: Duration::minutes(15),
        },
        ..common::cheap_config()
    };
    let iam = Iam::new(pool, config, Arc::new(clock.clone())).unwrap();
    let account = common::account(&iam, "root@acme.example").await.account_id;
    let w = World { iam, clock, account };
    w.user("alice", "alice passphrase 1", false).await;
    let from = |ip: &str| RequestMeta {
        source_ip: Some(ip.to_owned()),
        ..meta()
    };
    let attacker = from("198.51.100.7");
    // Spraying: one guess at each of many user names, none of which the per-user lockout sees.
    for name in ["admin", "bob", "carol", "dave", "erin"] {
        let r = w
            .iam
            .sign_in_user(w.account.as_str(), name, &secret("Summer2026!"), &attacker)
            .await;
        assert!(matches!(r, Err(Error::AuthenticationFailed)));
    }
    // Past the limit even the right password fails from there, with the same error...
    let r = w
        .iam
        .sign_in_user(
            w.account.as_str(),
            "alice",
            &secret("alice passphrase 1"),
            &attacker,
        )
        .await;
    assert!(matches!(r, Err(Error::AuthenticationFailed)));
    let r = w
        .iam
        .sign_in_root("root@acme.example", &secret("root password 123"), &attacker)
        .await;
    assert!(matches!(r, Err(Error::AuthenticationFailed)));
    let events = w.events("ConsoleLogin").await;
    assert_eq!(
        events[events.len() - 2..],
        [
            ("failure".to_owned(), Some("Throttled".to_owned())),
            ("failure".to_owned(), Some("Throttled".to_owned()))
        ]
    );
    // ...but alice is not locked out: from another address she signs in.
    w.iam
        .sign_in_user(
            w.account.as_str(),
            "alice",
            &secret("alice passphrase 1"),
            &from("203.0.113.9"),
        )
        .await
        .unwrap();
    // Refused attempts do not extend the window: once it is over, the address may try again.
    w.clock.advance(Duration::minutes(15));
    w.iam
        .sign_in_user(
            w.account.as_str(),
            "alice",
            &secret("alice passphrase 1"),
            &attacker,
        )
        .await
        .unwrap();
}
