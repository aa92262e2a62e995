//! A heat map of counts: rows (sites, stakeholder groups) down, columns
//! (themes) across, each cell shaded by its count and showing the number.
//! The shade darkens with the count (lightness alone carries it, so it
//! reads in greyscale); a suppressed cell is hatched and shows a dash.

use std::fmt::Write as _;

use crate::grid::{CELL_H, CELL_W, LABEL_MAX_CHARS};
use crate::{
    ColumnHeads, INK, LegendItem, MUTED, MatrixLayout, cell_rect, doc_id, escape, open_svg, px,
    sanitise_id, text_width, truncate, write_heading, write_legend, write_no_data_cell,
    write_row_label, write_text,
};

/// Counts in a rows x columns grid.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HeatMatrix {
    pub title: String,
    /// What a cell counts, in words ("interviewees who spoke of the theme").
    pub value_label: String,
    /// One label per row, top to bottom.
    pub rows: Vec<String>,
    /// One column per theme, left to right: `(code, label)`. The code heads
    /// the column; the label appears in the key below the grid.
    pub columns: Vec<(String, String)>,
    /// `cells[row][column]`. `None` and missing cells (a ragged grid)
    /// draw as "no data"; cells beyond the rows or columns are ignored.
    pub cells: Vec<Vec<Option<HeatCell>>>,
    /// The smallest publishable count, named in the "suppressed" note.
    pub min_cell: u32,
}

/// One cell: its count, or `None` when it is suppressed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HeatCell {
    pub value: Option<u32>,
    pub figure_id: String,
}

/// The lightest and darkest shades (RGB). Every channel falls from the one
/// to the other, so lightness falls strictly as the count rises.
const LIGHT: [u8; 3] = [0xf5, 0xf5, 0xf5];
const DARK: [u8; 3] = [0x00, 0x3c, 0x30];
/// Above this share of the darkest shade, numbers are written in white.
const WHITE_TEXT_FROM: f64 = 0.55;

/// The shade of `value` on a scale whose darkest is `max`, and the colour
/// of a number written on it.
pub(crate) fn shade(value: u32, max: u32) -> (String, &'static str) {
    let t = if max == 0 {
        0.0
    } else {
        (f64::from(value) / f64::from(max)).clamp(0.0, 1.0)
    };
    let channel = |k: usize| {
        let (a, b) = (f64::from(LIGHT[k]), f64::from(DARK[k]));
        // `as` saturates; the value is within 0..=255 anyway.
        (a + (b - a) * t).round() as u8
    };
    // `rgb()`, not `#rrggbb`: hex colours such as `#b5c6ef` read as UK
    // postcodes to the leak guard, which would stop the run.
    let fill = format!("rgb({},{},{})", channel(0), channel(1), channel(2));
    let ink = if t > WHITE_TEXT_FROM { "#ffffff" } else { INK };
    (fill, ink)
}

impl HeatMatrix {
    fn cell(&self, row: usize, column: usize) -> Option<&HeatCell> {
        self.cells
            .get(row)
            .and_then(|r| r.get(column))
            .and_then(Option::as_ref)
    }

    fn suppressed_text(&self) -> String {
        format!(
            "suppressed (fewer than {}, or to protect such a cell)",
            self.min_cell
        )
    }

    /// The largest published count (the darkest shade).
    pub fn max_value(&self) -> u32 {
        (0..self.rows.len())
            .flat_map(|r| (0..self.columns.len()).map(move |c| (r, c)))
            .filter_map(|(r, c)| self.cell(r, c).and_then(|cell| cell.value))
            .max()
            .unwrap_or(0)
    }

