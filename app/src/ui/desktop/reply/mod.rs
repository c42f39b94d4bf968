//! The reply side of the email panel (SPEC, W-1, C-2): Reply, Reply
//! All or Forward; recipients as chips; the rich-text editor (plain text when the customer
//! wrote plain text); files with progress; canned responses appended; the draft saved every
//! few minutes and when the agent leaves the contact; Send beside "Wrap-Up Reasons (n)".

#[cfg(feature = "hydrate")]
mod dom;
mod editor;
mod files;
mod recipients;

use super::{email_actions::EmailActions, wrap_up::WrapUpControl, Live};
use crate::{
    domain::{
        canned::CannedResponse,
        email::EmailView,
        ids::{ContactId, CsqId},
        reply::{
            attach_refusal, canned_refusal, check_send, initial_recipients, reply_subject, Draft,
            DraftFile, ReplyInput, ReplyMode,
        },
        validate::Field,
    },
    i18n::*,
};
use editor::{PlainEditor, RichEditor};
use files::{AttachControl, FileList, Uploading};
use leptos::prelude::*;
use leptos_i18n::I18nContext;
use recipients::RecipientField;
use std::collections::HashSet;

/// The email canned responses (HTML), provided by the desktop (SPEC R-3).
#[derive(Clone)]
pub struct CannedEmail(pub Vec<CannedResponse>);

/// Seconds between automatic saves (SPEC R-4), provided by the desktop.
#[derive(Clone, Copy)]
pub struct AutosaveSecs(pub u32);

/// The contacts whose reply has been started: their tab shows a pencil (SPEC C-2).
#[derive(Clone, Copy)]
pub struct Drafting(pub RwSignal<HashSet<ContactId>>);

/// The reply being written, shared by the panel's parts.
#[derive(Clone, Copy)]
pub struct Reply {
    pub id: ContactId,
    /// The customer wrote HTML: the reply is rich text (plain text otherwise).
    pub html: bool,
    pub mode: RwSignal<ReplyMode>,
    pub to: RwSignal<Vec<String>>,
    pub cc: RwSignal<Vec<String>>,
    pub bcc: RwSignal<Vec<String>>,
    pub show_cc: RwSignal<bool>,
    pub show_bcc: RwSignal<bool>,
    pub files: RwSignal<Vec<DraftFile>>,
    pub uploads: RwSignal<Vec<Uploading>>,
    /// The editor's HTML (or text), as of the last input.
    pub body: RwSignal<String>,
    /// Changed since the last save; `generation` counts changes, so a save that returns
    /// after a newer change leaves the draft unsaved.
    pub dirty: RwSignal<bool>,
    pub generation: RwSignal<u64>,
    pub saved_at_ms: RwSignal<Option<i64>>,
    /// What went wrong last (a refused file, a refused send), shown as an alert.
    pub notice: RwSignal<Option<String>>,
    pub sending: RwSignal<bool>,
    pub drafting: Drafting,
    /// The desktop's model: an upload that ends after the panel closed lands there.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub live: Live,
    /// The rich-text editor's element.
    pub editor: NodeRef<leptos::html::Div>,
    /// The page's language, for the messages written outside the view.
    pub i18n: I18nContext<Locale>,
}

impl Reply {
    fn new(
        id: ContactId,
        email: &EmailView,
        drafting: Drafting,
        live: Live,
        i18n: I18nContext<Locale>,
    ) -> Self {
        let draft: Option<Draft> = email.draft.clone();
        let (mode, to, cc, bcc, body, files, saved, error) = match draft {
            Some(d) => (
                d.input.mode,
                d.input.to,
                d.input.cc,
                d.input.bcc,
                d.input.body,
                d.files,
                d.saved_at_ms,
                d.send_error,
            ),
            None => {
                let (to, cc) = initial_recipients(ReplyMode::Reply, email);
                (
                    ReplyMode::Reply,
                    to,
                    cc,
                    Vec::new(),
                    String::new(),
                    Vec::new(),
                    None,
                    None,
                )
            }
        };
        Reply {
            id,
            html: email.is_html,
            mode: RwSignal::new(mode),
            show_cc: RwSignal::new(!cc.is_empty()),
            show_bcc: RwSignal::new(!bcc.is_empty()),
            to: RwSignal::new(to),
            cc: RwSignal::new(cc),
            bcc: RwSignal::new(bcc),
            files: RwSignal::new(files),
            uploads: RwSignal::new(Vec::new()),
            body: RwSignal::new(body),
            dirty: RwSignal::new(false),
            generation: RwSignal::new(0),
            saved_at_ms: RwSignal::new(saved),
            notice: RwSignal::new(error),
            sending: RwSignal::new(false),
            drafting,
            live,
            editor: NodeRef::new(),
            i18n,
        }
    }

