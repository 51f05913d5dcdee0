//! Changing policies on real Postgres (a fresh database per test): versions and rollback, version
//! quotas, system policies that cannot change, deletes refused while in use, detaching, inline
//! policies with their aggregate size limits, removing members and deleting groups.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use gatehouse_iam::*;
use sqlx::PgPool;

const S: Source = Source::Console;
const ALLOW_CREATE: &str = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*"}}"#;
const ALLOW_GET: &str = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}}"#;

struct World {
    iam: Iam,
    pool: PgPool,
    acct: AccountId,
    alice: Actor,
    n: std::cell::Cell<u32>,
}

impl World {
    async fn new(pool: PgPool) -> Self {
        let iam = iam(pool.clone());
        let acct = account(&iam, "root@a.example").await.account_id;
        let (alice, _) = user(&iam, &acct, "alice").await;
        Self {
            iam,
            pool,
            acct,
            alice,
            n: std::cell::Cell::new(0),
        }
    }

    /// Whether alice may create a user now (each call tries a fresh name).
    async fn alice_can_create(&self) -> bool {
        self.n.set(self.n.get() + 1);
        can_create_user(
            &self.iam,
            &self.alice,
            &self.acct,
            &format!("made{}", self.n.get()),
        )
        .await
    }

    async fn policy(&self, name: &str, document: &str) -> String {
        let mut new = new_policy(name, document);
        new.description = String::new();
        self.iam
            .create_policy(&OP, &self.acct, new, S, &meta())
            .await
            .unwrap()
            .arn
    }

    async fn count(&self, sql: &str) -> i64 {
        count(&self.pool, sql).await
    }
}