    /// A short plain-text summary of the chart, used as its `<desc>` and
    /// beside the chart in the report: each row's published counts, then
    /// the columns whose cells are suppressed.
    pub fn text_alternative(&self) -> String {
        let mut out = String::new();
        if !self.title.is_empty() {
            let _ = write!(out, "{}. ", self.title);
        }
        let what = if self.value_label.is_empty() {
            "counts"
        } else {
            self.value_label.as_str()
        };
        let _ = write!(
            out,
            "Heat map of {} row{} by {} column{}: {what}, the number in each cell, darker for more; \
             a dash marks a cell {}.",
            self.rows.len(),
            if self.rows.len() == 1 { "" } else { "s" },
            self.columns.len(),
            if self.columns.len() == 1 { "" } else { "s" },
            self.suppressed_text(),
        );
        if self.rows.is_empty() || self.columns.is_empty() {
            out.push_str(" No cells to show.");
            return out;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let mut shown = Vec::new();
            let mut suppressed = Vec::new();
            let mut missing = Vec::new();
            for (c, (code, _)) in self.columns.iter().enumerate() {
                match self.cell(r, c) {
                    Some(HeatCell { value: Some(v), .. }) => shown.push(format!("{code} {v}")),
                    Some(_) => suppressed.push(code.as_str()),
                    None => missing.push(code.as_str()),
                }
            }
            let mut parts = Vec::new();
            if !shown.is_empty() {
                parts.push(shown.join(", "));
            }
            if !suppressed.is_empty() {
                parts.push(format!("suppressed: {}", suppressed.join(", ")));
            }
            if !missing.is_empty() {
                parts.push(format!("no data: {}", missing.join(", ")));
            }
            let _ = write!(out, " {row}: {}.", parts.join("; "));
        }
        out
    }
}

const MARGIN: f64 = 12.0;
const LABEL_SIZE: f64 = 12.0;

/// The hatch of a suppressed cell: grey lines on white, a pattern the
/// chart defines under its own id.
fn hatch(id: &str) -> String {
    format!(
        "<pattern id=\"{id}-suppressed\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" \
         patternTransform=\"rotate(45)\"><rect width=\"6\" height=\"6\" fill=\"#ffffff\"/>\
         <line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#9a9a9a\" stroke-width=\"2\"/></pattern>"
    )
}

