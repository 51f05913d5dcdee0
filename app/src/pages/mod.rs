//! One file per page.

mod dashboard;
mod error_page;
mod not_found;
mod setup;
mod signin;

pub use dashboard::DashboardPage;
pub use error_page::ErrorPage;
pub use not_found::NotFound;
pub use setup::SetupPage;
pub use signin::{RootSignInPage, SignInPage};
