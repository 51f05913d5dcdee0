//! A page-level error, with the HTTP status set during server rendering.

use leptos::prelude::*;

use crate::error::AppError;

#[component]
pub fn ErrorPage(error: AppError) -> impl IntoView {
    // A session that ended while the page was loading: straight to the sign-in page.
    if error == AppError::NotSignedIn {
        return view! { <leptos_router::components::Redirect path="/signin"/> }.into_any();
    }
    // A session waiting for its forced password change reaches nothing else.
    if error == AppError::PasswordChangeRequired {
        return view! { <leptos_router::components::Redirect path="/change-password"/> }.into_any();
    }
    if error == AppError::MfaCodeRequired {
        return view! { <leptos_router::components::Redirect path="/mfa"/> }.into_any();
    }
    #[cfg(feature = "ssr")]
    {
        if let (Some(response), Ok(status)) = (
            use_context::<leptos_axum::ResponseOptions>(),
            axum::http::StatusCode::from_u16(error.status()),
        ) {
            response.set_status(status);
        }
    }
    let title = match &error {
        AppError::AccessDenied(_) => "Access denied",
        AppError::NotFound(_) => "Not found",
        _ => "Something went wrong",
    };
    view! {
        <section class="page">
            <div class="alert alert-error" role="alert">
                <strong>{title}</strong>
                <p>{error.to_string()}</p>
            </div>
        </section>
    }
    .into_any()
}
