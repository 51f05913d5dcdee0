//! User groups: the list, Create user group, and a group's detail with its Users and Permissions
//! tabs.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{
    get_group, list_groups, list_policies, list_users, url_encode, AddUsersToGroup, AttachPolicies,
    CreateGroup, DeleteGroup, DeleteInlinePolicy, DetachPolicy, GroupView, RemoveUserFromGroup, RenameGroup,
};
use crate::components::{
    field_error, form_error, AttachPoliciesPanel, ConfirmDelete, DetachButton, Field, FormAlert, Tabs,
};
use crate::pages::ErrorPage;

#[component]
pub fn GroupsPage() -> impl IntoView {
    let groups = Resource::new(|| (), |_| list_groups());
    let filter = RwSignal::new(String::new());
    view! {
        <Title text="User groups · Gatehouse"/>
        <section class="page">
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match groups.await {
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                        Ok(page) => {
                            let count = page.groups.len();
                            let rows = page.groups.clone();
                            view! {
                                <div class="page-header">
                                    <h1>"User groups " <span class="count">"(" {count} ")"</span></h1>
                                    {page.can_create.then(|| view! {
                                        <a class="button primary" href="/groups/create">"Create group"</a>
                                    })}
                                </div>
                                <p class="page-intro">"A user group is a collection of IAM users. Use groups to specify permissions for a collection of users."</p>
                                <div class="panel table-panel">
                                    <div class="toolbar">
                                        <label class="sr-only" for="group-filter">"Search groups"</label>
                                        <input id="group-filter" class="search" type="search" placeholder="Search"
                                            on:input=move |ev| filter.set(event_target_value(&ev)) />
                                    </div>
                                    {if rows.is_empty() {
                                        view! {
                                            <div class="empty">
                                                <p><strong>"No groups"</strong></p>
                                                <p>"You don't have any groups in this account yet."</p>
                                            </div>
                                        }.into_any()
                                    } else {
                                        view! {
                                            <table class="table">
                                                <thead><tr>
                                                    <th scope="col">"Group name"</th>
                                                    <th scope="col">"Users"</th>
                                                    <th scope="col">"Permissions"</th>
                                                    <th scope="col">"Creation time"</th>
                                                </tr></thead>
                                                <tbody>
                                                    {rows.into_iter().map(|g| {
                                                        let lower = g.name.to_lowercase();
                                                        view! {
                                                            <tr hidden=move || { let f = filter.get().to_lowercase(); !f.is_empty() && !lower.contains(&f) }>
                                                                <td><a href=format!("/groups/{}", g.name)>{g.name.clone()}</a></td>
                                                                <td>{g.users}</td>
                                                                <td>{if g.policies == 0 { "Not defined".to_owned() } else { format!("Defined ({})", g.policies) }}</td>
                                                                <td>{g.created.clone()}</td>
                                                            </tr>
                                                        }
                                                    }).collect_view()}
                                                </tbody>
                                            </table>
                                        }.into_any()
                                    }}
                                </div>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
pub fn CreateGroupPage() -> impl IntoView {
    let users = Resource::new(|| (), |_| list_users(None, None, None));
    let policies = Resource::new(|| (), |_| list_policies(None, None));
    let action = ServerAction::<CreateGroup>::new();
    let error = form_error(action.value());
    let pending = action.pending();
    let policy_filter = RwSignal::new(String::new());
    view! {
        <Title text="Create user group · Gatehouse"/>
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/groups">"User groups"</a>" › Create user group"</nav>
            <h1>"Create user group"</h1>
            <ActionForm action=action attr:class="form wide-form" attr:aria-label="Create user group">
                <FormAlert error fields=&["group_name", "path"]/>
                <div class="panel">
                    <h2>"Name the group"</h2>
                    <Field label="User group name" name="group_name" required=true autofocus=true
                        hint="Enter a meaningful name to identify this group. Maximum 128 characters. Use alphanumeric and '+=,.@-_' characters."
                        error=field_error(error, "group_name")/>
                    <Field label="Path (optional)" name="path" hint="For example /engineering/. Leave empty for /."
                        error=field_error(error, "path")/>
                </div>
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        let users = users.await;
                        let policies = policies.await;
                        view! {
                            <fieldset class="panel">
                                <legend>"Add users to the group - " <span class="optional">"Optional"</span></legend>
                                {match users {
                                    Err(e) => view! { <p class="muted">{e.to_string()}</p> }.into_any(),
                                    Ok(page) if page.users.is_empty() => view! { <p class="muted">"No users in this account yet."</p> }.into_any(),
                                    Ok(page) => view! {
                                        <ul class="check-list">
                                            {page.users.into_iter().enumerate().map(|(i, u)| view! {
                                                <li><label>
                                                    <input type="checkbox" name=format!("users[{i}]") value=u.name.clone()/>
                                                    " " {u.name.clone()}
                                                </label></li>
                                            }).collect_view()}
                                        </ul>
                                    }.into_any(),
                                }}
                            </fieldset>
                            <fieldset class="panel">
                                <legend>"Attach permissions policies - " <span class="optional">"Optional"</span></legend>
                                <label class="sr-only" for="policy-filter">"Filter policies"</label>
                                <input id="policy-filter" class="search" type="search" placeholder="Filter policies by name"
                                    on:input=move |ev| policy_filter.set(event_target_value(&ev))/>
                                {match policies {
                                    Err(e) => view! { <p class="muted">{e.to_string()}</p> }.into_any(),
                                    Ok(page) => view! {
                                        <ul class="check-list policies">
                                            {page.policies.into_iter().enumerate().map(|(i, p)| {
                                                let lower = p.name.to_lowercase();
                                                view! {
                                                    <li hidden=move || { let f = policy_filter.get().to_lowercase(); !f.is_empty() && !lower.contains(&f) }>
                                                        <label>
                                                            <input type="checkbox" name=format!("policies[{i}]") value=p.arn.clone()/>
                                                            " " {p.name.clone()}
                                                            <span class=if p.system { "badge" } else { "badge badge-customer" }>
                                                                {if p.system { "AWS managed" } else { "Customer managed" }}
                                                            </span>
                                                        </label>
                                                        <p class="hint">{p.description.clone()}</p>
                                                    </li>
                                                }
                                            }).collect_view()}
                                        </ul>
                                    }.into_any(),
                                }}
                            </fieldset>
                        }
                    })}
                </Suspense>
                <div class="form-actions">
                    <a class="button secondary" href="/groups">"Cancel"</a>
                    <button type="submit" class="button primary" disabled=move || pending.get()>"Create user group"</button>
                </div>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn GroupDetailPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let name = move || params.read().get("name").unwrap_or_default();
    let remove = ServerAction::<RemoveUserFromGroup>::new();
    let add = ServerAction::<AddUsersToGroup>::new();
    let detach = ServerAction::<DetachPolicy>::new();
    let attach = ServerAction::<AttachPolicies>::new();
    let delete_inline = ServerAction::<DeleteInlinePolicy>::new();
    // Edit may change only the path: the page stays at the same address and must reload.
    let rename = ServerAction::<RenameGroup>::new();
    let group = Resource::new(
        move || {
            (
                name(),
                remove.version().get() + add.version().get() + detach.version().get(),
                attach.version().get() + delete_inline.version().get() + rename.version().get(),
            )
        },
        |(name, ..)| get_group(name),
    );
    view! {
        <Title text="User group · Gatehouse"/>
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/groups">"User groups"</a>" › " {name}</nav>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match group.await {
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                        Ok(g) => {
                            let created = query.read().get("created").is_some();
                            let tab = query.read().get("tab").unwrap_or_else(|| "users".into());
                            view! { <GroupDetail g created tab remove add detach attach delete_inline rename/> }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn GroupDetail(
    g: GroupView,
    created: bool,
    tab: String,
    remove: ServerAction<RemoveUserFromGroup>,
    add: ServerAction<AddUsersToGroup>,
    detach: ServerAction<DetachPolicy>,
    attach: ServerAction<AttachPolicies>,
    delete_inline: ServerAction<DeleteInlinePolicy>,
    rename: ServerAction<RenameGroup>,
) -> impl IntoView {
    let base = format!("/groups/{}", g.name);
    let tabs = vec![
        ("users", format!("Users ({})", g.members.len())),
        (
            "permissions",
            format!("Permissions ({})", g.attached.len() + g.inline_policies.len()),
        ),
    ];
    let delete = ServerAction::<DeleteGroup>::new();
    let rename_error = form_error(rename.value());
    let name = g.name.clone();
    let body = match tab.as_str() {
        "permissions" => view! { <GroupPermissions g=g.clone() detach attach delete_inline/> }.into_any(),
        _ => view! { <GroupUsers g=g.clone() remove add/> }.into_any(),
    };
    view! {
        {created.then(|| view! {
            <div class="alert alert-success" role="status"><p>{format!("{} user group created.", g.name)}</p></div>
        })}
        <div class="page-header">
            <h1>{g.name.clone()}</h1>
            <div class="header-actions">
            {g.can_rename.then(|| { let name = name.clone(); let path = g.path.clone(); view! {
                <details class="confirm">
                    <summary class="button secondary">"Edit"</summary>
                    <div class="confirm-body">
                        <ActionForm action=rename attr:class="form" attr:aria-label="Edit user group">
                            <input type="hidden" name="group_name" value=name.clone()/>
                            <Field label="User group name" name="new_group_name" value=name.clone() required=true error=field_error(rename_error, "new_group_name")/>
                            <Field label="Path" name="new_path" value=path hint="Starts and ends with /, for example /division_abc/." error=field_error(rename_error, "new_path")/>
                            <FormAlert error=rename_error fields=&["new_group_name", "new_path"]/>
                            <button type="submit" class="button primary">"Save changes"</button>
                        </ActionForm>
                    </div>
                </details>
            }})}
            {g.can_delete.then(|| {
                let error = form_error(delete.value());
                view! {
                    <ConfirmDelete label="Delete">
                        <ActionForm action=delete attr:class="form" attr:aria-label="Delete user group">
                            <p>"Deleting the group removes its users from it, detaches its policies and deletes its inline policies. This cannot be undone."</p>
                            <input type="hidden" name="group_name" value=name.clone()/>
                            <Field label="To confirm deletion, enter the group name" name="confirm" required=true
                                error=field_error(error, "confirm")/>
                            <FormAlert error fields=&["confirm"]/>
                            <button type="submit" class="button danger">"Delete group"</button>
                        </ActionForm>
                    </ConfirmDelete>
                }
            })}
            </div>
        </div>
        <div class="panel">
            <h2>"Summary"</h2>
            <dl class="facts">
                <dt>"User group name"</dt><dd>{g.name.clone()}</dd>
                <dt>"Creation time"</dt><dd>{g.created.clone()}</dd>
                <dt>"ARN"</dt><dd class="mono">{g.arn.clone()}</dd>
            </dl>
        </div>
        <Tabs base tabs current=tab/>
        {body}
    }
}

#[component]
fn GroupUsers(
    g: GroupView,
    remove: ServerAction<RemoveUserFromGroup>,
    add: ServerAction<AddUsersToGroup>,
) -> impl IntoView {
    let remove_error = form_error(remove.value());
    let add_error = form_error(add.value());
    let members = g.members.clone();
    let candidates = Resource::new(|| (), |_| list_users(None, None, None));
    let group_name = g.name.clone();
    view! {
        <div class="panel table-panel" role="tabpanel">
            <div class="panel-header"><h2>"Users in this group"</h2></div>
            <FormAlert error=remove_error fields=&[]/>
            {if members.is_empty() {
                view! { <div class="empty"><p><strong>"No users"</strong></p><p>"This group has no users."</p></div> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <thead><tr><th scope="col">"User name"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                        <tbody>
                            {members.into_iter().map(|m| { let gn = g.name.clone(); view! {
                                <tr>
                                    <td><a href=format!("/users/{m}")>{m.clone()}</a></td>
                                    <td class="actions">{g.can_remove_users.then(move || view! {
                                        <ActionForm action=remove attr:class="inline-form">
                                            <input type="hidden" name="group_name" value=gn/>
                                            <input type="hidden" name="user_name" value=m.clone()/>
                                            <button type="submit" class="button secondary small" aria-label=format!("Remove {m}")>"Remove"</button>
                                        </ActionForm>
                                    })}</td>
                                </tr>
                            }}).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </div>
        {g.can_add_users.then(|| view! {
            <div class="panel">
                <h2>"Add users"</h2>
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || {
                        let group_name = group_name.clone();
                        let members = g.members.clone();
                        Suspend::new(async move {
                            let others: Vec<String> = candidates.await.map(|p| p.users.into_iter().map(|u| u.name).filter(|n| !members.contains(n)).collect()).unwrap_or_default();
                            if others.is_empty() {
                                return view! { <p class="muted">"Every user is already in this group."</p> }.into_any();
                            }
                            view! {
                                <ActionForm action=add attr:class="form" attr:aria-label="Add users to group">
                                    <FormAlert error=add_error fields=&[]/>
                                    <input type="hidden" name="group_name" value=group_name/>
                                    <ul class="check-list">
                                        {others.into_iter().enumerate().map(|(i, n)| view! {
                                            <li><label><input type="checkbox" name=format!("users[{i}]") value=n.clone()/>" " {n.clone()}</label></li>
                                        }).collect_view()}
                                    </ul>
                                    <button type="submit" class="button primary">"Add users"</button>
                                </ActionForm>
                            }.into_any()
                        })
                    }}
                </Suspense>
            </div>
        })}
    }
}

#[component]
fn GroupPermissions(
    g: GroupView,
    detach: ServerAction<DetachPolicy>,
    attach: ServerAction<AttachPolicies>,
    delete_inline: ServerAction<DeleteInlinePolicy>,
) -> impl IntoView {
    let error = form_error(detach.value());
    let inline_error = form_error(delete_inline.value());
    let attached: Vec<String> = g.attached.iter().map(|p| p.arn.clone()).collect();
    let inline_href = format!("/inline-policy?owner=group&name={}", url_encode(&g.name));
    view! {
        <div class="panel table-panel" role="tabpanel">
            <div class="panel-header row">
                <h2>"Permissions policies"</h2>
                {g.can_put_inline.then(|| view! { <a class="button secondary small" href=inline_href.clone()>"Create inline policy"</a> })}
            </div>
            <FormAlert error fields=&[]/>
            <FormAlert error=inline_error fields=&[]/>
            {if g.attached.is_empty() && g.inline_policies.is_empty() {
                view! { <div class="empty"><p><strong>"No permissions"</strong></p><p>"No policies are attached to this group."</p></div> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <thead><tr><th scope="col">"Policy name"</th><th scope="col">"Type"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                        <tbody>
                            {g.attached.iter().cloned().map(|p| { let gn = g.name.clone(); view! {
                                <tr>
                                    <td><a href=p.href()>{p.name.clone()}</a></td>
                                    <td>{if p.system { "AWS managed" } else { "Customer managed" }}</td>
                                    <td class="actions">{g.can_detach.then(move || view! {
                                        <DetachButton owner_kind="group" owner_name=gn policy_arn=p.arn.clone() policy_name=p.name.clone() action=detach/>
                                    })}</td>
                                </tr>
                            }}).collect_view()}
                            {g.inline_policies.iter().cloned().map(|n| {
                                let edit = format!("/inline-policy?owner=group&name={}&policy={}", url_encode(&g.name), url_encode(&n));
                                let (gn, pn, label) = (g.name.clone(), n.clone(), n.clone());
                                view! {
                                    <tr>
                                        <td><a href=edit>{n}</a></td><td>"Customer inline"</td>
                                        <td class="actions">{g.can_delete_inline.then(move || view! {
                                            <ActionForm action=delete_inline attr:class="inline-form">
                                                <input type="hidden" name="owner_kind" value="group"/>
                                                <input type="hidden" name="owner_name" value=gn/>
                                                <input type="hidden" name="policy_name" value=pn/>
                                                <button type="submit" class="button secondary small" aria-label=format!("Delete {label}")>"Delete"</button>
                                            </ActionForm>
                                        })}</td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </div>
        {g.can_attach.then(|| view! {
            <AttachPoliciesPanel owner_kind="group" owner_name=g.name.clone() attached=attached.clone() action=attach/>
        })}
    }
}
