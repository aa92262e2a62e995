//! Ranked horizontal bars (top-three frequency as a score or a percent).

use std::fmt::Write as _;

use crate::{
    MUTED, chars_fitting, doc_id, escape, fmt_fixed, fmt1, open_svg, px, sanitise_id, text_width,
    truncate, write_heading, write_text,
};

/// Horizontal bars, drawn top to bottom in the order given.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BarChart {
    pub title: String,
    /// What the values are, shown under the axis ("Top-three frequency").
    pub value_label: String,
    pub unit: BarUnit,
    pub bars: Vec<Bar>,
    /// The smallest publishable count, named in the "suppressed" note.
    pub min_cell: u32,
}

/// How values read and how the axis is scaled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BarUnit {
    /// A percentage: the axis runs 0 to 100 (further if a value exceeds 100)
    /// and values read `45.0%`.
    #[default]
    Percent,
    /// A plain score: the axis runs 0 to a round number at or above the
    /// largest value, and values read `12.0`.
    Score,
}

/// One bar.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Bar {
    pub label: String,
    /// `None` when the value is suppressed. A non-finite value reads `n/a`;
    /// a negative value is labelled but has no bar.
    pub value: Option<f64>,
    pub figure_id: String,
}

impl BarChart {
    fn suppressed_text(&self) -> String {
        format!("suppressed (fewer than {})", self.min_cell)
    }

    fn value_text(&self, v: f64) -> String {
        match self.unit {
            BarUnit::Percent if v.is_finite() => format!("{}%", fmt1(v)),
            _ => fmt1(v),
        }
    }

    /// A short plain-text summary of the chart, used as its `<desc>` and
    /// beside the chart in the report.
    pub fn text_alternative(&self) -> String {
        let mut out = String::new();
        if !self.title.is_empty() {
            let _ = write!(out, "{}. ", self.title);
        }
        if self.bars.is_empty() {
            out.push_str("No bars to show.");
            return out;
        }
        let what = if self.value_label.is_empty() {
            "Values"
        } else {
            self.value_label.as_str()
        };
        let _ = write!(out, "{what}, in ranked order:");
        for (i, bar) in self.bars.iter().enumerate() {
            let sep = if i == 0 { " " } else { "; " };
            let value = match bar.value {
                Some(v) => self.value_text(v),
                None => self.suppressed_text(),
            };
            let _ = write!(out, "{sep}{} {value}", bar.label);
        }
        out.push('.');
        out
    }
}

/// The axis maximum and the number of tick intervals: a round number at or
/// above `v` (1, 2, 2.5 or 5 times a power of ten).
fn nice_axis(v: f64) -> (f64, u32) {
    if !v.is_finite() || v <= 0.0 {
        return (1.0, 5);
    }
    let exp = 10f64.powf(v.log10().floor());
    if !exp.is_finite() || exp <= 0.0 {
        return (v, 5);
    }
    let f = v / exp;
    let (m, n) = if f <= 1.0 {
        (1.0, 5)
    } else if f <= 2.0 {
        (2.0, 4)
    } else if f <= 2.5 {
        (2.5, 5)
    } else if f <= 5.0 {
        (5.0, 5)
    } else {
        (10.0, 5)
    };
    let max = m * exp;
    if max.is_finite() { (max, n) } else { (v, 5) }
}

const MARGIN: f64 = 12.0;
const LABEL_SIZE: f64 = 12.0;
const LABEL_MAX_CHARS: usize = 34;
const PLOT_W: f64 = 400.0;
const VALUE_ROOM: f64 = 64.0;
const ROW_H: f64 = 26.0;
const BAR_H: f64 = 16.0;
const BAR_FILL: &str = "#35978f";

