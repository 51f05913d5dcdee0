//! Sign-in pages, worded as the AWS console words them: IAM users on `/signin` and
//! `/signin/<alias-or-account-id>`, root users on `/root-signin`.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::{remembered_account, SignIn, SignInRoot};
use crate::components::{form_error, AuthLayout, Field, FormAlert};

#[component]
pub fn SignInPage() -> impl IntoView {
    let params = use_params_map();
    let remembered = Resource::new_blocking(|| (), |_| remembered_account());
    let action = ServerAction::<SignIn>::new();
    let error = form_error(action.value());
    let pending = action.pending();
    view! {
        <Title text="Sign in · Gatehouse"/>
        <AuthLayout title="Sign in as IAM user">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let from_url = params.read().get("account");
                    let account = match from_url {
                        Some(a) => Some(a),
                        None => remembered.await.ok().flatten(),
                    };
                    let has_account = account.is_some();
                    view! {
                        <ActionForm action=action attr:class="form" attr:aria-label="Sign in as IAM user">
                            <FormAlert error fields=&[]/>
                            <Field
                                label="Account ID (12 digits) or account alias"
                                name="account"
                                value=account.unwrap_or_default()
                                autocomplete="organization"
                                required=true
                                autofocus=!has_account
                            />
                            <Field label="IAM user name" name="user_name" autocomplete="username" required=true autofocus=has_account/>
                            <Field label="Password" name="password" kind="password" autocomplete="current-password" required=true/>
                            <button type="submit" class="button primary wide" disabled=move || pending.get()>
                                {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                            </button>
                        </ActionForm>
                    }
                })}
            </Suspense>
            <p class="alt-link"><a href="/root-signin">"Sign in using root user email"</a></p>
        </AuthLayout>
    }
}

#[component]
pub fn RootSignInPage() -> impl IntoView {
    let action = ServerAction::<SignInRoot>::new();
    let error = form_error(action.value());
    let pending = action.pending();
    view! {
        <Title text="Root user sign in · Gatehouse"/>
        <AuthLayout title="Root user sign in" subtitle="The account owner that performs tasks requiring unrestricted access.">
            <ActionForm action=action attr:class="form" attr:aria-label="Root user sign in">
                <FormAlert error fields=&[]/>
                <Field label="Root user email address" name="email" kind="email" autocomplete="username" required=true autofocus=true/>
                <Field label="Password" name="password" kind="password" autocomplete="current-password" required=true/>
                <button type="submit" class="button primary wide" disabled=move || pending.get()>
                    {move || if pending.get() { "Signing in…" } else { "Sign in" }}
                </button>
            </ActionForm>
            <p class="alt-link"><a href="/signin">"Sign in as IAM user"</a></p>
        </AuthLayout>
    }
}
