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
use rustc_hash::FxBuildHasher;

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

/// What an ASCII byte folds to (lowercase, a grave accent straightened to
/// an apostrophe), or [`SPACE`] for whitespace (`char::is_whitespace`).
const ASCII_FOLD: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        t[b] = match b as u8 {
            b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ' => SPACE,
            b'`' => b'\'',
            c => c.to_ascii_lowercase(),
        };
        b += 1;
    }
    t
};
/// No ASCII byte: the class of whitespace in [`ASCII_FOLD`].
const SPACE: u8 = 0x80;

/// Folds `text`, pushing each folded char and, for each folded byte, the
/// original byte offset of the char it came from.
pub(crate) fn fold_into(text: &str, out: &mut String, starts: Option<&mut Vec<u32>>) {
    let mut bytes = std::mem::take(out).into_bytes();
    fold_bytes(text, &mut bytes, starts);
    // Whole chars are pushed: the fold is UTF-8 (a lossy conversion would never change it).
    *out = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
}

/// [`fold_into`] into bytes: ASCII bytes through [`ASCII_FOLD`], other
/// chars as [`fold_into`] always folded them (a test compares the two on
/// every char of Unicode).
pub(crate) fn fold_bytes(text: &str, out: &mut Vec<u8>, starts: Option<&mut Vec<u32>>) {
    out.clear();
    let mut starts = starts;
    if let Some(s) = starts.as_deref_mut() {
        s.clear();
    }
    let bytes = text.as_bytes();
    let mut prev_space = false;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            let f = ASCII_FOLD[b as usize];
            if f == SPACE {
                if !prev_space {
                    out.push(b' ');
                    if let Some(s) = starts.as_deref_mut() {
                        s.push(i as u32);
                    }
                    prev_space = true;
                }
            } else {
                out.push(f);
                if let Some(s) = starts.as_deref_mut() {
                    s.push(i as u32);
                }
                prev_space = false;
            }
            i += 1;
            continue;
        }
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        let at = i;
        i += c.len_utf8();
        if is_combining(c) {
            continue;
        }
        if c.is_whitespace() {
            if prev_space {
                continue;
            }
            prev_space = true;
            out.push(b' ');
            if let Some(s) = starts.as_deref_mut() {
                s.push(at as u32);
            }
            continue;
        }
        prev_space = false;
        let mut buf = [0u8; 4];
        for lc in c.to_lowercase() {
            if is_combining(lc) {
                continue;
            }
            let f = strip_diacritic(lc);
            out.extend_from_slice(f.encode_utf8(&mut buf).as_bytes());
            if let Some(s) = starts.as_deref_mut() {
                s.extend(std::iter::repeat_n(at as u32, f.len_utf8()));
            }
        }
    }
}

/// The fold of an ASCII text, as [`fold_bytes`] makes it, without a start
/// per byte: each ASCII char folds to one byte but whitespace runs, which
/// fold to one space. `gaps` gets, after each run of dropped whitespace,
/// `(folded offset, original offset - folded offset)` from there on; see
/// [`ascii_start`].
fn fold_ascii(text: &[u8], out: &mut Vec<u8>, gaps: &mut Vec<(u32, u32)>) {
    out.clear();
    gaps.clear();
    out.reserve(text.len());
    let mut prev_space = false;
    for (i, &b) in text.iter().enumerate() {
        let f = ASCII_FOLD[usize::from(b & 0x7f)];
        if f == SPACE {
            if prev_space {
                let at = out.len() as u32;
                let shift = (i + 1 - out.len()) as u32;
                match gaps.last_mut() {
                    Some(g) if g.0 == at => g.1 = shift,
                    _ => gaps.push((at, shift)),
                }
                continue;
            }
            prev_space = true;
            out.push(b' ');
        } else {
            prev_space = false;
            out.push(f);
        }
    }
}

