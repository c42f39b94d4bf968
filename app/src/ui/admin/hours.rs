//! Business hours (issue 17, K-4): when each queue takes chats. A table says each queue's
//! hours and whether it is open now; below it the hours of one queue are edited: always
//! open, or a time zone, a week of opening spans and holidays. Outside them the widget says
//! when the queue opens again and offers to leave a message. The page checks with the
//! shared rules as the administrator types; the server checks again (the time zone against
//! its database) and audits.

use super::{queue_select::QueueSelect, unsaved::Unsaved};
use crate::{
    api::{time_zones, ApiError, QueuesView, SaveBusinessHours},
    domain::{
        hours::{
            hh_mm, parse_hh_mm, weekday, weekday_name, BusinessHours, Holiday, HoursNow,
            LocalMoment, OpenSpan, DAY_MINUTES,
        },
        ids::CsqId,
        queues::CsqAdmin,
        time::{civil_date, clock},
        validate::{Field, FieldError, Problem},
    },
    i18n::*,
    ui::{desktop::clock::browser_time_zone, form::FormErrors},
};
use leptos::prelude::*;

/// "Monday–Friday 09:00 AM–05:00 PM; Saturday 10:00 AM–02:00 PM": the days open, runs of days with the
/// same spans together.
fn week_summary(locale: Locale, week: &[Vec<OpenSpan>; 7]) -> String {
    let mut parts = Vec::new();
    let mut day = 0;
    while day < 7 {
        let mut last = day;
        while last + 1 < 7 && week[last + 1] == week[day] {
            last += 1;
        }
        if !week[day].is_empty() {
            let days = if last == day {
                weekday_name(locale, day).to_string()
            } else {
                format!(
                    "{}–{}",
                    weekday_name(locale, day),
                    weekday_name(locale, last)
                )
            };
            let spans: Vec<String> = week[day]
                .iter()
                .map(|s| format!("{}–{}", at(locale, s.opens), at(locale, s.closes)))
                .collect();
            parts.push(format!("{days} {}", spans.join(", ")));
        }
        day = last + 1;
    }
    if parts.is_empty() {
        td_string!(locale, admin.hours.never_open).to_string()
    } else {
        parts.join("; ")
    }
}

/// A minute of the day as the language writes the time ("05:00 PM", "17:00").
fn at(locale: Locale, minute: u16) -> String {
    let minute = i64::from(minute % DAY_MINUTES);
    clock(locale, minute / 60, minute % 60, None)
}

/// "Monday 12/28/2026 at 09:00 AM" (English) or "lundi 28/12/2026 à 09:00" (French), on the
/// queue's own clock.
fn moment_text(locale: Locale, moment: LocalMoment) -> String {
    let (year, month, day) = civil_date(moment.day);
    let time = at(locale, moment.minute);
    let date = match locale {
        Locale::en => format!("{month:02}/{day:02}/{year}"),
        Locale::fr => format!("{day:02}/{month:02}/{year}"),
    };
    td_string!(
        locale,
        admin.hours.moment,
        day = weekday_name(locale, weekday(moment.day)),
        date = date.as_str(),
        time = time.as_str()
    )
    .to_string()
}

/// What the table says of a queue now.
fn now_text(locale: Locale, now: Option<HoursNow>) -> String {
    match now {
        None | Some(HoursNow::Open) => td_string!(locale, admin.hours.open_now).to_string(),
        Some(HoursNow::Closed { opens: None }) => {
            td_string!(locale, admin.hours.closed_now).to_string()
        }
        Some(HoursNow::Closed { opens: Some(at) }) => {
            let moment = moment_text(locale, at);
            td_string!(locale, admin.hours.closed_until, moment = moment.as_str()).to_string()
        }
    }
}

