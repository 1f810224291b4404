//! Charts drawn on the server as SVG (readable without JavaScript, printable, with a text
//! alternative): vertical bars for a series over time, horizontal bars for a breakdown.

use std::fmt::Write;

/// One bar: its label, value and the value as shown.
pub(crate) struct Bar {
    pub(crate) label: String,
    pub(crate) value: i64,
    pub(crate) shown: String,
}

/// Text for SVG markup.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Vertical bars (e.g. the months of a period), `title` as the chart's accessible name.
pub(crate) fn columns(title: &str, bars: &[Bar]) -> String {
    const HEIGHT: i64 = 160;
    const TOP: i64 = 10;
    const BOTTOM: i64 = 30;
    // A fixed width shared by the bars: a year of months or three years side by side.
    let width = 760_i64;
    let width_each = ((width - 20) / bars.len().max(1) as i64).clamp(8, 80);
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {width} {}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        escape(title),
        HEIGHT + TOP + BOTTOM,
        escape(title)
    );
    let _ = write!(
        svg,
        r##"<line x1="10" y1="{0}" x2="{1}" y2="{0}" stroke="#888" stroke-width="1"/>"##,
        TOP + HEIGHT,
        width - 10
    );
    for (i, bar) in bars.iter().enumerate() {
        let h = bar.value.max(0) * HEIGHT / max;
        let x = 10 + i as i64 * width_each + width_each / 8;
        let _ = write!(
            svg,
            r##"<g><title>{}：{}</title><rect x="{x}" y="{}" width="{}" height="{h}" fill="#2f6fb0"/>{}</g>"##,
            escape(&bar.label),
            escape(&bar.shown),
            TOP + HEIGHT - h,
            (width_each * 3 / 4).max(4),
            // Every label when they fit, else every third.
            if width_each >= 30 || i % 3 == 0 {
                format!(
                    r##"<text x="{}" y="{}" font-size="11" text-anchor="middle" fill="#333">{}</text>"##,
                    x + width_each * 3 / 8,
                    TOP + HEIGHT + 16,
                    escape(short_label(&bar.label))
                )
            } else {
                String::new()
            },
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Horizontal bars (e.g. the domains or regions of a selection).
pub(crate) fn rows(title: &str, bars: &[Bar]) -> String {
    const LABEL: i64 = 110;
    const BAR: i64 = 300;
    const ROW: i64 = 24;
    let width = LABEL + BAR + 150;
    let height = (bars.len() as i64 * ROW).max(ROW) + 10;
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let mut svg = String::new();
    let _ = write!(
        svg,
        r#"<svg class="chart" role="img" aria-label="{}" viewBox="0 0 {width} {height}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg"><title>{}</title>"#,
        escape(title),
        escape(title)
    );
    for (i, bar) in bars.iter().enumerate() {
        let y = 5 + i as i64 * ROW;
        let w = bar.value.max(0) * BAR / max;
        let _ = write!(
            svg,
            r##"<g><title>{}：{}</title><text x="{}" y="{}" font-size="12" text-anchor="end" fill="#333">{}</text><rect x="{}" y="{}" width="{w}" height="{}" fill="#2f6fb0"/><text x="{}" y="{}" font-size="11" fill="#333">{}</text></g>"##,
            escape(&bar.label),
            escape(&bar.shown),
            LABEL - 6,
            y + 15,
            escape(&bar.label),
            LABEL,
            y + 3,
            ROW - 8,
            LABEL + w + 4,
            y + 15,
            escape(&bar.shown),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A month's axis label: `2026-03` → `26-03`.
fn short_label(label: &str) -> &str {
    match label.len() {
        7 if label.as_bytes()[4] == b'-' => &label[2..],
        _ => label,
    }
}
