//! The reports' charts, drawn as SVG in the page (no chart library in the WebAssembly): bars,
//! stacked when there are several series, a scale from zero with its top and middle, and
//! each bar's figures in its tooltip.

use leptos::prelude::*;

/// One bar: its label on the axis and a value per series.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bar {
    pub label: String,
    pub values: Vec<u32>,
}

/// The chart's drawing box, in SVG units (the page scales it to its width, keeping its
/// shape, so the text stays text).
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 40.0;
const BOTTOM: f64 = 24.0;
const TOP: f64 = 10.0;
/// Labels shown on the axis at most (every n-th bar's when there are more).
const MAX_LABELS: usize = 16;

/// A round scale's top at or above `max`: 1, 2 or 5 times a power of ten.
pub fn scale_top(max: u32) -> u32 {
    let mut step = 1u32;
    loop {
        for m in [1, 2, 5] {
            if let Some(top) = step.checked_mul(m) {
                if top >= max {
                    return top.max(1);
                }
            }
        }
        match step.checked_mul(10) {
            Some(next) => step = next,
            None => return u32::MAX,
        }
    }
}

/// A bar chart titled `title` (its accessible name), the series named by `series` (each
/// drawn with the CSS class `series-<n>`), or `empty` when every bar is zero.
#[component]
pub fn BarChart(
    title: String,
    series: Vec<String>,
    bars: Vec<Bar>,
    empty: String,
) -> impl IntoView {
    let max = bars
        .iter()
        .map(|b| b.values.iter().sum::<u32>())
        .max()
        .unwrap_or(0);
    if max == 0 {
        return view! {
            <figure class="chart">
                <figcaption>{title}</figcaption>
                <p class="muted chart-empty">{empty}</p>
            </figure>
        }
        .into_any();
    }
    let top = scale_top(max);
    let plot_w = WIDTH - LEFT;
    let plot_h = HEIGHT - BOTTOM - TOP;
    let slot = plot_w / bars.len() as f64;
    // A few bars stay bars, not walls.
    let bar_w = (slot * 0.7).clamp(1.0, 48.0);
    let every = bars.len().div_ceil(MAX_LABELS);
    let y = |v: u32| TOP + plot_h - plot_h * f64::from(v) / f64::from(top);
    let mut marks = vec![0, top];
    if top >= 2 {
        marks.insert(1, top / 2);
    }
    let grid = marks
        .into_iter()
        .map(|v| {
            view! {
                <line class="grid" x1=LEFT x2=WIDTH y1=y(v) y2=y(v) />
                <text class="scale" x=LEFT - 6.0 y=y(v) + 4.0 text-anchor="end">{v}</text>
            }
        })
        .collect_view();
    let drawn = bars
        .iter()
        .enumerate()
        .map(|(i, bar)| {
            let x = LEFT + slot * i as f64 + (slot - bar_w) / 2.0;
            let tip = std::iter::once(bar.label.clone())
                .chain(
                    series
                        .iter()
                        .zip(&bar.values)
                        .map(|(name, v)| format!("{name}: {v}")),
                )
                .collect::<Vec<_>>()
                .join("\n");
            let mut base = 0u32;
            let parts = bar
                .values
                .iter()
                .enumerate()
                .filter(|(_, v)| **v > 0)
                .map(|(n, v)| {
                    let (from, to) = (base, base + v);
                    base = to;
                    view! {
                        <rect class=format!("series-{n}") x=x y=y(to) width=bar_w
                            height=(y(from) - y(to)).max(0.5) />
                    }
                })
                .collect_view();
            let label = (i % every == 0).then(|| {
                view! {
                    <text class="axis" x=x + bar_w / 2.0 y=HEIGHT - 6.0 text-anchor="middle">
                        {bar.label.clone()}
                    </text>
                }
            });
            view! {
                <g class="bar">
                    <title>{tip}</title>
                    {parts}
                    {label}
                </g>
            }
        })
        .collect_view();
    let legend = (series.len() > 1).then(|| {
        view! {
            <ul class="chart-legend">
                {series.iter().enumerate().map(|(n, name)| view! {
                    <li><span class=format!("swatch series-{n}")></span>{name.clone()}</li>
                }).collect_view()}
            </ul>
        }
    });
    view! {
        <figure class="chart">
            <figcaption>{title.clone()}</figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=title>
                {grid}
                {drawn}
            </svg>
            {legend}
        </figure>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scale_tops_are_round() {
        assert_eq!(scale_top(0), 1);
        assert_eq!(scale_top(1), 1);
        assert_eq!(scale_top(3), 5);
        assert_eq!(scale_top(7), 10);
        assert_eq!(scale_top(11), 20);
        assert_eq!(scale_top(480), 500);
        assert_eq!(scale_top(501), 1000);
    }
}