/// The original offset of folded byte `k` of an ASCII text (see [`fold_ascii`]).
fn ascii_start(gaps: &[(u32, u32)], k: usize) -> usize {
    let n = gaps.partition_point(|g| g.0 as usize <= k);
    k + if n == 0 { 0 } else { gaps[n - 1].1 as usize }
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
        let Some(c) = text[i..].chars().next() else {
            break;
        };
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
///
/// Literals with exactly one `@` (emails: a national study has hundreds of
/// thousands, long ones) are not put in the automaton but looked up around
/// each `@` of the folded text (see [`Emails`]): the same matches, and an
/// automaton half the size, built in half the time.
pub(crate) struct Literals<T> {
    ac: Option<AhoCorasick>,
    /// The index in `pats` of each pattern of the automaton.
    ac_pats: Vec<u32>,
    emails: Emails,
    pats: Vec<Literal<T>>,
}

/// Folded literals with exactly one `@`, by the hash of their bytes.
#[derive(Default)]
struct Emails {
    /// `(hash, index in the literals)`, sorted.
    full: Vec<(u64, u32)>,
    /// The hashes of every `@` and what follows it, of those literals, sorted.
    domains: Vec<u64>,
    /// Longest part before and after the `@`, in bytes.
    reach: (usize, usize),
}

impl Emails {
    /// Every occurrence of a literal in `folded`, as `(index, start, end)`
    /// (`bytes` gives a literal's bytes by its index): one contains
    /// exactly one `@` of `folded`, with at most `reach.0` bytes before it
    /// and `reach.1` after, so trying every such substring finds each
    /// occurrence once, as the automaton would.
    fn find<'a>(
        &self,
        folded: &[u8],
        bytes: impl Fn(u32) -> &'a [u8],
        mut hit: impl FnMut(u32, usize, usize),
    ) {
        if self.full.is_empty() || !folded.contains(&b'@') {
            return;
        }
        let mut from = 0;
        while let Some(k) = folded[from..].iter().position(|&b| b == b'@') {
            let q = from + k;
            from = q + 1;
            let lo = q.saturating_sub(self.reach.0);
            let hi = (q + 1 + self.reach.1).min(folded.len());
            for e in q + 1..=hi {
                if self.domains.binary_search(&fx_hash(&folded[q..e])).is_err() {
                    continue;
                }
                for s in lo..=q {
                    let h = fx_hash(&folded[s..e]);
                    let first = self.full.partition_point(|f| f.0 < h);
                    for &(_, i) in self.full[first..].iter().take_while(|f| f.0 == h) {
                        if bytes(i) == &folded[s..e] {
                            hit(i, s, e);
                        }
                    }
                }
            }
        }
    }
}

/// A fast hash of bytes (FxHash, as in rustc): the gazetteer is the study's
/// own data, hashed to find duplicates and emails. A hash only finds
/// candidates whose bytes are then compared, so no output depends on it.
fn fx_hash(bytes: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    FxBuildHasher.hash_one(bytes)
}

thread_local! {
    /// The fold of the text being searched and where its bytes start (or,
    /// for ASCII text, its gaps), reused from call to call.
    static FOLDED: std::cell::RefCell<(Vec<u8>, Vec<u32>, Vec<(u32, u32)>)> = const { std::cell::RefCell::new((Vec::new(), Vec::new(), Vec::new())) };
}

