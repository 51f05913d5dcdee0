//! Managed policies: the list with its type filter, Create policy with the JSON editor, and a
//! policy's detail with its Permissions, Entities attached and Policy versions tabs.

use gatehouse_policy::PolicyKind;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{
    get_policy, list_policies, url_encode, CreatePolicy, CreatePolicyVersion, DeletePolicy,
    DeletePolicyVersion, PolicyView, SetDefaultPolicyVersion,
};
use crate::components::{
    field_error, form_error, summarize, ConfirmDelete, Field, FormAlert, PolicyEditor, PolicySummaryTable,
    Tabs, TagActions, TagsPanel,
};
use crate::pages::ErrorPage;

/// The document a new policy starts from, as in AWS.
const STARTER: &str = "{\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [\n        {\n            \"Sid\": \"Statement1\",\n            \"Effect\": \"Allow\",\n            \"Action\": [],\n            \"Resource\": []\n        }\n    ]\n}";

#[component]
pub fn PoliciesPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        (
            q.get("type").unwrap_or_default(),
            q.get("search").unwrap_or_default(),
        )
    };
    let policies = Resource::new(args, |(scope, search)| list_policies(Some(scope), Some(search)));
    view! {
        <Title text="Policies · Gatehouse"/>
        <section class="page">
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let (scope, search) = args();
                    match policies.await {
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                        Ok(page) => view! {
                            <div class="page-header">
                                <h1>"Policies " <span class="count">"(" {page.policies.len()} ")"</span></h1>
                                {page.can_create.then(|| view! { <a class="button primary" href="/policies/create">"Create policy"</a> })}
                            </div>
                            <p class="page-intro">"A policy is an object that defines permissions when it is attached to a user or group."</p>
                            <div class="panel table-panel">
                                <form class="toolbar" method="get" action="/policies" role="search">
                                    <label class="sr-only" for="policy-type">"Filter by type"</label>
                                    <select id="policy-type" name="type">
                                        <option value="" selected=scope.is_empty()>"All types"</option>
                                        <option value="aws" selected=scope == "aws">"AWS managed"</option>
                                        <option value="customer" selected=scope == "customer">"Customer managed"</option>
                                    </select>
                                    <label class="sr-only" for="policy-search">"Search policies by name"</label>
                                    <input id="policy-search" class="search" type="search" name="search" placeholder="Search by policy name" value=search.clone()/>
                                    <button type="submit" class="button secondary">"Apply"</button>
                                </form>
                                {if page.policies.is_empty() {
                                    view! { <div class="empty"><p><strong>"No policies"</strong></p><p>"No policy matches the filter."</p></div> }.into_any()
                                } else {
                                    view! {
                                        <table class="table">
                                            <thead><tr>
                                                <th scope="col">"Policy name"</th><th scope="col">"Type"</th>
                                                <th scope="col">"Used as"</th><th scope="col">"Description"</th>
                                            </tr></thead>
                                            <tbody>
                                                {page.policies.into_iter().map(|p| view! {
                                                    <tr>
                                                        <td><a href=format!("/policy?arn={}", url_encode(&p.arn))>{p.name.clone()}</a></td>
                                                        <td>{if p.system { "AWS managed" } else { "Customer managed" }}</td>
                                                        <td>{if p.attachments == 0 { "Not attached".to_owned() } else { format!("Permissions policy ({})", p.attachments) }}</td>
                                                        <td class="description">{p.description.clone()}</td>
                                                    </tr>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </div>
                        }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn CreatePolicyPage() -> impl IntoView {
    let action = ServerAction::<CreatePolicy>::new();
    let error = form_error(action.value());
    let pending = action.pending();
    let text = RwSignal::new(STARTER.to_owned());
    view! {
        <Title text="Create policy · Gatehouse"/>
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/policies">"Policies"</a>" › Create policy"</nav>
            <h1>"Create policy"</h1>
            <ActionForm action=action attr:class="form wide-form" attr:aria-label="Create policy">
                <FormAlert error fields=&["policy_name", "description", "document"]/>
                <div class="panel">
                    <h2>"Specify permissions"</h2>
                    <p class="hint">"Add permissions by writing a JSON policy document. Findings appear as you type."</p>
                    <PolicyEditor name="document" text server_error=field_error(error, "document")/>
                </div>
                <div class="panel">
                    <h2>"Policy details"</h2>
                    <Field label="Policy name" name="policy_name" required=true
                        hint="Maximum 128 characters. Use alphanumeric and '+=,.@-_' characters."
                        error=field_error(error, "policy_name")/>
                    <Field label="Description - optional" name="description"
                        hint="Maximum 1,000 characters." error=field_error(error, "description")/>
                </div>
                <div class="form-actions">
                    <a class="button secondary" href="/policies">"Cancel"</a>
                    <button type="submit" class="button primary" disabled=move || pending.get()>"Create policy"</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn PolicyDetailPage() -> impl IntoView {
    let query = use_query_map();
    let arn = move || query.read().get("arn").unwrap_or_default();
    let edit = ServerAction::<CreatePolicyVersion>::new();
    let set_default = ServerAction::<SetDefaultPolicyVersion>::new();
    let delete_version = ServerAction::<DeletePolicyVersion>::new();
    let tags = TagActions::new();
    let policy = Resource::new(
        move || {
            (
                arn(),
                edit.version().get(),
                set_default.version().get(),
                delete_version.version().get() + tags.version(),
            )
        },
        |(arn, ..)| get_policy(arn),
    );
    view! {
        <Title text="Policy · Gatehouse"/>
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/policies">"Policies"</a>" › Policy"</nav>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match policy.await {
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                        Ok(p) => {
                            let q = query.read();
                            let tab = q.get("tab").unwrap_or_else(|| "permissions".into());
                            let created = q.get("created").is_some();
                            view! { <PolicyDetail p tab created edit set_default delete_version tags/> }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn PolicyDetail(
    p: PolicyView,
    tab: String,
    created: bool,
    edit: ServerAction<CreatePolicyVersion>,
    set_default: ServerAction<SetDefaultPolicyVersion>,
    delete_version: ServerAction<DeletePolicyVersion>,
    tags: TagActions,
) -> impl IntoView {
    let base = format!("/policy?arn={}", url_encode(&p.arn));
    let tabs = vec![
        ("permissions", "Permissions".to_owned()),
        (
            "entities",
            format!("Entities attached ({})", p.users.len() + p.groups.len()),
        ),
        ("versions", format!("Policy versions ({})", p.versions.len())),
        ("tags", format!("Tags ({})", p.tags.len())),
    ];
    let delete = ServerAction::<DeletePolicy>::new();
    let delete_error = form_error(delete.value());
    let body = match tab.as_str() {
        "entities" => view! { <PolicyEntities p=p.clone()/> }.into_any(),
        "versions" => view! { <PolicyVersions p=p.clone() set_default delete_version/> }.into_any(),
        "tags" => {
            let empty = if p.system {
                "AWS managed policies have no tags."
            } else {
                "This policy has no tags."
            };
            view! {
                <TagsPanel kind="policy" target=p.arn.clone() tags=p.tags.clone() can_tag=p.can_tag can_untag=p.can_untag empty actions=tags/>
            }
            .into_any()
        }
        _ => view! { <PolicyPermissions p=p.clone() edit/> }.into_any(),
    };
    let arn = p.arn.clone();
    view! {
        {created.then(|| view! { <div class="alert alert-success" role="status"><p>{format!("Policy {} created.", p.name)}</p></div> })}
        <div class="page-header">
            <h1>{p.name.clone()} " " <span class=if p.system { "badge" } else { "badge badge-customer" }>{if p.system { "AWS managed" } else { "Customer managed" }}</span></h1>
            {p.can_delete.then(|| view! {
                <ConfirmDelete label="Delete">
                    <ActionForm action=delete attr:class="form" attr:aria-label="Delete policy">
                        <p>"A policy can be deleted only when it is attached to no user or group. Its versions are deleted with it."</p>
                        <input type="hidden" name="arn" value=arn.clone()/>
                        <FormAlert error=delete_error fields=&[]/>
                        <button type="submit" class="button danger">"Delete policy"</button>
                    </ActionForm>
                </ConfirmDelete>
            })}
        </div>
        <div class="panel">
            <h2>"Policy details"</h2>
            <dl class="facts">
                <dt>"Type"</dt><dd>{if p.system { "AWS managed" } else { "Customer managed" }}</dd>
                <dt>"Creation time"</dt><dd>{p.created.clone()}</dd>
                <dt>"Default version"</dt><dd data-testid="default-version">{p.default_version.clone()}</dd>
                <dt>"ARN"</dt><dd class="mono">{p.arn.clone()}</dd>
                <dt>"Description"</dt><dd>{if p.description.is_empty() { "None".to_owned() } else { p.description.clone() }}</dd>
            </dl>
        </div>
        <Tabs base tabs current=tab/>
        {body}
    }
}

#[component]
fn PolicyPermissions(p: PolicyView, edit: ServerAction<CreatePolicyVersion>) -> impl IntoView {
    let summary = summarize(&p.document, PolicyKind::Managed);
    let text = RwSignal::new(p.document.clone());
    let error = form_error(edit.value());
    let saved = move || matches!(edit.value().get(), Some(Ok(())));
    view! {
        <div class="panel" role="tabpanel">
            <h2>"Permissions defined in this policy"</h2>
            <PolicySummaryTable rows=Signal::stored(summary)/>
            <h3>"JSON"</h3>
            <pre class="code-block" data-testid="policy-document">{p.document.clone()}</pre>
        </div>
        {p.can_edit.then(|| view! {
            <details class="panel edit-policy">
                <summary class="button secondary">"Edit"</summary>
                <ActionForm action=edit attr:class="form wide-form" attr:aria-label="Edit policy">
                    <p class="hint">"Saving creates a new version and makes it the default. A policy keeps at most five versions: delete an old one on the Policy versions tab when it has five."</p>
                    <input type="hidden" name="arn" value=p.arn.clone()/>
                    <FormAlert error fields=&["document"]/>
                    {move || saved().then(|| view! { <div class="alert alert-success" role="status"><p>"Saved as a new default version."</p></div> })}
                    <PolicyEditor name="document" text server_error=field_error(error, "document")/>
                    <button type="submit" class="button primary">"Save changes"</button>
                </ActionForm>
            </details>
        })}
    }
}

#[component]
fn PolicyEntities(p: PolicyView) -> impl IntoView {
    let rows: Vec<(String, &'static str, String)> = p
        .users
        .iter()
        .map(|u| (u.clone(), "User", format!("/users/{u}")))
        .chain(
            p.groups
                .iter()
                .map(|g| (g.clone(), "Group", format!("/groups/{g}"))),
        )
        .collect();
    view! {
        <div class="panel table-panel" role="tabpanel">
            <div class="panel-header"><h2>"Entities attached"</h2></div>
            {if rows.is_empty() {
                view! { <div class="empty"><p><strong>"No entities attached"</strong></p><p>"This policy is not attached to any user or group."</p></div> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <thead><tr><th scope="col">"Entity name"</th><th scope="col">"Entity type"</th></tr></thead>
                        <tbody>{rows.into_iter().map(|(name, kind, href)| view! { <tr><td><a href=href>{name}</a></td><td>{kind}</td></tr> }).collect_view()}</tbody>
                    </table>
                }.into_any()
            }}
        </div>
    }
}

#[component]
fn PolicyVersions(
    p: PolicyView,
    set_default: ServerAction<SetDefaultPolicyVersion>,
    delete_version: ServerAction<DeletePolicyVersion>,
) -> impl IntoView {
    let set_error = form_error(set_default.value());
    let delete_error = form_error(delete_version.value());
    let editable = p.can_edit;
    view! {
        <div class="panel table-panel" role="tabpanel">
            <div class="panel-header"><h2>"Policy versions"</h2></div>
            <p class="hint">"A policy keeps at most five versions. Setting an older version as the default rolls the policy back."</p>
            <FormAlert error=set_error fields=&[]/>
            <FormAlert error=delete_error fields=&[]/>
            <table class="table">
                <thead><tr><th scope="col">"Version"</th><th scope="col">"Creation time"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                <tbody>
                    {p.versions.iter().map(|v| {
                        let arn = p.arn.clone();
                        let arn2 = p.arn.clone();
                        let (v1, v2, v3, v4) = (v.version_id.clone(), v.version_id.clone(), v.version_id.clone(), v.version_id.clone());
                        view! {
                            <tr>
                                <td>
                                    <details class="version-doc">
                                        <summary>{v.version_id.clone()} {v.is_default.then(|| view! { " " <span class="badge badge-ok">"Default"</span> })}</summary>
                                        <pre class="code-block">{v.document.clone()}</pre>
                                    </details>
                                </td>
                                <td>{v.created.clone()}</td>
                                <td class="actions">
                                    {(editable && !v.is_default).then(move || view! {
                                        <ActionForm action=set_default attr:class="inline-form">
                                            <input type="hidden" name="arn" value=arn/>
                                            <input type="hidden" name="version_id" value=v1/>
                                            <button type="submit" class="button secondary small" aria-label=format!("Set {v2} as default")>"Set as default"</button>
                                        </ActionForm>
                                        <ActionForm action=delete_version attr:class="inline-form">
                                            <input type="hidden" name="arn" value=arn2/>
                                            <input type="hidden" name="version_id" value=v3/>
                                            <button type="submit" class="button secondary small" aria-label=format!("Delete {v4}")>"Delete"</button>
                                        </ActionForm>
                                    })}
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
