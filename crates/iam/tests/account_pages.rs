//! The dashboard summary, the account alias and the event history's filters and pages, on real
//! Postgres (a fresh database per test).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use gatehouse_iam::*;
use sqlx::PgPool;

#[sqlx::test(migrations = "../../migrations")]
async fn the_summary_counts_the_accounts_own_entities_only(pool: PgPool) {
    let iam = iam(pool);
    let a = account(&iam, "root@a.example").await.account_id;
    let b = account(&iam, "root@b.example").await.account_id;
    for name in ["u1", "u2"] {
        create_user(&iam, &OP, &a, name, "/").await.unwrap();
    }
    create_user(&iam, &OP, &b, "other", "/").await.unwrap();
    iam.create_group(
        &OP,
        &a,
        "G".parse().unwrap(),
        IamPath::default(),
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    let s = iam.account_summary(&OP, &a).await.unwrap();
    assert_eq!(
        (s.users, s.groups, s.customer_policies, s.console_users),
        (2, 1, 0, 0)
    );
    let (nobody, _) = user(&iam, &a, "nobody").await;
    assert!(matches!(
        iam.account_summary(&nobody, &a).await,
        Err(Error::AccessDenied { .. })
    ));
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_alias_is_set_replaced_unique_and_removed_with_events(pool: PgPool) {
    let iam = iam(pool.clone());
    let a = account(&iam, "root@a.example").await.account_id;
    let b = account(&iam, "root@b.example").await.account_id;
    iam.set_account_alias(&OP, &a, &"acme".parse().unwrap(), &meta())
        .await
        .unwrap();
    iam.set_account_alias(&OP, &a, &"acme-corp".parse().unwrap(), &meta())
        .await
        .unwrap();
    let found = iam
        .find_account(&AccountRef::parse("acme-corp").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.account_id, a);
    let taken = iam
        .set_account_alias(&OP, &b, &"acme-corp".parse().unwrap(), &meta())
        .await
        .unwrap_err();
    assert!(
        matches!(
            taken,
            Error::AlreadyExists {
                kind: "account alias",
                ..
            }
        ),
        "{taken:?}"
    );
    iam.delete_account_alias(&OP, &a, &meta()).await.unwrap();
    assert!(iam
        .find_account(&AccountRef::parse("acme-corp").unwrap())
        .await
        .unwrap()
        .is_none());
    assert!(matches!(
        iam.delete_account_alias(&OP, &a, &meta()).await,
        Err(Error::NotFound { .. })
    ));
    let events = iam.list_events(&OP, &a, 10).await.unwrap();
    let names: Vec<&str> = events.iter().map(|e| e.event_name.as_str()).collect();
    assert_eq!(
        &names[..3],
        ["DeleteAccountAlias", "CreateAccountAlias", "CreateAccountAlias"]
    );
    assert_eq!(events[1].before_state.as_ref().unwrap()["accountAlias"], "acme");
    assert_eq!(
        events[1].after_state.as_ref().unwrap()["accountAlias"],
        "acme-corp"
    );
    let (nobody, _) = user(&iam, &a, "nobody").await;
    let denied = iam
        .set_account_alias(&nobody, &a, &"mine".parse().unwrap(), &meta())
        .await;
    assert!(matches!(denied, Err(Error::AccessDenied { .. })));
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_event_history_filters_by_who_and_name_and_pages_by_key(pool: PgPool) {
    let iam = iam(pool);
    let a = account(&iam, "root@a.example").await.account_id;
    for i in 0..7 {
        create_user(&iam, &OP, &a, &format!("user{i}"), "/")
            .await
            .unwrap();
    }
    iam.create_group(
        &OP,
        &a,
        "Team".parse().unwrap(),
        IamPath::default(),
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    let page = |who: Option<&str>, name: Option<&str>, before| EventQuery {
        who: who.map(str::to_owned),
        event_name: name.map(str::to_owned),
        before,
        limit: 3,
        ..EventQuery::default()
    };
    // CreateUser events, newest first, three at a time, without repeats or gaps.
    let mut seen = Vec::new();
    let mut before = None;
    loop {
        let p = iam
            .search_events(&OP, &a, &page(None, Some("CreateUser"), before))
            .await
            .unwrap();
        assert!(p.events.iter().all(|e| e.event_name == "CreateUser"));
        seen.extend(p.events.iter().map(|e| e.resource_arn.clone().unwrap()));
        match p.next {
            Some(key) => before = Some(key),
            None => break,
        }
    }
    let expected: Vec<String> = (0..7)
        .rev()
        .map(|i| format!("arn:aws:iam::{a}:user/user{i}"))
        .collect();
    assert_eq!(seen, expected);
    let team = iam
        .search_events(&OP, &a, &page(Some("TEAM"), None, None))
        .await
        .unwrap();
    assert_eq!(team.events.len(), 1);
    assert_eq!(team.events[0].event_name, "CreateGroup");
    let none = iam
        .search_events(&OP, &a, &page(Some("user_"), None, None))
        .await
        .unwrap();
    assert!(none.events.is_empty(), "_ is not a wildcard");
}

#[sqlx::test(migrations = "../../migrations")]
async fn customer_policies_are_tagged_and_system_policies_are_not(pool: PgPool) {
    let iam = iam(pool);
    let a = account(&iam, "root@a.example").await.account_id;
    let doc =
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}}"#;
    let p = iam
        .create_policy(&OP, &a, new_policy("Tagged", doc), Source::Console, &meta())
        .await
        .unwrap();
    iam.tag_policy(
        &OP,
        &a,
        &p.arn,
        &[Tag::new("owner", "it").unwrap()],
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    iam.tag_policy(
        &OP,
        &a,
        &p.arn,
        &[Tag::new("OWNER", "sec").unwrap()],
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    let tags = iam.get_policy(&OP, &a, &p.arn).await.unwrap().tags;
    assert_eq!(tags, vec![Tag::new("OWNER", "sec").unwrap()]);
    iam.untag_policy(&OP, &a, &p.arn, &["owner".to_owned()], Source::Console, &meta())
        .await
        .unwrap();
    assert!(iam.get_policy(&OP, &a, &p.arn).await.unwrap().tags.is_empty());
    let system = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";
    let refused = iam
        .tag_policy(
            &OP,
            &a,
            system,
            &[Tag::new("k", "v").unwrap()],
            Source::Console,
            &meta(),
        )
        .await;
    assert!(matches!(refused, Err(Error::AccessDenied { .. })), "{refused:?}");
    let (nobody, _) = user(&iam, &a, "nobody").await;
    let denied = iam
        .tag_policy(
            &nobody,
            &a,
            &p.arn,
            &[Tag::new("k", "v").unwrap()],
            Source::Console,
            &meta(),
        )
        .await;
    assert!(matches!(denied, Err(Error::AccessDenied { .. })));
}
