//! The pattern matrix: sites down, factors across, one symbol per cell.

use std::fmt::Write as _;

use crate::{
    ColumnHeads, LegendItem, MatrixLayout, cell_rect, doc_id, escape, open_svg, px, sanitise_id,
    text_width, truncate, write_heading, write_legend, write_no_data_cell, write_row_label,
};

/// The site x factor pattern matrix.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PatternGrid {
    pub title: String,
    /// One row per site, top to bottom.
    pub sites: Vec<String>,
    /// One column per factor, left to right: `(code, label)`. The code heads
    /// the column; the label appears in the key below the grid.
    pub factors: Vec<(String, String)>,
    /// `cells[site][factor]`. Missing cells (a ragged grid) draw as
    /// "no data"; cells beyond the sites or factors are ignored.
    pub cells: Vec<Vec<Cell>>,
}

/// One site's condition for one factor.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Cell {
    /// `in_place`, `partly`, `not_in_place`, `contested` or `unknown`
    /// (see [`Condition::parse`] for the accepted spellings).
    pub condition: String,
    pub figure_id: String,
}

/// The five conditions a cell can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Condition {
    InPlace,
    Partly,
    NotInPlace,
    Contested,
    Unknown,
}

impl Condition {
    pub const ALL: [Condition; 5] = [
        Condition::InPlace,
        Condition::Partly,
        Condition::NotInPlace,
        Condition::Contested,
        Condition::Unknown,
    ];

    /// Read a condition, ignoring case, surrounding space and the choice of
    /// `_`, `-` or space between words. Accepts the codes (`in_place`,
    /// `partly`, `not_in_place`, `contested`, `unknown`, `dont_know`) and the
    /// REDCap numbers (1, 2, 3, 9). Anything else is `Unknown`.
    pub fn parse(s: &str) -> Condition {
        let key: String = s
            .trim()
            .chars()
            .filter(|c| *c != '\'' && *c != '\u{2019}')
            .map(|c| {
                if c == '-' || c == ' ' {
                    '_'
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
        match key.as_str() {
            "in_place" | "inplace" | "1" => Condition::InPlace,
            "partly" | "partly_in_place" | "partial" | "partially" | "2" => Condition::Partly,
            "not_in_place" | "notinplace" | "not" | "3" => Condition::NotInPlace,
            "contested" | "mixed" | "disputed" => Condition::Contested,
            _ => Condition::Unknown,
        }
    }

    /// The code used in data and ids.
    pub fn code(self) -> &'static str {
        match self {
            Condition::InPlace => "in_place",
            Condition::Partly => "partly",
            Condition::NotInPlace => "not_in_place",
            Condition::Contested => "contested",
            Condition::Unknown => "unknown",
        }
    }

    /// Words for a reader.
    pub fn label(self) -> &'static str {
        match self {
            Condition::InPlace => "In place",
            Condition::Partly => "Partly in place",
            Condition::NotInPlace => "Not in place",
            Condition::Contested => "Contested",
            Condition::Unknown => "Unknown",
        }
    }

    /// The symbol as a character, for text beside the chart (the chart
    /// itself draws shapes, so it needs no font with these glyphs).
    pub fn symbol(self) -> char {
        match self {
            Condition::InPlace => '●',
            Condition::Partly => '◐',
            Condition::NotInPlace => '○',
            Condition::Contested => '?',
            Condition::Unknown => '·',
        }
    }

    /// Light cell colours, so the dark symbol stays legible on every one.
    fn fill(self) -> &'static str {
        match self {
            Condition::InPlace => "#80cdc1",
            Condition::Partly => "#c7eae5",
            Condition::NotInPlace => "#f6e8c3",
            Condition::Contested => "#fdb863",
            Condition::Unknown => "#f5f5f5",
        }
    }

    /// The symbol drawn centred on (cx, cy), `r` pixels in radius.
    fn shape(self, cx: f64, cy: f64, r: f64) -> String {
        let (x, y) = (px(cx), px(cy));
        let ring = px(r - 0.75);
        match self {
            Condition::InPlace => format!(
                "<circle cx=\"{x}\" cy=\"{y}\" r=\"{}\" fill=\"#222222\"/>",
                px(r)
            ),
            Condition::Partly => format!(
                "<circle cx=\"{x}\" cy=\"{y}\" r=\"{ring}\" fill=\"#ffffff\" stroke=\"#222222\" stroke-width=\"1.5\"/>\
                 <path d=\"M{x} {} A{r} {r} 0 0 0 {x} {} Z\" fill=\"#222222\"/>",
                px(cy - r),
                px(cy + r),
                r = px(r)
            ),
            Condition::NotInPlace => format!(
                "<circle cx=\"{x}\" cy=\"{y}\" r=\"{ring}\" fill=\"#ffffff\" stroke=\"#222222\" stroke-width=\"1.5\"/>"
            ),
            Condition::Contested => format!(
                "<text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"{}\" font-weight=\"bold\" \
                 fill=\"#222222\">?</text>",
                px(cy + r * 0.75),
                px(r * 2.2)
            ),
            Condition::Unknown => format!(
                "<circle cx=\"{x}\" cy=\"{y}\" r=\"{}\" fill=\"#555555\"/>",
                px(r * 0.3)
            ),
        }
    }
}

impl PatternGrid {
    fn cell(&self, site: usize, factor: usize) -> Option<&Cell> {
        self.cells.get(site).and_then(|row| row.get(factor))
    }

