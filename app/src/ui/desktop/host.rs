//! The desktop's side of the gadget API (SPEC D-1): when a host desktop frames this page,
//! it answers the host's requests and tells it what happens, with `postMessage`, only to
//! the origins the administrator allowed ([`crate::domain::gadget_hosts`]). The messages
//! are [`crate::domain::gadget_api`]'s; what each stream event means to a host is decided
//! here, from the model as it was before the event (a closing contact's wrap-up reasons
//! are still in its tab then).

use super::{live::Live, model::DesktopModel};
use crate::{
    domain::{
        gadget_api::{AttentionReason, ContactInfo, ContactStatus, DeskMessage, StateInfo},
        protocol::{AgentEvent, ContactView, OfferView},
        state::AgentStatus,
    },
    i18n::Locale,
};

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub fn state_info(status: &AgentStatus, locale: Locale) -> StateInfo {
    StateInfo {
        state: status.state,
        label: status.state.label(locale).to_string(),
        not_ready_pending: status.not_ready_pending,
        contacts_in_hand: status.contacts_in_hand,
    }
}

fn offered(offer: &OfferView) -> ContactInfo {
    ContactInfo {
        id: offer.contact,
        channel: offer.channel,
        csq: offer.csq.clone(),
        customer: offer.customer.name.clone(),
        topic: offer.problem.clone(),
        status: ContactStatus::Offered,
        unread: 0,
    }
}

fn active(view: &ContactView, unread: usize) -> ContactInfo {
    ContactInfo {
        id: view.contact,
        channel: view.channel,
        csq: view.csq.clone(),
        customer: view.customer.name.clone(),
        topic: view
            .email
            .as_ref()
            .map_or_else(|| view.problem.clone(), |e| e.subject.clone()),
        status: ContactStatus::Active,
        unread,
    }
}

/// Offers first, then the contacts in hand as their tabs are ordered.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub fn contacts(model: &DesktopModel) -> Vec<ContactInfo> {
    model
        .offers
        .iter()
        .map(offered)
        .chain(model.tabs.iter().map(|t| active(&t.view, t.unanswered())))
        .collect()
}

/// What a host hears of one event of the agent's stream, given the model before it.
/// State and unread changes are followed by their own effects (a snapshot changes them
/// too), so they are not here.
pub fn events_for(event: &AgentEvent, model: &DesktopModel) -> Vec<DeskMessage> {
    match event {
        AgentEvent::Offered { offer }
            if !model.offers.iter().any(|o| o.contact == offer.contact) =>
        {
            vec![
                DeskMessage::Offer {
                    contact: offered(offer),
                },
                DeskMessage::Attention {
                    reason: AttentionReason::Offer,
                },
            ]
        }
        AgentEvent::OfferWithdrawn { contact }
            if model.offers.iter().any(|o| o.contact == *contact) =>
        {
            vec![DeskMessage::Withdrawn { contact: *contact }]
        }
        AgentEvent::LeftChat { contact } if model.tab(*contact).is_some() => {
            vec![DeskMessage::Left { contact: *contact }]
        }
        AgentEvent::ContactAssigned { contact } if model.tab(contact.contact).is_none() => {
            vec![DeskMessage::Accepted {
                contact: active(contact, 0),
            }]
        }
        AgentEvent::ContactClosed { contact, reason } => {
            let Some(tab) = model.tab(*contact) else {
                return Vec::new();
            };
            let wrap_up = &tab.view.wrap_up;
            vec![DeskMessage::Ended {
                contact: *contact,
                reason: *reason,
                wrap_up: wrap_up
                    .offered
                    .iter()
                    .filter(|r| wrap_up.selected.contains(&r.id))
                    .map(|r| r.label.clone())
                    .collect(),
            }]
        }
        _ => Vec::new(),
    }
}

/// Starts answering a host when the page is framed by one (nothing otherwise).
pub fn connect(live: Live, hosts: Vec<String>) {
    #[cfg(feature = "hydrate")]
    bridge::start(live, hosts);
    #[cfg(not(feature = "hydrate"))]
    let _ = (live, hosts);
}

