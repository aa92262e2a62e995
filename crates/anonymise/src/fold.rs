//! Case- and accent-insensitive literal matching that keeps byte offsets.
//!
//! Measured choice: `aho-corasick`'s ASCII case folding misses `ZOË` for
//! `Zoë` and `JOSÉ` for `José` (see the tests), and a Unicode regex
//! alternation of thousands of names is slow to build. So both the
//! patterns and the haystack are *folded* char by char (lowercase, Latin
//! diacritics and combining marks dropped, curly apostrophes straightened,
//! whitespace runs collapsed) and searched with one `aho-corasick`
//! automaton; every folded byte remembers the original byte where its char
//! started, so a match maps back to exact original offsets. Word boundaries
//! are checked on the original text. Accent-insensitivity is deliberate:
//! `Jose` for `José` is the same person (fail closed).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::AnonymiseError;

fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036f}' | '\u{1ab0}'..='\u{1aff}' | '\u{1dc0}'..='\u{1dff}' | '\u{20d0}'..='\u{20ff}' | '\u{fe20}'..='\u{fe2f}')
}

/// A char that continues a word: letters, digits and combining marks.
pub(crate) fn is_word(c: char) -> bool {
    c.is_alphanumeric() || is_combining(c)
}

fn strip_diacritic(c: char) -> char {
    match c {
        'à'..='å' | 'ā' | 'ă' | 'ą' => 'a',
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => 'c',
        'ď' | 'đ' => 'd',
        'è'..='ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => 'e',
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => 'g',
        'ĥ' | 'ħ' => 'h',
        'ì'..='ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => 'i',
        'ĵ' => 'j',
        'ķ' => 'k',
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => 'l',
        'ñ' | 'ń' | 'ņ' | 'ň' => 'n',
        'ò'..='ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => 'o',
        'ŕ' | 'ŗ' | 'ř' => 'r',
        'ś' | 'ŝ' | 'ş' | 'š' | 'ș' => 's',
        'ţ' | 'ť' | 'ŧ' | 'ț' => 't',
        'ù'..='ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => 'u',
        'ŵ' => 'w',
        'ý' | 'ÿ' | 'ŷ' => 'y',
        'ź' | 'ż' | 'ž' => 'z',
        'ς' => 'σ',
        '\u{2018}' | '\u{2019}' | '\u{02bc}' | '`' | '\u{b4}' => '\'',
        '\u{2010}'..='\u{2013}' => '-',
        other => other,
    }
}

/// Folds `text`, pushing each folded char and, for each folded byte, the
/// original byte offset of the char it came from.
pub(crate) fn fold_into(text: &str, out: &mut String, starts: Option<&mut Vec<u32>>) {
    out.clear();
    let mut starts = starts;
    if let Some(s) = starts.as_deref_mut() {
        s.clear();
    }
    let mut prev_space = false;
    for (i, c) in text.char_indices() {
        if is_combining(c) {
            continue;
        }
        if c.is_whitespace() {
            if prev_space {
                continue;
            }
            prev_space = true;
            out.push(' ');
            if let Some(s) = starts.as_deref_mut() {
                s.push(i as u32);
            }
            continue;
        }
        prev_space = false;
        for lc in c.to_lowercase() {
            if is_combining(lc) {
                continue;
            }
            let f = strip_diacritic(lc);
            out.push(f);
            if let Some(s) = starts.as_deref_mut() {
                s.extend(std::iter::repeat_n(i as u32, f.len_utf8()));
            }
        }
    }
}

