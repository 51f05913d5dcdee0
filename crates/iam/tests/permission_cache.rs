//! The permission cache never decides on stale permissions: every kind of change that can alter
//! what a user may do raises the permissions epoch in its own transaction, and a principal read at
//! the new epoch gets an answer that reflects the change at once. Also: the request context keys
//! the console fills in (aws:SourceIp, aws:UserAgent, aws:SecureTransport).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use gatehouse_iam::*;
use sqlx::PgPool;

const OP: Actor = Actor::Operator;

/// The actor as a console request would present it: with the current permissions epoch.
async fn now(pool: &PgPool, actor: &Actor) -> Actor {
    let Actor::Principal(p) = actor else {
        panic!("a principal")
    };
    let epoch: i64 = sqlx::query_scalar("select epoch from permissions_epoch")
        .fetch_one(pool)
        .await
        .unwrap();
    Actor::Principal(Principal {
        permissions_epoch: Some(epoch),
        ..p.clone()
    })
}

async fn may(iam: &Iam, actor: &Actor, account: &AccountId, action: &str) -> bool {
    let resource = format!("arn:aws:iam::{account}:user/*");
    iam.allows(actor, action, &resource, account).await.unwrap()
}

const ALLOW_LIST: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}"#;
const DENY_LIST: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ListUsers","Resource":"*"}]}"#;
const ALLOW_GET: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}"#;

