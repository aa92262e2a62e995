//! The cells of the five scopes over a study's sites, for tables other than
//! the ratings that count people per cell (the framework matrix of coded
//! talk): the same cells, output order, figure ids and disclosure control
//! as the ratings tables, so no table suppresses a count by other rules.

use model::{FigureId, Group, Sector};

use crate::Scope;
use crate::disclosure;
use crate::grid::Grid;
use crate::input::Layout;

/// The cells of every scope over a list of sites, in output order: study;
/// sectors (statutory, voluntary); sites in the order given; groups;
/// site x group by site then group.
#[derive(Debug, Clone)]
pub struct ScopeCells {
    grid: Grid,
    layout: Layout,
}

impl ScopeCells {
    /// `sites`: (published label, sector), in output order (by label).
    pub fn new(sites: Vec<(String, Sector)>) -> ScopeCells {
        let layout = Layout {
            sites,
            factors: Vec::new(),
        };
        ScopeCells {
            grid: Grid::new(&layout),
            layout,
        }
    }

    /// How many cells there are, over every scope.
    pub fn len(&self) -> usize {
        self.grid.len()
    }

    pub fn is_empty(&self) -> bool {
        self.grid.len() == 0
    }

    /// The one cell of each scope a person at the `site`-th site in
    /// `group` belongs to.
    pub fn cells_of(&self, site: usize, group: Group) -> [usize; 5] {
        self.grid.cells_of(&self.layout, site, group)
    }

    pub fn scope(&self, cell: usize) -> Scope {
        self.grid.cells[cell].scope
    }

    /// A cell's key columns: (site label, sector code, group code).
    pub fn keys(&self, cell: usize) -> (Option<&str>, Option<&'static str>, Option<&'static str>) {
        self.grid.keys(&self.layout, cell)
    }

    /// A cell's site (index into the sites given), sector and group.
    pub fn parts(&self, cell: usize) -> (Option<usize>, Option<Sector>, Option<Group>) {
        let c = self.grid.cells[cell];
        (c.site, c.sector, c.group)
    }

    /// `<table>/<scope>/<keys...>/<code>`, as the ratings tables' ids.
    pub fn figure_id(&self, table: &str, cell: usize, code: &str) -> FigureId {
        self.grid.figure_id(&self.layout, table, cell, code)
    }

    /// Primary and secondary suppression of one count per cell (people),
    /// publishing the cells of `scopes`: below `min_cell` is suppressed,
    /// then complementary cells until no suppressed count can be recovered
    /// from any total it adds up to ([`disclosure::secondary`]).
    pub fn suppressed(&self, people: &[u64], scopes: &[Scope], min_cell: u32) -> Vec<bool> {
        let published: Vec<bool> = self
            .grid
            .cells
            .iter()
            .map(|c| scopes.contains(&c.scope))
            .collect();
        disclosure::secondary(
            people,
            &published,
            &self.grid.equations(&self.layout),
            min_cell,
        )
    }

    /// The additive relations `(total, parts)` between cells that any
    /// count of people obeys (site = its site x group cells, group = its
    /// site x group cells, sector = its sites, study = sectors = sites =
    /// groups): what a differencing attack reads.
    pub fn relations(&self) -> Vec<(usize, Vec<usize>)> {
        self.grid.equations(&self.layout)
    }
}
