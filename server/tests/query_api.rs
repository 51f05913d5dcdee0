//! The IAM API through the real router, with requests signed by the AWS SDK for Rust's SigV4
//! signer: the tutorial flow, authentication failures, AWS's error codes and pagination.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{sign, SignableBody, SignableRequest, SignatureLocation, SigningSettings};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use common::*;
use gatehouse_iam::{AccountId, Actor, CredentialOwner, RequestMeta};
use secrecy::ExposeSecret;
use sqlx::PgPool;

/// A key pair and where to send requests signed with it.
#[derive(Clone)]
struct Key {
    id: String,
    secret: String,
}

struct Api<'a> {
    app: &'a TestApp,
}

/// The status and body of a response.
struct Answer {
    status: u16,
    body: String,
}

impl Answer {
    /// The text of the first `<tag>` element.
    fn get(&self, tag: &str) -> Option<String> {
        first(&self.body, tag)
    }

    fn all(&self, tag: &str) -> Vec<String> {
        let open = format!("<{tag}>");
        let close = format!("</{tag}>");
        self.body
            .split(&open)
            .skip(1)
            .filter_map(|rest| rest.split_once(&close).map(|(v, _)| v.to_owned()))
            .collect()
    }

    fn code(&self) -> Option<String> {
        self.get("Code")
    }

    #[track_caller]
    fn ok(self) -> Self {
        assert_eq!(self.status, 200, "{}", self.body);
        self
    }

    #[track_caller]
    fn error(&self, status: u16, code: &str) {
        assert_eq!(
            (self.status, self.code().as_deref()),
            (status, Some(code)),
            "{}",
            self.body
        );
    }
}

fn first(body: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = body.find(&open)? + open.len();
    let end = body[start..].find(&close)? + start;
    Some(body[start..end].to_owned())
}

fn form(action: &str, params: &[(&str, &str)]) -> String {
    let mut s = form_urlencoded::Serializer::new(String::new());
    s.append_pair("Action", action);
    s.append_pair(
        "Version",
        if action == "GetCallerIdentity" {
            "2011-06-15"
        } else {
            "2010-05-08"
        },
    );
    for (k, v) in params {
        s.append_pair(k, v);
    }
    s.finish()
}

impl Api<'_> {
    fn host(&self) -> String {
        self.app.base.trim_start_matches("http://").to_owned()
    }

    /// POSTs `action` signed with `key` at `time` for `service`, as the SDKs do.
    async fn call_signed(
        &self,
        key: &Key,
        service: &str,
        time: SystemTime,
        action: &str,
        params: &[(&str, &str)],
    ) -> Answer {
        let body = form(action, params);
        let host = self.host();
        let url = format!("{}/", self.app.base);
        let identity: Identity = Credentials::new(&key.id, &key.secret, None, None, "test").into();
        let signing = v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name(service)
            .time(time)
            .settings(SigningSettings::default())
            .build()
            .unwrap()
            .into();
        let content_type = "application/x-www-form-urlencoded; charset=utf-8";
        let headers = [("host", host.as_str()), ("content-type", content_type)];
        let signable = SignableRequest::new(
            "POST",
            &url,
            headers.into_iter(),
            SignableBody::Bytes(body.as_bytes()),
        )
        .unwrap();
        let (instructions, _) = sign(signable, &signing).unwrap().into_parts();
        let mut request = http::Request::builder()
            .method("POST")
            .uri(&url)
            .header("host", &host)
            .header("content-type", content_type)
            .body(body)
            .unwrap();
        instructions.apply_to_request_http1x(&mut request);
        self.send(reqwest::Request::try_from(request).unwrap()).await
    }

    async fn call(&self, key: &Key, action: &str, params: &[(&str, &str)]) -> Answer {
        let service = if action == "GetCallerIdentity" {
            "sts"
        } else {
            "iam"
        };
        self.call_signed(key, service, SystemTime::now(), action, params)
            .await
    }

    /// A presigned `GET /?Action=…` URL, as `aws_sigv4` makes them.
    async fn presigned_get(&self, key: &Key, action: &str) -> Answer {
        let url = format!("{}/?{}", self.app.base, form(action, &[]));
        let identity: Identity = Credentials::new(&key.id, &key.secret, None, None, "test").into();
        let mut settings = SigningSettings::default();
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(std::time::Duration::from_secs(300));
        let signing = v4::SigningParams::builder()
            .identity(&identity)
            .region("eu-west-1")
            .name("iam")
            .time(SystemTime::now())
            .settings(settings)
            .build()
            .unwrap()
            .into();
        let host = self.host();
        let headers = [("host", host.as_str())];
        let signable =
            SignableRequest::new("GET", &url, headers.into_iter(), SignableBody::Bytes(b"")).unwrap();
        let (instructions, _) = sign(signable, &signing).unwrap().into_parts();
        let mut request = http::Request::builder()
            .method("GET")
            .uri(&url)
            .header("host", &host)
            .body(String::new())
            .unwrap();
        instructions.apply_to_request_http1x(&mut request);
        self.send(reqwest::Request::try_from(request).unwrap()).await
    }

    async fn send(&self, request: reqwest::Request) -> Answer {
        let response = self.app.client.execute(request).await.unwrap();
        let status = response.status().as_u16();
        if status == 200 {
            assert_eq!(
                response
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok()),
                Some("text/xml")
            );
        }
        Answer {
            status,
            body: response.text().await.unwrap(),
        }
    }
}

/// acme with an access key for its root user.
async fn acme_with_root_key(app: &TestApp) -> (AccountId, Key) {
    let account = app.acme().await.account_id;
    let key = app
        .iam
        .create_access_key(
            &Actor::Operator,
            &account,
            CredentialOwner::Root,
            &RequestMeta::default(),
        )
        .await
        .unwrap();
    (
        account,
        Key {
            id: key.access_key_id.to_string(),
            secret: key.secret_access_key.expose_secret().to_owned(),
        },
    )
}

const LIST_AND_READ_USERS: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{"Effect": "Allow", "Action": ["iam:ListUsers", "iam:GetUser"], "Resource": "*"}]
}"#;

