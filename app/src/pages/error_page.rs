//! A page-level error, with the HTTP status set during server rendering.

use leptos::prelude::*;

use crate::error::AppError;

#[component]
pub fn ErrorPage(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        use axum::http::StatusCode;
        let status = match &error {
            AppError::Invalid { .. } => StatusCode::BAD_REQUEST,
            AppError::SignInFailed | AppError::NotSignedIn => StatusCode::UNAUTHORIZED,
            AppError::AccessDenied(_) => StatusCode::FORBIDDEN,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::Internal(_) | AppError::Request(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
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
}
