//! Reusable pieces of the console's pages.

mod attach;
mod copy_button;
mod form;
mod layout;
mod page;
mod policy_editor;
mod shell;
mod tags;

pub use attach::{AttachPoliciesPanel, DetachButton};
pub use copy_button::CopyButton;
pub use form::{field_error, form_error, Field, FormAlert};
pub use layout::AuthLayout;
pub use page::{ConfirmDelete, Tabs};
pub use policy_editor::{findings, summarize, EditorFinding, PolicyEditor, PolicySummaryTable};
pub use shell::{use_me, ConsoleShell, MeResource};
pub use tags::{TagActions, TagsPanel};
