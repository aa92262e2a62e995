//! Deterministic SVG charts for the synthesis report: [`LikertChart`]
//! (diverging stacked bars of 5-point importance ratings, drawn by
//! [`diverging_likert`]), [`PatternGrid`] (the site x factor pattern matrix,
//! drawn by [`pattern_grid`]), [`BarChart`] (ranked horizontal bars,
//! drawn by [`ranked_bars`]) and [`HeatMatrix`] (counts in a rows x
//! columns grid, shaded by lightness, drawn by [`heat_matrix`]).
//!
//! A key design choice: every chart is hand-written SVG built from plain
//! structs with nothing beyond `std`. The same input always gives the same
//! bytes: coordinates are integers in hundredths of a pixel printed with two
//! decimals, values are printed with fixed decimals, nothing is random and
//! nothing iterates a hash map. Text is never measured with a font library;
//! widths are estimated with a fixed per-character factor, and long labels
//! are shortened with an ellipsis (the full label stays in a `<title>`).
//! Every chart reads in greyscale: Likert categories differ in lightness
//! and hatching, pattern cells carry a drawn symbol as well as a colour,
//! heat-map cells their number and a shade that darkens with it.
//!
//! Every chart is an `<svg role="img">` with a `<title>` and a `<desc>` (the
//! chart's `text_alternative()`), a `viewBox` and `width="100%"`. Every data
//! mark sits in `<g id="fig-<sanitised figure id>">` whose `<title>` reads
//! `figure_id: value`, so hovering a mark shows the published figure id.
//! No input makes a chart panic: empty charts, zero counts, non-finite
//! values, ragged grids and very long labels all draw something sensible.

use std::fmt::Write as _;

mod bars;
mod grid;
mod heat;
mod likert;

pub use bars::{Bar, BarChart, BarUnit, ranked_bars};
pub use grid::{Cell, Condition, PatternGrid, pattern_grid};
pub use heat::{HeatCell, HeatMatrix, heat_matrix};
pub use likert::{LIKERT_LABELS, LikertChart, LikertRow, diverging_likert};

#[cfg(test)]
mod tests;

/// The font stack of every text; no chart needs a particular font installed.
pub(crate) const FONT: &str = "system-ui, sans-serif";
/// Estimated advance of one character, as a fraction of the font size. A
/// little wider than the average Latin glyph so estimates err on the roomy side.
pub(crate) const CHAR_FACTOR: f64 = 0.6;
/// Colour of ordinary text and axis lines.
pub(crate) const INK: &str = "#222222";
/// Colour of secondary text (notes, suppressed rows).
pub(crate) const MUTED: &str = "#555555";

/// Escape text for XML content and attribute values (`& < > " '`).
///
/// Characters that XML 1.0 does not allow at all (most C0 controls,
/// U+FFFE, U+FFFF) are replaced by U+FFFD so the output stays well formed.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Turn a figure id into the part after `fig-` of an element id.
///
/// ASCII letters, digits, `-` and `_` are kept; `/` and whitespace become
/// `-`; any other character becomes `_` followed by its hexadecimal code
/// point and `_`, so `Site Ö` gives `Site-_d6_`.
pub fn sanitise_id(figure_id: &str) -> String {
    let mut out = String::with_capacity(figure_id.len());
    for c in figure_id.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            out.push(c);
        } else if c == '/' || c.is_whitespace() {
            out.push('-');
        } else {
            let _ = write!(out, "_{:x}_", c as u32);
        }
    }
    out
}

/// Round a length to whole hundredths of a pixel. Non-finite lengths become 0.
pub(crate) fn hund(v: f64) -> i64 {
    if v.is_finite() {
        // `as` saturates, so even absurd values cannot panic.
        (v * 100.0).round() as i64
    } else {
        0
    }
}

