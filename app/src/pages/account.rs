//! Account settings: the account alias, which the IAM users sign-in URL uses.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::SetAccountAlias;
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
