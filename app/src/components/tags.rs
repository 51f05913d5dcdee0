//! The Tags tab of a user or policy: the tags with Remove buttons, and a form that adds or
//! changes one tag.

use leptos::prelude::*;

use crate::api::{TagResource, UntagResource};
use crate::components::{form_error, FormAlert};

/// The tag and untag actions of a page, which reloads its resource after either.
#[derive(Clone, Copy)]
pub struct TagActions {
    pub tag: ServerAction<TagResource>,
    pub untag: ServerAction<UntagResource>,
}

impl TagActions {
    pub fn new() -> Self {
        Self {
            tag: ServerAction::new(),
            untag: ServerAction::new(),
        }
    }

    pub fn version(&self) -> usize {
        self.tag.version().get() + self.untag.version().get()
    }
}

impl Default for TagActions {
    fn default() -> Self {
        Self::new()
    }
}

#[component]
pub fn TagsPanel(
    /// `user` or `policy`
    kind: &'static str,
    /// The user's name or the policy's ARN.
    target: String,
    tags: Vec<(String, String)>,
    can_tag: bool,
    can_untag: bool,
    /// Shown when there are no tags.
    empty: &'static str,
    actions: TagActions,
) -> impl IntoView {
    let error = form_error(actions.tag.value());
    let untag_error = form_error(actions.untag.value());
    let form_target = target.clone();
    view! {
        <div class="panel table-panel" role="tabpanel">
            <div class="panel-header"><h2>"Tags"</h2></div>
            <FormAlert error=untag_error fields=&[]/>
            {if tags.is_empty() {
                view! { <div class="empty"><p><strong>"No tags"</strong></p><p>{empty}</p></div> }.into_any()
            } else {
                view! {
                    <table class="table">
                        <thead><tr><th scope="col">"Key"</th><th scope="col">"Value"</th><th scope="col"><span class="sr-only">"Actions"</span></th></tr></thead>
                        <tbody>{tags.into_iter().map(|(k, v)| {
                            let (target, key, label) = (target.clone(), k.clone(), k.clone());
                            view! {
                                <tr>
                                    <td>{k}</td><td>{v}</td>
                                    <td class="actions">{can_untag.then(move || view! {
                                        <ActionForm action=actions.untag attr:class="inline-form">
                                            <input type="hidden" name="kind" value=kind/>
                                            <input type="hidden" name="target" value=target/>
                                            <input type="hidden" name="key" value=key/>
                                            <button type="submit" class="button secondary small" aria-label=format!("Remove tag {label}")>"Remove"</button>
                                        </ActionForm>
                                    })}</td>
                                </tr>
                            }
                        }).collect_view()}</tbody>
                    </table>
                }.into_any()
            }}
        </div>
        {can_tag.then(|| view! {
            <div class="panel">
                <h2>"Add or change a tag"</h2>
                <ActionForm action=actions.tag attr:class="form inline-fields" attr:aria-label="Add tag">
                    <input type="hidden" name="kind" value=kind/>
                    <input type="hidden" name="target" value=form_target/>
                    <label for="new-tag-key">"Key"</label>
                    <input id="new-tag-key" name="key" required/>
                    <label for="new-tag-value">"Value"</label>
                    <input id="new-tag-value" name="value"/>
                    <button type="submit" class="button primary">"Save tag"</button>
                </ActionForm>
                <FormAlert error fields=&[]/>
            </div>
        })}
    }
}