/// Print hundredths of a pixel with exactly two decimals (`-0.00` never appears).
pub(crate) fn h(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// Print a length in pixels with exactly two decimals.
pub(crate) fn px(v: f64) -> String {
    h(hund(v))
}

/// Estimated width in pixels of `s` set at `size` pixels.
pub(crate) fn text_width(s: &str, size: f64) -> f64 {
    s.chars().count() as f64 * size * CHAR_FACTOR
}

/// Shorten `s` to at most `max_chars` characters, ending in `…` when cut.
pub(crate) fn truncate(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        return s.to_string();
    }
    if max_chars == 0 {
        return String::new();
    }
    let mut out: String = s.chars().take(max_chars - 1).collect();
    out.push('…');
    out
}

/// How many characters at `size` fit in `width` pixels (at least 1).
pub(crate) fn chars_fitting(width: f64, size: f64) -> usize {
    let n = (width / (size * CHAR_FACTOR)).floor();
    if n.is_finite() && n >= 1.0 {
        n as usize
    } else {
        1
    }
}

/// A short, stable id prefix for the elements a chart defines for itself
/// (its title, desc and patterns), so several charts can sit in one HTML page.
/// FNV-1a over the chart kind and the given parts.
pub(crate) fn doc_id(kind: &str, parts: &[&str]) -> String {
    let mut hash: u32 = 0x811c_9dc5;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u32::from(*b);
            hash = hash.wrapping_mul(0x0100_0193);
        }
    };
    feed(kind.as_bytes());
    for p in parts {
        feed(&[0]);
        feed(p.as_bytes());
    }
    format!("chart-{kind}-{hash:08x}")
}

/// Open the `<svg>` element with its `<title>` and `<desc>`.
pub(crate) fn open_svg(
    out: &mut String,
    id: &str,
    width: f64,
    height: f64,
    title: &str,
    desc: &str,
) {
    let (w, hh) = (px(width), px(height));
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {hh}\" width=\"100%\" \
         style=\"max-width:{w}px;height:auto\" role=\"img\" aria-labelledby=\"{id}-title\" aria-describedby=\"{id}-desc\" \
         font-family=\"{FONT}\" font-size=\"12\" fill=\"{INK}\">\n\
         <title id=\"{id}-title\">{}</title>\n<desc id=\"{id}-desc\">{}</desc>\n",
        escape(title),
        escape(desc)
    );
    let _ = writeln!(
        out,
        "<rect x=\"0\" y=\"0\" width=\"{w}\" height=\"{hh}\" fill=\"#ffffff\"/>"
    );
}

/// The visible chart title, shortened to the chart's width.
pub(crate) fn write_heading(out: &mut String, title: &str, x: f64, width: f64) {
    if title.is_empty() {
        return;
    }
    let shown = truncate(title, chars_fitting(width, 15.0));
    let _ = writeln!(
        out,
        "<text x=\"{}\" y=\"20.00\" font-size=\"15\" font-weight=\"bold\">{}</text>",
        px(x),
        escape(&shown)
    );
}

/// A text element at (x, y); `anchor` is `start`, `middle` or `end`. When the
/// text was shortened, the full text goes in a `<title>` child.
pub(crate) fn write_text(
    out: &mut String,
    x: f64,
    y: f64,
    anchor: &str,
    extra: &str,
    shown: &str,
    full: &str,
) {
    let _ = write!(
        out,
        "<text x=\"{}\" y=\"{}\" text-anchor=\"{anchor}\"{extra}>",
        px(x),
        px(y)
    );
    if shown != full {
        let _ = write!(out, "<title>{}</title>", escape(full));
    }
    let _ = writeln!(out, "{}</text>", escape(shown));
}

/// One legend entry: a swatch drawn by the chart and a label.
pub(crate) struct LegendItem {
    /// SVG for a 14 x 14 swatch at the origin; placed with a translate.
    pub swatch: String,
    pub label: String,
}

impl LegendItem {
    /// The key of a cell with no data (an empty white square).
    pub(crate) fn no_data() -> LegendItem {
        LegendItem {
            swatch: NO_DATA_SWATCH.to_string(),
            label: "No data".to_string(),
        }
    }
}

