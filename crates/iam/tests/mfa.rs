//! Virtual MFA devices: enrolment by two consecutive codes, sign-in with a code (current and
//! previous step only, each once), the quota, removal ending sessions, resync, the root user's
//! devices, sealed seeds, and `aws:MultiFactorAuthPresent` in the policy context. A fresh
//! database per test, with a clock the tests move.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::sync::Arc;

use common::{meta, OP};
use gatehouse_iam::*;
use secrecy::{ExposeSecret, SecretString};
use sqlx::PgPool;
use time::Duration;

const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";
const READ_ONLY: &str = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";
const FORCE_MFA: &str = "arn:aws:iam::aws:policy/IAMSelfManageCredentialsWithMFA";

fn secret(s: &str) -> SecretString {
    SecretString::from(s.to_owned())
}

/// Decodes an authenticator's base32 secret key (RFC 4648, no padding), as an app does.
fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let mut out = Vec::new();
    let (mut buffer, mut bits) = (0u32, 0);
    for c in text.chars() {
        let value = ALPHABET.find(c).expect("a base32 character") as u32;
        buffer = (buffer << 5) | value;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}

struct World {
    iam: Iam,
    clock: ManualClock,
    account: AccountId,
}

/// An enrolled device as the test's "authenticator app" holds it.
struct App {
    serial: String,
    seed: Vec<u8>,
}

impl App {
    fn code(&self, world: &World, steps_from_now: i64) -> String {
        totp_code(
            &self.seed,
            totp_step(world.iam.now()) + steps_from_now,
            TOTP_DIGITS,
        )
        .unwrap()
    }
}

async fn world(pool: PgPool) -> World {
    world_with(pool, SecretKeys::default()).await
}

async fn world_with(pool: PgPool, keys: SecretKeys) -> World {
    let clock = ManualClock::new(time::OffsetDateTime::now_utc());
    let config = IamConfig {
        hash_cost: HashCost::FOR_TESTS,
        secret_keys: keys,
        ..IamConfig::default()
    };
    let iam = Iam::new(pool, config, Arc::new(clock.clone())).unwrap();
    let account = match sqlx::query_scalar::<_, String>("select account_id from accounts")
        .fetch_optional(iam.pool())
        .await
        .unwrap()
    {
        Some(id) => id.parse().unwrap(),
        None => common::account(&iam, "root@acme.example").await.account_id,
    };
    World { iam, clock, account }
}

impl World {
    /// Creates a user with a console password who may manage its own credentials (AWS's
    /// self-manage-with-MFA policy), signed in.
    async fn user(&self, name: &str) -> Actor {
        self.user_with(name, &[FORCE_MFA]).await
    }

    /// Creates a user with a console password and these managed policies, signed in.
    async fn user_with(&self, name: &str, policies: &[&str]) -> Actor {
        self.iam
            .create_user(
                &OP,
                &AccountRef::Id(self.account.clone()),
                NewUser {
                    name: name.parse().unwrap(),
                    path: IamPath::default(),
                    password: Some(secret("correct horse battery staple")),
                    password_reset_required: false,
                },
                Source::Console,
                &meta(),
            )
            .await
            .unwrap();
        for policy in policies {
            self.attach(name, policy).await;
        }
        let signed_in = self.sign_in(name).await.unwrap();
        Actor::Principal(signed_in.principal)
    }

    async fn attach(&self, user: &str, policy: &str) {
        self.iam
            .attach_user_policy(
                &OP,
                &self.account,
                &user.parse().unwrap(),
                policy,
                Source::Console,
                &meta(),
            )
            .await
            .unwrap();
    }

    async fn sign_in(&self, name: &str) -> Result<SignedIn> {
        self.iam
            .sign_in_user(
                self.account.as_str(),
                name,
                &secret("correct horse battery staple"),
                &meta(),
            )
            .await
    }

    /// Creates and enables a device for `owner`, as `actor`.
    async fn enrol(&self, actor: &Actor, owner: CredentialOwner<'_>, name: &str) -> App {
        let created = self
            .iam
            .create_virtual_mfa_device(actor, &self.account, owner, name, &meta())
            .await
            .unwrap();
        let app = App {
            serial: created.serial_number.clone(),
            seed: base32_decode(created.secret_key.expose_secret()),
        };
        self.iam
            .enable_mfa_device(
                actor,
                &self.account,
                owner,
                &app.serial,
                TwoCodes {
                    code1: &app.code(self, -1),
                    code2: &app.code(self, 0),
                },
                &meta(),
            )
            .await
            .unwrap();
        app
    }

