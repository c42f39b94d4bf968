//! Issue 17 (K-4): business hours per CSQ, against the real server. Only administrators set
//! them, each problem named; outside them a chat's start is refused as `closed` with the
//! opening (in the queue's own time zone, past its holidays), the widget's form and the
//! launcher's availability say the same, and a queue without hours stays open.
//!
//! The hours are set around the real clock: every day of the week open, today and tomorrow
//! (on the queue's calendar) holidays, so the queue is closed now whatever the time, and
//! opens the day after tomorrow at 09:00 its time.

use crate::common;

use app::{
    api::QueuesView,
    domain::{
        agent::Role,
        hours::{BusinessHours, Holiday, OpenSpan},
        ids::CsqId,
        settings::ChatSettings,
        validate::{Field, Problem},
        widget::{WidgetAvailability, WidgetConfig},
    },
};
use common::{ok, refused, TestServer};
use serde_json::{json, Value};

async fn save_hours(
    server: &TestServer,
    cookie: &str,
    csq: CsqId,
    hours: Option<&BusinessHours>,
) -> reqwest::Response {
    server
        .post_json(
            "/api/admin/csq/hours",
            cookie,
            &json!({ "csq": csq, "hours": hours }),
        )
        .await
}

/// Today's date in a time zone, and the days after it, as `YYYY-MM-DD`; and the Unix ms of
/// 09:00 there, `days` after today.
fn calendar(zone: &str, days: i64) -> (String, i64) {
    let tz = jiff::tz::TimeZone::get(zone).unwrap();
    let today = jiff::Timestamp::now().to_zoned_datetime(tz.clone()).date();
    let day = today.checked_add(jiff::Span::new().days(days)).unwrap();
    let nine = tz
        .to_ambiguous_timestamp(day.at(9, 0, 0, 0))
        .compatible()
        .unwrap();
    (day.to_string(), nine.as_millisecond())
}

/// Every day 09:00 to 17:00 in `zone`, today and tomorrow there holidays.
fn closed_two_days(zone: &str) -> BusinessHours {
    let holiday = |days| Holiday {
        date: calendar(zone, days).0,
        name: String::new(),
    };
    BusinessHours {
        time_zone: zone.into(),
        week: std::array::from_fn(|_| {
            vec![OpenSpan {
                opens: 9 * 60,
                closes: 17 * 60,
            }]
        }),
        holidays: vec![holiday(0), holiday(1)],
    }
}

async fn start(server: &TestServer, problem: i64) -> reqwest::Response {
    reqwest::Client::new()
        .post(server.url("/widget/api/start"))
        .json(&json!({
            "name": "Zoe", "email": "zoe@example.com", "phone": "", "problem": problem
        }))
        .send()
        .await
        .unwrap()
}

/// Issue 17: agents and supervisors cannot set hours; an administrator's hours are checked
/// field by field (the time zone against the server's database), saved, shown on the page
/// with whether the queue is open now, and audited.
#[tokio::test]
async fn k4_business_hours_are_set_by_administrators_and_checked_by_field() {
    let server = TestServer::start().await;
    server.create_agent("ann", "agent-pass-1").await;
    server
        .create_user("root", "admin-pass-1", Role::Admin)
        .await;
    server.queue("Support", &[]).await;
    let support = server.services.store.csqs().await.unwrap()[0].id;
    let hours = closed_two_days("Asia/Tokyo");

    let agent = server.session("ann", "agent-pass-1").await;
    assert_eq!(
        save_hours(&server, &agent, support, Some(&hours))
            .await
            .status(),
        403
    );
    assert!(server
        .services
        .store
        .business_hours()
        .await
        .unwrap()
        .is_empty());

    let admin = server.session("root", "admin-pass-1").await;
    let mut bad = hours.clone();
    bad.time_zone = "Asia/Tokio".into();
    bad.week[2] = vec![OpenSpan {
        opens: 17 * 60,
        closes: 9 * 60,
    }];
    assert_eq!(
        refused(save_hours(&server, &admin, support, Some(&bad)).await).await,
        [(Field::OpeningHours(2), Problem::ClosesBeforeOpens)],
        "the page's own checks first"
    );
    bad.week[2] = hours.week[2].clone();
    assert_eq!(
        refused(save_hours(&server, &admin, support, Some(&bad)).await).await,
        [(
            Field::TimeZone,
            Problem::UnknownTimeZone {
                value: "Asia/Tokio".into()
            }
        )]
    );
    assert_eq!(
        refused(save_hours(&server, &admin, CsqId(999), Some(&hours)).await).await,
        [(Field::Csqs, Problem::UnknownId { id: 999 })]
    );

    let view: QueuesView = ok(save_hours(&server, &admin, support, Some(&hours)).await).await;
    assert_eq!(view.csqs[0].hours.as_ref(), Some(&hours));
    let (_, opens_ms) = calendar("Asia/Tokyo", 2);
    let expected_day = opens_ms.div_euclid(86_400_000);
    match view.hours_now.as_slice() {
        [(id, app::domain::hours::HoursNow::Closed { opens: Some(at) })] => {
            assert_eq!(*id, support);
            // 09:00 in Tokyo is 00:00 UTC the same day.
            assert_eq!((at.day, at.minute), (expected_day, 9 * 60));
        }
        other => panic!("closed until the day after tomorrow, not {other:?}"),
    }
    let (audit, _) = server
        .services
        .store
        .audit_page(server::store::audit::AuditQuery::default(), 0, 10)
        .await
        .unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.action == "csq.hours" && e.detail.contains("always open -> Asia/Tokyo")),
        "{audit:?}"
    );
}