/// Lay legend items out left to right from (x, y), wrapping at `max_x`.
/// Returns the y just below the last line.
pub(crate) fn write_legend(
    out: &mut String,
    items: &[LegendItem],
    x: f64,
    y: f64,
    max_x: f64,
) -> f64 {
    const SIZE: f64 = 11.0;
    const LINE: f64 = 20.0;
    if items.is_empty() {
        return y;
    }
    let _ = writeln!(out, "<g font-size=\"11\">");
    let (mut cx, mut cy) = (x, y);
    for item in items {
        let w = 14.0 + 5.0 + text_width(&item.label, SIZE) + 14.0;
        if cx > x && cx + w > max_x {
            cx = x;
            cy += LINE;
        }
        let _ = writeln!(
            out,
            "<g transform=\"translate({},{})\">{}</g>",
            px(cx),
            px(cy),
            item.swatch
        );
        let label = truncate(&item.label, chars_fitting(max_x - cx - 19.0, SIZE));
        write_text(out, cx + 19.0, cy + 11.0, "start", "", &label, &item.label);
        cx += w;
    }
    let _ = writeln!(out, "</g>");
    cy + LINE
}

/// Format a value with one decimal (Rust's exact decimal rounding, so the
/// double nearest 8.25 reads `8.2`); non-finite values read `n/a`, negative
/// zero prints as `0.0`, and absurdly large values use an exponent.
pub(crate) fn fmt1(v: f64) -> String {
    fmt_fixed(v, 1)
}

/// Format a value with `decimals` decimals, as [`fmt1`] does.
pub(crate) fn fmt_fixed(v: f64, decimals: usize) -> String {
    if !v.is_finite() {
        return "n/a".to_string();
    }
    if v.abs() >= 1e12 {
        return format!("{v:.2e}");
    }
    let s = format!("{v:.decimals$}");
    if s.starts_with('-') && s[1..].chars().all(|c| c == '0' || c == '.') {
        return s[1..].to_string();
    }
    s
}

/// The legend swatch of a cell with no data: a dashed outline.
pub(crate) const NO_DATA_SWATCH: &str = "<rect x=\"0.50\" y=\"0.50\" width=\"13.00\" height=\"13.00\" fill=\"#ffffff\" \
     stroke=\"#999999\" stroke-width=\"1\" stroke-dasharray=\"2 2\"/>";

/// The vertical layout of a matrix chart (pattern grid, heat map).
pub(crate) struct MatrixLayout {
    pub(crate) rows_y: f64,
    pub(crate) key_y: f64,
    pub(crate) height: f64,
}

/// A matrix row's label, right-aligned before its first cell (at `x0`),
/// cut to `max_chars` with the whole label as its tooltip.
pub(crate) fn write_row_label(
    out: &mut String,
    x0: f64,
    y: f64,
    cell_h: f64,
    label: &str,
    max_chars: usize,
) {
    let shown = truncate(label, max_chars);
    write_text(
        out,
        x0 - 10.0,
        y + cell_h / 2.0 + 4.0,
        "end",
        "",
        &shown,
        label,
    );
}

/// The heads of a grid's columns (codes, with `code: label` as tooltip):
/// level when every code fits its column, else turned 45 degrees.
pub(crate) struct ColumnHeads<'c> {
    columns: &'c [(String, String)],
    shown: Vec<String>,
    cell_w: f64,
    widest: f64,
    turned: bool,
}

impl<'c> ColumnHeads<'c> {
    const SIZE: f64 = 11.0;
    const MAX_CHARS: usize = 24;

    pub(crate) fn new(columns: &'c [(String, String)], cell_w: f64) -> Self {
        let shown: Vec<String> = columns
            .iter()
            .map(|(c, _)| truncate(c, Self::MAX_CHARS))
            .collect();
        let widest = shown
            .iter()
            .map(|c| text_width(c, Self::SIZE))
            .fold(0.0_f64, f64::max);
        ColumnHeads {
            columns,
            shown,
            cell_w,
            widest,
            turned: widest > cell_w - 4.0,
        }
    }

