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
    // The data directory (and its secret key file) of commands that name none: a scratch one,
    // never the source tree.
    static DATA: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    let data = DATA.get_or_init(|| tempfile::tempdir().unwrap());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_gatehouse"));
    cmd.args(args)
        .env("GATEHOUSE_DATA", data.path().join("data"))
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

// ---- gatehouse policy check / simulate: no database involved ----

fn policy_file(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

const GOOD_POLICY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{"Sid": "ReadUsers", "Effect": "Allow", "Action": ["iam:GetUser", "iam:ListUsers"], "Resource": "*"}]
}"#;

#[test]
fn policy_check_passes_a_valid_document_with_exit_status_0() {
    let dir = tempfile::tempdir().unwrap();
    let file = policy_file(&dir, "good.json", GOOD_POLICY);
    let out = gatehouse(&["policy", "check", &file], None, None);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("valid, no findings"), "{}", stdout(&out));
}

#[test]
fn policy_check_allows_warnings_with_exit_status_0() {
    let dir = tempfile::tempdir().unwrap();
    let file = policy_file(
        &dir,
        "admin.json",
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#,
    );
    let out = gatehouse(&["policy", "check", &file], None, None);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("security warning FULL_ACCESS"), "{text}");
    assert!(text.contains("valid, 1 security warning"), "{text}");
}

#[test]
fn policy_check_reports_errors_with_file_line_and_column_and_exit_status_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = policy_file(&dir, "bad.json", "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": {\"Effect\": \"Allow\", \"Action\": \"iam:CreatUser\", \"Resource\": \"*\"}\n}");
    let out = gatehouse(&["policy", "check", &file], None, None);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert!(
        text.contains(&format!("{file}:3:46: error UNKNOWN_ACTION: \"iam:CreatUser\" matches no iam action: did you mean iam:CreateUser? (at Statement.Action)")),
        "{text}"
    );
    assert!(text.contains("invalid, 1 error"), "{text}");
}

#[test]
fn policy_check_json_output_lists_findings() {
    let dir = tempfile::tempdir().unwrap();
    let file = policy_file(
        &dir,
        "p.json",
        r#"{"Statement": {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "nope"}}"#,
    );
    let out = gatehouse(&["policy", "check", &file, "--json"], None, None);
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["valid"], false);
    let codes: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert!(
        codes.contains(&"INVALID_ARN") && codes.contains(&"MISSING_VERSION"),
        "{codes:?}"
    );
}

#[test]
fn policy_check_kind_sets_the_size_limit() {
    let dir = tempfile::tempdir().unwrap();
    let actions: Vec<String> = (0..200).map(|_| "\"iam:GetUser\"".to_owned()).collect();
    let text = format!(
        r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "Allow", "Action": [{}], "Resource": "*"}}}}"#,
        actions.join(",")
    );
    let file = policy_file(&dir, "big.json", &text);
    let managed = gatehouse(&["policy", "check", &file], None, None);
    assert_eq!(managed.status.code(), Some(0), "{}", stdout(&managed));
    let inline = gatehouse(&["policy", "check", &file, "--kind", "user-inline"], None, None);
    assert_eq!(inline.status.code(), Some(1));
    assert!(stdout(&inline).contains("POLICY_SIZE"), "{}", stdout(&inline));
}

#[test]
fn policy_check_reads_standard_input() {
    let out = gatehouse(&["policy", "check", "-"], None, Some(GOOD_POLICY));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn policy_check_misuse_exits_with_status_2() {
    let missing = gatehouse(&["policy", "check", "/nonexistent/policy.json"], None, None);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("cannot read /nonexistent/policy.json"));
    let bad_kind = gatehouse(
        &["policy", "check", "x.json", "--kind", "role-inline"],
        None,
        None,
    );
    assert_eq!(bad_kind.status.code(), Some(2));
}

fn simulate(input: &serde_json::Value) -> Output {
    gatehouse(
        &["policy", "simulate", "--input", "-"],
        None,
        Some(&input.to_string()),
    )
}