/// Draw the bars as a self-contained SVG document.
pub fn ranked_bars(chart: &BarChart) -> String {
    let mut parts: Vec<&str> = vec![chart.title.as_str()];
    parts.extend(chart.bars.iter().map(|b| b.label.as_str()));
    let id = doc_id("bars", &parts);

    let label_w = chart
        .bars
        .iter()
        .map(|b| text_width(&truncate(&b.label, LABEL_MAX_CHARS), LABEL_SIZE))
        .fold(40.0_f64, f64::max);
    let plot_x0 = MARGIN + label_w + 10.0;
    let plot_x1 = plot_x0 + PLOT_W;
    let width = plot_x1 + VALUE_ROOM + MARGIN;

    let largest = chart
        .bars
        .iter()
        .filter_map(|b| b.value)
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let (max, intervals) = match chart.unit {
        BarUnit::Percent if largest <= 100.0 => (100.0, 4),
        _ => nice_axis(largest),
    };
    let step = max / f64::from(intervals);
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10().floor()).clamp(0.0, 6.0) as usize
    };
    let scale = PLOT_W / max;

    let rows_y = 36.0;
    let rows_end = rows_y + ROW_H * chart.bars.len() as f64;
    let axis_y = rows_end + 4.0;
    let height = axis_y + 42.0;

    let mut out = String::new();
    open_svg(
        &mut out,
        &id,
        width,
        height,
        &chart.title,
        &chart.text_alternative(),
    );
    write_heading(&mut out, &chart.title, MARGIN, width - 2.0 * MARGIN);

    // Grid lines.
    let _ = writeln!(out, "<g stroke=\"#dddddd\" stroke-width=\"1\">");
    for i in 0..=intervals {
        let x = px(plot_x0 + scale * step * f64::from(i));
        let _ = writeln!(
            out,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"/>",
            px(rows_y),
            px(axis_y + 4.0)
        );
    }
    let _ = writeln!(out, "</g>");

    for (i, bar) in chart.bars.iter().enumerate() {
        let y = rows_y + ROW_H * i as f64;
        let bar_y = y + (ROW_H - BAR_H) / 2.0;
        let mid = y + ROW_H / 2.0 + 4.0;
        let shown = truncate(&bar.label, LABEL_MAX_CHARS);
        write_text(&mut out, plot_x0 - 10.0, mid, "end", "", &shown, &bar.label);
        let gid = sanitise_id(&bar.figure_id);
        let fid = escape(&bar.figure_id);
        match bar.value {
            None => {
                let note = chart.suppressed_text();
                let _ = writeln!(
                    out,
                    "<g id=\"fig-{gid}\"><title>{fid}: {note}</title><text x=\"{}\" y=\"{}\" font-size=\"11\" \
                     font-style=\"italic\" fill=\"{MUTED}\">{note}</text></g>",
                    px(plot_x0 + 4.0),
                    px(mid - 0.5),
                    note = escape(&note)
                );
            }
            Some(v) => {
                let text = chart.value_text(v);
                let w = if v.is_finite() && v > 0.0 {
                    (v * scale).min(PLOT_W)
                } else {
                    0.0
                };
                let _ = writeln!(
                    out,
                    "<g id=\"fig-{gid}\"><title>{fid}: {}</title>\
                     <rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{BAR_FILL}\"/>\
                     <text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text></g>",
                    escape(&text),
                    px(plot_x0),
                    px(bar_y),
                    px(w),
                    px(BAR_H),
                    px(plot_x0 + w + 4.0),
                    px(mid - 0.5),
                    escape(&text)
                );
            }
        }
    }

    // Axis.
    let _ = writeln!(
        out,
        "<line x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\" stroke=\"#666666\" stroke-width=\"1\"/>",
        px(plot_x0),
        px(axis_y),
        px(plot_x1),
        px(axis_y)
    );
    let _ = writeln!(
        out,
        "<g font-size=\"11\" text-anchor=\"middle\" fill=\"{MUTED}\">"
    );
    let suffix = if chart.unit == BarUnit::Percent {
        "%"
    } else {
        ""
    };
    for i in 0..=intervals {
        let t = step * f64::from(i);
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\">{}{suffix}</text>",
            px(plot_x0 + scale * t),
            px(axis_y + 16.0),
            fmt_fixed(t, decimals)
        );
    }
    if !chart.value_label.is_empty() {
        let caption = truncate(
            &chart.value_label,
            chars_fitting(width - 2.0 * MARGIN, 11.0),
        );
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\">{}</text>",
            px(plot_x0 + PLOT_W / 2.0),
            px(axis_y + 33.0),
            escape(&caption)
        );
    }
    let _ = writeln!(out, "</g>");
    out.push_str("</svg>\n");
    out
}
