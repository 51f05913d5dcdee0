//! The `gatehouse` binary's commands, run as a person or a script would run them: against a
//! fresh database named by DATABASE_URL, and on the embedded Postgres default.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Output, Stdio};
use std::sync::Arc;

use gatehouse_iam::{Iam, IamConfig, RequestMeta, SystemClock};
use secrecy::SecretString;
use sqlx::PgPool;

fn gatehouse(args: &[&str], database_url: Option<&str>, stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gatehouse"));
    cmd.args(args)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match database_url {
        Some(url) => cmd.env("DATABASE_URL", url),
        None => cmd.env_remove("DATABASE_URL"),
    };
    let mut child = cmd.spawn().unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(stdin.unwrap_or("").as_bytes()).unwrap();
    drop(input);
    child.wait_with_output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh directory to hold a data directory. Like any directory a person would pick, others may
/// pass through it (the embedded cluster runs as an unprivileged account when the tests run as root).
fn data_parent() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    dir
}

/// The URL of the per-test database `#[sqlx::test]` made.
fn url_of(pool: &PgPool) -> String {
    let base = std::env::var("DATABASE_URL").unwrap();
    let db = pool.connect_options().get_database().unwrap().to_owned();
    let (server, _) = base.rsplit_once('/').unwrap();
    format!("{server}/{db}")
}

