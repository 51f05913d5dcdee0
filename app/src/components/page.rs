//! Page parts shared by the console's pages: tabs that are plain links (they work before
//! hydration and keep the tab in the address), and the disclosure that guards a delete.

use leptos::prelude::*;

/// Tabs as links to `base?tab=<key>`; `current` is the selected key.
#[component]
pub fn Tabs(base: String, tabs: Vec<(&'static str, String)>, current: String) -> impl IntoView {
    view! {
        <nav class="tabs" aria-label="Sections">
            {tabs.into_iter().map(|(key, label)| {
                let selected = key == current;
                let sep = if base.contains('?') { '&' } else { '?' };
                view! {
                    <a class="tab" class:selected=selected href=format!("{base}{sep}tab={key}")
                        aria-current=if selected { Some("page") } else { None }>{label}</a>
                }
            }).collect_view()}
        </nav>
    }
}

/// A delete button that opens the confirmation form it guards (a `<details>`, so it works
/// without JavaScript too).
#[component]
pub fn ConfirmDelete(label: &'static str, children: Children) -> impl IntoView {
    view! {
        <details class="confirm">
            <summary class="button danger">{label}</summary>
            <div class="confirm-body">{children()}</div>
        </details>
    }
}
