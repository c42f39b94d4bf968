//! The shapes of Meta's documented posts (`server/tests/fixtures/meta`), read.

use super::*;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/meta/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(path).unwrap()
}

fn customer(id: &str) -> Customer {
    Customer {
        id: id.into(),
        phone: None,
        name: None,
    }
}

#[test]
fn a_messenger_text_is_a_message_from_the_psid_to_the_page() {
    let events = read(MetaChannel::Messenger, &fixture("messenger_text.json")).unwrap();
    assert_eq!(
        events,
        [Inbound::Message(InboundMessage {
            id: "m_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P".into(),
            account: "1234567890".into(),
            customer: customer("7012345678901234"),
            at_ms: 1_764_940_000_000,
            reply_to: None,
            parts: vec![Part::Text("Bonjour, ma commande n'est pas arrivée".into())],
        })]
    );
}

#[test]
fn messenger_attachments_quick_replies_echoes_deliveries_reads_and_postbacks() {
    let events = read(MetaChannel::Messenger, &fixture("messenger_mixed.json")).unwrap();
    // An opt-in without a sender and an event without its recipient are skipped; the
    // others are kept.
    assert_eq!(events.len(), 7);
    let Inbound::Message(attachments) = &events[0] else {
        panic!("{:?}", events[0]);
    };
    assert_eq!(
        attachments.parts,
        [
            Part::Media(Media {
                kind: MediaKind::Image,
                source: MediaSource::Url(
                    "https://scontent.xx.fbcdn.net/v/t1.15752-9/parcel.jpg".into()
                ),
                caption: None,
                file_name: None,
                mime_type: None,
            }),
            Part::Media(Media {
                kind: MediaKind::File,
                source: MediaSource::Url("https://cdn.fbsbx.com/v/t59.2708-21/invoice.pdf".into()),
                caption: None,
                file_name: None,
                mime_type: None,
            }),
            Part::Unsupported {
                kind: "fallback".into()
            },
        ]
    );
    let Inbound::Message(quick) = &events[1] else {
        panic!("{:?}", events[1]);
    };
    assert_eq!(
        (quick.parts.as_slice(), quick.reply_to.as_deref()),
        (
            [Part::Choice {
                title: "Track my parcel".into(),
                payload: "TRACK".into()
            }]
            .as_slice(),
            Some("m_business_1")
        )
    );
    assert_eq!(
        events[2],
        Inbound::Echo {
            id: "m_echo_ours".into(),
            customer: "7012345678901234".into(),
            app_id: Some("1517776481860111".into()),
            metadata: Some("switchboard".into()),
            at_ms: 1_764_940_102_000,
            parts: vec![Part::Text("It left our warehouse yesterday.".into())],
        }
    );
    assert!(matches!(
        &events[3],
        Inbound::Echo { app_id: Some(app), metadata: None, id, .. }
            if id == "m_echo_inbox" && app == "263902037430900"
    ));
    assert_eq!(
        events[4],
        Inbound::Delivered {
            customer: "7012345678901234".into(),
            ids: vec!["m_echo_ours".into()],
            watermark_ms: 1_764_940_102_500,
        }
    );
    assert_eq!(
        events[5],
        Inbound::Read {
            customer: "7012345678901234".into(),
            watermark_ms: 1_764_940_103_500,
        }
    );
    assert_eq!(
        events[6],
        Inbound::Message(InboundMessage {
            id: "m_postback_1".into(),
            account: "1234567890".into(),
            customer: customer("7012345678901234"),
            at_ms: 1_764_940_107_000,
            reply_to: None,
            parts: vec![Part::Choice {
                title: "Talk to a person".into(),
                payload: "HUMAN".into()
            }],
        })
    );
}

#[test]
fn a_whatsapp_text_carries_the_profile_name_and_number() {
    let events = read(MetaChannel::WhatsApp, &fixture("whatsapp_text.json")).unwrap();
    assert_eq!(
        events,
        [Inbound::Message(InboundMessage {
            id: "wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=".into(),
            account: "106540352242922".into(),
            customer: Customer {
                id: "16505551234".into(),
                phone: Some("16505551234".into()),
                name: Some("Sheena Nelson".into()),
            },
            at_ms: 1_749_416_383_000,
            reply_to: None,
            parts: vec![Part::Text("Does it come in another color?".into())],
        })]
    );
}