/// Issue 17 (K-4): outside its business hours a queue's chat is refused as `closed` with
/// the opening; the form marks the problem closed with the same time, the launcher's
/// availability says closed (and hidden when the administrator asks), and a queue without
/// hours keeps taking chats. Hours cleared, the chat starts.
#[tokio::test]
async fn k4_outside_business_hours_a_chat_is_refused_with_the_opening() {
    let server = TestServer::start().await;
    let ann = server.create_agent("ann", "agent-pass-1").await;
    server
        .create_user("root", "admin-pass-1", Role::Admin)
        .await;
    let returns = server.queue("Returns", &[ann]).await;
    let csq = server.services.store.csqs().await.unwrap()[0].id;
    let admin = server.session("root", "admin-pass-1").await;
    let hours = closed_two_days("America/New_York");
    let _: QueuesView = ok(save_hours(&server, &admin, csq, Some(&hours)).await).await;
    let (_, opens_ms) = calendar("America/New_York", 2);

    let refusal = start(&server, returns).await;
    assert_eq!(refusal.status(), 503);
    let body: Value = refusal.json().await.unwrap();
    assert_eq!(body["error"], "closed", "{body}");
    assert_eq!(
        body["opens_at_ms"], opens_ms,
        "09:00 in New York, two days on"
    );
    assert!(
        body["message"].as_str().unwrap().contains("closed"),
        "{body}"
    );
    assert_eq!(
        server.services.store.waiting_chats(csq).await.unwrap(),
        0,
        "nothing waits"
    );

    let config = reqwest::get(server.url("/widget/api/config"))
        .await
        .unwrap();
    assert_eq!(config.headers()["cache-control"], "no-store");
    let config: WidgetConfig = config.json().await.unwrap();
    assert_eq!(config.problems.len(), 1);
    assert!(!config.problems[0].open);
    assert_eq!(config.problems[0].opens_at_ms, Some(opens_ms));

    let availability = || async {
        let answer = reqwest::get(server.url("/widget/api/availability"))
            .await
            .unwrap();
        assert_eq!(answer.headers()["access-control-allow-origin"], "*");
        answer.json::<WidgetAvailability>().await.unwrap()
    };
    assert_eq!(
        availability().await,
        WidgetAvailability {
            open: false,
            opens_at_ms: Some(opens_ms),
            hide_when_closed: false,
        }
    );
    server
        .set_chat_settings(ChatSettings {
            hide_launcher_when_closed: true,
            ..ChatSettings::default()
        })
        .await;
    assert!(availability().await.hide_when_closed);

    // Another queue, without hours: open, so the launcher shows and its chats start.
    let support = server.queue("Support", &[ann]).await;
    assert!(availability().await.open);
    assert_eq!(start(&server, support).await.status(), 200);

    // Hours cleared: the queue takes chats again.
    let _: QueuesView = ok(save_hours(&server, &admin, csq, None).await).await;
    assert_eq!(start(&server, returns).await.status(), 200);
}
