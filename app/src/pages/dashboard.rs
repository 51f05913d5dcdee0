//! The IAM dashboard: the account, its alias, the IAM users sign-in URL, resource counts and
//! security recommendations.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{account_summary, grouped_account_id, Me, Summary};
use crate::components::{use_me, CopyButton};

#[component]
pub fn DashboardPage() -> impl IntoView {
    let me = use_me();
    let summary = Resource::new(|| (), |_| account_summary());
    view! {
        <Title text="IAM Dashboard · Gatehouse"/>
        <Suspense fallback=|| ()>
        {Suspend::new(async move {
            let me = match me {
                Some(me) => me.await.ok(),
                None => None,
            };
            me.map(|me| {
            let url = me.signin_url.clone();
            let is_root = me.is_root;
            view! {
                <section class="page">
                    <h1>"IAM Dashboard"</h1>
                    {me.is_root.then(|| view! {
                        <div class="alert alert-info" role="status">
                            <strong>"You are signed in as the root user"</strong>
                            <p>"The root user has unrestricted access. Use IAM users for everyday work, and keep the root user for the few tasks that need it."</p>
                        </div>
                    })}
                    <div class="dashboard-grid">
                        <div class="panel">
                            <h2>"Account"</h2>
                            <dl class="facts">
                                <dt>"Account ID"</dt>
                                <dd class="mono" data-testid="account-id">{grouped_account_id(&me.account_id)}</dd>
                                <dt>"Account alias"</dt>
                                <dd><span data-testid="account-alias">{me.account_alias.clone().unwrap_or_else(|| "None".to_owned())}</span>" " <a href="/account" aria-label="Edit the account alias">"Edit"</a></dd>
                                <dt>"Sign-in URL for IAM users in this account"</dt>
                                <dd class="copy-row">
                                    <code data-testid="signin-url">{url.clone()}</code>
                                    <CopyButton text=url label="Copy the sign-in URL"/>
                                </dd>
                            </dl>
                        </div>
                        <Suspense fallback=|| ()>
                            {move || Suspend::new(async move {
                                summary.await.ok().map(|s| view! { <Resources s is_root/> }.into_any())
                            })}
                        </Suspense>
                    </div>
                    <YourIdentity me=me.clone()/>
                </section>
            }
            .into_any()
        })})}
        </Suspense>
    }
}

#[component]
fn YourIdentity(me: Me) -> impl IntoView {
    view! {
                    <div class="panel">
                        <h2>"Your identity"</h2>
                        <dl class="facts">
                            <dt>{if me.is_root { "Root user" } else { "IAM user" }}</dt>
                            <dd>{me.display_name.clone()}</dd>
                            <dt>"ARN"</dt>
                            <dd class="mono">{me.arn.clone()}</dd>
                        </dl>
                    </div>
    }
}

#[component]
fn Resources(s: Summary, is_root: bool) -> impl IntoView {
    let counts = [
        ("User groups", s.groups, "/groups"),
        ("Users", s.users, "/users"),
        (
            "Customer managed policies",
            s.customer_policies,
            "/policies?type=customer",
        ),
    ];
    let mut recommendations: Vec<(&'static str, String)> = Vec::new();
    if !s.root_has_mfa {
        recommendations.push((
            "warn",
            "Add MFA for the root user: the root user has no multi-factor authentication device.".into(),
        ));
    }
    if s.console_users_without_mfa > 0 {
        recommendations.push((
            "warn",
            format!(
                "{} user{} with console access {} no MFA device.",
                s.console_users_without_mfa,
                if s.console_users_without_mfa == 1 { "" } else { "s" },
                if s.console_users_without_mfa == 1 {
                    "has"
                } else {
                    "have"
                },
            ),
        ));
    }
    if s.old_access_keys > 0 {
        recommendations.push((
            "warn",
            format!(
                "{} active access key{} {} older than 90 days: rotate access keys regularly (create a new key, move scripts to it, deactivate and delete the old one).",
                s.old_access_keys,
                if s.old_access_keys == 1 { "" } else { "s" },
                if s.old_access_keys == 1 { "is" } else { "are" },
            ),
        ));
    }
    if is_root {
        recommendations.push((
            "info",
            "Use IAM users, not the root user, for everyday tasks: create an administrator user and sign in as it.".into(),
        ));
    }
    if s.disabled_users > 0 {
        recommendations.push((
            "info",
            format!(
                "{} disabled user(s): delete users who no longer need access.",
                s.disabled_users
            ),
        ));
    }
    view! {
        <div class="panel">
            <h2>"IAM resources"</h2>
            <ul class="counts" data-testid="resource-counts">
                {counts.into_iter().map(|(label, n, href)| view! {
                    <li><a href=href><span class="count-number">{n}</span><span class="count-label">{label}</span></a></li>
                }).collect_view()}
            </ul>
        </div>
        <div class="panel">
            <h2>"Security recommendations"</h2>
            {if recommendations.is_empty() {
                view! { <p class="muted">"No recommendations: well done."</p> }.into_any()
            } else {
                view! {
                    <ul class="recommendations">
                        {recommendations.into_iter().map(|(kind, text)| view! {
                            <li class=format!("recommendation {kind}")>{text}</li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </div>
    }
}
