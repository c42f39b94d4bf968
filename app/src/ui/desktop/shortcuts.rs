//! The desktop's keyboard shortcuts: Alt+Shift with a letter, which browsers and screen
//! readers do not use for commands (they use Ctrl, Alt alone, Insert or Caps Lock), read
//! by the key's place on the keyboard so every layout gets the same keys. On macOS,
//! Option+Shift with a letter types a character: in a text field such a press is typing
//! (the character is not the letter), never a shortcut. A key held down acts once.
//! Sending is Enter in the message box. Listed in the Control gadget ("Keyboard
//! shortcuts") and the README.

use super::{gadget_tabs::GadgetTab, model::DesktopModel, Live};
use crate::{domain::ids::ContactId, i18n::*};
use leptos::prelude::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shortcut {
    /// Accept the oldest offer (or invitation).
    Accept,
    NextContact,
    PreviousContact,
    /// End the chat shown (leave it, when another agent is in it too), from the Manage
    /// gadget only: where the agent sees which chat it is.
    End,
    /// Put the cursor in the message box of the chat shown.
    FocusMessage,
}

impl Shortcut {
    pub const ALL: [Shortcut; 5] = [
        Shortcut::Accept,
        Shortcut::NextContact,
        Shortcut::PreviousContact,
        Shortcut::End,
        Shortcut::FocusMessage,
    ];

    /// The key's code (`KeyboardEvent.code`), with Alt+Shift.
    fn code(self) -> &'static str {
        match self {
            Shortcut::Accept => "KeyA",
            Shortcut::NextContact => "KeyN",
            Shortcut::PreviousContact => "KeyP",
            Shortcut::End => "KeyE",
            Shortcut::FocusMessage => "KeyM",
        }
    }

    /// As the list shows it.
    pub fn keys(self) -> String {
        format!("Alt+Shift+{}", &self.code()[3..])
    }

    pub fn label(self, locale: Locale) -> &'static str {
        match self {
            Shortcut::Accept => td_string!(locale, desktop.shortcuts.accept),
            Shortcut::NextContact => td_string!(locale, desktop.shortcuts.next),
            Shortcut::PreviousContact => td_string!(locale, desktop.shortcuts.previous),
            Shortcut::End => td_string!(locale, desktop.shortcuts.end),
            Shortcut::FocusMessage => td_string!(locale, desktop.shortcuts.message),
        }
    }

    /// The shortcut a key press is, if any: Alt and Shift held, neither Ctrl nor Meta, not
    /// a repeat of a key held down, and not typing in a text field (where the key gives a
    /// character other than its letter, as Option+Shift does on macOS).
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub fn of(press: &Press) -> Option<Shortcut> {
        if !(press.alt && press.shift) || press.ctrl || press.meta || press.repeat {
            return None;
        }
        let shortcut = Shortcut::ALL.into_iter().find(|s| s.code() == press.code)?;
        let letter = &shortcut.code()[3..];
        if press.in_text_field && !press.key.eq_ignore_ascii_case(letter) {
            return None;
        }
        Some(shortcut)
    }
}

/// What the page knows of a key press.
#[derive(Debug, Clone, Default)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub struct Press {
    /// `KeyboardEvent.code`: the key's place (`KeyA`).
    pub code: String,
    /// `KeyboardEvent.key`: what it types (`A`, or `Å` with Option+Shift on macOS).
    pub key: String,
    pub alt: bool,
    pub shift: bool,
    pub ctrl: bool,
    pub meta: bool,
    pub repeat: bool,
    /// The focus is in a text field or an editable area.
    pub in_text_field: bool,
}

/// The contact after (or before) the one shown, round the tabs' order.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub fn neighbour(model: &DesktopModel, forward: bool) -> Option<ContactId> {
    let ids: Vec<ContactId> = model.tabs.iter().map(|t| t.view.contact).collect();
    if ids.is_empty() {
        return None;
    }
    let at = model
        .current
        .and_then(|c| ids.iter().position(|id| *id == c));
    let next = match (at, forward) {
        (None, _) => 0,
        (Some(i), true) => (i + 1) % ids.len(),
        (Some(i), false) => (i + ids.len() - 1) % ids.len(),
    };
    Some(ids[next])
}

/// Listens for the shortcuts on the whole page (nothing on the server).
pub fn listen(live: Live, tab: RwSignal<GadgetTab>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::closure::Closure;
        let on_key =
            Closure::<dyn Fn(web_sys::KeyboardEvent)>::new(move |ev: web_sys::KeyboardEvent| {
                let in_text_field = ev
                    .target()
                    .and_then(|t| t.dyn_into::<web_sys::HtmlElement>().ok())
                    .is_some_and(|el| {
                        el.is_content_editable()
                            || matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
                    });
                let press = Press {
                    code: ev.code(),
                    key: ev.key(),
                    alt: ev.alt_key(),
                    shift: ev.shift_key(),
                    ctrl: ev.ctrl_key(),
                    meta: ev.meta_key(),
                    repeat: ev.repeat(),
                    in_text_field,
                };
                let Some(shortcut) = Shortcut::of(&press) else {
                    return;
                };
                ev.prevent_default();
                run(live, tab, shortcut);
            });
        let _ =
            window().add_event_listener_with_callback("keydown", on_key.as_ref().unchecked_ref());
        on_key.forget();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (live, tab);
}