    /// A short plain-text summary of the chart, used as its `<desc>` and
    /// beside the chart in the report: per site, how many factors are in
    /// each condition.
    pub fn text_alternative(&self) -> String {
        let mut out = String::new();
        if !self.title.is_empty() {
            let _ = write!(out, "{}. ", self.title);
        }
        let _ = write!(
            out,
            "Pattern matrix of {} site{} by {} factor{} (",
            self.sites.len(),
            if self.sites.len() == 1 { "" } else { "s" },
            self.factors.len(),
            if self.factors.len() == 1 { "" } else { "s" },
        );
        for (i, c) in Condition::ALL.iter().enumerate() {
            let sep = if i == 0 { "" } else { ", " };
            let _ = write!(out, "{sep}{} {}", c.symbol(), c.label().to_lowercase());
        }
        out.push_str(").");
        if self.sites.is_empty() || self.factors.is_empty() {
            out.push_str(" No cells to show.");
        }
        if self.factors.is_empty() {
            return out;
        }
        for (s, site) in self.sites.iter().enumerate() {
            let mut counts = [0usize; 5];
            let mut missing = 0usize;
            for f in 0..self.factors.len() {
                match self.cell(s, f) {
                    Some(cell) => {
                        let c = Condition::parse(&cell.condition);
                        if let Some(i) = Condition::ALL.iter().position(|x| *x == c) {
                            counts[i] += 1;
                        }
                    }
                    None => missing += 1,
                }
            }
            let mut parts: Vec<String> = Condition::ALL
                .iter()
                .zip(counts)
                .filter(|(_, n)| *n > 0)
                .map(|(c, n)| format!("{n} {}", c.label().to_lowercase()))
                .collect();
            if missing > 0 {
                parts.push(format!("{missing} no data"));
            }
            let _ = write!(out, " {site}: {}.", parts.join(", "));
        }
        out
    }
}

const MARGIN: f64 = 12.0;
const LABEL_SIZE: f64 = 12.0;
// The heat map (`heat.rs`) draws the same cells.
pub(crate) const LABEL_MAX_CHARS: usize = 34;
pub(crate) const CELL_W: f64 = 36.0;
pub(crate) const CELL_H: f64 = 28.0;

/// Draw the pattern matrix as a self-contained SVG document.
pub fn pattern_grid(grid: &PatternGrid) -> String {
    let mut parts: Vec<&str> = vec![grid.title.as_str()];
    parts.extend(grid.sites.iter().map(String::as_str));
    parts.extend(grid.factors.iter().map(|(code, _)| code.as_str()));
    let id = doc_id("grid", &parts);

    let label_w = grid
        .sites
        .iter()
        .map(|s| text_width(&truncate(s, LABEL_MAX_CHARS), LABEL_SIZE))
        .fold(40.0_f64, f64::max);
    let grid_x0 = MARGIN + label_w + 10.0;
    let ncol = grid.factors.len();
    let grid_x1 = grid_x0 + CELL_W * ncol as f64;
    let width = (grid_x1 + MARGIN).max(520.0);

    let heads = ColumnHeads::new(&grid.factors, CELL_W);

    let any_missing = (0..grid.sites.len()).any(|s| (0..ncol).any(|f| grid.cell(s, f).is_none()));
    let mut items: Vec<LegendItem> = Condition::ALL
        .iter()
        .map(|c| LegendItem {
            swatch: format!(
                "<rect width=\"14\" height=\"14\" fill=\"{}\" stroke=\"#999999\" stroke-width=\"0.5\"/>{}",
                c.fill(),
                c.shape(7.0, 7.0, 5.5)
            ),
            label: c.label().to_string(),
        })
        .collect();
    if any_missing {
        items.push(LegendItem::no_data());
    }
    let mut legend = String::new();
    let legend_end = write_legend(&mut legend, &items, MARGIN, 32.0, width - MARGIN);
    let MatrixLayout {
        rows_y,
        key_y,
        height,
    } = heads.layout(legend_end, grid.sites.len(), CELL_H);

    let mut out = String::new();
    open_svg(
        &mut out,
        &id,
        width,
        height,
        &grid.title,
        &grid.text_alternative(),
    );
    write_heading(&mut out, &grid.title, MARGIN, width - 2.0 * MARGIN);
    out.push_str(&legend);

    heads.write(&mut out, grid_x0, rows_y - 6.0);

    // Rows of cells.
    for (s, site) in grid.sites.iter().enumerate() {
        let y = rows_y + CELL_H * s as f64;
        write_row_label(&mut out, grid_x0, y, CELL_H, site, LABEL_MAX_CHARS);
        for f in 0..ncol {
            let x = grid_x0 + CELL_W * f as f64;
            let (cx, cy) = (x + CELL_W / 2.0, y + CELL_H / 2.0);
            let rect = |fill: &str| cell_rect(x, y, CELL_W, CELL_H, fill);
            match grid.cell(s, f) {
                Some(cell) => {
                    let c = Condition::parse(&cell.condition);
                    let mut value = c.label().to_string();
                    if c == Condition::Unknown && !cell.condition.trim().is_empty() {
                        let raw = cell.condition.trim();
                        if !raw.eq_ignore_ascii_case("unknown") {
                            value = format!("{value} ({raw})");
                        }
                    }
                    let _ = writeln!(
                        out,
                        "<g id=\"fig-{}\"><title>{}: {}</title>{}{}</g>",
                        sanitise_id(&cell.figure_id),
                        escape(&cell.figure_id),
                        escape(&value),
                        rect(c.fill()),
                        c.shape(cx, cy, 7.0)
                    );
                }
                None => write_no_data_cell(
                    &mut out,
                    (
                        site,
                        grid.factors.get(f).map(|(c, _)| c.as_str()).unwrap_or(""),
                    ),
                    (x, y, CELL_W, CELL_H),
                ),
            }
        }
    }

    // Factor key.
    heads.write_key(&mut out, MARGIN, key_y, width - 2.0 * MARGIN);
    out.push_str("</svg>\n");
    out
}
