//! The signed-in principal's own credentials: the forced password change of sign-in
//! (`/change-password`, outside the console shell: nothing else is reachable until it is done)
//! and My security credentials (`/security-credentials`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use crate::api::{
    my_groups, pending_password_change, ChangePassword, CompletePasswordChange, SignOutEverywhere,
};
use crate::components::{field_error, form_error, use_me, AuthLayout, Field, FormAlert};
use crate::error::AppError;

/// The fields of a password change, as AWS labels them.
#[component]
fn PasswordChangeFields(error: Signal<Option<AppError>>) -> impl IntoView {
    view! {
        <Field label="Old password" name="old_password" kind="password" autocomplete="current-password"
            required=true error=field_error(error, "old_password")/>
        <Field label="New password" name="password" kind="password" autocomplete="new-password"
            required=true error=field_error(error, "password")/>
        <Field label="Retype new password" name="password_confirm" kind="password" autocomplete="new-password"
            required=true error=field_error(error, "password_confirm")/>
    }
}

const PASSWORD_FIELDS: &[&str] = &["old_password", "password", "password_confirm"];

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let pending = Resource::new_blocking(|| (), |_| pending_password_change());
    let action = ServerAction::<CompletePasswordChange>::new();
    let error = form_error(action.value());
    let busy = action.pending();
    view! {
        <Title text="Change password · Gatehouse"/>
        <AuthLayout title="Change password">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match pending.await {
                        Ok(Some(p)) => view! {
                            <p class="lead">
                                {if p.expired {
                                    "Your password has expired. Choose a new one to continue."
                                } else {
                                    "Your administrator requires you to choose a new password before you continue."
                                }}
                            </p>
                            <dl class="facts compact">
                                <dt>"Account"</dt><dd>{p.account}</dd>
                                <dt>"IAM user name"</dt><dd>{p.display_name}</dd>
                            </dl>
                            <ActionForm action=action attr:class="form" attr:aria-label="Change password">
                                <FormAlert error fields=PASSWORD_FIELDS/>
                                <PasswordChangeFields error/>
                                <button type="submit" class="button primary wide" disabled=move || busy.get()>
                                    {move || if busy.get() { "Changing password…" } else { "Confirm password change" }}
                                </button>
                            </ActionForm>
                        }.into_any(),
                        // Signed in already: there is nothing to change here.
                        Ok(None) => view! { <Redirect path="/"/> }.into_any(),
                        Err(_) => view! { <Redirect path="/signin"/> }.into_any(),
                    }
                })}
            </Suspense>
        </AuthLayout>
    }
}

/// My groups, and a check of my effective permissions: what the signed-in user belongs to and
/// may do, which needs no permission to look at.
#[component]
fn MyAccess() -> impl IntoView {
    let me = use_me();
    let groups = Resource::new(|| (), |_| my_groups());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let me = match me {
                    Some(me) => me.await.ok(),
                    None => None,
                };
                let groups = groups.await.unwrap_or_default();
                match me {
                    None => ().into_any(),
                    Some(me) if me.is_root => view! {
                        <div class="panel">
                            <h2>"My groups and permissions"</h2>
                            <p class="hint">"As the root user you may perform every action in this account; the root user belongs to no groups. Use an IAM user for everyday work."</p>
                        </div>
                    }.into_any(),
                    Some(me) => view! {
                        <div class="panel" data-testid="my-groups">
                            <h2>"My groups"</h2>
                            {if groups.is_empty() {
                                view! { <p class="hint">"You are not in any user group: your permissions come from policies attached to you."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="plain-list">
                                        {groups.into_iter().map(|g| view! {
                                            <li><strong>{g.name}</strong>" "<span class="mono hint">{g.arn}</span></li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        </div>
                        <crate::pages::WhyPanel user_name=me.display_name.clone()/>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn SecurityCredentialsPage() -> impl IntoView {
    let me = use_me();
    let change = ServerAction::<ChangePassword>::new();
    let error = form_error(change.value());
    let changed = move || matches!(change.value().get(), Some(Ok(())));
    let busy = change.pending();
    let sign_out_all = ServerAction::<SignOutEverywhere>::new();
    let sign_out_error = form_error(sign_out_all.value());
    let query = leptos_router::hooks::use_query_map();
    let mfa_required = move || query.read().get("mfa").as_deref() == Some("required");
    view! {
        <Title text="My security credentials · Gatehouse"/>
        <section class="page">
            <h1>"My security credentials"</h1>
            {move || mfa_required().then(|| view! {
                <div class="alert alert-warn" role="alert" data-testid="mfa-required">
                    <strong>"Assign an MFA device to continue"</strong>
                    <p>"Your permissions require multi-factor authentication: until you sign in with an MFA device, you can only manage your own credentials. Assign one below; it counts for this session at once."</p>
                </div>
            })}
            <Suspense fallback=|| ()>
                {Suspend::new(async move {
                    let me = match me {
                        Some(me) => me.await.ok(),
                        None => None,
                    };
                    me.map(|me| view! {
                        <div class="panel">
                            <h2>"Account details"</h2>
                            <dl class="facts">
                                <dt>{if me.is_root { "Root user email" } else { "IAM user name" }}</dt><dd>{me.display_name.clone()}</dd>
                                <dt>"ARN"</dt><dd class="mono">{me.arn.clone()}</dd>
                                <dt>"Account ID"</dt><dd class="mono">{me.account_id.clone()}</dd>
                            </dl>
                        </div>
                    })
                })}
            </Suspense>
            <div class="panel">
                <h2>"Console password"</h2>
                <p class="hint">"Changing your password signs you out of every other session."</p>
                <ActionForm action=change attr:class="form narrow" attr:aria-label="Change password">
                    {move || changed().then(|| view! {
                        <div class="alert alert-success" role="status"><p>"Your password was changed. Your other sessions have been signed out."</p></div>
                    })}
                    <FormAlert error fields=PASSWORD_FIELDS/>
                    <PasswordChangeFields error/>
                    <button type="submit" class="button primary" disabled=move || busy.get()>"Change password"</button>
                </ActionForm>
            </div>
            <crate::pages::mfa::MfaDevicesPanel user_name=None/>
            <crate::pages::access_keys::AccessKeysPanel user_name=None/>
            <MyAccess/>
            <div class="panel">
                <h2>"Sessions"</h2>
                <p class="hint">"Sign out of Gatehouse everywhere: in this browser and in every other one where you are signed in."</p>
                <ActionForm action=sign_out_all attr:class="inline-form" attr:aria-label="Sign out of all sessions">
                    <FormAlert error=sign_out_error fields=&[]/>
                    <button type="submit" class="button secondary">"Sign out of all sessions"</button>
                </ActionForm>
            </div>
        </section>
    }
    .into_any()
}
