//! The Gatehouse console: routes, pages, components, and the thin server functions behind them.
//! Built twice: with `ssr` into the server, with `hydrate` into the browser's WebAssembly.
#![recursion_limit = "256"]

pub mod api;
pub mod components;
pub mod error;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ssr;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet};
use leptos_router::components::{ParentRoute, Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::ConsoleShell;
use crate::pages::*;

/// The HTML document the server renders around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light"/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // End-to-end tests wait for this marker instead of sleeping: it appears once hydrated.
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/gatehouse.css"/>
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/signin") view=SignInPage/>
                <Route path=path!("/signin/:account") view=SignInPage/>
                <Route path=path!("/root-signin") view=RootSignInPage/>
                <Route path=path!("/setup") view=SetupPage ssr=SsrMode::Async/>
                <Route path=path!("/change-password") view=ChangePasswordPage/>
                <Route path=path!("/mfa") view=MfaSignInPage/>
                <ParentRoute path=path!("") view=ConsoleShell ssr=SsrMode::Async>
                    <Route path=path!("") view=DashboardPage/>
                    <Route path=path!("groups") view=GroupsPage/>
                    <Route path=path!("groups/create") view=CreateGroupPage/>
                    <Route path=path!("groups/:name") view=GroupDetailPage/>
                    <Route path=path!("users") view=UsersPage/>
                    <Route path=path!("users/create") view=CreateUserPage/>
                    <Route path=path!("users/create/retrieve") view=RetrievePasswordPage/>
                    <Route path=path!("users/:name") view=UserDetailPage/>
                    <Route path=path!("policies") view=PoliciesPage/>
                    <Route path=path!("policies/create") view=CreatePolicyPage/>
                    <Route path=path!("policy") view=PolicyDetailPage/>
                    <Route path=path!("simulator") view=SimulatorPage/>
                    <Route path=path!("inline-policy") view=InlinePolicyPage/>
                    <Route path=path!("account") view=AccountSettingsPage/>
                    <Route path=path!("security-credentials") view=SecurityCredentialsPage/>
                    <Route path=path!("events") view=EventsPage/>
                    <Route path=path!("credential-report") view=CredentialReportPage/>
                </ParentRoute>
            </Routes>
        </Router>
    }
}
