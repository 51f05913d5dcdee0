//! Credential report: download the account's report of users and the state of their passwords,
//! MFA and access keys, as AWS's CSV.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::credential_report_status;
use crate::pages::ErrorPage;

#[component]
pub fn CredentialReportPage() -> impl IntoView {
    let status = Resource::new(|| (), |_| credential_report_status());
    view! {
        <Title text="Credential report · Gatehouse"/>
        <section class="page">
            <h1>"Credential report"</h1>
            <p class="page-intro">"A CSV file that lists every user in the account, the root user first, with the state of their credentials: password enabled, last used and last changed, next rotation, MFA, and each access key's status, age and last use. Its columns and values are AWS's, so tools that audit AWS credential reports read it as it is."</p>
            <div class="panel">
                <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        match status.await {
                            Err(error) => view! { <ErrorPage error/> }.into_any(),
                            Ok(s) if !s.can_download => view! {
                                <p class="hint" role="alert">"You are not authorized to perform iam:GenerateCredentialReport and iam:GetCredentialReport, which downloading the report needs."</p>
                            }.into_any(),
                            Ok(s) => view! {
                                <dl class="facts">
                                    <dt>"Last generated"</dt>
                                    <dd data-testid="report-generated">{s.generated.unwrap_or_else(|| "No report in the last four hours".into())}</dd>
                                </dl>
                                <p class="hint">"A report is reused for four hours; downloading after that makes a new one."</p>
                                <a class="button primary" href="/api/credential_report" download="" rel="nofollow">"Download credentials report"</a>
                            }.into_any(),
                        }
                    })}
                </Suspense>
            </div>
        </section>
    }
}
