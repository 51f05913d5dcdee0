//! `gatehouse policy check` and `gatehouse policy simulate`: the policy engine on the command
//! line, with no database, for CI pipelines that lint policies and for trying a decision out.
//! Exit status: 0 success, 1 the policy has errors, 2 misuse (unreadable or malformed input).

use std::io::{Read, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use gatehouse_policy::{
    validate, Context, FindingKind, PermissionSet, PolicyKind, PolicySource, Request, Validation,
};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::config::{PolicyCheckArgs, PolicyKindArg, PolicySimulateArgs};

const MISUSE: u8 = 2;
const INVALID: u8 = 1;

fn read_input(path: &Path) -> Result<String, String> {
    if path == Path::new("-") {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(s);
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn out(text: &str) {
    let _ = writeln!(std::io::stdout(), "{text}");
}

fn misuse(message: &str) -> ExitCode {
    let _ = writeln!(std::io::stderr(), "error: {message}");
    ExitCode::from(MISUSE)
}

fn kind(arg: PolicyKindArg) -> PolicyKind {
    match arg {
        PolicyKindArg::Managed => PolicyKind::Managed,
        PolicyKindArg::UserInline => PolicyKind::UserInline,
        PolicyKindArg::GroupInline => PolicyKind::GroupInline,
    }
}

pub fn check(args: &PolicyCheckArgs) -> ExitCode {
    let text = match read_input(&args.file) {
        Ok(t) => t,
        Err(e) => return misuse(&e),
    };
    let name = args.file.display().to_string();
    let v = validate(&text, kind(args.kind));
    let valid = v.is_valid();
    if args.json {
        out(&json!({"file": name, "valid": valid, "findings": v.findings}).to_string());
    } else {
        for f in &v.findings {
            let at = if f.path.is_empty() {
                String::new()
            } else {
                format!(" (at {})", f.path)
            };
            out(&format!(
                "{name}:{}:{}: {} {}: {}{at}",
                f.line,
                f.column,
                f.kind.label(),
                f.code,
                f.message
            ));
        }
        out(&summary(&name, &v));
    }
    if valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(INVALID)
    }
}

fn summary(name: &str, v: &Validation) -> String {
    let count = |k: FindingKind| v.findings.iter().filter(|f| f.kind == k).count();
    let parts: Vec<String> = [
        (FindingKind::Error, "error"),
        (FindingKind::SecurityWarning, "security warning"),
        (FindingKind::Warning, "warning"),
        (FindingKind::Suggestion, "suggestion"),
    ]
    .iter()
    .filter_map(|(k, label)| {
        let n = count(*k);
        (n > 0).then(|| format!("{n} {label}{}", if n == 1 { "" } else { "s" }))
    })
    .collect();
    let verdict = if v.is_valid() { "valid" } else { "invalid" };
    if parts.is_empty() {
        format!("{name}: {verdict}, no findings")
    } else {
        format!("{name}: {verdict}, {}", parts.join(", "))
    }
}

/// The simulate input. Documents may be JSON objects or strings holding JSON.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SimulateInput {
    policies: Vec<Value>,
    #[serde(default)]
    boundary: Option<Value>,
    action: String,
    resource: String,
    #[serde(default)]
    context: serde_json::Map<String, Value>,
}

pub fn simulate(args: &PolicySimulateArgs) -> ExitCode {
    let text = match read_input(&args.input) {
        Ok(t) => t,
        Err(e) => return misuse(&e),
    };
    let input: SimulateInput = match serde_json::from_str(&text) {
        Ok(i) => i,
        Err(e) => return misuse(&format!("the input is not a valid simulation request: {e}")),
    };
    let context = match build_context(&input.context) {
        Ok(c) => c,
        Err(e) => return misuse(&e),
    };
    let mut set = PermissionSet::new();
    let mut documents: Vec<(String, &Value, bool)> = input
        .policies
        .iter()
        .enumerate()
        .map(|(i, d)| (format!("policies[{i}]"), d, false))
        .collect();
    if let Some(b) = input.boundary.as_ref().filter(|b| !b.is_null()) {
        documents.push(("boundary".to_owned(), b, true));
    }
    for (name, doc, is_boundary) in documents {
        let text = match doc {
            Value::String(s) => s.clone(),
            Value::Object(_) => doc.to_string(),
            _ => {
                return misuse(&format!(
                    "{name} must be a policy document (a JSON object or a string)"
                ))
            }
        };
        let v = validate(&text, PolicyKind::Managed);
        let policy = match v.into_policy() {
            Ok(p) => Arc::new(p.compile()),
            Err(e) => {
                let _ = writeln!(std::io::stderr(), "error: {name} is not a valid policy: {e}");
                return ExitCode::from(INVALID);
            }
        };
        let source = PolicySource::new(name, None);
        if is_boundary {
            set.set_boundary(source, policy);
        } else {
            set.add_identity(source, policy);
        }
    }
    let explanation = set.explain(&Request::new(&input.action, &input.resource, &context));
    let mut result = match serde_json::to_value(&explanation) {
        Ok(v) => v,
        Err(e) => return misuse(&format!("cannot print the result: {e}")),
    };
    if let Value::Object(map) = &mut result {
        map.insert("action".into(), json!(input.action));
        map.insert("resource".into(), json!(input.resource));
        map.insert("explanation".into(), json!(explanation.reason.describe()));
    }
    out(&serde_json::to_string_pretty(&result).unwrap_or_default());
    ExitCode::SUCCESS
}

/// Context values: a string, a number, a boolean, or a list of strings.
fn build_context(map: &serde_json::Map<String, Value>) -> Result<Context, String> {
    let mut ctx = Context::new();
    for (key, value) in map {
        match value {
            Value::String(s) => ctx.insert(key, s.as_str()),
            Value::Bool(b) => ctx.insert(key, *b),
            Value::Number(n) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => ctx.insert(key, i),
                (None, Some(f)) => ctx.insert(key, f),
                _ => return Err(format!("context key {key}: the number {n} is out of range")),
            },
            Value::Array(items) => {
                let mut list = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::String(s) => list.push(s.clone()),
                        other => {
                            return Err(format!(
                                "context key {key}: list items must be strings, found {other}"
                            ))
                        }
                    }
                }
                ctx.insert(key, list);
            }
            Value::Null | Value::Object(_) => {
                return Err(format!(
                    "context key {key}: a value must be a string, number, boolean or list of strings"
                ))
            }
        }
    }
    Ok(ctx)
}
