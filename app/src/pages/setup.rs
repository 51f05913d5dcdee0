//! First-run setup: opened from the one-time link printed in the terminal, it creates the first
//! account and its root user.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{grouped_account_id, setup_status, CompleteSetup, SetupDone, SetupState};
use crate::components::{field_error, form_error, AuthLayout, CopyButton, Field, FormAlert};

#[component]
pub fn SetupPage() -> impl IntoView {
    let query = use_query_map();
    let token = move || query.read().get("token").unwrap_or_default();
    let status = Resource::new_blocking(token, setup_status);
    view! {
        <Title text="Set up Gatehouse · Gatehouse"/>
        <AuthLayout title="Set up Gatehouse" subtitle="Create the first account and its root user.">
            <Suspense fallback=|| view! { <p>"Checking the setup link…"</p> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(SetupState::Ready) => view! { <SetupForm token=token()/> }.into_any(),
                        Ok(SetupState::AlreadyDone) => view! {
                            <div class="alert alert-info" role="status">
                                <strong>"Setup is already complete"</strong>
                                <p>"This deployment already has an account. Sign in instead."</p>
                            </div>
                            <p class="alt-link"><a href="/signin">"Go to sign in"</a></p>
                        }.into_any(),
                        Ok(SetupState::InvalidLink) => view! {
                            <div class="alert alert-error" role="alert">
                                <strong>"This setup link is not valid"</strong>
                                <p>"It was already used, has expired, or was replaced by a newer one. Restart Gatehouse, or run "
                                    <code>"gatehouse setup-link"</code>
                                    ", to print a new link."</p>
                            </div>
                        }.into_any(),
                        Err(error) => view! { <FormAlert error=Signal::derive(move || Some(error.clone())) fields=&[]/> }.into_any(),
                    }
                })}
            </Suspense>
        </AuthLayout>
    }
}

#[component]
fn SetupForm(token: String) -> impl IntoView {
    let action = ServerAction::<CompleteSetup>::new();
    let error = form_error(action.value());
    let pending = action.pending();
    let done = Signal::derive(move || action.value().get().and_then(Result::ok));
    let token = StoredValue::new(token);
    view! {
        <Show when=move || done.get().is_none() fallback=move || done.get().map(|d| view! { <SetupComplete done=d/> })>
            <ActionForm action=action attr:class="form" attr:aria-label="Create the first account">
                <FormAlert error fields=&["alias", "email", "password", "confirm_password"]/>
                <input type="hidden" name="token" value=token.get_value()/>
                <Field
                    label="Account alias (optional)"
                    name="alias"
                    hint="A friendly name for the sign-in URL instead of the account ID: 3–63 lowercase letters, digits and hyphens."
                    error=field_error(error, "alias")
                />
                <Field label="Root user email address" name="email" kind="email" autocomplete="email" required=true error=field_error(error, "email")/>
                <Field
                    label="Root user password"
                    name="password"
                    kind="password"
                    autocomplete="new-password"
                    hint="At least 8 characters. A long passphrase is best."
                    required=true
                    error=field_error(error, "password")
                />
                <Field label="Confirm root user password" name="confirm_password" kind="password" autocomplete="new-password" required=true error=field_error(error, "confirm_password")/>
                <button type="submit" class="button primary wide" disabled=move || pending.get()>
                    {move || if pending.get() { "Creating account…" } else { "Create account" }}
                </button>
            </ActionForm>
        </Show>
    }
}

#[component]
fn SetupComplete(done: SetupDone) -> impl IntoView {
    let url = done.signin_url.clone();
    view! {
        <div class="alert alert-success" role="status">
            <strong>"Account created"</strong>
            <p>"Your account ID is " <span class="mono" data-testid="new-account-id">{grouped_account_id(&done.account_id)}</span>
               {done.alias.map(|a| format!(" and its alias is {a}"))} "."</p>
        </div>
        <dl class="facts">
            <dt>"Root user"</dt><dd>{done.root_email}</dd>
            <dt>"IAM users sign-in URL"</dt>
            <dd class="copy-row"><code>{url.clone()}</code><CopyButton text=url label="Copy the IAM users sign-in URL"/></dd>
        </dl>
        <a class="button primary wide" href="/root-signin">"Sign in as root user"</a>
    }
}
