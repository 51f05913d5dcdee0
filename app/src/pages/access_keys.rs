//! The access keys panel of My security credentials and of a user's Security credentials tab:
//! the keys with their status, age and last use; create (the secret shown once, with Show, Copy
//! and "Download .csv file"), deactivate, activate, and delete (inactive keys only, confirmed by
//! typing the key's ID).

use leptos::prelude::*;

use crate::api::{csv_data_href, list_access_keys, CreateAccessKey, DeleteAccessKey, UpdateAccessKey};
use crate::components::{form_error, ConfirmDelete, CopyButton, FormAlert};

/// The access keys of `user_name`, or of the signed-in principal when `None`.
#[component]
pub fn AccessKeysPanel(user_name: Option<String>) -> impl IntoView {
    let own = user_name.is_none();
    let create = ServerAction::<CreateAccessKey>::new();
    let update = ServerAction::<UpdateAccessKey>::new();
    let delete = ServerAction::<DeleteAccessKey>::new();
    let owner = user_name.clone();
    // The list reloads after a change that succeeded only: after a refused one the form stays
    // open, with its error, for another try.
    let created_ok = Memo::new(move |prev: Option<&usize>| match create.value().get() {
        Some(Ok(_)) => create.version().get(),
        _ => prev.copied().unwrap_or(0),
    });
    let updated_ok = Memo::new(move |prev: Option<&usize>| match update.value().get() {
        Some(Ok(_)) => update.version().get(),
        _ => prev.copied().unwrap_or(0),
    });
    let deleted_ok = Memo::new(move |prev: Option<&usize>| match delete.value().get() {
        Some(Ok(_)) => delete.version().get(),
        _ => prev.copied().unwrap_or(0),
    });
    let keys = Resource::new(
        move || (created_ok.get(), updated_ok.get(), deleted_ok.get()),
        move |_| list_access_keys(owner.clone()),
    );
    let create_error = form_error(create.value());
    let update_error = form_error(update.value());
    let delete_error = form_error(delete.value());
    let created = move || create.value().get().and_then(Result::ok);
    let owner_value = StoredValue::new(user_name.unwrap_or_default());
    view! {
        <div class="panel" data-testid="access-keys-panel">
            <h2>"Access keys"</h2>
            <p class="hint">
                {if own {
                    "Use access keys to call Gatehouse's IAM API from the aws CLI, boto3 or your scripts. You can have at most two access keys, active or inactive, at a time: two let you rotate one while the other still works."
                } else {
                    "The user's access keys for the IAM API. Their secrets were shown only when each key was created and cannot be viewed again."
                }}
            </p>
            {move || created().map(|key| view! { <NewKeyShown key/> })}
            <FormAlert error=create_error fields=&[]/>
            <FormAlert error=update_error fields=&[]/>
            <FormAlert error=delete_error fields=&[]/>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match keys.await {
                        Ok(list) => {
                            let full = list.keys.len() >= list.max as usize;
                            let max = list.max;
                            view! {
                                {if list.keys.is_empty() {
                                    view! { <p class="empty" data-testid="no-access-keys">"No access keys."</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="table" aria-label="Access keys">
                                            <thead><tr>
                                                <th>"Access key ID"</th><th>"Status"</th><th>"Created"</th>
                                                <th>"Last used"</th><th><span class="sr-only">"Actions"</span></th>
                                            </tr></thead>
                                            <tbody>
                                                {list.keys.into_iter().enumerate().map(|(i, k)| view! {
                                                    <KeyRow i k update delete owner=owner_value.get_value()/>
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    }.into_any()
                                }}
                                {if full {
                                    view! {
                                        <p class="hint">{format!("You have the maximum of {max} access keys: delete one to create another.")}</p>
                                    }.into_any()
                                } else if own {
                                    view! {
                                        <details class="manage" open=move || create_error.get().is_some()>
                                            <summary class="button primary">"Create access key"</summary>
                                            <ActionForm action=create attr:class="form narrow" attr:aria-label="Create access key">
                                                <input type="hidden" name="user_name" value=""/>
                                                <div class="field">
                                                    <label for="new-key-password">"Password"</label>
                                                    <input id="new-key-password" type="password" name="password" autocomplete="current-password" required/>
                                                    <p class="hint">"Enter your password to confirm: an access key signs in to the IAM API as you."</p>
                                                </div>
                                                <button type="submit" class="button primary">"Create access key"</button>
                                            </ActionForm>
                                        </details>
                                    }.into_any()
                                } else {
                                    view! {
                                        <ActionForm action=create attr:class="inline-form" attr:aria-label="Create access key">
                                            <input type="hidden" name="user_name" value=owner_value.get_value()/>
                                            <button type="submit" class="button primary">"Create access key"</button>
                                        </ActionForm>
                                    }.into_any()
                                }}
                            }.into_any()
                        }
                        Err(e) => view! { <p class="hint" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
    .into_any()
}

#[component]
fn KeyRow(
    i: usize,
    k: crate::api::AccessKeyView,
    update: ServerAction<UpdateAccessKey>,
    delete: ServerAction<DeleteAccessKey>,
    owner: String,
) -> impl IntoView {
    let id = k.access_key_id.clone();
    let (next_status, next_label) = if k.active {
        ("Inactive", "Deactivate")
    } else {
        ("Active", "Activate")
    };
    let update_label = format!("{next_label} {id}");
    let delete_form = (!k.active).then(|| {
        let label = format!("Delete {id}");
        let (id, owner) = (id.clone(), owner.clone());
        view! {
            <ConfirmDelete label="Delete">
                <ActionForm action=delete attr:class="form" attr:aria-label=label>
                    <p>"Scripts that still use this key will fail. Deleting it cannot be undone."</p>
                    <input type="hidden" name="access_key_id" value=id.clone()/>
                    <input type="hidden" name="user_name" value=owner/>
                    <div class="field">
                        <label for=format!("delete-key-{i}")>"To confirm deletion, enter the access key ID"</label>
                        <input id=format!("delete-key-{i}") name="confirm" autocomplete="off" required placeholder=id/>
                    </div>
                    <button type="submit" class="button danger">"Delete access key"</button>
                </ActionForm>
            </ConfirmDelete>
        }
    });
    view! {
        <tr>
            <td class="mono">{k.access_key_id.clone()}</td>
            <td>{if k.active {
                view! { <span class="badge badge-ok">"Active"</span> }.into_any()
            } else {
                view! { <span class="badge badge-warn">"Inactive"</span> }.into_any()
            }}</td>
            <td>{k.created.clone()}<span class="cell-note">{k.age.clone()}</span></td>
            <td>
                {k.last_used.clone()}
                {(k.last_used != "N/A").then(|| view! {
                    <span class="cell-note">{format!("{} in {}", k.last_used_service, k.last_used_region)}</span>
                })}
            </td>
            <td class="actions">
                <ActionForm action=update attr:class="inline-form" attr:aria-label=update_label>
                    <input type="hidden" name="access_key_id" value=id/>
                    <input type="hidden" name="status" value=next_status/>
                    <input type="hidden" name="user_name" value=owner/>
                    <button type="submit" class="button secondary small">{next_label}</button>
                </ActionForm>
                {delete_form}
            </td>
        </tr>
    }
}

/// The key just created: its ID and secret, Show / Copy, and the .csv file AWS's console gives.
#[component]
fn NewKeyShown(key: crate::api::NewAccessKeyView) -> impl IntoView {
    let href = csv_data_href(
        &["Access key ID", "Secret access key"],
        &[&key.access_key_id, &key.secret_access_key],
    );
    let file = format!("{}_accessKeys.csv", key.owner);
    view! {
        <div class="alert alert-success" role="status" data-testid="new-access-key">
            <strong>"Access key created"</strong>
            <p>"This is the only time that the secret access key can be viewed or downloaded. You cannot recover it later. You can create a new access key at any time."</p>
            <dl class="facts">
                <dt>"Access key ID"</dt>
                <dd class="copy-row"><code class="mono" data-testid="new-access-key-id">{key.access_key_id.clone()}</code>
                    <CopyButton text=key.access_key_id.clone() label="Copy the access key ID"/></dd>
                <dt>"Secret access key"</dt>
                <dd>
                    <details class="secret">
                        <summary>"Show"</summary>
                        <span class="copy-row"><code class="mono" data-testid="new-secret-access-key">{key.secret_access_key.clone()}</code>
                            <CopyButton text=key.secret_access_key.clone() label="Copy the secret access key"/></span>
                    </details>
                </dd>
            </dl>
            <a class="button primary" href=href download=file>"Download .csv file"</a>
        </div>
    }
}
