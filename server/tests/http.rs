//! HTTP tests on the real router, served on port 0 with a fresh database per test
//! (`#[sqlx::test]`), driven by a cookie-keeping HTTP client.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use gatehouse_iam::*;
use reqwest::header::{ORIGIN, REFERER};
use reqwest::StatusCode;
use sqlx::PgPool;
use time::{Duration, OffsetDateTime};

#[sqlx::test(migrations = "../migrations")]
async fn iam_user_signs_in_by_account_id_and_sees_the_dashboard(pool: PgPool) {
    let app = spawn_app(pool).await;
    let acme = app.acme().await;
    let r = app
        .post(
            "/api/sign_in",
            &[
                ("account", acme.account_id.as_str()),
                ("user_name", "alice"),
                ("password", "alice password 1"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    assert_eq!(r.headers().get("location").unwrap(), "/");
    let (status, me) = app.whoami().await;
    assert_eq!(status, StatusCode::OK);
    assert!(me.contains("\"display_name\":\"alice\""), "{me}");
    assert!(
        me.contains(&format!(
            "\"arn\":\"arn:aws:iam::{}:user/alice\"",
            acme.account_id
        )),
        "{me}"
    );
    let page = app.get("/").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let id = acme.account_id.as_str();
    let grouped = format!("{}-{}-{}", &id[0..4], &id[4..8], &id[8..12]);
    assert!(
        html.contains(&format!("alice @ acme ({grouped})")),
        "top bar shows user @ alias (ID)"
    );
    assert!(
        html.contains(&format!("{}/signin/acme", app.base)),
        "dashboard shows the IAM users sign-in URL"
    );
    assert!(html.contains("Dashboard"));
    assert_sign_in_recorded_once_with_its_session(&app, &format!("arn:aws:iam::{id}:user/alice")).await;
}

/// A console sign-in is recorded (the event, the password's last use) in the statement that
/// stores its session; what it records never stays in the stored session.
async fn assert_sign_in_recorded_once_with_its_session(app: &TestApp, arn: &str) {
    assert_eq!(
        app.count(&format!(
            "select count(*) from events where event_name = 'ConsoleLogin' and outcome = 'success'
               and actor_arn = '{arn}' and request->>'mfaUsed' = 'false'"
        ))
        .await,
        1
    );
    assert_eq!(app.count("select count(*) from tower_sessions.session").await, 1);
    assert_eq!(
        app.count(
            "select count(*) from tower_sessions.session
              where position('sign_in_success'::bytea in data) > 0"
        )
        .await,
        0
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn iam_user_signs_in_by_alias_and_the_account_is_remembered(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.acme().await;
    let r = app.sign_in_alice().await;
    assert_eq!(r.status(), StatusCode::OK);
    let remembered = session_cookie(r.headers(), "gatehouse-last-account").expect("remembers the account");
    assert!(remembered.starts_with("gatehouse-last-account=acme;"));
    assert!(remembered.contains("HttpOnly") && remembered.contains("SameSite=Lax"));
    let html = app.get("/signin").await.text().await.unwrap();
    assert!(
        html.contains(r#"value="acme""#),
        "the sign-in form is pre-filled with the last account"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn root_signs_in_with_email_and_password(pool: PgPool) {
    let app = spawn_app(pool).await;
    let acme = app.acme().await;
    let r = app
        .post(
            "/api/sign_in_root",
            &[("email", "root@acme.example"), ("password", "root password 123")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    let (_, me) = app.whoami().await;
    assert!(me.contains("\"is_root\":true"), "{me}");
    assert!(me.contains(&format!("arn:aws:iam::{}:root", acme.account_id)));
    let html = app.get("/").await.text().await.unwrap();
    assert!(html.contains("root@acme.example @ acme"));
    assert_sign_in_recorded_once_with_its_session(&app, &format!("arn:aws:iam::{}:root", acme.account_id))
        .await;
    assert_eq!(
        app.count("select count(*) from root_users where password_last_used is not null")
            .await,
        1
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn every_sign_in_failure_gets_the_same_generic_answer(pool: PgPool) {
    let app = spawn_app(pool).await;
    let acme = app.acme().await;
    let attempts: [(&str, &[(&str, &str)]); 5] = [
        (
            "/api/sign_in",
            &[
                ("account", "acme"),
                ("user_name", "alice"),
                ("password", "wrong password"),
            ],
        ),
        (
            "/api/sign_in",
            &[
                ("account", "acme"),
                ("user_name", "mallory"),
                ("password", "alice password 1"),
            ],
        ),
        (
            "/api/sign_in",
            &[
                ("account", "000000000000"),
                ("user_name", "alice"),
                ("password", "alice password 1"),
            ],
        ),
        (
            "/api/sign_in_root",
            &[("email", "root@acme.example"), ("password", "wrong password")],
        ),
        (
            "/api/sign_in_root",
            &[
                ("email", "nobody@acme.example"),
                ("password", "root password 123"),
            ],
        ),
    ];
    let mut answers = Vec::new();
    for (path, form) in attempts {
        let r = app.post(path, form).await;
        let status = r.status();
        assert!(
            session_cookie(r.headers(), "gatehouse-session").is_none(),
            "no session for a failed sign-in"
        );
        let body = r.text().await.unwrap();
        assert_eq!(body, GENERIC, "{path}");
        answers.push((status, body));
    }
    assert!(
        answers.windows(2).all(|w| w[0] == w[1]),
        "identical answers: {answers:?}"
    );
    let (status, _) = app.whoami().await;
    assert_ne!(status, StatusCode::OK);
    assert_eq!(
        app.count(&format!("select count(*) from events where event_name = 'ConsoleLogin' and outcome = 'failure' and (account_id = '{}' or account_id is null)", acme.account_id)).await,
        5,
        "every failure is in the event history"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn session_cookie_is_httponly_samesite_and_renewed_at_each_sign_in(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.acme().await;
    let form = ALICE;
    let first = app.post("/api/sign_in", &form).await;
    let cookie = session_cookie(first.headers(), "gatehouse-session").expect("session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(
        cookie.contains("Max-Age=1800"),
        "idle timeout of 30 minutes: {cookie}"
    );
    assert!(!cookie.contains("Domain="), "{cookie}");
    assert!(
        cookie_value(&cookie).len() >= 22,
        "at least 128 bits of session id"
    );
    let second = app.post("/api/sign_in", &form).await;
    let renewed = session_cookie(second.headers(), "gatehouse-session").expect("session cookie");
    assert_ne!(
        cookie_value(&cookie),
        cookie_value(&renewed),
        "a new session id at sign-in"
    );
    // The old id no longer signs anyone in.
    let stale = reqwest::Client::new()
        .post(format!("{}/api/whoami", app.base))
        .header(ORIGIN, &app.base)
        .header("cookie", format!("gatehouse-session={}", cookie_value(&cookie)))
        .send()
        .await
        .unwrap();
    assert!(stale.text().await.unwrap().contains("NotSignedIn"));
}

/// Session fixation: an ID the request came with, whether the store knows it or not, is never the
/// ID of the signed-in session; a request without one gets a fresh ID.
#[sqlx::test(migrations = "../migrations")]
async fn a_session_id_planted_before_sign_in_is_never_signed_in(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.acme().await;
    let first = app.post("/api/sign_in", &ALICE).await;
    let known = cookie_value(&session_cookie(first.headers(), "gatehouse-session").unwrap());
    let unknown = {
        let other = reqwest::Client::new()
            .post(format!("{}/api/sign_in", app.base))
            .header(ORIGIN, &app.base)
            .form(&ALICE)
            .send()
            .await
            .unwrap();
        let id = cookie_value(&session_cookie(other.headers(), "gatehouse-session").unwrap());
        sqlx::query("delete from tower_sessions.session where id = $1")
            .bind(&id)
            .execute(&app.pool)
            .await
            .unwrap();
        id
    };
    for planted in [known, unknown] {
        let r = reqwest::Client::new()
            .post(format!("{}/api/sign_in", app.base))
            .header(ORIGIN, &app.base)
            .header("cookie", format!("gatehouse-session={planted}"))
            .form(&ALICE)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let issued = session_cookie(r.headers(), "gatehouse-session").expect("a session cookie");
        assert_ne!(cookie_value(&issued), planted, "the planted ID is replaced");
        let planted_signs_in = reqwest::Client::new()
            .post(format!("{}/api/whoami", app.base))
            .header(ORIGIN, &app.base)
            .header("cookie", format!("gatehouse-session={planted}"))
            .send()
            .await
            .unwrap();
        assert!(planted_signs_in.text().await.unwrap().contains("NotSignedIn"));
    }
}

#[sqlx::test(migrations = "../migrations")]
async fn behind_tls_the_cookie_is_host_prefixed_and_secure(pool: PgPool) {
    let app = spawn_app_with(
        pool,
        Options {
            secure_cookies: true,
            ..Options::default()
        },
    )
    .await;
    app.acme().await;
    let r = app.sign_in_alice().await;
    let cookie = session_cookie(r.headers(), "__Host-gatehouse-session").expect("__Host- cookie");
    assert!(
        cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("Path=/"),
        "{cookie}"
    );
    let remembered = session_cookie(r.headers(), "gatehouse-last-account").unwrap();
    assert!(remembered.contains("Secure"));
}

#[sqlx::test(migrations = "../migrations")]
async fn sign_out_ends_the_session(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.acme().await;
    app.sign_in_alice().await;
    assert_eq!(app.count("select count(*) from tower_sessions.session").await, 1);
    let r = app.post("/api/sign_out", &[]).await;
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers().get("location").unwrap(), "/signin");
    let (_, me) = app.whoami().await;
    assert!(me.contains("NotSignedIn"), "{me}");
    assert_eq!(
        app.count("select count(*) from tower_sessions.session").await,
        0,
        "the stored session is deleted"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn signed_out_visitors_are_sent_to_sign_in(pool: PgPool) {
    let app = spawn_app(pool).await;
    let r = app
        .client
        .get(format!("{}/", app.base))
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FOUND);
    assert_eq!(r.headers().get("location").unwrap(), "/signin");
}

#[sqlx::test(migrations = "../migrations")]
async fn a_disabled_users_session_ends_at_once(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.acme().await;
    app.sign_in_alice().await;
    assert_eq!(app.whoami().await.0, StatusCode::OK);
    sqlx::query("update iam_users set disabled_at = now()")
        .execute(&app.pool)
        .await
        .unwrap();
    let (_, me) = app.whoami().await;
    assert!(me.contains("NotSignedIn"), "{me}");
}

#[sqlx::test(migrations = "../migrations")]
async fn sessions_end_at_the_absolute_timeout_however_active(pool: PgPool) {
    let clock = ManualClock::new(OffsetDateTime::now_utc());
    let app = spawn_app_on(pool, &clock).await;
    app.acme().await;
    app.sign_in_alice().await;
    clock.advance(Duration::hours(11));
    assert_eq!(app.whoami().await.0, StatusCode::OK);
    clock.advance(Duration::hours(1));
    let (_, me) = app.whoami().await;
    assert!(me.contains("NotSignedIn"), "{me}");
}

#[sqlx::test(migrations = "../migrations")]
async fn activity_extends_the_idle_deadline_at_most_once_a_minute(pool: PgPool) {
    let clock = ManualClock::new(OffsetDateTime::now_utc());
    let app = spawn_app_on(pool, &clock).await;
    app.acme().await;
    app.sign_in_alice().await;
    let whoami = || async {
        let r = app.post("/api/whoami", &[]).await;
        let cookie = session_cookie(r.headers(), "gatehouse-session");
        assert!(r.text().await.unwrap().contains("alice"));
        cookie
    };
    assert_eq!(whoami().await, None, "the sign-in just set the idle deadline");
    clock.advance(Duration::seconds(59));
    assert_eq!(
        whoami().await,
        None,
        "within a minute the session is not saved again"
    );
    clock.advance(Duration::seconds(2));
    let renewed = whoami().await.expect("a minute later the deadline moves on");
    assert!(renewed.contains("Max-Age=1800"), "{renewed}");
    assert_eq!(whoami().await, None);
}

#[sqlx::test(migrations = "../migrations")]
async fn state_changing_requests_from_a_foreign_origin_are_refused(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.acme().await;
    let form = ALICE;
    let url = format!("{}/api/sign_in", app.base);
    let foreign = app
        .client
        .post(&url)
        .header(ORIGIN, "http://evil.example")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    let bare = app.client.post(&url).form(&form).send().await.unwrap();
    assert_eq!(bare.status(), StatusCode::FORBIDDEN, "no Origin and no Referer");
    let foreign_referer = app
        .client
        .post(&url)
        .header(REFERER, "http://evil.example/page")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(foreign_referer.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.count("select count(*) from events where event_name = 'ConsoleLogin'")
            .await,
        0,
        "nothing happened"
    );
    let own_referer = app
        .client
        .post(&url)
        .header(REFERER, format!("{}/signin", app.base))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(own_referer.status(), StatusCode::OK);
}

#[sqlx::test(migrations = "../migrations")]
async fn the_setup_link_works_once(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = app
        .iam
        .issue_setup_token(Duration::hours(1))
        .await
        .unwrap()
        .unwrap();
    let page = app
        .get(&format!("/setup?token={}", token.expose()))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Root user email address"),
        "the setup form is shown"
    );
    let form = [
        ("token", token.expose()),
        ("alias", "acme"),
        ("email", "root@acme.example"),
        ("password", "root password 123"),
        ("confirm_password", "root password 123"),
    ];
    let r = app.post("/api/complete_setup", &form).await;
    assert_eq!(r.status(), StatusCode::OK);
    let body = r.text().await.unwrap();
    assert!(body.contains("\"alias\":\"acme\""), "{body}");
    assert!(body.contains(&format!("{}/signin/acme", app.base)), "{body}");
    let again = app.post("/api/complete_setup", &form).await.text().await.unwrap();
    assert!(again.contains("Setup is already complete"), "{again}");
    assert_eq!(app.count("select count(*) from accounts").await, 1);
    let page = app
        .get(&format!("/setup?token={}", token.expose()))
        .await
        .text()
        .await
        .unwrap();
    assert!(page.contains("Setup is already complete"));
    // The root user created by the link signs in.
    let r = app
        .post(
            "/api/sign_in_root",
            &[("email", "root@acme.example"), ("password", "root password 123")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::OK);
}

#[sqlx::test(migrations = "../migrations")]
async fn setup_rejects_bad_input_field_by_field_and_writes_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let token = app
        .iam
        .issue_setup_token(Duration::hours(1))
        .await
        .unwrap()
        .unwrap();
    let cases = [
        (("alias", "Bad_Alias"), "may contain only lowercase letters"),
        (("email", "not-an-email"), "must look like name@example.com"),
        (("password", "short"), "at least 8 characters"),
        (
            ("confirm_password", "something else"),
            "The passwords do not match.",
        ),
    ];
    for ((field, value), message) in cases {
        let mut form = vec![
            ("token", token.expose()),
            ("alias", "acme"),
            ("email", "root@acme.example"),
            ("password", "root password 123"),
            ("confirm_password", "root password 123"),
        ];
        for entry in form.iter_mut().filter(|(k, _)| *k == field) {
            entry.1 = value;
        }
        if field == "password" {
            form.iter_mut()
                .filter(|(k, _)| *k == "confirm_password")
                .for_each(|e| e.1 = value);
        }
        let body = app.post("/api/complete_setup", &form).await.text().await.unwrap();
        assert!(
            body.contains(message) && body.contains(&format!("\"field\":\"{field}\"")),
            "{field}: {body}"
        );
    }
    assert_eq!(app.count("select count(*) from accounts").await, 0);
    assert!(
        app.iam.setup_token_is_valid(token.expose()).await.unwrap(),
        "the link still works after bad input"
    );
    let page = app.get("/setup?token=not-the-token").await.text().await.unwrap();
    assert!(page.contains("This setup link is not valid"));
}

#[sqlx::test(migrations = "../migrations")]
async fn sign_in_pages_use_the_aws_labels(pool: PgPool) {
    let app = spawn_app(pool).await;
    let html = app.get("/signin/acme").await.text().await.unwrap();
    for label in [
        "Account ID (12 digits) or account alias",
        "IAM user name",
        "Password",
        "Sign in",
        "Sign in using root user email",
    ] {
        assert!(html.contains(label), "{label}");
    }
    assert!(
        html.contains(r#"value="acme""#),
        "the account from the URL is pre-filled"
    );
    let root = app.get("/root-signin").await.text().await.unwrap();
    assert!(root.contains("Root user email address"));
    let missing = app.get("/no-such-page").await;
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

#[sqlx::test(migrations = "../migrations")]
async fn health_and_metrics_report(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.acme().await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), StatusCode::OK);
    app.sign_in_alice().await;
    app.post(
        "/api/sign_in",
        &[
            ("account", "acme"),
            ("user_name", "alice"),
            ("password", "nope nope nope"),
        ],
    )
    .await;
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(r#"gatehouse_sign_ins_total{kind="iam_user",result="success"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"gatehouse_sign_ins_total{kind="iam_user",result="failure"} 1"#),
        "{metrics}"
    );
    assert!(
        metrics.contains(r#"gatehouse_http_requests_total{method="GET",status="200"}"#),
        "{metrics}"
    );
    assert!(
        metrics.contains("gatehouse_http_request_duration_seconds_count"),
        "{metrics}"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn pages_are_not_cached_and_cannot_be_framed(pool: PgPool) {
    let app = spawn_app(pool).await;
    let r = app.get("/signin").await;
    assert_eq!(r.headers().get("cache-control").unwrap(), "no-store");
    assert_eq!(r.headers().get("x-frame-options").unwrap(), "DENY");
    assert_eq!(r.headers().get("x-content-type-options").unwrap(), "nosniff");
}

#[sqlx::test(migrations = "../migrations")]
async fn the_sign_in_form_works_before_the_page_is_hydrated(pool: PgPool) {
    let app = spawn_app(pool).await;
    app.acme().await;
    // A plain HTML form post, as a browser sends it before the WebAssembly has loaded.
    let post = |form: [(&'static str, &'static str); 3]| {
        app.client
            .post(format!("{}/api/sign_in", app.base))
            .header(ORIGIN, &app.base)
            .header(REFERER, format!("{}/signin", app.base))
            .header("accept", "text/html")
            .form(&form)
            .send()
    };
    let wrong = post([
        ("account", "acme"),
        ("user_name", "alice"),
        ("password", "wrong password"),
    ])
    .await
    .unwrap();
    assert_eq!(wrong.status(), StatusCode::FOUND);
    let back = wrong
        .headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    assert!(back.starts_with(&format!("{}/signin?", app.base)), "{back}");
    let page = app.client.get(&back).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("Your authentication information is incorrect. Please try again."));

    let ok = post(ALICE).await.unwrap();
    assert_eq!(ok.status(), StatusCode::FOUND);
    assert_eq!(ok.headers().get("location").unwrap(), "/");
    assert_eq!(app.whoami().await.0, StatusCode::OK);
}

/// Building a router renders the app once with resource loading switched off for the whole
/// process (leptos-rs/leptos#4773), and the tests build one router per test, concurrently. Pages
/// served while another router is built must still finish: before the route list was generated
/// once per process, a page whose resource started in that window never did.
#[sqlx::test(migrations = "../migrations")]
async fn pages_finish_while_other_routers_are_being_built(pool: PgPool) {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let app = spawn_app(pool.clone()).await;
    app.acme().await;
    assert_eq!(app.sign_in_alice().await.status(), StatusCode::OK);
    /// Stops the builder however the test ends, so that no connection outlives the test's
    /// database.
    struct StopOnDrop(Arc<AtomicBool>);
    impl Drop for StopOnDrop {
        fn drop(&mut self) {
            self.0.store(true, Ordering::Relaxed);
        }
    }
    let stop = StopOnDrop(Arc::new(AtomicBool::new(false)));
    let builder = std::thread::spawn({
        let stop = stop.0.clone();
        let options = pool.connect_options().as_ref().clone();
        move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async {
                let pool = PgPool::connect_with(options).await.unwrap();
                let state = app_state(pool.clone(), Options::default(), "127.0.0.1:9".parse().unwrap());
                let mut built = 0;
                while !stop.load(Ordering::Relaxed) {
                    let _router = server::build_router(state.clone(), Duration::minutes(30))
                        .await
                        .unwrap();
                    built += 1;
                }
                pool.close().await;
                built
            })
        }
    });
    for page in ["/", "/signin", "/signin/acme", "/security-credentials"].repeat(10) {
        let (status, html) = tokio::time::timeout(std::time::Duration::from_secs(20), async {
            let r = app.get(page).await;
            (r.status(), r.text().await.unwrap())
        })
        .await
        .unwrap_or_else(|_| panic!("{page} never finished while routers were being built"));
        assert_eq!(status, StatusCode::OK, "{page}: {html}");
        assert!(html.contains("__INCOMPLETE_CHUNKS"), "{page} is whole: {html}");
    }
    drop(stop);
    assert!(builder.join().unwrap() > 0, "routers were built meanwhile");
}
