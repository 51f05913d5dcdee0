//! The frame of the pages shown before sign-in: sign-in and first-run setup.

use leptos::prelude::*;

#[component]
pub fn AuthLayout(
    title: &'static str,
    #[prop(optional)] subtitle: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="auth-page">
            <div class="auth-brand">
                <img class="logo" src="/favicon.svg" alt=""/>
                <span class="brand-name">"Gatehouse"</span>
            </div>
            <main class="auth-card">
                <h1>{title}</h1>
                {subtitle.map(|s| view! { <p class="subtitle">{s}</p> })}
                {children()}
            </main>
            <footer class="auth-footer">"Gatehouse · identity and access management"</footer>
        </div>
    }
}