#[component]
pub fn HoursSection(view: RwSignal<QueuesView>) -> impl IntoView {
    let i18n = use_i18n();
    let zones = Resource::new(|| (), |_| time_zones());
    let first = view.with_untracked(|v| v.csqs.iter().find(|c| !c.retired).map(|c| c.id));
    let chosen = RwSignal::new(first);
    let csqs = StoredValue::new(view.with_untracked(|v| v.csqs.clone()));
    view! {
        <section class="card admin-section" aria-labelledby="hours-title">
            <h2 id="hours-title">{t!(i18n, admin.sections.hours)}</h2>
            <p class="muted">{t!(i18n, admin.hours.intro)}</p>
            <table class="users-list hours-list">
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, admin.hours.columns.queue)}</th>
                        <th scope="col">{t!(i18n, admin.hours.columns.hours)}</th>
                        <th scope="col">{t!(i18n, admin.hours.columns.now)}</th>
                    </tr>
                </thead>
                <tbody>
                    {move || {
                        let locale = i18n.get_locale();
                        view.with(|v| {
                            v.csqs.iter().filter(|c| !c.retired).map(|c| {
                                let now = v.hours_now.iter().find(|(id, _)| *id == c.id).map(|(_, n)| *n);
                                let hours = match &c.hours {
                                    None => td_string!(locale, admin.hours.always_open).to_string(),
                                    Some(h) => {
                                        let mut text = format!("{} · {}", week_summary(locale, &h.week), h.time_zone);
                                        if !h.holidays.is_empty() {
                                            text.push_str(" · ");
                                            text.push_str(&td_string!(locale, admin.hours.holiday_count, count = h.holidays.len()).to_string());
                                        }
                                        text
                                    }
                                };
                                let closed = matches!(now, Some(HoursNow::Closed { .. }));
                                view! {
                                    <tr>
                                        <th scope="row">{c.name.clone()}</th>
                                        <td>{hours}</td>
                                        <td class:closed-now=closed>{now_text(locale, now)}</td>
                                    </tr>
                                }
                            }).collect_view()
                        })
                    }}
                </tbody>
            </table>
            <QueueSelect id="hours-csq" label=move || t_string!(i18n, admin.hours.edit_queue).to_string()
                csqs kept=first value=chosen error=Signal::derive(|| None) />
            // One form per queue, the chosen one shown: changes to another queue's hours
            // stay while the administrator looks at this one.
            {csqs.get_value().into_iter().filter(|c| !c.retired).map(|csq| {
                let id = csq.id;
                view! {
                    <div hidden=move || chosen.get() != Some(id)>
                        <HoursEditor csq view />
                    </div>
                }
            }).collect_view()}
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let names = zones.await.unwrap_or_default();
                    view! {
                        <datalist id="hours-zones">
                            {names.into_iter().map(|n| view! { <option value=n></option> }).collect_view()}
                        </datalist>
                    }
                })}
            </Transition>
        </section>
    }
}

/// One opening span as typed ("09:00" to "17:00"; a close at "00:00" is midnight, the end
/// of the day).
#[derive(Debug, Clone, PartialEq)]
struct SpanText {
    key: u32,
    opens: String,
    closes: String,
}

#[derive(Debug, Clone, PartialEq)]
struct HolidayText {
    key: u32,
    date: String,
    name: String,
}

/// The form's state, as typed.
#[derive(Clone, Copy)]
struct Draft {
    csq: CsqId,
    limited: RwSignal<bool>,
    zone: RwSignal<String>,
    week: [RwSignal<Vec<SpanText>>; 7],
    holidays: RwSignal<Vec<HolidayText>>,
    keys: StoredValue<u32>,
}

impl Draft {
    fn new(csq: CsqId, hours: Option<&BusinessHours>) -> Self {
        let draft = Draft {
            csq,
            limited: RwSignal::new(hours.is_some()),
            zone: RwSignal::new(String::new()),
            week: std::array::from_fn(|_| RwSignal::new(Vec::new())),
            holidays: RwSignal::new(Vec::new()),
            keys: StoredValue::new(0),
        };
        draft.fill(&hours.cloned().unwrap_or_default());
        if hours.is_none() {
            draft.zone.set(String::new());
        }
        draft
    }

    fn key(self) -> u32 {
        self.keys.update_value(|k| *k += 1);
        self.keys.get_value()
    }