#[sqlx::test(migrations = "../migrations")]
async fn the_tutorial_flow_works_over_the_api_and_a_users_key_gets_only_what_its_policy_allows(pool: PgPool) {
    let app = spawn_app(pool).await;
    let api = Api { app: &app };
    let (account, root) = acme_with_root_key(&app).await;

    let group = api
        .call(&root, "CreateGroup", &[("GroupName", "Readers")])
        .await
        .ok();
    assert_eq!(group.get("GroupName").as_deref(), Some("Readers"));
    assert!(group.get("GroupId").unwrap().starts_with("AGPA"));
    assert_eq!(
        group.get("Arn"),
        Some(format!("arn:aws:iam::{account}:group/Readers"))
    );
    let policy = api
        .call(
            &root,
            "CreatePolicy",
            &[
                ("PolicyName", "ReadUsers"),
                ("PolicyDocument", LIST_AND_READ_USERS),
            ],
        )
        .await
        .ok();
    let policy_arn = policy.get("Arn").unwrap();
    assert_eq!(policy_arn, format!("arn:aws:iam::{account}:policy/ReadUsers"));
    assert_eq!(policy.get("DefaultVersionId").as_deref(), Some("v1"));
    api.call(
        &root,
        "AttachGroupPolicy",
        &[("GroupName", "Readers"), ("PolicyArn", &policy_arn)],
    )
    .await
    .ok();
    let user = api
        .call(&root, "CreateUser", &[("UserName", "bob"), ("Path", "/staff/")])
        .await
        .ok();
    assert_eq!(user.get("Path").as_deref(), Some("/staff/"));
    assert!(user.get("UserId").unwrap().starts_with("AIDA"));
    let profile = api
        .call(
            &root,
            "CreateLoginProfile",
            &[
                ("UserName", "bob"),
                ("Password", "a long bob passphrase 1"),
                ("PasswordResetRequired", "true"),
            ],
        )
        .await
        .ok();
    assert_eq!(profile.get("PasswordResetRequired").as_deref(), Some("true"));
    assert!(
        !profile.body.contains("passphrase"),
        "the password is never echoed"
    );
    api.call(
        &root,
        "AddUserToGroup",
        &[("GroupName", "Readers"), ("UserName", "bob")],
    )
    .await
    .ok();
    let groups = api
        .call(&root, "ListGroupsForUser", &[("UserName", "bob")])
        .await
        .ok();
    assert_eq!(groups.all("GroupName"), vec!["Readers"]);
    let attached = api
        .call(&root, "ListAttachedGroupPolicies", &[("GroupName", "Readers")])
        .await
        .ok();
    assert_eq!(attached.all("PolicyArn"), vec![policy_arn.clone()]);

    let created = api
        .call(&root, "CreateAccessKey", &[("UserName", "bob")])
        .await
        .ok();
    let bob = Key {
        id: created.get("AccessKeyId").unwrap(),
        secret: created.get("SecretAccessKey").unwrap(),
    };
    assert_eq!(created.get("Status").as_deref(), Some("Active"));
    assert_eq!(bob.secret.len(), 40);

    // bob's key: what the group's policy allows works, the rest is AccessDenied.
    let users = api.call(&bob, "ListUsers", &[]).await.ok();
    assert_eq!(users.all("UserName"), vec!["alice", "bob"]);
    assert_eq!(users.get("IsTruncated").as_deref(), Some("false"));
    let me = api.call(&bob, "GetUser", &[]).await.ok();
    assert_eq!(
        me.get("UserName").as_deref(),
        Some("bob"),
        "GetUser without a name is the caller"
    );
    let denied = api.call(&bob, "CreateUser", &[("UserName", "mallory")]).await;
    denied.error(403, "AccessDenied");
    assert_eq!(
        denied.get("Message"),
        Some(format!(
            "User: arn:aws:iam::{account}:user/staff/bob is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::{account}:user/mallory"
        ))
    );
    assert_eq!(denied.get("Type").as_deref(), Some("Sender"));
    assert!(denied.get("RequestId").is_some());
    let who = api.call(&bob, "GetCallerIdentity", &[]).await.ok();
    assert_eq!(
        who.get("Arn"),
        Some(format!("arn:aws:iam::{account}:user/staff/bob"))
    );
    assert_eq!(who.get("Account"), Some(account.to_string()));
    assert!(who.body.contains("https://sts.amazonaws.com/doc/2011-06-15/"));

    // Last used: time, service and region of the key's last request.
    let last = api
        .call(&root, "GetAccessKeyLastUsed", &[("AccessKeyId", &bob.id)])
        .await
        .ok();
    assert_eq!(last.get("UserName").as_deref(), Some("bob"));
    assert_eq!(last.get("Region").as_deref(), Some("us-east-1"));
    assert!(last.get("ServiceName").is_some_and(|s| s == "iam" || s == "sts"));
    assert!(last.get("LastUsedDate").is_some());

    // The event history: changes by the services, reads and refusals here, all with the key.
    let with_key = |key: &str| {
        format!(
            "select count(*) from events where event_source = 'api' and actor_detail like '%(access key {key})'"
        )
    };
    assert!(
        app.count(&with_key(&root.id)).await >= 8,
        "every change root made"
    );
    assert_eq!(
        app.count(&format!(
            "select count(*) from events where event_name = 'CreateUser' and outcome = 'failure' \
             and error_code = 'AccessDenied' and actor_detail like '%{}%'",
            bob.id
        ))
        .await,
        1
    );
    assert_eq!(
        app.count(&format!(
            "select count(*) from events where event_name = 'ListUsers' and actor_detail like '%{}%'",
            bob.id
        ))
        .await,
        1
    );
    assert_eq!(
        app.count("select count(*) from events where request::text like '%passphrase%'")
            .await,
        0,
        "passwords never reach the event history"
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn authentication_failures_get_awss_codes_and_change_nothing(pool: PgPool) {
    let app = spawn_app(pool).await;
    let api = Api { app: &app };
    let (account, root) = acme_with_root_key(&app).await;

    let unsigned = app
        .client
        .post(format!("{}/", app.base))
        .form(&[
            ("Action", "CreateUser"),
            ("UserName", "x"),
            ("Version", "2010-05-08"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), 403);
    let body = unsigned.text().await.unwrap();
    assert_eq!(
        first(&body, "Code").as_deref(),
        Some("MissingAuthenticationToken"),
        "{body}"
    );

    let unknown = Key {
        id: "AKIAAAAAAAAAAAAAAAAA".into(),
        secret: root.secret.clone(),
    };
    api.call(&unknown, "CreateUser", &[("UserName", "x")])
        .await
        .error(403, "InvalidClientTokenId");
    let wrong = Key {
        id: root.id.clone(),
        secret: "x".repeat(40),
    };
    let mismatch = api.call(&wrong, "CreateUser", &[("UserName", "x")]).await;
    mismatch.error(403, "SignatureDoesNotMatch");
    assert!(mismatch
        .get("Message")
        .unwrap()
        .starts_with("The request signature we calculated does not match"));
    let stale = SystemTime::now() - std::time::Duration::from_secs(20 * 60);
    api.call_signed(&root, "iam", stale, "CreateUser", &[("UserName", "x")])
        .await
        .error(400, "RequestExpired");
    let future = SystemTime::now() + std::time::Duration::from_secs(20 * 60);
    api.call_signed(&root, "iam", future, "CreateUser", &[("UserName", "x")])
        .await
        .error(400, "RequestExpired");
    api.call_signed(&root, "s3", SystemTime::now(), "CreateUser", &[("UserName", "x")])
        .await
        .error(403, "SignatureDoesNotMatch");
    assert_eq!(
        app.count("select count(*) from iam_users where user_name = 'x'")
            .await,
        0
    );

    // Presigned GET works, in any region.
    let page = api.presigned_get(&root, "ListUsers").await.ok();
    assert_eq!(page.all("UserName"), vec!["alice"]);

    // An inactive key, and the keys of a disabled user, stop working.
    let alice_key = app
        .iam
        .create_access_key(
            &Actor::Operator,
            &account,
            CredentialOwner::User(&"alice".parse().unwrap()),
            &RequestMeta::default(),
        )
        .await
        .unwrap();
    let alice = Key {
        id: alice_key.access_key_id.to_string(),
        secret: alice_key.secret_access_key.expose_secret().to_owned(),
    };
    api.call(&alice, "GetCallerIdentity", &[]).await.ok();
    api.call(
        &root,
        "UpdateAccessKey",
        &[
            ("UserName", "alice"),
            ("AccessKeyId", &alice.id),
            ("Status", "Inactive"),
        ],
    )
    .await
    .ok();
    api.call(&alice, "GetCallerIdentity", &[])
        .await
        .error(403, "InvalidClientTokenId");
    api.call(
        &root,
        "UpdateAccessKey",
        &[
            ("UserName", "alice"),
            ("AccessKeyId", &alice.id),
            ("Status", "Active"),
        ],
    )
    .await
    .ok();
    api.call(&alice, "GetCallerIdentity", &[]).await.ok();
    app.iam
        .set_user_disabled(
            &Actor::Operator,
            &account,
            &"alice".parse().unwrap(),
            true,
            gatehouse_iam::Source::Cli,
            &RequestMeta::default(),
        )
        .await
        .unwrap();
    api.call(&alice, "GetCallerIdentity", &[])
        .await
        .error(403, "InvalidClientTokenId");

    // The console's pages and its CSRF check are untouched: GET / is still the console.
    let home = app.client.get(format!("{}/", app.base)).send().await.unwrap();
    assert_ne!(
        home.headers().get("content-type").and_then(|v| v.to_str().ok()),
        Some("text/xml")
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn errors_have_awss_codes_statuses_and_wording(pool: PgPool) {
    let app = spawn_app(pool).await;
    let api = Api { app: &app };
    let (_, root) = acme_with_root_key(&app).await;

    let missing = api.call(&root, "GetUser", &[("UserName", "nobody")]).await;
    missing.error(404, "NoSuchEntity");
    assert_eq!(
        missing.get("Message").as_deref(),
        Some("The user with name nobody cannot be found.")
    );
    let twice = api.call(&root, "CreateUser", &[("UserName", "ALICE")]).await;
    twice.error(409, "EntityAlreadyExists");
    api.call(&root, "CreateUser", &[])
        .await
        .error(400, "ValidationError");
    api.call(&root, "CreateUser", &[("UserName", "bad name!")])
        .await
        .error(400, "ValidationError");
    api.call(&root, "CreateAccessKey", &[("UserName", "alice")])
        .await
        .ok();
    api.call(&root, "CreateAccessKey", &[("UserName", "alice")])
        .await
        .ok();
    let third = api.call(&root, "CreateAccessKey", &[("UserName", "alice")]).await;
    third.error(409, "LimitExceeded");
    assert_eq!(
        third.get("Message").as_deref(),
        Some("Cannot exceed quota for AccessKeysPerUser: 2")
    );
    let malformed = api
        .call(
            &root,
            "CreatePolicy",
            &[
                ("PolicyName", "Bad"),
                ("PolicyDocument", r#"{"Version":"2012-10-17","Statement":[]}"#),
            ],
        )
        .await;
    malformed.error(400, "MalformedPolicyDocument");
    assert_eq!(
        app.count("select count(*) from managed_policies where policy_name = 'Bad'")
            .await,
        0
    );
    let policy = api
        .call(
            &root,
            "CreatePolicy",
            &[("PolicyName", "Read"), ("PolicyDocument", LIST_AND_READ_USERS)],
        )
        .await
        .ok()
        .get("Arn")
        .unwrap();
    api.call(
        &root,
        "AttachUserPolicy",
        &[("UserName", "alice"), ("PolicyArn", &policy)],
    )
    .await
    .ok();
    api.call(&root, "DeletePolicy", &[("PolicyArn", &policy)])
        .await
        .error(409, "DeleteConflict");
    api.call(
        &root,
        "AttachUserPolicy",
        &[
            ("UserName", "alice"),
            ("PolicyArn", "arn:aws:iam::aws:policy/NoSuch"),
        ],
    )
    .await
    .error(404, "NoSuchEntity");
    api.call(&root, "NoSuchAction", &[])
        .await
        .error(400, "InvalidAction");
    api.call(&root, "ListUsers", &[("MaxItems", "0")])
        .await
        .error(400, "ValidationError");

    // Inline policies come back URL-encoded, as AWS returns them.
    api.call(
        &root,
        "PutUserPolicy",
        &[
            ("UserName", "alice"),
            ("PolicyName", "inline-read"),
            ("PolicyDocument", LIST_AND_READ_USERS),
        ],
    )
    .await
    .ok();
    let inline = api
        .call(
            &root,
            "GetUserPolicy",
            &[("UserName", "alice"), ("PolicyName", "inline-read")],
        )
        .await
        .ok();
    let encoded = inline.get("PolicyDocument").unwrap();
    assert!(encoded.starts_with("%7B"), "{encoded}");
    let decoded: String = percent_encoding::percent_decode_str(&encoded)
        .decode_utf8()
        .unwrap()
        .into_owned();
    assert_eq!(decoded, LIST_AND_READ_USERS);
    let names = api
        .call(&root, "ListUserPolicies", &[("UserName", "alice")])
        .await
        .ok();
    assert_eq!(names.all("member"), vec!["inline-read"]);
}

#[sqlx::test(migrations = "../migrations")]
async fn list_users_pages_with_marker_and_max_items(pool: PgPool) {
    let app = spawn_app(pool).await;
    let api = Api { app: &app };
    let (_, root) = acme_with_root_key(&app).await;
    for i in 0..24 {
        app.user("acme", &format!("user{i:02}"), "a long enough password 1")
            .await;
    }
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut params = vec![("MaxItems", "10")];
        if let Some(m) = &marker {
            params.push(("Marker", m.as_str()));
        }
        let page = api.call(&root, "ListUsers", &params).await.ok();
        pages += 1;
        let names = page.all("UserName");
        assert!(names.len() <= 10);
        seen.extend(names);
        if page.get("IsTruncated").as_deref() == Some("true") {
            marker = Some(page.get("Marker").expect("a truncated page has a Marker"));
        } else {
            assert_eq!(page.get("Marker"), None);
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len(), 25, "alice and the 24 users, each once");
    let mut sorted = seen.clone();
    sorted.sort();
    assert_eq!(seen, sorted);
}

#[sqlx::test(migrations = "../migrations")]
async fn account_settings_credential_report_and_own_password_over_the_api(pool: PgPool) {
    let app = spawn_app(pool).await;
    let api = Api { app: &app };
    let (account, root) = acme_with_root_key(&app).await;

    // Password policy: what is updated is what is read back; bad values change nothing.
    api.call(
        &root,
        "UpdateAccountPasswordPolicy",
        &[
            ("MinimumPasswordLength", "12"),
            ("RequireNumbers", "true"),
            ("MaxPasswordAge", "90"),
            ("AllowUsersToChangePassword", "true"),
        ],
    )
    .await
    .ok();
    let policy = api.call(&root, "GetAccountPasswordPolicy", &[]).await.ok();
    assert_eq!(policy.get("MinimumPasswordLength").as_deref(), Some("12"));
    assert_eq!(policy.get("RequireNumbers").as_deref(), Some("true"));
    assert_eq!(policy.get("RequireSymbols").as_deref(), Some("false"));
    assert_eq!(policy.get("ExpirePasswords").as_deref(), Some("true"));
    assert_eq!(policy.get("MaxPasswordAge").as_deref(), Some("90"));
    api.call(
        &root,
        "UpdateAccountPasswordPolicy",
        &[("MinimumPasswordLength", "3")],
    )
    .await
    .error(400, "ValidationError");
    api.call(
        &root,
        "UpdateAccountPasswordPolicy",
        &[("MinimumPasswordLength", "many")],
    )
    .await
    .error(400, "ValidationError");
    let unchanged = api.call(&root, "GetAccountPasswordPolicy", &[]).await.ok();
    assert_eq!(unchanged.get("MinimumPasswordLength").as_deref(), Some("12"));
    api.call(&root, "DeleteAccountPasswordPolicy", &[]).await.ok();
    let default = api.call(&root, "GetAccountPasswordPolicy", &[]).await.ok();
    assert_eq!(default.get("MinimumPasswordLength").as_deref(), Some("8"));

    // Alias and summary.
    api.call(&root, "CreateAccountAlias", &[("AccountAlias", "acme-corp")])
        .await
        .ok();
    let aliases = api.call(&root, "ListAccountAliases", &[]).await.ok();
    assert_eq!(aliases.all("member"), vec!["acme-corp"]);
    api.call(&root, "DeleteAccountAlias", &[("AccountAlias", "other")])
        .await
        .error(404, "NoSuchEntity");
    api.call(&root, "DeleteAccountAlias", &[("AccountAlias", "acme-corp")])
        .await
        .ok();
    assert!(api
        .call(&root, "ListAccountAliases", &[])
        .await
        .ok()
        .all("member")
        .is_empty());
    let summary = api.call(&root, "GetAccountSummary", &[]).await.ok();
    assert!(
        summary
            .body
            .contains("<entry><key>Users</key><value>1</value></entry>"),
        "{}",
        summary.body
    );
    assert!(summary
        .body
        .contains("<entry><key>AccessKeysPerUserQuota</key><value>2</value></entry>"));

    // The credential report: absent, generated, then read as base64 CSV.
    api.call(&root, "GetCredentialReport", &[])
        .await
        .error(410, "ReportNotPresent");
    let generated = api.call(&root, "GenerateCredentialReport", &[]).await.ok();
    assert_eq!(generated.get("State").as_deref(), Some("COMPLETE"));
    let report = api.call(&root, "GetCredentialReport", &[]).await.ok();
    assert_eq!(report.get("ReportFormat").as_deref(), Some("text/csv"));
    use base64::Engine as _;
    let csv = base64::engine::general_purpose::STANDARD
        .decode(report.get("Content").unwrap())
        .unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("user,arn,user_creation_time,"), "{csv}");
    assert!(
        csv.contains(&format!("\nalice,arn:aws:iam::{account}:user/alice,")),
        "{csv}"
    );

    // A user changes its own password with its key; a wrong old password changes nothing.
    let created = api
        .call(&root, "CreateAccessKey", &[("UserName", "alice")])
        .await
        .ok();
    let alice = Key {
        id: created.get("AccessKeyId").unwrap(),
        secret: created.get("SecretAccessKey").unwrap(),
    };
    // Without a policy, even one's own MFA devices are not listed (as in AWS); root sees them.
    api.call(&alice, "ListMFADevices", &[])
        .await
        .error(403, "AccessDenied");
    let devices = api
        .call(&root, "ListMFADevices", &[("UserName", "alice")])
        .await
        .ok();
    assert!(devices.all("SerialNumber").is_empty());
    assert!(devices.body.contains("<MFADevices></MFADevices>"));
    let wrong = api
        .call(
            &alice,
            "ChangePassword",
            &[
                ("OldPassword", "not it at all"),
                ("NewPassword", "a brand new passphrase 2"),
            ],
        )
        .await;
    wrong.error(400, "ValidationError");
    assert_eq!(
        wrong.get("Message").as_deref(),
        Some("The old password is incorrect.")
    );
    api.call(
        &alice,
        "ChangePassword",
        &[("OldPassword", "alice password 1"), ("NewPassword", "password")],
    )
    .await
    .error(400, "PasswordPolicyViolation");
    api.call(
        &alice,
        "ChangePassword",
        &[
            ("OldPassword", "alice password 1"),
            ("NewPassword", "a brand new passphrase 2"),
        ],
    )
    .await
    .ok();
    let signed_in = app
        .post(
            "/api/sign_in",
            // The alias was replaced and deleted above: the account ID signs in.
            &[
                ("account", account.as_str()),
                ("user_name", "alice"),
                ("password", "a brand new passphrase 2"),
            ],
        )
        .await;
    assert!(
        signed_in.status().is_success() || signed_in.status().is_redirection(),
        "{}",
        signed_in.status()
    );
    let (status, _) = app.whoami().await;
    assert_eq!(status, 200, "the new password signs in");
}

#[sqlx::test(migrations = "../migrations")]
async fn policy_versions_tags_groups_and_simulation_over_the_api(pool: PgPool) {
    let app = spawn_app(pool).await;
    let api = Api { app: &app };
    let (account, root) = acme_with_root_key(&app).await;

    let arn = api
        .call(
            &root,
            "CreatePolicy",
            &[
                ("PolicyName", "Readers"),
                ("PolicyDocument", LIST_AND_READ_USERS),
                ("Tags.member.1.Key", "owner"),
                ("Tags.member.1.Value", "it"),
            ],
        )
        .await
        .ok()
        .get("Arn")
        .unwrap();
    let v2 = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}"#;
    let created = api
        .call(
            &root,
            "CreatePolicyVersion",
            &[
                ("PolicyArn", &arn),
                ("PolicyDocument", v2),
                ("SetAsDefault", "true"),
            ],
        )
        .await
        .ok();
    assert_eq!(created.get("VersionId").as_deref(), Some("v2"));
    assert_eq!(created.get("IsDefaultVersion").as_deref(), Some("true"));
    let versions = api
        .call(&root, "ListPolicyVersions", &[("PolicyArn", &arn)])
        .await
        .ok();
    assert_eq!(versions.all("VersionId"), vec!["v2", "v1"]);
    let v1 = api
        .call(
            &root,
            "GetPolicyVersion",
            &[("PolicyArn", &arn), ("VersionId", "v1")],
        )
        .await
        .ok();
    assert_eq!(v1.get("IsDefaultVersion").as_deref(), Some("false"));
    assert_eq!(
        percent_encoding::percent_decode_str(&v1.get("Document").unwrap())
            .decode_utf8()
            .unwrap(),
        LIST_AND_READ_USERS
    );
    api.call(
        &root,
        "GetPolicyVersion",
        &[("PolicyArn", &arn), ("VersionId", "v9")],
    )
    .await
    .error(404, "NoSuchEntity");
    api.call(
        &root,
        "DeletePolicyVersion",
        &[("PolicyArn", &arn), ("VersionId", "v2")],
    )
    .await
    .error(409, "DeleteConflict");
    api.call(
        &root,
        "SetDefaultPolicyVersion",
        &[("PolicyArn", &arn), ("VersionId", "v1")],
    )
    .await
    .ok();
    api.call(
        &root,
        "DeletePolicyVersion",
        &[("PolicyArn", &arn), ("VersionId", "v2")],
    )
    .await
    .ok();
    let policy = api.call(&root, "GetPolicy", &[("PolicyArn", &arn)]).await.ok();
    assert_eq!(policy.get("DefaultVersionId").as_deref(), Some("v1"));
    assert!(policy.get("PolicyId").unwrap().starts_with("ANPA"));
    let tags = api
        .call(&root, "ListPolicyTags", &[("PolicyArn", &arn)])
        .await
        .ok();
    assert_eq!(tags.all("Key"), vec!["owner"]);
    api.call(
        &root,
        "UntagPolicy",
        &[("PolicyArn", &arn), ("TagKeys.member.1", "owner")],
    )
    .await
    .ok();
    assert!(api
        .call(&root, "ListPolicyTags", &[("PolicyArn", &arn)])
        .await
        .ok()
        .all("Key")
        .is_empty());

    // Lists: customer managed only, and the system policies.
    let local = api.call(&root, "ListPolicies", &[("Scope", "Local")]).await.ok();
    assert_eq!(local.all("PolicyName"), vec!["Readers"]);
    let system = api.call(&root, "ListPolicies", &[("Scope", "AWS")]).await.ok();
    assert!(system
        .all("Arn")
        .contains(&"arn:aws:iam::aws:policy/AdministratorAccess".to_owned()));
    api.call(&root, "ListPolicies", &[("Scope", "Mine")])
        .await
        .error(400, "ValidationError");

    // Groups: attach, entities, rename.
    api.call(&root, "CreateGroup", &[("GroupName", "Ops")]).await.ok();
    api.call(
        &root,
        "AddUserToGroup",
        &[("GroupName", "Ops"), ("UserName", "alice")],
    )
    .await
    .ok();
    api.call(
        &root,
        "AttachGroupPolicy",
        &[("GroupName", "Ops"), ("PolicyArn", &arn)],
    )
    .await
    .ok();
    let entities = api
        .call(&root, "ListEntitiesForPolicy", &[("PolicyArn", &arn)])
        .await
        .ok();
    assert_eq!(entities.all("GroupName"), vec!["Ops"]);
    api.call(
        &root,
        "UpdateGroup",
        &[("GroupName", "Ops"), ("NewGroupName", "Operations")],
    )
    .await
    .ok();
    let group = api
        .call(&root, "GetGroup", &[("GroupName", "Operations")])
        .await
        .ok();
    assert_eq!(group.all("UserName"), vec!["alice"]);
    assert_eq!(
        group.get("Arn"),
        Some(format!("arn:aws:iam::{account}:group/Operations"))
    );
    api.call(&root, "GetGroup", &[("GroupName", "Ops")])
        .await
        .error(404, "NoSuchEntity");

    // Simulation of a user's policies and of documents given with the request.
    let sim = api
        .call(
            &root,
            "SimulatePrincipalPolicy",
            &[
                ("PolicySourceArn", &format!("arn:aws:iam::{account}:user/alice")),
                ("ActionNames.member.1", "iam:ListUsers"),
                ("ActionNames.member.2", "iam:DeleteUser"),
            ],
        )
        .await
        .ok();
    assert_eq!(sim.all("EvalDecision"), vec!["allowed", "implicitDeny"]);
    let deny_outside_office = r#"{"Version":"2012-10-17","Statement":[
        {"Effect":"Allow","Action":"iam:*","Resource":"*"},
        {"Effect":"Deny","Action":"iam:DeleteUser","Resource":"*",
         "Condition":{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}}]}"#;
    let custom = |ip: &'static str| {
        let api = &api;
        let root = &root;
        async move {
            api.call(
                root,
                "SimulateCustomPolicy",
                &[
                    ("PolicyInputList.member.1", deny_outside_office),
                    ("ActionNames.member.1", "iam:DeleteUser"),
                    ("ContextEntries.member.1.ContextKeyName", "aws:SourceIp"),
                    ("ContextEntries.member.1.ContextKeyType", "ip"),
                    ("ContextEntries.member.1.ContextKeyValues.member.1", ip),
                ],
            )
            .await
            .ok()
        }
    };
    assert_eq!(custom("203.0.113.9").await.all("EvalDecision"), vec!["allowed"]);
    assert_eq!(
        custom("198.51.100.1").await.all("EvalDecision"),
        vec!["explicitDeny"]
    );
    api.call(
        &root,
        "SimulateCustomPolicy",
        &[
            ("PolicyInputList.member.1", "{not json"),
            ("ActionNames.member.1", "iam:ListUsers"),
        ],
    )
    .await
    .error(400, "MalformedPolicyDocument");
}

#[sqlx::test(migrations = "../migrations")]
async fn users_are_renamed_moved_and_their_login_profiles_read_over_the_api(pool: PgPool) {
    let app = spawn_app(pool).await;
    let api = Api { app: &app };
    let (account, root) = acme_with_root_key(&app).await;
    let before = api.call(&root, "GetUser", &[("UserName", "alice")]).await.ok();
    api.call(
        &root,
        "UpdateUser",
        &[
            ("UserName", "alice"),
            ("NewUserName", "alice.smith"),
            ("NewPath", "/staff/"),
        ],
    )
    .await
    .ok();
    let after = api
        .call(&root, "GetUser", &[("UserName", "alice.smith")])
        .await
        .ok();
    assert_eq!(after.get("UserId"), before.get("UserId"), "the same user");
    assert_eq!(
        after.get("Arn"),
        Some(format!("arn:aws:iam::{account}:user/staff/alice.smith"))
    );
    api.call(&root, "GetUser", &[("UserName", "alice")])
        .await
        .error(404, "NoSuchEntity");
    app.user("acme", "bob", "bob password 1234").await;
    api.call(
        &root,
        "UpdateUser",
        &[("UserName", "bob"), ("NewUserName", "ALICE.smith")],
    )
    .await
    .error(409, "EntityAlreadyExists");

    let profile = api
        .call(&root, "GetLoginProfile", &[("UserName", "alice.smith")])
        .await
        .ok();
    assert_eq!(profile.get("PasswordResetRequired").as_deref(), Some("false"));
    api.call(
        &root,
        "UpdateLoginProfile",
        &[
            ("UserName", "alice.smith"),
            ("Password", "a reset passphrase 9"),
            ("PasswordResetRequired", "true"),
        ],
    )
    .await
    .ok();
    let profile = api
        .call(&root, "GetLoginProfile", &[("UserName", "alice.smith")])
        .await
        .ok();
    assert_eq!(profile.get("PasswordResetRequired").as_deref(), Some("true"));
    api.call(&root, "DeleteLoginProfile", &[("UserName", "alice.smith")])
        .await
        .ok();
    let gone = api
        .call(&root, "GetLoginProfile", &[("UserName", "alice.smith")])
        .await;
    gone.error(404, "NoSuchEntity");
    assert_eq!(
        gone.get("Message").as_deref(),
        Some("Login Profile for User alice.smith cannot be found.")
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn virtual_mfa_devices_are_created_enabled_deactivated_and_deleted_over_the_api(pool: PgPool) {
    use base64::Engine as _;
    use gatehouse_iam::{totp_code, totp_step, TOTP_DIGITS};
    let app = spawn_app(pool).await;
    let api = Api { app: &app };
    let (account, root) = acme_with_root_key(&app).await;

    let created = api
        .call(
            &root,
            "CreateVirtualMFADevice",
            &[("VirtualMFADeviceName", "alice-phone")],
        )
        .await
        .ok();
    let serial = created.get("SerialNumber").unwrap();
    assert_eq!(serial, format!("arn:aws:iam::{account}:mfa/alice-phone"));
    let seed_text = base64::engine::general_purpose::STANDARD
        .decode(created.get("Base32StringSeed").unwrap())
        .unwrap();
    let seed = base32_decode(std::str::from_utf8(&seed_text).unwrap());
    let png = base64::engine::general_purpose::STANDARD
        .decode(created.get("QRCodePNG").expect("a QR code image"))
        .unwrap();
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "QRCodePNG is a PNG image");
    let code = |steps: i64| totp_code(&seed, totp_step(app.iam.now()) + steps, TOTP_DIGITS).unwrap();

    let enable = |c1: String, c2: String| {
        let (api, root, serial) = (&api, &root, serial.clone());
        async move {
            api.call(
                root,
                "EnableMFADevice",
                &[
                    ("UserName", "alice"),
                    ("SerialNumber", &serial),
                    ("AuthenticationCode1", &c1),
                    ("AuthenticationCode2", &c2),
                ],
            )
            .await
        }
    };
    enable("000000".into(), "000000".into())
        .await
        .error(400, "ValidationError");
    enable(code(-1), code(0)).await.ok();
    let listed = api
        .call(&root, "ListMFADevices", &[("UserName", "alice")])
        .await
        .ok();
    assert_eq!(listed.all("SerialNumber"), vec![serial.clone()]);
    assert_eq!(listed.get("UserName").as_deref(), Some("alice"));

    api.call(&root, "DeleteVirtualMFADevice", &[("SerialNumber", &serial)])
        .await
        .error(409, "DeleteConflict");
    api.call(
        &root,
        "DeactivateMFADevice",
        &[("UserName", "alice"), ("SerialNumber", &serial)],
    )
    .await
    .ok();
    assert!(api
        .call(&root, "ListMFADevices", &[("UserName", "alice")])
        .await
        .ok()
        .all("SerialNumber")
        .is_empty());
    api.call(&root, "DeleteVirtualMFADevice", &[("SerialNumber", &serial)])
        .await
        .ok();
    let gone = api
        .call(&root, "DeleteVirtualMFADevice", &[("SerialNumber", &serial)])
        .await;
    gone.error(404, "NoSuchEntity");
    assert_eq!(
        gone.get("Message"),
        Some(format!("MFA Device with serial number {serial} does not exist."))
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn account_authorization_details_lists_users_groups_and_policies_in_use_and_pages_across_them(
    pool: PgPool,
) {
    let app = spawn_app(pool).await;
    let api = Api { app: &app };
    let (account, root) = acme_with_root_key(&app).await;
    let read_only = "arn:aws:iam::aws:policy/IAMReadOnlyAccess";
    let custom = api
        .call(
            &root,
            "CreatePolicy",
            &[
                ("PolicyName", "ReadUsers"),
                ("PolicyDocument", LIST_AND_READ_USERS),
            ],
        )
        .await
        .ok()
        .get("Arn")
        .unwrap();
    let v2 = LIST_AND_READ_USERS.replace("iam:GetUser", "iam:GetGroup");
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        (
            "CreatePolicyVersion",
            vec![
                ("PolicyArn", &custom),
                ("PolicyDocument", &v2),
                ("SetAsDefault", "true"),
            ],
        ),
        ("CreateGroup", vec![("GroupName", "Admins"), ("Path", "/it/")]),
        (
            "AttachGroupPolicy",
            vec![("GroupName", "Admins"), ("PolicyArn", read_only)],
        ),
        (
            "PutGroupPolicy",
            vec![
                ("GroupName", "Admins"),
                ("PolicyName", "GroupInline"),
                ("PolicyDocument", LIST_AND_READ_USERS),
            ],
        ),
        (
            "CreateUser",
            vec![
                ("UserName", "bob"),
                ("Tags.member.1.Key", "team"),
                ("Tags.member.1.Value", "ops + dev"),
            ],
        ),
        (
            "AddUserToGroup",
            vec![("GroupName", "Admins"), ("UserName", "bob")],
        ),
        (
            "AttachUserPolicy",
            vec![("UserName", "bob"), ("PolicyArn", &custom)],
        ),
        (
            "PutUserPolicy",
            vec![
                ("UserName", "bob"),
                ("PolicyName", "BobInline"),
                ("PolicyDocument", LIST_AND_READ_USERS),
            ],
        ),
        (
            "PutUserPermissionsBoundary",
            vec![("UserName", "bob"), ("PermissionsBoundary", &custom)],
        ),
    ];
    for (action, params) in &calls {
        api.call(&root, action, params).await.ok();
    }

    let all = api.call(&root, "GetAccountAuthorizationDetails", &[]).await.ok();
    assert_eq!(all.get("IsTruncated").as_deref(), Some("false"));
    assert_eq!(all.get("Marker"), None);
    let users = all.get("UserDetailList").unwrap();
    assert_eq!(first(&users, "UserName").as_deref(), Some("alice"));
    let bob = users
        .split("<UserName>bob</UserName>")
        .nth(1)
        .expect("bob is listed");
    let inline = first(bob, "UserPolicyList").unwrap();
    assert_eq!(first(&inline, "PolicyName").as_deref(), Some("BobInline"));
    let document = first(&inline, "PolicyDocument").unwrap();
    assert!(
        !document.contains('{'),
        "inline documents are URL-encoded, as AWS returns them"
    );
    assert_eq!(
        percent_encoding::percent_decode_str(&document)
            .decode_utf8()
            .unwrap(),
        LIST_AND_READ_USERS
    );
    assert_eq!(
        first(bob, "GroupList").as_deref(),
        Some("<member>Admins</member>")
    );
    assert_eq!(
        first(bob, "AttachedManagedPolicies"),
        Some(format!(
            "<member><PolicyName>ReadUsers</PolicyName><PolicyArn>{custom}</PolicyArn></member>"
        ))
    );
    assert_eq!(first(bob, "PermissionsBoundaryArn"), Some(custom.clone()));
    assert_eq!(
        first(bob, "Tags").as_deref(),
        Some("<member><Key>team</Key><Value>ops + dev</Value></member>")
    );
    let groups = all.get("GroupDetailList").unwrap();
    assert_eq!(
        first(&groups, "Arn"),
        Some(format!("arn:aws:iam::{account}:group/it/Admins"))
    );
    assert_eq!(first(&groups, "PolicyName").as_deref(), Some("GroupInline"));
    assert_eq!(
        first(&groups, "AttachedManagedPolicies"),
        Some(format!(
            "<member><PolicyName>IAMReadOnlyAccess</PolicyName><PolicyArn>{read_only}</PolicyArn></member>"
        ))
    );
    assert!(all.body.contains("<RoleDetailList></RoleDetailList>"));
    // The customer policy and the one system policy in use; unused system policies are left out.
    let policies = all.get("Policies").unwrap();
    let arns: Vec<String> = policies
        .split("<member><PolicyName>")
        .skip(1)
        .map(|p| first(p, "Arn").unwrap())
        .collect();
    assert_eq!(arns.len(), 2, "{policies}");
    assert!(
        arns.contains(&custom) && arns.iter().any(|a| a == read_only),
        "{arns:?}"
    );
    let ours = policies
        .split("<member><PolicyName>")
        .find(|p| p.starts_with("ReadUsers<"))
        .unwrap();
    assert_eq!(first(ours, "DefaultVersionId").as_deref(), Some("v2"));
    assert_eq!(first(ours, "AttachmentCount").as_deref(), Some("1"));
    assert_eq!(first(ours, "PermissionsBoundaryUsageCount").as_deref(), Some("1"));
    let versions = first(ours, "PolicyVersionList").unwrap();
    assert_eq!(
        Answer {
            status: 200,
            body: versions.clone()
        }
        .all("VersionId"),
        vec!["v2", "v1"]
    );
    assert_eq!(
        Answer {
            status: 200,
            body: versions
        }
        .all("IsDefaultVersion"),
        vec!["true", "false"]
    );

    // GetPolicy and ListPolicies count the boundary use too.
    let got = api.call(&root, "GetPolicy", &[("PolicyArn", &custom)]).await.ok();
    assert_eq!(got.get("PermissionsBoundaryUsageCount").as_deref(), Some("1"));
    assert_eq!(got.get("AttachmentCount").as_deref(), Some("1"));
    let listed = api.call(&root, "ListPolicies", &[("Scope", "Local")]).await.ok();
    assert_eq!(listed.all("PermissionsBoundaryUsageCount"), vec!["1"]);

    // A filter picks the kinds.
    let local = api
        .call(
            &root,
            "GetAccountAuthorizationDetails",
            &[("Filter.member.1", "LocalManagedPolicy")],
        )
        .await
        .ok();
    assert_eq!(local.all("UserName"), Vec::<String>::new());
    assert_eq!(local.all("GroupName"), Vec::<String>::new());
    assert_eq!(local.all("Arn"), vec![custom.clone()]);
    let people = api
        .call(
            &root,
            "GetAccountAuthorizationDetails",
            &[("Filter.member.1", "User"), ("Filter.member.2", "Group")],
        )
        .await
        .ok();
    assert!(people.get("Policies").is_none_or(|p| p.is_empty()));
    assert_eq!(people.all("UserName"), vec!["alice", "bob"]);
    assert_eq!(people.all("GroupName"), vec!["Admins"]);

    // One entry a page: every user, group and policy once, in order, then no marker.
    let mut seen = Vec::new();
    let mut marker: Option<String> = None;
    loop {
        let mut params = vec![("MaxItems", "1")];
        if let Some(m) = &marker {
            params.push(("Marker", m.as_str()));
        }
        let page = api
            .call(&root, "GetAccountAuthorizationDetails", &params)
            .await
            .ok();
        let mut names = Vec::new();
        if let Some(u) = page.get("UserDetailList").filter(|u| !u.is_empty()) {
            names.push(first(&u, "UserName").unwrap());
        }
        if let Some(g) = page.get("GroupDetailList").filter(|g| !g.is_empty()) {
            names.push(first(&g, "GroupName").unwrap());
        }
        if let Some(p) = page.get("Policies").filter(|p| !p.is_empty()) {
            names.push(first(&p, "PolicyName").unwrap());
        }
        assert_eq!(names.len(), 1, "one entry a page: {}", page.body);
        seen.extend(names);
        if page.get("IsTruncated").as_deref() == Some("true") {
            marker = Some(page.get("Marker").expect("a truncated page has a Marker"));
        } else {
            assert_eq!(page.get("Marker"), None);
            break;
        }
        assert!(seen.len() < 10, "paging ends");
    }
    assert_eq!(seen[..3], ["alice", "bob", "Admins"]);
    let mut policies_seen = seen[3..].to_vec();
    policies_seen.sort();
    assert_eq!(policies_seen, ["IAMReadOnlyAccess", "ReadUsers"]);

    // Bad input is refused.
    api.call(
        &root,
        "GetAccountAuthorizationDetails",
        &[("Filter.member.1", "Roles")],
    )
    .await
    .error(400, "ValidationError");
    api.call(&root, "GetAccountAuthorizationDetails", &[("Marker", "not-ours")])
        .await
        .error(400, "ValidationError");

    // bob's own policies (ReadUsers v2, the group's inline policy and IAMReadOnlyAccess, within
    // the ReadUsers boundary) do not allow iam:GetAccountAuthorizationDetails.
    let key = api
        .call(&root, "CreateAccessKey", &[("UserName", "bob")])
        .await
        .ok();
    let bob_key = Key {
        id: key.get("AccessKeyId").unwrap(),
        secret: key.get("SecretAccessKey").unwrap(),
    };
    let denied = api.call(&bob_key, "GetAccountAuthorizationDetails", &[]).await;
    denied.error(403, "AccessDenied");
    assert_eq!(
        denied.get("Message"),
        Some(format!(
            "User: arn:aws:iam::{account}:user/bob is not authorized to perform: iam:GetAccountAuthorizationDetails on resource: *"
        ))
    );
}

#[sqlx::test(migrations = "../migrations")]
async fn create_user_answers_without_get_user_and_list_user_tags_is_its_own_action(pool: PgPool) {
    let app = spawn_app(pool).await;
    let api = Api { app: &app };
    let (account, root) = acme_with_root_key(&app).await;
    let only_create = r#"{"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["iam:CreateUser", "iam:TagUser", "iam:ListUserTags"],
         "Resource": "arn:aws:iam::*:user/dev/*"}]}"#;
    let calls: Vec<(&str, Vec<(&str, &str)>)> = vec![
        ("CreateUser", vec![("UserName", "carol")]),
        (
            "PutUserPolicy",
            vec![
                ("UserName", "carol"),
                ("PolicyName", "CreateDevUsers"),
                ("PolicyDocument", only_create),
            ],
        ),
    ];
    for (action, params) in &calls {
        api.call(&root, action, params).await.ok();
    }
    let created = api
        .call(&root, "CreateAccessKey", &[("UserName", "carol")])
        .await
        .ok();
    let carol = Key {
        id: created.get("AccessKeyId").unwrap(),
        secret: created.get("SecretAccessKey").unwrap(),
    };

    let made = api
        .call(
            &carol,
            "CreateUser",
            &[
                ("UserName", "x"),
                ("Path", "/dev/"),
                ("Tags.member.1.Key", "team"),
                ("Tags.member.1.Value", "web"),
            ],
        )
        .await
        .ok();
    assert_eq!(
        made.get("Arn"),
        Some(format!("arn:aws:iam::{account}:user/dev/x"))
    );
    assert!(made.get("UserId").unwrap().starts_with("AIDA"));
    assert!(made.get("CreateDate").is_some());
    assert_eq!(made.all("Key"), vec!["team"]);
    let stored = api.call(&root, "GetUser", &[("UserName", "x")]).await.ok();
    assert_eq!(stored.get("UserId"), made.get("UserId"));
    assert_eq!(stored.get("CreateDate"), made.get("CreateDate"));

    api.call(&carol, "CreateUser", &[("UserName", "y"), ("Path", "/ops/")])
        .await
        .error(403, "AccessDenied");
    let tags = api.call(&carol, "ListUserTags", &[("UserName", "x")]).await.ok();
    assert_eq!(tags.all("Value"), vec!["web"]);
    let denied = api.call(&carol, "GetUser", &[("UserName", "x")]).await;
    denied.error(403, "AccessDenied");
    assert!(denied.get("Message").unwrap().contains("iam:GetUser on resource"));
}