impl<T: Clone> Literals<T> {
    /// Literals as `(text, tag)`; a text folding to the same string as an
    /// earlier one keeps the earlier tag (callers list by priority).
    pub(crate) fn new<S: AsRef<str>>(
        items: impl IntoIterator<Item = (S, T)>,
    ) -> Result<Literals<T>, AnonymiseError> {
        // Every fold, one after another in `arena`, then the first of each.
        let mut arena = String::new();
        let mut folds: Vec<(usize, usize, T)> = Vec::new();
        let mut folded = String::new();
        for (text, tag) in items {
            fold_into(text.as_ref().trim(), &mut folded, None);
            let f = folded.trim();
            if !f.is_empty() {
                folds.push((arena.len(), arena.len() + f.len(), tag));
                arena.push_str(f);
            }
        }
        let mut pats: Vec<Literal<T>> = Vec::new();
        {
            let mut seen =
                std::collections::HashSet::with_capacity_and_hasher(folds.len(), FxBuildHasher);
            for (s, e, tag) in folds {
                let f = &arena[s..e];
                if !seen.insert(f) {
                    continue;
                }
                let left_word = f.chars().next().is_some_and(is_word);
                let right_word = f.chars().next_back().is_some_and(is_word);
                pats.push(Literal {
                    folded: f.to_string(),
                    left_word,
                    right_word,
                    tag,
                });
            }
        }
        let mut emails = Emails::default();
        let mut ac_pats = Vec::new();
        for (i, p) in pats.iter().enumerate() {
            let i = u32::try_from(i)
                .map_err(|_| AnonymiseError::Matcher("too many literals".into()))?;
            match p.folded.split_once('@') {
                Some((local, domain)) if !domain.contains('@') => {
                    emails.reach = (
                        emails.reach.0.max(local.len()),
                        emails.reach.1.max(domain.len()),
                    );
                    emails
                        .domains
                        .push(fx_hash(&p.folded.as_bytes()[local.len()..]));
                    emails.full.push((fx_hash(p.folded.as_bytes()), i));
                }
                _ => ac_pats.push(i),
            }
        }
        emails.full.sort_unstable();
        emails.domains.sort_unstable();
        emails.domains.dedup();
        let ac = if ac_pats.is_empty() {
            None
        } else {
            let ac = AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .build(ac_pats.iter().map(|&i| pats[i as usize].folded.as_bytes()))
                .map_err(|e| AnonymiseError::Matcher(e.to_string()))?;
            Some(ac)
        };
        Ok(Literals {
            ac,
            ac_pats,
            emails,
            pats,
        })
    }

    /// Every occurrence of a literal in folded text, overlapping ones
    /// included, as `(literal, start, end)` in folded offsets.
    fn occurrences(&self, folded: &[u8], mut hit: impl FnMut(&Literal<T>, usize, usize)) {
        if let Some(ac) = &self.ac {
            for m in ac.find_overlapping_iter(folded) {
                let Some(p) = self
                    .ac_pats
                    .get(m.pattern().as_usize())
                    .and_then(|&i| self.pats.get(i as usize))
                else {
                    continue;
                };
                hit(p, m.start(), m.end());
            }
        }
        self.emails.find(
            folded,
            |i| {
                self.pats
                    .get(i as usize)
                    .map_or(&[][..], |p| p.folded.as_bytes())
            },
            |i, s, e| {
                if let Some(p) = self.pats.get(i as usize) {
                    hit(p, s, e);
                }
            },
        );
    }

    /// Every match on word boundaries, overlapping ones included, as
    /// `(start, end, tag)` in original byte offsets.
    pub(crate) fn find(&self, text: &str, out: &mut Vec<(usize, usize, T)>) {
        if self.pats.is_empty() {
            return;
        }
        FOLDED.with(|buffers| {
            let mut buffers = buffers.borrow_mut();
            let (folded, starts, gaps) = &mut *buffers;
            if text.is_ascii() {
                fold_ascii(text.as_bytes(), folded, gaps);
                self.find_ascii(text.as_bytes(), folded, gaps, out);
            } else {
                fold_bytes(text, folded, Some(starts));
                self.find_unicode(text, folded, starts, out);
            }
        });
    }