fn alice() -> UserName {
    "alice".parse().unwrap()
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_policy_version_rollback_changes_what_a_user_may_do(pool: PgPool) {
    let w = World::new(pool).await;
    let arn = w.policy("Creators", ALLOW_CREATE).await;
    w.iam
        .attach_user_policy(&OP, &w.acct, &alice(), &arn, S, &meta())
        .await
        .unwrap();
    assert!(w.alice_can_create().await);
    // A new version that is not the default changes nothing yet.
    let v2 = w
        .iam
        .create_policy_version(&OP, &w.acct, &arn, ALLOW_GET, false, S, &meta())
        .await
        .unwrap();
    assert_eq!(v2, "v2");
    assert!(w.alice_can_create().await);
    w.iam
        .set_default_policy_version(&OP, &w.acct, &arn, "v2", S, &meta())
        .await
        .unwrap();
    assert!(!w.alice_can_create().await);
    // Rollback.
    w.iam
        .set_default_policy_version(&OP, &w.acct, &arn, "v1", S, &meta())
        .await
        .unwrap();
    assert!(w.alice_can_create().await);
    // A new version set as default at creation takes effect at once.
    w.iam
        .create_policy_version(&OP, &w.acct, &arn, ALLOW_GET, true, S, &meta())
        .await
        .unwrap();
    assert!(!w.alice_can_create().await);
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_policy_has_at_most_five_versions_and_ids_are_never_reused(pool: PgPool) {
    let w = World::new(pool).await;
    let arn = w.policy("P", ALLOW_GET).await;
    for expected in ["v2", "v3", "v4", "v5"] {
        assert_eq!(
            w.iam
                .create_policy_version(&OP, &w.acct, &arn, ALLOW_GET, false, S, &meta())
                .await
                .unwrap(),
            expected
        );
    }
    let err = w
        .iam
        .create_policy_version(&OP, &w.acct, &arn, ALLOW_GET, false, S, &meta())
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "Cannot exceed quota for VersionsPerPolicy: 5.");
    w.iam
        .delete_policy_version(&OP, &w.acct, &arn, "v2", S, &meta())
        .await
        .unwrap();
    assert_eq!(
        w.iam
            .create_policy_version(&OP, &w.acct, &arn, ALLOW_GET, false, S, &meta())
            .await
            .unwrap(),
        "v6"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_default_version_cannot_be_deleted_and_unknown_versions_are_reported(pool: PgPool) {
    let w = World::new(pool).await;
    let arn = w.policy("P", ALLOW_GET).await;
    let err = w
        .iam
        .delete_policy_version(&OP, &w.acct, &arn, "v1", S, &meta())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::DeleteConflict(_)), "{err:?}");
    let err = w
        .iam
        .set_default_policy_version(&OP, &w.acct, &arn, "v9", S, &meta())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotFound {
                kind: "policy version",
                ..
            }
        ),
        "{err:?}"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn an_invalid_new_version_is_refused_and_nothing_changes(pool: PgPool) {
    let w = World::new(pool).await;
    let arn = w.policy("P", ALLOW_GET).await;
    let err = w
        .iam
        .create_policy_version(
            &OP,
            &w.acct,
            &arn,
            r#"{"Version": "2012-10-17", "Statement": []}"#,
            true,
            S,
            &meta(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::MalformedPolicyDocument(_)));
    assert_eq!(w.count("select count(*) from policy_versions v join managed_policies p using (policy_id) where p.account_id is not null").await, 1);
}

#[sqlx::test(migrations = "../../migrations")]
async fn system_policies_cannot_be_changed_even_by_the_operator(pool: PgPool) {
    let w = World::new(pool).await;
    let admin = "arn:aws:iam::aws:policy/AdministratorAccess";
    let err = w
        .iam
        .create_policy_version(&OP, &w.acct, admin, ALLOW_GET, true, S, &meta())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AccessDenied { .. }), "{err:?}");
    let err = w
        .iam
        .delete_policy(&OP, &w.acct, admin, S, &meta())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AccessDenied { .. }), "{err:?}");
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_policy_is_deleted_only_when_attached_nowhere(pool: PgPool) {
    let w = World::new(pool).await;
    let arn = w.policy("P", ALLOW_CREATE).await;
    w.iam
        .create_policy_version(&OP, &w.acct, &arn, ALLOW_GET, false, S, &meta())
        .await
        .unwrap();
    w.iam
        .attach_user_policy(&OP, &w.acct, &alice(), &arn, S, &meta())
        .await
        .unwrap();
    let err = w
        .iam
        .delete_policy(&OP, &w.acct, &arn, S, &meta())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::DeleteConflict(_)), "{err:?}");
    w.iam
        .detach_user_policy(&OP, &w.acct, &alice(), &arn, S, &meta())
        .await
        .unwrap();
    assert!(!w.alice_can_create().await);
    w.iam.delete_policy(&OP, &w.acct, &arn, S, &meta()).await.unwrap();
    assert_eq!(
        w.count("select count(*) from managed_policies where account_id is not null")
            .await,
        0
    );
    assert_eq!(
        w.count("select count(*) from policy_versions v join managed_policies p using (policy_id)")
            .await,
        5
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn detaching_a_policy_that_is_not_attached_is_reported(pool: PgPool) {
    let w = World::new(pool).await;
    let arn = w.policy("P", ALLOW_GET).await;
    let err = w
        .iam
        .detach_user_policy(&OP, &w.acct, &alice(), &arn, S, &meta())
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::NotFound {
                kind: "attached policy",
                ..
            }
        ),
        "{err:?}"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn inline_user_policies_grant_until_deleted(pool: PgPool) {
    let w = World::new(pool).await;
    let name: PolicyName = "Creators".parse().unwrap();
    w.iam
        .put_user_policy(&OP, &w.acct, &alice(), &name, ALLOW_CREATE, S, &meta())
        .await
        .unwrap();
    assert!(w.alice_can_create().await);
    // Putting the same name again replaces the document.
    w.iam
        .put_user_policy(&OP, &w.acct, &alice(), &name, ALLOW_GET, S, &meta())
        .await
        .unwrap();
    assert!(!w.alice_can_create().await);
    w.iam
        .delete_user_policy(&OP, &w.acct, &alice(), &name, S, &meta())
        .await
        .unwrap();
    let err = w
        .iam
        .delete_user_policy(&OP, &w.acct, &alice(), &name, S, &meta())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }));
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_users_inline_policies_together_may_have_2048_characters(pool: PgPool) {
    let w = World::new(pool).await;
    // Each document is about 900 characters without whitespace: two fit, a third does not.
    let actions: Vec<String> = (0..50).map(|_| "\"iam:GetUser\"".to_owned()).collect();
    let doc = format!(
        r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "Allow", "Action": [{}], "Resource": "*"}}}}"#,
        actions.join(",")
    );
    let size = gatehouse_policy::policy_size(&doc);
    assert!(size * 2 <= 2048 && size * 3 > 2048, "{size}");
    for i in 0..2 {
        let name: PolicyName = format!("p{i}").parse().unwrap();
        w.iam
            .put_user_policy(&OP, &w.acct, &alice(), &name, &doc, S, &meta())
            .await
            .unwrap();
    }
    // Replacing one of them does not count it twice.
    w.iam
        .put_user_policy(&OP, &w.acct, &alice(), &"p0".parse().unwrap(), &doc, S, &meta())
        .await
        .unwrap();
    let err = w
        .iam
        .put_user_policy(&OP, &w.acct, &alice(), &"p2".parse().unwrap(), &doc, S, &meta())
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "Cannot exceed quota for UserPolicySize: 2048.");
    assert_eq!(w.count("select count(*) from user_inline_policies").await, 2);
}