#[sqlx::test(migrations = "../migrations")]
async fn each_read_of_a_managed_policy_is_authorized_as_its_own_action(pool: PgPool) {
    let app = spawn_app(pool).await;
    let api = Api { app: &app };
    let (account, root) = acme_with_root_key(&app).await;
    api.call(
        &root,
        "CreatePolicy",
        &[
            ("PolicyName", "Reports"),
            (
                "PolicyDocument",
                r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}"#,
            ),
        ],
    )
    .await
    .ok();
    let arn = format!("arn:aws:iam::{account}:policy/Reports");
    let reads = [
        (
            "GetPolicyVersion",
            vec![("PolicyArn", arn.as_str()), ("VersionId", "v1")],
        ),
        ("ListPolicyVersions", vec![("PolicyArn", arn.as_str())]),
        ("ListEntitiesForPolicy", vec![("PolicyArn", arn.as_str())]),
        ("ListPolicyTags", vec![("PolicyArn", arn.as_str())]),
    ];
    // carol may make the four reads, but not GetPolicy; dave may only GetPolicy.
    let mut keys = Vec::new();
    for (user, actions) in [
        (
            "carol",
            r#"["iam:GetPolicyVersion", "iam:ListPolicyVersions", "iam:ListEntitiesForPolicy", "iam:ListPolicyTags"]"#,
        ),
        ("dave", r#""iam:GetPolicy""#),
    ] {
        let document = format!(
            r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "Allow", "Action": {actions}, "Resource": "*"}}}}"#
        );
        api.call(&root, "CreateUser", &[("UserName", user)]).await.ok();
        api.call(
            &root,
            "PutUserPolicy",
            &[
                ("UserName", user),
                ("PolicyName", "Reads"),
                ("PolicyDocument", &document),
            ],
        )
        .await
        .ok();
        let created = api
            .call(&root, "CreateAccessKey", &[("UserName", user)])
            .await
            .ok();
        keys.push(Key {
            id: created.get("AccessKeyId").unwrap(),
            secret: created.get("SecretAccessKey").unwrap(),
        });
    }
    let (carol, dave) = (&keys[0], &keys[1]);
    for (action, params) in &reads {
        api.call(carol, action, params).await.ok();
        let denied = api.call(dave, action, params).await;
        denied.error(403, "AccessDenied");
        let wanted = format!("iam:{action} on resource: {arn}");
        assert!(denied.get("Message").unwrap().contains(&wanted), "{action}");
    }
    let denied = api.call(carol, "GetPolicy", &[("PolicyArn", arn.as_str())]).await;
    denied.error(403, "AccessDenied");
    assert!(denied
        .get("Message")
        .unwrap()
        .contains("iam:GetPolicy on resource"));
    api.call(dave, "GetPolicy", &[("PolicyArn", arn.as_str())])
        .await
        .ok();
}
