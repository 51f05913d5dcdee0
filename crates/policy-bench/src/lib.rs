//! The benchmark workload, shared by the benchmarks and their equivalence test: a realistic
//! principal (3 groups; 12 managed and 3 inline policies; 60 statements with wildcards and
//! conditions) and 20 requests over 10 services, written once and rendered both as IAM policy
//! documents and as an equivalent Cedar policy set.

use serde_json::{json, Value};

/// A condition the workload uses, with its IAM and Cedar spellings.
#[derive(Clone, Copy, Debug)]
pub enum Cond {
    None,
    SecureTransport,
    SourceIpIn(&'static str),
    Team(&'static str),
    MfaAgeBelow(i64),
    Before(i64),
    UserAgentLike(&'static str),
    /// `BoolIfExists aws:MultiFactorAuthPresent false` (the force-MFA deny).
    NoMfaIfExists,
}

#[derive(Clone, Copy, Debug)]
pub struct Stmt {
    pub deny: bool,
    pub actions: &'static [&'static str],
    pub resources: &'static [&'static str],
    pub cond: Cond,
}

const fn allow(actions: &'static [&'static str], resources: &'static [&'static str], cond: Cond) -> Stmt {
    Stmt {
        deny: false,
        actions,
        resources,
        cond,
    }
}

const fn deny(actions: &'static [&'static str], resources: &'static [&'static str], cond: Cond) -> Stmt {
    Stmt {
        deny: true,
        actions,
        resources,
        cond,
    }
}

const ANY: &[&str] = &["*"];
pub const USER: &str = "alice";
pub const ACCOUNT: &str = "123456789012";

