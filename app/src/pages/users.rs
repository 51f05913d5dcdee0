//! IAM users: the list (search, sort, keyset pages), the Create user wizard, its Retrieve
//! password step, and a user's detail with its Permissions, Groups, Tags and Security credentials
//! tabs (the last in user_credentials.rs).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::{
    csv_data_href, get_user, list_groups, list_policies, list_users, take_created_user, url_encode,
    AddUserToGroups, AttachPolicies, CreateUser, CreatedUserView, DeleteInlinePolicy, DeleteUser,
    DetachPolicy, PolicyLink, RemoveUserFromGroup, SetUserBoundary, SetUserDisabled, UserView,
};
use crate::components::{
    field_error, form_error, AttachPoliciesPanel, ConfirmDelete, CopyButton, DetachButton, Field, FormAlert,
    Tabs, TagActions, TagsPanel,
};
use crate::pages::user_credentials::{ConsoleAccessActions, UserSecurityCredentials};
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
                                                    <th scope="col">"MFA"</th>
                                                    <th scope="col">"Password age"</th>
                                                    <th scope="col">"Console last sign-in"</th>
                                                    <th scope="col">"Active key age"</th>
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
                                                            <td>{if u.mfa { "Virtual" } else { "None" }}</td>
                                                            <td>{match (u.console_access, u.password_age_days) {
                                                                (true, Some(d)) => days(d),
                                                                _ => "None".into(),
                                                            }}</td>
                                                            <td>{if u.console_access { u.console_last_sign_in.clone().unwrap_or_else(|| "Never".into()) } else { "No console access".into() }}</td>
                                                            <td>{u.active_key_age_days.map_or_else(|| "None".into(), days)}</td>
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
                    3
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
                                <p class="hint">"At their first sign-in they must choose a new password before they can do anything else."</p>
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
                        <fieldset class="subsection tags-editor">
                            <legend><h2>"Tags - " <span class="optional">"optional"</span></h2></legend>
                            <p class="hint">"Tags are key-value pairs you can add to the user to identify, organize, or search for it, and to use in policy conditions (aws:PrincipalTag). More tags can be added on the user's Tags tab."</p>
                            <FormAlert error fields=&["user_name", "path", "password"]/>
                            {(0..3).map(|i| view! {
                                <div class="tag-row">
                                    <label class="sr-only" for=format!("tag-key-{i}")>{format!("Tag key {}", i + 1)}</label>
                                    <input id=format!("tag-key-{i}") name=format!("tag_keys[{i}]") placeholder="Key"/>
                                    <label class="sr-only" for=format!("tag-value-{i}")>{format!("Tag value {}", i + 1)}</label>
                                    <input id=format!("tag-value-{i}") name=format!("tag_values[{i}]") placeholder="Value - optional"/>
                                </div>
                            }).collect_view()}
                        </fieldset>
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

/// "1 day", "12 days".
fn days(d: i64) -> String {
    format!("{d} day{}", if d == 1 { "" } else { "s" })
}