#[test]
fn whatsapp_media_choices_locations_and_a_customer_without_a_number() {
    let events = read(MetaChannel::WhatsApp, &fixture("whatsapp_mixed.json")).unwrap();
    let messages: Vec<&InboundMessage> = events
        .iter()
        .filter_map(|e| match e {
            Inbound::Message(m) => Some(m),
            _ => None,
        })
        .collect();
    assert_eq!(messages.len(), 5, "the message without an id is skipped");
    assert_eq!(messages[0].reply_to.as_deref(), Some("wamid.business1"));
    assert_eq!(
        messages[0].parts,
        [Part::Media(Media {
            kind: MediaKind::Image,
            source: MediaSource::MediaId("1003383421387256".into()),
            caption: Some("The box".into()),
            file_name: None,
            mime_type: Some("image/jpeg".into()),
        })]
    );
    assert!(matches!(
        &messages[1].parts[0],
        Part::Media(Media { kind: MediaKind::File, file_name: Some(name), .. }) if name == "receipt.pdf"
    ));
    assert_eq!(
        messages[2].customer,
        Customer {
            id: "US.13491208655302741918".into(),
            phone: None,
            name: Some("Private Pat".into()),
        },
        "a business-scoped user id, no phone number"
    );
    assert_eq!(
        messages[2].parts,
        [Part::Choice {
            title: "Refund".into(),
            payload: "refund".into()
        }]
    );
    assert_eq!(
        messages[3].parts,
        [Part::Location {
            latitude: 48.8566,
            longitude: 2.3522,
            name: Some("Shop".into()),
            address: Some("1 rue de Rivoli".into()),
        }]
    );
    assert_eq!(
        messages[4].parts,
        [Part::Unsupported {
            kind: "reaction".into()
        }]
    );
}

#[test]
fn whatsapp_statuses_keep_their_times_and_errors_and_skip_what_we_do_not_show() {
    let events = read(MetaChannel::WhatsApp, &fixture("whatsapp_mixed.json")).unwrap();
    let statuses: Vec<&Inbound> = events
        .iter()
        .filter(|e| matches!(e, Inbound::Status { .. }))
        .collect();
    assert_eq!(statuses.len(), 3, "\"played\" is not shown");
    assert_eq!(
        *statuses[0],
        Inbound::Status {
            id: "wamid.business2".into(),
            customer: "16505551234".into(),
            status: DeliveryStatus::Delivered,
            at_ms: 1_749_416_510_000,
            errors: vec![],
        }
    );
    // Listed after "delivered", but earlier: the times tell the order.
    assert!(matches!(
        statuses[1],
        Inbound::Status {
            status: DeliveryStatus::Sent,
            at_ms: 1_749_416_505_000,
            ..
        }
    ));
    let Inbound::Status { status, errors, .. } = statuses[2] else {
        unreachable!()
    };
    assert_eq!(*status, DeliveryStatus::Failed);
    assert_eq!(errors[0].code, 131_047);
    assert_eq!(errors[0].title, "Re-engagement message");
    assert!(errors[0]
        .details
        .as_deref()
        .is_some_and(|d| d.contains("more than 24 hours")));
}

#[test]
fn a_post_of_another_shape_or_channel_is_refused_by_name() {
    let messenger = fixture("messenger_text.json");
    let error = read(MetaChannel::WhatsApp, &messenger).unwrap_err();
    assert_eq!(
        error.to_string(),
        "not a whatsapp webhook post: object \"page\""
    );
    assert!(read(MetaChannel::Messenger, b"not json").is_err());
    assert!(
        read(MetaChannel::Messenger, br#"{"entry":[]}"#).is_err(),
        "no object"
    );
    assert_eq!(
        read(MetaChannel::Messenger, br#"{"object":"page","entry":[]}"#).unwrap(),
        []
    );
}