#[sqlx::test(migrations = "../../migrations")]
async fn every_kind_of_change_is_seen_by_the_next_request(pool: PgPool) {
    let iam = iam(pool.clone());
    let acme = account(&iam, "root@acme.example").await;
    let acct = &acme.account_id;
    let (bob, created) = user(&iam, acct, "bob").await;
    let bob_name = created.user_name.clone();
    let m = meta();
    let src = || Source::Console;

    let before = now(&pool, &bob).await;
    assert!(
        !may(&iam, &before, acct, "iam:ListUsers").await,
        "no policies yet"
    );

    // A directly attached managed policy.
    let listing = iam
        .create_policy(&OP, acct, new_policy("Listing", ALLOW_LIST), src(), &m)
        .await
        .unwrap();
    iam.attach_user_policy(&OP, acct, &bob_name, &listing.arn, src(), &m)
        .await
        .unwrap();
    // The cache is in use: a request still at the old epoch gets the answer cached at it...
    assert!(
        !may(&iam, &before, acct, "iam:ListUsers").await,
        "cached at the old epoch"
    );
    // ...and the next request, which reads the new epoch, sees the change.
    assert!(
        may(&iam, &now(&pool, &bob).await, acct, "iam:ListUsers").await,
        "attach"
    );

    // A group with a Deny inline policy, then membership.
    let ops: GroupName = "ops".parse().unwrap();
    iam.create_group(&OP, acct, ops.clone(), IamPath::default(), src(), &m)
        .await
        .unwrap();
    let deny: PolicyName = "NoListing".parse().unwrap();
    iam.put_group_policy(&OP, acct, &ops, &deny, DENY_LIST, src(), &m)
        .await
        .unwrap();
    assert!(
        may(&iam, &now(&pool, &bob).await, acct, "iam:ListUsers").await,
        "not a member yet"
    );
    iam.add_user_to_group(&OP, acct, &ops, &bob_name, src(), &m)
        .await
        .unwrap();
    assert!(
        !may(&iam, &now(&pool, &bob).await, acct, "iam:ListUsers").await,
        "group Deny"
    );
    iam.delete_group_policy(&OP, acct, &ops, &deny, src(), &m)
        .await
        .unwrap();
    assert!(
        may(&iam, &now(&pool, &bob).await, acct, "iam:ListUsers").await,
        "Deny deleted"
    );

    // A managed policy attached to the group; then leaving the group.
    let getting = iam
        .create_policy(&OP, acct, new_policy("Getting", ALLOW_GET), src(), &m)
        .await
        .unwrap();
    iam.attach_group_policy(&OP, acct, &ops, &getting.arn, src(), &m)
        .await
        .unwrap();
    assert!(
        may(&iam, &now(&pool, &bob).await, acct, "iam:GetUser").await,
        "group attach"
    );
    iam.remove_user_from_group(&OP, acct, &ops, &bob_name, src(), &m)
        .await
        .unwrap();
    assert!(
        !may(&iam, &now(&pool, &bob).await, acct, "iam:GetUser").await,
        "left the group"
    );

    // A new default version, and the rollback.
    iam.create_policy_version(&OP, acct, &listing.arn, ALLOW_GET, true, src(), &m)
        .await
        .unwrap();
    let actor = now(&pool, &bob).await;
    assert!(
        !may(&iam, &actor, acct, "iam:ListUsers").await,
        "v2 no longer lists"
    );
    assert!(may(&iam, &actor, acct, "iam:GetUser").await, "v2 gets");
    iam.set_default_policy_version(&OP, acct, &listing.arn, "v1", src(), &m)
        .await
        .unwrap();
    assert!(
        may(&iam, &now(&pool, &bob).await, acct, "iam:ListUsers").await,
        "rolled back"
    );

    // A permissions boundary that does not allow listing.
    iam.put_user_boundary(&OP, acct, &bob_name, &getting.arn, src(), &m)
        .await
        .unwrap();
    assert!(
        !may(&iam, &now(&pool, &bob).await, acct, "iam:ListUsers").await,
        "boundary"
    );
    iam.delete_user_boundary(&OP, acct, &bob_name, src(), &m)
        .await
        .unwrap();
    assert!(
        may(&iam, &now(&pool, &bob).await, acct, "iam:ListUsers").await,
        "boundary gone"
    );

    // A user inline policy conditioned on the user's own tag.
    let tagged: PolicyName = "TeamOnly".parse().unwrap();
    let team_deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ListUsers","Resource":"*",
        "Condition":{"StringEquals":{"aws:PrincipalTag/team":"blue"}}}]}"#;
    iam.put_user_policy(&OP, acct, &bob_name, &tagged, team_deny, src(), &m)
        .await
        .unwrap();
    assert!(
        may(&iam, &now(&pool, &bob).await, acct, "iam:ListUsers").await,
        "untagged"
    );
    iam.tag_user(
        &OP,
        acct,
        &bob_name,
        &[Tag::new("team", "blue").unwrap()],
        src(),
        &m,
    )
    .await
    .unwrap();
    assert!(
        !may(&iam, &now(&pool, &bob).await, acct, "iam:ListUsers").await,
        "tagged blue"
    );
    iam.delete_user_policy(&OP, acct, &bob_name, &tagged, src(), &m)
        .await
        .unwrap();
    assert!(
        may(&iam, &now(&pool, &bob).await, acct, "iam:ListUsers").await,
        "inline deleted"
    );

    // Detaching.
    iam.detach_user_policy(&OP, acct, &bob_name, &listing.arn, src(), &m)
        .await
        .unwrap();
    assert!(
        !may(&iam, &now(&pool, &bob).await, acct, "iam:ListUsers").await,
        "detached"
    );
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_change_rolled_back_does_not_move_the_epoch_and_a_read_does_not_either(pool: PgPool) {
    let iam = iam(pool.clone());
    let acme = account(&iam, "root@acme.example").await;
    let acct = &acme.account_id;
    let (bob, created) = user(&iam, acct, "bob").await;
    let epoch = || async {
        sqlx::query_scalar::<_, i64>("select epoch from permissions_epoch")
            .fetch_one(&pool)
            .await
            .unwrap()
    };
    let start = epoch().await;
    // Reads and a refused change leave it alone.
    iam.get_user(&OP, acct, &created.user_name).await.unwrap();
    let refused = iam
        .attach_user_policy(
            &bob,
            acct,
            &created.user_name,
            "arn:aws:iam::aws:policy/AdministratorAccess",
            Source::Console,
            &meta(),
        )
        .await;
    assert!(matches!(refused, Err(Error::AccessDenied { .. })), "{refused:?}");
    assert_eq!(epoch().await, start);
    // A change that fails half-way (a quota) is rolled back with its epoch.
    let quotas = Quotas {
        policies_per_user: 1,
        ..Quotas::default()
    };
    let strict = iam_with(pool.clone(), quotas);
    strict
        .attach_user_policy(
            &OP,
            acct,
            &created.user_name,
            "arn:aws:iam::aws:policy/IAMReadOnlyAccess",
            Source::Console,
            &meta(),
        )
        .await
        .unwrap();
    let moved = epoch().await;
    assert!(moved > start, "an attachment raises the epoch");
    let over = strict
        .attach_user_policy(
            &OP,
            acct,
            &created.user_name,
            "arn:aws:iam::aws:policy/IAMFullAccess",
            Source::Console,
            &meta(),
        )
        .await;
    assert!(over.is_err(), "over the quota");
    assert_eq!(epoch().await, moved, "nothing changed, nothing moved");
}

