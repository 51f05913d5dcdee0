//! The one authorization point on real Postgres (a fresh database per test): IAM users get what
//! their policies allow, through the policy engine: user inline and attached policies, group
//! inline and attached policies, the permissions boundary; root within its own account.
//! Attachments are written with plain SQL here until the console's policy services exist.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use gatehouse_iam::*;
use sqlx::PgPool;

async fn principal(iam: &Iam, account: &CreatedAccount, name: &str) -> (Actor, CreatedUser) {
    user(iam, &account.account_id, name).await
}

async fn create(
    iam: &Iam,
    actor: &Actor,
    account: &CreatedAccount,
    name: &str,
    path: &str,
) -> Result<CreatedUser> {
    create_user(iam, actor, &account.account_id, name, path).await
}

async fn system_policy_id(pool: &PgPool, name: &str) -> String {
    sqlx::query_scalar("select policy_id from managed_policies where account_id is null and policy_name = $1")
        .bind(name)
        .fetch_one(pool)
        .await
        .unwrap()
}

async fn attach_user(pool: &PgPool, user: &CreatedUser, policy: &str) {
    let id = system_policy_id(pool, policy).await;
    sqlx::query("insert into user_policy_attachments (user_id, policy_id) values ($1, $2)")
        .bind(user.user_id.as_str())
        .bind(id)
        .execute(pool)
        .await
        .unwrap();
}

async fn user_inline(pool: &PgPool, user: &CreatedUser, name: &str, document: &str) {
    sqlx::query("insert into user_inline_policies (user_id, policy_name, document) values ($1, $2, $3)")
        .bind(user.user_id.as_str())
        .bind(name)
        .bind(document)
        .execute(pool)
        .await
        .unwrap();
}

async fn group_with(
    pool: &PgPool,
    account: &CreatedAccount,
    user: &CreatedUser,
    group_id: &str,
    inline: Option<&str>,
    managed: Option<&str>,
) {
    sqlx::query("insert into iam_groups (group_id, account_id, group_name) values ($1, $2, $3)")
        .bind(group_id)
        .bind(account.account_id.as_str())
        .bind(format!("g-{}", &group_id[4..10]))
        .execute(pool)
        .await
        .unwrap();
    sqlx::query("insert into group_members (group_id, user_id) values ($1, $2)")
        .bind(group_id)
        .bind(user.user_id.as_str())
        .execute(pool)
        .await
        .unwrap();
    if let Some(document) = inline {
        sqlx::query(
            "insert into group_inline_policies (group_id, policy_name, document) values ($1, 'inline', $2)",
        )
        .bind(group_id)
        .bind(document)
        .execute(pool)
        .await
        .unwrap();
    }
    if let Some(policy) = managed {
        let id = system_policy_id(pool, policy).await;
        sqlx::query("insert into group_policy_attachments (group_id, policy_id) values ($1, $2)")
            .bind(group_id)
            .bind(id)
            .execute(pool)
            .await
            .unwrap();
    }
}

