//! A button that copies a text to the clipboard and says whether it worked.

use leptos::prelude::*;

// Only the browser build sets Copied and Failed.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
#[derive(Clone, Copy, PartialEq, Eq)]
enum CopyState {
    Idle,
    Copied,
    Failed,
}

#[component]
pub fn CopyButton(#[prop(into)] text: String, label: &'static str) -> impl IntoView {
    let state = RwSignal::new(CopyState::Idle);
    let on_click = move |_| {
        #[cfg(feature = "hydrate")]
        {
            let text = text.clone();
            leptos::task::spawn_local(async move {
                let copied = match web_sys::window() {
                    Some(window) => {
                        let promise = window.navigator().clipboard().write_text(&text);
                        wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
                    }
                    None => false,
                };
                state.set(if copied {
                    CopyState::Copied
                } else {
                    CopyState::Failed
                });
            });
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &text;
    };
    view! {
        <button type="button" class="button secondary copy" aria-label=label on:click=on_click>
            {move || match state.get() {
                CopyState::Idle => "Copy",
                CopyState::Copied => "Copied",
                CopyState::Failed => "Copy failed",
            }}
        </button>
        <span class="sr-only" role="status">
            {move || match state.get() {
                CopyState::Idle => "",
                CopyState::Copied => "Copied to the clipboard.",
                CopyState::Failed => "Could not copy; select the text and copy it.",
            }}
        </span>
    }
}
