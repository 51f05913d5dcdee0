//! The JSON policy editor: a text area that validates as you type with the policy engine itself
//! (crates/policy, compiled into the page's WebAssembly), listing each finding with its line and
//! column, and a summary of what the document allows by service and access level.

use gatehouse_policy::summary::{self, SummaryRow};
use gatehouse_policy::{validate, Effect, FindingKind, PolicyKind};
use leptos::prelude::*;

/// A finding as the editor lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EditorFinding {
    pub kind: FindingKind,
    pub message: String,
    pub line: u32,
    pub column: u32,
}

/// Findings for `text` as a `kind` policy, sorted by position.
pub fn findings(text: &str, kind: PolicyKind) -> Vec<EditorFinding> {
    validate(text, kind)
        .findings
        .into_iter()
        .map(|f| EditorFinding {
            kind: f.kind,
            message: f.message,
            line: f.line,
            column: f.column,
        })
        .collect()
}

/// The editor. The text area is named `name`, so the surrounding form submits it; `text` holds
/// what is typed.
#[component]
pub fn PolicyEditor(
    name: &'static str,
    text: RwSignal<String>,
    #[prop(default = PolicyKind::Managed)] kind: PolicyKind,
    #[prop(optional)] server_error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let found = Memo::new(move |_| findings(&text.get(), kind));
    let summary = Memo::new(move |_| summarize(&text.get(), kind));
    let errors = move || found.with(|f| f.iter().filter(|x| x.kind == FindingKind::Error).count());
    let server_error = server_error.unwrap_or_else(|| Signal::derive(|| None));
    let invalid = Memo::new(move |_| errors() > 0 || server_error.get().is_some());
    view! {
        <div class="policy-editor" class:has-error=invalid>
            <label for=format!("field-{name}")>"Policy editor"</label>
            <textarea id=format!("field-{name}") name=name class="code" rows="18" spellcheck="false"
                aria-describedby="policy-findings"
                prop:value=move || text.get()
                on:input=move |ev| text.set(event_target_value(&ev))>{text.get_untracked()}</textarea>
            {move || server_error.get().map(|e| view! { <p class="field-error">{e}</p> })}
            <div id="policy-findings" class="findings" aria-live="polite">
                {move || {
                    let list = found.get();
                    let counts = [FindingKind::Error, FindingKind::SecurityWarning, FindingKind::Warning, FindingKind::Suggestion]
                        .map(|k| list.iter().filter(|f| f.kind == k).count());
                    view! {
                        <p class="finding-counts">
                            <span class="badge badge-error">{format!("Errors: {}", counts[0])}</span>
                            <span class="badge badge-warn">{format!("Security warnings: {}", counts[1])}</span>
                            <span class="badge badge-warn">{format!("Warnings: {}", counts[2])}</span>
                            <span class="badge">{format!("Suggestions: {}", counts[3])}</span>
                        </p>
                        <ul class="finding-list">
                            {list.into_iter().map(|f| view! {
                                <li class=format!("finding finding-{}", kind_class(f.kind))>
                                    <span class="finding-kind">{f.kind.label()}</span>
                                    <span class="finding-pos">{format!("Ln {}, Col {}", f.line, f.column)}</span>
                                    <span class="finding-message">{f.message}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }
                }}
            </div>
            <PolicySummaryTable rows=summary/>
        </div>
    }
}

fn kind_class(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::Error => "error",
        FindingKind::SecurityWarning => "security",
        FindingKind::Warning => "warning",
        FindingKind::Suggestion => "suggestion",
    }
}

/// What a document allows and denies by service, or nothing when it does not parse.
pub fn summarize(text: &str, kind: PolicyKind) -> Vec<SummaryRow> {
    validate(text, kind)
        .policy()
        .map(summary::summarize)
        .unwrap_or_default()
}

/// The summary as a table.
#[component]
pub fn PolicySummaryTable(#[prop(into)] rows: Signal<Vec<SummaryRow>>) -> impl IntoView {
    view! {
        <div class="policy-summary">
            <h3>"Permissions summary"</h3>
            {move || {
                let rows = rows.get();
                if rows.is_empty() {
                    return view! { <p class="muted">"The summary appears when the document is valid JSON policy grammar."</p> }.into_any();
                }
                view! {
                    <table class="table compact">
                        <thead><tr>
                            <th scope="col">"Effect"</th><th scope="col">"Service"</th><th scope="col">"Access level"</th>
                            <th scope="col">"Resource"</th><th scope="col">"Request condition"</th>
                        </tr></thead>
                        <tbody>
                            {rows.into_iter().map(|r| view! {
                                <tr>
                                    <td><span class=if r.effect == Effect::Deny { "badge badge-error" } else { "badge badge-ok" }>{r.effect.as_str()}</span></td>
                                    <td>{r.service}</td>
                                    <td>{r.access}</td>
                                    <td class="mono">{r.resources}</td>
                                    <td>{if r.conditions { "Yes" } else { "None" }}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </div>
    }
}