#[component]
fn Retrieve(c: CreatedUserView) -> impl IntoView {
    let csv_href = match &c.password {
        Some(p) => csv_data_href(
            &["User name", "Password", "Console sign-in URL"],
            &[&c.user_name, p, &c.signin_url],
        ),
        None => csv_data_href(
            &["User name", "Console sign-in URL"],
            &[&c.user_name, &c.signin_url],
        ),
    };
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

/// The mutations of a user's page; the page reloads the user after any of them.
#[derive(Clone, Copy)]
struct UserActions {
    disable: ServerAction<SetUserDisabled>,
    boundary: ServerAction<SetUserBoundary>,
    attach: ServerAction<AttachPolicies>,
    detach: ServerAction<DetachPolicy>,
    add_groups: ServerAction<AddUserToGroups>,
    remove_group: ServerAction<RemoveUserFromGroup>,
    delete_inline: ServerAction<DeleteInlinePolicy>,
    tags: TagActions,
    console: ConsoleAccessActions,
}

impl UserActions {
    fn new() -> Self {
        Self {
            disable: ServerAction::new(),
            boundary: ServerAction::new(),
            attach: ServerAction::new(),
            detach: ServerAction::new(),
            add_groups: ServerAction::new(),
            remove_group: ServerAction::new(),
            delete_inline: ServerAction::new(),
            tags: TagActions::new(),
            console: ConsoleAccessActions::new(),
        }
    }

    fn version(&self) -> usize {
        self.disable.version().get()
            + self.boundary.version().get()
            + self.attach.version().get()
            + self.detach.version().get()
            + self.add_groups.version().get()
            + self.remove_group.version().get()
            + self.delete_inline.version().get()
            + self.tags.version()
            + self.console.version()
    }

    /// The last error of any of them, for the page's alert.
    fn error(&self) -> Signal<Option<crate::error::AppError>> {
        let errors = [
            form_error(self.disable.value()),
            form_error(self.boundary.value()),
            form_error(self.attach.value()),
            form_error(self.detach.value()),
            form_error(self.add_groups.value()),
            form_error(self.remove_group.value()),
            form_error(self.delete_inline.value()),
        ];
        Signal::derive(move || errors.iter().find_map(|e| e.get()))
    }
}

#[component]
pub fn UserDetailPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let name = move || params.read().get("name").unwrap_or_default();
    let actions = UserActions::new();
    let user = Resource::new(move || (name(), actions.version()), |(name, _)| get_user(name));
    view! {
        <Title text="User · Gatehouse"/>
        <section class="page">
            <nav class="breadcrumbs" aria-label="Breadcrumb"><a href="/users">"Users"</a>" › " {name}</nav>
            <FormAlert error=actions.error() fields=&[]/>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match user.await {
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                        Ok(u) => {
                            let tab = query.read().get("tab").unwrap_or_else(|| "permissions".into());
                            view! { <UserDetail u tab actions/> }.into_any()
                        }
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn UserDetail(u: UserView, tab: String, actions: UserActions) -> impl IntoView {
    let base = format!("/users/{}", u.user.name);
    let tabs = vec![
        ("permissions", "Permissions".to_owned()),
        ("groups", format!("Groups ({})", u.groups.len())),
        ("tags", format!("Tags ({})", u.tags.len())),
        ("security_credentials", "Security credentials".to_owned()),
    ];
    let body = match tab.as_str() {
        "groups" => view! { <UserGroups u=u.clone() actions/> }.into_any(),
        "security_credentials" => {
            let name = u.user.name.clone();
            view! {
                <UserSecurityCredentials u=u.clone() actions=actions.console/>
                <crate::pages::mfa::MfaDevicesPanel user_name=Some(name.clone())/>
                <crate::pages::access_keys::AccessKeysPanel user_name=Some(name)/>
            }
            .into_any()
        }
        "tags" => view! {
            <TagsPanel kind="user" target=u.user.name.clone() tags=u.tags.clone() can_tag=u.can.tag
                can_untag=u.can.untag empty="This user has no tags." actions=actions.tags/>
        }
        .into_any(),
        _ => view! { <UserPermissions u=u.clone() actions/> }.into_any(),
    };
    let delete = ServerAction::<DeleteUser>::new();
    let delete_error = form_error(delete.value());
    let name = u.user.name.clone();
    let disabled = u.user.disabled;
    view! {
        <div class="page-header">
            <h1>{u.user.name.clone()} {u.user.disabled.then(|| view! { " " <span class="badge badge-warn">"Disabled"</span> })}</h1>
            <div class="header-actions">
                {u.can.update.then(|| { let name = name.clone(); view! {
                    <ActionForm action=actions.disable attr:class="inline-form">
                        <input type="hidden" name="user_name" value=name.clone()/>
                        <input type="hidden" name="disabled" value=if disabled { "false" } else { "true" }/>
                        <button type="submit" class="button secondary">{if disabled { "Enable user" } else { "Disable user" }}</button>
                    </ActionForm>
                }})}
                {u.can.delete.then(|| view! {
                    <ConfirmDelete label="Delete">
                        <ActionForm action=delete attr:class="form" attr:aria-label="Delete user">
                            <p>"Deleting the user removes its console password, its group memberships and its policies. This cannot be undone."</p>
                            <input type="hidden" name="user_name" value=name.clone()/>
                            <Field label="To confirm deletion, enter the user name" name="confirm" required=true error=field_error(delete_error, "confirm")/>
                            <FormAlert error=delete_error fields=&["confirm"]/>
                            <button type="submit" class="button danger">"Delete user"</button>
                        </ActionForm>
                    </ConfirmDelete>
                })}
            </div>
        </div>
        <div class="panel">
            <h2>"Summary"</h2>
            <dl class="facts">
                <dt>"ARN"</dt><dd class="mono">{u.user.arn.clone()}</dd>
                <dt>"Unique ID"</dt><dd class="mono">{u.user_id.clone()}</dd>
                <dt>"Created"</dt><dd>{u.user.created.clone()}</dd>
                <dt>"Console access"</dt><dd>{crate::pages::user_credentials::console_access_label(&u)}</dd>
                <dt>"Last console sign-in"</dt><dd>{u.user.console_last_sign_in.clone().unwrap_or_else(|| "Never".into())}</dd>
            </dl>
        </div>
        <Tabs base tabs current=tab/>
        {body}
    }
}

#[component]
fn UserPermissions(u: UserView, actions: UserActions) -> impl IntoView {
    let rows: Vec<(PolicyLink, Option<String>)> = u
        .attached
        .iter()
        .cloned()
        .map(|p| (p, None))
        .chain(u.from_groups.iter().cloned().map(|(g, p)| (p, Some(g))))
        .collect();
    let name = u.user.name.clone();
    let attached: Vec<String> = u.attached.iter().map(|p| p.arn.clone()).collect();
    let inline_href = format!("/inline-policy?owner=user&name={}", url_encode(&name));
    view! {
        <div class="panel table-panel" role="tabpanel">
            <div class="panel-header row">
                <h2>"Permissions policies"</h2>
                {u.can.put_inline.then(|| view! { <a class="button secondary small" href=inline_href.clone()>"Create inline policy"</a> })}
            </div>
            {if rows.is_empty() && u.inline_policies.is_empty() {
                view! { <div class="empty"><p><strong>"No permissions"</strong></p><p>"No policies apply to this user."</p></div> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <thead><tr><th scope="col">"Policy name"</th><th scope="col">"Type"</th><th scope="col">"Attached via"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                        <tbody>
                            {rows.into_iter().map(|(p, via)| {
                                let direct = via.is_none();
                                let (n, arn, pname) = (name.clone(), p.arn.clone(), p.name.clone());
                                view! {
                                    <tr>
                                        <td><a href=p.href()>{p.name.clone()}</a></td>
                                        <td>{if p.system { "AWS managed" } else { "Customer managed" }}</td>
                                        <td>{via.map(|g| format!("Group {g}")).unwrap_or_else(|| "Attached directly".into())}</td>
                                        <td class="actions">{(direct && u.can.detach).then(move || view! {
                                            <DetachButton owner_kind="user" owner_name=n policy_arn=arn policy_name=pname action=actions.detach/>
                                        })}</td>
                                    </tr>
                                }
                            }).collect_view()}
                            {u.inline_policies.iter().map(|p| {
                                let edit = format!("/inline-policy?owner=user&name={}&policy={}", url_encode(&name), url_encode(p));
                                let (n, pn, label) = (name.clone(), p.clone(), p.clone());
                                view! {
                                    <tr>
                                        <td><a href=edit>{p.clone()}</a></td><td>"Customer inline"</td><td>"Inline"</td>
                                        <td class="actions">{u.can.delete_inline.then(move || view! {
                                            <ActionForm action=actions.delete_inline attr:class="inline-form">
                                                <input type="hidden" name="owner_kind" value="user"/>
                                                <input type="hidden" name="owner_name" value=n/>
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
        {u.can.attach.then(|| view! {
            <AttachPoliciesPanel owner_kind="user" owner_name=name.clone() attached=attached.clone() action=actions.attach/>
        })}
        {u.can.simulate.then(|| view! { <crate::pages::WhyPanel user_name=u.user.name.clone()/> })}
        <UserBoundary u=u.clone() actions/>
    }
}

#[component]
fn UserBoundary(u: UserView, actions: UserActions) -> impl IntoView {
    let policies = Resource::new(|| (), |_| list_policies(None, None));
    let editable = u.can.put_boundary || u.can.delete_boundary;
    let name = u.user.name.clone();
    let current = u.boundary.as_ref().map(|b| b.arn.clone()).unwrap_or_default();
    view! {
        <div class="panel">
            <h2>"Permissions boundary"</h2>
            {match u.boundary.clone() {
                Some(b) => view! { <p data-testid="boundary">"This user's permissions are limited by " <a href=b.href()>{b.name.clone()}</a>"."</p> }.into_any(),
                None => view! { <p class="muted" data-testid="boundary">"No permissions boundary is set."</p> }.into_any(),
            }}
            {editable.then(|| view! {
                <Suspense fallback=|| ()>
                    {move || {
                        let (name, current) = (name.clone(), current.clone());
                        Suspend::new(async move {
                            let policies = policies.await.map(|p| p.policies).unwrap_or_default();
                            view! {
                                <ActionForm action=actions.boundary attr:class="form inline-fields" attr:aria-label="Permissions boundary">
                                    <input type="hidden" name="user_name" value=name/>
                                    <label for="boundary-policy">"Boundary policy"</label>
                                    <select id="boundary-policy" name="policy_arn">
                                        <option value="" selected=current.is_empty()>"No permissions boundary"</option>
                                        {policies.into_iter().map(|p| { let sel = p.arn == current; view! { <option value=p.arn.clone() selected=sel>{p.name.clone()}</option> } }).collect_view()}
                                    </select>
                                    <button type="submit" class="button secondary">"Set boundary"</button>
                                </ActionForm>
                            }
                        })
                    }}
                </Suspense>
            })}
        </div>
    }
}

#[component]
fn UserGroups(u: UserView, actions: UserActions) -> impl IntoView {
    let all = Resource::new(|| (), |_| list_groups());
    let name = u.user.name.clone();
    let member_of = u.groups.clone();
    view! {
        <div class="panel table-panel" role="tabpanel">
            <div class="panel-header"><h2>"User groups membership"</h2></div>
            {if u.groups.is_empty() {
                view! { <div class="empty"><p><strong>"No groups"</strong></p><p>"This user is not in any group."</p></div> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <thead><tr><th scope="col">"Group name"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                        <tbody>{u.groups.iter().map(|g| {
                            let (n, gn, label) = (name.clone(), g.clone(), g.clone());
                            view! {
                                <tr>
                                    <td><a href=format!("/groups/{g}")>{g.clone()}</a></td>
                                    <td class="actions">{u.can.remove_from_groups.then(move || view! {
                                        <ActionForm action=actions.remove_group attr:class="inline-form">
                                            <input type="hidden" name="group_name" value=gn/>
                                            <input type="hidden" name="user_name" value=n/>
                                            <button type="submit" class="button secondary small" aria-label=format!("Remove from {label}")>"Remove"</button>
                                        </ActionForm>
                                    })}</td>
                                </tr>
                            }
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            }}
        </div>
        {u.can.add_to_groups.then(|| view! {
            <div class="panel">
                <h2>"Add user to groups"</h2>
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || {
                        let (name, member_of) = (name.clone(), member_of.clone());
                        Suspend::new(async move {
                            let others: Vec<String> = all.await.map(|p| p.groups).unwrap_or_default().into_iter().map(|g| g.name).filter(|g| !member_of.contains(g)).collect();
                            if others.is_empty() {
                                return view! { <p class="muted">"The user is in every group."</p> }.into_any();
                            }
                            view! {
                                <ActionForm action=actions.add_groups attr:class="form" attr:aria-label="Add user to groups">
                                    <input type="hidden" name="user_name" value=name/>
                                    <ul class="check-list">
                                        {others.into_iter().enumerate().map(|(i, g)| view! {
                                            <li><label><input type="checkbox" name=format!("groups[{i}]") value=g.clone()/>" " {g.clone()}</label></li>
                                        }).collect_view()}
                                    </ul>
                                    <button type="submit" class="button primary">"Add to groups"</button>
                                </ActionForm>
                            }.into_any()
                        })
                    }}
                </Suspense>
            </div>
        })}
    }
}
