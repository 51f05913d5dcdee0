//! Multi-factor authentication: the MFA step of sign-in (`/mfa`) and the MFA devices panel of
//! My security credentials and of a user's Security credentials tab (assign a virtual device
//! with its QR code or secret key and two consecutive codes, resync, remove).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use crate::api::{
    list_mfa_devices, pending_mfa, CreateMfaDevice, EnableMfaDevice, RemoveMyMfaDevice, RemoveUserMfaDevice,
    ResyncMfaDevice, SignOut, VerifyMfa,
};
use crate::components::{field_error, form_error, AuthLayout, ConfirmDelete, CopyButton, Field, FormAlert};

#[component]
pub fn MfaSignInPage() -> impl IntoView {
    let pending = Resource::new_blocking(|| (), |_| pending_mfa());
    let action = ServerAction::<VerifyMfa>::new();
    let cancel = ServerAction::<SignOut>::new();
    let error = form_error(action.value());
    let busy = action.pending();
    view! {
        <Title text="Multi-factor authentication · Gatehouse"/>
        <AuthLayout title="Multi-factor authentication">
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match pending.await {
                        Ok(Some(p)) => view! {
                            <p class="lead">"Your account is secured using multi-factor authentication (MFA). To finish signing in, enter the code from your MFA device."</p>
                            <dl class="facts compact">
                                <dt>"Account"</dt><dd>{p.account}</dd>
                                <dt>"Signing in as"</dt><dd>{p.display_name}</dd>
                            </dl>
                            <ActionForm action=action attr:class="form" attr:aria-label="Multi-factor authentication">
                                <FormAlert error fields=&[]/>
                                <Field label="MFA code" name="code" autocomplete="one-time-code" required=true autofocus=true
                                    hint="The 6-digit code your authenticator app shows now."/>
                                <button type="submit" class="button primary wide" disabled=move || busy.get()>
                                    {move || if busy.get() { "Checking…" } else { "Submit" }}
                                </button>
                            </ActionForm>
                            <ActionForm action=cancel attr:class="alt-link">
                                <button type="submit" class="link-button">"Cancel"</button>
                            </ActionForm>
                        }.into_any(),
                        Ok(None) => view! { <Redirect path="/"/> }.into_any(),
                        Err(_) => view! { <Redirect path="/signin"/> }.into_any(),
                    }
                })}
            </Suspense>
        </AuthLayout>
    }
}

