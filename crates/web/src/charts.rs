//! Charts drawn on the server as SVG, with no script: the staff dashboard's orders received
//! and completed per day. The numbers stay in a table beside the chart for screen readers;
//! the chart itself is a picture for the eye (each bar carries its value as a tooltip).

use chrono::NaiveDate;
use std::fmt::Write;

/// What the bars of a daily chart are called, in the reader's language.
pub struct DailyLabels<'a> {
    pub title: &'a str,
    pub received: &'a str,
    pub completed: &'a str,
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 220.0;
const AXIS_LEFT: f64 = 32.0;
const AXIS_BOTTOM: f64 = 24.0;
const TOP: f64 = 28.0;

fn escaped(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Received (red) and completed (green) side by side for each day, oldest on the left, with
/// the highest count marked on the axis and the first and last days under it.
pub fn daily_bars(per_day: &[(NaiveDate, u32, u32)], labels: &DailyLabels<'_>) -> String {
    let highest = per_day.iter().map(|(_, received, completed)| (*received).max(*completed)).max().unwrap_or(0).max(1);
    let plot_height = HEIGHT - AXIS_BOTTOM - TOP;
    let slot = (WIDTH - AXIS_LEFT) / per_day.len().max(1) as f64;
    let bar = (slot * 0.4).max(1.0);
    let y_of = |count: u32| TOP + plot_height * (1.0 - f64::from(count) / f64::from(highest));
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{title}" xmlns="http://www.w3.org/2000/svg">"#,
        title = escaped(labels.title)
    );
    let _ = write!(
        svg,
        r#"<g class="legend"><rect class="received" x="{AXIS_LEFT}" y="6" width="12" height="12"/><text x="{}" y="16">{}</text><rect class="completed" x="{}" y="6" width="12" height="12"/><text x="{}" y="16">{}</text></g>"#,
        AXIS_LEFT + 16.0,
        escaped(labels.received),
        AXIS_LEFT + 140.0,
        AXIS_LEFT + 156.0,
        escaped(labels.completed),
    );
    let base = HEIGHT - AXIS_BOTTOM;
    let _ = write!(
        svg,
        r#"<line class="axis" x1="{AXIS_LEFT}" x2="{WIDTH}" y1="{base}" y2="{base}"/><text class="tick" x="{}" y="{}" text-anchor="end">{highest}</text><text class="tick" x="{}" y="{base}" text-anchor="end">0</text>"#,
        AXIS_LEFT - 4.0,
        TOP + 4.0,
        AXIS_LEFT - 4.0,
    );
    for (i, (day, received, completed)) in per_day.iter().enumerate() {
        let x = AXIS_LEFT + slot * i as f64 + slot * 0.1;
        for (offset, count, class, name) in
            [(0.0, *received, "received", labels.received), (bar, *completed, "completed", labels.completed)]
        {
            let y = y_of(count);
            let _ = write!(
                svg,
                r#"<rect class="{class}" x="{:.1}" y="{y:.1}" width="{bar:.1}" height="{:.1}"><title>{day} {}: {count}</title></rect>"#,
                x + offset,
                base - y,
                escaped(name),
            );
        }
    }
    if let (Some((first, ..)), Some((last, ..))) = (per_day.first(), per_day.last()) {
        let _ = write!(
            svg,
            r#"<text class="tick" x="{AXIS_LEFT}" y="{HEIGHT}">{first}</text><text class="tick" x="{WIDTH}" y="{HEIGHT}" text-anchor="end">{last}</text>"#
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
    }

    #[test]
    fn the_busiest_day_reaches_the_top_and_an_empty_day_has_flat_bars() {
        let labels = DailyLabels { title: "每日 <订单>", received: "收到", completed: "完成" };
        let svg = daily_bars(&[(day(1), 4, 0), (day(2), 2, 1)], &labels);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains(r#"aria-label="每日 &lt;订单&gt;""#), "text is escaped: {svg}");
        assert!(svg.contains(r#"y="28.0" width"#), "4 of 4 reaches the top of the plot: {svg}");
        assert!(svg.contains(r#"height="0.0"><title>2026-11-01 完成: 0</title>"#), "{svg}");
        assert!(svg.contains("<title>2026-11-02 收到: 2</title>"));
        assert_eq!(svg.matches("<rect class=\"received\"").count(), 3, "two bars and the legend's swatch");
    }
}