    /// The form showing `hours`.
    fn fill(self, hours: &BusinessHours) {
        self.zone.set(hours.time_zone.clone());
        for (day, spans) in hours.week.iter().enumerate() {
            let typed = spans
                .iter()
                .map(|s| SpanText {
                    key: self.key(),
                    opens: hh_mm(s.opens),
                    closes: if s.closes == DAY_MINUTES {
                        "00:00".into()
                    } else {
                        hh_mm(s.closes)
                    },
                })
                .collect();
            self.week[day].set(typed);
        }
        let holidays = hours
            .holidays
            .iter()
            .map(|h| HolidayText {
                key: self.key(),
                date: h.date.clone(),
                name: h.name.clone(),
            })
            .collect();
        self.holidays.set(holidays);
    }

    /// The hours typed (none: always open), or every problem with them.
    fn read(self) -> Result<Option<BusinessHours>, Vec<FieldError>> {
        if !self.limited.get() {
            return Ok(None);
        }
        let mut errors = Vec::new();
        let week: [Vec<OpenSpan>; 7] = std::array::from_fn(|day| {
            self.week[day].with(|spans| {
                spans
                    .iter()
                    .filter_map(|s| {
                        let opens = parse_hh_mm(&s.opens);
                        let closes =
                            parse_hh_mm(&s.closes).map(|m| if m == 0 { DAY_MINUTES } else { m });
                        match (opens, closes) {
                            (Some(opens), Some(closes)) => Some(OpenSpan { opens, closes }),
                            _ => {
                                let problem =
                                    if s.opens.trim().is_empty() || s.closes.trim().is_empty() {
                                        Problem::Required
                                    } else {
                                        Problem::NotLike {
                                            example: "09:00".into(),
                                        }
                                    };
                                errors.push(FieldError::new(Field::OpeningHours(day), problem));
                                None
                            }
                        }
                    })
                    .collect()
            })
        });
        let hours = BusinessHours {
            time_zone: self.zone.get(),
            week,
            holidays: self.holidays.with(|list| {
                list.iter()
                    .map(|h| Holiday {
                        date: h.date.clone(),
                        name: h.name.clone(),
                    })
                    .collect()
            }),
        };
        let unreadable: Vec<Field> = errors.iter().map(|e| e.field.clone()).collect();
        if let Err(more) = hours.validate() {
            errors.extend(more.into_iter().filter(|e| !unreadable.contains(&e.field)));
        }
        if errors.is_empty() {
            Ok(Some(hours.normalized()))
        } else {
            Err(errors)
        }
    }
}