/// Every line of `text` (as [`str::lines`] splits it) folded as
/// [`fold_into`] folds it, each followed by `\n`, appended to `out`: the
/// folds of all lines in one pass over the bytes (a test compares it with
/// folding line by line).
pub(crate) fn fold_lines(text: &str, out: &mut Vec<u8>) {
    // Classes are no ASCII byte.
    const SPACE: u8 = 0x80;
    const NEWLINE: u8 = 0x81;
    const CR: u8 = 0x82;
    // For each ASCII byte: what it folds to, or a class.
    const TABLE: [u8; 128] = {
        let mut t = [0u8; 128];
        let mut b = 0;
        while b < 128 {
            t[b] = match b as u8 {
                b'\t' | 0x0B | 0x0C | b' ' => SPACE,
                b'\n' => NEWLINE,
                b'\r' => CR,
                b'`' => b'\'',
                c => c.to_ascii_lowercase(),
            };
            b += 1;
        }
        t
    };
    out.reserve(text.len() + 1);
    let bytes = text.as_bytes();
    let mut prev_space = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            i += 1;
            match TABLE[b as usize] {
                NEWLINE => {
                    out.push(b'\n');
                    prev_space = false;
                }
                // `\r\n` ends a line; any other `\r` is whitespace.
                CR if bytes.get(i) == Some(&b'\n') => {}
                SPACE | CR => {
                    if !prev_space {
                        out.push(b' ');
                        prev_space = true;
                    }
                }
                folded => {
                    out.push(folded);
                    prev_space = false;
                }
            }
            continue;
        }
        let Some(c) = text[i..].chars().next() else { break };
        i += c.len_utf8();
        // As in `fold_into`.
        if is_combining(c) {
            continue;
        }
        if c.is_whitespace() {
            if !prev_space {
                out.push(b' ');
                prev_space = true;
            }
            continue;
        }
        prev_space = false;
        let mut buf = [0u8; 4];
        for lc in c.to_lowercase() {
            if is_combining(lc) {
                continue;
            }
            out.extend_from_slice(strip_diacritic(lc).encode_utf8(&mut buf).as_bytes());
        }
    }
    if !text.is_empty() && !text.ends_with('\n') {
        out.push(b'\n');
    }
}

/// A pattern's fold, trimmed.
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::new();
    fold_into(text.trim(), &mut out, None);
    out.trim().to_string()
}

/// One literal to find, with what it is.
#[derive(Debug, Clone)]
pub(crate) struct Literal<T> {
    pub folded: String,
    pub left_word: bool,
    pub right_word: bool,
    pub tag: T,
}

/// Many literals, matched folded, on word boundaries.
pub(crate) struct Literals<T> {
    ac: Option<AhoCorasick>,
    pats: Vec<Literal<T>>,
}

impl<T: Clone> Literals<T> {
    /// Literals as `(text, tag)`; a text folding to the same string as an
    /// earlier one keeps the earlier tag (callers list by priority).
    pub fn new(items: impl IntoIterator<Item = (String, T)>) -> Result<Literals<T>, AnonymiseError> {
        let mut pats: Vec<Literal<T>> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (text, tag) in items {
            let folded = fold(&text);
            if folded.is_empty() || !seen.insert(folded.clone()) {
                continue;
            }
            let left_word = folded.chars().next().is_some_and(is_word);
            let right_word = folded.chars().next_back().is_some_and(is_word);
            pats.push(Literal { folded, left_word, right_word, tag });
        }
        let ac = if pats.is_empty() {
            None
        } else {
            let ac = AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .build(pats.iter().map(|p| p.folded.as_bytes()))
                .map_err(|e| AnonymiseError::Matcher(e.to_string()))?;
            Some(ac)
        };
        Ok(Literals { ac, pats })
    }

    /// Every match on word boundaries, overlapping ones included, as
    /// `(start, end, tag)` in original byte offsets.
    pub fn find(&self, text: &str, out: &mut Vec<(usize, usize, T)>) {
        let Some(ac) = &self.ac else { return };
        let mut folded = String::with_capacity(text.len());
        let mut starts = Vec::with_capacity(text.len());
        fold_into(text, &mut folded, Some(&mut starts));
        for m in ac.find_overlapping_iter(folded.as_str()) {
            let Some(p) = self.pats.get(m.pattern().as_usize()) else { continue };
            let (fs, fe) = (m.start(), m.end());
            if fe == 0 || fe > starts.len() {
                continue;
            }
            // The match must cover whole folded chars of the original.
            if fs > 0 && starts[fs - 1] == starts[fs] {
                continue;
            }
            if fe < starts.len() && starts[fe] == starts[fe - 1] {
                continue;
            }
            let start = starts[fs] as usize;
            let last = starts[fe - 1] as usize;
            let Some(last_char) = text[last..].chars().next() else { continue };
            let mut end = last + last_char.len_utf8();
            // Trailing combining marks belong to the matched letter.
            for c in text[end..].chars() {
                if !is_combining(c) {
                    break;
                }
                end += c.len_utf8();
            }
            if p.left_word && text[..start].chars().next_back().is_some_and(is_word) {
                continue;
            }
            if p.right_word && text[end..].chars().next().is_some_and(is_word) {
                continue;
            }
            out.push((start, end, p.tag.clone()));
        }
    }