#[sqlx::test(migrations = "../../migrations")]
async fn removing_a_member_takes_the_groups_permissions_away(pool: PgPool) {
    let w = World::new(pool).await;
    let g: GroupName = "Creators".parse().unwrap();
    w.iam
        .create_group(&OP, &w.acct, g.clone(), IamPath::default(), S, &meta())
        .await
        .unwrap();
    w.iam
        .put_group_policy(
            &OP,
            &w.acct,
            &g,
            &"Inline".parse().unwrap(),
            ALLOW_CREATE,
            S,
            &meta(),
        )
        .await
        .unwrap();
    w.iam
        .add_user_to_group(&OP, &w.acct, &g, &alice(), S, &meta())
        .await
        .unwrap();
    assert!(w.alice_can_create().await);
    w.iam
        .remove_user_from_group(&OP, &w.acct, &g, &alice(), S, &meta())
        .await
        .unwrap();
    assert!(!w.alice_can_create().await);
    let err = w
        .iam
        .remove_user_from_group(&OP, &w.acct, &g, &alice(), S, &meta())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::NotFound { .. }));
}

#[sqlx::test(migrations = "../../migrations")]
async fn deleting_a_group_removes_members_detaches_and_deletes_inline_policies(pool: PgPool) {
    let w = World::new(pool).await;
    let g: GroupName = "Creators".parse().unwrap();
    let arn = w.policy("P", ALLOW_CREATE).await;
    w.iam
        .create_group(&OP, &w.acct, g.clone(), IamPath::default(), S, &meta())
        .await
        .unwrap();
    w.iam
        .attach_group_policy(&OP, &w.acct, &g, &arn, S, &meta())
        .await
        .unwrap();
    w.iam
        .put_group_policy(
            &OP,
            &w.acct,
            &g,
            &"Inline".parse().unwrap(),
            ALLOW_GET,
            S,
            &meta(),
        )
        .await
        .unwrap();
    w.iam
        .add_user_to_group(&OP, &w.acct, &g, &alice(), S, &meta())
        .await
        .unwrap();
    assert!(w.alice_can_create().await);
    w.iam.delete_group(&OP, &w.acct, &g, S, &meta()).await.unwrap();
    assert!(!w.alice_can_create().await);
    for table in [
        "iam_groups",
        "group_members",
        "group_policy_attachments",
        "group_inline_policies",
    ] {
        assert_eq!(
            w.count(&format!("select count(*) from {table}")).await,
            0,
            "{table}"
        );
    }
    let before: serde_json::Value =
        sqlx::query_scalar("select before_state from events where event_name = 'DeleteGroup'")
            .fetch_one(&w.pool)
            .await
            .unwrap();
    assert_eq!(before["members"], serde_json::json!(["alice"]));
    assert_eq!(before["attachedPolicies"], serde_json::json!(["P"]));
    assert_eq!(before["inlinePolicies"], serde_json::json!(["Inline"]));
    // Detached with the group, the policy can now be deleted.
    w.iam.delete_policy(&OP, &w.acct, &arn, S, &meta()).await.unwrap();
}