    /// Moves the clock on by whole 30-second steps.
    fn advance_steps(&self, steps: i64) {
        self.clock.advance(Duration::seconds(30 * steps));
    }
}

fn name(s: &str) -> UserName {
    s.parse().unwrap()
}

#[sqlx::test(migrations = "../../migrations")]
async fn enrolment_needs_two_consecutive_current_codes(pool: PgPool) {
    let w = world(pool).await;
    let alice = w.user("alice").await;
    let owner = CredentialOwner::User(&name("alice"));
    let created = w
        .iam
        .create_virtual_mfa_device(&alice, &w.account, owner, "alice-phone", &meta())
        .await
        .unwrap();
    assert_eq!(
        created.serial_number,
        format!("arn:aws:iam::{}:mfa/alice-phone", w.account)
    );
    let uri = created.otpauth_uri.expose_secret();
    assert!(uri.starts_with("otpauth://totp/Gatehouse%3Aalice%40"), "{uri}");
    assert!(uri.contains(&format!("secret={}", created.secret_key.expose_secret())));
    assert!(created.qr_code_svg.expose_secret().starts_with("<svg"));
    let app = App {
        serial: created.serial_number.clone(),
        seed: base32_decode(created.secret_key.expose_secret()),
    };
    assert_eq!(app.seed.len(), 20, "a 160-bit seed");
    let enable = |c1: String, c2: String| {
        let (iam, account, alice, serial) = (&w.iam, &w.account, &alice, app.serial.clone());
        async move {
            iam.enable_mfa_device(
                alice,
                account,
                owner,
                &serial,
                TwoCodes {
                    code1: &c1,
                    code2: &c2,
                },
                &meta(),
            )
            .await
        }
    };
    // Not consecutive, in the wrong order, too old, malformed: refused, nothing assigned.
    for (c1, c2) in [
        (app.code(&w, -2), app.code(&w, 0)),
        (app.code(&w, 0), app.code(&w, -1)),
        (app.code(&w, -3), app.code(&w, -2)),
    ] {
        assert!(matches!(
            enable(c1, c2).await,
            Err(Error::Invalid {
                field: "MFA codes",
                ..
            })
        ));
    }
    assert!(matches!(
        enable("12a456".into(), app.code(&w, 0)).await,
        Err(Error::Invalid {
            field: "MFA code 1",
            ..
        })
    ));
    assert!(w
        .iam
        .list_mfa_devices(&alice, &w.account, owner)
        .await
        .unwrap()
        .is_empty());
    // The previous and the current code: assigned.
    enable(app.code(&w, -1), app.code(&w, 0)).await.unwrap();
    let devices = w.iam.list_mfa_devices(&alice, &w.account, owner).await.unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].device_name, "alice-phone");
    // Assigned once only; the name is taken in the account, ignoring case.
    assert!(matches!(
        enable(app.code(&w, -1), app.code(&w, 0)).await,
        Err(Error::AlreadyExists { .. })
    ));
    let bob = w.user("bob").await;
    assert!(matches!(
        w.iam
            .create_virtual_mfa_device(
                &bob,
                &w.account,
                CredentialOwner::User(&name("bob")),
                "ALICE-PHONE",
                &meta()
            )
            .await,
        Err(Error::AlreadyExists { .. })
    ));
    // Bad names are refused with the rule.
    assert!(matches!(
        w.iam
            .create_virtual_mfa_device(
                &bob,
                &w.account,
                CredentialOwner::User(&name("bob")),
                "my phone",
                &meta()
            )
            .await,
        Err(Error::Invalid {
            field: "device name",
            ..
        })
    ));
}

