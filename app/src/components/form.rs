//! Form fields with visible labels, hints and errors next to the field they belong to.

use leptos::prelude::*;

use crate::error::AppError;

/// A labelled input. `error` shows under the field and marks it invalid for assistive technology.
#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(default = "text")] kind: &'static str,
    #[prop(optional, into)] value: Option<String>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] required: bool,
    #[prop(optional)] autofocus: bool,
    #[prop(optional)] error: Option<Signal<Option<String>>>,
) -> impl IntoView {
    let id = format!("field-{name}");
    let error = error.unwrap_or_else(|| Signal::derive(|| None));
    let described = hint.map(|_| format!("{id}-hint"));
    view! {
        <div class="field" class:has-error=move || error.get().is_some()>
            <label for=id.clone()>{label}</label>
            {hint.map(|h| view! { <p class="hint" id=format!("{id}-hint")>{h}</p> })}
            <input
                id=id.clone()
                type=kind
                name=name
                value=value
                autocomplete=autocomplete
                required=required
                autofocus=autofocus
                aria-describedby=described
                aria-invalid=move || if error.get().is_some() { "true" } else { "false" }
            />
            {move || error.get().map(|e| view! { <p class="field-error">{e}</p> })}
        </div>
    }
}

/// A form-level error: any error that does not belong to one of `fields`.
#[component]
pub fn FormAlert(
    #[prop(into)] error: Signal<Option<AppError>>,
    fields: &'static [&'static str],
) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|e| !fields.iter().any(|f| e.for_field(f).is_some()))
            .map(|e| {
                view! {
                    <div class="alert alert-error" role="alert">
                        <strong>"There was a problem"</strong>
                        <p>{e.to_string()}</p>
                    </div>
                }
            })
    }
}

/// The error an action's last run ended with.
pub fn form_error<T: 'static>(
    value: impl Get<Value = Option<Result<T, AppError>>> + Send + Sync + 'static,
) -> Signal<Option<AppError>> {
    Signal::derive(move || value.get().and_then(|r| r.err()))
}

/// The message for one field from an action's last error.
pub fn field_error(error: Signal<Option<AppError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.get().and_then(|e| e.for_field(field)))
}
