//! MFA over HTTP, on the real router with a fresh database per test: the MFA step of sign-in
//! blocks every other server function until a right code is entered; a user under AWS's
//! force-MFA policy is led to enrolment and is let in once a device is assigned; removing one's
//! own device needs the password again. Access keys: the secret is in the creation answer and
//! nowhere else, the quota and the typed confirmation of a deletion are enforced. The credential
//! report downloads as a CSV file.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use gatehouse_iam::*;
use reqwest::StatusCode;
use secrecy::ExposeSecret;
use sqlx::PgPool;

const FULL: &str = "arn:aws:iam::aws:policy/IAMFullAccess";
const FORCE_MFA: &str = "arn:aws:iam::aws:policy/IAMSelfManageCredentialsWithMFA";

fn code(app: &TestApp, seed: &[u8], steps_from_now: i64) -> String {
    totp_code(seed, totp_step(app.iam.now()) + steps_from_now, TOTP_DIGITS).unwrap()
}

async fn attach(app: &TestApp, acct: &AccountId, user: &str, policy: &str) {
    app.iam
        .attach_user_policy(
            &Actor::Operator,
            acct,
            &user.parse().unwrap(),
            policy,
            Source::Cli,
            &RequestMeta::default(),
        )
        .await
        .unwrap();
}

/// Gives alice an MFA device as the operator would; returns its seed.
async fn alice_device(app: &TestApp, acct: &AccountId) -> Vec<u8> {
    let alice: UserName = "alice".parse().unwrap();
    let meta = RequestMeta::default();
    let created = app
        .iam
        .create_virtual_mfa_device(
            &Actor::Operator,
            acct,
            CredentialOwner::User(&alice),
            "alice-phone",
            &meta,
        )
        .await
        .unwrap();
    let seed = base32_decode(created.secret_key.expose_secret());
    app.iam
        .enable_mfa_device(
            &Actor::Operator,
            acct,
            CredentialOwner::User(&alice),
            &created.serial_number,
            TwoCodes {
                code1: &code(app, &seed, -2),
                code2: &code(app, &seed, -1),
            },
            &meta,
        )
        .await
        .unwrap();
    seed
}

