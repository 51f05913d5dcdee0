//! The console shell around every signed-in page: the top bar with the principal and Sign out,
//! and the left navigation. Signed-out visitors are sent to the sign-in page.

use leptos::prelude::*;
use leptos_router::components::{Outlet, Redirect, A};

use crate::api::{whoami, Me, SignOut};
use crate::error::AppError;

#[component]
pub fn ConsoleShell() -> impl IntoView {
    let me = Resource::new_blocking(|| (), |_| whoami());
    view! {
        <Suspense fallback=|| view! { <div class="loading">"Loading…"</div> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(me) => view! { <ShellLayout me/> }.into_any(),
                    Err(AppError::NotSignedIn) => view! { <Redirect path="/signin"/> }.into_any(),
                    Err(error) => view! { <crate::pages::ErrorPage error/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ShellLayout(me: Me) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    let label = me.label();
    provide_context(me);
    view! {
        <div class="console">
            <header class="topbar">
                <a class="brand" href="/">
                    <img class="logo" src="/favicon.svg" alt=""/>
                    "Gatehouse"
                </a>
                <div class="identity">
                    <span class="whoami" data-testid="whoami">{label}</span>
                    <ActionForm action=sign_out attr:class="inline-form">
                        <button type="submit" class="button topbar-button">"Sign out"</button>
                    </ActionForm>
                </div>
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
                    </ul>
                </nav>
                <main class="content">
                    <Outlet/>
                </main>
            </div>
        </div>
    }
}
