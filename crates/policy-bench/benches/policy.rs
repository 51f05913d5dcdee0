//! The policy engine's speed, measured with criterion:
//! - decision latency for a realistic principal (15 policies, 60 statements) over 20 requests,
//!   side by side with cedar-policy on an equivalent policy set (the two engines are first
//!   checked to agree on every request, explicit and implicit denies included);
//! - parse + validate of a 6 KB managed policy.
//!
//! After criterion's report, one more run prints the per-decision medians and their ratio.
//!
//! Run: `cargo bench -p gatehouse-policy-bench` (results in docs/performance.md).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use cedar_policy::{Authorizer, Entities, EntityUid};
use criterion::{Criterion, Throughput};
use gatehouse_policy::{
    validate, Context, Decision, PermissionSet, Policy, PolicyKind, PolicySource, Request,
};
use gatehouse_policy_bench::{
    cedar_context, cedar_entities, cedar_policies, iam_context, iam_policy, six_kb_policy, ACCOUNT, POLICIES,
    REQUESTS, USER,
};

struct Cedar {
    authorizer: Authorizer,
    policies: cedar_policy::PolicySet,
    entities: Entities,
    principal: EntityUid,
    requests: Vec<(EntityUid, EntityUid, cedar_policy::Context)>,
}

impl Cedar {
    fn new() -> Self {
        let policies: cedar_policy::PolicySet = cedar_policies().parse().expect("cedar policies");
        let entities = Entities::from_json_value(cedar_entities(), None).expect("cedar entities");
        let principal: EntityUid = format!("User::\"{USER}\"").parse().unwrap();
        let requests = REQUESTS
            .iter()
            .map(|(a, r)| {
                (
                    format!("Action::\"{a}\"").parse().unwrap(),
                    format!("Resource::\"{r}\"").parse().unwrap(),
                    cedar_policy::Context::from_json_value(cedar_context(r), None).unwrap(),
                )
            })
            .collect();
        Self {
            authorizer: Authorizer::new(),
            policies,
            entities,
            principal,
            requests,
        }
    }

    fn decide(&self, i: usize) -> cedar_policy::Response {
        let (a, r, c) = &self.requests[i];
        let req = cedar_policy::Request::new(self.principal.clone(), a.clone(), r.clone(), c.clone(), None)
            .unwrap();
        self.authorizer
            .is_authorized(&req, &self.policies, &self.entities)
    }
}

/// The principal: 12 managed policies (on the user and its three groups) and 3 inline ones.
fn permission_set() -> PermissionSet {
    let mut set = PermissionSet::new();
    for i in 0..POLICIES.len() {
        let text = iam_policy(i);
        let policy = Policy::parse(&text, PolicyKind::Managed).expect("workload policy");
        let source = if i < 12 {
            PolicySource::new(
                format!("arn:aws:iam::{ACCOUNT}:policy/Managed{i}"),
                Some("v1".into()),
            )
        } else {
            PolicySource::new(format!("group/team-{i}/inline"), None)
        };
        set.add_identity(source, Arc::new(policy.compile()));
    }
    set
}

/// Both engines must decide every request the same way before their speed means anything.
fn check_equivalence(set: &PermissionSet, ctx: &Context, cedar: &Cedar) {
    let mut mix = [0usize; 3];
    for (i, (a, r)) in REQUESTS.iter().enumerate() {
        let ours = set.decide(&Request::new(a, r, ctx));
        let theirs = cedar.decide(i);
        let forbids =
            theirs.diagnostics().reason().count() > 0 && theirs.decision() == cedar_policy::Decision::Deny;
        let same = match ours {
            Decision::Allowed => theirs.decision() == cedar_policy::Decision::Allow,
            Decision::ExplicitDeny => forbids,
            Decision::ImplicitDeny => theirs.decision() == cedar_policy::Decision::Deny && !forbids,
        };
        assert!(
            same,
            "engines disagree on {a} {r}: gatehouse {ours:?}, cedar {:?}",
            theirs.decision()
        );
        mix[match ours {
            Decision::Allowed => 0,
            Decision::ExplicitDeny => 1,
            Decision::ImplicitDeny => 2,
        }] += 1;
    }
    println!(
        "workload: {} policies, {} statements, {} requests ({} allowed, {} explicit deny, {} implicit deny); both engines agree",
        POLICIES.len(),
        POLICIES.len() * 4,
        REQUESTS.len(),
        mix[0],
        mix[1],
        mix[2]
    );
}

fn bench(c: &mut Criterion, set: &PermissionSet, ctx: &Context, cedar: &Cedar) {
    // Documents first: Cedar's many allocations would otherwise leave a fragmented heap behind.
    let text = six_kb_policy();
    let mut g = c.benchmark_group("policy document");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("parse + validate 6 KB managed policy", |b| {
        b.iter(|| black_box(validate(black_box(&text), PolicyKind::Managed)));
    });
    let parsed = Policy::parse(&text, PolicyKind::Managed).expect("the 6 KB policy is valid");
    g.bench_function("compile 6 KB managed policy", |b| {
        b.iter(|| black_box(parsed.compile()))
    });
    g.finish();

    let mut g = c.benchmark_group("decision (20 requests)");
    g.throughput(Throughput::Elements(REQUESTS.len() as u64));
    g.bench_function("gatehouse", |b| {
        b.iter(|| {
            for (a, r) in REQUESTS {
                black_box(set.decide(&Request::new(black_box(a), black_box(r), ctx)));
            }
        });
    });
    g.bench_function("gatehouse explain", |b| {
        b.iter(|| {
            for (a, r) in REQUESTS {
                black_box(set.explain(&Request::new(black_box(a), black_box(r), ctx)));
            }
        });
    });
    g.bench_function("cedar", |b| {
        b.iter(|| {
            for i in 0..REQUESTS.len() {
                black_box(cedar.decide(black_box(i)).decision());
            }
        });
    });
    g.finish();
}

/// Median nanoseconds per decision over 31 rounds.
fn median_ns(mut round: impl FnMut()) -> f64 {
    const ROUNDS: usize = 31;
    const ITERS: usize = 2_000;
    let mut samples = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let start = Instant::now();
        for _ in 0..ITERS {
            round();
        }
        samples.push(start.elapsed().as_nanos() as f64 / (ITERS * REQUESTS.len()) as f64);
    }
    samples.sort_by(f64::total_cmp);
    samples[ROUNDS / 2]
}

fn main() {
    let set = permission_set();
    let ctx = iam_context();
    let cedar = Cedar::new();
    check_equivalence(&set, &ctx, &cedar);
    let text = six_kb_policy();
    println!(
        "6 KB policy: {} bytes, {} characters without whitespace, {} statements",
        text.len(),
        gatehouse_policy::policy_size(&text),
        Policy::parse(&text, PolicyKind::Managed)
            .expect("valid")
            .statements
            .len()
    );

    let mut c = Criterion::default().configure_from_args();
    bench(&mut c, &set, &ctx, &cedar);
    c.final_summary();

    let ours = median_ns(|| {
        for (a, r) in REQUESTS {
            black_box(set.decide(&Request::new(black_box(a), black_box(r), &ctx)));
        }
    });
    let theirs = median_ns(|| {
        for i in 0..REQUESTS.len() {
            black_box(cedar.decide(black_box(i)).decision());
        }
    });
    println!(
        "per decision (median of 31 rounds): gatehouse {ours:.0} ns, cedar {theirs:.0} ns; cedar/gatehouse = {:.1}x",
        theirs / ours
    );
}