/// Draw the heat map as a self-contained SVG document.
pub fn heat_matrix(chart: &HeatMatrix) -> String {
    let mut parts: Vec<&str> = vec![chart.title.as_str()];
    parts.extend(chart.rows.iter().map(String::as_str));
    parts.extend(chart.columns.iter().map(|(code, _)| code.as_str()));
    let id = doc_id("heat", &parts);
    let max = chart.max_value();

    let label_w = chart
        .rows
        .iter()
        .map(|s| text_width(&truncate(s, LABEL_MAX_CHARS), LABEL_SIZE))
        .fold(40.0_f64, f64::max);
    let grid_x0 = MARGIN + label_w + 10.0;
    let ncol = chart.columns.len();
    // Wide enough for the title and the line under it (up to 760 pixels),
    // since a heat map of few columns is narrow.
    let words_w = text_width(&chart.title, 15.0)
        .max(text_width(&chart.value_label, 11.0) + text_width(", darker for more", 11.0))
        .min(760.0);
    let width = (grid_x0 + CELL_W * ncol as f64 + MARGIN)
        .max(520.0)
        .max(words_w + 2.0 * MARGIN);
    let heads = ColumnHeads::new(&chart.columns, CELL_W);

    let any_missing = (0..chart.rows.len()).any(|r| (0..ncol).any(|c| chart.cell(r, c).is_none()));
    let any_suppressed = (0..chart.rows.len())
        .any(|r| (0..ncol).any(|c| chart.cell(r, c).is_some_and(|x| x.value.is_none())));
    let swatch = |v: u32| {
        let (fill, ink) = shade(v, max);
        format!(
            "<rect width=\"14\" height=\"14\" fill=\"{fill}\" stroke=\"#999999\" stroke-width=\"0.5\"/>\
             <rect x=\"5.50\" y=\"5.50\" width=\"3\" height=\"3\" fill=\"{ink}\"/>"
        )
    };
    let mut items = vec![LegendItem {
        swatch: swatch(0),
        label: "0".to_string(),
    }];
    if max > 1 {
        items.push(LegendItem {
            swatch: swatch(max / 2),
            label: (max / 2).to_string(),
        });
    }
    if max > 0 {
        items.push(LegendItem {
            swatch: swatch(max),
            label: format!("{max} (most)"),
        });
    }
    if any_suppressed {
        items.push(LegendItem {
            swatch: format!(
                "<rect width=\"14\" height=\"14\" fill=\"url(#{id}-suppressed) #ffffff\" stroke=\"#999999\" \
                 stroke-width=\"0.5\"/>"
            ),
            label: format!("– {}", chart.suppressed_text()),
        });
    }
    if any_missing {
        items.push(LegendItem::no_data());
    }
    let mut legend = String::new();
    let legend_end = write_legend(&mut legend, &items, MARGIN, 44.0, width - MARGIN);
    let MatrixLayout {
        rows_y,
        key_y,
        height,
    } = heads.layout(legend_end, chart.rows.len(), CELL_H);

    let mut out = String::new();
    open_svg(
        &mut out,
        &id,
        width,
        height,
        &chart.title,
        &chart.text_alternative(),
    );
    let _ = writeln!(out, "<defs>{}</defs>", hatch(&id));
    write_heading(&mut out, &chart.title, MARGIN, width - 2.0 * MARGIN);
    if !chart.value_label.is_empty() {
        let line = format!("{}, darker for more", chart.value_label);
        let shown = truncate(&line, crate::chars_fitting(width - 2.0 * MARGIN, 11.0));
        write_text(
            &mut out,
            MARGIN,
            36.0,
            "start",
            &format!(" font-size=\"11\" fill=\"{MUTED}\""),
            &shown,
            &line,
        );
    }
    out.push_str(&legend);
    heads.write(&mut out, grid_x0, rows_y - 6.0);

    for (r, label) in chart.rows.iter().enumerate() {
        let y = rows_y + CELL_H * r as f64;
        write_row_label(&mut out, grid_x0, y, CELL_H, label, LABEL_MAX_CHARS);
        for c in 0..ncol {
            let x = grid_x0 + CELL_W * c as f64;
            let rect = |fill: &str| cell_rect(x, y, CELL_W, CELL_H, fill);
            let number = |text: &str, ink: &str, extra: &str| {
                format!(
                    "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\" font-size=\"11\" fill=\"{ink}\"{extra}>{}</text>",
                    px(x + CELL_W / 2.0),
                    px(y + CELL_H / 2.0 + 4.0),
                    escape(text)
                )
            };
            match chart.cell(r, c) {
                Some(cell) => {
                    let (body, value) = match cell.value {
                        Some(v) => {
                            let (fill, ink) = shade(v, max);
                            (
                                format!("{}{}", rect(&fill), number(&v.to_string(), ink, "")),
                                v.to_string(),
                            )
                        }
                        None => (
                            // The dash on a white patch, so the hatch does not hide it.
                            format!(
                                "{}<rect x=\"{}\" y=\"{}\" width=\"14.00\" height=\"12.00\" fill=\"#ffffff\"/>{}",
                                rect(&format!("url(#{id}-suppressed) #ffffff")),
                                px(x + CELL_W / 2.0 - 7.0),
                                px(y + CELL_H / 2.0 - 6.0),
                                number("–", INK, " font-weight=\"bold\"")
                            ),
                            chart.suppressed_text(),
                        ),
                    };
                    let _ = writeln!(
                        out,
                        "<g id=\"fig-{}\"><title>{}: {}</title>{body}</g>",
                        sanitise_id(&cell.figure_id),
                        escape(&cell.figure_id),
                        escape(&value),
                    );
                }
                None => write_no_data_cell(
                    &mut out,
                    (
                        label,
                        chart.columns.get(c).map(|(k, _)| k.as_str()).unwrap_or(""),
                    ),
                    (x, y, CELL_W, CELL_H),
                ),
            }
        }
    }
    heads.write_key(&mut out, MARGIN, key_y, width - 2.0 * MARGIN);
    out.push_str("</svg>\n");
    out
}
