//! The signed-in principal's own credentials: the forced password change of sign-in
//! (`/change-password`, outside the console shell: nothing else is reachable until it is done)
//! and My security credentials (`/security-credentials`).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use crate::api::{pending_password_change, ChangePassword, CompletePasswordChange, SignOutEverywhere};
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
