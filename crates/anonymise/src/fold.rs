//! Literal matching that finds a name in whatever Unicode form it is
//! written, and keeps byte offsets into the original text.
//!
//! Two strings are the same name when their *folds* are equal. The fold
//! starts from Unicode's compatibility caseless match (D146: NFD, full case
//! folding, NFKD, full case folding, NFKD, from `unicode-normalization` and
//! `caseless`), so NFC, NFD and compatibility forms (full-width letters,
//! ligatures) and any case (`ß` and `ss`, `İ` and `i̇`) fold alike. Then,
//! on Latin letters only, it drops the diacritics: every combining mark
//! after a Latin letter, and the strokes, hooks and ligatures that no
//! decomposition reaches, by the small table [`latin_without_diacritics`]
//! (`ł` is `l`, `đ` and `ð` are `d`, `æ` is `ae`, `ı` is `i`). Letters of
//! other scripts keep their marks: `й` is not `и`. Apostrophes and dashes
//! are straightened and whitespace runs become one space.
//!
//! Measured choice: `aho-corasick`'s ASCII case folding misses `ZOË` for
//! `Zoë` (see the tests), and a Unicode regex alternation of thousands of
//! names is slow to build. So the patterns and the text are folded and
//! searched with one `aho-corasick` automaton; every folded byte remembers
//! where its *cluster* (a char and the combining marks after it) starts in
//! the original, so a match maps back to whole original characters, marks
//! included, never part of one. ASCII text, most free text, is folded byte
//! by byte without the Unicode machinery (the same fold; tests compare the
//! two). Word boundaries are checked on the original text.
//!
//! Folding drops diacritics, so short names would meet common words (`Lê`
//! and `le`, `An` and `an`): [`crate::names`] says when a short name's
//! match counts.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use caseless::Caseless;
use rustc_hash::FxBuildHasher;
use unicode_normalization::UnicodeNormalization;

use crate::AnonymiseError;
use crate::names::{ShortName, Verdict};

/// A combining mark (General_Category Mark). ASCII has none.
pub(crate) fn is_mark(c: char) -> bool {
    !c.is_ascii() && unicode_normalization::char::is_combining_mark(c)
}

/// A char that continues a word: letters, digits and combining marks.
pub(crate) fn is_word(c: char) -> bool {
    c.is_alphanumeric() || is_mark(c)
}

