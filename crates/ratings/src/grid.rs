//! The cells of the five scopes, in output order, and the additive
//! relations between them.
//!
//! Cell order is the output sort order: study; sectors (statutory,
//! voluntary); sites by label; groups in `Group::ALL` order; site x group by
//! site label then group. A person at site `s` in group `g` belongs to
//! exactly one cell of each scope ([`Grid::cells_of`]).

use model::{FigureId, Group, Sector};

use crate::Scope;
use crate::input::Layout;

/// The key of one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cell {
    pub scope: Scope,
    pub site: Option<usize>,
    pub sector: Option<Sector>,
    pub group: Option<Group>,
}

#[derive(Debug, Clone)]
pub(crate) struct Grid {
    pub cells: Vec<Cell>,
    sites: usize,
}

const G: usize = 5;

fn group_index(g: Group) -> usize {
    Group::ALL.iter().position(|x| *x == g).unwrap_or(0)
}
fn sector_index(s: Sector) -> usize {
    Sector::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

impl Grid {
    pub(crate) fn new(layout: &Layout) -> Grid {
        let mut cells = vec![Cell {
            scope: Scope::Study,
            site: None,
            sector: None,
            group: None,
        }];
        for s in Sector::ALL {
            cells.push(Cell {
                scope: Scope::Sector,
                site: None,
                sector: Some(s),
                group: None,
            });
        }
        for (i, (_, sector)) in layout.sites.iter().enumerate() {
            cells.push(Cell {
                scope: Scope::Site,
                site: Some(i),
                sector: Some(*sector),
                group: None,
            });
        }
        for g in Group::ALL {
            cells.push(Cell {
                scope: Scope::Group,
                site: None,
                sector: None,
                group: Some(g),
            });
        }
        for (i, (_, sector)) in layout.sites.iter().enumerate() {
            for g in Group::ALL {
                cells.push(Cell {
                    scope: Scope::SiteGroup,
                    site: Some(i),
                    sector: Some(*sector),
                    group: Some(g),
                });
            }
        }
        Grid {
            cells,
            sites: layout.sites.len(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.cells.len()
    }
    pub(crate) fn study(&self) -> usize {
        0
    }
    pub(crate) fn sector(&self, s: Sector) -> usize {
        1 + sector_index(s)
    }
    pub(crate) fn site(&self, site: usize) -> usize {
        3 + site
    }
    pub(crate) fn group(&self, g: Group) -> usize {
        3 + self.sites + group_index(g)
    }
    pub(crate) fn site_group(&self, site: usize, g: Group) -> usize {
        3 + self.sites + G + site * G + group_index(g)
    }

    /// The one cell of each scope a person at `site` in `group` belongs to.
    pub(crate) fn cells_of(&self, layout: &Layout, site: usize, group: Group) -> [usize; 5] {
        let sector = layout
            .sites
            .get(site)
            .map(|s| s.1)
            .unwrap_or(Sector::Statutory);
        [
            self.study(),
            self.sector(sector),
            self.site(site),
            self.group(group),
            self.site_group(site, group),
        ]
    }

    /// Additive relations `parent = sum(children)` that hold for any count:
    /// site = its site x group cells; group = its site x group cells;
    /// sector = its sites; study = sectors = sites = groups.
    ///
    /// Innermost relations come first: secondary suppression repairs the
    /// first relation that leaks, so a suppressed site is paired with a
    /// site of its own sector (which also protects it in the study total)
    /// rather than with the smallest site of the study.
    pub(crate) fn equations(&self, layout: &Layout) -> Vec<(usize, Vec<usize>)> {
        let mut eqs = Vec::new();
        for s in 0..self.sites {
            eqs.push((
                self.site(s),
                Group::ALL.iter().map(|g| self.site_group(s, *g)).collect(),
            ));
        }
        for g in Group::ALL {
            eqs.push((
                self.group(g),
                (0..self.sites).map(|s| self.site_group(s, g)).collect(),
            ));
        }
        for sector in Sector::ALL {
            let children = (0..self.sites)
                .filter(|s| layout.sites[*s].1 == sector)
                .map(|s| self.site(s))
                .collect();
            eqs.push((self.sector(sector), children));
        }
        eqs.push((
            self.study(),
            Sector::ALL.iter().map(|s| self.sector(*s)).collect(),
        ));
        eqs.push((
            self.study(),
            (0..self.sites).map(|s| self.site(s)).collect(),
        ));
        eqs.push((
            self.study(),
            Group::ALL.iter().map(|g| self.group(*g)).collect(),
        ));
        eqs
    }

    /// `<table>/<scope>/<keys...>/<factor>`: a sector row is keyed by its
    /// sector, a site row by its site label (its sector is implied).
    pub(crate) fn figure_id(
        &self,
        layout: &Layout,
        table: &str,
        cell: usize,
        factor: &str,
    ) -> FigureId {
        let c = self.cells[cell];
        let mut id = FigureId::new(table).part(c.scope.code());
        if c.scope == Scope::Sector
            && let Some(s) = c.sector
        {
            id = id.part(s.code());
        }
        if let Some(site) = c.site {
            id = id.part(&layout.sites[site].0);
        }
        if let Some(g) = c.group {
            id = id.part(g.code());
        }
        id.part(factor)
    }

    /// Key columns of a cell: (site label, sector code, group code).
    pub(crate) fn keys<'a>(
        &self,
        layout: &'a Layout,
        cell: usize,
    ) -> (Option<&'a str>, Option<&'static str>, Option<&'static str>) {
        let c = self.cells[cell];
        (
            c.site.map(|s| layout.sites[s].0.as_str()),
            c.sector.map(Sector::code),
            c.group.map(Group::code),
        )
    }
}

/// Per cell and factor, the histograms of every coded answer.
#[derive(Debug, Clone)]
pub(crate) struct Histograms {
    pub factors: usize,
    /// Counts of importance 1..=5.
    pub importance: Vec<[u64; 5]>,
    /// Counts of direction facilitator, barrier, both, neither.
    pub direction: Vec<[u64; 4]>,
    /// Counts of pattern in place, partly, not in place (don't know excluded).
    pub pattern: Vec<[u64; 3]>,
}

impl Histograms {
    pub(crate) fn at(&self, cell: usize, factor: usize) -> usize {
        cell * self.factors + factor
    }
}

pub(crate) fn histograms(
    grid: &Grid,
    layout: &Layout,
    answers: &[crate::input::Answer],
) -> Histograms {
    let f = layout.factors.len();
    let size = grid.len() * f;
    let mut h = Histograms {
        factors: f,
        importance: vec![[0; 5]; size],
        direction: vec![[0; 4]; size],
        pattern: vec![[0; 3]; size],
    };
    for a in answers {
        for cell in grid.cells_of(layout, a.who.site(), a.who.group) {
            let i = h.at(cell, a.factor());
            if let Some(v) = a.importance {
                h.importance[i][usize::from(v) - 1] += 1;
            }
            if let Some(v) = a.direction {
                h.direction[i][usize::from(v) - 1] += 1;
            }
            if let Some(v) = a.pattern {
                h.pattern[i][usize::from(v) - 1] += 1;
            }
        }
    }
    h
}
