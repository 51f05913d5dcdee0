//! Managed policies on a user's or group's page: the "Add permissions" panel that attaches
//! policies from a check list, and the Detach button of an attached policy.

use leptos::prelude::*;

use crate::api::{list_policies, AttachPolicies, DetachPolicy};
use crate::components::{form_error, FormAlert};

/// "Add permissions": the policies not attached yet, as check boxes (`policies[i]`).
#[component]
pub fn AttachPoliciesPanel(
    /// `user` or `group`
    owner_kind: &'static str,
    owner_name: String,
    /// ARNs already attached, left out of the list.
    attached: Vec<String>,
    action: ServerAction<AttachPolicies>,
) -> impl IntoView {
    let policies = Resource::new(|| (), |_| list_policies(None, None));
    let error = form_error(action.value());
    view! {
        <details class="panel">
            <summary><strong>"Add permissions"</strong>" — attach policies"</summary>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || {
                    let (owner_name, attached) = (owner_name.clone(), attached.clone());
                    Suspend::new(async move {
                        let available: Vec<_> = policies
                            .await
                            .map(|p| p.policies)
                            .unwrap_or_default()
                            .into_iter()
                            .filter(|p| !attached.contains(&p.arn))
                            .collect();
                        view! {
                            <ActionForm action=action attr:class="form" attr:aria-label="Attach policies">
                                <FormAlert error fields=&[]/>
                                <input type="hidden" name="owner_kind" value=owner_kind/>
                                <input type="hidden" name="owner_name" value=owner_name/>
                                <ul class="check-list policies">
                                    {available.into_iter().enumerate().map(|(i, p)| view! {
                                        <li><label>
                                            <input type="checkbox" name=format!("policies[{i}]") value=p.arn.clone()/>
                                            " " {p.name.clone()}
                                            <span class=if p.system { "badge" } else { "badge badge-customer" }>{if p.system { "AWS managed" } else { "Customer managed" }}</span>
                                        </label></li>
                                    }).collect_view()}
                                </ul>
                                <button type="submit" class="button primary">"Attach policies"</button>
                            </ActionForm>
                        }
                    })
                }}
            </Suspense>
        </details>
    }
}

/// The Detach button of one attached policy.
#[component]
pub fn DetachButton(
    owner_kind: &'static str,
    owner_name: String,
    policy_arn: String,
    policy_name: String,
    action: ServerAction<DetachPolicy>,
) -> impl IntoView {
    view! {
        <ActionForm action=action attr:class="inline-form">
            <input type="hidden" name="owner_kind" value=owner_kind/>
            <input type="hidden" name="owner_name" value=owner_name/>
            <input type="hidden" name="policy_arn" value=policy_arn/>
            <button type="submit" class="button secondary small" aria-label=format!("Detach {policy_name}")>"Detach"</button>
        </ActionForm>
    }
}
