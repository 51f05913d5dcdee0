//! What the console's user, group and policy pages read and the Create user wizard writes, on
//! real Postgres (a fresh database per test): the wizard's all-or-nothing create with groups,
//! policies and a boundary; the Users list's search and keyset pages; the detail reads and who may
//! make them.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use gatehouse_iam::*;
use secrecy::SecretString;
use sqlx::PgPool;

const READ_ONLY: &str = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";
const CHANGE_PASSWORD: &str = "arn:aws:iam::aws:policy/IAMUserChangePassword";
const FULL: &str = "arn:aws:iam::aws:policy/IAMFullAccess";

fn acct_ref(a: &AccountId) -> AccountRef {
    AccountRef::Id(a.clone())
}

async fn group(iam: &Iam, account: &AccountId, name: &str) {
    iam.create_group(
        &OP,
        account,
        name.parse().unwrap(),
        IamPath::default(),
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
}

async fn attach_user(iam: &Iam, account: &AccountId, user: &str, policy: &str) {
    iam.attach_user_policy(
        &OP,
        account,
        &user.parse().unwrap(),
        policy,
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
}

fn wizard_user(name: &str) -> NewUser {
    NewUser {
        name: name.parse().unwrap(),
        path: IamPath::default(),
        password: Some(SecretString::from("Initial-Passw0rd-xyz".to_owned())),
        password_reset_required: true,
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_wizard_creates_the_user_with_groups_policies_and_boundary_in_one_go(pool: PgPool) {
    let iam = iam(pool.clone());
    let acct = account(&iam, "root@a.example").await.account_id;
    group(&iam, &acct, "Developers").await;
    let perms = NewUserPermissions {
        groups: vec!["developers".parse().unwrap()],
        policy_arns: vec![CHANGE_PASSWORD.into()],
        boundary: Some(READ_ONLY.into()),
        tags: vec![],
    };
    let created = iam
        .create_user_with(
            &OP,
            &acct_ref(&acct),
            wizard_user("alice"),
            perms,
            Source::Console,
            &meta(),
        )
        .await
        .unwrap();
    let detail = iam.get_user(&OP, &acct, &"ALICE".parse().unwrap()).await.unwrap();
    assert_eq!(detail.summary.arn, created.arn);
    assert!(detail.summary.console_access);
    assert!(detail.password_reset_required);
    assert_eq!(detail.groups.len(), 1);
    assert_eq!(detail.groups[0].name, "Developers");
    assert_eq!(detail.attached.len(), 1);
    assert_eq!(detail.attached[0].arn, CHANGE_PASSWORD);
    assert!(detail.attached[0].system);
    assert_eq!(detail.boundary.as_ref().map(|b| b.arn.as_str()), Some(READ_ONLY));
    let events = count(
        &pool,
        "select count(*) from events where event_name in \
         ('CreateUser', 'AddUserToGroup', 'AttachUserPolicy', 'PutUserPermissionsBoundary')",
    )
    .await;
    assert_eq!(events, 4);
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_wizard_create_that_fails_in_any_part_writes_nothing(pool: PgPool) {
    let iam = iam(pool.clone());
    let acct = account(&iam, "root@a.example").await.account_id;
    let users_before = count(&pool, "select count(*) from iam_users").await;
    let events_before = count(&pool, "select count(*) from events").await;
    // An unknown group, an unknown policy, an unknown boundary: each stops the whole create.
    let bad = [
        NewUserPermissions {
            groups: vec!["NoSuchGroup".parse().unwrap()],
            ..Default::default()
        },
        NewUserPermissions {
            policy_arns: vec![format!("arn:aws:iam::{acct}:policy/Missing")],
            ..Default::default()
        },
        NewUserPermissions {
            boundary: Some("arn:aws:iam::aws:policy/Missing".into()),
            ..Default::default()
        },
    ];
    for perms in bad {
        let err = iam
            .create_user_with(
                &OP,
                &acct_ref(&acct),
                wizard_user("bob"),
                perms,
                Source::Console,
                &meta(),
            )
            .await
            .unwrap_err();
        assert!(matches!(err, Error::NotFound { .. }), "{err:?}");
    }
    assert_eq!(count(&pool, "select count(*) from iam_users").await, users_before);
    assert_eq!(count(&pool, "select count(*) from login_profiles").await, 0);
    assert_eq!(count(&pool, "select count(*) from events").await, events_before);
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_wizard_needs_permission_for_every_part(pool: PgPool) {
    let iam = iam(pool.clone());
    let acct = account(&iam, "root@a.example").await.account_id;
    group(&iam, &acct, "Admins").await;
    // May create users and give them console passwords, but not add them to groups.
    let (creator, _) = user(&iam, &acct, "creator").await;
    iam.put_user_policy(
        &OP,
        &acct,
        &"creator".parse().unwrap(),
        &"create".parse().unwrap(),
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["iam:CreateUser","iam:CreateLoginProfile"],"Resource":"*"}}"#,
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    let perms = NewUserPermissions {
        groups: vec!["Admins".parse().unwrap()],
        ..Default::default()
    };
    let err = iam
        .create_user_with(
            &creator,
            &acct_ref(&acct),
            wizard_user("mallory"),
            perms,
            Source::Console,
            &meta(),
        )
        .await
        .unwrap_err();
    match err {
        Error::AccessDenied { action, resource, .. } => {
            assert_eq!(action, "iam:AddUserToGroup");
            assert_eq!(resource, format!("arn:aws:iam::{acct}:group/Admins"));
        }
        other => panic!("expected AccessDenied, got {other:?}"),
    }
    assert_eq!(
        count(
            &pool,
            "select count(*) from iam_users where user_name = 'mallory'"
        )
        .await,
        0
    );
    // Without groups the same user may be created.
    iam.create_user_with(
        &creator,
        &acct_ref(&acct),
        wizard_user("mallory"),
        NewUserPermissions::default(),
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_wizard_refuses_more_groups_or_policies_than_the_quotas(pool: PgPool) {
    let quotas = Quotas {
        groups_per_user: 1,
        policies_per_user: 1,
        ..Quotas::default()
    };
    let iam = iam_with(pool.clone(), quotas);
    let acct = account(&iam, "root@a.example").await.account_id;
    group(&iam, &acct, "A").await;
    group(&iam, &acct, "B").await;
    let two_groups = NewUserPermissions {
        groups: vec!["A".parse().unwrap(), "B".parse().unwrap()],
        ..Default::default()
    };
    let err = iam
        .create_user_with(
            &OP,
            &acct_ref(&acct),
            wizard_user("u"),
            two_groups,
            Source::Console,
            &meta(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "Cannot exceed quota for GroupsPerUser: 1.");
    let two_policies = NewUserPermissions {
        policy_arns: vec![READ_ONLY.into(), FULL.into()],
        ..Default::default()
    };
    let err = iam
        .create_user_with(
            &OP,
            &acct_ref(&acct),
            wizard_user("u"),
            two_policies,
            Source::Console,
            &meta(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "Cannot exceed quota for PoliciesPerUser: 1.");
    assert_eq!(count(&pool, "select count(*) from iam_users").await, 0);
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_users_list_pages_by_name_and_searches_by_substring(pool: PgPool) {
    let iam = iam(pool);
    let acct = account(&iam, "root@a.example").await.account_id;
    for name in ["carol", "Alice", "bob", "dave_ops", "daveXops", "erin"] {
        create_user(&iam, &OP, &acct, name, "/").await.unwrap();
    }
    let page = |search: Option<&str>, after: Option<String>, descending: bool| UserQuery {
        search: search.map(str::to_owned),
        after,
        limit: 2,
        descending,
        path_prefix: None,
    };
    let mut names = Vec::new();
    let mut after = None;
    loop {
        let p = iam
            .list_users(&OP, &acct, &page(None, after, false))
            .await
            .unwrap();
        assert!(p.users.len() <= 2);
        names.extend(p.users.iter().map(|u| u.name.clone()));
        match p.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    assert_eq!(names, ["Alice", "bob", "carol", "dave_ops", "daveXops", "erin"]);

    let first = iam.list_users(&OP, &acct, &page(None, None, true)).await.unwrap();
    let first: Vec<_> = first.users.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(first, ["erin", "daveXops"]);

    // Case-insensitive substring; `_` is a character, not a wildcard.
    let found = iam
        .list_users(&OP, &acct, &page(Some("AL"), None, false))
        .await
        .unwrap();
    assert_eq!(
        found.users.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(),
        ["Alice"]
    );
    let found = iam
        .list_users(&OP, &acct, &page(Some("e_o"), None, false))
        .await
        .unwrap();
    assert_eq!(
        found.users.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(),
        ["dave_ops"]
    );
    let found = iam
        .list_users(&OP, &acct, &page(Some("zzz"), None, false))
        .await
        .unwrap();
    assert!(found.users.is_empty() && found.next.is_none());
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_search_finds_every_match_in_order_however_far_into_the_names_it_lies(pool: PgPool) {
    // A search filters the first two thousand names in page order and asks the trigram index
    // for matches beyond them; a page must read the same whichever of the two found its rows.
    let iam = iam(pool.clone());
    let acct = account(&iam, "root@a.example").await.account_id;
    sqlx::query(
        "insert into iam_users (user_id, account_id, user_name) \
         select 'AIDA' || translate(lpad(i::text, 17, '0'), '0123456789', 'ABCDEFGHIJ'), $1, \
                'b-' || lpad(i::text, 5, '0') \
           from generate_series(0, 2499) i",
    )
    .bind(acct.as_str())
    .execute(&pool)
    .await
    .unwrap();
    // Near the start, inside the first walk, far beyond it, and last.
    for name in ["a-Needle", "b-00010-needle", "b-02400-needle", "c-needle"] {
        create_user(&iam, &OP, &acct, name, "/").await.unwrap();
    }
    let search = |text: &str, after: Option<String>, limit: u32, descending: bool| UserQuery {
        search: Some(text.to_owned()),
        after,
        limit,
        descending,
        path_prefix: None,
    };
    let names = |page: &UserPage| page.users.iter().map(|u| u.name.clone()).collect::<Vec<_>>();

    let first = iam
        .list_users(&OP, &acct, &search("NEEDLE", None, 2, false))
        .await
        .unwrap();
    assert_eq!(names(&first), ["a-Needle", "b-00010-needle"]);
    let second = iam
        .list_users(&OP, &acct, &search("NEEDLE", first.next.clone(), 2, false))
        .await
        .unwrap();
    assert_eq!(names(&second), ["b-02400-needle", "c-needle"]);
    assert_eq!(second.next, None);

    let all = iam
        .list_users(&OP, &acct, &search("needle", None, 50, false))
        .await
        .unwrap();
    assert_eq!(
        names(&all),
        ["a-Needle", "b-00010-needle", "b-02400-needle", "c-needle"]
    );
    assert_eq!(all.next, None);

    let backwards = iam
        .list_users(&OP, &acct, &search("needle", None, 3, true))
        .await
        .unwrap();
    assert_eq!(
        names(&backwards),
        ["c-needle", "b-02400-needle", "b-00010-needle"]
    );
    assert_eq!(backwards.next.as_deref(), Some("b-00010-needle"));
    let rest = iam
        .list_users(&OP, &acct, &search("needle", backwards.next.clone(), 3, true))
        .await
        .unwrap();
    assert_eq!(names(&rest), ["a-Needle"]);

    // Only past the walk, and a name that matches many: the walk alone fills the page.
    let last = iam
        .list_users(&OP, &acct, &search("c-nee", None, 50, false))
        .await
        .unwrap();
    assert_eq!(names(&last), ["c-needle"]);
    let many = iam
        .list_users(&OP, &acct, &search("b-0", None, 3, false))
        .await
        .unwrap();
    assert_eq!(names(&many), ["b-00000", "b-00001", "b-00002"]);
    assert_eq!(many.next.as_deref(), Some("b-00002"));
    let none = iam
        .list_users(&OP, &acct, &search("haystack", None, 50, false))
        .await
        .unwrap();
    assert!(none.users.is_empty() && none.next.is_none());
}

/// A pool of one connection, so that every execution of a statement uses the same prepared
/// statement and the plans Postgres keeps for it can be read.
async fn one_connection(connect: sqlx::postgres::PgConnectOptions) -> PgPool {
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect_with(connect)
        .await
        .unwrap()
}

/// The one-connection pool, its services and a new account, for the tests that read the plans
/// Postgres keeps.
async fn one_connection_account(connect: sqlx::postgres::PgConnectOptions) -> (PgPool, Iam, AccountId) {
    let pool = one_connection(connect).await;
    let iam = iam(pool.clone());
    let acct = account(&iam, "root@a.example").await.account_id;
    (pool, iam, acct)
}

#[sqlx::test(migrations = "../../migrations")]
async fn postgres_plans_the_users_list_once_not_at_every_page(
    _: sqlx::postgres::PgPoolOptions,
    connect: sqlx::postgres::PgConnectOptions,
) {
    let (pool, iam, acct) = one_connection_account(connect).await;
    for name in ["alice", "bob", "carol"] {
        create_user(&iam, &OP, &acct, name, "/").await.unwrap();
    }
    // Postgres plans a prepared statement anew for its first five executions and then keeps
    // one plan only if that plan does not look worse than the ones made for the values.
    for (search, after) in [
        (None, None),
        (Some("o"), None),
        (None, Some("alice")),
        (Some("o"), Some("bob")),
    ] {
        for _ in 0..8 {
            let query = UserQuery {
                search: search.map(str::to_owned),
                after: after.map(str::to_owned),
                limit: 50,
                ..Default::default()
            };
            iam.list_users(&OP, &acct, &query).await.unwrap();
        }
    }
    let plans: Vec<(String, i64, i64)> = sqlx::query_as(
        "select statement, generic_plans, custom_plans from pg_prepared_statements \
          where statement like 'with %from iam_users u%login_profiles%'",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert_eq!(plans.len(), 4, "one statement per shape of the query: {plans:?}");
    for (statement, generic, custom) in plans {
        assert!(
            generic == 3 && custom == 5,
            "planned at every execution ({custom} times): {statement}"
        );
    }
}

/// Before Postgres has statistics on iam_users (a new table, or one just grown by a bulk import)
/// it guesses that an account has a few dozen users. The plan it keeps for a search must still
/// walk the name index in page order, and not read every user of the account to sort them: that
/// took 60 ms for 30,000 users, where the walk takes 4. (The plain list of a page of 1,000 is
/// sorted in that state, until autovacuum analyzes the table: its limit is written into the
/// statement, for the plan of the next test.)
#[sqlx::test(migrations = "../../migrations")]
async fn the_users_list_walks_the_name_index_even_before_postgres_has_statistics(
    _: sqlx::postgres::PgPoolOptions,
    connect: sqlx::postgres::PgConnectOptions,
) {
    let (pool, iam, acct) = one_connection_account(connect).await;
    // Autovacuum could gather statistics in the middle of the test.
    sqlx::query("alter table iam_users set (autovacuum_enabled = false)")
        .execute(&pool)
        .await
        .unwrap();
    insert_users(&pool, &acct, 3000).await;
    let (analyzed,): (Option<time::OffsetDateTime>,) = sqlx::query_as(
        "select greatest(last_analyze, last_autoanalyze) from pg_stat_user_tables \
          where relname = 'iam_users'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(analyzed, None, "the test needs a table without statistics");
    assert_kept_plans_walk_the_name_index(&iam, &pool, &acct, &[Some("user-2")], 1000).await;
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_users_list_walks_the_name_index_in_a_large_account_with_statistics(
    _: sqlx::postgres::PgPoolOptions,
    connect: sqlx::postgres::PgConnectOptions,
) {
    let (pool, iam, acct) = one_connection_account(connect).await;
    insert_users(&pool, &acct, 100_000).await;
    sqlx::query("analyze iam_users").execute(&pool).await.unwrap();
    assert_kept_plans_walk_the_name_index(&iam, &pool, &acct, &[None, Some("user-2")], 50).await;
}

/// Adds users user-1 ... user-N to the account, without login profiles.
async fn insert_users(pool: &PgPool, acct: &AccountId, count: i32) {
    sqlx::query(
        "insert into iam_users (user_id, account_id, user_name) \
         select 'AIDA' || translate(upper(substr(md5(g::text), 1, 17)), '0189', 'QRST'), $1, \
                'user-' || g \
           from generate_series(1, $2) g",
    )
    .bind(acct.as_str())
    .bind(count)
    .execute(pool)
    .await
    .unwrap();
}

/// Lists pages of `limit` users (a search, or with `None` the plain list) often enough for
/// Postgres to keep one plan for each statement, then checks that each kept plan walks the name
/// index in page order instead of reading the account's users and sorting them.
async fn assert_kept_plans_walk_the_name_index(
    iam: &Iam,
    pool: &PgPool,
    acct: &AccountId,
    searches: &[Option<&str>],
    limit: u32,
) {
    for search in searches {
        for _ in 0..8 {
            let query = UserQuery {
                search: search.map(str::to_owned),
                limit,
                ..Default::default()
            };
            let page = iam.list_users(&OP, acct, &query).await.unwrap();
            assert_eq!(page.users.len(), limit as usize);
        }
    }
    let statements: Vec<(String, String)> = sqlx::query_as(
        "select name, statement from pg_prepared_statements \
          where statement like 'with %from iam_users u%login_profiles%' and generic_plans > 0",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    assert_eq!(statements.len(), searches.len(), "{statements:?}");
    for (name, statement) in statements {
        // The values in the order the statement takes them: the account; for a search, the
        // account, the walk's length and the pattern, then the account and the pattern again
        // for the trigram lookup.
        let values = if statement.contains("hits") {
            format!("'{acct}', 2000, '%user-2%', '{acct}', '%user-2%'")
        } else {
            format!("'{acct}'")
        };
        let plan: Vec<(String,)> = sqlx::query_as(&format!("explain execute {name}({values})"))
            .fetch_all(pool)
            .await
            .unwrap();
        let plan: Vec<String> = plan.into_iter().map(|(line,)| line).collect();
        let plan = plan.join("\n");
        assert!(
            plan.contains("Index Only Scan using iam_users_name_key on iam_users u")
                && !plan.contains("Sort Key: (lower(u.user_name))"),
            "the page is sorted instead of read in order:\n{plan}"
        );
    }
}

#[sqlx::test(migrations = "../../migrations")]
async fn reading_users_groups_and_policies_needs_the_read_actions(pool: PgPool) {
    let iam = iam(pool);
    let acct = account(&iam, "root@a.example").await.account_id;
    group(&iam, &acct, "Ops").await;
    let (nobody, _) = user(&iam, &acct, "nobody").await;
    let (reader, _) = user(&iam, &acct, "reader").await;
    attach_user(&iam, &acct, "reader", READ_ONLY).await;

    let denied = |r: Result<()>| matches!(r, Err(Error::AccessDenied { .. }));
    let q = UserQuery {
        limit: 50,
        ..Default::default()
    };
    assert!(denied(iam.list_users(&nobody, &acct, &q).await.map(|_| ())));
    assert!(denied(
        iam.get_user(&nobody, &acct, &"reader".parse().unwrap())
            .await
            .map(|_| ())
    ));
    assert!(denied(
        iam.get_group(&nobody, &acct, &"Ops".parse().unwrap())
            .await
            .map(|_| ())
    ));
    assert!(denied(
        iam.get_policy(&nobody, &acct, READ_ONLY).await.map(|_| ())
    ));
    // A missing user is only reported as missing to someone who may read users.
    assert!(denied(
        iam.get_user(&nobody, &acct, &"ghost".parse().unwrap())
            .await
            .map(|_| ())
    ));
    assert!(matches!(
        iam.get_user(&reader, &acct, &"ghost".parse().unwrap()).await,
        Err(Error::NotFound { .. })
    ));

    assert_eq!(iam.list_users(&reader, &acct, &q).await.unwrap().users.len(), 2);
    let ops = iam
        .get_group(&reader, &acct, &"ops".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(ops.arn, format!("arn:aws:iam::{acct}:group/Ops"));
    let policy = iam.get_policy(&reader, &acct, READ_ONLY).await.unwrap();
    assert!(policy.system);
    assert_eq!(policy.default_version, "v4");
    assert!(policy.document.contains("iam:List*"));
    assert_eq!(
        policy.users.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(),
        ["reader"]
    );
    assert!(iam.allows(&reader, "iam:ListUsers", "*", &acct).await.unwrap());
    assert!(!iam.allows(&reader, "iam:CreateUser", "*", &acct).await.unwrap());
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_group_detail_lists_members_policies_and_inline_policies(pool: PgPool) {
    let iam = iam(pool);
    let acct = account(&iam, "root@a.example").await.account_id;
    let new = NewGroup {
        name: "Developers".parse().unwrap(),
        path: "/eng/".parse().unwrap(),
        policy_arns: vec![READ_ONLY.into()],
        members: vec![],
    };
    create_user(&iam, &OP, &acct, "zoe", "/").await.unwrap();
    create_user(&iam, &OP, &acct, "adam", "/").await.unwrap();
    iam.create_group_with(&OP, &acct, new, Source::Console, &meta())
        .await
        .unwrap();
    for u in ["zoe", "adam"] {
        iam.add_user_to_group(
            &OP,
            &acct,
            &"Developers".parse().unwrap(),
            &u.parse().unwrap(),
            Source::Console,
            &meta(),
        )
        .await
        .unwrap();
    }
    iam.put_group_policy(
        &OP,
        &acct,
        &"Developers".parse().unwrap(),
        &"deny-delete".parse().unwrap(),
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"iam:Delete*","Resource":"*"}}"#,
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    let g = iam
        .get_group(&OP, &acct, &"developers".parse().unwrap())
        .await
        .unwrap();
    assert_eq!(g.arn, format!("arn:aws:iam::{acct}:group/eng/Developers"));
    assert_eq!(g.members, ["adam", "zoe"]);
    assert_eq!(
        g.attached.iter().map(|p| p.name.as_str()).collect::<Vec<_>>(),
        ["IAMReadOnlyAccess"]
    );
    assert_eq!(g.inline_policies, ["deny-delete"]);
    let zoe = iam.get_user(&OP, &acct, &"zoe".parse().unwrap()).await.unwrap();
    assert_eq!(zoe.from_groups.len(), 1);
    assert_eq!(zoe.from_groups[0].0.name, "Developers");
    assert_eq!(zoe.from_groups[0].1.arn, READ_ONLY);
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_simulator_explains_each_decision_with_its_deciding_statements(pool: PgPool) {
    let iam = iam(pool);
    let acct = account(&iam, "root@a.example").await.account_id;
    let (nobody, _) = user(&iam, &acct, "nobody").await;
    user(&iam, &acct, "dev").await;
    attach_user(&iam, &acct, "dev", FULL).await;
    group(&iam, &acct, "Guarded").await;
    iam.add_user_to_group(
        &OP,
        &acct,
        &"Guarded".parse().unwrap(),
        &"dev".parse().unwrap(),
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    iam.put_group_policy(
        &OP,
        &acct,
        &"Guarded".parse().unwrap(),
        &"no-delete-without-mfa".parse().unwrap(),
        r#"{"Version":"2012-10-17","Statement":{"Sid":"NoDelete","Effect":"Deny","Action":"iam:DeleteUser","Resource":"*",
            "Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}}"#,
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    let actions = ["iam:CreateUser", "iam:DeleteUser", "s3:GetObject"].map(String::from);
    let results = iam
        .simulate_user(&OP, &acct, &"dev".parse().unwrap(), &actions, "*", &[])
        .await
        .unwrap();
    let decision = |i: usize| results[i].explanation.decision.as_str();
    assert_eq!(
        (decision(0), decision(1), decision(2)),
        ("allowed", "explicitDeny", "implicitDeny")
    );
    let allow = &results[0].explanation.matched[0];
    assert_eq!(allow.policy.name, FULL);
    assert_eq!(allow.policy.version.as_deref(), Some("v2"));
    let deny = &results[1].explanation.matched[0];
    assert_eq!(deny.sid.as_deref(), Some("NoDelete"));
    assert!(deny.policy.name.contains("Guarded"), "{:?}", deny.policy);

    // With MFA in the context the Deny no longer applies.
    let with_mfa = iam
        .simulate_user(
            &OP,
            &acct,
            &"dev".parse().unwrap(),
            &["iam:DeleteUser".to_owned()],
            "*",
            &[("aws:MultiFactorAuthPresent".into(), "true".into())],
        )
        .await
        .unwrap();
    assert_eq!(with_mfa[0].explanation.decision.as_str(), "allowed");

    // Bad input and missing permission.
    let bad = iam
        .simulate_user(
            &OP,
            &acct,
            &"dev".parse().unwrap(),
            &["CreateUser".to_owned()],
            "*",
            &[],
        )
        .await
        .unwrap_err();
    assert!(bad.to_string().contains("service:ActionName"), "{bad}");
    let denied = iam
        .simulate_user(&nobody, &acct, &"dev".parse().unwrap(), &actions, "*", &[])
        .await
        .unwrap_err();
    assert!(matches!(denied, Error::AccessDenied { .. }), "{denied:?}");
    let denied = iam
        .simulate_user(&nobody, &acct, &"ghost".parse().unwrap(), &actions, "*", &[])
        .await
        .unwrap_err();
    assert!(matches!(denied, Error::AccessDenied { .. }), "{denied:?}");
}

#[sqlx::test(migrations = "../../migrations")]
async fn a_disabled_user_cannot_sign_in_until_enabled_again(pool: PgPool) {
    let iam = iam(pool.clone());
    let acct = account(&iam, "root@a.example").await.account_id;
    iam.create_user_with(
        &OP,
        &acct_ref(&acct),
        wizard_user("dana"),
        NewUserPermissions::default(),
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    let password = SecretString::from("Initial-Passw0rd-xyz".to_owned());
    let m = meta();
    let sign_in = || iam.sign_in_user(acct.as_str(), "dana", &password, &m);
    assert!(sign_in().await.is_ok());
    let dana = "dana".parse().unwrap();
    iam.set_user_disabled(&OP, &acct, &dana, true, Source::Console, &meta())
        .await
        .unwrap();
    assert!(matches!(sign_in().await, Err(Error::AuthenticationFailed)));
    assert!(iam.get_user(&OP, &acct, &dana).await.unwrap().summary.disabled);
    iam.set_user_disabled(&OP, &acct, &dana, false, Source::Console, &meta())
        .await
        .unwrap();
    assert!(sign_in().await.is_ok());
    let (nobody, _) = user(&iam, &acct, "nobody").await;
    let denied = iam
        .set_user_disabled(&nobody, &acct, &dana, true, Source::Console, &meta())
        .await;
    assert!(matches!(denied, Err(Error::AccessDenied { .. })));
}

#[sqlx::test(migrations = "../../migrations")]
async fn deleting_a_user_removes_everything_it_had_in_one_event(pool: PgPool) {
    let iam = iam(pool.clone());
    let acct = account(&iam, "root@a.example").await.account_id;
    group(&iam, &acct, "Team").await;
    let perms = NewUserPermissions {
        groups: vec!["Team".parse().unwrap()],
        policy_arns: vec![READ_ONLY.into()],
        boundary: Some(FULL.into()),
        tags: vec![],
    };
    iam.create_user_with(
        &OP,
        &acct_ref(&acct),
        wizard_user("erin"),
        perms,
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    iam.put_user_policy(
        &OP,
        &acct,
        &"erin".parse().unwrap(),
        &"inline".parse().unwrap(),
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}}"#,
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    iam.delete_user(&OP, &acct, &"ERIN".parse().unwrap(), Source::Console, &meta())
        .await
        .unwrap();
    for table in [
        "iam_users",
        "login_profiles",
        "group_members",
        "user_policy_attachments",
        "user_inline_policies",
    ] {
        assert_eq!(
            count(&pool, &format!("select count(*) from {table}")).await,
            0,
            "{table}"
        );
    }
    let events = iam.list_events(&OP, &acct, 1).await.unwrap();
    let before = events[0].before_state.as_ref().unwrap();
    assert_eq!(events[0].event_name, "DeleteUser");
    assert_eq!(before["groups"][0], "Team");
    assert_eq!(before["inlinePolicies"][0], "inline");
    assert_eq!(before["consoleAccess"], true);
    // The group itself stays.
    assert_eq!(count(&pool, "select count(*) from iam_groups").await, 1);
}

#[sqlx::test(migrations = "../../migrations")]
async fn the_boundary_is_put_and_removed_and_a_group_renamed(pool: PgPool) {
    let iam = iam(pool.clone());
    let acct = account(&iam, "root@a.example").await.account_id;
    user(&iam, &acct, "fay").await;
    let fay: UserName = "fay".parse().unwrap();
    iam.put_user_boundary(&OP, &acct, &fay, READ_ONLY, Source::Console, &meta())
        .await
        .unwrap();
    assert_eq!(
        iam.get_user(&OP, &acct, &fay)
            .await
            .unwrap()
            .boundary
            .unwrap()
            .arn,
        READ_ONLY
    );
    iam.delete_user_boundary(&OP, &acct, &fay, Source::Console, &meta())
        .await
        .unwrap();
    assert!(iam.get_user(&OP, &acct, &fay).await.unwrap().boundary.is_none());
    assert!(matches!(
        iam.delete_user_boundary(&OP, &acct, &fay, Source::Console, &meta())
            .await,
        Err(Error::NotFound { .. })
    ));

    group(&iam, &acct, "Old").await;
    group(&iam, &acct, "Taken").await;
    let old: GroupName = "Old".parse().unwrap();
    let taken = iam
        .rename_group(
            &OP,
            &acct,
            &old,
            &"taken".parse().unwrap(),
            None,
            Source::Console,
            &meta(),
        )
        .await
        .unwrap_err();
    assert!(matches!(taken, Error::AlreadyExists { .. }), "{taken:?}");
    iam.rename_group(
        &OP,
        &acct,
        &old,
        &"New".parse().unwrap(),
        Some(&"/teams/".parse().unwrap()),
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    let g = iam.get_group(&OP, &acct, &"new".parse().unwrap()).await.unwrap();
    assert_eq!(g.arn, format!("arn:aws:iam::{acct}:group/teams/New"));
}

#[sqlx::test(migrations = "../../migrations")]
async fn tags_are_validated_unique_ignoring_case_limited_and_seen_by_policies(pool: PgPool) {
    let iam = iam(pool);
    let acct = account(&iam, "root@a.example").await.account_id;
    let perms = NewUserPermissions {
        tags: vec![Tag::new("team", "blue").unwrap()],
        ..Default::default()
    };
    iam.create_user_with(
        &OP,
        &acct_ref(&acct),
        wizard_user("gil"),
        perms,
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    let gil: UserName = "gil".parse().unwrap();
    // A key that differs only in case replaces the tag.
    iam.tag_user(
        &OP,
        &acct,
        &gil,
        &[Tag::new("Team", "red").unwrap()],
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    let tags = iam.get_user(&OP, &acct, &gil).await.unwrap().tags;
    assert_eq!(tags, vec![Tag::new("Team", "red").unwrap()]);
    assert!(Tag::new("aws:team", "x").is_err());
    assert!(Tag::new("", "x").is_err());
    assert!(Tag::new(&"k".repeat(129), "x").is_err());
    assert!(Tag::new("k", &"v".repeat(257)).is_err());
    assert!(Tag::new("k", "semi;colon").is_err());
    let dup = [Tag::new("a", "1").unwrap(), Tag::new("A", "2").unwrap()];
    assert!(iam
        .tag_user(&OP, &acct, &gil, &dup, Source::Console, &meta())
        .await
        .is_err());
    let many: Vec<Tag> = (0..50)
        .map(|i| Tag::new(&format!("k{i}"), "v").unwrap())
        .collect();
    let err = iam
        .tag_user(&OP, &acct, &gil, &many, Source::Console, &meta())
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "Cannot exceed quota for TagsPerUser: 50.");
    assert_eq!(
        iam.get_user(&OP, &acct, &gil).await.unwrap().tags.len(),
        1,
        "nothing was written"
    );

    // ${aws:PrincipalTag/Team} in a policy sees the user's tag.
    iam.put_user_policy(
        &OP,
        &acct,
        &gil,
        &"team".parse().unwrap(),
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"iam:CreateUser","Resource":"arn:aws:iam::*:user/${aws:PrincipalTag/Team}/*"}}"#,
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    let sim = iam
        .simulate_user(
            &OP,
            &acct,
            &gil,
            &["iam:CreateUser".to_owned()],
            &format!("arn:aws:iam::{acct}:user/red/x"),
            &[],
        )
        .await
        .unwrap();
    assert_eq!(sim[0].explanation.decision.as_str(), "allowed");
    iam.untag_user(&OP, &acct, &gil, &["TEAM".to_owned()], Source::Console, &meta())
        .await
        .unwrap();
    assert!(iam.get_user(&OP, &acct, &gil).await.unwrap().tags.is_empty());
}

#[sqlx::test(migrations = "../../migrations")]
async fn users_see_their_own_groups_and_permissions_without_any_policy(pool: PgPool) {
    let iam = iam(pool);
    let a = account(&iam, "root@a.example").await.account_id;
    let (alice, _) = user(&iam, &a, "alice").await;
    create_user(&iam, &OP, &a, "bob", "/").await.unwrap();
    iam.create_group(
        &OP,
        &a,
        "Ops".parse().unwrap(),
        IamPath::default(),
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    iam.add_user_to_group(
        &OP,
        &a,
        &"Ops".parse().unwrap(),
        &"alice".parse().unwrap(),
        Source::Console,
        &meta(),
    )
    .await
    .unwrap();
    let Actor::Principal(principal) = &alice else {
        unreachable!()
    };
    let groups = iam.own_groups(principal).await.unwrap();
    assert_eq!(
        groups
            .iter()
            .map(|g| (g.name.as_str(), g.arn.clone()))
            .collect::<Vec<_>>(),
        vec![("Ops", format!("arn:aws:iam::{a}:group/Ops"))]
    );
    // alice has no policy at all, yet may ask what she may do...
    let own = iam
        .simulate_user(
            &alice,
            &a,
            &"alice".parse().unwrap(),
            &["iam:ListUsers".to_owned()],
            "*",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        own[0].explanation.decision,
        gatehouse_policy::Decision::ImplicitDeny
    );
    // ...but not what bob may do.
    assert!(matches!(
        iam.simulate_user(
            &alice,
            &a,
            &"bob".parse().unwrap(),
            &["iam:ListUsers".to_owned()],
            "*",
            &[]
        )
        .await,
        Err(Error::AccessDenied { .. })
    ));
}