#[test]
fn policy_simulate_prints_the_decision_and_matched_statements() {
    let input = serde_json::json!({
        "policies": [serde_json::from_str::<serde_json::Value>(GOOD_POLICY).unwrap()],
        "boundary": null,
        "action": "iam:GetUser",
        "resource": "arn:aws:iam::123456789012:user/alice",
        "context": {"aws:username": "alice"}
    });
    let out = simulate(&input);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(v["decision"], "allowed");
    assert_eq!(v["matched"][0]["policy"]["name"], "policies[0]");
    assert_eq!(v["matched"][0]["sid"], "ReadUsers");
    assert_eq!(v["matched"][0]["statementIndex"], 0);
}

#[test]
fn policy_simulate_applies_conditions_deny_and_the_boundary() {
    let allow_all =
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:*", "Resource": "*"}}"#;
    let deny_no_mfa = r#"{"Version": "2012-10-17", "Statement": {"Sid": "NeedMFA", "Effect": "Deny", "Action": "iam:Delete*", "Resource": "*", "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}}"#;
    let boundary = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["iam:Get*", "iam:Delete*"], "Resource": "*"}}"#;
    let run = |action: &str, context: serde_json::Value| {
        let out = simulate(&serde_json::json!({
            "policies": [allow_all, deny_no_mfa], "boundary": boundary,
            "action": action, "resource": "arn:aws:iam::123456789012:user/bob", "context": context
        }));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        serde_json::from_str::<serde_json::Value>(&stdout(&out)).unwrap()
    };
    let denied = run(
        "iam:DeleteUser",
        serde_json::json!({"aws:MultiFactorAuthPresent": false}),
    );
    assert_eq!(denied["decision"], "explicitDeny");
    assert_eq!(denied["matched"][0]["sid"], "NeedMFA");
    assert_eq!(
        run(
            "iam:DeleteUser",
            serde_json::json!({"aws:MultiFactorAuthPresent": true, "aws:TagKeys": ["a"], "aws:CurrentTime": "2026-01-01T00:00:00Z", "aws:EpochTime": 1767225600})
        )["decision"],
        "allowed"
    );
    let blocked = run(
        "iam:CreateUser",
        serde_json::json!({"aws:MultiFactorAuthPresent": true}),
    );
    assert_eq!(blocked["decision"], "implicitDeny");
    assert_eq!(blocked["reason"], "boundaryBlocked");
}

