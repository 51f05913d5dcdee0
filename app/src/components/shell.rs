//! The console shell around every signed-in page: the top bar with the principal and Sign out,
//! and the left navigation. Signed-out visitors are sent to the sign-in page.

use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};

use crate::api::{whoami, Me, SignOut};
use crate::error::AppError;

/// Who is signed in, as the shell loaded it; pages that show it await this.
pub type MeResource = Resource<Result<Me, AppError>>;

/// The signed-in principal, for pages inside the console shell.
pub fn use_me() -> Option<MeResource> {
    use_context::<MeResource>()
}

#[component]
pub fn ConsoleShell() -> impl IntoView {
    let me: MeResource = Resource::new_blocking(|| (), |_| whoami());
    provide_context(me);
    let sign_out = ServerAction::<SignOut>::new();
    // The layout and the Outlet are built once, outside any Suspend: a page built inside one can
    // be built twice during server rendering (once when its future is first polled), and every
    // resource it creates would fetch twice. Only the identity waits for `me`.
    view! {
        <div class="console">
            <header class="topbar">
                <a class="brand" href="/">
                    <img class="logo" src="/favicon.svg" alt=""/>
                    "Gatehouse"
                </a>
                <Suspense fallback=|| ()>
                    {Suspend::new(async move {
                        match me.await {
                            Ok(me) => view! {
                                <div class="identity">
                                    <span class="whoami" data-testid="whoami">{me.label()}</span>
                                    <a class="topbar-link" href="/security-credentials">"My security credentials"</a>
                                    <ActionForm action=sign_out attr:class="inline-form">
                                        <button type="submit" class="button topbar-button">"Sign out"</button>
                                    </ActionForm>
                                </div>
                            }.into_any(),
                            Err(AppError::NotSignedIn) => view! { <Redirect path="/signin"/> }.into_any(),
                            Err(AppError::PasswordChangeRequired) => view! { <Redirect path="/change-password"/> }.into_any(),
                            Err(AppError::MfaCodeRequired) => view! { <Redirect path="/mfa"/> }.into_any(),
                            Err(error) => view! {
                                <span class="whoami" role="alert">{error.to_string()}</span>
                            }.into_any(),
                        }
                    })}
                </Suspense>
            </header>
            <div class="console-body">
                <nav class="sidenav" aria-label="Identity and Access Management">
                    <p class="sidenav-title">"Identity and Access Management (IAM)"</p>
                    <ul>
                        <li><A href="/" exact=true>"Dashboard"</A></li>
                    </ul>
                    <p class="sidenav-section">"Access management"</p>
                    <ul>
                        <li><A href="/groups">"User groups"</A></li>
                        <li><A href="/users">"Users"</A></li>
                        <li><A href="/policies">"Policies"</A></li>
                        <li><A href="/account">"Account settings"</A></li>
                    </ul>
                    <p class="sidenav-section">"Access reports"</p>
                    <ul>
                        <li><A href="/simulator">"Policy simulator"</A></li>
                        <li><A href="/events">"Event history"</A></li>
                        <li><A href="/credential-report">"Credential report"</A></li>
                    </ul>
                </nav>
                <main class="content">
                    <Suspense fallback=|| ()>
                        {Suspend::new(async move {
                            me.await.ok().and_then(|me| me.password_expires_in_days).map(|days| view! {
                                <div class="alert alert-warn expiry-warning" role="status">
                                    <p>
                                        {match days {
                                            0 => "Your console password expires today.".to_owned(),
                                            1 => "Your console password expires in 1 day.".to_owned(),
                                            n => format!("Your console password expires in {n} days."),
                                        }}
                                        " " <a href="/security-credentials">"Change it now"</a>
                                    </p>
                                </div>
                            })
                        })}
                    </Suspense>
                    <Outlet/>
                </main>
            </div>
        </div>
    }
}