    pub fn input(&self) -> ReplyInput {
        ReplyInput {
            mode: self.mode.get_untracked(),
            to: self.to.get_untracked(),
            cc: self.cc.get_untracked(),
            bcc: self.bcc.get_untracked(),
            body: self.body.get_untracked(),
        }
    }

    /// The agent changed something: unsaved, and the tab shows the pencil.
    pub fn touch(&self) {
        self.dirty.set(true);
        self.generation.update(|g| *g += 1);
        let id = self.id;
        self.drafting.0.update(|d| {
            d.insert(id);
        });
    }

    /// SPEC R-4: saves the draft if it changed; `then` runs once it is stored (or at once
    /// when nothing changed).
    pub fn save(&self, then: Option<Box<dyn FnOnce() + 'static>>) {
        if !self.dirty.get_untracked() {
            if let Some(then) = then {
                then();
            }
            return;
        }
        #[cfg(feature = "hydrate")]
        {
            let reply = *self;
            let generation = self.generation.get_untracked();
            let json = serde_json::to_string(&self.input()).unwrap_or_default();
            let failed = td_string!(self.i18n.get_locale_untracked(), email.reply.save_failed);
            dom::request(
                "PUT",
                &format!("/email/{}/draft", self.id),
                dom::Body::Json(json),
                None,
                move |status, text| {
                    if status == 200 {
                        if let Ok(draft) = serde_json::from_str::<Draft>(&text) {
                            let _ = reply.saved_at_ms.try_set(draft.saved_at_ms);
                        }
                        if reply.generation.try_get_untracked() == Some(generation) {
                            let _ = reply.dirty.try_set(false);
                        }
                    } else {
                        let _ = reply
                            .notice
                            .try_set(Some(files::refusal_text(&text, failed)));
                    }
                    if let Some(then) = then {
                        then();
                    }
                },
            );
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = then;
    }

    /// SPEC R-7: checks, then sends; the tab closes when the server confirms.
    fn send(&self) {
        if !self.uploads.with_untracked(Vec::is_empty) {
            self.notice.set(Some(
                td_string!(
                    self.i18n.get_locale_untracked(),
                    email.reply.wait_for_uploads
                )
                .into(),
            ));
            return;
        }
        let input = self.input();
        if let Err(errors) = check_send(&input, &self.files.get_untracked()) {
            let text: Vec<String> = errors
                .iter()
                .map(|e| e.message(self.i18n.get_locale_untracked()))
                .collect();
            self.notice.set(Some(text.join(" ")));
            return;
        }
        self.notice.set(None);
        self.sending.set(true);
        #[cfg(feature = "hydrate")]
        {
            let reply = *self;
            let json = serde_json::to_string(&input).unwrap_or_default();
            let failed = td_string!(self.i18n.get_locale_untracked(), email.reply.send_failed);
            dom::request(
                "POST",
                &format!("/email/{}/send", self.id),
                dom::Body::Json(json),
                None,
                move |status, text| {
                    if status == 202 {
                        // Nothing left to save: the contact closes.
                        let _ = reply.dirty.try_set(false);
                    } else {
                        let _ = reply.sending.try_set(false);
                        let _ = reply
                            .notice
                            .try_set(Some(files::refusal_text(&text, failed)));
                    }
                },
            );
        }
    }

    /// SPEC R-1: another mode: Reply and Reply All set the recipients they start with;
    /// Forward starts with nobody (and keeps the Bcc the agent chose).
    fn switch(&self, mode: ReplyMode, email: &EmailView) {
        let (to, cc) = initial_recipients(mode, email);
        self.mode.set(mode);
        self.to.set(to);
        self.show_cc
            .set(!cc.is_empty() || self.show_cc.get_untracked());
        self.cc.set(cc);
        self.touch();
    }
}

#[component]
pub fn ReplyPanel(id: ContactId, email: EmailView) -> impl IntoView {
    let live = expect_context::<Live>();
    let drafting = expect_context::<Drafting>();
    let canned = super::composer::canned_on(live, id, &expect_context::<CannedEmail>().0);
    let autosave = expect_context::<AutosaveSecs>().0;
    let i18n = use_i18n();
    let reply = Reply::new(id, &email, drafting, live, i18n);
    provide_context(reply);
    if email.draft.is_some() {
        drafting.0.update(|d| {
            d.insert(id);
        });
    }
    // SPEC R-4: every few minutes while something changed, and when the agent leaves the
    // contact (another tab, or the email leaves the list).
    #[cfg(feature = "hydrate")]
    {
        let handle = set_interval_with_handle(
            move || reply.save(None),
            std::time::Duration::from_secs(u64::from(autosave.max(1))),
        )
        .ok();
        on_cleanup(move || {
            if let Some(h) = handle {
                h.clear();
            }
            if reply.dirty.get_untracked() || reply.saved_at_ms.get_untracked().is_some() {
                let draft = Draft {
                    input: reply.input(),
                    files: reply.files.get_untracked(),
                    saved_at_ms: reply.saved_at_ms.get_untracked(),
                    send_error: None,
                };
                live.model.update(|m| m.keep_draft(id, draft));
            }
            reply.save(None);
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = autosave;
    let email = StoredValue::new(email);
    let forwarding = Memo::new(move |_| reply.mode.get() == ReplyMode::Forward);
    let subject = move || email.with_value(|e| reply_subject(reply.mode.get(), &e.subject));
    let mode_button = move |mode: ReplyMode| {
        let has_files = move || reply.files.with(|f| f.iter().any(|f| !f.inline));
        let refusal = move || {
            (mode == ReplyMode::Forward && has_files())
                .then(|| t_string!(i18n, email.reply.forward_has_files))
        };
        view! {
            <button
                type="button"
                class="mode"
                aria-pressed=move || (reply.mode.get() == mode).to_string()
                disabled=move || refusal().is_some()
                title=move || refusal().unwrap_or_default()
                on:click=move |_| {
                    if reply.mode.get_untracked() != mode {
                        email.with_value(|e| reply.switch(mode, e));
                    }
                }
            >{match mode {
                ReplyMode::Reply => t!(i18n, email.reply.mode_reply).into_any(),
                ReplyMode::ReplyAll => t!(i18n, email.reply.mode_reply_all).into_any(),
                ReplyMode::Forward => t!(i18n, email.reply.mode_forward).into_any(),
            }}</button>
        }
    };
    let canned_reason = canned_refusal(i18n.get_locale_untracked(), canned.len(), reply.html);
    let canned = StoredValue::new(canned);
    let append_canned = move |value: String| {
        let body = canned.with_value(|c| {
            c.iter()
                .find(|c| c.id.0.to_string() == value)
                .map(|c| c.body.clone())
        });
        if let Some(body) = body {
            reply.body.update(|b| b.push_str(&body));
            editor::show_body(reply);
            reply.touch();
        }
    };
    let saved = move || {
        if reply.dirty.get() {
            t_string!(i18n, email.reply.unsaved).to_string()
        } else {
            reply
                .saved_at_ms
                .get()
                .map(|ms| {
                    t_string!(
                        i18n,
                        email.reply.draft_saved,
                        time = super::clock::time_of_day(i18n.get_locale_untracked(), ms)
                    )
                    .to_string()
                })
                .unwrap_or_default()
        }
    };
    let on_change = Callback::new(move |_| reply.touch());
    let requeue = Callback::new(move |csq: CsqId| {
        // The draft goes with the email: stored before it leaves this agent.
        reply.save(Some(Box::new(move || {
            live.send(crate::domain::protocol::ClientCommand::Requeue { contact: id, csq })
        })));
    });
    let requeue_blocked = Signal::derive(move || {
        crate::domain::reply::requeue_refusal(i18n.get_locale_untracked(), reply.mode.get())
            .map(str::to_string)
    });
    view! {
        <section
            class="email-reply"
            aria-label=move || t_string!(i18n, email.reply.region)
            on:dragover=move |ev| ev.prevent_default()
            on:drop=move |ev| files::on_drop(reply, ev)
        >
            <div class="reply-head">
                <div class="reply-modes" role="group" aria-label=move || t_string!(i18n, email.reply.modes)>
                    {mode_button(ReplyMode::Reply)}
                    {mode_button(ReplyMode::ReplyAll)}
                    {mode_button(ReplyMode::Forward)}
                    <Show when=move || forwarding.get()>
                        <button type="button" class="quiet" on:click=move |_| email.with_value(|e| reply.switch(ReplyMode::Reply, e))>
                            {t!(i18n, email.reply.cancel_forward)}
                        </button>
                    </Show>
                </div>
                <span class="draft-status" aria-live="polite">{saved}</span>
            </div>
            {move || reply.notice.get().map(|n| view! {
                <p class="reply-notice" role="alert">
                    {n}
                    <button type="button" class="quiet" aria-label=move || t_string!(i18n, email.reply.dismiss) on:click=move |_| reply.notice.set(None)>"×"</button>
                </p>
            })}
            <div class="reply-fields">
                <RecipientField field=Field::To list=reply.to on_change />
                <Show when=move || reply.show_cc.get()>
                    <RecipientField field=Field::Cc list=reply.cc on_change />
                </Show>
                <Show when=move || reply.show_bcc.get()>
                    <RecipientField field=Field::Bcc list=reply.bcc on_change />
                </Show>
                <div class="add-fields">
                    <Show when=move || !reply.show_cc.get()>
                        <button type="button" class="quiet" on:click=move |_| reply.show_cc.set(true)>{t!(i18n, email.reply.add_cc)}</button>
                    </Show>
                    <Show when=move || !reply.show_bcc.get()>
                        <button type="button" class="quiet" on:click=move |_| reply.show_bcc.set(true)>{t!(i18n, email.reply.add_bcc)}</button>
                    </Show>
                </div>
                <p class="reply-subject"><span class="muted">{t!(i18n, email.reply.subject)}</span>{subject}</p>
            </div>
            {if reply.html {
                view! { <RichEditor /> }.into_any()
            } else {
                view! { <PlainEditor /> }.into_any()
            }}
            <FileList />
            <div class="reply-bar">
                <div class="reply-tools">
                <AttachControl blocked=Signal::derive(move || attach_refusal(i18n.get_locale_untracked(), reply.mode.get())) />
                <select
                    class="canned"
                    aria-label=move || t_string!(i18n, email.reply.canned)
                    disabled=canned_reason.is_some()
                    title=move || canned_reason.unwrap_or_else(|| t_string!(i18n, email.reply.canned_hint))
                    on:change=move |ev| {
                        append_canned(event_target_value(&ev));
                        files::reset_select(&ev);
                    }
                >
                    <option value="">{t!(i18n, email.reply.canned_choose)}</option>
                    {canned.with_value(|c| c.iter().map(|c| view! {
                        <option value=c.id.0.to_string()>{c.title.clone()}</option>
                    }).collect_view())}
                </select>
                </div>
                <div class="send-group">
                <WrapUpControl id />
                <button
                    type="button"
                    class="primary send"
                    disabled=move || reply.sending.get()
                    on:click=move |_| reply.send()
                >
                    {move || if reply.sending.get() {
                        t_string!(i18n, email.reply.sending)
                    } else {
                        t_string!(i18n, email.reply.send)
                    }}
                </button>
                </div>
            </div>
            <EmailActions id on_requeue=requeue requeue_blocked />
        </section>
    }
}
