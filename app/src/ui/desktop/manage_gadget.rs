//! "Manage Chat and Email": the column of contact tabs (newest at the top) and the current
//! contact's panel. The email panel and its reply composer are a chunk of the WebAssembly of
//! their own, out of the desktop's first load: it is fetched once the desktop is live, so
//! an email opens at once later, and a page left open across an upgrade or a network cut
//! does not depend on fetching it then.

use super::{chat_panel::ChatPanel, contact_tabs::ContactTabs, email_panel::EmailPanel, Live};
use crate::{
    domain::{contact::Channel, ids::ContactId},
    i18n::*,
};
use leptos::{either::Either, lazy, lazy_preload, prelude::*};

/// The email panel, from its own chunk (loaded once, then kept by the browser).
#[lazy]
fn email_panel(id: ContactId) -> AnyView {
    view! { <EmailPanel id /> }.into_any()
}

#[component]
pub fn ManageGadget() -> impl IntoView {
    let live = expect_context::<Live>();
    let i18n = use_i18n();
    // A memo, so the panel is rebuilt only when another contact becomes current: any other
    // change of the model (a line, a typing signal) must keep the draft and open panes.
    let current = Memo::new(move |_| live.model.with(|m| m.current));
    // Never true on the server: its page says the email is opening, as the browser's does
    // until the chunk is there (the panel cannot hydrate from code not yet fetched).
    let email_code = lazy_preload!(email_panel);
    let opening = move || view! { <p class="loading">{t!(i18n, desktop.manage.opening_email)}</p> };
    view! {
        <div class="gadget manage-gadget">
            <ContactTabs />
            <div class="contact-view">
                {move || match current.get() {
                    Some(id) if live.model.with_untracked(|m| {
                        m.tab(id).is_some_and(|t| t.view.channel == Channel::Email)
                    }) => view! {
                        <Suspense fallback=opening>
                            {move || if email_code.get() {
                                Either::Left(Suspend::new(email_panel(id)))
                            } else {
                                Either::Right(opening())
                            }}
                        </Suspense>
                    }
                    .into_any(),
                    Some(id) => view! { <ChatPanel id /> }.into_any(),
                    None => view! {
                        <p class="empty centered">{t!(i18n, desktop.manage.select_contact)}</p>
                    }
                    .into_any(),
                }}
            </div>
        </div>
    }
}