#[sqlx::test(migrations = "../../migrations")]
async fn sign_in_asks_for_a_code_and_accepts_each_code_once(pool: PgPool) {
    let w = world(pool).await;
    let alice = w.user("alice").await;
    let app = w
        .enrol(&alice, CredentialOwner::User(&name("alice")), "phone")
        .await;
    w.advance_steps(3);

    let first = w.sign_in("alice").await.unwrap();
    assert_eq!(
        first.session.stage,
        SignInStage::MfaRequired {
            change_password: false,
            expired: false
        }
    );
    // A wrong code fails with the generic error; nothing moves on.
    let wrong = w
        .iam
        .complete_mfa_sign_in(&first.session, "000000", &meta())
        .await;
    assert!(matches!(wrong, Err(Error::AuthenticationFailed)));
    let wrong = w
        .iam
        .complete_mfa_sign_in(&first.session, "garbage", &meta())
        .await;
    assert!(matches!(wrong, Err(Error::AuthenticationFailed)));
    // The previous step's code is accepted.
    let done = w
        .iam
        .complete_mfa_sign_in(&first.session, &app.code(&w, -1), &meta())
        .await
        .unwrap();
    assert_eq!(done.stage, SignInStage::SignedIn);
    assert_eq!(done.mfa_authenticated_at, Some(w.iam.now().unix_timestamp()));
    // Once the stage is passed, there is nothing to complete.
    assert!(w
        .iam
        .complete_mfa_sign_in(&done, &app.code(&w, 0), &meta())
        .await
        .is_err());

    // The same code again (a replay), and an older one: refused. The current one: accepted.
    let second = w.sign_in("alice").await.unwrap();
    for code in [app.code(&w, -1), app.code(&w, -2)] {
        assert!(w
            .iam
            .complete_mfa_sign_in(&second.session, &code, &meta())
            .await
            .is_err());
    }
    w.iam
        .complete_mfa_sign_in(&second.session, &app.code(&w, 0), &meta())
        .await
        .unwrap();
    // The current code was used: even it is refused now, until the next step.
    let third = w.sign_in("alice").await.unwrap();
    assert!(w
        .iam
        .complete_mfa_sign_in(&third.session, &app.code(&w, 0), &meta())
        .await
        .is_err());
    w.advance_steps(1);
    w.iam
        .complete_mfa_sign_in(&third.session, &app.code(&w, 0), &meta())
        .await
        .unwrap();
    // Codes from two steps back are refused even if never used.
    w.advance_steps(5);
    let fourth = w.sign_in("alice").await.unwrap();
    assert!(w
        .iam
        .complete_mfa_sign_in(&fourth.session, &app.code(&w, -2), &meta())
        .await
        .is_err());

    let outcomes: Vec<(String, Option<String>, serde_json::Value)> = sqlx::query_as(
        "select outcome, error_code, request from events where event_name = 'ConsoleLogin' order by event_id",
    )
    .fetch_all(w.iam.pool())
    .await
    .unwrap();
    // Success events only once the code was right, and they say MFA was used.
    assert!(outcomes
        .iter()
        .filter(|(o, _, _)| o == "success")
        .skip(1)
        .all(|(_, _, r)| r["mfaUsed"] == true));
    assert!(outcomes
        .iter()
        .any(|(o, code, _)| o == "failure" && code.as_deref() == Some("WrongMfaCode")));
}

