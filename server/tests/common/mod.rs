//! The test harness of the server's HTTP tests: the real router on port 0 with a fresh database
//! per test, a cookie-keeping client, and accounts and users made through the services.

// Each test binary uses a different part of this module.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::Arc;

use app::ssr::{AppState, ConsoleSettings, Metrics};
use gatehouse_iam::*;
use leptos::prelude::LeptosOptions;
use reqwest::header::{HeaderMap, ORIGIN, SET_COOKIE};
use reqwest::StatusCode;
use secrecy::SecretString;
use sqlx::PgPool;
use time::Duration;

/// The one answer to any failed sign-in: the console shows it as "Your authentication information
/// is incorrect. Please try again." (see `app::error::AppError::SignInFailed`).
pub const GENERIC: &str = r#""SignInFailed""#;

pub const ALICE: [(&str, &str); 3] = [
    ("account", "acme"),
    ("user_name", "alice"),
    ("password", "alice password 1"),
];

pub struct TestApp {
    pub base: String,
    pub iam: Iam,
    pub pool: PgPool,
    pub client: reqwest::Client,
}

pub struct Options {
    pub secure_cookies: bool,
    pub clock: Arc<dyn Clock>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            clock: Arc::new(SystemClock),
        }
    }
}

pub async fn spawn_app(pool: PgPool) -> TestApp {
    spawn_app_with(pool, Options::default()).await
}

/// The app on a clock the test moves.
pub async fn spawn_app_on(pool: PgPool, clock: &ManualClock) -> TestApp {
    spawn_app_with(
        pool,
        Options {
            clock: Arc::new(clock.clone()),
            ..Options::default()
        },
    )
    .await
}

pub async fn spawn_app_with(pool: PgPool, options: Options) -> TestApp {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let state = app_state(pool.clone(), options, addr);
    let iam = state.iam.clone();
    let router = server::build_router(state, Duration::minutes(30)).await.unwrap();
    tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .unwrap();
    });
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        base,
        iam,
        pool,
        client,
    }
}

/// The application state the test servers run on, with a cheap password hash, serving `addr`.
pub fn app_state(pool: PgPool, options: Options, addr: SocketAddr) -> AppState {
    let config = IamConfig {
        hash_cost: HashCost::FOR_TESTS,
        ..IamConfig::default()
    };
    AppState {
        iam: Iam::new(pool, config, options.clock).unwrap(),
        leptos_options: LeptosOptions::builder()
            .output_name("gatehouse")
            .site_root("target/site")
            .site_addr(addr)
            .build(),
        console: Arc::new(ConsoleSettings {
            public_url: format!("http://{addr}"),
            session_absolute_timeout: Duration::hours(12),
            secure_cookies: options.secure_cookies,
        }),
        metrics: Arc::new(Metrics::default()),
    }
}

impl TestApp {
    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.client
            .post(format!("{}{path}", self.base))
            .header(ORIGIN, &self.base)
            .form(form)
            .send()
            .await
            .unwrap()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    pub async fn account(&self, alias: Option<&str>, email: &str, password: &str) -> CreatedAccount {
        self.iam
            .create_account(
                &Actor::Operator,
                NewAccount {
                    alias: alias.map(|a| a.parse().unwrap()),
                    root_email: email.parse().unwrap(),
                    root_password: SecretString::from(password.to_owned()),
                },
                &RequestMeta::default(),
            )
            .await
            .unwrap()
    }

    pub async fn user(&self, account: &str, name: &str, password: &str) {
        self.iam
            .create_user(
                &Actor::Operator,
                &AccountRef::parse(account).unwrap(),
                NewUser {
                    name: name.parse().unwrap(),
                    path: IamPath::default(),
                    password: Some(SecretString::from(password.to_owned())),
                    password_reset_required: false,
                },
                Source::Cli,
                &RequestMeta::default(),
            )
            .await
            .unwrap();
    }

    /// acme (alias) with root root@acme.example and IAM user alice.
    pub async fn acme(&self) -> CreatedAccount {
        let a = self
            .account(Some("acme"), "root@acme.example", "root password 123")
            .await;
        self.user("acme", "alice", "alice password 1").await;
        a
    }

    /// Signs in the IAM user alice of acme (see `acme`).
    pub async fn sign_in_alice(&self) -> reqwest::Response {
        self.post("/api/sign_in", &ALICE).await
    }

    pub async fn whoami(&self) -> (StatusCode, String) {
        let r = self.post("/api/whoami", &[]).await;
        (r.status(), r.text().await.unwrap())
    }

    pub async fn count(&self, sql: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&self.pool).await.unwrap();
        n
    }
}

pub fn session_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with(&format!("{name}=")))
        .map(str::to_owned)
}

pub fn cookie_value(set_cookie: &str) -> String {
    set_cookie
        .split(';')
        .next()
        .unwrap()
        .split_once('=')
        .unwrap()
        .1
        .to_owned()
}

/// An authenticator's view of a seed shown in base32.
pub fn base32_decode(text: &str) -> Vec<u8> {
    const ALPHABET: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    let (mut out, mut buffer, mut bits) = (Vec::new(), 0u32, 0);
    for c in text.chars() {
        buffer = (buffer << 5) | ALPHABET.find(c).unwrap() as u32;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
        }
    }
    out
}
