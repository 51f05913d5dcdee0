//! One file per page.

mod access_keys;
mod account;
mod credential_report;
mod credentials;
mod dashboard;
mod error_page;
mod events;
mod groups;
mod inline_policy;
mod mfa;
mod not_found;
mod policies;
mod setup;
mod signin;
mod simulator;
mod user_credentials;
mod users;

pub use account::AccountSettingsPage;
pub use credential_report::CredentialReportPage;
pub use credentials::{ChangePasswordPage, SecurityCredentialsPage};
pub use dashboard::DashboardPage;
pub use error_page::ErrorPage;
pub use events::EventsPage;
pub use groups::{CreateGroupPage, GroupDetailPage, GroupsPage};
pub use inline_policy::InlinePolicyPage;
pub use mfa::MfaSignInPage;
pub use not_found::NotFound;
pub use policies::{CreatePolicyPage, PoliciesPage, PolicyDetailPage};
pub use setup::SetupPage;
pub use signin::{RootSignInPage, SignInPage};
pub use simulator::{SimulatorPage, WhyPanel};
pub use users::{CreateUserPage, RetrievePasswordPage, UserDetailPage, UsersPage};