#[cfg(feature = "hydrate")]
mod bridge {
    use super::*;
    use crate::domain::gadget_api::{
        read_request, Envelope, ErrorCode, HostRequest, WantedState, API_VERSION,
    };
    use leptos::prelude::*;
    use std::{cell::RefCell, rc::Rc};
    use wasm_bindgen::{closure::Closure, JsCast, JsValue};

    /// Posts a message to one origin of the parent (dropped by the browser unless the
    /// parent's origin is that one).
    fn post(message: DeskMessage, origin: &str) {
        let Ok(json) = serde_json::to_string(&Envelope::new(message)) else {
            return;
        };
        let Ok(value) = js_sys::JSON::parse(&json) else {
            return;
        };
        if let Ok(Some(parent)) = window().parent() {
            let _ = parent.post_message(&value, origin);
        }
    }

    /// The page's height in CSS pixels.
    fn page_height() -> u32 {
        document()
            .document_element()
            .map_or(0, |e| u32::try_from(e.scroll_height()).unwrap_or(0))
    }

    fn framed() -> bool {
        match window().parent() {
            Ok(Some(parent)) => !JsValue::from(parent).eq(&JsValue::from(window())),
            _ => false,
        }
    }

    pub fn start(live: Live, hosts: Vec<String>) {
        if !framed() || hosts.is_empty() {
            return;
        }
        let locale = crate::i18n::use_i18n().get_locale_untracked();
        // The origins that subscribed: events go to them.
        let subscribers: Rc<RefCell<Vec<String>>> = Rc::default();
        let to_subscribers = {
            let subscribers = subscribers.clone();
            move |message: DeskMessage| {
                for origin in subscribers.borrow().iter() {
                    post(message.clone(), origin);
                }
            }
        };
        live.open_host_outbox();
        let announce_to = hosts.clone();

        let on_message = {
            let subscribers = subscribers.clone();
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
                let origin = event.origin();
                let data = js_sys::JSON::stringify(&event.data())
                    .ok()
                    .and_then(|s| s.as_string())
                    .and_then(|s| serde_json::from_str::<serde_json::Value>(&s).ok());
                // Other scripts' messages are none of ours.
                let Some(request) = data.as_ref().and_then(read_request) else {
                    return;
                };
                // Only the parent speaks for the host: a sibling frame or a popup is not
                // the host desktop, whatever its origin (and answers go to the parent).
                let from_parent = match (event.source(), window().parent()) {
                    (Some(source), Ok(Some(parent))) => {
                        JsValue::from(source) == JsValue::from(parent)
                    }
                    _ => false,
                };
                if !from_parent || !hosts.contains(&origin) {
                    leptos::logging::warn!(
                        "Switchboard: a message from {origin} was ignored: not an allowed host desktop"
                    );
                    return;
                }
                let subscribed = matches!(request, Ok(HostRequest::Subscribe { .. }));
                let answer = match request {
                    Err(error) => error,
                    Ok(request) => answer(live, locale, &request, &origin, &subscribers),
                };
                post(answer, &origin);
                if subscribed {
                    post(
                        DeskMessage::Resize {
                            height: page_height(),
                        },
                        &origin,
                    );
                }
            })
        };
        let _ = window()
            .add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
        on_message.forget();

        // Stream events, in order, as the page applied them.
        {
            let to_subscribers = to_subscribers.clone();
            Effect::new(move |_| {
                live.host_outbox_changed();
                for message in live.take_host_messages() {
                    to_subscribers(message);
                }
            });
        }
        // The state and the unread count, whatever changed them (an event, a snapshot).
        {
            let to_subscribers = to_subscribers.clone();
            Effect::new(move |previous: Option<AgentStatus>| {
                let status = live.status.get();
                if previous.is_some_and(|p| p != status) {
                    to_subscribers(DeskMessage::State {
                        id: None,
                        state: state_info(&status, locale),
                    });
                }
                status
            });
        }
        {
            let to_subscribers = to_subscribers.clone();
            Effect::new(move |previous: Option<usize>| {
                let count = live.model.with(|m| m.unread_elsewhere());
                if previous.is_some_and(|p| p != count) {
                    to_subscribers(DeskMessage::Unread { count });
                }
                count
            });
        }
        // The page's height, when it changes: the desktop fills its frame and asks for
        // more only when its content overflows (never less than its minimum).
        {
            let hosts_for_resize = subscribers.clone();
            Effect::new(move |previous: Option<u32>| {
                live.model.track();
                let height = page_height();
                if previous != Some(height) && height > 0 {
                    for origin in hosts_for_resize.borrow().iter() {
                        post(DeskMessage::Resize { height }, origin);
                    }
                }
                height
            });
        }
        // Announced to each allowed origin: only the parent's receives it.
        for origin in &announce_to {
            post(DeskMessage::Loaded, origin);
        }
    }

    fn answer(
        live: Live,
        locale: Locale,
        request: &HostRequest,
        origin: &str,
        subscribers: &Rc<RefCell<Vec<String>>>,
    ) -> DeskMessage {
        let id = request.id();
        let state = || DeskMessage::State {
            id,
            state: state_info(&live.status.get_untracked(), locale),
        };
        match request {
            HostRequest::Subscribe { .. } => {
                let mut list = subscribers.borrow_mut();
                if !list.iter().any(|o| o == origin) {
                    list.push(origin.to_string());
                }
                state()
            }
            HostRequest::GetState { .. } => state(),
            HostRequest::GetContacts { .. } => DeskMessage::Contacts {
                id,
                contacts: live.model.with_untracked(contacts),
            },
            HostRequest::SetState { state: wanted, .. } => {
                if live.logged_out() {
                    return DeskMessage::Error {
                        id,
                        code: ErrorCode::Unavailable,
                        message: "the agent is logged out".into(),
                        version: API_VERSION,
                    };
                }
                live.set_ready(*wanted == WantedState::Ready);
                DeskMessage::Done { id }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        contact::EndReason,
        csq::WrapUpReason,
        customer::Customer,
        ids::{ContactId, WrapUpReasonId},
        wrap_up::WrapUp,
    };

    fn view(id: i64) -> ContactView {
        ContactView {
            customer: Customer {
                name: "Zoé".into(),
                ..super::super::model::test_view(id, 0).customer
            },
            wrap_up: WrapUp {
                offered: vec![
                    WrapUpReason {
                        id: WrapUpReasonId(1),
                        label: "Resolved".into(),
                    },
                    WrapUpReason {
                        id: WrapUpReasonId(2),
                        label: "Escalated".into(),
                    },
                ],
                selected: Vec::new(),
            },
            ..super::super::model::test_view(id, 0)
        }
    }

    /// SPEC D-1: a host hears of an accepted contact once, and of its end with the wrap-up
    /// reasons the agent chose (by their labels), whatever the page did in between.
    #[test]
    fn a_host_hears_the_accept_and_the_end_with_its_wrap_up_reasons() {
        let mut model = DesktopModel::default();
        let assigned = AgentEvent::ContactAssigned { contact: view(7) };
        let told = events_for(&assigned, &model);
        assert!(matches!(
            told.as_slice(),
            [DeskMessage::Accepted { contact }] if contact.id == ContactId(7) && contact.customer == "Zoé"
        ));
        model.apply_event(assigned.clone());
        assert!(events_for(&assigned, &model).is_empty(), "told twice");
        model.apply_event(AgentEvent::WrapUpChanged {
            contact: ContactId(7),
            reasons: vec![WrapUpReasonId(2)],
        });
        let closed = AgentEvent::ContactClosed {
            contact: ContactId(7),
            reason: EndReason::EndedByAgent,
        };
        assert_eq!(
            events_for(&closed, &model),
            vec![DeskMessage::Ended {
                contact: ContactId(7),
                reason: EndReason::EndedByAgent,
                wrap_up: vec!["Escalated".into()],
            }]
        );
        assert_eq!(contacts(&model)[0].status, ContactStatus::Active);
        // Leaving a shared chat is not its end: the host hears which it is.
        assert_eq!(
            events_for(
                &AgentEvent::LeftChat {
                    contact: ContactId(7)
                },
                &model
            ),
            vec![DeskMessage::Left {
                contact: ContactId(7)
            }]
        );
    }
}
