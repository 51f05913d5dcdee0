//! Event history: every change and sign-in of the account, newest first, filtered by who, event
//! name and dates, a page at a time (by key), each with its request and before/after states.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::{list_events, url_encode};
use crate::pages::ErrorPage;

#[component]
pub fn EventsPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        let q = query.read();
        let get = |k: &str| q.get(k).filter(|v| !v.is_empty());
        (
            get("who"),
            get("event_name"),
            get("since"),
            get("until"),
            get("before"),
        )
    };
    let events = Resource::new(args, |(who, name, since, until, before)| {
        list_events(who, name, since, until, before)
    });
    view! {
        <Title text="Event history · Gatehouse"/>
        <section class="page">
            <h1>"Event history"</h1>
            <p class="page-intro">"Every change and every sign-in in this account: who, what, when and from where. The history cannot be changed."</p>
            <div class="panel table-panel">
                {move || {
                    let (who, name, since, until, _) = args();
                    view! {
                        <form class="toolbar" method="get" action="/events" role="search">
                            <label class="sr-only" for="ev-who">"User or resource"</label>
                            <input id="ev-who" class="search" type="search" name="who" placeholder="User or resource" value=who.unwrap_or_default()/>
                            <label class="sr-only" for="ev-name">"Event name"</label>
                            <input id="ev-name" class="search narrow" name="event_name" placeholder="Event name, e.g. CreateUser" value=name.unwrap_or_default()/>
                            <label for="ev-since">"From"</label>
                            <input id="ev-since" type="date" name="since" value=since.unwrap_or_default()/>
                            <label for="ev-until">"To"</label>
                            <input id="ev-until" type="date" name="until" value=until.unwrap_or_default()/>
                            <button type="submit" class="button secondary">"Filter"</button>
                        </form>
                    }
                }}
                <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
                    {move || Suspend::new(async move {
                        let (who, name, since, until, _) = args();
                        match events.await {
                            Err(error) => view! { <ErrorPage error/> }.into_any(),
                            Ok(page) if page.events.is_empty() => view! {
                                <div class="empty"><p><strong>"No events"</strong></p><p>"No event matches the filters."</p></div>
                            }.into_any(),
                            Ok(page) => {
                                let keep = [("who", who), ("event_name", name), ("since", since), ("until", until)]
                                    .into_iter()
                                    .filter_map(|(k, v)| v.map(|v| format!("&{k}={}", url_encode(&v))))
                                    .collect::<String>();
                                let next = page.next.clone().map(|n| format!("/events?before={}{keep}", url_encode(&n)));
                                view! {
                                    <table class="table events">
                                        <thead><tr>
                                            <th scope="col">"Event time"</th><th scope="col">"Event name"</th><th scope="col">"User"</th>
                                            <th scope="col">"Source IP"</th><th scope="col">"Resource"</th>
                                        </tr></thead>
                                        <tbody>
                                            {page.events.into_iter().map(|e| view! {
                                                <tr>
                                                    <td>{e.time.clone()}</td>
                                                    <td>
                                                        <details>
                                                            <summary>
                                                                {e.name.clone()}
                                                                {(e.outcome == "failure").then(|| view! { " " <span class="badge badge-error">{format!("Failed{}", e.error_code.clone().map(|c| format!(": {c}")).unwrap_or_default())}</span> })}
                                                            </summary>
                                                            <h3>"Request"</h3><pre class="code-block">{e.request.clone()}</pre>
                                                            {e.before.clone().map(|b| view! { <h3>"Before"</h3><pre class="code-block">{b}</pre> })}
                                                            {e.after.clone().map(|a| view! { <h3>"After"</h3><pre class="code-block">{a}</pre> })}
                                                        </details>
                                                    </td>
                                                    <td class="mono">{e.actor.clone()}</td>
                                                    <td class="mono">{e.source_ip.clone()}</td>
                                                    <td class="mono">{e.resource.clone()}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                    <div class="pager">
                                        {next.map(|h| view! { <a class="button secondary" href=h rel="next">"Older events"</a> })}
                                    </div>
                                }.into_any()
                            }
                        }
                    })}
                </Suspense>
            </div>
        </section>
    }
}