/// 15 policies of 4 statements: 12 managed (attached to the user or its 3 groups), 3 inline.
pub const POLICIES: [[Stmt; 4]; 15] = [
    [
        allow(&["iam:Get*", "iam:List*"], ANY, Cond::None),
        allow(
            &["iam:GenerateCredentialReport", "iam:GetCredentialReport"],
            ANY,
            Cond::SecureTransport,
        ),
        allow(&["sts:GetCallerIdentity"], ANY, Cond::None),
        deny(&["iam:Delete*", "iam:Detach*"], ANY, Cond::NoMfaIfExists),
    ],
    [
        allow(
            &["s3:GetObject", "s3:ListBucket"],
            &["arn:aws:s3:::team-blue-data", "arn:aws:s3:::team-blue-data/*"],
            Cond::Team("blue"),
        ),
        allow(
            &["s3:PutObject"],
            &["arn:aws:s3:::team-blue-data/uploads/*"],
            Cond::SecureTransport,
        ),
        deny(&["s3:DeleteBucket"], ANY, Cond::None),
        allow(&["s3:ListAllMyBuckets"], ANY, Cond::None),
    ],
    [
        allow(&["ec2:Describe*"], ANY, Cond::None),
        allow(
            &["ec2:StartInstances", "ec2:StopInstances"],
            &["arn:aws:ec2:*:123456789012:instance/*"],
            Cond::Team("blue"),
        ),
        deny(&["ec2:TerminateInstances"], ANY, Cond::None),
        allow(
            &["ec2:CreateTags"],
            &["arn:aws:ec2:*:123456789012:instance/*"],
            Cond::MfaAgeBelow(3600),
        ),
    ],
    [
        allow(
            &["dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan"],
            &["arn:aws:dynamodb:*:123456789012:table/orders*"],
            Cond::None,
        ),
        allow(
            &["dynamodb:PutItem", "dynamodb:UpdateItem"],
            &["arn:aws:dynamodb:eu-west-1:123456789012:table/orders"],
            Cond::SourceIpIn("203.0.113.0/24"),
        ),
        deny(&["dynamodb:DeleteTable"], ANY, Cond::None),
        allow(&["dynamodb:DescribeTable"], ANY, Cond::None),
    ],
    [
        allow(
            &["lambda:InvokeFunction"],
            &["arn:aws:lambda:*:123456789012:function:blue-*"],
            Cond::None,
        ),
        allow(&["lambda:Get*", "lambda:List*"], ANY, Cond::None),
        allow(
            &["lambda:UpdateFunctionCode"],
            &["arn:aws:lambda:*:123456789012:function:blue-*"],
            Cond::MfaAgeBelow(3600),
        ),
        deny(&["lambda:DeleteFunction"], ANY, Cond::NoMfaIfExists),
    ],
    [
        allow(
            &["logs:CreateLogStream", "logs:PutLogEvents"],
            &["arn:aws:logs:*:123456789012:log-group:/app/*"],
            Cond::None,
        ),
        allow(
            &["logs:Describe*", "logs:Get*", "logs:FilterLogEvents"],
            ANY,
            Cond::None,
        ),
        allow(
            &["cloudwatch:GetMetricData", "cloudwatch:ListMetrics"],
            ANY,
            Cond::None,
        ),
        allow(
            &["cloudwatch:PutMetricData"],
            ANY,
            Cond::UserAgentLike("aws-cli/*"),
        ),
    ],
    [
        allow(
            &["sqs:SendMessage", "sqs:ReceiveMessage"],
            &["arn:aws:sqs:*:123456789012:blue-*"],
            Cond::None,
        ),
        allow(
            &["sns:Publish"],
            &["arn:aws:sns:*:123456789012:alerts"],
            Cond::SecureTransport,
        ),
        deny(&["sqs:DeleteQueue", "sns:DeleteTopic"], ANY, Cond::None),
        allow(&["sqs:GetQueueAttributes", "sqs:ListQueues"], ANY, Cond::None),
    ],
    [
        allow(
            &["kms:Decrypt", "kms:Encrypt"],
            &["arn:aws:kms:*:123456789012:key/*"],
            Cond::Team("blue"),
        ),
        allow(&["kms:DescribeKey", "kms:ListKeys"], ANY, Cond::None),
        deny(&["kms:ScheduleKeyDeletion"], ANY, Cond::None),
        allow(
            &["kms:GenerateDataKey"],
            &["arn:aws:kms:*:123456789012:key/*"],
            Cond::Before(1_893_456_000),
        ),
    ],
    [
        allow(
            &["iam:ChangePassword", "iam:GetUser"],
            &["arn:aws:iam::123456789012:user/alice"],
            Cond::None,
        ),
        allow(
            &["iam:CreateAccessKey", "iam:ListAccessKeys", "iam:UpdateAccessKey"],
            &["arn:aws:iam::123456789012:user/alice"],
            Cond::MfaAgeBelow(3600),
        ),
        allow(
            &["iam:CreateVirtualMFADevice"],
            &["arn:aws:iam::123456789012:mfa/*"],
            Cond::None,
        ),
        allow(
            &["iam:EnableMFADevice", "iam:ResyncMFADevice"],
            &["arn:aws:iam::123456789012:user/alice"],
            Cond::None,
        ),
    ],
    [
        allow(
            &["s3:GetObject"],
            &["arn:aws:s3:::shared-artifacts/*"],
            Cond::SourceIpIn("203.0.113.0/24"),
        ),
        allow(
            &["s3:GetBucketLocation", "s3:GetBucketPolicy"],
            &["arn:aws:s3:::shared-artifacts"],
            Cond::None,
        ),
        deny(&["s3:PutBucketPolicy", "s3:DeleteBucketPolicy"], ANY, Cond::None),
        allow(
            &["s3:ListBucket"],
            &["arn:aws:s3:::shared-artifacts"],
            Cond::SecureTransport,
        ),
    ],
    [
        allow(
            &["ec2:RunInstances"],
            &["arn:aws:ec2:eu-west-1:123456789012:*"],
            Cond::MfaAgeBelow(900),
        ),
        allow(
            &["ec2:AttachVolume", "ec2:DetachVolume"],
            &["arn:aws:ec2:*:123456789012:volume/*"],
            Cond::Team("blue"),
        ),
        deny(&["ec2:DeleteVpc", "ec2:DeleteSubnet"], ANY, Cond::None),
        allow(
            &["ec2:CreateSnapshot"],
            &["arn:aws:ec2:*:123456789012:volume/*"],
            Cond::Before(1_893_456_000),
        ),
    ],
    [
        allow(
            &["dynamodb:BatchGetItem"],
            &["arn:aws:dynamodb:*:123456789012:table/catalog"],
            Cond::None,
        ),
        allow(&["dynamodb:ListTables"], ANY, Cond::None),
        allow(
            &["dynamodb:BatchWriteItem"],
            &["arn:aws:dynamodb:*:123456789012:table/catalog"],
            Cond::SecureTransport,
        ),
        deny(
            &["dynamodb:DeleteItem"],
            &["arn:aws:dynamodb:*:123456789012:table/audit*"],
            Cond::None,
        ),
    ],
    [
        allow(
            &["iam:CreateUser", "iam:TagUser"],
            &["arn:aws:iam::123456789012:user/dev/*"],
            Cond::MfaAgeBelow(3600),
        ),
        allow(
            &["iam:AddUserToGroup", "iam:RemoveUserFromGroup"],
            &["arn:aws:iam::123456789012:group/dev-*"],
            Cond::SecureTransport,
        ),
        deny(
            &["iam:CreateUser"],
            &["arn:aws:iam::123456789012:user/admin/*"],
            Cond::None,
        ),
        allow(
            &["iam:PassRole"],
            &["arn:aws:iam::123456789012:role/lambda-blue-*"],
            Cond::None,
        ),
    ],
    [
        allow(
            &["sts:AssumeRole"],
            &["arn:aws:iam::123456789012:role/blue-*"],
            Cond::MfaAgeBelow(3600),
        ),
        allow(&["sts:GetSessionToken"], ANY, Cond::None),
        allow(&["sts:TagSession"], ANY, Cond::SecureTransport),
        deny(
            &["sts:AssumeRole"],
            &["arn:aws:iam::123456789012:role/admin-*"],
            Cond::None,
        ),
    ],
    [
        allow(
            &["s3:PutObjectTagging", "s3:GetObjectTagging"],
            &["arn:aws:s3:::team-blue-data/*"],
            Cond::None,
        ),
        allow(
            &["sqs:ChangeMessageVisibility"],
            &["arn:aws:sqs:*:123456789012:blue-*"],
            Cond::None,
        ),
        allow(
            &["logs:CreateLogGroup"],
            &["arn:aws:logs:*:123456789012:log-group:/app/*"],
            Cond::UserAgentLike("aws-cli/*"),
        ),
        deny(&["logs:DeleteLogGroup"], ANY, Cond::NoMfaIfExists),
    ],
];

