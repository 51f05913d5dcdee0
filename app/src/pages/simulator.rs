//! The Policy simulator page and the "why" panel of a user's Permissions tab: pick a user,
//! actions and a resource, see allowed / implicitDeny / explicitDeny with the statements that
//! decided it and the policy (and version) they come from.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{list_users, Simulate, SimulationRow};
use crate::components::{field_error, form_error, FormAlert};

const COMMON_ACTIONS: &str = "iam:ListUsers\niam:CreateUser\niam:DeleteUser\niam:CreateGroup\niam:AttachUserPolicy\niam:ChangePassword";

#[component]
pub fn SimulatorPage() -> impl IntoView {
    let users = Resource::new(|| (), |_| list_users(None, None, None));
    let action = ServerAction::<Simulate>::new();
    let error = form_error(action.value());
    view! {
        <Title text="Policy simulator · Gatehouse"/>
        <section class="page">
            <h1>"Policy simulator"</h1>
            <p class="page-intro">"See whether a user's policies allow actions on a resource, and which statements decide it. Nothing is performed."</p>
            <ActionForm action=action attr:class="form wide-form panel" attr:aria-label="Simulate">
                <FormAlert error fields=&["actions", "resource", "context"]/>
                <div class="field">
                    <label for="sim-user">"User"</label>
                    <Suspense fallback=|| view! { <select id="sim-user" name="user_name"></select> }>
                        {move || Suspend::new(async move {
                            let users = users.await.map(|p| p.users).unwrap_or_default();
                            view! {
                                <select id="sim-user" name="user_name" required>
                                    {users.into_iter().map(|u| view! { <option value=u.name.clone()>{u.name.clone()}</option> }).collect_view()}
                                </select>
                            }
                        })}
                    </Suspense>
                </div>
                <SimulationFields error/>
                <button type="submit" class="button primary">"Run simulation"</button>
            </ActionForm>
            <SimulationResults action/>
        </section>
    }
}

/// The actions, resource and context fields shared by the simulator and the "why" panel.
#[component]
fn SimulationFields(error: Signal<Option<crate::error::AppError>>) -> impl IntoView {
    view! {
        <div class="field" class:has-error=move || field_error(error, "actions").get().is_some()>
            <label for="sim-actions">"Actions"</label>
            <p class="hint" id="sim-actions-hint">"One per line, such as iam:CreateUser."</p>
            <textarea id="sim-actions" name="actions" class="code" rows="6" aria-describedby="sim-actions-hint">{COMMON_ACTIONS}</textarea>
            {move || field_error(error, "actions").get().map(|e| view! { <p class="field-error">{e}</p> })}
        </div>
        <div class="field" class:has-error=move || field_error(error, "resource").get().is_some()>
            <label for="sim-resource">"Resource ARN"</label>
            <input id="sim-resource" name="resource" value="*"/>
            {move || field_error(error, "resource").get().map(|e| view! { <p class="field-error">{e}</p> })}
        </div>
        <details class="field">
            <summary>"Context keys - " <span class="optional">"optional"</span></summary>
            <p class="hint" id="sim-context-hint">"One per line as key=value, such as aws:MultiFactorAuthPresent=true."</p>
            <textarea id="sim-context" name="context" class="code" rows="3" aria-label="Context keys" aria-describedby="sim-context-hint"></textarea>
            {move || field_error(error, "context").get().map(|e| view! { <p class="field-error">{e}</p> })}
        </details>
    }
}

#[component]
fn SimulationResults(action: ServerAction<Simulate>) -> impl IntoView {
    move || {
        action.value().get().and_then(|r| r.ok()).map(|rows| {
            view! {
                <div class="panel table-panel results">
                    <div class="panel-header"><h2>"Results"</h2></div>
                    <table class="table">
                        <thead><tr>
                            <th scope="col">"Action"</th><th scope="col">"Resource"</th><th scope="col">"Decision"</th>
                            <th scope="col">"Why"</th>
                        </tr></thead>
                        <tbody>{rows.into_iter().map(|r| view! { <ResultRow r/> }).collect_view()}</tbody>
                    </table>
                </div>
            }
        })
    }
}

#[component]
fn ResultRow(r: SimulationRow) -> impl IntoView {
    let badge = match r.decision.as_str() {
        "allowed" => "badge badge-ok",
        "explicitDeny" => "badge badge-error",
        _ => "badge badge-warn",
    };
    view! {
        <tr data-testid=format!("sim-{}", r.action)>
            <td class="mono">{r.action.clone()}</td>
            <td class="mono">{r.resource.clone()}</td>
            <td><span class=badge>{r.decision.clone()}</span></td>
            <td>
                <p class="why">{r.reason.clone()}</p>
                {(!r.statements.is_empty()).then(|| view! {
                    <ul class="deciding">
                        {r.statements.iter().map(|s| view! {
                            <li>
                                <span class=if s.effect == "Deny" { "badge badge-error" } else { "badge badge-ok" }>{s.effect.clone()}</span>
                                " " {s.statement.clone()} " in " <span class="mono">{s.policy.clone()}</span>
                                {s.version.clone().map(|v| format!(" ({v})"))}
                                {s.boundary.then_some(" — permissions boundary")}
                            </li>
                        }).collect_view()}
                    </ul>
                })}
                {(!r.missing_context_keys.is_empty()).then(|| view! {
                    <p class="hint">"Context keys the conditions used but the request did not have: " {r.missing_context_keys.join(", ")}</p>
                })}
            </td>
        </tr>
    }
}

/// "Why?": the simulator for one user, on its Permissions tab.
#[component]
pub fn WhyPanel(user_name: String) -> impl IntoView {
    let action = ServerAction::<Simulate>::new();
    let error = form_error(action.value());
    view! {
        <div class="panel">
            <h2>"Effective permissions: can this user…?"</h2>
            <p class="hint">"Check actions against this user's policies, its groups' policies and its permissions boundary."</p>
            <ActionForm action=action attr:class="form" attr:aria-label="Check effective permissions">
                <FormAlert error fields=&["actions", "resource", "context"]/>
                <input type="hidden" name="user_name" value=user_name/>
                <SimulationFields error/>
                <button type="submit" class="button primary">"Check"</button>
            </ActionForm>
        </div>
        <SimulationResults action/>
    }
}