    /// [`Literals::find`] in ASCII text: every folded byte is a whole char
    /// of its own and no char is a combining mark; word chars are ASCII
    /// letters and digits.
    fn find_ascii(
        &self,
        text: &[u8],
        folded: &[u8],
        gaps: &[(u32, u32)],
        out: &mut Vec<(usize, usize, T)>,
    ) {
        self.occurrences(folded, |p, fs, fe| {
            if fe == 0 || fe > folded.len() {
                return;
            }
            let start = ascii_start(gaps, fs);
            let end = ascii_start(gaps, fe - 1) + 1;
            if p.left_word && start > 0 && text[start - 1].is_ascii_alphanumeric() {
                return;
            }
            if p.right_word && text.get(end).is_some_and(u8::is_ascii_alphanumeric) {
                return;
            }
            out.push((start, end, p.tag.clone()));
        });
    }

    fn find_unicode(
        &self,
        text: &str,
        folded: &[u8],
        starts: &[u32],
        out: &mut Vec<(usize, usize, T)>,
    ) {
        self.occurrences(folded, |p, fs, fe| {
            if fe == 0 || fe > starts.len() {
                return;
            }
            // The match must cover whole folded chars of the original.
            if fs > 0 && starts[fs - 1] == starts[fs] {
                return;
            }
            if fe < starts.len() && starts[fe] == starts[fe - 1] {
                return;
            }
            let start = starts[fs] as usize;
            let last = starts[fe - 1] as usize;
            let Some(last_char) = text[last..].chars().next() else {
                return;
            };
            let mut end = last + last_char.len_utf8();
            // Trailing combining marks belong to the matched letter.
            for c in text[end..].chars() {
                if !is_combining(c) {
                    break;
                }
                end += c.len_utf8();
            }
            if p.left_word && text[..start].chars().next_back().is_some_and(is_word) {
                return;
            }
            if p.right_word && text[end..].chars().next().is_some_and(is_word) {
                return;
            }
            out.push((start, end, p.tag.clone()));
        });
    }

    /// Every literal on word boundaries in already folded text, as its
    /// start (a byte offset in `folded`) and tag.
    pub(crate) fn find_folded(&self, folded: &str, mut hit: impl FnMut(usize, &T)) {
        self.occurrences(folded.as_bytes(), |p, s, e| {
            if p.left_word && folded[..s].chars().next_back().is_some_and(is_word) {
                return;
            }
            if p.right_word && folded[e..].chars().next().is_some_and(is_word) {
                return;
            }
            hit(s, &p.tag);
        });
    }
}

/// The implementation before the fast paths, kept to test them against.
#[cfg(test)]
pub(crate) mod reference {
    use super::*;

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

    /// A pattern's fold, trimmed.
    pub(crate) fn fold(text: &str) -> String {
        let mut out = String::new();
        fold_into(text.trim(), &mut out, None);
        out.trim().to_string()
    }

    pub(crate) struct Literals<T> {
        ac: Option<AhoCorasick>,
        pats: Vec<Literal<T>>,
    }

