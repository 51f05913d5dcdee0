//! Creating and editing an inline policy of a user or group with the JSON editor:
//! `/inline-policy?owner=user|group&name=<owner>&policy=<name>` (no `policy`: a new one).

use gatehouse_policy::PolicyKind;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{get_inline_policy, PutInlinePolicy};
use crate::components::{field_error, form_error, Field, FormAlert, PolicyEditor};
use crate::pages::ErrorPage;

const STARTER: &str = "{\n    \"Version\": \"2012-10-17\",\n    \"Statement\": [\n        {\n            \"Effect\": \"Allow\",\n            \"Action\": [],\n            \"Resource\": \"*\"\n        }\n    ]\n}";

#[component]
pub fn InlinePolicyPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        (
            q.get("owner").unwrap_or_default(),
            q.get("name").unwrap_or_default(),
            q.get("policy").filter(|p| !p.is_empty()),
        )
    };
    let existing = Resource::new(args, |(owner, name, policy)| async move {
        match policy {
            Some(p) => get_inline_policy(owner, name, p).await.map(Some),
            None => Ok(None),
        }
    });
    view! {
        <Title text="Inline policy · Gatehouse"/>
        <section class="page">
            <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                {move || Suspend::new(async move {
                    let (owner, name, policy) = args();
                    match existing.await {
                        Err(error) => view! { <ErrorPage error/> }.into_any(),
                        Ok(document) => view! { <InlineEditor owner name policy document/> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn InlineEditor(
    owner: String,
    name: String,
    policy: Option<String>,
    document: Option<String>,
) -> impl IntoView {
    let action = ServerAction::<PutInlinePolicy>::new();
    let error = form_error(action.value());
    let text = RwSignal::new(document.unwrap_or_else(|| STARTER.to_owned()));
    let kind = if owner == "group" {
        PolicyKind::GroupInline
    } else {
        PolicyKind::UserInline
    };
    let (list, noun) = if owner == "group" {
        ("/groups", "User groups")
    } else {
        ("/users", "Users")
    };
    let back = format!("{list}/{name}?tab=permissions");
    let title = match &policy {
        Some(p) => format!("Edit {p}"),
        None => "Create inline policy".to_owned(),
    };
    view! {
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href=list>{noun}</a>" › " <a href=back.clone()>{name.clone()}</a>" › " {title.clone()}</nav>
        <h1>{title}</h1>
        <ActionForm action=action attr:class="form wide-form" attr:aria-label="Inline policy">
            <FormAlert error fields=&["policy_name", "document"]/>
            <input type="hidden" name="owner_kind" value=owner.clone()/>
            <input type="hidden" name="owner_name" value=name.clone()/>
            <div class="panel">
                <p class="hint">{format!("An inline policy belongs to this {owner} only and is deleted with it. The {owner}'s inline policies together may have at most {} characters (whitespace not counted).", kind.size_limit())}</p>
                <PolicyEditor name="document" text kind server_error=field_error(error, "document")/>
            </div>
            <div class="panel">
                {match policy.clone() {
                    Some(p) => view! {
                        <input type="hidden" name="policy_name" value=p.clone()/>
                        <p>"Policy name: " <strong>{p}</strong></p>
                    }.into_any(),
                    None => view! {
                        <Field label="Policy name" name="policy_name" required=true
                            hint="Maximum 128 characters. Use alphanumeric and '+=,.@-_' characters." error=field_error(error, "policy_name")/>
                    }.into_any(),
                }}
            </div>
            <div class="form-actions">
                <a class="button secondary" href=back>"Cancel"</a>
                <button type="submit" class="button primary">{if policy.is_some() { "Save changes" } else { "Create policy" }}</button>
            </div>
        </ActionForm>
    }
}
