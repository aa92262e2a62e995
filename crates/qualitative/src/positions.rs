//! Selection positions (UTF-16 code units or code points) to byte offsets.

use std::fmt;

use model::Positions;

/// How a project counts positions, once `auto` is resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PositionUnit {
    /// UTF-16 code units: NVivo. A character outside the Basic Multilingual
    /// Plane (an emoji) counts 2.
    Utf16,
    /// Unicode code points: the REFI-QDA standard.
    CodePoints,
}

impl PositionUnit {
    /// The setting of `[qualitative] positions` applied to a project whose
    /// `<Project origin>` is `origin`: `auto` is UTF-16 where the origin
    /// names NVivo (any case), code points otherwise.
    pub fn resolve(setting: Positions, origin: &str) -> PositionUnit {
        match setting {
            Positions::Utf16 => PositionUnit::Utf16,
            Positions::Codepoints => PositionUnit::CodePoints,
            Positions::Auto if origin.to_lowercase().contains("nvivo") => PositionUnit::Utf16,
            Positions::Auto => PositionUnit::CodePoints,
        }
    }
    fn width(self, c: char) -> u64 {
        match self {
            PositionUnit::Utf16 => c.len_utf16() as u64,
            PositionUnit::CodePoints => 1,
        }
    }
    /// The length of `text` in this unit.
    pub fn length(self, text: &str) -> u64 {
        match self {
            PositionUnit::Utf16 => text.chars().map(|c| c.len_utf16() as u64).sum(),
            PositionUnit::CodePoints => text.chars().count() as u64,
        }
    }
}

impl fmt::Display for PositionUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PositionUnit::Utf16 => "UTF-16 code units",
            PositionUnit::CodePoints => "code points",
        })
    }
}

/// Why a position has no byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Misplaced {
    /// Past the end of the text.
    OutOfRange,
    /// Inside a character that takes two UTF-16 code units.
    SplitsCharacter,
}

/// The byte offset in `text` of each position (in `unit`), in one pass over
/// the text however many positions there are.
pub(crate) fn byte_offsets(
    text: &str,
    unit: PositionUnit,
    positions: &[u64],
) -> Vec<Result<usize, Misplaced>> {
    let mut order: Vec<usize> = (0..positions.len()).collect();
    order.sort_by_key(|&i| positions[i]);
    let mut out = vec![Err(Misplaced::OutOfRange); positions.len()];
    let mut chars = text.char_indices().peekable();
    // Units counted so far and the byte where the next character starts.
    let (mut units, mut byte) = (0u64, 0usize);
    for i in order {
        let target = positions[i];
        out[i] = loop {
            if units == target {
                break Ok(byte);
            }
            match chars.peek() {
                None => break Err(Misplaced::OutOfRange),
                Some(&(at, c)) => {
                    let next = units + unit.width(c);
                    if next > target {
                        break Err(Misplaced::SplitsCharacter);
                    }
                    units = next;
                    byte = at + c.len_utf8();
                    chars.next();
                }
            }
        };
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_points_and_utf16_differ_after_an_astral_character() {
        // "a😀b": 😀 is one code point, two UTF-16 units, four bytes.
        let text = "a😀b";
        assert_eq!(
            byte_offsets(text, PositionUnit::CodePoints, &[0, 1, 2, 3]),
            vec![Ok(0), Ok(1), Ok(5), Ok(6)]
        );
        assert_eq!(
            byte_offsets(text, PositionUnit::Utf16, &[0, 1, 3, 4]),
            vec![Ok(0), Ok(1), Ok(5), Ok(6)]
        );
        assert_eq!(
            byte_offsets(text, PositionUnit::Utf16, &[2]),
            vec![Err(Misplaced::SplitsCharacter)]
        );
        assert_eq!(
            byte_offsets(text, PositionUnit::CodePoints, &[4]),
            vec![Err(Misplaced::OutOfRange)]
        );
        assert_eq!(
            byte_offsets(text, PositionUnit::Utf16, &[5]),
            vec![Err(Misplaced::OutOfRange)]
        );
    }

    #[test]
    fn positions_in_any_order_and_repeated() {
        let text = "é\r\nü😀x";
        // code points: é=0, \r=1, \n=2, ü=3, 😀=4, x=5, end=6;
        // bytes: é 0..2, \r 2, \n 3, ü 4..6, 😀 6..10, x 10, end 11.
        let got = byte_offsets(text, PositionUnit::CodePoints, &[6, 0, 4, 4, 3, 7, 1]);
        assert_eq!(
            got,
            vec![
                Ok(text.len()),
                Ok(0),
                Ok(6),
                Ok(6),
                Ok(4),
                Err(Misplaced::OutOfRange),
                Ok(2)
            ]
        );
        // A split position does not stop later ones from being found.
        let got = byte_offsets(text, PositionUnit::Utf16, &[5, 7, 6]);
        assert_eq!(
            got,
            vec![Err(Misplaced::SplitsCharacter), Ok(text.len()), Ok(10)]
        );
    }

    #[test]
    fn auto_counts_utf16_for_nvivo_only() {
        assert_eq!(
            PositionUnit::resolve(Positions::Auto, "NVivo 14.23.2 (Windows)"),
            PositionUnit::Utf16
        );
        assert_eq!(
            PositionUnit::resolve(Positions::Auto, "ATLAS.ti 23"),
            PositionUnit::CodePoints
        );
        assert_eq!(
            PositionUnit::resolve(Positions::Auto, ""),
            PositionUnit::CodePoints
        );
        assert_eq!(
            PositionUnit::resolve(Positions::Codepoints, "nvivo"),
            PositionUnit::CodePoints
        );
        assert_eq!(
            PositionUnit::resolve(Positions::Utf16, "MAXQDA"),
            PositionUnit::Utf16
        );
        assert_eq!(PositionUnit::Utf16.length("a😀"), 3);
        assert_eq!(PositionUnit::CodePoints.length("a😀"), 2);
    }
}
