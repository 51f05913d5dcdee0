//! IAM users: the list (search, sort, keyset pages), the Create user wizard, its Retrieve
//! password step, and a user's detail with its Permissions and Groups tabs.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{
    get_user, list_groups, list_policies, list_users, take_created_user, url_encode, CreateUser,
    CreatedUserView, PolicyLink, UserView,
};
use crate::components::{field_error, form_error, CopyButton, Field, FormAlert, Tabs};
use crate::pages::ErrorPage;

#[component]
pub fn UsersPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        (
            q.get("search").filter(|s| !s.is_empty()),
            q.get("after").filter(|s| !s.is_empty()),
            q.get("order").as_deref() == Some("desc"),
        )
    };
    let users = Resource::new(args, |(search, after, desc)| {
        list_users(search, after, Some(desc))
    });
    view! {
        <Title text="Users · Gatehouse"/>
        <section class="page">
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let (search, after, desc) = args();
                    match users.await {
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                        Ok(page) => {
                            let search_q = search.clone().map(|s| format!("&search={}", url_encode(&s))).unwrap_or_default();
                            let sort_href = format!("/users?order={}{search_q}", if desc { "asc" } else { "desc" });
                            let next_href = page.next.clone().map(|n| format!("/users?after={}&order={}{search_q}", url_encode(&n), if desc { "desc" } else { "asc" }));
                            let first_href = after.as_ref().map(|_| format!("/users?order={}{search_q}", if desc { "desc" } else { "asc" }));
                            view! {
                                <div class="page-header">
                                    <h1>"Users"</h1>
                                    {page.can_create.then(|| view! { <a class="button primary" href="/users/create">"Create user"</a> })}
                                </div>
                                <p class="page-intro">"An IAM user is an identity with long-term credentials that is used to interact with Gatehouse in an account."</p>
                                <div class="panel table-panel">
                                    <form class="toolbar" method="get" action="/users" role="search">
                                        <label class="sr-only" for="user-search">"Search users by name"</label>
                                        <input id="user-search" class="search" type="search" name="search" placeholder="Search by user name" value=search.clone().unwrap_or_default()/>
                                        {desc.then(|| view! { <input type="hidden" name="order" value="desc"/> })}
                                        <button type="submit" class="button secondary">"Search"</button>
                                    </form>
                                    {if page.users.is_empty() {
                                        view! {
                                            <div class="empty">
                                                <p><strong>"No users"</strong></p>
                                                <p>{if search.is_some() { "No user name matches your search." } else { "There are no IAM users in this account yet." }}</p>
                                            </div>
                                        }.into_any()
                                    } else {
                                        view! {
                                            <table class="table">
                                                <thead><tr>
                                                    <th scope="col" aria-sort=if desc { "descending" } else { "ascending" }>
                                                        <a href=sort_href>"User name " {if desc { "▼" } else { "▲" }}</a>
                                                    </th>
                                                    <th scope="col">"Path"</th>
                                                    <th scope="col">"Groups"</th>
                                                    <th scope="col">"Last activity"</th>
                                                    <th scope="col">"Password age"</th>
                                                    <th scope="col">"Console last sign-in"</th>
                                                    <th scope="col">"Creation time"</th>
                                                </tr></thead>
                                                <tbody>
                                                    {page.users.into_iter().map(|u| view! {
                                                        <tr>
                                                            <td>
                                                                <a href=format!("/users/{}", u.name)>{u.name.clone()}</a>
                                                                {u.disabled.then(|| view! { " " <span class="badge badge-warn">"Disabled"</span> })}
                                                            </td>
                                                            <td class="mono">{u.path.clone()}</td>
                                                            <td>{u.groups}</td>
                                                            <td>{u.console_last_sign_in.clone().unwrap_or_else(|| "Never".into())}</td>
                                                            <td>{match (u.console_access, u.password_age_days) {
                                                                (true, Some(d)) => format!("{d} day{}", if d == 1 { "" } else { "s" }),
                                                                _ => "None".into(),
                                                            }}</td>
                                                            <td>{if u.console_access { u.console_last_sign_in.clone().unwrap_or_else(|| "Never".into()) } else { "No console access".into() }}</td>
                                                            <td>{u.created.clone()}</td>
                                                        </tr>
                                                    }).collect_view()}
                                                </tbody>
                                            </table>
                                        }.into_any()
                                    }}
                                    <div class="pager">
                                        {first_href.map(|h| view! { <a class="button secondary" href=h>"First page"</a> })}
                                        {next_href.map(|h| view! { <a class="button secondary" href=h rel="next">"Next page"</a> })}
                                    </div>
                                </div>
                            }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

/// The Create user wizard. One form holds every step, so it works before hydration (all steps
/// show at once); once hydrated it shows one step at a time with Next and Previous.
#[component]
pub fn CreateUserPage() -> impl IntoView {
    let action = ServerAction::<CreateUser>::new();
    let error = form_error(action.value());
    let pending = action.pending();
    let groups = Resource::new(|| (), |_| list_groups());
    let policies = Resource::new(|| (), |_| list_policies(None, None));
    let users = Resource::new(|| (), |_| list_users(None, None, None));

    let hydrated = RwSignal::new(false);
    Effect::new(move |_| hydrated.set(true));
    let step = RwSignal::new(1u8);
    // A server error sends the person back to the step that has the field.
    Effect::new(move |_| {
        if let Some(e) = error.get() {
            step.set(
                if e.for_field("user_name").is_some()
                    || e.for_field("path").is_some()
                    || e.for_field("password").is_some()
                {
                    1
                } else {
                    4
                },
            );
        }
    });
    let shown = move |n: u8| move || !hydrated.get() || step.get() == n;

    let user_name = RwSignal::new(String::new());
    let console = RwSignal::new(false);
    let custom = RwSignal::new(false);
    let reset = RwSignal::new(true);
    let option = RwSignal::new("group".to_owned());
    let chosen_groups = RwSignal::new(Vec::<String>::new());
    let chosen_policies = RwSignal::new(Vec::<String>::new());
    let toggle = |list: RwSignal<Vec<String>>, item: String, on: bool| {
        list.update(|l| {
            l.retain(|x| x != &item);
            if on {
                l.push(item);
            }
        })
    };
    let name_missing = RwSignal::new(false);

    let steps = [
        "Specify user details",
        "Set permissions",
        "Review and create",
        "Retrieve password",
    ];
    view! {
        <Title text="Create user · Gatehouse"/>
        <section class="page wizard">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/users">"Users"</a>" › Create user"</nav>
            <div class="wizard-layout">
                <ol class="wizard-steps">
                    {steps.into_iter().enumerate().map(|(i, label)| {
                        let n = i as u8 + 1;
                        view! {
                            <li class:current=move || hydrated.get() && step.get() == n>
                                <span class="step-no">"Step " {n}</span>
                                <span class="step-label">{label}</span>
                            </li>
                        }
                    }).collect_view()}
                </ol>
                <ActionForm action=action attr:class="form wizard-form" attr:aria-label="Create user">
                    <FormAlert error fields=&["user_name", "path", "password"]/>

                    <fieldset class="panel step" hidden=move || !shown(1)()>
                        <legend><h1>"Specify user details"</h1></legend>
                        <h2>"User details"</h2>
                        <div class="field" class:has-error=move || name_missing.get() || field_error(error, "user_name").get().is_some()>
                            <label for="field-user_name">"User name"</label>
                            <p class="hint" id="user-name-hint">"The user name can have up to 64 characters. Valid characters: A-Z, a-z, 0-9, and + = , . @ _ - (hyphen)"</p>
                            <input id="field-user_name" name="user_name" required autocomplete="off" aria-describedby="user-name-hint"
                                on:input=move |ev| { user_name.set(event_target_value(&ev)); name_missing.set(false); }/>
                            {move || name_missing.get().then(|| view! { <p class="field-error">"Enter a user name."</p> })}
                            {move || field_error(error, "user_name").get().map(|e| view! { <p class="field-error">{e}</p> })}
                        </div>
                        <Field label="Path (optional)" name="path" hint="For example /engineering/. Leave empty for /." error=field_error(error, "path")/>
                        <div class="field checkbox">
                            <label>
                                <input type="checkbox" name="console_access" value="on" on:change=move |ev| console.set(event_target_checked(&ev))/>
                                " Provide user access to the Gatehouse console - " <span class="optional">"optional"</span>
                            </label>
                            <p class="hint">"If you're providing console access to a person, it's a best practice to have them change their password at first sign-in."</p>
                        </div>
                        <div class="subsection" hidden=move || hydrated.get() && !console.get()>
                            <fieldset class="radio-group">
                                <legend>"Console password"</legend>
                                <label><input type="radio" name="password_type" value="autogenerated" checked on:change=move |_| custom.set(false)/>" Autogenerated password"</label>
                                <p class="hint">"You can view the password after you create the user."</p>
                                <label><input type="radio" name="password_type" value="custom" on:change=move |_| custom.set(true)/>" Custom password"</label>
                            </fieldset>
                            <div hidden=move || hydrated.get() && !custom.get()>
                                <Field label="Custom password" name="password" kind="password" autocomplete="new-password"
                                    hint="Enter a custom password for the user (used only when Custom password is chosen)." error=field_error(error, "password")/>
                            </div>
                            <div class="field checkbox">
                                <label>
                                    <input type="checkbox" name="password_reset_required" value="on" checked on:change=move |ev| reset.set(event_target_checked(&ev))/>
                                    " Users must create a new password at next sign-in (recommended)."
                                </label>
                                <p class="hint">"Users automatically get the IAMUserChangePassword policy to allow them to change their own password."</p>
                            </div>
                        </div>
                        <div class="form-actions" hidden=move || !hydrated.get()>
                            <a class="button secondary" href="/users">"Cancel"</a>
                            <button type="button" class="button primary" on:click=move |_| {
                                if user_name.get().trim().is_empty() { name_missing.set(true); } else { step.set(2); }
                            }>"Next"</button>
                        </div>
                    </fieldset>

                    <fieldset class="panel step" hidden=move || !shown(2)()>
                        <legend><h1>"Set permissions"</h1></legend>
                        <p class="hint">"Add user to an existing group or create a new one. Using groups is a best-practice way to manage user's permissions by job functions."</p>
                        <fieldset class="radio-group options">
                            <legend>"Permissions options"</legend>
                            <label class="option"><input type="radio" name="permissions_option" value="group" checked on:change=move |_| option.set("group".into())/>
                                <strong>" Add user to group"</strong><span class="hint">"Add user to an existing group, or create a new group."</span></label>
                            <label class="option"><input type="radio" name="permissions_option" value="copy" on:change=move |_| option.set("copy".into())/>
                                <strong>" Copy permissions"</strong><span class="hint">"Copy all group memberships, attached managed policies, and the permissions boundary from an existing user."</span></label>
                            <label class="option"><input type="radio" name="permissions_option" value="attach" on:change=move |_| option.set("attach".into())/>
                                <strong>" Attach policies directly"</strong><span class="hint">"Attach a managed policy directly to a user."</span></label>
                        </fieldset>
                        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                            {move || Suspend::new(async move {
                                let groups = groups.await.map(|p| p.groups).unwrap_or_default();
                                let policies = policies.await.map(|p| p.policies).unwrap_or_default();
                                let users = users.await.map(|p| p.users).unwrap_or_default();
                                let boundary_options = policies.clone();
                                view! {
                                    <div class="subsection" hidden=move || hydrated.get() && option.get() != "group">
                                        <h2>"User groups"</h2>
                                        {if groups.is_empty() {
                                            view! { <p class="muted">"No groups yet. " <a href="/groups/create">"Create group"</a></p> }.into_any()
                                        } else {
                                            view! {
                                                <ul class="check-list">
                                                    {groups.into_iter().enumerate().map(|(i, g)| {
                                                        let n = g.name.clone();
                                                        view! {
                                                            <li><label>
                                                                <input type="checkbox" name=format!("groups[{i}]") value=g.name.clone()
                                                                    on:change=move |ev| toggle(chosen_groups, n.clone(), event_target_checked(&ev))/>
                                                                " " {g.name.clone()}
                                                                <span class="hint">{if g.policies == 0 { " (no permissions)".to_owned() } else { format!(" ({} polic{})", g.policies, if g.policies == 1 { "y" } else { "ies" }) }}</span>
                                                            </label></li>
                                                        }
                                                    }).collect_view()}
                                                </ul>
                                            }.into_any()
                                        }}
                                    </div>
                                    <div class="subsection" hidden=move || hydrated.get() && option.get() != "copy">
                                        <label for="copy-from"><h2>"Copy permissions from user"</h2></label>
                                        <select id="copy-from" name="copy_from">
                                            <option value="">"Choose a user"</option>
                                            {users.into_iter().map(|u| view! { <option value=u.name.clone()>{u.name.clone()}</option> }).collect_view()}
                                        </select>
                                    </div>
                                    <div class="subsection" hidden=move || hydrated.get() && option.get() != "attach">
                                        <h2>"Permissions policies"</h2>
                                        <ul class="check-list policies">
                                            {policies.into_iter().enumerate().map(|(i, p)| {
                                                let n = p.name.clone();
                                                view! {
                                                    <li><label>
                                                        <input type="checkbox" name=format!("policies[{i}]") value=p.arn.clone()
                                                            on:change=move |ev| toggle(chosen_policies, n.clone(), event_target_checked(&ev))/>
                                                        " " {p.name.clone()}
                                                        <span class=if p.system { "badge" } else { "badge badge-customer" }>{if p.system { "AWS managed" } else { "Customer managed" }}</span>
                                                    </label></li>
                                                }
                                            }).collect_view()}
                                        </ul>
                                    </div>
                                    <details class="subsection">
                                        <summary>"Set permissions boundary - " <span class="optional">"optional"</span></summary>
                                        <p class="hint">"A permissions boundary sets the maximum permissions the user can have."</p>
                                        <label for="boundary">"Permissions boundary policy"</label>
                                        <select id="boundary" name="boundary">
                                            <option value="">"Create user without a permissions boundary"</option>
                                            {boundary_options.into_iter().map(|p| view! { <option value=p.arn.clone()>{p.name.clone()}</option> }).collect_view()}
                                        </select>
                                    </details>
                                }
                            })}
                        </Suspense>
                        <div class="form-actions" hidden=move || !hydrated.get()>
                            <button type="button" class="button secondary" on:click=move |_| step.set(1)>"Previous"</button>
                            <button type="button" class="button primary" on:click=move |_| step.set(3)>"Next"</button>
                        </div>
                    </fieldset>

                    <fieldset class="panel step" hidden=move || !shown(3)()>
                        <legend><h1>"Review and create"</h1></legend>
                        <p class="hint" hidden=move || hydrated.get()>"Check your choices above, then create the user."</p>
                        <dl class="facts" hidden=move || !hydrated.get()>
                            <dt>"User name"</dt><dd>{move || user_name.get()}</dd>
                            <dt>"Console password type"</dt><dd>{move || if !console.get() { "None" } else if custom.get() { "Custom" } else { "Autogenerated" }}</dd>
                            <dt>"Require password reset"</dt><dd>{move || if console.get() && reset.get() { "Yes" } else { "No" }}</dd>
                            <dt>"Groups"</dt><dd>{move || if option.get() == "group" { join_or_none(chosen_groups.get()) } else { "None".into() }}</dd>
                            <dt>"Policies attached directly"</dt><dd>{move || if option.get() == "attach" { join_or_none(chosen_policies.get()) } else { "None".into() }}</dd>
                        </dl>
                        <div class="form-actions">
                            <button type="button" class="button secondary" hidden=move || !hydrated.get() on:click=move |_| step.set(2)>"Previous"</button>
                            <button type="submit" class="button primary" disabled=move || pending.get()>
                                {move || if pending.get() { "Creating…" } else { "Create user" }}
                            </button>
                        </div>
                    </fieldset>
                </ActionForm>
            </div>
        </section>
    }
}

fn join_or_none(items: Vec<String>) -> String {
    if items.is_empty() {
        "None".into()
    } else {
        items.join(", ")
    }
}

/// Step 4 of Create user: the sign-in details, shown once.
#[component]
pub fn RetrievePasswordPage() -> impl IntoView {
    let created = Resource::new_blocking(|| (), |_| take_created_user());
    view! {
        <Title text="Retrieve password · Gatehouse"/>
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/users">"Users"</a>" › Create user"</nav>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match created.await {
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                        Ok(None) => view! {
                            <h1>"Retrieve password"</h1>
                            <div class="alert alert-info" role="status">
                                <strong>"Nothing to retrieve"</strong>
                                <p>"Sign-in details are shown only once, right after the user is created. To give a user a new password, reset it on the user's Security credentials tab."</p>
                            </div>
                            <a class="button secondary" href="/users">"View users"</a>
                        }.into_any(),
                        Ok(Some(c)) => view! { <Retrieve c/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn Retrieve(c: CreatedUserView) -> impl IntoView {
    let csv = match &c.password {
        Some(p) => format!(
            "User name,Password,Console sign-in URL\n{},{},{}\n",
            csv_field(&c.user_name),
            csv_field(p),
            csv_field(&c.signin_url)
        ),
        None => format!(
            "User name,Console sign-in URL\n{},{}\n",
            csv_field(&c.user_name),
            csv_field(&c.signin_url)
        ),
    };
    let csv_href = format!("data:text/csv;charset=utf-8,{}", url_encode(&csv));
    let body = format!(
        "Hello,\n\nYou now have access to our Gatehouse account. Sign in here:\n\n{}\n\nYour user name is {}.\n\nYour administrator will give you your password separately.",
        c.signin_url, c.user_name
    );
    let mailto = format!(
        "mailto:?subject={}&body={}",
        url_encode("Your Gatehouse sign-in details"),
        url_encode(&body)
    );
    let file = format!("{}_credentials.csv", c.user_name);
    view! {
        <h1>"Retrieve password"</h1>
        <div class="alert alert-success" role="status">
            <strong>"User created successfully"</strong>
            <p>"You can view and download the user's password and email instructions for signing in to the Gatehouse console. This is the only time you can view and download this password."</p>
        </div>
        <div class="panel">
            <h2>"Console sign-in details"</h2>
            <dl class="facts">
                <dt>"Console sign-in URL"</dt>
                <dd class="copy-row"><code data-testid="created-signin-url">{c.signin_url.clone()}</code><CopyButton text=c.signin_url.clone() label="Copy the sign-in URL"/></dd>
                <dt>"User name"</dt>
                <dd data-testid="created-user-name">{c.user_name.clone()}</dd>
                {c.password.clone().map(|p| view! {
                    <dt>"Console password"</dt>
                    <dd>
                        <details class="secret">
                            <summary>"Show"</summary>
                            <code data-testid="created-password">{p}</code>
                        </details>
                    </dd>
                })}
                {c.password_reset_required.then(|| view! {
                    <dt>"Password reset"</dt><dd>"The user must create a new password at first sign-in."</dd>
                })}
            </dl>
            <div class="form-actions start">
                <a class="button secondary" href=mailto>"Email sign-in instructions"</a>
                <a class="button primary" href=csv_href download=file>"Download .csv file"</a>
            </div>
        </div>
        <div class="form-actions">
            <a class="button secondary" href=format!("/users/{}", c.user_name)>"View user"</a>
            <a class="button primary" href="/users">"Return to users list"</a>
        </div>
    }
}

/// A CSV field, quoted when it needs to be (RFC 4180).
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_owned()
    }
}

#[component]
pub fn UserDetailPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let name = move || params.read().get("name").unwrap_or_default();
    let user = Resource::new(name, get_user);
    view! {
        <Title text="User · Gatehouse"/>
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/users">"Users"</a>" › " {name}</nav>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match user.await {
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                        Ok(u) => {
                            let tab = query.read().get("tab").unwrap_or_else(|| "permissions".into());
                            view! { <UserDetail u tab/> }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn UserDetail(u: UserView, tab: String) -> impl IntoView {
    let base = format!("/users/{}", u.user.name);
    let tabs = vec![
        ("permissions", "Permissions".to_owned()),
        ("groups", format!("Groups ({})", u.groups.len())),
    ];
    let body = match tab.as_str() {
        "groups" => view! {
            <div class="panel table-panel" role="tabpanel">
                <div class="panel-header"><h2>"User groups membership"</h2></div>
                {if u.groups.is_empty() {
                    view! { <div class="empty"><p><strong>"No groups"</strong></p><p>"This user is not in any group."</p></div> }.into_any()
                } else {
                    view! {
                        <table class="table">
                            <thead><tr><th scope="col">"Group name"</th></tr></thead>
                            <tbody>{u.groups.iter().map(|g| view! { <tr><td><a href=format!("/groups/{g}")>{g.clone()}</a></td></tr> }).collect_view()}</tbody>
                        </table>
                    }.into_any()
                }}
            </div>
        }.into_any(),
        _ => view! { <UserPermissions u=u.clone()/> }.into_any(),
    };
    view! {
        <div class="page-header">
            <h1>{u.user.name.clone()} {u.user.disabled.then(|| view! { " " <span class="badge badge-warn">"Disabled"</span> })}</h1>
        </div>
        <div class="panel">
            <h2>"Summary"</h2>
            <dl class="facts">
                <dt>"ARN"</dt><dd class="mono">{u.user.arn.clone()}</dd>
                <dt>"Unique ID"</dt><dd class="mono">{u.user_id.clone()}</dd>
                <dt>"Created"</dt><dd>{u.user.created.clone()}</dd>
                <dt>"Console access"</dt><dd>{if !u.user.console_access { "Disabled".to_owned() } else if u.password_reset_required { "Enabled, password reset required".to_owned() } else { "Enabled".to_owned() }}</dd>
                <dt>"Last console sign-in"</dt><dd>{u.user.console_last_sign_in.clone().unwrap_or_else(|| "Never".into())}</dd>
            </dl>
        </div>
        <Tabs base tabs current=tab/>
        {body}
    }
}

#[component]
fn UserPermissions(u: UserView) -> impl IntoView {
    let rows: Vec<(PolicyLink, String)> = u
        .attached
        .iter()
        .cloned()
        .map(|p| (p, "Attached directly".to_owned()))
        .chain(
            u.from_groups
                .iter()
                .cloned()
                .map(|(g, p)| (p, format!("Group {g}"))),
        )
        .collect();
    view! {
        <div class="panel table-panel" role="tabpanel">
            <div class="panel-header"><h2>"Permissions policies"</h2></div>
            {if rows.is_empty() && u.inline_policies.is_empty() {
                view! { <div class="empty"><p><strong>"No permissions"</strong></p><p>"No policies apply to this user."</p></div> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <thead><tr><th scope="col">"Policy name"</th><th scope="col">"Type"</th><th scope="col">"Attached via"</th></tr></thead>
                        <tbody>
                            {rows.into_iter().map(|(p, via)| view! {
                                <tr>
                                    <td><a href=p.href()>{p.name.clone()}</a></td>
                                    <td>{if p.system { "AWS managed" } else { "Customer managed" }}</td>
                                    <td>{via}</td>
                                </tr>
                            }).collect_view()}
                            {u.inline_policies.iter().map(|n| view! {
                                <tr><td>{n.clone()}</td><td>"Customer inline"</td><td>"Inline"</td></tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </div>
        <crate::pages::WhyPanel user_name=u.user.name.clone()/>
        <div class="panel">
            <h2>"Permissions boundary"</h2>
            {match u.boundary.clone() {
                Some(b) => view! { <p>"This user's permissions are limited by " <a href=b.href()>{b.name.clone()}</a>"."</p> }.into_any(),
                None => view! { <p class="muted">"No permissions boundary is set."</p> }.into_any(),
            }}
        </div>
    }
}