#[sqlx::test(migrations = "../migrations")]
async fn account_and_user_create_print_once_and_can_sign_in(pool: PgPool) {
    let url = url_of(&pool);
    let out = gatehouse(
        &[
            "account",
            "create",
            "--root-email",
            "root@acme.example",
            "--alias",
            "acme",
            "--json",
        ],
        Some(&url),
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let account: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let id = account["accountId"].as_str().unwrap();
    assert!(id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()));
    let root_password = account["rootPassword"]
        .as_str()
        .expect("a generated root password is printed once");
    assert_eq!(root_password.chars().count(), 20);

    let out = gatehouse(
        &[
            "user",
            "create",
            "--account",
            "acme",
            "--name",
            "bob",
            "--password-stdin",
            "--json",
        ],
        Some(&url),
        Some("bob password 123\n"),
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let user: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(user["arn"], format!("arn:aws:iam::{id}:user/bob"));
    assert!(
        user.get("password").is_none(),
        "a password given on stdin is not echoed"
    );

    let iam = Iam::new(pool.clone(), IamConfig::default(), Arc::new(SystemClock)).unwrap();
    let meta = RequestMeta::default();
    iam.sign_in_user("acme", "bob", &SecretString::from("bob password 123"), &meta)
        .await
        .unwrap();
    iam.sign_in_root(
        "root@acme.example",
        &SecretString::from(root_password.to_owned()),
        &meta,
    )
    .await
    .unwrap();
    let (reset,): (bool,) = sqlx::query_as("select password_reset_required from login_profiles")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(!reset, "no reset unless --require-reset");

    // A generated user password must be replaced at first sign-in.
    let out = gatehouse(
        &["user", "create", "--account", id, "--name", "carol", "--json"],
        Some(&url),
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("\"password\":"));
    let (reset,): (bool,) = sqlx::query_as(
        "select lp.password_reset_required from login_profiles lp join iam_users u using (user_id) where u.user_name = 'carol'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(reset);
}

#[sqlx::test(migrations = "../migrations")]
async fn bad_input_is_refused_with_a_specific_message_and_changes_nothing(pool: PgPool) {
    let url = url_of(&pool);
    let out = gatehouse(
        &[
            "account",
            "create",
            "--root-email",
            "root@acme.example",
            "--alias",
            "Bad_Alias",
        ],
        Some(&url),
        None,
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out)
            .contains("The account alias may contain only lowercase letters, digits and hyphens (-)."),
        "{}",
        stderr(&out)
    );

    let out = gatehouse(
        &[
            "account",
            "create",
            "--root-email",
            "root@acme.example",
            "--alias",
            "acme",
            "--password-stdin",
        ],
        Some(&url),
        Some("short\n"),
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("at least 8 characters"), "{}", stderr(&out));
    let (n,): (i64,) = sqlx::query_as("select count(*) from accounts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(n, 0);

    assert!(gatehouse(
        &[
            "account",
            "create",
            "--root-email",
            "root@acme.example",
            "--alias",
            "acme"
        ],
        Some(&url),
        None
    )
    .status
    .success());
    let out = gatehouse(
        &["user", "create", "--account", "acme", "--name", "Bob"],
        Some(&url),
        None,
    );
    assert!(out.status.success());
    let out = gatehouse(
        &["user", "create", "--account", "acme", "--name", "BOB"],
        Some(&url),
        None,
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("The user BOB already exists."),
        "{}",
        stderr(&out)
    );
    let out = gatehouse(
        &["user", "create", "--account", "nosuch", "--name", "x"],
        Some(&url),
        None,
    );
    assert!(
        stderr(&out).contains("The account nosuch cannot be found."),
        "{}",
        stderr(&out)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn setup_link_command_prints_a_link_only_while_there_is_no_account(pool: PgPool) {
    let url = url_of(&pool);
    let out = gatehouse(
        &["setup-link", "--public-url", "https://iam.example.com"],
        Some(&url),
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("https://iam.example.com/setup?token="),
        "{}",
        stdout(&out)
    );
    assert!(gatehouse(
        &["account", "create", "--root-email", "r@acme.example"],
        Some(&url),
        None
    )
    .status
    .success());
    let out = gatehouse(&["setup-link"], Some(&url), None);
    assert!(!out.status.success());
    assert!(stderr(&out).contains("setup is already complete"));
}

#[test]
fn the_embedded_cluster_is_created_in_the_data_directory_and_stopped_after_use() {
    let dir = data_parent();
    let data = dir.path().join("data");
    let data = data.to_str().unwrap();
    let out = gatehouse(
        &[
            "account",
            "create",
            "--root-email",
            "root@embedded.example",
            "--json",
            "--data-dir",
            data,
        ],
        None,
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("data/postgres/PG_VERSION").is_file());
    assert!(
        !dir.path().join("data/postgres/postmaster.pid").exists(),
        "the command stopped the cluster it started"
    );
    // The data persists: a second command finds the account.
    let out = gatehouse(&["setup-link", "--data-dir", data], None, None);
    assert!(
        stderr(&out).contains("setup is already complete"),
        "{}",
        stderr(&out)
    );
    let out = gatehouse(
        &[
            "account",
            "create",
            "--root-email",
            "x@embedded.example",
            "--data-dir",
            data,
            "--pg-bin",
            "/nonexistent",
        ],
        None,
        None,
    );
    assert!(
        stderr(&out).contains("does not contain initdb and pg_ctl"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn serve_prints_a_setup_link_serves_it_and_stops_the_embedded_cluster_on_sigterm() {
    use std::io::{BufRead, BufReader};
    let dir = data_parent();
    let data = dir.path().join("data");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_gatehouse"))
        .args([
            "serve",
            "--addr",
            &format!("127.0.0.1:{port}"),
            "--data-dir",
            data.to_str().unwrap(),
        ])
        .env_remove("DATABASE_URL")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let link = lines
        .map_while(Result::ok)
        .find_map(|l| {
            l.trim()
                .strip_prefix(&format!("http://127.0.0.1:{port}/setup?token="))
                .map(str::to_owned)
        })
        .expect("a setup link is printed");
    assert_eq!(link.len(), 64);
    assert!(
        data.join("postgres/postmaster.pid").exists(),
        "the embedded cluster runs"
    );

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let (health, page) = runtime.block_on(async {
        let base = format!("http://127.0.0.1:{port}");
        let health = reqwest::get(format!("{base}/healthz")).await.unwrap().status();
        let page = reqwest::get(format!("{base}/setup?token={link}"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        (health, page)
    });
    assert_eq!(health, reqwest::StatusCode::OK);
    assert!(
        page.contains("Root user email address"),
        "the link opens the setup form"
    );

    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).unwrap());
    nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    assert!(
        !data.join("postgres/postmaster.pid").exists(),
        "the cluster was stopped on shutdown"
    );
}