#[sqlx::test(migrations = "../../migrations")]
async fn wrong_codes_count_towards_the_lockout(pool: PgPool) {
    let w = world(pool).await;
    let alice = w.user("alice").await;
    let app = w
        .enrol(&alice, CredentialOwner::User(&name("alice")), "phone")
        .await;
    w.iam
        .update_password_policy(
            &OP,
            &w.account,
            &PasswordPolicy {
                lockout_threshold: 3,
                ..PasswordPolicy::default()
            },
            &meta(),
        )
        .await
        .unwrap();
    w.advance_steps(2);
    let pending = w.sign_in("alice").await.unwrap();
    for _ in 0..3 {
        assert!(w
            .iam
            .complete_mfa_sign_in(&pending.session, "111111", &meta())
            .await
            .is_err());
    }
    // Locked out: even the right code fails, with the same error.
    let locked = w
        .iam
        .complete_mfa_sign_in(&pending.session, &app.code(&w, 0), &meta())
        .await;
    assert!(matches!(locked, Err(Error::AuthenticationFailed)));
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_user_has_at_most_eight_devices(pool: PgPool) {
    let w = world(pool).await;
    let alice = w.user("alice").await;
    let owner = CredentialOwner::User(&name("alice"));
    for i in 0..MAX_MFA_DEVICES {
        w.enrol(&alice, owner, &format!("device-{i}")).await;
        w.advance_steps(1);
    }
    let ninth = w
        .iam
        .create_virtual_mfa_device(&alice, &w.account, owner, "device-9", &meta())
        .await;
    assert!(matches!(
        ninth,
        Err(Error::LimitExceeded {
            quota: "MFADevicesPerUser",
            limit: 8
        })
    ));
    assert_eq!(
        w.iam
            .list_mfa_devices(&alice, &w.account, owner)
            .await
            .unwrap()
            .len(),
        8
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn removing_a_device_ends_sessions_and_needs_permission(pool: PgPool) {
    let w = world(pool).await;
    let alice = w.user("alice").await;
    let owner = CredentialOwner::User(&name("alice"));
    let app = w.enrol(&alice, owner, "phone").await;
    w.advance_steps(1);
    let session = w.sign_in("alice").await.unwrap().session;
    let session = w
        .iam
        .complete_mfa_sign_in(&session, &app.code(&w, 0), &meta())
        .await
        .unwrap();
    assert!(w.iam.session_principal(&session).await.unwrap().is_some());

    // A read-only administrator sees the device but may not remove it.
    let reader = w.user_with("reader", &[READ_ONLY]).await;
    assert_eq!(
        w.iam
            .list_mfa_devices(&reader, &w.account, owner)
            .await
            .unwrap()
            .len(),
        1
    );
    assert!(matches!(
        w.iam
            .remove_mfa_device(&reader, &w.account, owner, &app.serial, &meta())
            .await,
        Err(Error::AccessDenied { .. })
    ));
    // An administrator may; alice's sessions end and her sign-in no longer asks for a code.
    let admin = w.user_with("admin", &[ADMIN]).await;
    w.iam
        .remove_mfa_device(&admin, &w.account, owner, &app.serial, &meta())
        .await
        .unwrap();
    assert!(w.iam.session_principal(&session).await.unwrap().is_none());
    assert_eq!(
        w.sign_in("alice").await.unwrap().session.stage,
        SignInStage::SignedIn
    );
    assert!(matches!(
        w.iam
            .remove_mfa_device(&admin, &w.account, owner, &app.serial, &meta())
            .await,
        Err(Error::NotFound { .. })
    ));
    let events: i64 = common::count(
        w.iam.pool(),
        "select count(*) from events where event_name in ('EnableMFADevice', 'DeactivateMFADevice')",
    )
    .await;
    assert_eq!(events, 2);
}

#[sqlx::test(migrations = "../../migrations")]
async fn resync_learns_a_drifting_clock(pool: PgPool) {
    let w = world(pool).await;
    let alice = w.user("alice").await;
    let owner = CredentialOwner::User(&name("alice"));
    let app = w.enrol(&alice, owner, "phone").await;
    w.advance_steps(1);
    // The phone runs six steps (three minutes) fast: its codes are not accepted at sign-in.
    let pending = w.sign_in("alice").await.unwrap().session;
    assert!(w
        .iam
        .complete_mfa_sign_in(&pending, &app.code(&w, 6), &meta())
        .await
        .is_err());
    // Codes that are not consecutive do not resync.
    assert!(w
        .iam
        .resync_mfa_device(
            &alice,
            &w.account,
            owner,
            &app.serial,
            TwoCodes {
                code1: &app.code(&w, 4),
                code2: &app.code(&w, 6)
            },
            &meta()
        )
        .await
        .is_err());
    w.iam
        .resync_mfa_device(
            &alice,
            &w.account,
            owner,
            &app.serial,
            TwoCodes {
                code1: &app.code(&w, 5),
                code2: &app.code(&w, 6),
            },
            &meta(),
        )
        .await
        .unwrap();
    w.advance_steps(1);
    let pending = w.sign_in("alice").await.unwrap().session;
    w.iam
        .complete_mfa_sign_in(&pending, &app.code(&w, 6), &meta())
        .await
        .unwrap();
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_root_users_devices_are_root_only(pool: PgPool) {
    let w = world(pool).await;
    let root = w
        .iam
        .sign_in_root("root@acme.example", &secret("root password 123"), &meta())
        .await
        .unwrap();
    let root_actor = Actor::Principal(root.principal);
    let admin = w.user_with("admin", &[ADMIN]).await;
    let summary = w.iam.account_summary(&admin, &w.account).await.unwrap();
    assert!(!summary.root_has_mfa);
    assert_eq!((summary.console_users, summary.console_users_without_mfa), (1, 1));
    assert!(matches!(
        w.iam
            .create_virtual_mfa_device(&admin, &w.account, CredentialOwner::Root, "root-mfa", &meta())
            .await,
        Err(Error::AccessDenied { .. })
    ));
    let app = w
        .enrol(&root_actor, CredentialOwner::Root, "root-account-mfa-device")
        .await;
    // The dashboard follows: root has MFA now; the admin, with a device too, leaves the count.
    let summary = w.iam.account_summary(&admin, &w.account).await.unwrap();
    assert!(summary.root_has_mfa);
    assert_eq!(summary.console_users_without_mfa, 1);
    w.enrol(&admin, CredentialOwner::User(&name("admin")), "admin-phone")
        .await;
    let summary = w.iam.account_summary(&admin, &w.account).await.unwrap();
    assert_eq!((summary.console_users, summary.console_users_without_mfa), (1, 0));
    let users = w
        .iam
        .list_users(
            &admin,
            &w.account,
            &UserQuery {
                limit: 10,
                ..UserQuery::default()
            },
        )
        .await
        .unwrap();
    assert!(users.users[0].mfa, "the users list shows the device");
    let detail = w.iam.get_user(&admin, &w.account, &name("admin")).await.unwrap();
    assert!(detail.summary.mfa);
    assert_eq!(detail.summary.oldest_active_key, None);
    assert!(matches!(
        w.iam
            .list_mfa_devices(&admin, &w.account, CredentialOwner::Root)
            .await,
        Err(Error::AccessDenied { .. })
    ));
    w.advance_steps(1);
    let pending = w
        .iam
        .sign_in_root("root@acme.example", &secret("root password 123"), &meta())
        .await
        .unwrap();
    assert!(matches!(pending.session.stage, SignInStage::MfaRequired { .. }));
    let done = w
        .iam
        .complete_mfa_sign_in(&pending.session, &app.code(&w, 0), &meta())
        .await
        .unwrap();
    assert_eq!(done.stage, SignInStage::SignedIn);
}

#[sqlx::test(migrations = "../../migrations")]
async fn seeds_are_sealed_with_the_server_key(pool: PgPool) {
    let key = SecretKey::generate();
    let w = world_with(pool.clone(), SecretKeys::new(key.clone(), vec![])).await;
    let alice = w.user("alice").await;
    let app = w
        .enrol(&alice, CredentialOwner::User(&name("alice")), "phone")
        .await;
    let (stored, key_id): (Vec<u8>, String) = sqlx::query_as("select seed, key_id from mfa_devices")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(key_id, key.id());
    assert!(!stored.windows(app.seed.len()).any(|w| w == app.seed.as_slice()));

    // After a rotation the old key still opens the seed; without it, sign-in cannot check codes.
    let rotated = world_with(pool.clone(), SecretKeys::new(SecretKey::generate(), vec![key])).await;
    rotated.advance_steps(1);
    let pending = rotated.sign_in("alice").await.unwrap().session;
    rotated
        .iam
        .complete_mfa_sign_in(&pending, &app.code(&rotated, 0), &meta())
        .await
        .unwrap();
    let lost = world_with(pool, SecretKeys::new(SecretKey::generate(), vec![])).await;
    lost.advance_steps(2);
    let pending = lost.sign_in("alice").await.unwrap().session;
    assert!(matches!(
        lost.iam
            .complete_mfa_sign_in(&pending, &app.code(&lost, 0), &meta())
            .await,
        Err(Error::Internal(_))
    ));
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_force_mfa_policy_sees_whether_the_session_used_mfa(pool: PgPool) {
    let w = world(pool).await;
    w.user_with("carol", &[ADMIN, FORCE_MFA]).await;
    let carol = w.sign_in("carol").await.unwrap().principal;
    w.user_with("dave", &[READ_ONLY]).await;
    let dave = w.sign_in("dave").await.unwrap().principal;

    let with_mfa = |p: &Principal, at: Option<i64>| {
        let mut p = p.clone();
        p.request.console_session = Some(ConsoleSession {
            mfa_authenticated_at: at,
        });
        Actor::Principal(p)
    };
    let users = format!("arn:aws:iam::{}:user/*", w.account);
    let now = w.iam.now().unix_timestamp();
    // Under the force-MFA policy: denied without MFA, allowed with it; led to enrolment.
    assert!(!w
        .iam
        .allows(&with_mfa(&carol, None), "iam:ListUsers", &users, &w.account)
        .await
        .unwrap());
    assert!(w
        .iam
        .allows(&with_mfa(&carol, Some(now)), "iam:ListUsers", &users, &w.account)
        .await
        .unwrap());
    assert!(w.iam.mfa_required_by_policy(&carol).await.unwrap());
    // Managing one's own MFA stays allowed without it.
    assert!(w
        .iam
        .create_virtual_mfa_device(
            &with_mfa(&carol, None),
            &w.account,
            CredentialOwner::User(&name("carol")),
            "carol",
            &meta()
        )
        .await
        .is_ok());
    // Without such a policy nothing changes and nobody is led anywhere.
    assert!(w
        .iam
        .allows(&with_mfa(&dave, None), "iam:ListUsers", &users, &w.account)
        .await
        .unwrap());
    assert!(!w.iam.mfa_required_by_policy(&dave).await.unwrap());
}