/// The MFA devices of `user_name`, or of the signed-in principal when `None`.
#[component]
pub fn MfaDevicesPanel(user_name: Option<String>) -> impl IntoView {
    let own = user_name.is_none();
    let create = ServerAction::<CreateMfaDevice>::new();
    let enable = ServerAction::<EnableMfaDevice>::new();
    let resync = ServerAction::<ResyncMfaDevice>::new();
    let remove_mine = ServerAction::<RemoveMyMfaDevice>::new();
    let remove_user = ServerAction::<RemoveUserMfaDevice>::new();
    let owner = user_name.clone();
    let devices = Resource::new(
        move || {
            (
                enable.version().get(),
                remove_mine.version().get(),
                remove_user.version().get(),
            )
        },
        move |_| list_mfa_devices(owner.clone()),
    );
    let create_error = form_error(create.value());
    let enable_error = form_error(enable.value());
    let resync_error = form_error(resync.value());
    let remove_error = Signal::derive(move || {
        form_error(remove_mine.value())
            .get()
            .or_else(|| form_error(remove_user.value()).get())
    });
    let created = move || create.value().get().and_then(Result::ok);
    // Once assigned, the device just created is done with: its secret is not shown again.
    let assigned = move || matches!(enable.value().get(), Some(Ok(())));
    let owner_value = StoredValue::new(user_name.clone().unwrap_or_default());
    view! {
        <div class="panel" data-testid="mfa-panel">
            <h2>"Multi-factor authentication (MFA)"</h2>
            <p class="hint">
                {if own {
                    "Use an authenticator app on your phone or computer as a second factor: signing in then needs a code from it after your password."
                } else {
                    "The user's authenticator apps. Each assigned device is asked for a code when the user signs in."
                }}
            </p>
            {move || assigned().then(|| view! {
                <div class="alert alert-success" role="status"><p>"The MFA device was assigned."</p></div>
            })}
            <FormAlert error=remove_error fields=&["password"]/>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || Suspend::new(async move {
                    match devices.await {
                        Ok(list) if list.devices.is_empty() => view! {
                            <p class="empty" data-testid="no-mfa">"No MFA devices assigned."</p>
                        }.into_any(),
                        Ok(list) => view! {
                            <table class="table" aria-label="MFA devices">
                                <thead><tr><th>"Device name"</th><th>"Type"</th><th>"Identifier"</th><th>"Assigned"</th><th><span class="sr-only">"Actions"</span></th></tr></thead>
                                <tbody>
                                    {list.devices.into_iter().enumerate().map(|(i, d)| {
                                        let serial = d.serial_number.clone();
                                        view! {
                                            <tr>
                                                <td>{d.device_name.clone()}</td>
                                                <td>"Virtual"</td>
                                                <td class="mono">{d.serial_number.clone()}</td>
                                                <td>{d.assigned.clone()}</td>
                                                <td class="actions">
                                                    {own.then(|| { let serial = serial.clone(); view! {
                                                        <details class="manage">
                                                            <summary class="button secondary small">"Resync"</summary>
                                                            <ActionForm action=resync attr:class="form narrow" attr:aria-label=format!("Resync {}", d.device_name)>
                                                                <input type="hidden" name="serial_number" value=serial/>
                                                                <FormAlert error=resync_error fields=&[]/>
                                                                <div class="field"><label for=format!("resync-{i}-1")>"MFA code 1"</label>
                                                                    <input id=format!("resync-{i}-1") name="code1" inputmode="numeric" autocomplete="one-time-code" required/></div>
                                                                <div class="field"><label for=format!("resync-{i}-2")>"MFA code 2"</label>
                                                                    <input id=format!("resync-{i}-2") name="code2" inputmode="numeric" autocomplete="one-time-code" required/></div>
                                                                <button type="submit" class="button primary">"Resync"</button>
                                                            </ActionForm>
                                                        </details>
                                                    }})}
                                                    <ConfirmDelete label="Remove">
                                                        {if own { view! {
                                                            <ActionForm action=remove_mine attr:class="form" attr:aria-label=format!("Remove {}", d.device_name)>
                                                                <p>"Removing the device signs you out of your other sessions. Enter your password to confirm."</p>
                                                                <input type="hidden" name="serial_number" value=serial.clone()/>
                                                                <div class="field"><label for=format!("remove-{i}-password")>"Password"</label>
                                                                    <input id=format!("remove-{i}-password") type="password" name="password" autocomplete="current-password" required/></div>
                                                                <button type="submit" class="button danger">"Remove MFA device"</button>
                                                            </ActionForm>
                                                        }.into_any() } else { view! {
                                                            <ActionForm action=remove_user attr:class="form" attr:aria-label=format!("Remove {}", d.device_name)>
                                                                <p>"The user can no longer sign in with this device, and its sessions end."</p>
                                                                <input type="hidden" name="serial_number" value=serial.clone()/>
                                                                <input type="hidden" name="user_name" value=owner_value.get_value()/>
                                                                <button type="submit" class="button danger">"Remove MFA device"</button>
                                                            </ActionForm>
                                                        }.into_any() }}
                                                    </ConfirmDelete>
                                                </td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <p class="hint" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Suspense>
            <details class="manage" open=move || create_error.get().is_some() || (created().is_some() && !assigned())>
                <summary class="button primary">"Assign MFA device"</summary>
                <ActionForm action=create attr:class="form narrow" attr:aria-label="Assign MFA device">
                    <input type="hidden" name="user_name" value=owner_value.get_value()/>
                    <FormAlert error=create_error fields=&["device_name"]/>
                    <Field label="Device name" name="device_name" required=true
                        hint="Up to 64 letters, digits and _+=,.@- ; unique in the account."
                        error=field_error(create_error, "device_name")/>
                    <button type="submit" class="button secondary">"Next"</button>
                </ActionForm>
                {move || created().filter(|_| !assigned()).map(|device| view! {
                    <div class="mfa-setup">
                        <ol class="steps">
                            <li>"Install a compatible authenticator app, such as Google Authenticator, Microsoft Authenticator or 1Password."</li>
                            <li>"Open it and scan this QR code, or type the secret key instead."</li>
                            <li>"Enter two consecutive codes from the app."</li>
                        </ol>
                        <div class="qr" role="img" aria-label="QR code of the MFA device" inner_html=device.qr_code_svg.clone()></div>
                        <details class="secret-key">
                            <summary>"Show secret key"</summary>
                            <p class="secret-row"><code class="mono" data-testid="mfa-secret">{device.secret_key.clone()}</code> <CopyButton text=device.secret_key.clone() label="Copy secret key"/></p>
                        </details>
                        <ActionForm action=enable attr:class="form narrow" attr:aria-label="Add MFA">
                            <input type="hidden" name="serial_number" value=device.serial_number.clone()/>
                            <input type="hidden" name="user_name" value=owner_value.get_value()/>
                            <FormAlert error=enable_error fields=&["code1", "code2"]/>
                            <Field label="MFA code 1" name="code1" autocomplete="one-time-code" required=true error=field_error(enable_error, "code1")/>
                            <Field label="MFA code 2" name="code2" autocomplete="one-time-code" required=true error=field_error(enable_error, "code2")/>
                            <button type="submit" class="button primary">"Add MFA"</button>
                        </ActionForm>
                    </div>
                })}
            </details>
        </div>
    }
    .into_any()
}