fn denied(result: Result<CreatedUser>) -> String {
    match result {
        Err(e @ Error::AccessDenied { .. }) => e.to_string(),
        other => panic!("expected AccessDenied, got {other:?}"),
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_system_policies_are_installed_and_valid(pool: PgPool) {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "select policy_name, document from managed_policies join policy_versions v using (policy_id) \
         where account_id is null and v.version_id = default_version order by policy_name",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let names: Vec<&str> = rows.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "AdministratorAccess",
            "IAMFullAccess",
            "IAMReadOnlyAccess",
            "IAMSelfManageCredentialsWithMFA",
            "IAMUserChangePassword"
        ]
    );
    for (name, document) in &rows {
        let v = gatehouse_policy::validate(document, gatehouse_policy::PolicyKind::Managed);
        assert!(v.is_valid(), "{name}: {:?}", v.findings);
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn user_without_policies_is_implicitly_denied_everything(pool: PgPool) {
    let iam = iam(pool);
    let acct = account(&iam, "root@a.example").await;
    let (alice, created) = principal(&iam, &acct, "alice").await;
    let message = denied(create(&iam, &alice, &acct, "bob", "/").await);
    assert_eq!(
        message,
        format!(
            "User: {} is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::{}:user/bob",
            created.arn, acct.account_id
        )
    );
    assert!(matches!(
        iam.list_events(&alice, &acct.account_id, 10).await,
        Err(Error::AccessDenied { .. })
    ));
}

#[sqlx::test(migrations = "../../migrations")]
async fn user_with_read_only_policy_cannot_create_users(pool: PgPool) {
    let iam = iam(pool.clone());
    let acct = account(&iam, "root@a.example").await;
    let (alice, created) = principal(&iam, &acct, "alice").await;
    attach_user(&pool, &created, "IAMReadOnlyAccess").await;
    denied(create(&iam, &alice, &acct, "bob", "/").await);
}

#[sqlx::test(migrations = "../../migrations")]
async fn user_with_administrator_access_may_create_users_and_read_events(pool: PgPool) {
    let iam = iam(pool.clone());
    let acct = account(&iam, "root@a.example").await;
    let (alice, created) = principal(&iam, &acct, "alice").await;
    attach_user(&pool, &created, "AdministratorAccess").await;
    create(&iam, &alice, &acct, "bob", "/").await.unwrap();
    let events = iam.list_events(&alice, &acct.account_id, 10).await.unwrap();
    assert!(events
        .iter()
        .any(|e| e.event_name == "CreateUser" && e.actor_arn.as_deref() == Some(created.arn.as_str())));
}

#[sqlx::test(migrations = "../../migrations")]
async fn create_user_allowed_only_under_the_path_the_policy_names(pool: PgPool) {
    let iam = iam(pool.clone());
    let acct = account(&iam, "root@a.example").await;
    let (alice, created) = principal(&iam, &acct, "alice").await;
    user_inline(
        &pool,
        &created,
        "DevUsers",
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "arn:aws:iam::*:user/dev/*"}}"#,
    )
    .await;
    create(&iam, &alice, &acct, "x", "/dev/").await.unwrap();
    let message = denied(create(&iam, &alice, &acct, "y", "/ops/").await);
    assert!(
        message.ends_with(&format!("arn:aws:iam::{}:user/ops/y", acct.account_id)),
        "{message}"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_deny_in_a_group_beats_an_allow_on_the_user(pool: PgPool) {
    let iam = iam(pool.clone());
    let acct = account(&iam, "root@a.example").await;
    let (alice, created) = principal(&iam, &acct, "alice").await;
    attach_user(&pool, &created, "IAMFullAccess").await;
    create(&iam, &alice, &acct, "before", "/").await.unwrap();
    group_with(
        &pool,
        &acct,
        &created,
        "AGPAAAAAAAAAAAAAAAAAA",
        Some(r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "iam:CreateUser", "Resource": "*"}}"#),
        None,
    )
    .await;
    denied(create(&iam, &alice, &acct, "after", "/").await);
}

#[sqlx::test(migrations = "../../migrations")]
async fn permissions_from_a_groups_managed_policy_apply_to_its_members(pool: PgPool) {
    let iam = iam(pool.clone());
    let acct = account(&iam, "root@a.example").await;
    let (alice, created) = principal(&iam, &acct, "alice").await;
    denied(create(&iam, &alice, &acct, "bob", "/").await);
    group_with(
        &pool,
        &acct,
        &created,
        "AGPABBBBBBBBBBBBBBBBB",
        None,
        Some("IAMFullAccess"),
    )
    .await;
    create(&iam, &alice, &acct, "bob", "/").await.unwrap();
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_permissions_boundary_limits_what_policies_allow(pool: PgPool) {
    let iam = iam(pool.clone());
    let acct = account(&iam, "root@a.example").await;
    let (alice, created) = principal(&iam, &acct, "alice").await;
    attach_user(&pool, &created, "AdministratorAccess").await;
    let boundary = system_policy_id(&pool, "IAMReadOnlyAccess").await;
    sqlx::query("update iam_users set permissions_boundary = $1 where user_id = $2")
        .bind(boundary)
        .bind(created.user_id.as_str())
        .execute(&pool)
        .await
        .unwrap();
    denied(create(&iam, &alice, &acct, "bob", "/").await);
}

#[sqlx::test(migrations = "../../migrations")]
async fn policy_variables_resolve_to_the_signed_in_user(pool: PgPool) {
    let iam = iam(pool.clone());
    let acct = account(&iam, "root@a.example").await;
    let (alice, created) = principal(&iam, &acct, "alice").await;
    user_inline(
        &pool,
        &created,
        "OwnHelpers",
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "arn:aws:iam::*:user/${aws:username}-*"}}"#,
    )
    .await;
    create(&iam, &alice, &acct, "alice-helper", "/").await.unwrap();
    denied(create(&iam, &alice, &acct, "bob-helper", "/").await);
}

#[sqlx::test(migrations = "../../migrations")]
async fn identity_policies_never_reach_another_account(pool: PgPool) {
    let iam = iam(pool.clone());
    let acct = account(&iam, "root@a.example").await;
    let other = account(&iam, "root@b.example").await;
    let (alice, created) = principal(&iam, &acct, "alice").await;
    attach_user(&pool, &created, "AdministratorAccess").await;
    denied(create(&iam, &alice, &other, "intruder", "/").await);
}

#[sqlx::test(migrations = "../../migrations")]
async fn root_may_do_anything_in_its_own_account_only(pool: PgPool) {
    let iam = iam(pool);
    let acct = account(&iam, "root@a.example").await;
    let other = account(&iam, "root@b.example").await;
    let root = Actor::Principal(Principal {
        account_id: acct.account_id.clone(),
        account_alias: None,
        arn: acct.root_arn.clone(),
        kind: PrincipalKind::Root {
            email: "root@a.example".parse().unwrap(),
        },
        request: RequestMeta::default(),
        permissions_epoch: None,
    });
    create(&iam, &root, &acct, "bob", "/").await.unwrap();
    denied(create(&iam, &root, &other, "bob", "/").await);
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_stored_policy_that_no_longer_parses_refuses_the_request(pool: PgPool) {
    let iam = iam(pool.clone());
    let acct = account(&iam, "root@a.example").await;
    let (alice, created) = principal(&iam, &acct, "alice").await;
    attach_user(&pool, &created, "AdministratorAccess").await;
    user_inline(
        &pool,
        &created,
        "Broken",
        r#"{"Version": "2012-10-17", "Statement": "#,
    )
    .await;
    let result = create(&iam, &alice, &acct, "bob", "/").await;
    assert!(matches!(result, Err(Error::Internal(_))), "{result:?}");
    let count: i64 = sqlx::query_scalar("select count(*) from iam_users where user_name = 'bob'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 0, "nothing is written when authorization cannot decide");
}
