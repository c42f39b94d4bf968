//! A report's table, shown and downloaded from the same cells: what the CSV holds is what
//! the page says, in the page's language (the days written 2026-12-07 in both).

use super::charts::{Bar, BarChart};
use crate::{
    domain::{
        limits::REPORT_WAIT_BARS_SECS,
        reports::{csv, csv_href, duration, iso_day, short_day, Report, Spread, Volume},
        time::clock,
    },
    i18n::*,
};
use leptos::prelude::*;

/// A titled table: its header and rows of text, the first cell of each row its heading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub title: String,
    /// The file's name, without ".csv".
    pub file: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

#[component]
pub fn ReportTable(table: Table, empty: String) -> impl IntoView {
    let i18n = use_i18n();
    let href = csv_href(&csv(&table.header, &table.rows));
    let file = format!("{}.csv", table.file);
    let id = format!("table-{}", table.file);
    let labelled_by = id.clone();
    let label = t_string!(
        i18n,
        supervisor.reports.download_label,
        table = table.title.clone()
    )
    .to_string();
    let none = table.rows.is_empty();
    view! {
        <section class="card admin-section report-table" aria-labelledby=labelled_by>
            <div class="section-head">
                <h2 id=id class="section-title">{table.title.clone()}</h2>
                <a class="button" href=href download=file aria-label=label>
                    {t!(i18n, supervisor.reports.download)}
                </a>
            </div>
            {if none {
                view! { <p class="muted">{empty}</p> }.into_any()
            } else {
                view! {
                    <div class="table-scroll">
                        <table class="figures">
                            <thead>
                                <tr>
                                    {table.header.iter().map(|h| view! { <th scope="col">{h.clone()}</th> }).collect_view()}
                                </tr>
                            </thead>
                            <tbody>
                                {table.rows.into_iter().map(|row| {
                                    let mut cells = row.into_iter();
                                    let head = cells.next().unwrap_or_default();
                                    view! {
                                        <tr>
                                            <th scope="row">{head}</th>
                                            {cells.map(|c| view! { <td>{c}</td> }).collect_view()}
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}

/// A volume's figures, labelled, in the order of every table.
pub fn totals(locale: Locale, v: &Volume) -> Vec<(&'static str, u32)> {
    vec![
        (
            td_string!(locale, supervisor.reports.totals.came_in),
            v.came_in,
        ),
        (
            td_string!(locale, supervisor.reports.totals.offered),
            v.offered,
        ),
        (
            td_string!(locale, supervisor.reports.totals.not_accepted),
            v.not_accepted,
        ),
        (
            td_string!(locale, supervisor.reports.totals.handled),
            v.handled,
        ),
        (
            td_string!(locale, supervisor.reports.totals.abandoned),
            v.abandoned,
        ),
        (
            td_string!(locale, supervisor.reports.totals.transferred),
            v.transferred,
        ),
        (
            td_string!(locale, supervisor.reports.totals.requeued),
            v.requeued,
        ),
    ]
}

/// A volume table: a row per `(heading, volume)`.
fn volume_table(
    locale: Locale,
    title: String,
    file: &str,
    first: &str,
    rows: impl Iterator<Item = (String, Volume)>,
) -> Table {
    let mut header = vec![first.to_string()];
    header.extend(
        totals(locale, &Volume::default())
            .into_iter()
            .map(|(l, _)| l.to_string()),
    );
    Table {
        title,
        file: file.to_string(),
        header,
        rows: rows
            .map(|(head, v)| {
                std::iter::once(head)
                    .chain(totals(locale, &v).into_iter().map(|(_, n)| n.to_string()))
                    .collect()
            })
            .collect(),
    }
}

/// "—" for a figure without contacts.
fn maybe(ms: Option<i64>) -> String {
    ms.map_or_else(|| "—".to_string(), duration)
}

/// The waits chart's bar labels: "< 10 s", "10–20 s", …, "≥ 5 min".
pub fn wait_bar_labels() -> Vec<String> {
    let said = |secs: i64| {
        if secs < 60 {
            format!("{secs} s")
        } else {
            format!("{} min", secs / 60)
        }
    };
    let bounds = REPORT_WAIT_BARS_SECS;
    let mut labels = vec![format!("< {}", said(bounds[0]))];
    for pair in bounds.windows(2) {
        let (low, high) = (pair[0], pair[1]);
        labels.push(if high <= 60 {
            format!("{low}–{high} s")
        } else if low % 60 == 0 {
            format!("{}–{} min", low / 60, high / 60)
        } else {
            format!("{}–{}", said(low), said(high))
        });
    }
    labels.push(format!("≥ {}", said(bounds[bounds.len() - 1])));
    labels
}

/// The charts: contacts per day and per hour (handled and abandoned), and the waits.
pub fn charts(locale: Locale, report: &Report) -> impl IntoView {
    let series = vec![
        td_string!(locale, supervisor.reports.charts.handled).to_string(),
        td_string!(locale, supervisor.reports.charts.abandoned).to_string(),
    ];
    let empty = td_string!(locale, supervisor.reports.charts.none).to_string();
    let days: Vec<Bar> = report
        .by_day
        .iter()
        .map(|(day, v)| Bar {
            label: short_day(locale, *day),
            values: vec![v.handled, v.abandoned],
        })
        .collect();
    let hours: Vec<Bar> = report
        .by_hour
        .iter()
        .enumerate()
        .map(|(h, v)| Bar {
            label: h.to_string(),
            values: vec![v.handled, v.abandoned],
        })
        .collect();
    let waits: Vec<Bar> = wait_bar_labels()
        .into_iter()
        .zip(&report.wait_bars)
        .map(|(label, n)| Bar {
            label,
            values: vec![*n],
        })
        .collect();
    view! {
        <BarChart title=td_string!(locale, supervisor.reports.charts.by_day).to_string()
            series=series.clone() bars=days empty=empty.clone() />
        <BarChart title=td_string!(locale, supervisor.reports.charts.by_hour).to_string()
            series bars=hours empty=empty.clone() />
        <BarChart title=td_string!(locale, supervisor.reports.charts.waits).to_string()
            series=vec![td_string!(locale, supervisor.reports.charts.taken).to_string()]
            bars=waits empty />
    }
}

/// Every table of a report, each with what it says when it has no row.
pub fn tables(locale: Locale, report: &Report) -> Vec<(Table, String)> {
    let col = |text: &str| text.to_string();
    let by_day = volume_table(
        locale,
        td_string!(locale, supervisor.reports.tables.by_day).to_string(),
        "volume-per-day",
        td_string!(locale, supervisor.reports.columns.day),
        report.by_day.iter().map(|(d, v)| (iso_day(*d), *v)),
    );
    let by_hour = volume_table(
        locale,
        td_string!(locale, supervisor.reports.tables.by_hour).to_string(),
        "volume-per-hour",
        td_string!(locale, supervisor.reports.columns.hour),
        // The hours something happened in (the chart shows the whole day).
        report
            .by_hour
            .iter()
            .enumerate()
            .filter(|(_, v)| **v != Volume::default())
            .map(|(h, v)| (clock(locale, h as i64, 0, None), *v)),
    );
    let by_channel = volume_table(
        locale,
        td_string!(locale, supervisor.reports.tables.by_channel).to_string(),
        "volume-per-channel",
        td_string!(locale, supervisor.reports.columns.channel),
        report
            .by_channel
            .iter()
            .map(|(c, v)| (c.label(locale).to_string(), *v)),
    );
    let t = &report.times;
    let spread = |label: &str, s: &Spread| {
        vec![
            col(label),
            s.count.to_string(),
            maybe(s.average_ms),
            maybe(s.p90_ms),
        ]
    };
    let times = Table {
        title: td_string!(locale, supervisor.reports.tables.times).to_string(),
        file: "times".into(),
        header: vec![
            col(td_string!(locale, supervisor.reports.columns.measure)),
            col(td_string!(locale, supervisor.reports.columns.contacts)),
            col(td_string!(locale, supervisor.reports.columns.average)),
            col(td_string!(locale, supervisor.reports.columns.p90)),
        ],
        rows: vec![
            spread(td_string!(locale, supervisor.reports.times.wait), &t.wait),
            spread(
                td_string!(locale, supervisor.reports.times.abandoned_after),
                &t.abandoned_after,
            ),
            spread(
                td_string!(locale, supervisor.reports.times.first_response),
                &t.first_response,
            ),
            spread(
                td_string!(locale, supervisor.reports.times.handle),
                &t.handle,
            ),
            spread(
                td_string!(locale, supervisor.reports.times.email_first_reply),
                &t.email_first_reply,
            ),
            spread(
                td_string!(locale, supervisor.reports.times.email_sent),
                &t.email_sent,
            ),
        ],
    };
    let wrap_up = Table {
        title: td_string!(locale, supervisor.reports.tables.wrap_up).to_string(),
        file: "wrap-up-reasons".into(),
        header: vec![
            col(td_string!(locale, supervisor.reports.columns.reason)),
            col(td_string!(locale, supervisor.reports.columns.count)),
        ],
        rows: report
            .wrap_up
            .iter()
            .map(|(label, n)| vec![label.clone(), n.to_string()])
            .collect(),
    };
    let agents = Table {
        title: td_string!(locale, supervisor.reports.tables.agents).to_string(),
        file: "agents".into(),
        header: vec![
            col(td_string!(locale, supervisor.reports.columns.agent)),
            col(td_string!(locale, supervisor.reports.columns.ready)),
            col(td_string!(locale, supervisor.reports.columns.not_ready)),
            col(td_string!(locale, supervisor.reports.columns.reserved)),
            col(td_string!(locale, supervisor.reports.totals.offered)),
            col(td_string!(locale, supervisor.reports.totals.not_accepted)),
            col(td_string!(locale, supervisor.reports.totals.handled)),
            col(td_string!(locale, supervisor.reports.columns.handle_time)),
        ],
        rows: report
            .agents
            .iter()
            .map(|a| {
                vec![
                    a.name.clone(),
                    duration(a.ready_ms),
                    duration(a.not_ready_ms),
                    duration(a.reserved_ms),
                    a.offered.to_string(),
                    a.not_accepted.to_string(),
                    a.handled.to_string(),
                    maybe(a.handle.average_ms),
                ]
            })
            .collect(),
    };
    vec![
        (by_day, String::new()),
        (
            by_hour,
            td_string!(locale, supervisor.reports.none).to_string(),
        ),
        (
            by_channel,
            td_string!(locale, supervisor.reports.none).to_string(),
        ),
        (times, String::new()),
        (
            wrap_up,
            td_string!(locale, supervisor.reports.no_wrap_up).to_string(),
        ),
        (
            agents,
            td_string!(locale, supervisor.reports.no_agents).to_string(),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_bars_read_as_ranges() {
        assert_eq!(
            wait_bar_labels(),
            [
                "< 10 s",
                "10–20 s",
                "20–30 s",
                "30–60 s",
                "1–2 min",
                "2–5 min",
                "≥ 5 min"
            ]
        );
    }
}