    /// Where a matrix of `rows` rows of `cell_h` goes below a legend ending
    /// at `legend_end` and these heads: the first row's top, the column
    /// key's top (one line per column) and the chart's height.
    pub(crate) fn layout(&self, legend_end: f64, rows: usize, cell_h: f64) -> MatrixLayout {
        let rows_y = legend_end + 6.0 + self.height();
        let key_y = rows_y + cell_h * rows as f64 + 22.0;
        MatrixLayout {
            rows_y,
            key_y,
            height: key_y + KEY_LINE * self.columns.len() as f64 + 6.0,
        }
    }

    /// The height the heads take above the first row.
    pub(crate) fn height(&self) -> f64 {
        if self.turned {
            self.widest * std::f64::consts::FRAC_1_SQRT_2 + 14.0
        } else {
            18.0
        }
    }

    /// Write the heads of columns starting at `x0`, on the baseline `y`.
    pub(crate) fn write(&self, out: &mut String, x0: f64, y: f64) {
        let _ = writeln!(out, "<g font-size=\"11\" font-weight=\"bold\">");
        for (f, ((code, label), shown)) in self.columns.iter().zip(&self.shown).enumerate() {
            let cx = x0 + self.cell_w * (f as f64 + 0.5);
            let full = if label.is_empty() {
                code.clone()
            } else {
                format!("{code}: {label}")
            };
            let _ = write!(out, "<text");
            if self.turned {
                let (x, y) = (px(cx - 2.0), px(y));
                let _ = write!(
                    out,
                    " x=\"{x}\" y=\"{y}\" transform=\"rotate(-45 {x} {y})\" text-anchor=\"start\">"
                );
            } else {
                let _ = write!(
                    out,
                    " x=\"{}\" y=\"{}\" text-anchor=\"middle\">",
                    px(cx),
                    px(y)
                );
            }
            let _ = writeln!(
                out,
                "<title>{}</title>{}</text>",
                escape(&full),
                escape(shown)
            );
        }
        let _ = writeln!(out, "</g>");
    }

    /// The key below a grid: one `code: label` line per column, from `y`.
    pub(crate) fn write_key(&self, out: &mut String, x: f64, y: f64, width: f64) {
        if self.columns.is_empty() {
            return;
        }
        let _ = writeln!(out, "<g font-size=\"11\" fill=\"{MUTED}\">");
        for (f, (code, label)) in self.columns.iter().enumerate() {
            let line = if label.is_empty() {
                code.clone()
            } else {
                format!("{code}: {label}")
            };
            let shown = truncate(&line, chars_fitting(width, 11.0));
            write_text(out, x, y + KEY_LINE * f as f64, "start", "", &shown, &line);
        }
        let _ = writeln!(out, "</g>");
    }
}

/// Line height of a grid's key of columns.
pub(crate) const KEY_LINE: f64 = 16.0;

/// A grid cell's rectangle at (x, y), `w` x `h`, white-edged.
pub(crate) fn cell_rect(x: f64, y: f64, w: f64, h: f64, fill: &str) -> String {
    format!(
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{fill}\" stroke=\"#ffffff\" stroke-width=\"2\"/>",
        px(x),
        px(y),
        px(w),
        px(h)
    )
}

/// A grid cell with no data (a ragged grid): white, a dashed outline, and
/// a tooltip naming its row and column.
pub(crate) fn write_no_data_cell(
    out: &mut String,
    (row, column): (&str, &str),
    (x, y, w, h): (f64, f64, f64, f64),
) {
    let _ = writeln!(
        out,
        "<g><title>{}, {}: no data</title>{}<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" \
         fill=\"none\" stroke=\"#999999\" stroke-width=\"1\" stroke-dasharray=\"2 2\"/></g>",
        escape(row),
        escape(column),
        cell_rect(x, y, w, h, "#ffffff"),
        px(x + 2.5),
        px(y + 2.5),
        px(w - 5.0),
        px(h - 5.0)
    );
}