/// The 20 requests: (action, resource).
pub const REQUESTS: [(&str, &str); 20] = [
    ("iam:GetUser", "arn:aws:iam::123456789012:user/bob"),
    ("iam:DeleteUser", "arn:aws:iam::123456789012:user/bob"),
    ("iam:CreateUser", "arn:aws:iam::123456789012:user/dev/carol"),
    ("iam:CreateUser", "arn:aws:iam::123456789012:user/admin/dave"),
    ("s3:GetObject", "arn:aws:s3:::team-blue-data/reports/q3.csv"),
    ("s3:PutObject", "arn:aws:s3:::team-blue-data/other/x"),
    ("s3:DeleteBucket", "arn:aws:s3:::team-blue-data"),
    ("ec2:DescribeInstances", "*"),
    (
        "ec2:StartInstances",
        "arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc",
    ),
    (
        "ec2:TerminateInstances",
        "arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc",
    ),
    (
        "dynamodb:PutItem",
        "arn:aws:dynamodb:eu-west-1:123456789012:table/orders",
    ),
    (
        "dynamodb:DeleteItem",
        "arn:aws:dynamodb:eu-west-1:123456789012:table/audit-2026",
    ),
    (
        "lambda:InvokeFunction",
        "arn:aws:lambda:eu-west-1:123456789012:function:blue-api",
    ),
    (
        "lambda:InvokeFunction",
        "arn:aws:lambda:eu-west-1:123456789012:function:red-api",
    ),
    (
        "logs:PutLogEvents",
        "arn:aws:logs:eu-west-1:123456789012:log-group:/app/web:log-stream:1",
    ),
    ("cloudwatch:PutMetricData", "*"),
    ("sqs:SendMessage", "arn:aws:sqs:eu-west-1:123456789012:blue-jobs"),
    ("kms:Decrypt", "arn:aws:kms:eu-west-1:123456789012:key/1234abcd"),
    ("sts:AssumeRole", "arn:aws:iam::123456789012:role/blue-deployer"),
    (
        "rds:DeleteDBInstance",
        "arn:aws:rds:eu-west-1:123456789012:db:prod",
    ),
];

