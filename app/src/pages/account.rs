//! Account settings: the password policy (with the lockout policy) and the account alias, which
//! the IAM users sign-in URL uses.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{get_password_policy, PasswordPolicyView, SetAccountAlias, UpdatePasswordPolicy};
use crate::components::{field_error, form_error, use_me, Field, FormAlert};

#[component]
pub fn AccountSettingsPage() -> impl IntoView {
    let me = use_me();
    let action = ServerAction::<SetAccountAlias>::new();
    let error = form_error(action.value());
    let saved = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <Title text="Account settings · Gatehouse"/>
        <section class="page">
            <h1>"Account settings"</h1>
            <PasswordPolicyPanel/>
            <div class="panel">
                <h2>"Account alias"</h2>
                <p class="hint">"An alias replaces the account ID in the IAM users sign-in URL. It is unique across this Gatehouse: 3–63 lowercase letters, digits and hyphens, not only digits. Leave it empty to remove the alias."</p>
                <ActionForm action=action attr:class="form" attr:aria-label="Account alias">
                    {move || saved().then(|| view! {
                        <div class="alert alert-success" role="status"><p>"Account alias saved. Reload to see the new sign-in URL."</p></div>
                    })}
                    <FormAlert error fields=&["alias"]/>
                    <Suspense fallback=|| ()>
                        {Suspend::new(async move {
                            let current = match me {
                                Some(me) => me.await.ok().and_then(|m| m.account_alias),
                                None => None,
                            };
                            view! {
                                <Field label="Account alias" name="alias" value=current.unwrap_or_default() error=field_error(error, "alias")/>
                            }
                        })}
                    </Suspense>
                    <button type="submit" class="button primary">"Save changes"</button>
                </ActionForm>
            </div>
        </section>
    }
}

#[component]
fn PasswordPolicyPanel() -> impl IntoView {
    let action = ServerAction::<UpdatePasswordPolicy>::new();
    let policy = Resource::new(move || action.version().get(), |_| get_password_policy());
    let error = form_error(action.value());
    let saved = move || matches!(action.value().get(), Some(Ok(())));
    view! {
        <div class="panel">
            <h2>"Password policy"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match policy.await {
                        Ok(p) => view! { <PasswordPolicyForm p action error/> }.into_any(),
                        Err(e) => view! { <p class="muted">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            {move || saved().then(|| view! {
                <div class="alert alert-success" role="status"><p>"Password policy saved. It applies to the next password each user sets."</p></div>
            })}
        </div>
    }
}

#[component]
fn PasswordPolicyForm(
    p: PasswordPolicyView,
    action: ServerAction<UpdatePasswordPolicy>,
    error: Signal<Option<crate::error::AppError>>,
) -> impl IntoView {
    let disabled = !p.can_update;
    let check = move |name: &'static str, label: &'static str, checked: bool| {
        view! {
            <div class="field checkbox">
                <label><input type="checkbox" name=name value="on" checked=checked disabled=disabled/>" " {label}</label>
            </div>
        }
    };
    let common = p.common_passwords;
    view! {
        <ActionForm action=action attr:class="form" attr:aria-label="Password policy">
            <FormAlert error fields=&["minimum_length", "max_password_age", "password_reuse_prevention", "lockout_threshold", "lockout_minutes", "hard_expiry"]/>
            <fieldset class="policy-group">
                <legend>"Password strength"</legend>
                <Field label="Password minimum length" name="minimum_length" kind="number" value=p.minimum_length.to_string()
                    hint="From 6 to 128 characters. At least 8 is recommended (NIST SP 800-63B); length matters more than character classes." error=field_error(error, "minimum_length")/>
                {check("require_uppercase", "Require at least one uppercase letter from the Latin alphabet (A–Z)", p.require_uppercase)}
                {check("require_lowercase", "Require at least one lowercase letter from the Latin alphabet (a–z)", p.require_lowercase)}
                {check("require_numbers", "Require at least one number", p.require_numbers)}
                {check("require_symbols", "Require at least one non-alphanumeric character ( ! @ # $ % ^ & * ( ) _ + - = [ ] { } | ' )", p.require_symbols)}
                <p class="hint">{format!("Always on: new passwords are checked against a list of {common} common and breached passwords, and may not be the user's own name.")}</p>
            </fieldset>
            <fieldset class="policy-group">
                <legend>"Other requirements"</legend>
                {check("expire_passwords", "Turn on password expiration", p.max_password_age.is_some())}
                <Field label="Expire passwords in (days)" name="max_password_age" kind="number"
                    value=p.max_password_age.map(|d| d.to_string()).unwrap_or_else(|| "90".into())
                    hint="From 1 to 1095 days. Users are warned in the last 15 days. Not recommended by NIST unless a password may be compromised." error=field_error(error, "max_password_age")/>
                {check("hard_expiry", "Password expiration requires administrator reset", p.hard_expiry)}
                {check("allow_users_to_change_password", "Allow users to change their own password", p.allow_users_to_change_password)}
                {check("prevent_reuse", "Prevent password reuse", p.password_reuse_prevention.is_some())}
                <Field label="Remember previous passwords" name="password_reuse_prevention" kind="number"
                    value=p.password_reuse_prevention.map(|n| n.to_string()).unwrap_or_else(|| "5".into())
                    hint="From 1 to 24 passwords." error=field_error(error, "password_reuse_prevention")/>
            </fieldset>
            <fieldset class="policy-group">
                <legend>"Lockout"</legend>
                <Field label="Lock out after this many consecutive failed sign-ins" name="lockout_threshold" kind="number"
                    value=p.lockout_threshold.to_string() hint="From 1 to 100. Applies to IAM users and the root user." error=field_error(error, "lockout_threshold")/>
                <Field label="First lockout duration (minutes)" name="lockout_minutes" kind="number" value=p.lockout_minutes.to_string()
                    hint="Each further lockout before a successful sign-in lasts twice as long, up to an hour. Administrators can unlock a user at once." error=field_error(error, "lockout_minutes")/>
            </fieldset>
            {p.can_update.then(|| view! { <button type="submit" class="button primary">"Save password policy"</button> })}
        </ActionForm>
    }
}
