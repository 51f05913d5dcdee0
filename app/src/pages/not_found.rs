use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::AuthLayout;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found · Gatehouse"/>
        <AuthLayout title="Page not found">
            <p>"There is no page at this address."</p>
            <p><a href="/">"Go to the console"</a></p>
        </AuthLayout>
    }
}
