//! Groups, memberships, customer managed policies and attachments on real Postgres (a fresh
//! database per test): the AWS tutorial path through the services, quotas, conflicts, invalid
//! documents, and authorization with `iam:PolicyARN` in the context.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use gatehouse_iam::*;
use sqlx::PgPool;

const READ_ONLY: &str = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";
const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

async fn account_id(iam: &Iam, email: &str) -> AccountId {
    account(iam, email).await.account_id
}

async fn group(iam: &Iam, actor: &Actor, account: &AccountId, name: &str) -> Result<CreatedGroup> {
    iam.create_group(
        actor,
        account,
        name.parse()?,
        IamPath::default(),
        Source::Console,
        &meta(),
    )
    .await
}

async fn add(iam: &Iam, actor: &Actor, account: &AccountId, group: &str, user: &str) -> Result<()> {
    iam.add_user_to_group(
        actor,
        account,
        &group.parse()?,
        &user.parse()?,
        Source::Console,
        &meta(),
    )
    .await
}

#[sqlx::test(migrations = "../../migrations")]
async fn tutorial_group_with_a_policy_gives_its_members_the_permissions(pool: PgPool) {
    let iam = iam(pool);
    let acct = account_id(&iam, "root@a.example").await;
    let admins = group(&iam, &OP, &acct, "Admins").await.unwrap();
    assert_eq!(admins.arn, format!("arn:aws:iam::{acct}:group/Admins"));
    assert!(admins.group_id.as_str().starts_with("AGPA"));
    iam.attach_group_policy(
        &OP,
        &acct,
        &"Admins".parse().unwrap(),
        ADMIN,
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    let (alice, _) = user(&iam, &acct, "alice").await;
    assert!(!can_create_user(&iam, &alice, &acct, "before").await);
    add(&iam, &OP, &acct, "admins", "ALICE").await.unwrap();
    assert!(can_create_user(&iam, &alice, &acct, "after").await);
    let events = iam.list_events(&OP, &acct, 20).await.unwrap();
    for name in ["CreateGroup", "AttachGroupPolicy", "AddUserToGroup"] {
        assert!(events.iter().any(|e| e.event_name == name), "no {name} event");
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn customer_policy_is_created_with_v1_and_grants_when_attached(pool: PgPool) {
    let iam = iam(pool);
    let acct = account_id(&iam, "root@a.example").await;
    let created = iam
        .create_policy(
            &OP,
            &acct,
            new_policy("DevUserCreators", r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:CreateUser", "Resource": "*"}}"#),
            Source::Console,
            &meta(),
        )
        .await
        .unwrap();
    assert_eq!(created.arn, format!("arn:aws:iam::{acct}:policy/DevUserCreators"));
    assert_eq!(created.default_version, "v1");
    let (alice, _) = user(&iam, &acct, "alice").await;
    iam.attach_user_policy(
        &OP,
        &acct,
        &"alice".parse().unwrap(),
        &created.arn,
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    assert!(can_create_user(&iam, &alice, &acct, "bob").await);
}

#[sqlx::test(migrations = "../../migrations")]
async fn an_invalid_document_is_refused_with_the_reason_and_nothing_is_written(pool: PgPool) {
    let iam = iam(pool.clone());
    let acct = account_id(&iam, "root@a.example").await;
    let err = iam
        .create_policy(
            &OP,
            &acct,
            new_policy("Broken", r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:CreatUser", "Resource": "*"}}"#),
            Source::Console,
            &meta(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::MalformedPolicyDocument(_)));
    assert!(err.to_string().contains("did you mean iam:CreateUser"), "{err}");
    assert_eq!(
        count(
            &pool,
            "select count(*) from managed_policies where account_id is not null"
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &pool,
            "select count(*) from events where event_name = 'CreatePolicy'"
        )
        .await,
        0
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn names_conflict_ignoring_case(pool: PgPool) {
    let iam = iam(pool);
    let acct = account_id(&iam, "root@a.example").await;
    group(&iam, &OP, &acct, "Developers").await.unwrap();
    let err = group(&iam, &OP, &acct, "developers").await.unwrap_err();
    assert_eq!(err.to_string(), "The group developers already exists.");
    let doc = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}}"#;
    iam.create_policy(&OP, &acct, new_policy("Readers", doc), Source::Console, &meta())
        .await
        .unwrap();
    let err = iam
        .create_policy(&OP, &acct, new_policy("READERS", doc), Source::Console, &meta())
        .await
        .unwrap_err();
    assert!(
        matches!(err, Error::AlreadyExists { kind: "policy", .. }),
        "{err:?}"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_user_can_be_in_at_most_ten_groups(pool: PgPool) {
    let iam = iam(pool.clone());
    let acct = account_id(&iam, "root@a.example").await;
    user(&iam, &acct, "alice").await;
    for i in 0..11 {
        group(&iam, &OP, &acct, &format!("g{i}")).await.unwrap();
    }
    for i in 0..10 {
        add(&iam, &OP, &acct, &format!("g{i}"), "alice").await.unwrap();
    }
    // Adding to a group it is already in changes nothing and is not an error.
    add(&iam, &OP, &acct, "g3", "alice").await.unwrap();
    let err = add(&iam, &OP, &acct, "g10", "alice").await.unwrap_err();
    assert_eq!(err.to_string(), "Cannot exceed quota for GroupsPerUser: 10.");
    assert_eq!(count(&pool, "select count(*) from group_members").await, 10);
}

#[sqlx::test(migrations = "../../migrations")]
async fn quotas_are_configurable(pool: PgPool) {
    let iam = iam_with(
        pool,
        Quotas {
            policies_per_group: 1,
            ..Quotas::default()
        },
    );
    let acct = account_id(&iam, "root@a.example").await;
    group(&iam, &OP, &acct, "g").await.unwrap();
    let g: GroupName = "g".parse().unwrap();
    iam.attach_group_policy(&OP, &acct, &g, READ_ONLY, Source::Console, &meta())
        .await
        .unwrap();
    let err = iam
        .attach_group_policy(&OP, &acct, &g, ADMIN, Source::Console, &meta())
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "Cannot exceed quota for PoliciesPerGroup: 1.");
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_user_can_have_at_most_ten_attached_policies(pool: PgPool) {
    let iam = iam(pool);
    let acct = account_id(&iam, "root@a.example").await;
    user(&iam, &acct, "alice").await;
    let alice: UserName = "alice".parse().unwrap();
    for i in 0..11 {
        let doc = format!(
            r#"{{"Version": "2012-10-17", "Statement": {{"Sid": "S{i}", "Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}}}}"#
        );
        let p = iam
            .create_policy(
                &OP,
                &acct,
                new_policy(&format!("p{i}"), &doc),
                Source::Console,
                &meta(),
            )
            .await
            .unwrap();
        let result = iam
            .attach_user_policy(&OP, &acct, &alice, &p.arn, Source::Console, &meta())
            .await;
        if i < 10 {
            result.unwrap();
            // Attaching again changes nothing.
            iam.attach_user_policy(&OP, &acct, &alice, &p.arn, Source::Console, &meta())
                .await
                .unwrap();
        } else {
            assert_eq!(
                result.unwrap_err().to_string(),
                "Cannot exceed quota for PoliciesPerUser: 10."
            );
        }
    }
}

/// Lets `user` attach the read-only policy and nothing else (a classic delegation pattern).
async fn may_attach_only_read_only(iam: &Iam, acct: &AccountId, user: &str) {
    let p = iam
        .create_policy(
            &OP,
            acct,
            new_policy(
                "AttachReadOnlyOnly",
                r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:AttachUserPolicy", "Resource": "*",
                    "Condition": {"ArnEquals": {"iam:PolicyARN": "arn:aws:iam::aws:policy/IAMReadOnlyAccess"}}}}"#,
            ),
            Source::Console,
            &meta(),
        )
        .await
        .unwrap();
    iam.attach_user_policy(
        &OP,
        acct,
        &user.parse().unwrap(),
        &p.arn,
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
}

#[sqlx::test(migrations = "../../migrations")]
async fn attach_is_authorized_with_the_policy_arn_in_the_context(pool: PgPool) {
    let iam = iam(pool);
    let acct = account_id(&iam, "root@a.example").await;
    let (delegate, _) = user(&iam, &acct, "delegate").await;
    user(&iam, &acct, "bob").await;
    may_attach_only_read_only(&iam, &acct, "delegate").await;
    let bob: UserName = "bob".parse().unwrap();
    iam.attach_user_policy(&delegate, &acct, &bob, READ_ONLY, Source::Console, &meta())
        .await
        .unwrap();
    let err = iam
        .attach_user_policy(&delegate, &acct, &bob, ADMIN, Source::Console, &meta())
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("User: arn:aws:iam::{acct}:user/delegate is not authorized to perform: iam:AttachUserPolicy on resource: arn:aws:iam::{acct}:user/bob")
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn attaching_an_attached_policy_again_changes_nothing_but_is_authorized_and_recorded(pool: PgPool) {
    let iam = iam(pool.clone());
    let acct = account_id(&iam, "root@a.example").await;
    let (delegate, _) = user(&iam, &acct, "delegate").await;
    let (_, bob_user) = user(&iam, &acct, "bob").await;
    may_attach_only_read_only(&iam, &acct, "delegate").await;
    let bob: UserName = "bob".parse().unwrap();
    iam.attach_user_policy(&OP, &acct, &bob, ADMIN, Source::Console, &meta())
        .await
        .unwrap();
    // Attached already, and still not the delegate's to attach.
    let err = iam
        .attach_user_policy(&delegate, &acct, &bob, ADMIN, Source::Console, &meta())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AccessDenied { .. }), "{err}");
    for _ in 0..2 {
        iam.attach_user_policy(&delegate, &acct, &bob, READ_ONLY, Source::Console, &meta())
            .await
            .unwrap();
    }
    let attached: i64 = sqlx::query_scalar("select count(*) from user_policy_attachments where user_id = $1")
        .bind(bob_user.user_id.as_str())
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(
        attached, 2,
        "AdministratorAccess and IAMReadOnlyAccess, once each"
    );
    let recorded: Vec<(Option<String>, String, Option<bool>)> = sqlx::query_as(
        "select actor_arn, request->>'policyArn', (request->>'alreadyAttached')::boolean
           from events where event_name = 'AttachUserPolicy' and resource_arn like '%:user/bob'
          order by event_id",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let delegate_arn = format!("arn:aws:iam::{acct}:user/delegate");
    assert_eq!(
        recorded,
        vec![
            (None, ADMIN.to_owned(), None),
            (Some(delegate_arn.clone()), READ_ONLY.to_owned(), None),
            (Some(delegate_arn), READ_ONLY.to_owned(), Some(true)),
        ]
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_customer_managed_policys_tags_are_its_resource_tags_for_authorization(pool: PgPool) {
    let iam = iam(pool);
    let acct = account_id(&iam, "root@a.example").await;
    let (dev, _) = user(&iam, &acct, "dev").await;
    let mut arns = Vec::new();
    for team in ["blue", "red"] {
        let p = iam
            .create_policy(
                &OP,
                &acct,
                new_policy(&format!("{team}-policy"), r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}"#),
                Source::Console,
                &meta(),
            )
            .await
            .unwrap();
        let tag = Tag {
            key: "team".into(),
            value: team.into(),
        };
        iam.tag_policy(&OP, &acct, &p.arn, &[tag], Source::Console, &meta())
            .await
            .unwrap();
        arns.push(p.arn);
    }
    // dev may read, tag and delete the blue team's policies only.
    let rule = iam
        .create_policy(
            &OP,
            &acct,
            new_policy(
                "BlueTeamPolicies",
                r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
                    "Action": ["iam:GetPolicy", "iam:TagPolicy", "iam:DeletePolicy"], "Resource": "*",
                    "Condition": {"StringEquals": {"aws:ResourceTag/team": "blue"}}}}"#,
            ),
            Source::Console,
            &meta(),
        )
        .await
        .unwrap();
    iam.attach_user_policy(
        &OP,
        &acct,
        &"dev".parse().unwrap(),
        &rule.arn,
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    let (blue, red) = (&arns[0], &arns[1]);
    assert!(iam.get_policy(&dev, &acct, blue).await.is_ok());
    let denied = |r: Result<()>| matches!(r, Err(Error::AccessDenied { .. }));
    assert!(denied(iam.get_policy(&dev, &acct, red).await.map(|_| ())));
    let owner = [Tag {
        key: "owner".into(),
        value: "dev".into(),
    }];
    assert!(denied(
        iam.tag_policy(&dev, &acct, red, &owner, Source::Console, &meta())
            .await
    ));
    iam.tag_policy(&dev, &acct, blue, &owner, Source::Console, &meta())
        .await
        .unwrap();
    assert!(denied(
        iam.delete_policy(&dev, &acct, red, Source::Console, &meta())
            .await
    ));
    iam.delete_policy(&dev, &acct, blue, Source::Console, &meta())
        .await
        .unwrap();
    // A policy that does not exist has no tags: refused, as AWS refuses before it looks.
    let missing = format!("arn:aws:iam::{acct}:policy/missing");
    assert!(denied(iam.get_policy(&dev, &acct, &missing).await.map(|_| ())));
}

#[sqlx::test(migrations = "../../migrations")]
async fn only_system_and_own_policies_can_be_attached(pool: PgPool) {
    let iam = iam(pool);
    let a = account_id(&iam, "root@a.example").await;
    let b = account_id(&iam, "root@b.example").await;
    user(&iam, &a, "alice").await;
    let doc =
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#;
    let foreign = iam
        .create_policy(&OP, &b, new_policy("Theirs", doc), Source::Console, &meta())
        .await
        .unwrap();
    let alice: UserName = "alice".parse().unwrap();
    for arn in [
        foreign.arn.as_str(),
        "arn:aws:iam::aws:policy/NoSuchPolicy",
        "not-an-arn",
    ] {
        let err = iam
            .attach_user_policy(&OP, &a, &alice, arn, Source::Console, &meta())
            .await
            .unwrap_err();
        assert!(
            matches!(err, Error::NotFound { kind: "policy", .. }),
            "{arn}: {err:?}"
        );
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn unknown_groups_and_users_are_reported_by_name(pool: PgPool) {
    let iam = iam(pool);
    let acct = account_id(&iam, "root@a.example").await;
    group(&iam, &OP, &acct, "g").await.unwrap();
    assert_eq!(
        add(&iam, &OP, &acct, "nope", "alice")
            .await
            .unwrap_err()
            .to_string(),
        "The group nope cannot be found."
    );
    assert_eq!(
        add(&iam, &OP, &acct, "g", "ghost").await.unwrap_err().to_string(),
        "The user ghost cannot be found."
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_user_without_permission_cannot_create_groups_or_policies(pool: PgPool) {
    let iam = iam(pool.clone());
    let acct = account_id(&iam, "root@a.example").await;
    let (alice, _) = user(&iam, &acct, "alice").await;
    assert!(matches!(
        group(&iam, &alice, &acct, "g").await,
        Err(Error::AccessDenied { .. })
    ));
    let doc =
        r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#;
    let err = iam
        .create_policy(
            &alice,
            &acct,
            new_policy("Escalate", doc),
            Source::Console,
            &meta(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::AccessDenied { .. }));
    assert_eq!(count(&pool, "select count(*) from iam_groups").await, 0);
    assert_eq!(
        count(
            &pool,
            "select count(*) from managed_policies where account_id is not null"
        )
        .await,
        0
    );
}

fn new_group(name: &str, policies: &[&str], members: &[&str]) -> NewGroup {
    NewGroup {
        name: name.parse().unwrap(),
        path: IamPath::default(),
        policy_arns: policies.iter().map(|p| (*p).to_owned()).collect(),
        members: members.iter().map(|m| m.parse().unwrap()).collect(),
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn create_group_with_policies_and_members_in_one_go(pool: PgPool) {
    let iam = iam(pool.clone());
    let acct = account_id(&iam, "root@a.example").await;
    let (alice, _) = user(&iam, &acct, "alice").await;
    user(&iam, &acct, "bob").await;
    iam.create_group_with(
        &OP,
        &acct,
        new_group("Admins", &[ADMIN, READ_ONLY, ADMIN], &["alice", "BOB"]),
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    assert_eq!(
        count(&pool, "select count(*) from group_policy_attachments").await,
        2
    );
    assert_eq!(count(&pool, "select count(*) from group_members").await, 2);
    assert!(can_create_user(&iam, &alice, &acct, "carol").await);
    assert_eq!(count(&pool, "select count(*) from events where event_name in ('CreateGroup', 'AttachGroupPolicy', 'AddUserToGroup')").await, 5);
}

#[sqlx::test(migrations = "../../migrations")]
async fn create_group_is_all_or_nothing(pool: PgPool) {
    let iam = iam(pool.clone());
    let acct = account_id(&iam, "root@a.example").await;
    user(&iam, &acct, "alice").await;
    let bad_policy = new_group("G1", &[ADMIN, "arn:aws:iam::aws:policy/NoSuchPolicy"], &["alice"]);
    assert!(matches!(
        iam.create_group_with(&OP, &acct, bad_policy, Source::Console, &meta())
            .await,
        Err(Error::NotFound { kind: "policy", .. })
    ));
    let bad_member = new_group("G2", &[ADMIN], &["alice", "ghost"]);
    assert!(matches!(
        iam.create_group_with(&OP, &acct, bad_member, Source::Console, &meta())
            .await,
        Err(Error::NotFound { kind: "user", .. })
    ));
    for table in ["iam_groups", "group_members", "group_policy_attachments"] {
        assert_eq!(
            count(&pool, &format!("select count(*) from {table}")).await,
            0,
            "{table}"
        );
    }
    assert_eq!(
        count(
            &pool,
            "select count(*) from events where event_name = 'CreateGroup'"
        )
        .await,
        0
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn create_group_authorizes_every_part_before_writing(pool: PgPool) {
    let iam = iam(pool.clone());
    let acct = account_id(&iam, "root@a.example").await;
    let (alice, _) = user(&iam, &acct, "alice").await;
    let p = iam
        .create_policy(
            &OP,
            &acct,
            new_policy("GroupsOnly", r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:CreateGroup", "Resource": "*"}}"#),
            Source::Console,
            &meta(),
        )
        .await
        .unwrap();
    iam.attach_user_policy(
        &OP,
        &acct,
        &"alice".parse().unwrap(),
        &p.arn,
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    // May create a plain group, but not attach a policy to it.
    iam.create_group_with(
        &alice,
        &acct,
        new_group("Plain", &[], &[]),
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    let err = iam
        .create_group_with(
            &alice,
            &acct,
            new_group("WithAdmin", &[ADMIN], &[]),
            Source::Console,
            &meta(),
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("iam:AttachGroupPolicy"), "{err}");
    assert_eq!(count(&pool, "select count(*) from iam_groups").await, 1);
}

#[sqlx::test(migrations = "../../migrations")]
async fn list_groups_shows_counts_sorted_by_name_to_those_allowed(pool: PgPool) {
    let iam = iam(pool.clone());
    let acct = account_id(&iam, "root@a.example").await;
    let (alice, created) = user(&iam, &acct, "alice").await;
    assert!(matches!(
        iam.list_groups(&alice, &acct).await,
        Err(Error::AccessDenied { .. })
    ));
    iam.create_group_with(
        &OP,
        &acct,
        new_group("zeta", &[READ_ONLY], &["alice"]),
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    iam.create_group(
        &OP,
        &acct,
        "Alpha".parse().unwrap(),
        "/team/".parse().unwrap(),
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    iam.attach_user_policy(
        &OP,
        &acct,
        &created.user_name,
        READ_ONLY,
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    let groups = iam.list_groups(&alice, &acct).await.unwrap();
    let rows: Vec<(&str, i64, i64)> = groups
        .iter()
        .map(|g| (g.name.as_str(), g.users, g.policies))
        .collect();
    assert_eq!(rows, [("Alpha", 0, 0), ("zeta", 1, 1)]);
    assert_eq!(groups[0].arn, format!("arn:aws:iam::{acct}:group/team/Alpha"));
}

#[sqlx::test(migrations = "../../migrations")]
async fn list_policies_filters_by_type_and_counts_attachments_in_this_account(pool: PgPool) {
    let iam = iam(pool);
    let a = account_id(&iam, "root@a.example").await;
    let b = account_id(&iam, "root@b.example").await;
    user(&iam, &a, "alice").await;
    user(&iam, &b, "bob").await;
    let doc = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}}"#;
    let mine = iam
        .create_policy(&OP, &a, new_policy("Mine", doc), Source::Console, &meta())
        .await
        .unwrap();
    iam.create_policy(&OP, &b, new_policy("Theirs", doc), Source::Console, &meta())
        .await
        .unwrap();
    iam.attach_user_policy(
        &OP,
        &a,
        &"alice".parse().unwrap(),
        READ_ONLY,
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    iam.attach_user_policy(
        &OP,
        &b,
        &"bob".parse().unwrap(),
        READ_ONLY,
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    let all = iam.list_policies(&OP, &a, PolicyScope::All).await.unwrap();
    let names: Vec<&str> = all.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "AdministratorAccess",
            "IAMFullAccess",
            "IAMReadOnlyAccess",
            "IAMSelfManageCredentialsWithMFA",
            "IAMUserChangePassword",
            "Mine"
        ]
    );
    let read_only = all.iter().find(|p| p.name == "IAMReadOnlyAccess").unwrap();
    assert_eq!(
        (
            read_only.attachments,
            read_only.system,
            read_only.default_version.as_str()
        ),
        (1, true, "v4")
    );
    assert_eq!(read_only.arn, READ_ONLY);
    let customer = iam.list_policies(&OP, &a, PolicyScope::Customer).await.unwrap();
    assert_eq!(customer.len(), 1);
    assert_eq!(customer[0].arn, mine.arn);
    assert!(!customer[0].system);
    assert_eq!(
        iam.list_policies(&OP, &a, PolicyScope::System)
            .await
            .unwrap()
            .len(),
        5
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn detaching_a_group_policy_takes_its_permissions_from_members(pool: PgPool) {
    let iam = iam(pool);
    let acct = account_id(&iam, "root@a.example").await;
    let (alice, _) = user(&iam, &acct, "alice").await;
    iam.create_group_with(
        &OP,
        &acct,
        new_group("Admins", &[ADMIN], &["alice"]),
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    assert!(can_create_user(&iam, &alice, &acct, "bob").await);
    let admins: GroupName = "admins".parse().unwrap();
    iam.detach_group_policy(&OP, &acct, &admins, ADMIN, Source::Console, &meta())
        .await
        .unwrap();
    assert!(!can_create_user(&iam, &alice, &acct, "carol").await);
    let err = iam
        .detach_group_policy(&OP, &acct, &admins, ADMIN, Source::Console, &meta())
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
async fn a_groups_inline_policies_have_their_own_size_quota(pool: PgPool) {
    let iam = iam_with(
        pool.clone(),
        Quotas {
            group_inline_size: 150,
            ..Quotas::default()
        },
    );
    let acct = account_id(&iam, "root@a.example").await;
    group(&iam, &OP, &acct, "g").await.unwrap();
    let g: GroupName = "g".parse().unwrap();
    let doc = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}}"#;
    iam.put_group_policy(
        &OP,
        &acct,
        &g,
        &"one".parse().unwrap(),
        doc,
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    let err = iam
        .put_group_policy(
            &OP,
            &acct,
            &g,
            &"two".parse().unwrap(),
            doc,
            Source::Console,
            &meta(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "Cannot exceed quota for GroupPolicySize: 150.");
    assert_eq!(
        count(&pool, "select count(*) from group_inline_policies").await,
        1
    );
}
