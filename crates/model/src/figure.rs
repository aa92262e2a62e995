//! Figure ids: the stable, readable name of every published number.
//!
//! A figure id is its table's short name followed by the row's key values,
//! joined by `/`: `ratings/site/Site C/supervision`. A statistic of that row
//! is addressed by appending its column: `ratings/site/Site C/supervision/mean`.
//! Ids are built only from labels and codes (never from raw record codes),
//! so adding a site never renames an existing figure.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FigureId(String);

impl FigureId {
    pub fn new(table: &str) -> FigureId {
        FigureId(table.to_string())
    }
    /// Append one key part. A `/` inside a part would make the id ambiguous,
    /// so it is replaced by `-`.
    pub fn part(mut self, part: &str) -> FigureId {
        self.0.push('/');
        if part.contains('/') {
            self.0.push_str(&part.replace('/', "-"));
        } else {
            self.0.push_str(part);
        }
        self
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for FigureId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn figure_id_joins_parts_and_guards_slashes() {
        let id = FigureId::new("ratings")
            .part("site")
            .part("Site C")
            .part("a/b");
        assert_eq!(id.as_str(), "ratings/site/Site C/a-b");
    }
}