#[cfg(feature = "hydrate")]
fn run(live: Live, tab: RwSignal<GadgetTab>, shortcut: Shortcut) {
    use crate::domain::{contact::Channel, protocol::ClientCommand};
    let show = |contact: ContactId| {
        live.model.update(|m| m.select(contact));
        tab.set(GadgetTab::Manage);
    };
    match shortcut {
        Shortcut::Accept => {
            let (offer, invitation) = live.model.with_untracked(|m| {
                (
                    m.offers.first().map(|o| o.contact),
                    m.invitations.first().map(|i| i.contact),
                )
            });
            if let Some(contact) = offer {
                live.accept(contact);
            } else if let Some(contact) = invitation {
                live.send(ClientCommand::AnswerInvitation {
                    contact,
                    accept: true,
                });
            }
        }
        Shortcut::NextContact | Shortcut::PreviousContact => {
            let forward = shortcut == Shortcut::NextContact;
            if let Some(contact) = live.model.with_untracked(|m| neighbour(m, forward)) {
                show(contact);
            }
        }
        Shortcut::End => {
            if tab.get_untracked() != GadgetTab::Manage {
                return;
            }
            let chat = live.model.with_untracked(|m| {
                m.current
                    .and_then(|c| m.tab(c))
                    .filter(|t| t.view.channel != Channel::Email)
                    .map(|t| (t.view.contact, t.view.agents.len() > 1))
            });
            match chat {
                // SPEC G-3: with another agent in the chat, the agent leaves it, as the
                // panel's own button does; alone, they end it.
                Some((contact, true)) => live.send(ClientCommand::Leave { contact }),
                Some((contact, false)) => live.end_chat(contact),
                None => {}
            }
        }
        Shortcut::FocusMessage => {
            let Some(contact) = live.model.with_untracked(|m| m.current) else {
                return;
            };
            show(contact);
            // After the Manage gadget is shown.
            request_animation_frame(move || {
                if let Some(box_) = document().get_element_by_id(&format!("message-{}", contact.0))
                {
                    if let Ok(box_) = box_.dyn_into::<web_sys::HtmlElement>() {
                        let _ = box_.focus();
                    }
                }
            });
        }
    }
}

#[cfg(feature = "hydrate")]
use wasm_bindgen::JsCast;

/// The list of shortcuts, folded under its heading in the Control gadget.
#[component]
pub fn ShortcutList() -> impl IntoView {
    let i18n = use_i18n();
    let locale = i18n.get_locale_untracked();
    view! {
        <details class="panel shortcuts">
            <summary>{t!(i18n, desktop.shortcuts.heading)}</summary>
            <dl>
                {Shortcut::ALL.into_iter().map(|s| view! {
                    <div>
                        <dt><kbd>{s.keys()}</kbd></dt>
                        <dd>{s.label(locale)}</dd>
                    </div>
                }).collect_view()}
                <div>
                    <dt><kbd>{t!(i18n, desktop.shortcuts.enter)}</kbd></dt>
                    <dd>{t!(i18n, desktop.shortcuts.send)}</dd>
                </div>
            </dl>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn press(code: &str, key: &str, alt: bool, shift: bool, ctrl: bool, meta: bool) -> Press {
        Press {
            code: code.into(),
            key: key.into(),
            alt,
            shift,
            ctrl,
            meta,
            ..Press::default()
        }
    }

    /// The shortcuts take Alt+Shift only: Alt alone (menus), Ctrl (the browser) and Meta
    /// (the system) stay with their owners, and so does every other key.
    #[test]
    fn only_alt_shift_with_the_listed_keys_are_shortcuts() {
        let of = |code: &str, alt, shift, ctrl, meta| {
            Shortcut::of(&press(code, &code[3..], alt, shift, ctrl, meta))
        };
        assert_eq!(of("KeyA", true, true, false, false), Some(Shortcut::Accept));
        assert_eq!(
            of("KeyM", true, true, false, false),
            Some(Shortcut::FocusMessage)
        );
        assert_eq!(of("KeyA", true, false, false, false), None);
        assert_eq!(of("KeyA", false, true, false, false), None);
        assert_eq!(of("KeyA", true, true, true, false), None);
        assert_eq!(of("KeyA", true, true, false, true), None);
        assert_eq!(of("KeyZ", true, true, false, false), None);
        assert_eq!(Shortcut::End.keys(), "Alt+Shift+E");
    }

    /// A key held down acts once (ending one chat, not the next ones too); in a text field
    /// on macOS, Option+Shift+E types "´" and stays typing.
    #[test]
    fn held_keys_and_typed_characters_are_not_shortcuts() {
        let held = Press {
            repeat: true,
            ..press("KeyE", "E", true, true, false, false)
        };
        assert_eq!(Shortcut::of(&held), None);
        let typing_on_a_mac = Press {
            in_text_field: true,
            ..press("KeyE", "´", true, true, false, false)
        };
        assert_eq!(Shortcut::of(&typing_on_a_mac), None);
        let in_the_box = Press {
            in_text_field: true,
            ..press("KeyE", "E", true, true, false, false)
        };
        assert_eq!(Shortcut::of(&in_the_box), Some(Shortcut::End));
    }

    #[test]
    fn next_and_previous_go_round_the_tabs() {
        use crate::domain::protocol::AgentEvent;
        let mut model = DesktopModel::default();
        assert_eq!(neighbour(&model, true), None);
        for id in [1, 2, 3] {
            model.apply_event(AgentEvent::ContactAssigned {
                contact: super::super::model::test_view(id, 0),
            });
        }
        // Tabs are newest first: 3, 2, 1; the last accepted (3) is shown.
        assert_eq!(neighbour(&model, true), Some(ContactId(2)));
        assert_eq!(neighbour(&model, false), Some(ContactId(1)));
        model.select(ContactId(1));
        assert_eq!(neighbour(&model, true), Some(ContactId(3)));
    }
}
