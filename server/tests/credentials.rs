//! Passwords and sessions over HTTP, on the real router with a fresh database per test: lockout
//! and unlock, a locked user indistinguishable from an unknown one, a password change ending the
//! other sessions, signing out everywhere, and the password policy form's errors.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use reqwest::StatusCode;
use sqlx::PgPool;

/// A second browser: its own cookie jar on the same server.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn post(
    app: &TestApp,
    client: &reqwest::Client,
    path: &str,
    form: &[(&str, &str)],
) -> (StatusCode, String) {
    let r = client
        .post(format!("{}{path}", app.base))
        .header(reqwest::header::ORIGIN, &app.base)
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status(), r.text().await.unwrap())
}

/// A form as field name and value pairs.
type Form = &'static [(&'static str, &'static str)];

const ROOT: [(&str, &str); 2] = [("email", "root@acme.example"), ("password", "root password 123")];

async fn set_threshold(app: &TestApp, root: &reqwest::Client, threshold: &str) {
    let (status, body) = post(
        app,
        root,
        "/api/update_password_policy",
        &[
            ("minimum_length", "8"),
            ("allow_users_to_change_password", "on"),
            ("lockout_threshold", threshold),
            ("lockout_minutes", "5"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[sqlx::test(migrations = "../migrations")]
async fn lockout_after_n_failures_answers_like_an_unknown_user_until_unlocked(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.acme().await;
    let root = browser();
    post(&app, &root, "/api/sign_in_root", &ROOT).await;
    set_threshold(&app, &root, "3").await;
    let wrong = [
        ("account", "acme"),
        ("user_name", "alice"),
        ("password", "wrong password"),
    ];
    for _ in 0..3 {
        let r = app.post("/api/sign_in", &wrong).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
    let locked = app.post("/api/sign_in", &ALICE).await;
    let unknown = app
        .post(
            "/api/sign_in",
            &[
                ("account", "acme"),
                ("user_name", "nobody"),
                ("password", "alice password 1"),
            ],
        )
        .await;
    assert_eq!(locked.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(locked.status(), unknown.status());
    let header_names = |r: &reqwest::Response| {
        let mut names: Vec<String> = r
            .headers()
            .keys()
            .map(|k| k.as_str().to_owned())
            .filter(|k| k != "date")
            .collect();
        names.sort();
        names
    };
    assert_eq!(header_names(&locked), header_names(&unknown));
    let (locked, unknown) = (locked.text().await.unwrap(), unknown.text().await.unwrap());
    assert!(locked.contains(GENERIC), "{locked}");
    assert_eq!(
        locked, unknown,
        "a locked user and an unknown one get the same answer"
    );

    // The administrator sees the lockout on the user's page and lifts it.
    let (_, user) = post(&app, &root, "/api/get_user", &[("user_name", "alice")]).await;
    assert!(user.contains(r#""locked_until":"20"#), "{user}");
    let (status, body) = post(&app, &root, "/api/unlock_user", &[("user_name", "alice")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let r = app.sign_in_alice().await;
    assert_eq!(r.headers().get("location").unwrap(), "/");
    let (_, user) = post(&app, &root, "/api/get_user", &[("user_name", "alice")]).await;
    assert!(user.contains(r#""locked_until":null"#), "{user}");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_password_change_ends_the_other_sessions_and_keeps_this_one(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.acme().await;
    let laptop = browser();
    let phone = browser();
    post(&app, &laptop, "/api/sign_in", &ALICE).await;
    post(&app, &phone, "/api/sign_in", &ALICE).await;
    assert_eq!(post(&app, &phone, "/api/whoami", &[]).await.0, StatusCode::OK);
    let (status, body) = post(
        &app,
        &laptop,
        "/api/change_password",
        &[
            ("old_password", "alice password 1"),
            ("password", "a new passphrase 9"),
            ("password_confirm", "a new passphrase 9"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(post(&app, &laptop, "/api/whoami", &[]).await.0, StatusCode::OK);
    let (status, body) = post(&app, &phone, "/api/whoami", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    // The new password works, the old one does not.
    assert_eq!(app.sign_in_alice().await.status(), StatusCode::UNAUTHORIZED);
    let r = app
        .post(
            "/api/sign_in",
            &[
                ("account", "acme"),
                ("user_name", "alice"),
                ("password", "a new passphrase 9"),
            ],
        )
        .await;
    assert_eq!(r.headers().get("location").unwrap(), "/");
}

#[sqlx::test(migrations = "../migrations")]
async fn signing_out_everywhere_ends_every_session(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.acme().await;
    let laptop = browser();
    let phone = browser();
    post(&app, &laptop, "/api/sign_in", &ALICE).await;
    post(&app, &phone, "/api/sign_in", &ALICE).await;
    let r = laptop
        .post(format!("{}/api/sign_out_everywhere", app.base))
        .header(reqwest::header::ORIGIN, &app.base)
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers().get("location").unwrap(), "/signin");
    assert_eq!(
        post(&app, &laptop, "/api/whoami", &[]).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        post(&app, &phone, "/api/whoami", &[]).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.count("select count(*) from events where event_name = 'SignOutAllSessions'")
            .await,
        1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn the_password_policy_form_names_the_field_in_error_and_changes_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.acme().await;
    let root = browser();
    post(&app, &root, "/api/sign_in_root", &ROOT).await;
    let cases: [(Form, &str, &str); 4] = [
        (
            &[
                ("minimum_length", "4"),
                ("lockout_threshold", "10"),
                ("lockout_minutes", "5"),
            ],
            "minimum_length",
            "The minimum password length must be between 6 and 128.",
        ),
        (
            &[
                ("minimum_length", "eight"),
                ("lockout_threshold", "10"),
                ("lockout_minutes", "5"),
            ],
            "minimum_length",
            "Enter a length from 6 to 128.",
        ),
        (
            &[
                ("minimum_length", "8"),
                ("expire_passwords", "on"),
                ("max_password_age", "2000"),
                ("lockout_threshold", "10"),
                ("lockout_minutes", "5"),
            ],
            "max_password_age",
            "The password expiration period must be between 1 and 1095.",
        ),
        (
            &[
                ("minimum_length", "8"),
                ("lockout_threshold", "0"),
                ("lockout_minutes", "5"),
            ],
            "lockout_threshold",
            "The lockout threshold must be between 1 and 100.",
        ),
    ];
    for (form, field, message) in cases {
        let (status, body) = post(&app, &root, "/api/update_password_policy", form).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body.contains(&format!(r#""field":"{field}""#)), "{body}");
        assert!(body.contains(message), "{body}");
    }
    assert_eq!(
        app.count("select count(*) from account_password_policies").await,
        0
    );
    let (_, policy) = post(&app, &root, "/api/get_password_policy", &[]).await;
    assert!(policy.contains(r#""minimum_length":8"#), "{policy}");
    assert!(policy.contains(r#""common_passwords":42692"#), "{policy}");
}