/// The IAM JSON of policy `i`.
pub fn iam_policy(i: usize) -> String {
    let statements: Vec<Value> = POLICIES[i]
        .iter()
        .map(|s| {
            let mut v = json!({
                "Effect": if s.deny { "Deny" } else { "Allow" },
                "Action": s.actions,
                "Resource": s.resources,
            });
            let cond = match s.cond {
                Cond::None => None,
                Cond::SecureTransport => Some(json!({"Bool": {"aws:SecureTransport": "true"}})),
                Cond::SourceIpIn(cidr) => Some(json!({"IpAddress": {"aws:SourceIp": cidr}})),
                Cond::Team(t) => Some(json!({"StringEquals": {"aws:PrincipalTag/team": t}})),
                Cond::MfaAgeBelow(n) => {
                    Some(json!({"NumericLessThan": {"aws:MultiFactorAuthAge": n.to_string()}}))
                }
                Cond::Before(epoch) => Some(json!({"DateLessThan": {"aws:EpochTime": epoch.to_string()}})),
                Cond::UserAgentLike(p) => Some(json!({"StringLike": {"aws:UserAgent": p}})),
                Cond::NoMfaIfExists => Some(json!({"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}})),
            };
            if let (Some(c), Value::Object(map)) = (cond, &mut v) {
                map.insert("Condition".into(), c);
            }
            v
        })
        .collect();
    json!({"Version": "2012-10-17", "Statement": statements}).to_string()
}

/// The request context of the workload's IAM requests (built once per request in a real server).
pub fn iam_context() -> gatehouse_policy::Context {
    gatehouse_policy::Context::new()
        .with("aws:username", USER)
        .with("aws:PrincipalTag/team", "blue")
        .with("aws:SecureTransport", true)
        .with("aws:SourceIp", "203.0.113.9")
        .with("aws:MultiFactorAuthPresent", true)
        .with("aws:MultiFactorAuthAge", 120i64)
        .with("aws:EpochTime", 1_767_225_600i64)
        .with("aws:CurrentTime", "2026-01-01T00:00:00Z")
        .with("aws:UserAgent", "aws-cli/2.15.0 Python/3.11")
}

/// Plain wildcard matching, for deciding which Cedar action groups a concrete action belongs to.
pub fn wildcard(p: &[u8], t: &[u8]) -> bool {
    match p.split_first() {
        None => t.is_empty(),
        Some((b'*', rest)) => (0..=t.len()).any(|i| wildcard(rest, &t[i..])),
        Some((c, rest)) => t.first() == Some(c) && wildcard(rest, &t[1..]),
    }
}

/// The Cedar policy set equivalent to [`POLICIES`]: one `permit`/`forbid` per statement, wildcard
/// actions as action groups, resource ARN patterns as `like` on `context.arn`, conditions on the
/// context and the principal's `team` attribute.
pub fn cedar_policies() -> String {
    let mut out = String::new();
    for (p, policy) in POLICIES.iter().enumerate() {
        for (s, st) in policy.iter().enumerate() {
            let actions: Vec<String> = st.actions.iter().map(|a| format!("Action::\"{a}\"")).collect();
            let mut when: Vec<String> = Vec::new();
            if st.resources != ANY {
                let rs: Vec<String> = st
                    .resources
                    .iter()
                    .map(|r| format!("context.arn like \"{r}\""))
                    .collect();
                when.push(format!("({})", rs.join(" || ")));
            }
            match st.cond {
                Cond::None => {}
                Cond::SecureTransport => when.push("context.secure_transport == true".into()),
                Cond::SourceIpIn(cidr) => when.push(format!("context.source_ip.isInRange(ip(\"{cidr}\"))")),
                Cond::Team(t) => when.push(format!("principal.team == \"{t}\"")),
                Cond::MfaAgeBelow(n) => when.push(format!("context has mfa_age && context.mfa_age < {n}")),
                Cond::Before(e) => when.push(format!("context.epoch_time < {e}")),
                Cond::UserAgentLike(p) => when.push(format!("context.user_agent like \"{p}\"")),
                Cond::NoMfaIfExists => {
                    when.push("(!(context has mfa_present) || context.mfa_present == false)".into())
                }
            }
            let effect = if st.deny { "forbid" } else { "permit" };
            let when = if when.is_empty() {
                String::new()
            } else {
                format!(" when {{ {} }}", when.join(" && "))
            };
            out.push_str(&format!(
                "@id(\"p{p}s{s}\")\n{effect}(principal, action in [{}], resource){when};\n",
                actions.join(", ")
            ));
        }
    }
    out
}

/// The Cedar entities: the user (with its team) and, for each requested action, its membership
/// in the action groups (wildcard patterns) that cover it.
pub fn cedar_entities() -> Value {
    let mut groups: Vec<&str> = POLICIES
        .iter()
        .flatten()
        .flat_map(|s| s.actions.iter().copied())
        .collect();
    groups.sort_unstable();
    groups.dedup();
    let mut entities = vec![json!({
        "uid": {"type": "User", "id": USER},
        "attrs": {"team": "blue"},
        "parents": []
    })];
    let mut actions: Vec<&str> = REQUESTS.iter().map(|(a, _)| *a).collect();
    actions.sort_unstable();
    actions.dedup();
    for g in &groups {
        if !actions.contains(g) {
            entities.push(json!({"uid": {"type": "Action", "id": g}, "attrs": {}, "parents": []}));
        }
    }
    for a in actions {
        let parents: Vec<Value> = groups
            .iter()
            .filter(|g| **g != a && g.contains('*') && wildcard(g.as_bytes(), a.as_bytes()))
            .map(|g| json!({"type": "Action", "id": g}))
            .collect();
        entities.push(json!({"uid": {"type": "Action", "id": a}, "attrs": {}, "parents": parents}));
    }
    Value::Array(entities)
}

/// The Cedar context of a request on `resource`.
pub fn cedar_context(resource: &str) -> Value {
    json!({
        "arn": resource,
        "secure_transport": true,
        "source_ip": {"__extn": {"fn": "ip", "arg": "203.0.113.9"}},
        "mfa_present": true,
        "mfa_age": 120,
        "epoch_time": 1_767_225_600i64,
        "user_agent": "aws-cli/2.15.0 Python/3.11"
    })
}

/// A managed policy document of about 6 KB (just under the 6,144-character limit) that uses
/// every part of the grammar: many statements, wildcards, variables and conditions.
pub fn six_kb_policy() -> String {
    let mut statements = Vec::new();
    let mut i = 0;
    loop {
        let s = json!({
            "Sid": format!("Statement{i}"),
            "Effect": if i % 5 == 4 { "Deny" } else { "Allow" },
            "Action": [format!("s3:Get{i}*"), "iam:GetUser", "iam:List*", format!("ec2:Describe{i}")],
            "Resource": [format!("arn:aws:s3:::bucket-{i}/${{aws:username}}/*"), "arn:aws:iam::*:user/dev/*"],
            "Condition": {
                "StringEquals": {"aws:PrincipalTag/team": ["blue", "green"]},
                "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
                "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}
            }
        });
        statements.push(s);
        let text = json!({"Version": "2012-10-17", "Statement": statements}).to_string();
        if gatehouse_policy::policy_size(&text) > 6_144 {
            statements.pop();
            return serde_json::to_string_pretty(&json!({"Version": "2012-10-17", "Statement": statements}))
                .unwrap_or_default();
        }
        i += 1;
    }
}