#[sqlx::test(migrations = "../../migrations")]
async fn source_ip_user_agent_and_secure_transport_are_in_the_context(pool: PgPool) {
    let iam = iam(pool.clone());
    let acme = account(&iam, "root@acme.example").await;
    let acct = &acme.account_id;
    let (bob, created) = user(&iam, acct, "bob").await;
    let doc = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"iam:ListUsers","Resource":"*",
         "Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}},
        {"Effect":"Allow","Action":"iam:GetUser","Resource":"*",
         "Condition":{"StringLike":{"aws:UserAgent":"Mozilla/*"}}},
        {"Effect":"Deny","Action":"iam:GetUser","Resource":"*",
         "Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;
    let name: PolicyName = "Network".parse().unwrap();
    iam.put_user_policy(
        &OP,
        acct,
        &created.user_name,
        &name,
        doc,
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    let from = |ip: &str, agent: &str, tls: bool| {
        let Actor::Principal(p) = &bob else { unreachable!() };
        Actor::Principal(Principal {
            request: RequestMeta {
                source_ip: Some(ip.into()),
                user_agent: Some(agent.into()),
                secure_transport: tls,
                console_session: None,
                access_key_id: None,
            },
            ..p.clone()
        })
    };
    assert!(may(&iam, &from("192.0.2.77", "curl/8", true), acct, "iam:ListUsers").await);
    assert!(!may(&iam, &from("198.51.100.1", "curl/8", true), acct, "iam:ListUsers").await);
    assert!(
        may(
            &iam,
            &from("192.0.2.77", "Mozilla/5.0", true),
            acct,
            "iam:GetUser"
        )
        .await
    );
    assert!(
        !may(&iam, &from("192.0.2.77", "curl/8", true), acct, "iam:GetUser").await,
        "agent"
    );
    assert!(
        !may(
            &iam,
            &from("192.0.2.77", "Mozilla/5.0", false),
            acct,
            "iam:GetUser"
        )
        .await,
        "plain http"
    );
    // Without a request (the CLI, a service call) the keys are absent: IpAddress fails closed.
    assert!(!may(&iam, &bob, acct, "iam:ListUsers").await);
}

#[sqlx::test(migrations = "../../migrations")]
async fn tag_actions_carry_request_tags_and_tag_keys_and_users_their_resource_tags(pool: PgPool) {
    let iam = iam(pool.clone());
    let acme = account(&iam, "root@acme.example").await;
    let acct = &acme.account_id;
    let (bob, bob_user) = user(&iam, acct, "bob").await;
    let (_, carol) = user(&iam, acct, "carol").await;
    let (_, dave) = user(&iam, acct, "dave").await;
    let doc = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":["iam:TagUser","iam:UntagUser"],"Resource":"*",
         "Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team"]}}},
        {"Effect":"Deny","Action":"iam:TagUser","Resource":"*",
         "Condition":{"StringNotEquals":{"aws:RequestTag/team":["blue","red"]}}},
        {"Effect":"Allow","Action":"iam:UpdateUser","Resource":"*",
         "Condition":{"StringEquals":{"aws:ResourceTag/team":"blue"}}}]}"#;
    let name: PolicyName = "TeamTagging".parse().unwrap();
    iam.put_user_policy(
        &OP,
        acct,
        &bob_user.user_name,
        &name,
        doc,
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    let tag = |key: &str, value: &str| Tag::new(key, value).unwrap();
    let denied = |r: Result<()>| matches!(r, Err(Error::AccessDenied { .. }));
    let src = Source::Console;
    let m = meta();

    let carol_name = &carol.user_name;
    assert!(denied(
        iam.tag_user(&bob, acct, carol_name, &[tag("team", "green")], src, &m)
            .await
    ));
    assert!(denied(
        iam.tag_user(
            &bob,
            acct,
            carol_name,
            &[tag("team", "blue"), tag("cost", "x")],
            src,
            &m
        )
        .await
    ));
    // Untagged, carol may not be disabled by bob.
    assert!(denied(
        iam.set_user_disabled(&bob, acct, carol_name, true, src, &m).await
    ));
    iam.tag_user(&bob, acct, carol_name, &[tag("team", "blue")], src, &m)
        .await
        .unwrap();
    // Tagged team=blue, she may; dave, untagged, still may not.
    iam.set_user_disabled(&bob, acct, carol_name, true, src, &m)
        .await
        .unwrap();
    assert!(denied(
        iam.set_user_disabled(&bob, acct, &dave.user_name, true, src, &m)
            .await
    ));
    iam.tag_user(&OP, acct, carol_name, &[tag("cost", "x")], src, &m)
        .await
        .unwrap();
    assert!(denied(
        iam.untag_user(&bob, acct, carol_name, &["cost".into()], src, &m)
            .await
    ));
    iam.untag_user(&bob, acct, carol_name, &["team".into()], src, &m)
        .await
        .unwrap();
    assert_eq!(
        iam.get_user(&OP, acct, carol_name).await.unwrap().tags,
        vec![tag("cost", "x")]
    );
}