    /// Every literal on word boundaries in already folded text, as its
    /// start (a byte offset in `folded`) and tag.
    pub fn find_folded(&self, folded: &str, mut hit: impl FnMut(usize, &T)) {
        let Some(ac) = &self.ac else { return };
        for m in ac.find_overlapping_iter(folded) {
            let Some(p) = self.pats.get(m.pattern().as_usize()) else { continue };
            if p.left_word && folded[..m.start()].chars().next_back().is_some_and(is_word) {
                continue;
            }
            if p.right_word && folded[m.end()..].chars().next().is_some_and(is_word) {
                continue;
            }
            hit(m.start(), &p.tag);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans<'a>(lits: &Literals<u8>, text: &'a str) -> Vec<&'a str> {
        let mut out = Vec::new();
        lits.find(text, &mut out);
        out.sort();
        out.into_iter().map(|(s, e, _)| &text[s..e]).collect()
    }

    #[test]
    fn ascii_case_folding_misses_accented_capitals_ours_does_not() {
        let names = ["Zoë", "José"];
        let hay = "ZOË said JOSÉ was there";
        let ascii = AhoCorasickBuilder::new().ascii_case_insensitive(true).build(names).unwrap();
        assert_eq!(ascii.find_iter(hay).count(), 0, "ASCII folding cannot match Ë/É");
        let ours = Literals::new(names.iter().map(|n| (n.to_string(), 0u8))).unwrap();
        assert_eq!(spans(&ours, hay), ["ZOË", "JOSÉ"]);
    }

    #[test]
    fn decomposed_unaccented_and_possessive_forms_match_with_exact_offsets() {
        let ours = Literals::new([("Zoë".to_string(), 0u8), ("O'Neill".to_string(), 1)]).unwrap();
        assert_eq!(spans(&ours, "Zoe\u{308}'s team"), ["Zoe\u{308}"]);
        assert_eq!(spans(&ours, "Zoe and zoë"), ["Zoe", "zoë"]);
        assert_eq!(spans(&ours, "Mrs O\u{2019}Neill\u{2019}s"), ["O\u{2019}Neill"]);
        assert!(spans(&ours, "Zoëlla and zoey").is_empty(), "word boundaries");
    }

    #[test]
    fn folding_all_lines_at_once_is_folding_line_by_line() {
        let by_line = |text: &str| {
            let mut out = String::new();
            let mut line_fold = String::new();
            for line in text.lines() {
                fold_into(line, &mut line_fold, None);
                out.push_str(&line_fold);
                out.push('\n');
            }
            out
        };
        let every_ascii: String = (0u8..128).map(char::from).collect();
        let tricky = [
            "",
            "\n",
            "\r",
            "a\r",
            "a\r\n",
            "a\r\r\n b",
            "\r\n\r\n",
            "x\n\ny\n",
            "  Lead and trail  \t\n\tTAB\x0b\x0c|",
            "Zoe\u{308} ZOË \u{301}after a space \u{a0}nbsp\u{2028}ls\u{85}nel",
            "İstanbul ẞ ß ﬃ Ǆ `grave` \u{2019}curly\u{2018} \u{2013}dash",
            "O\u{2019}Neill\r\nMRS O`NEILL\rSMITH\n\u{feff}bom",
            "mixed é\nascii only\nñ\n",
            every_ascii.as_str(),
        ];
        for text in tricky {
            let mut out = Vec::new();
            fold_lines(text, &mut out);
            assert_eq!(String::from_utf8(out).unwrap(), by_line(text), "{text:?}");
        }
        // Every char of Unicode, next to spaces, line breaks and letters.
        let every: String = (0..=0x10ffff_u32).filter_map(char::from_u32).flat_map(|c| [c, ' ', c, 'a', '\r', c, '\n']).collect();
        let mut out = Vec::new();
        fold_lines(&every, &mut out);
        assert!(String::from_utf8(out).unwrap() == by_line(&every));
    }

    #[test]
    fn expanding_lowercase_keeps_offsets() {
        // 'İ' lowercases to two chars; offsets must still map back.
        let ours = Literals::new([("Ayşe".to_string(), 0u8)]).unwrap();
        assert_eq!(spans(&ours, "İİ AYŞE İ"), ["AYŞE"]);
        assert_eq!(spans(&ours, "x  Ayse"), ["Ayse"]);
    }
}
