//! Diverging stacked bars for 5-point importance ratings.

use std::fmt::Write as _;

use crate::{
    LegendItem, MUTED, chars_fitting, doc_id, escape, fmt1, h, open_svg, px, sanitise_id,
    text_width, truncate, write_heading, write_legend, write_text,
};

/// The response categories, 1 to 5, as the interview instrument words them.
pub const LIKERT_LABELS: [&str; 5] = [
    "Not at all important",
    "Slightly important",
    "Moderately important",
    "Very important",
    "Extremely important",
];

/// ColorBrewer BrBG, 5 classes: brown for "not important", teal for "important".
const COLOURS: [&str; 5] = ["#a6611a", "#dfc27d", "#f5f5f5", "#80cdc1", "#018571"];
/// Text colour on each category's fill.
const TEXT_ON: [&str; 5] = ["#ffffff", "#222222", "#222222", "#222222", "#ffffff"];

/// A diverging Likert chart: one bar per row.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LikertChart {
    pub title: String,
    pub rows: Vec<LikertRow>,
    /// The smallest publishable row total. A row with `counts: None`, or
    /// with a total above zero but below this, is drawn as suppressed.
    pub min_cell: u32,
}

/// One bar: a stakeholder group, a site or a factor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LikertRow {
    pub label: String,
    /// Responses per category 1..=5; `None` when the cell is suppressed.
    pub counts: Option<[u32; 5]>,
    pub figure_id: String,
}

/// What a row shows.
enum RowState {
    Suppressed,
    Empty,
    Counts([u64; 5], u64),
}

impl LikertRow {
    fn state(&self, min_cell: u32) -> RowState {
        match self.counts {
            None => RowState::Suppressed,
            Some(c) => {
                let c = c.map(u64::from);
                let total: u64 = c.iter().sum();
                if total == 0 {
                    RowState::Empty
                } else if total < u64::from(min_cell) {
                    RowState::Suppressed
                } else {
                    RowState::Counts(c, total)
                }
            }
        }
    }
}

fn pct(count: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        count as f64 * 100.0 / total as f64
    }
}

/// `round(a / d)` for non-negative integers, without overflow.
fn div_round(a: u128, d: u128) -> u128 {
    if d == 0 { 0 } else { (2 * a + d) / (2 * d) }
}

impl LikertChart {
    fn suppressed_text(&self) -> String {
        format!("suppressed (fewer than {})", self.min_cell)
    }

    /// A short plain-text summary of the chart, used as its `<desc>` and
    /// beside the chart in the report.
    pub fn text_alternative(&self) -> String {
        let mut out = String::new();
        if !self.title.is_empty() {
            let _ = write!(out, "{}. ", self.title);
        }
        out.push_str(
            "Importance ratings from 1 (not at all important) to 5 (extremely important), \
             one bar per row, centred on the neutral category.",
        );
        if self.rows.is_empty() {
            out.push_str(" No rows to show.");
        }
        for row in &self.rows {
            let _ = write!(out, " {}: ", row.label);
            match row.state(self.min_cell) {
                RowState::Suppressed => out.push_str(&self.suppressed_text()),
                RowState::Empty => out.push_str("no responses"),
                RowState::Counts(c, t) => {
                    let _ = write!(
                        out,
                        "n = {t}, {}% very or extremely important, {}% moderately important, \
                         {}% not at all or slightly important",
                        fmt1(pct(c[3] + c[4], t)),
                        fmt1(pct(c[2], t)),
                        fmt1(pct(c[0] + c[1], t)),
                    );
                }
            }
            out.push('.');
        }
        out
    }
}

// Layout, in pixels.
const MARGIN: f64 = 12.0;
const LABEL_SIZE: f64 = 12.0;
const LABEL_MAX_CHARS: usize = 34;
/// Half the plot width; the scale is chosen so that 25% is a whole number of pixels.
const HALF: i64 = 300;
const ROW_H: f64 = 28.0;
const BAR_H: f64 = 18.0;

/// The axis reaches this percentage on each side of the centre: 50, 75 or 100.
fn extent(chart: &LikertChart) -> i64 {
    let mut ext = 50;
    for row in &chart.rows {
        if let RowState::Counts(c, t) = row.state(chart.min_cell) {
            // Half-counts on each side of the centre.
            let left = 2 * c[0] + 2 * c[1] + c[2];
            let right = c[2] + 2 * c[3] + 2 * c[4];
            let side = u128::from(left.max(right));
            let t = u128::from(t);
            // side / 2t > 0.75  <=>  2 side > 3 t ;  side / 2t > 0.5  <=>  side > t
            if 2 * side > 3 * t {
                ext = 100;
            } else if side > t {
                ext = ext.max(75);
            }
        }
    }
    ext
}