#[component]
fn HoursEditor(csq: CsqAdmin, view: RwSignal<QueuesView>) -> impl IntoView {
    let i18n = use_i18n();
    let id: CsqId = csq.id;
    let stored = RwSignal::new(csq.hours.clone());
    let draft = Draft::new(id, csq.hours.as_ref());
    let save = ServerAction::<SaveBusinessHours>::new();
    let local = Memo::new(move |_| draft.read().err().unwrap_or_default());
    let errors = FormErrors::new(local, save.value(), move || {
        let _ = draft.read();
    });
    let dirty = Memo::new(move |_| draft.read().map_or(true, |typed| typed != stored.get()));
    Unsaved::track(format!("hours-{}", id.0), dirty.into());
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            let now = saved
                .csqs
                .iter()
                .find(|c| c.id == id)
                .and_then(|c| c.hours.clone());
            stored.set(now);
            view.set(saved);
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if !errors.submit() {
            return;
        }
        if let Ok(hours) = draft.read() {
            save.dispatch(SaveBusinessHours { csq: id, hours });
        }
    };
    let set_limited = move |limited: bool| {
        if limited && draft.zone.with(String::is_empty) {
            draft.zone.set(browser_time_zone());
        }
        draft.limited.set(limited);
    };
    let status = move || {
        if save.pending().get() {
            return ("status", t_string!(i18n, admin.hours.saving).to_string());
        }
        let count = local.with(Vec::len);
        if errors.tried.get() && count > 0 {
            return (
                "status error",
                t_string!(i18n, admin.hours.not_saved_fields, count).to_string(),
            );
        }
        match save.value().get() {
            Some(Ok(_)) if !dirty.get() => (
                "status saved",
                t_string!(i18n, admin.hours.saved).to_string(),
            ),
            Some(Err(ApiError::Invalid(e))) => (
                "status error",
                t_string!(i18n, admin.hours.not_saved_fields, count = e.len()).to_string(),
            ),
            Some(Err(e)) => ("status error", e.message(i18n.get_locale_untracked())),
            _ => ("status", String::new()),
        }
    };
    let name = csq.name.clone();
    let legend = move || t_string!(i18n, admin.hours.hours_of, name = &name).to_string();
    let zone_error = errors.of(Field::TimeZone);
    let mode = format!("hours-mode-{}", id.0);
    let zone_id = format!("hours-zone-{}", id.0);
    let zone_hint = format!("{zone_id}-hint");
    let zone_error_id = format!("{zone_id}-error");
    view! {
        <form class="hours-editor" on:submit=on_submit novalidate>
            <fieldset>
                <legend>{legend}</legend>
                <div class="hours-mode" role="radiogroup">
                    <label class="check">
                        <input type="radio" name=mode.clone() prop:checked=move || !draft.limited.get()
                            on:change=move |_| set_limited(false) />
                        {t!(i18n, admin.hours.always_open)}
                    </label>
                    <label class="check">
                        <input type="radio" name=mode prop:checked=move || draft.limited.get()
                            on:change=move |_| set_limited(true) />
                        {t!(i18n, admin.hours.set_hours)}
                    </label>
                </div>
                <Show when=move || draft.limited.get()>
                    <div class="field">
                        <label for=zone_id.clone()>{t!(i18n, admin.hours.time_zone)}</label>
                        <input id=zone_id.clone() list="hours-zones" autocomplete="off" spellcheck="false"
                            aria-invalid=move || zone_error.get().is_some().to_string()
                            aria-describedby=format!("{zone_hint} {zone_error_id}")
                            prop:value=move || draft.zone.get()
                            on:input=move |ev| draft.zone.set(event_target_value(&ev)) />
                        <span class="hint" id=zone_hint.clone()>{t!(i18n, admin.hours.time_zone_hint)}</span>
                        <span class="field-error" id=zone_error_id.clone()>{move || zone_error.get()}</span>
                    </div>
                    <div class="hours-week">
                        <p class="hint">{t!(i18n, admin.hours.week_hint)}</p>
                        {(0..7).map(|day| view! { <DayRow csq=id day draft errors /> }).collect_view()}
                        <button type="button" class="quiet" on:click=move |_| {
                            let monday = draft.week[0].get();
                            for d in 1..5 {
                                let copy = monday.iter().map(|s| SpanText { key: draft.key(), ..s.clone() }).collect();
                                draft.week[d].set(copy);
                            }
                        }>{t!(i18n, admin.hours.copy_monday)}</button>
                    </div>
                    <HolidayList draft errors />
                </Show>
            </fieldset>
            <div class="form-actions">
                <button class="primary" type="submit" disabled=move || save.pending().get()>
                    {t!(i18n, admin.hours.save)}
                </button>
                <p class=move || status().0 role="status" aria-live="polite">{move || status().1}</p>
            </div>
        </form>
    }
}