/// Apostrophes and dashes as the fold writes them; applied before
/// decomposition (the acute accent `´` would decompose to a space and a mark).
fn straighten(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{02bc}' | '`' | '\u{b4}' => '\'',
        '\u{2010}'..='\u{2013}' => '-',
        other => other,
    }
}

/// A letter of the Latin script: its blocks (Basic Latin to Latin
/// Extended-B, IPA, phonetic extensions, Latin Extended Additional,
/// Extended-C to -E, and the Latin presentation and full-width forms).
pub(crate) fn is_latin(c: char) -> bool {
    c.is_alphabetic()
        && matches!(c,
            'A'..='Z' | 'a'..='z' | '\u{aa}' | '\u{ba}' | '\u{c0}'..='\u{24f}'
            | '\u{250}'..='\u{2af}' | '\u{1d00}'..='\u{1dbf}' | '\u{1e00}'..='\u{1eff}'
            | '\u{2c60}'..='\u{2c7f}' | '\u{a720}'..='\u{a7ff}' | '\u{ab30}'..='\u{ab6f}'
            | '\u{fb00}'..='\u{fb06}' | '\u{ff21}'..='\u{ff3a}' | '\u{ff41}'..='\u{ff5a}')
}

/// Case-folded Latin letters that no decomposition takes back to a base
/// letter, as they are written without their stroke, hook or ligature:
/// Polish and Croatian `ł` `đ`, Vietnamese `đ`, Icelandic `ð` `þ`, Danish
/// and Norwegian `ø` `æ`, French `œ`, Maltese `ħ`, Turkish dotless `ı`,
/// Sami `ŧ` `ŋ`, Greenlandic `ĸ`, and the hooked and open letters of West
/// African alphabets (Hausa `ɓ` `ɗ` `ƙ` `ƴ`, Ewe and Akan `ɖ` `ɛ` `ɔ`).
/// (`ß` needs no entry: case folding makes it `ss`. Transliterations that
/// add letters, `ü` as `ue`, are other spellings, not the same letters.)
pub(crate) fn latin_without_diacritics(c: char) -> Option<&'static str> {
    Some(match c {
        'ł' => "l",
        'đ' | 'ð' | 'ɖ' | 'ɗ' => "d",
        'ø' | 'ɔ' => "o",
        'ħ' => "h",
        'ı' => "i",
        'ȷ' => "j",
        'ŧ' => "t",
        'ĸ' | 'ƙ' => "k",
        'æ' => "ae",
        'œ' => "oe",
        'þ' => "th",
        'ɓ' => "b",
        'ƴ' => "y",
        'ɛ' => "e",
        'ŋ' => "ng",
        _ => return None,
    })
}

/// The compatibility caseless form of `text`'s chars (Unicode D146), apostrophes
/// and dashes straightened first.
fn caseless_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars()
        .map(straighten)
        .nfd()
        .default_case_fold()
        .nfkd()
        .default_case_fold()
        .nfkd()
        // A compatibility form can end in a capital (`ᴬ`).
        .map(|c| c.to_ascii_lowercase())
}

/// Where folded chars go: the bytes, and for each byte the original offset
/// of the cluster it came from.
struct Sink<'a> {
    out: &'a mut Vec<u8>,
    starts: Option<&'a mut Vec<u32>>,
    prev_space: bool,
    /// Whether combining marks belong to a letter that keeps them (of
    /// another script than Latin).
    keep_marks: bool,
}

impl Sink<'_> {
    fn push(&mut self, c: char, at: u32) {
        let mut buf = [0u8; 4];
        let bytes = c.encode_utf8(&mut buf).as_bytes();
        self.out.extend_from_slice(bytes);
        if let Some(s) = self.starts.as_deref_mut() {
            s.extend(std::iter::repeat_n(at, bytes.len()));
        }
        self.prev_space = false;
    }

    fn push_ascii(&mut self, b: u8, at: u32) {
        self.out.push(b);
        if let Some(s) = self.starts.as_deref_mut() {
            s.push(at);
        }
        self.prev_space = false;
        self.keep_marks = false;
    }

    fn space(&mut self, at: u32) {
        if !self.prev_space {
            self.push_ascii(b' ', at);
            self.prev_space = true;
        }
        self.keep_marks = false;
    }

    /// One caseless char: whitespace as one space, combining marks kept
    /// only after a letter of another script than Latin, Latin letters
    /// through [`latin_without_diacritics`].
    fn fold(&mut self, c: char, at: u32) {
        // A decomposition can bring an apostrophe (`ŉ` is `ʼn`).
        let c = straighten(c);
        if c.is_ascii() {
            match ASCII_FOLD[c as usize] {
                SPACE => self.space(at),
                folded => self.push_ascii(folded, at),
            }
        } else if c.is_whitespace() {
            self.space(at);
        } else if is_mark(c) {
            if self.keep_marks {
                self.push(c, at);
            }
        } else if is_latin(c) {
            match latin_without_diacritics(c) {
                Some(plain) => plain.bytes().for_each(|b| self.push_ascii(b, at)),
                None => {
                    self.push(c, at);
                    self.keep_marks = false;
                }
            }
        } else {
            self.push(c, at);
            self.keep_marks = c.is_alphabetic();
        }
    }
}

/// Folds one cluster (a char and the combining marks after it) starting at
/// original offset `at`: its caseless chars, each through [`Sink::fold`].
/// (Canonical ordering never moves a mark past a char that is not one, so
/// folding cluster by cluster is folding the whole text: a test checks it
/// on every char of Unicode.)
fn fold_cluster(cluster: &str, at: u32, sink: &mut Sink<'_>) {
    for c in caseless_chars(cluster) {
        sink.fold(c, at);
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
/// original byte offset of the cluster it came from.
pub(crate) fn fold_into(text: &str, out: &mut String, starts: Option<&mut Vec<u32>>) {
    let mut bytes = std::mem::take(out).into_bytes();
    fold_bytes(text, &mut bytes, starts);
    // Whole chars are pushed: the fold is UTF-8 (a lossy conversion would never change it).
    *out = String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
}

/// [`fold_into`] into bytes.
pub(crate) fn fold_bytes(text: &str, out: &mut Vec<u8>, starts: Option<&mut Vec<u32>>) {
    out.clear();
    let mut starts = starts;
    if let Some(s) = starts.as_deref_mut() {
        s.clear();
    }
    fold_text::<false>(text, out, starts);
}

/// The end of the cluster starting at `i`: after its char and the combining
/// marks that follow it.
fn cluster_end(text: &str, i: usize) -> usize {
    let mut chars = text[i..].char_indices();
    chars.next();
    for (k, c) in chars {
        if !is_mark(c) {
            return i + k;
        }
    }
    text.len()
}

/// Whether the char at `i` (a char boundary or the end) is a combining mark.
fn mark_at(text: &str, i: usize) -> bool {
    text.as_bytes().get(i).is_some_and(|&b| b >= 0x80)
        && text[i..].chars().next().is_some_and(is_mark)
}

/// The fold, appended to `out`. `LINES`: line by line, as [`fold_lines`].
/// Runs of ASCII chars fold byte by byte through [`ASCII_FOLD`] (what
/// [`fold_cluster`] makes of each; a test checks every ASCII char), but an
/// ASCII char with combining marks after it; any other cluster folds
/// through [`fold_cluster`].
fn fold_text<const LINES: bool>(text: &str, out: &mut Vec<u8>, starts: Option<&mut Vec<u32>>) {
    out.reserve(text.len() + usize::from(LINES));
    let mut sink = Sink {
        out,
        starts,
        prev_space: false,
        keep_marks: false,
    };
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let run_end = bytes[i..]
            .iter()
            .position(|&b| b >= 0x80)
            .map_or(bytes.len(), |k| i + k);
        // The char before a combining mark is the start of a cluster (a
        // line break never is: the marks after it start the next line).
        let fast_end = if run_end > i
            && run_end < bytes.len()
            && !(LINES && bytes[run_end - 1] == b'\n')
            && mark_at(text, run_end)
        {
            run_end - 1
        } else {
            run_end
        };
        if fast_end > i {
            let Sink {
                out,
                starts,
                prev_space,
                keep_marks,
            } = &mut sink;
            let run = &bytes[..fast_end];
            match starts.as_deref_mut() {
                Some(starts) => ascii_run::<LINES, true>(out, starts, prev_space, run, i),
                None => ascii_run::<LINES, false>(out, &mut Vec::new(), prev_space, run, i),
            }
            *keep_marks = false;
            i = fast_end;
            continue;
        }
        let end = cluster_end(text, i);
        fold_cluster(&text[i..end], i as u32, &mut sink);
        i = end;
    }
    if LINES && !text.is_empty() && !text.ends_with('\n') {
        sink.out.push(b'\n');
    }
}

/// Folds the ASCII bytes `bytes[from..]` into `out` (`STARTS`: pushing
/// each folded byte's offset to `starts`). `LINES`: a `\n` ends a line, as
/// does a `\r` before one (`bytes` may end before the `\n`: a `\r` there
/// is followed by a non-ASCII char); any other `\r` is whitespace.
fn ascii_run<const LINES: bool, const STARTS: bool>(
    out: &mut Vec<u8>,
    starts: &mut Vec<u32>,
    prev_space: &mut bool,
    bytes: &[u8],
    from: usize,
) {
    let mut space = *prev_space;
    for (k, &b) in bytes[from..].iter().enumerate() {
        let at = from + k;
        match ASCII_FOLD[usize::from(b)] {
            SPACE => {
                if LINES && b == b'\n' {
                    out.push(b'\n');
                    space = false;
                } else if LINES && b == b'\r' && bytes.get(at + 1) == Some(&b'\n') {
                    continue;
                } else if !space {
                    out.push(b' ');
                    space = true;
                } else {
                    continue;
                }
            }
            folded => {
                out.push(folded);
                space = false;
            }
        }
        if STARTS {
            starts.push(at as u32);
        }
    }
    *prev_space = space;
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
    fold_text::<true>(text, out, None);
}

/// A pattern's fold, trimmed.
pub(crate) fn fold(text: &str) -> String {
    let mut out = String::new();
    fold_into(text.trim(), &mut out, None);
    out.trim().to_string()
}

/// The fold that keeps diacritics: the compatibility caseless form, with
/// apostrophes, dashes and whitespace as [`fold`] writes them, trimmed.
/// Equal for `Hà` in NFC, NFD or capitals; not equal to `Ha`'s.
pub(crate) fn fold_keeping_diacritics(text: &str) -> String {
    let text = text.trim();
    if text.is_ascii() {
        // Nothing to keep: the fold itself.
        return fold(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut prev_space = false;
    for c in caseless_chars(text) {
        if c.is_whitespace() {
            if !prev_space {
                out.push(' ');
            }
            prev_space = true;
        } else {
            out.push(c);
            prev_space = false;
        }
    }
    out.trim().to_string()
}

/// What a literal is, as far as matching is concerned.
pub(crate) trait Subject: Clone {
    /// A person's name or part of it: short ones follow [`crate::names`].
    fn names_a_person(&self) -> bool;
}

impl Subject for () {
    fn names_a_person(&self) -> bool {
        false
    }
}

/// One literal to find, with what it is.
#[derive(Debug, Clone)]
pub(crate) struct Literal<T> {
    pub folded: String,
    pub left_word: bool,
    pub right_word: bool,
    pub tag: T,
    /// A short name's rule ([`crate::names`]), for a person's name.
    pub short: Option<Box<ShortName>>,
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

impl<T: Subject> Literals<T> {
    /// Literals as `(text, tag)`; a text folding to the same string as an
    /// earlier one keeps the earlier tag (callers list by priority). A
    /// short name's rule gathers the diacritics of every person's name
    /// folding to it.
    pub(crate) fn new<S: AsRef<str>>(
        items: impl IntoIterator<Item = (S, T)>,
    ) -> Result<Literals<T>, AnonymiseError> {
        // Every fold, one after another in `arena`, then the first of each.
        let mut arena = String::new();
        let mut folds: Vec<(usize, usize, T)> = Vec::new();
        // Short names with diacritics: (index in `folds`, written form).
        let mut written: Vec<(usize, String)> = Vec::new();
        let mut folded = String::new();
        for (text, tag) in items {
            let text = text.as_ref().trim();
            fold_into(text, &mut folded, None);
            let f = folded.trim();
            if !f.is_empty() {
                if !text.is_ascii() && tag.names_a_person() && crate::names::is_short(f) {
                    written.push((folds.len(), text.to_string()));
                }
                folds.push((arena.len(), arena.len() + f.len(), tag));
                arena.push_str(f);
            }
        }
        let mut pats: Vec<Literal<T>> = Vec::new();
        {
            // The literal of each fold, and of each entry of `folds`.
            let mut seen: std::collections::HashMap<&str, usize, FxBuildHasher> =
                std::collections::HashMap::with_capacity_and_hasher(folds.len(), FxBuildHasher);
            let mut literal_of =
                Vec::with_capacity(if written.is_empty() { 0 } else { folds.len() });
            for (s, e, tag) in folds {
                let f = &arena[s..e];
                let next = pats.len();
                let at = *seen.entry(f).or_insert(next);
                if !written.is_empty() {
                    literal_of.push(at);
                }
                if at != next {
                    continue;
                }
                let left_word = f.chars().next().is_some_and(is_word);
                let right_word = f.chars().next_back().is_some_and(is_word);
                let short = (tag.names_a_person() && crate::names::is_short(f))
                    .then(|| Box::new(ShortName::new(f)));
                pats.push(Literal {
                    folded: f.to_string(),
                    left_word,
                    right_word,
                    tag,
                    short,
                });
            }
            for (entry, text) in written {
                let p = &mut pats[literal_of[entry]];
                if let Some(short) = p.short.as_deref_mut() {
                    short.add_form(&text, &p.folded);
                }
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
    /// `(start, end, tag)` in original byte offsets; a short name's only
    /// where it reads as a name ([`crate::names`]).
    pub(crate) fn find(&self, text: &str, out: &mut Vec<(usize, usize, T)>) {
        if self.pats.is_empty() {
            return;
        }
        let base = out.len();
        let mut pending = Vec::new();
        FOLDED.with(|buffers| {
            let mut buffers = buffers.borrow_mut();
            let (folded, starts, gaps) = &mut *buffers;
            if text.is_ascii() {
                fold_ascii(text.as_bytes(), folded, gaps);
                self.find_ascii(text, folded, gaps, out, &mut pending);
            } else {
                fold_bytes(text, folded, Some(starts));
                self.find_unicode(text, folded, starts, out, &mut pending);
            }
        });
        if !pending.is_empty() {
            let mut names: Vec<(usize, usize)> = out[base..]
                .iter()
                .filter(|h| h.2.names_a_person())
                .map(|h| (h.0, h.1))
                .collect();
            crate::names::resolve_beside(text, &mut names, &mut pending, |hit| out.push(hit));
        }
    }

    /// A match on word boundaries, `text[start..end]`: found, or for a
    /// short name, found, pending (a name beside a name) or a word.
    fn judged(
        p: &Literal<T>,
        text: &str,
        start: usize,
        end: usize,
        out: &mut Vec<(usize, usize, T)>,
        pending: &mut Vec<(usize, usize, T)>,
    ) {
        let verdict = p
            .short
            .as_deref()
            .map_or(Verdict::Name, |s| s.judge(text, start, end));
        match verdict {
            Verdict::Name => out.push((start, end, p.tag.clone())),
            Verdict::NameBesideAName => pending.push((start, end, p.tag.clone())),
            Verdict::Word => {}
        }
    }

    /// [`Literals::find`] in ASCII text: every folded byte is a whole char
    /// of its own and no char is a combining mark; word chars are ASCII
    /// letters and digits.
    fn find_ascii(
        &self,
        text: &str,
        folded: &[u8],
        gaps: &[(u32, u32)],
        out: &mut Vec<(usize, usize, T)>,
        pending: &mut Vec<(usize, usize, T)>,
    ) {
        let bytes = text.as_bytes();
        self.occurrences(folded, |p, fs, fe| {
            if fe == 0 || fe > folded.len() {
                return;
            }
            let start = ascii_start(gaps, fs);
            let end = ascii_start(gaps, fe - 1) + 1;
            if p.left_word && start > 0 && bytes[start - 1].is_ascii_alphanumeric() {
                return;
            }
            if p.right_word && bytes.get(end).is_some_and(u8::is_ascii_alphanumeric) {
                return;
            }
            Self::judged(p, text, start, end, out, pending);
        });
    }

    fn find_unicode(
        &self,
        text: &str,
        folded: &[u8],
        starts: &[u32],
        out: &mut Vec<(usize, usize, T)>,
        pending: &mut Vec<(usize, usize, T)>,
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
                if !is_mark(c) {
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
            Self::judged(p, text, start, end, out, pending);
        });
    }

    /// Every literal on word boundaries in already folded text, as its
    /// start (a byte offset in `folded`), tag, and whether it is a short
    /// name (whose verdict needs the original text: see [`Literals::find`]).
    pub(crate) fn find_folded(&self, folded: &str, mut hit: impl FnMut(usize, &T, bool)) {
        self.occurrences(folded.as_bytes(), |p, s, e| {
            if p.left_word && folded[..s].chars().next_back().is_some_and(is_word) {
                return;
            }
            if p.right_word && folded[e..].chars().next().is_some_and(is_word) {
                return;
            }
            hit(s, &p.tag, p.short.is_some());
        });
    }
}

/// The definitions the fast paths are tested against.
#[cfg(test)]
pub(crate) mod reference {
    use super::*;

    impl Subject for u8 {
        fn names_a_person(&self) -> bool {
            false
        }
    }

    /// The fold as defined: the caseless chars of the whole text at once,
    /// each through [`Sink::fold`].
    pub(crate) fn fold_whole(text: &str) -> String {
        let mut out = Vec::new();
        let mut sink = Sink {
            out: &mut out,
            starts: None,
            prev_space: false,
            keep_marks: false,
        };
        for c in caseless_chars(text) {
            sink.fold(c, 0);
        }
        String::from_utf8(out).unwrap()
    }

    /// A pattern's fold, trimmed.
    pub(crate) fn fold(text: &str) -> String {
        fold_whole(text.trim()).trim().to_string()
    }

    /// One automaton of every literal, searched on the Unicode path only.
    pub(crate) struct Literals<T> {
        ac: Option<AhoCorasick>,
        pats: Vec<Literal<T>>,
    }

    impl<T: Subject> Literals<T> {
        /// Literals as `(text, tag)`; a text folding to the same string as an
        /// earlier one keeps the earlier tag (callers list by priority).
        pub(crate) fn new(
            items: impl IntoIterator<Item = (String, T)>,
        ) -> Result<Literals<T>, AnonymiseError> {
            let mut pats: Vec<Literal<T>> = Vec::new();
            let mut forms: Vec<(String, String)> = Vec::new();
            for (text, tag) in items {
                let folded = self::fold(&text);
                if folded.is_empty() {
                    continue;
                }
                if tag.names_a_person() {
                    forms.push((folded.clone(), text.trim().to_string()));
                }
                if pats.iter().any(|p| p.folded == folded) {
                    continue;
                }
                let left_word = folded.chars().next().is_some_and(is_word);
                let right_word = folded.chars().next_back().is_some_and(is_word);
                let short = (tag.names_a_person() && crate::names::is_short(&folded))
                    .then(|| Box::new(ShortName::new(&folded)));
                pats.push(Literal {
                    folded,
                    left_word,
                    right_word,
                    tag,
                    short,
                });
            }
            for (folded, text) in forms {
                if let Some(p) = pats.iter_mut().find(|p| p.folded == folded)
                    && let Some(short) = p.short.as_deref_mut()
                {
                    short.add_form(&text, &folded);
                }
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
            let mut found = Vec::new();
            let mut pending = Vec::new();
            for m in ac.find_overlapping_iter(folded.as_str()) {
                let Some(p) = self.pats.get(m.pattern().as_usize()) else {
                    continue;
                };
                let (fs, fe) = (m.start(), m.end());
                // The match must cover whole folded clusters of the original.
                if fs > 0 && starts[fs - 1] == starts[fs] {
                    continue;
                }
                if fe < starts.len() && starts[fe] == starts[fe - 1] {
                    continue;
                }
                let start = starts[fs] as usize;
                let end = cluster_end(text, starts[fe - 1] as usize);
                if p.left_word && text[..start].chars().next_back().is_some_and(is_word) {
                    continue;
                }
                if p.right_word && text[end..].chars().next().is_some_and(is_word) {
                    continue;
                }
                super::Literals::judged(p, text, start, end, &mut found, &mut pending);
            }
            let mut names: Vec<(usize, usize)> = found
                .iter()
                .filter(|h| h.2.names_a_person())
                .map(|h| (h.0, h.1))
                .collect();
            crate::names::resolve_beside(text, &mut names, &mut pending, |hit| found.push(hit));
            out.extend(found);
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

    /// Names of many origins, each written in the forms a text may hold
    /// them in: every form folds as the register's form does.
    #[test]
    fn every_form_of_a_name_folds_alike() {
        let nfd = |s: &str| s.nfd().collect::<String>();
        let forms = [
            // Vietnamese: tone marks over and under the same letter.
            ("Nguyễn Thị Ngọc Hà", "nguyen thi ngoc ha"),
            ("Trần Đức Lộc", "tran duc loc"),
            ("Đặng Thùy Dương", "dang thuy duong"),
            // Yoruba: dots under, tones over.
            ("Adébáyọ̀ Ọláòṣebìkan", "adebayo olaosebikan"),
            ("Fẹ́mi Ògúnlẹ́yẹ", "femi ogunleye"),
            // Polish, Turkish, Welsh, Irish, Czech, Hungarian.
            ("Łukasz Żółkiewski", "lukasz zolkiewski"),
            ("İbrahim Yıldırım", "ibrahim yildirim"),
            ("IŞIL ÖZDEMİR", "isil ozdemir"),
            ("Llŷr Gwŷn ap Dŵr", "llyr gwyn ap dwr"),
            ("Seán Ó Súilleabháin", "sean o suilleabhain"),
            ("Jiří Dvořák", "jiri dvorak"),
            ("Győző Szőke-Kovács", "gyozo szoke-kovacs"),
            // German, Icelandic, Danish, French, Maltese, Croatian, Romanian.
            ("Jürgen Großmann", "jurgen grossmann"),
            ("Þórdís Guðmundsdóttir", "thordis gudmundsdottir"),
            ("Søren Kjærgaard", "soren kjaergaard"),
            ("Bénédicte Cœurdevey", "benedicte coeurdevey"),
            ("Ġorġ Ħabela", "gorg habela"),
            ("Đurđa Šimić", "durda simic"),
            ("Ștefan Țurcanu", "stefan turcanu"),
        ];
        for (name, plain) in forms {
            let plain = plain.to_string();
            let upper = name.to_uppercase();
            for form in [
                name.to_string(),
                nfd(name),
                upper.clone(),
                nfd(&upper),
                name.to_lowercase(),
                plain.clone(),
                plain.to_uppercase(),
            ] {
                assert_eq!(fold(&form), plain, "{form:?} of {name}");
            }
        }
        // Compatibility forms: full-width letters, ligatures, long s, Kelvin.
        assert_eq!(fold("Ｎｇｕｙｅｎ"), "nguyen");
        assert_eq!(fold("Griﬃths"), "griffiths");
        assert_eq!(fold("\u{17f}iobhan \u{212a}elly"), "siobhan kelly");
        assert_eq!(fold("ǅurić"), "dzuric");
        // Other scripts keep their marks: the same name in NFC, NFD and
        // capitals, not a different letter.
        assert_eq!(fold("Σοφία"), fold("ΣΟΦΊΑ"));
        assert_eq!(fold("Σοφία"), fold(&nfd("Σοφία")));
        assert_ne!(fold("Σοφία"), fold("Σοφια"));
        assert_eq!(fold("Андрей"), fold(&nfd("АНДРЕЙ")));
        assert_ne!(fold("Андрей"), fold("Андреи"));
        assert_eq!(fold("王芳"), "王芳");
    }

    #[test]
    fn the_fold_keeping_diacritics_tells_them_apart_in_any_form() {
        let k = fold_keeping_diacritics;
        assert_eq!(k("Hà"), k("HÀ"));
        assert_eq!(k("Hà"), k("Ha\u{300}"));
        assert_ne!(k("Hà"), k("Ha"));
        assert_ne!(k("Hà"), k("Hạ"));
        // Canonical ordering: a dot below and a circumflex in either order.
        assert_eq!(k("Lê\u{323}"), k("Le\u{323}\u{302}"));
        assert_eq!(k("Lệ"), k("Le\u{302}\u{323}"));
        assert_eq!(k("ĐỖ"), k("đỗ"));
        assert_ne!(k("Đỗ"), k("Dỗ"));
        assert_eq!(k("Straße"), "strasse");
    }

    /// "Every Latin-script letter": the letters of Latin-1, Latin
    /// Extended-A and Latin Extended Additional fold to ASCII, but for
    /// medieval letters with no modern plain form and `ŀ` (whose
    /// compatibility form is `l·`).
    #[test]
    fn every_latin_letter_folds_to_ascii() {
        let medieval = ['ŀ', 'Ŀ', 'ẚ', 'ẜ', 'ẝ', 'ẟ', 'Ỻ', 'ỻ', 'Ỽ', 'ỽ', 'Ỿ', 'ỿ'];
        for c in ('\u{c0}'..='\u{17f}').chain('\u{1e00}'..='\u{1eff}') {
            if !c.is_alphabetic() || medieval.contains(&c) {
                continue;
            }
            let folded = fold(&c.to_string());
            assert!(
                folded.is_ascii() && folded.bytes().any(|b| b.is_ascii_lowercase()),
                "{c} (U+{:04X}) folds to {folded:?}",
                c as u32
            );
        }
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
            "\n\u{301}mark after a break\r\u{301}\n\u{301}",
            "й\u{301}\nй\n\u{301}",
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

    /// The fold cluster by cluster (with its ASCII fast path) is the fold
    /// of the whole text at once; every folded byte starts where its
    /// cluster does; the ASCII folds with gaps are the fold.
    #[test]
    fn the_fast_folds_are_the_reference_fold() {
        let check = |text: &str| {
            let (mut fast, mut starts) = (Vec::new(), Vec::new());
            fold_bytes(text, &mut fast, Some(&mut starts));
            let whole = reference::fold_whole(text);
            assert!(fast == whole.as_bytes(), "{text:?}");
            assert_eq!(starts.len(), fast.len());
            assert!(
                starts.windows(2).all(|w| w[0] <= w[1]),
                "starts never go back"
            );
            for &s in &starts {
                let s = s as usize;
                assert!(text.is_char_boundary(s) && !mark_at(text, s), "{text:?}");
            }
            let mut folded = String::from("stale");
            fold_into(text, &mut folded, None);
            assert!(folded.as_bytes() == whole.as_bytes());
            if text.is_ascii() {
                let mut gaps = vec![(1, 1)];
                fold_ascii(text.as_bytes(), &mut fast, &mut gaps);
                assert!(fast == whole.as_bytes(), "{text:?}");
                assert!(
                    (0..fast.len()).all(|k| ascii_start(&gaps, k) == starts[k] as usize),
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
            "\u{301}ｶﾞ e\u{345}\u{301} α\u{345}\u{301} Le\u{302}\u{323} й\u{301}\u{323}",
        ] {
            check(text);
        }
        // Every char of Unicode, next to spaces, combining marks and letters.
        let every: String = (0..=0x10ffff_u32)
            .filter_map(char::from_u32)
            .flat_map(|c| [c, ' ', c, '\u{301}', 'A', '\t', ' ', c, '\u{323}', c, 'e'])
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
    fn expanding_case_folds_keep_offsets() {
        // 'İ' folds to two chars, 'ß' to two: offsets still map back.
        let ours = Literals::new([("Ayşe".to_string(), 0u8), ("Strauss".to_string(), 1)]).unwrap();
        assert_eq!(spans(&ours, "İİ AYŞE İ"), ["AYŞE"]);
        assert_eq!(spans(&ours, "x  Ayse"), ["Ayse"]);
        assert_eq!(spans(&ours, "Herr STRAUß und Strauß"), ["STRAUß", "Strauß"]);
        assert!(spans(&ours, "Straußen").is_empty(), "word boundaries");
    }

    /// A match replaces whole original characters: a letter's combining
    /// marks, before or after canonical ordering, go with it.
    #[test]
    fn matches_cover_whole_clusters() {
        let ours = Literals::new([("Lệ".to_string(), 0u8), ("Nguyễn".to_string(), 1)]).unwrap();
        assert_eq!(
            spans(&ours, "Le\u{302}\u{323}, Nguye\u{303}\u{302}n"),
            ["Le\u{302}\u{323}", "Nguye\u{303}\u{302}n"]
        );
        assert!(spans(&ours, "Nguyen\u{301}x").is_empty());
        assert_eq!(spans(&ours, "NGUYEN\u{301}."), ["NGUYEN\u{301}"]);
        // A pattern never ends inside a ligature or a folded ß.
        let ff = Literals::new([("Gri".to_string(), 0u8)]).unwrap();
        assert!(spans(&ff, "Griﬃths").is_empty());
    }
}