/// Draw the chart as a self-contained SVG document.
pub fn diverging_likert(chart: &LikertChart) -> String {
    let labels: Vec<&str> = chart.rows.iter().map(|r| r.label.as_str()).collect();
    let mut parts = vec![chart.title.as_str()];
    parts.extend(labels.iter().copied());
    let id = doc_id("likert", &parts);

    let label_w = labels
        .iter()
        .map(|l| text_width(&truncate(l, LABEL_MAX_CHARS), LABEL_SIZE))
        .fold(40.0_f64, f64::max);
    let plot_x0 = MARGIN + label_w + 12.0;
    let ext = extent(chart);
    // Hundredths of a pixel per percent, and for a whole (100%) bar.
    let scale_h = HALF * 100 / ext;
    let full_h = scale_h * 100;
    let centre_h = crate::hund(plot_x0) + HALF * 100;
    let plot_x1 = plot_x0 + 2.0 * HALF as f64;
    // The n column is as wide as its longest number.
    let n_digits = chart
        .rows
        .iter()
        .filter_map(|r| r.counts)
        .map(|c| {
            c.iter()
                .map(|n| u64::from(*n))
                .sum::<u64>()
                .to_string()
                .len()
        })
        .max()
        .unwrap_or(1);
    let n_col = text_width(&"0".repeat(n_digits.max(3)), 12.0) + 12.0;
    let width = plot_x1 + n_col + MARGIN;

    // Legend (measured first so the height is known).
    let items: Vec<LegendItem> = (0..5)
        .map(|k| LegendItem {
            swatch: format!(
                "<rect width=\"14\" height=\"14\" fill=\"{}\" stroke=\"#888888\" stroke-width=\"0.5\"/>",
                fill(&id, k)
            ),
            label: format!("{} {}", k + 1, LIKERT_LABELS[k]),
        })
        .collect();
    let mut legend = String::new();
    let legend_end = write_legend(&mut legend, &items, MARGIN, 32.0, width - MARGIN);
    let head_y = legend_end + 8.0;
    let rows_y = head_y + 8.0;
    let rows_end = rows_y + ROW_H * chart.rows.len() as f64;
    let axis_y = rows_end + 4.0;
    let height = axis_y + 44.0;

    let mut out = String::new();
    open_svg(
        &mut out,
        &id,
        width,
        height,
        &chart.title,
        &chart.text_alternative(),
    );
    write_defs(&mut out, &id);
    write_heading(&mut out, &chart.title, MARGIN, width - 2.0 * MARGIN);
    out.push_str(&legend);

    // Column heads.
    let centre = centre_h as f64 / 100.0;
    let _ = writeln!(
        out,
        "<g font-size=\"11\" fill=\"{MUTED}\">\n\
         <text x=\"{}\" y=\"{}\" text-anchor=\"end\">Less important</text>\n\
         <text x=\"{}\" y=\"{}\" text-anchor=\"start\">More important</text>\n\
         <text x=\"{}\" y=\"{}\" text-anchor=\"end\">n</text>\n</g>",
        px(centre - 8.0),
        px(head_y),
        px(centre + 8.0),
        px(head_y),
        px(width - MARGIN),
        px(head_y)
    );

    // Grid lines and ticks.
    let _ = writeln!(out, "<g stroke=\"#dddddd\" stroke-width=\"1\">");
    let mut t = -ext;
    while t <= ext {
        let x = h(centre_h + t * scale_h);
        let stroke = if t == 0 { " stroke=\"#666666\"" } else { "" };
        let _ = writeln!(
            out,
            "<line x1=\"{x}\" y1=\"{}\" x2=\"{x}\" y2=\"{}\"{stroke}/>",
            px(rows_y),
            px(axis_y + 4.0)
        );
        t += 25;
    }
    let _ = writeln!(out, "</g>");

    // Rows.
    let suppressed = chart.suppressed_text();
    for (i, row) in chart.rows.iter().enumerate() {
        let y = rows_y + ROW_H * i as f64;
        let bar_y = y + (ROW_H - BAR_H) / 2.0;
        let mid = y + ROW_H / 2.0 + 4.0;
        let shown = truncate(&row.label, LABEL_MAX_CHARS);
        write_text(&mut out, plot_x0 - 12.0, mid, "end", "", &shown, &row.label);
        let fid = escape(&row.figure_id);
        let gid = sanitise_id(&row.figure_id);
        match row.state(chart.min_cell) {
            RowState::Suppressed | RowState::Empty => {
                let (note, n) = match row.state(chart.min_cell) {
                    RowState::Empty => ("no responses".to_string(), "0"),
                    _ => (suppressed.clone(), ""),
                };
                let _ = writeln!(
                    out,
                    "<g id=\"fig-{gid}\"><title>{fid}: {}</title>\n\
                     <rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"#ffffff\" stroke=\"#999999\" \
                     stroke-width=\"1\" stroke-dasharray=\"4 3\"/>\n\
                     <text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" font-style=\"italic\" \
                     fill=\"{MUTED}\">{}</text>\n</g>",
                    escape(&note),
                    h(centre_h - full_h / 2),
                    px(bar_y),
                    h(full_h),
                    px(BAR_H),
                    px(centre),
                    px(mid - 0.5),
                    escape(&note)
                );
                if !n.is_empty() {
                    write_text(
                        &mut out,
                        width - MARGIN,
                        mid,
                        "end",
                        " fill=\"#555555\"",
                        n,
                        n,
                    );
                }
            }
            RowState::Counts(c, total) => {
                let total_h = u128::from(total) * 2;
                let full = full_h as u128;
                let left = u128::from(2 * c[0] + 2 * c[1] + c[2]);
                let start = centre_h - div_round(left * full, total_h) as i64;
                let mut summary = format!("n = {total}");
                for (k, count) in c.iter().enumerate() {
                    let _ = write!(summary, "; {} {}%", k + 1, fmt1(pct(*count, total)));
                }
                let _ = writeln!(
                    out,
                    "<g id=\"fig-{gid}\"><title>{fid}: {}</title>",
                    escape(&summary)
                );
                let mut cum: u128 = 0;
                let mut x0 = start;
                for (k, count) in c.iter().enumerate() {
                    cum += u128::from(*count) * 2;
                    let x1 = start + div_round(cum * full, total_h) as i64;
                    let w = x1 - x0;
                    if *count > 0 && w > 0 {
                        let p = pct(*count, total);
                        let _ = writeln!(
                            out,
                            "<rect data-category=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" \
                             fill=\"{}\" stroke=\"#ffffff\" stroke-width=\"0.5\">\
                             <title>{fid}: {} {}% ({count} of {total})</title></rect>",
                            k + 1,
                            h(x0),
                            px(bar_y),
                            h(w),
                            px(BAR_H),
                            fill(&id, k),
                            escape(LIKERT_LABELS[k]),
                            fmt1(p),
                        );
                        let label = format!("{p:.0}%");
                        // Label a segment only where the label fits.
                        if (w as f64) / 100.0 >= text_width(&label, 11.0) + 6.0 {
                            let _ = writeln!(
                                out,
                                "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" \
                                 fill=\"{}\" pointer-events=\"none\">{label}</text>",
                                h(x0 + w / 2),
                                px(mid - 0.5),
                                TEXT_ON[k]
                            );
                        }
                    }
                    x0 = x1;
                }
                let _ = writeln!(out, "</g>");
                let n = total.to_string();
                write_text(
                    &mut out,
                    width - MARGIN,
                    mid,
                    "end",
                    " fill=\"#555555\"",
                    &n,
                    &n,
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
    let mut t = -ext;
    while t <= ext {
        let _ = writeln!(
            out,
            "<text x=\"{}\" y=\"{}\">{}%</text>",
            h(centre_h + t * scale_h),
            px(axis_y + 16.0),
            t.abs()
        );
        t += 25;
    }
    let caption = "Percent of responses; the neutral category is split across the centre line";
    let caption_shown = truncate(caption, chars_fitting(width - 2.0 * MARGIN, 11.0));
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"{}\">{}</text>\n</g>",
        px(centre),
        px(axis_y + 34.0),
        escape(&caption_shown)
    );
    out.push_str("</svg>\n");
    out
}

/// The fill of category `k` (0-based): a hatch pattern with the plain
/// colour as fallback, or the plain colour.
fn fill(id: &str, k: usize) -> String {
    match k {
        0 | 1 => format!("url(#{id}-c{}) {}", k + 1, COLOURS[k]),
        _ => COLOURS.get(k).copied().unwrap_or("#ffffff").to_string(),
    }
}

/// Category fills: the BrBG colour, hatched on the "not important" side so
/// categories 1 and 5, and 2 and 4, differ in greyscale too.
fn write_defs(out: &mut String, id: &str) {
    let _ = writeln!(out, "<defs>");
    let hatches = [
        "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#ffffff\" stroke-width=\"2\" stroke-opacity=\"0.5\"/>",
        "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#6b4e16\" stroke-width=\"1.5\" stroke-opacity=\"0.55\"/>",
    ];
    for (k, (colour, lines)) in COLOURS.iter().zip(hatches).enumerate() {
        let _ = writeln!(
            out,
            "<pattern id=\"{id}-c{}\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" \
             patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"{colour}\"/>{lines}</pattern>",
            k + 1
        );
    }
    let _ = writeln!(out, "</defs>");
}