/// One day of the week: its spans, each removable, and one more added.
#[component]
fn DayRow(csq: CsqId, day: usize, draft: Draft, errors: FormErrors) -> impl IntoView {
    let i18n = use_i18n();
    let spans = draft.week[day];
    let day_name = move || weekday_name(i18n.get_locale(), day).to_string();
    let error = errors.of(Field::OpeningHours(day));
    let error_id = format!("hours-{}-day-{day}-error", csq.0);
    let described_by = error_id.clone();
    let label_id = format!("hours-{}-day-{day}", csq.0);
    let labelled_by = label_id.clone();
    view! {
        <div class="hours-day" role="group" aria-labelledby=labelled_by aria-describedby=described_by>
            <span class="day-name" id=label_id>{day_name}</span>
            <div class="spans">
                <For each=move || spans.get() key=|s| s.key let:span>
                    {
                        let key = span.key;
                        let edit = move |f: fn(&mut SpanText, String), value: String| {
                            spans.update(|list| {
                                if let Some(s) = list.iter_mut().find(|s| s.key == key) {
                                    f(s, value);
                                }
                            });
                        };
                        view! {
                            <span class="span">
                                <input type="time" value=span.opens.clone()
                                    aria-label=move || t_string!(i18n, admin.hours.opens_on, day = day_name()).to_string()
                                    aria-invalid=move || error.get().is_some().to_string()
                                    on:input=move |ev| edit(|s, v| s.opens = v, event_target_value(&ev)) />
                                "–"
                                <input type="time" value=span.closes.clone()
                                    aria-label=move || t_string!(i18n, admin.hours.closes_on, day = day_name()).to_string()
                                    aria-invalid=move || error.get().is_some().to_string()
                                    on:input=move |ev| edit(|s, v| s.closes = v, event_target_value(&ev)) />
                                <button type="button" class="chip-remove"
                                    aria-label=move || t_string!(i18n, admin.hours.remove_span, day = day_name()).to_string()
                                    on:click=move |_| spans.update(|list| list.retain(|s| s.key != key))>
                                    "×"
                                </button>
                            </span>
                        }
                    }
                </For>
                {move || spans.with(Vec::is_empty).then(|| view! {
                    <span class="muted">{t!(i18n, admin.hours.closed_all_day)}</span>
                })}
                <button type="button" class="quiet"
                    aria-label=move || t_string!(i18n, admin.hours.add_span_on, day = day_name()).to_string()
                    on:click=move |_| {
                        let key = draft.key();
                        spans.update(|list| {
                            // After the last span, or the usual day for the first.
                            let (opens, closes) = match list.last() {
                                Some(last) => (last.closes.clone(), String::new()),
                                None => ("09:00".to_string(), "17:00".to_string()),
                            };
                            list.push(SpanText { key, opens, closes });
                        });
                    }>
                    {t!(i18n, admin.hours.add_span)}
                </button>
            </div>
            <span class="field-error" id=error_id>{move || error.get()}</span>
        </div>
    }
}

/// The holidays: a date and a name each, removable, and one more added.
#[component]
fn HolidayList(draft: Draft, errors: FormErrors) -> impl IntoView {
    let i18n = use_i18n();
    let holidays = draft.holidays;
    let list_error = errors.of(Field::Holidays);
    let numbered = move || holidays.get().into_iter().enumerate().collect::<Vec<_>>();
    view! {
        <div class="hours-holidays">
            <h3>{t!(i18n, admin.hours.holidays)}</h3>
            <p class="hint">{t!(i18n, admin.hours.holidays_hint)}</p>
            <ul>
                <For each=numbered key=|(n, h)| (*n, h.key) let:item>
                    {
                        let (n, holiday) = item;
                        let key = holiday.key;
                        let error = errors.of(Field::Holiday(n + 1));
                        let edit = move |f: fn(&mut HolidayText, String), value: String| {
                            holidays.update(|list| {
                                if let Some(h) = list.iter_mut().find(|h| h.key == key) {
                                    f(h, value);
                                }
                            });
                        };
                        let error_id = format!("hours-{}-holiday-{key}-error", draft.csq.0);
                        view! {
                            <li class="holiday">
                                <input type="date" value=holiday.date.clone()
                                    aria-label=move || t_string!(i18n, admin.hours.holiday_date, n = n + 1).to_string()
                                    aria-invalid=move || error.get().is_some().to_string()
                                    aria-describedby=error_id.clone()
                                    on:input=move |ev| edit(|h, v| h.date = v, event_target_value(&ev)) />
                                <input type="text" value=holiday.name.clone()
                                    placeholder=move || t_string!(i18n, admin.hours.holiday_name_placeholder)
                                    aria-label=move || t_string!(i18n, admin.hours.holiday_name, n = n + 1).to_string()
                                    on:input=move |ev| edit(|h, v| h.name = v, event_target_value(&ev)) />
                                <button type="button" class="chip-remove"
                                    aria-label=move || t_string!(i18n, admin.hours.remove_holiday, n = n + 1).to_string()
                                    on:click=move |_| holidays.update(|list| list.retain(|h| h.key != key))>
                                    "×"
                                </button>
                                <span class="field-error" id=error_id>{move || error.get()}</span>
                            </li>
                        }
                    }
                </For>
            </ul>
            <button type="button" class="quiet" on:click=move |_| {
                let key = draft.key();
                holidays.update(|list| list.push(HolidayText { key, date: String::new(), name: String::new() }));
            }>{t!(i18n, admin.hours.add_holiday)}</button>
            <span class="field-error">{move || list_error.get()}</span>
        </div>
    }
}
