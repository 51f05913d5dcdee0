//! The IAM dashboard: the account, its alias and the IAM users sign-in URL.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{grouped_account_id, Me};
use crate::components::CopyButton;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let me = use_context::<Me>();
    view! {
        <Title text="IAM Dashboard · Gatehouse"/>
        {me.map(|me| {
            let url = me.signin_url.clone();
            view! {
                <section class="page">
                    <h1>"IAM Dashboard"</h1>
                    {me.is_root.then(|| view! {
                        <div class="alert alert-info" role="status">
                            <strong>"You are signed in as the root user"</strong>
                            <p>"The root user has unrestricted access. Use IAM users for everyday work, and keep the root user for the few tasks that need it."</p>
                        </div>
                    })}
                    <div class="panel">
                        <h2>"Account"</h2>
                        <dl class="facts">
                            <dt>"Account ID"</dt>
                            <dd class="mono" data-testid="account-id">{grouped_account_id(&me.account_id)}</dd>
                            <dt>"Account alias"</dt>
                            <dd data-testid="account-alias">{me.account_alias.clone().unwrap_or_else(|| "None".to_owned())}</dd>
                            <dt>"Sign-in URL for IAM users in this account"</dt>
                            <dd class="copy-row">
                                <code data-testid="signin-url">{url.clone()}</code>
                                <CopyButton text=url label="Copy the sign-in URL"/>
                            </dd>
                        </dl>
                    </div>
                    <div class="panel">
                        <h2>"Your identity"</h2>
                        <dl class="facts">
                            <dt>{if me.is_root { "Root user" } else { "IAM user" }}</dt>
                            <dd>{me.display_name.clone()}</dd>
                            <dt>"ARN"</dt>
                            <dd class="mono">{me.arn.clone()}</dd>
                        </dl>
                    </div>
                </section>
            }
        })}
    }
}