    impl<T: Clone> Literals<T> {
        /// Literals as `(text, tag)`; a text folding to the same string as an
        /// earlier one keeps the earlier tag (callers list by priority).
        pub(crate) fn new(
            items: impl IntoIterator<Item = (String, T)>,
        ) -> Result<Literals<T>, AnonymiseError> {
            let mut pats: Vec<Literal<T>> = Vec::new();
            let mut seen = std::collections::HashSet::new();
            for (text, tag) in items {
                let folded = self::fold(&text);
                if folded.is_empty() || !seen.insert(folded.clone()) {
                    continue;
                }
                let left_word = folded.chars().next().is_some_and(is_word);
                let right_word = folded.chars().next_back().is_some_and(is_word);
                pats.push(Literal {
                    folded,
                    left_word,
                    right_word,
                    tag,
                });
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
        pub(crate) fn find(&self, text: &str, out: &mut Vec<(usize, usize, T)>) {
            let Some(ac) = &self.ac else { return };
            let mut folded = String::with_capacity(text.len());
            let mut starts = Vec::with_capacity(text.len());
            fold_into(text, &mut folded, Some(&mut starts));
            for m in ac.find_overlapping_iter(folded.as_str()) {
                let Some(p) = self.pats.get(m.pattern().as_usize()) else {
                    continue;
                };
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
                let Some(last_char) = text[last..].chars().next() else {
                    continue;
                };
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
        let ascii = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(names)
            .unwrap();
        assert_eq!(
            ascii.find_iter(hay).count(),
            0,
            "ASCII folding cannot match Ë/É"
        );
        let ours = Literals::new(names.iter().map(|n| (n.to_string(), 0u8))).unwrap();
        assert_eq!(spans(&ours, hay), ["ZOË", "JOSÉ"]);
    }

    #[test]
    fn decomposed_unaccented_and_possessive_forms_match_with_exact_offsets() {
        let ours = Literals::new([("Zoë".to_string(), 0u8), ("O'Neill".to_string(), 1)]).unwrap();
        assert_eq!(spans(&ours, "Zoe\u{308}'s team"), ["Zoe\u{308}"]);
        assert_eq!(spans(&ours, "Zoe and zoë"), ["Zoe", "zoë"]);
        assert_eq!(
            spans(&ours, "Mrs O\u{2019}Neill\u{2019}s"),
            ["O\u{2019}Neill"]
        );
        assert!(
            spans(&ours, "Zoëlla and zoey").is_empty(),
            "word boundaries"
        );
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
        let every: String = (0..=0x10ffff_u32)
            .filter_map(char::from_u32)
            .flat_map(|c| [c, ' ', c, 'a', '\r', c, '\n'])
            .collect();
        let mut out = Vec::new();
        fold_lines(&every, &mut out);
        assert!(String::from_utf8(out).unwrap() == by_line(&every));
    }

    #[test]
    fn the_fast_folds_are_the_reference_fold() {
        let check = |text: &str| {
            let (mut slow, mut slow_starts) = (String::new(), Vec::new());
            reference::fold_into(text, &mut slow, Some(&mut slow_starts));
            let (mut fast, mut fast_starts) = (Vec::new(), Vec::new());
            fold_bytes(text, &mut fast, Some(&mut fast_starts));
            assert!(
                fast == slow.as_bytes() && fast_starts == slow_starts,
                "{text:?}"
            );
            let mut folded = String::from("stale");
            fold_into(text, &mut folded, None);
            assert!(folded == slow);
            if text.is_ascii() {
                let mut gaps = vec![(1, 1)];
                fold_ascii(text.as_bytes(), &mut fast, &mut gaps);
                assert!(fast == slow.as_bytes(), "{text:?}");
                assert!(
                    (0..fast.len()).all(|k| ascii_start(&gaps, k) == slow_starts[k] as usize),
                    "{text:?}"
                );
            }
        };
        let every_ascii: String = (0u8..128).map(char::from).collect();
        for text in [
            "",
            " ",
            "  a  b \r\n\t c\x0b\x0c",
            "\r\n\r\nX  Y\t\t",
            every_ascii.as_str(),
            "Zoe\u{308}  \u{301} \u{a0}\u{2028}x İ ß ﬃ",
        ] {
            check(text);
        }
        // Every char of Unicode, next to spaces, combining marks and letters.
        let every: String = (0..=0x10ffff_u32)
            .filter_map(char::from_u32)
            .flat_map(|c| [c, ' ', c, '\u{301}', 'A', '\t', ' ', c])
            .collect();
        check(&every);
        // Every pair of ASCII chars, runs of whitespace between.
        let mut pairs = String::new();
        for a in 0u8..128 {
            for b in 0u8..128 {
                pairs.extend([char::from(a), char::from(b), ' ', '\t', char::from(a)]);
            }
        }
        check(&pairs);
    }

    #[test]
    fn expanding_lowercase_keeps_offsets() {
        // 'İ' lowercases to two chars; offsets must still map back.
        let ours = Literals::new([("Ayşe".to_string(), 0u8)]).unwrap();
        assert_eq!(spans(&ours, "İİ AYŞE İ"), ["AYŞE"]);
        assert_eq!(spans(&ours, "x  Ayse"), ["Ayse"]);
    }
}