#[test]
fn policy_simulate_refuses_an_invalid_policy_with_status_1() {
    let out = simulate(&serde_json::json!({
        "policies": [{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:Nope", "Resource": "*"}}],
        "action": "iam:GetUser", "resource": "*"
    }));
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("policies[0] is not a valid policy"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn policy_simulate_refuses_malformed_input_with_status_2() {
    let missing_action = simulate(&serde_json::json!({"policies": [], "resource": "*"}));
    assert_eq!(missing_action.status.code(), Some(2));
    assert!(
        stderr(&missing_action).contains("missing field `action`"),
        "{}",
        stderr(&missing_action)
    );
    let bad_context = simulate(
        &serde_json::json!({"policies": [], "action": "iam:GetUser", "resource": "*", "context": {"aws:TagKeys": [1, 2]}}),
    );
    assert_eq!(bad_context.status.code(), Some(2));
    assert!(stderr(&bad_context).contains("aws:TagKeys"));
}

#[test]
fn hash_rate_measures_verifications_per_second_without_a_database() {
    let out = gatehouse(
        &["hash-rate", "--seconds", "1", "--threads", "1", "--json"],
        None,
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let result: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(result["threads"], 1);
    // At least one verification finishes; the shipped cost (19 MiB, t=2) takes milliseconds.
    let rate = result["verificationsPerSecond"].as_f64().unwrap();
    assert!(rate > 0.0 && rate < 10_000.0, "{rate}");
}

#[sqlx::test(migrations = "../migrations")]
async fn unlock_root_lifts_the_lockout_of_an_existing_account_only(pool: PgPool) {
    let url = url_of(&pool);
    let out = gatehouse(
        &[
            "account",
            "create",
            "--alias",
            "unlockme",
            "--root-email",
            "root@unlock.example",
            "--json",
        ],
        Some(&url),
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    sqlx::query(
        "update root_users set failed_sign_ins = 10, lockouts = 1, locked_until = now() + interval '1 hour'",
    )
    .execute(&pool)
    .await
    .unwrap();
    let out = gatehouse(
        &["account", "unlock-root", "--account", "unlockme"],
        Some(&url),
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("is unlocked"), "{}", stdout(&out));
    let locked: Option<time::OffsetDateTime> = sqlx::query_scalar("select locked_until from root_users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(locked, None);
    let out = gatehouse(
        &["account", "unlock-root", "--account", "nosuchalias"],
        Some(&url),
        None,
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("no account nosuchalias"),
        "{}",
        stderr(&out)
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn access_key_create_prints_the_secret_once_for_a_user_or_root(pool: PgPool) {
    let url = url_of(&pool);
    let out = gatehouse(
        &[
            "account",
            "create",
            "--alias",
            "keys",
            "--root-email",
            "root@keys.example",
            "--json",
        ],
        Some(&url),
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = gatehouse(
        &["user", "create", "--account", "keys", "--name", "scripter"],
        Some(&url),
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));

    let out = gatehouse(
        &[
            "access-key",
            "create",
            "--account",
            "keys",
            "--user",
            "scripter",
            "--json",
        ],
        Some(&url),
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let printed: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let key = &printed["AccessKey"];
    let id = key["AccessKeyId"].as_str().unwrap();
    let secret = key["SecretAccessKey"].as_str().unwrap();
    assert!(id.starts_with("AKIA") && id.len() == 20, "{id}");
    assert_eq!(secret.len(), 40);
    assert_eq!(key["UserName"], "scripter");
    assert_eq!(key["Status"], "Active");
    let stored: Vec<u8> = sqlx::query_scalar("select secret from access_keys where access_key_id = $1")
        .bind(id)
        .fetch_one(&pool)
        .await
        .unwrap();
    assert!(
        !stored.windows(secret.len()).any(|w| w == secret.as_bytes()),
        "the secret is stored sealed, not in clear"
    );
    let source: String = sqlx::query_scalar(
        "select event_source from events where event_name = 'CreateAccessKey' and request->>'accessKeyId' = $1",
    )
    .bind(id)
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(source, "cli");

    let out = gatehouse(
        &["access-key", "create", "--account", "keys", "--root"],
        Some(&url),
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Secret access key: "), "{}", stdout(&out));
    let root_keys: i64 = sqlx::query_scalar("select count(*) from access_keys where user_id is null")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(root_keys, 1);

    // Exactly one owner; an unknown user and the quota are refused and change nothing.
    let out = gatehouse(&["access-key", "create", "--account", "keys"], Some(&url), None);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = gatehouse(
        &[
            "access-key",
            "create",
            "--account",
            "keys",
            "--user",
            "scripter",
            "--root",
        ],
        Some(&url),
        None,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let out = gatehouse(
        &["access-key", "create", "--account", "keys", "--user", "nobody"],
        Some(&url),
        None,
    );
    assert!(!out.status.success());
    assert!(stderr(&out).contains("nobody"), "{}", stderr(&out));
    let out = gatehouse(
        &["access-key", "create", "--account", "keys", "--user", "scripter"],
        Some(&url),
        None,
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = gatehouse(
        &["access-key", "create", "--account", "keys", "--user", "scripter"],
        Some(&url),
        None,
    );
    assert!(!out.status.success());
    assert!(
        stderr(&out).contains("Cannot exceed quota for AccessKeysPerUser: 2"),
        "{}",
        stderr(&out)
    );
    let keys: i64 = sqlx::query_scalar("select count(*) from access_keys")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(keys, 3);
}