#[sqlx::test(migrations = "../migrations")]
async fn the_mfa_step_blocks_everything_until_the_right_code(pool: PgPool) {
    let app = spawn_app(pool).await;
    let acct = app.acme().await.account_id;
    attach(&app, &acct, "alice", FULL).await;
    let seed = alice_device(&app, &acct).await;

    let r = app.sign_in_alice().await;
    assert_eq!(r.headers().get("location").unwrap(), "/mfa");
    let calls: [(&str, &[(&str, &str)]); 5] = [
        ("whoami", &[]),
        ("list_users", &[]),
        ("list_mfa_devices", &[]),
        ("sign_out_everywhere", &[]),
        (
            "change_password",
            &[
                ("old_password", "alice password 1"),
                ("password", "a new passphrase 9"),
                ("password_confirm", "a new passphrase 9"),
            ],
        ),
    ];
    for (name, form) in calls {
        let r = app.post(&format!("/api/{name}"), form).await;
        let status = r.status();
        let body = r.text().await.unwrap();
        assert_eq!(status, StatusCode::FORBIDDEN, "{name}: {body}");
        assert!(body.contains("MfaCodeRequired"), "{name}: {body}");
    }
    // Nor is the forced password change reachable before the code.
    let r = app
        .post(
            "/api/complete_password_change",
            &[
                ("old_password", "alice password 1"),
                ("password", "a new passphrase 9"),
                ("password_confirm", "a new passphrase 9"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        app.count("select count(*) from events where event_name = 'ChangePassword'")
            .await,
        0
    );
    let (status, pending) = {
        let r = app.post("/api/pending_mfa", &[]).await;
        (r.status(), r.text().await.unwrap())
    };
    assert_eq!(status, StatusCode::OK);
    assert!(pending.contains(r#""display_name":"alice""#), "{pending}");

    // A wrong code: the generic sign-in error, still waiting for a code.
    let r = app.post("/api/verify_mfa", &[("code", "000000")]).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(r.text().await.unwrap().contains(GENERIC));
    let (status, _) = app.whoami().await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let before = app.count("select count(*) from events").await;
    let r = app
        .post("/api/verify_mfa", &[("code", &code(&app, &seed, 0))])
        .await;
    assert_eq!(r.headers().get("location").unwrap(), "/");
    assert!(
        session_cookie(r.headers(), "gatehouse-session").is_some(),
        "a new session ID"
    );
    let (status, body) = app.whoami().await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r = app.post("/api/list_users", &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        app.count(
            "select count(*) from events where event_name = 'ConsoleLogin' and request->>'mfaUsed' = 'true'"
        )
        .await
            == 1
    );
    assert!(app.count("select count(*) from events").await > before);
}

#[sqlx::test(migrations = "../migrations")]
async fn a_user_under_the_force_mfa_policy_is_led_to_enrolment(pool: PgPool) {
    let app = spawn_app(pool).await;
    let acct = app.acme().await.account_id;
    attach(&app, &acct, "alice", FULL).await;
    attach(&app, &acct, "alice", FORCE_MFA).await;

    let r = app.sign_in_alice().await;
    assert_eq!(
        r.headers().get("location").unwrap(),
        "/security-credentials?mfa=required"
    );
    // Without MFA the policy denies everything but managing one's own credentials.
    let r = app.post("/api/list_users", &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("iam:ListUsers"));
    let r = app.post("/api/list_mfa_devices", &[("user_name", "")]).await;
    assert_eq!(r.status(), StatusCode::OK);

    let r = app
        .post(
            "/api/create_mfa_device",
            &[("device_name", "alice-phone"), ("user_name", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
    let created: serde_json::Value = r.json().await.unwrap();
    let seed = base32_decode(created["secret_key"].as_str().unwrap());
    assert!(created["qr_code_svg"].as_str().unwrap().starts_with("<svg"));
    let serial = created["serial_number"].as_str().unwrap().to_owned();

    // Codes that are not consecutive: a field error, nothing assigned.
    let r = app
        .post(
            "/api/enable_mfa_device",
            &[
                ("serial_number", &serial),
                ("code1", &code(&app, &seed, -3)),
                ("code2", &code(&app, &seed, 0)),
                ("user_name", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.unwrap().contains("code1"));
    let r = app
        .post(
            "/api/enable_mfa_device",
            &[
                ("serial_number", &serial),
                ("code1", &code(&app, &seed, -1)),
                ("code2", &code(&app, &seed, 0)),
                ("user_name", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    // Assigning the device proved it: this session now counts as signed in with MFA.
    let r = app.post("/api/list_users", &[]).await;
    assert_eq!(r.status(), StatusCode::OK);

    // Removing it needs the password again; then the session is without MFA once more.
    let r = app
        .post(
            "/api/remove_my_mfa_device",
            &[("serial_number", &serial), ("password", "wrong password")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        app.count("select count(*) from mfa_devices where enabled_at is not null")
            .await,
        1
    );
    let r = app
        .post(
            "/api/remove_my_mfa_device",
            &[("serial_number", &serial), ("password", "alice password 1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    assert_eq!(app.count("select count(*) from mfa_devices").await, 0);
    let (status, _) = app.whoami().await;
    assert_eq!(status, StatusCode::OK, "this session continues");
    let r = app.post("/api/list_users", &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

#[sqlx::test(migrations = "../migrations")]
async fn access_keys_show_their_secret_once(pool: PgPool) {
    let app = spawn_app(pool).await;
    let acct = app.acme().await.account_id;
    attach(&app, &acct, "alice", FULL).await;
    app.sign_in_alice().await;
    let call = |name: &'static str, form: Vec<(&'static str, String)>| {
        let app = &app;
        async move {
            let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = app.post(&format!("/api/{name}"), &form).await;
            (r.status(), r.text().await.unwrap())
        }
    };
    // One's own key needs one's password again.
    for wrong in [vec![], vec![("password", "not my password".to_owned())]] {
        let (status, body) = call("create_access_key", wrong).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body.contains(r#""field":"password""#), "{body}");
    }
    assert_eq!(app.count("select count(*) from access_keys").await, 0);
    let password = || vec![("password", "alice password 1".to_owned())];
    let (status, body) = call("create_access_key", password()).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let created: serde_json::Value = serde_json::from_str(&body).unwrap();
    let id = created["access_key_id"].as_str().unwrap().to_owned();
    let secret = created["secret_access_key"].as_str().unwrap().to_owned();
    assert_eq!((id.len(), secret.len()), (20, 40));
    assert_eq!(created["owner"], "alice");

    // Never again: not in the list, the page, nor the event history.
    let (_, list) = call("list_access_keys", vec![]).await;
    assert!(list.contains(&id) && !list.contains(&secret), "{list}");
    assert!(list.contains(r#""last_used":"N/A""#), "{list}");
    let page = app.get("/security-credentials").await.text().await.unwrap();
    assert!(page.contains(&id) && !page.contains(&secret));
    let events: Vec<String> = sqlx::query_scalar(
        "select concat_ws(' ', request::text, before_state::text, after_state::text) from events
          where event_name = 'CreateAccessKey'",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(events.len(), 1);
    assert!(
        events[0].contains(&id) && !events[0].contains(&secret),
        "{events:?}"
    );

    let (status, _) = call("create_access_key", password()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = call("create_access_key", password()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(
        body.contains("Cannot exceed quota for AccessKeysPerUser: 2."),
        "{body}"
    );
    assert_eq!(app.count("select count(*) from access_keys").await, 2);

    let (status, body) = call(
        "update_access_key",
        vec![("access_key_id", id.clone()), ("status", "Inactive".into())],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = call(
        "update_access_key",
        vec![("access_key_id", id.clone()), ("status", "Disabled".into())],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (_, list) = call("list_access_keys", vec![]).await;
    assert!(list.contains(r#""active":false"#), "{list}");

    // Deleting needs the ID typed again; a wrong one changes nothing.
    let (status, body) = call(
        "delete_access_key",
        vec![("access_key_id", id.clone()), ("confirm", "yes".into())],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(body.contains(r#""field":"confirm""#), "{body}");
    assert_eq!(app.count("select count(*) from access_keys").await, 2);
    let (status, body) = call(
        "delete_access_key",
        vec![("access_key_id", id.clone()), ("confirm", id.clone())],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.count("select count(*) from access_keys").await, 1);
    let (status, _) = call(
        "delete_access_key",
        vec![("access_key_id", id.clone()), ("confirm", id.clone())],
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_credential_report_downloads_as_a_csv_file(pool: PgPool) {
    let app = spawn_app(pool).await;
    let acct = app.acme().await.account_id;
    let r = app.get("/api/credential_report").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    attach(&app, &acct, "alice", FULL).await;
    app.sign_in_alice().await;
    let (_, status) = {
        let r = app.post("/api/credential_report_status", &[]).await;
        (r.status(), r.text().await.unwrap())
    };
    assert!(
        status.contains(r#""generated":null"#) && status.contains(r#""can_download":true"#),
        "{status}"
    );

    let r = app.get("/api/credential_report").await;
    assert_eq!(r.status(), StatusCode::OK);
    let header = |name: &str| {
        r.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    assert!(
        header("content-type").starts_with("text/csv"),
        "{}",
        header("content-type")
    );
    assert_eq!(
        header("content-disposition"),
        format!("attachment; filename=\"credential-report-{acct}.csv\"")
    );
    let body = r.text().await.unwrap();
    let mut lines = body.lines();
    assert!(lines
        .next()
        .unwrap()
        .starts_with("user,arn,user_creation_time,password_enabled,"));
    assert!(lines
        .next()
        .unwrap()
        .starts_with(&format!("<root_account>,arn:aws:iam::{acct}:root,")));
    let alice = lines.next().unwrap();
    assert!(
        alice.starts_with(&format!("alice,arn:aws:iam::{acct}:user/alice,")),
        "{alice}"
    );
    let r = app.post("/api/credential_report_status", &[]).await;
    let status = r.text().await.unwrap();
    assert!(
        !status.contains(r#""generated":null"#),
        "the report is kept: {status}"
    );
}
