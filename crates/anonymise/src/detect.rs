//! Pattern detectors for identifiers that no list can hold: NHS numbers
//! (checked with modulus 11), UK postcodes, UK phone numbers, email
//! addresses, dates and URLs.

use regex::Regex;

use crate::AnonymiseError;
use crate::redact::Kind;

const MONTHS: &str = "January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec";

pub(crate) struct Detectors {
    nhs: Regex,
    postcode: Regex,
    phone: Regex,
    email: Regex,
    date: Regex,
    url: Regex,
}

fn re(pattern: &str) -> Result<Regex, AnonymiseError> {
    Regex::new(pattern).map_err(|e| AnonymiseError::Matcher(e.to_string()))
}

/// The NHS number check digit (modulus 11): weights 10..2 on the first nine
/// digits; 11 - (sum mod 11), 11 becomes 0, 10 is never valid.
pub fn nhs_number_is_valid(digits: &str) -> bool {
    let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 10 || digits.chars().filter(char::is_ascii_digit).count() != 10 {
        return false;
    }
    let sum: u32 = d[..9].iter().zip((2..=10).rev()).map(|(x, w)| x * w).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    check == d[9]
}

/// The patterns of the kinds the leak guard looks for, in the order
/// [`Detectors::find`] runs them. One text each, compiled twice: with
/// Unicode (the detectors) and without (the guard's ASCII stand-ins).
fn guarded_patterns() -> [(Kind, String); 4] {
    // Groups after the leading 0 (or after +44): 2-4-4, 3-3-4, 4-6, 4-3-3, run together.
    let rest = r"(?:[0-9]{2}\)?[ -]?[0-9]{4}[ -]?[0-9]{4}|[0-9]{3}\)?[ -]?[0-9]{3}[ -]?[0-9]{4}|[0-9]{4}\)?[ -]?[0-9]{6}|[0-9]{4}\)?[ -]?[0-9]{3}[ -]?[0-9]{3}|[0-9]{9,10})";
    [
        (
            Kind::NhsNumber,
            r"\b[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}\b".to_string(),
        ),
        (
            Kind::Postcode,
            r"(?i)\b(?:[A-Z]{1,2}[0-9][A-Z0-9]?[ \t]?[0-9][ABD-HJLNP-UW-Z]{2}|GIR[ \t]?0AA)\b"
                .to_string(),
        ),
        (
            Kind::Phone,
            format!(r"(?:\+44[ \t]?(?:\(0\)[ \t]?)?|\(?\b0){rest}\b"),
        ),
        (Kind::Email, r"[\w.+%'-]+@[\w-]+(?:\.[\w-]+)+".to_string()),
    ]
}

impl Detectors {
    pub(crate) fn new() -> Result<Detectors, AnonymiseError> {
        let [(_, nhs), (_, postcode), (_, phone), (_, email)] = guarded_patterns();
        Ok(Detectors {
            nhs: re(&nhs)?,
            postcode: re(&postcode)?,
            phone: re(&phone)?,
            email: re(&email)?,
            date: re(&format!(
                r"\b[0-9]{{4}}[-/.][0-9]{{1,2}}[-/.][0-9]{{1,2}}\b|\b[0-9]{{1,2}}[-/.][0-9]{{1,2}}[-/.](?:[0-9]{{4}}|[0-9]{{2}})\b|\b[0-9]{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTHS})\b(?:,?\s+[0-9]{{4}}\b)?|\b(?:{MONTHS})\s+[0-9]{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+[0-9]{{4}}\b)?"
            ))?,
            url: re(
                r"(?i)\b(?:https?://|www\.)[^\s<>\x22'()\[\]]+|\b(?:[a-z0-9][a-z0-9-]*\.)+(?:uk|com|org|net|info|io|nhs|eu)\b(?:/[^\s<>\x22'()\[\]]*)?",
            )?,
        })
    }

    /// Every detection of the requested kinds, as `(start, end, kind)`.
    ///
    /// A detector runs only on text holding what every match of its
    /// pattern holds (the same detections): NHS and phone numbers hold at
    /// least ten ASCII digits (`[0-9]` is ASCII in Unicode patterns too),
    /// postcodes and dates at least one, emails an `@`, and URLs (in ASCII
    /// text; see [`may_hold_url`]) a `://` or a `.` after `www` or before a
    /// listed top-level domain.
    pub(crate) fn find(
        &self,
        text: &str,
        enabled: impl Fn(Kind) -> bool,
        out: &mut Vec<(usize, usize, Kind)>,
    ) {
        let bytes = text.as_bytes();
        let digits = bytes.iter().filter(|b| b.is_ascii_digit()).count();
        if enabled(Kind::NhsNumber) && digits >= 10 {
            find_nhs(&self.nhs, text, out);
        }
        let simple = [
            (Kind::Postcode, &self.postcode, digits >= 1),
            (Kind::Phone, &self.phone, digits >= 10),
            (Kind::Email, &self.email, bytes.contains(&b'@')),
            (Kind::Date, &self.date, digits >= 1),
        ];
        for (kind, re, may) in simple {
            if may && enabled(kind) {
                out.extend(re.find_iter(text).map(|m| (m.start(), m.end(), kind)));
            }
        }
        if enabled(Kind::Url) && (!text.is_ascii() || may_hold_url(bytes)) {
            self.find_urls(text, out);
        }
    }

    fn find_urls(&self, text: &str, out: &mut Vec<(usize, usize, Kind)>) {
        for m in self.url.find_iter(text) {
            let trimmed = m.as_str().trim_end_matches(['.', ',', ';', ':', '!', '?']);
            if !trimmed.is_empty() {
                out.push((m.start(), m.start() + trimmed.len(), Kind::Url));
            }
        }
    }

    /// [`Detectors::find`] without its prefilters, to test them against.
    #[cfg(test)]
    pub(crate) fn find_reference(
        &self,
        text: &str,
        enabled: impl Fn(Kind) -> bool,
        out: &mut Vec<(usize, usize, Kind)>,
    ) {
        if enabled(Kind::NhsNumber) {
            find_nhs(&self.nhs, text, out);
        }
        let simple = [
            (Kind::Postcode, &self.postcode),
            (Kind::Phone, &self.phone),
            (Kind::Email, &self.email),
            (Kind::Date, &self.date),
        ];
        for (kind, re) in simple {
            if enabled(kind) {
                out.extend(re.find_iter(text).map(|m| (m.start(), m.end(), kind)));
            }
        }
        if enabled(Kind::Url) {
            self.find_urls(text, out);
        }
    }
}

/// Whether ASCII text may hold a match of the URL pattern: every match
/// starts with `http://`, `https://` or `www.` (case-insensitive), or holds
/// a `.` followed by a listed top-level domain (`uk`, `com`, `org`, `net`,
/// `info`, `io`, `nhs`, `eu`, case-insensitive): so a `://`, a `.` after
/// `www`, or a `.` before one of `u c o n i e` (either case).
fn may_hold_url(bytes: &[u8]) -> bool {
    let mut from = 0;
    while let Some(k) = bytes[from..].iter().position(|&b| b == b'.') {
        let i = from + k;
        from = i + 1;
        if bytes.get(i + 1).is_some_and(|b| {
            matches!(
                b.to_ascii_lowercase(),
                b'u' | b'c' | b'o' | b'n' | b'i' | b'e'
            )
        }) {
            return true;
        }
        if i >= 3 && bytes[i - 3..i].eq_ignore_ascii_case(b"www") {
            return true;
        }
    }
    let mut from = 0;
    while let Some(k) = bytes[from..].iter().position(|&b| b == b':') {
        let i = from + k;
        from = i + 1;
        if bytes[i + 1..].starts_with(b"//") {
            return true;
        }
    }
    false
}

/// NHS numbers: matches of `nhs` that are not part of a decimal and pass
/// the modulus 11 check.
fn find_nhs(nhs: &Regex, text: &str, out: &mut Vec<(usize, usize, Kind)>) {
    for m in nhs.find_iter(text) {
        let before = &text[..m.start()];
        let after = &text[m.end()..];
        // Part of a decimal (0.1234567890) is not an NHS number.
        let decimal = before.ends_with('.')
            && before[..before.len() - 1].ends_with(|c: char| c.is_ascii_digit())
            || after.starts_with('.') && after[1..].starts_with(|c: char| c.is_ascii_digit());
        if !decimal && nhs_number_is_valid(m.as_str()) {
            out.push((m.start(), m.end(), Kind::NhsNumber));
        }
    }
}

/// The leak guard's detectors ([`GUARDED`] kinds, and raw record codes by
/// shape), fast on any text.
///
/// The Unicode regexes are slow on text with non-ASCII chars: Unicode word
/// boundaries (`\b`) send the regex engine from its DFA to an NFA
/// simulation, an order of magnitude slower. So the guard searches an ASCII
/// *stand-in* of such text ([`GuardDetectors::stand_in`]) with the same
/// patterns compiled without Unicode: every non-ASCII char becomes one ASCII
/// char that every part of these patterns treats the same way (`_` for a
/// Unicode word char, which only `\w` and `\b` look at; `#` for any other,
/// which nothing matches). Char for char, the same chars match, so the
/// matches are the same, at the same char positions, on the same lines.
/// (A test checks every char of Unicode against every part of the
/// patterns.) The two chars that case-insensitive matching equates with
/// ASCII letters (`ſ` with `s`, the Kelvin sign with `k`) have no stand-in;
/// text holding them is searched with the Unicode regexes.
///
/// In a stand-in, one pass of the alternation of all the patterns finds the
/// lines where any of them can match (no match spans a line: none of the
/// patterns matches a line break); only those lines are searched with each
/// pattern.
pub(crate) struct GuardDetectors {
    unicode: Detectors,
    record_shape: Regex,
    ascii: [(Kind, Regex); 4],
    ascii_record_shape: Regex,
    /// Matches wherever one of `ascii` or `ascii_record_shape` matches.
    ascii_any: Regex,
    word: Regex,
}

/// The kinds the leak guard looks for.
pub(crate) const GUARDED: [Kind; 4] = [Kind::NhsNumber, Kind::Postcode, Kind::Phone, Kind::Email];

/// Chars that Unicode case-insensitive matching equates with an ASCII
/// letter: `ſ` (s) and the Kelvin sign (k).
const NO_STAND_IN: [char; 2] = ['\u{17f}', '\u{212a}'];

/// What the guard's detectors found: a [`GUARDED`] kind, or a raw record
/// code by its shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found {
    Kind(Kind),
    RecordShape,
}

impl GuardDetectors {
    /// `record_shape`: the pattern of raw record codes (no line breaks, no
    /// Unicode-only classes: see the test of every char).
    pub(crate) fn new(record_shape: &str) -> Result<GuardDetectors, AnonymiseError> {
        let patterns = guarded_patterns();
        let any: Vec<String> = patterns
            .iter()
            .map(|(_, p)| p.as_str())
            .chain([record_shape])
            .map(|p| format!("(?:{p})"))
            .collect();
        let [(k0, a), (k1, b), (k2, c), (k3, d)] = patterns.map(|(kind, p)| (kind, ascii_re(&p)));
        Ok(GuardDetectors {
            unicode: Detectors::new()?,
            record_shape: re(record_shape)?,
            ascii: [(k0, a?), (k1, b?), (k2, c?), (k3, d?)],
            ascii_record_shape: ascii_re(record_shape)?,
            ascii_any: ascii_re(&any.join("|"))?,
            word: re(r"\A\w\z")?,
        })
    }

    /// The ASCII stand-in of `text` (itself when ASCII), or `None` when it
    /// holds a char of [`NO_STAND_IN`]. Same length in chars, same lines.
    pub(crate) fn stand_in<'a>(&self, text: &'a str) -> Option<std::borrow::Cow<'a, str>> {
        if text.is_ascii() {
            return Some(std::borrow::Cow::Borrowed(text));
        }
        let mut out = String::with_capacity(text.len());
        // Few distinct non-ASCII chars per text: each classified once.
        let mut known: std::collections::HashMap<char, char> = std::collections::HashMap::new();
        let mut buf = [0u8; 4];
        let mut rest = text;
        while let Some(k) = rest.bytes().position(|b| !b.is_ascii()) {
            out.push_str(&rest[..k]);
            let c = rest[k..].chars().next()?;
            let stand = match known.get(&c) {
                Some(&s) => s,
                None => {
                    if NO_STAND_IN.contains(&c) {
                        return None;
                    }
                    let s = if self.word.is_match(c.encode_utf8(&mut buf)) {
                        '_'
                    } else {
                        '#'
                    };
                    known.insert(c, s);
                    s
                }
            };
            out.push(stand);
            rest = &rest[k + c.len_utf8()..];
        }
        out.push_str(rest);
        Some(std::borrow::Cow::Owned(out))
    }

    /// Every detection in `text` as `(line, what)` (1-based lines, in no
    /// particular order, one or more per line and kind); raw record codes
    /// only if `record_codes`. On the stand-in when there is one and `fast`,
    /// else on the text itself with the Unicode regexes (the same findings).
    pub(crate) fn find(
        &self,
        text: &str,
        record_codes: bool,
        fast: bool,
        mut hit: impl FnMut(u32, Found),
    ) {
        let stand_in = if fast { self.stand_in(text) } else { None };
        let Some(s) = stand_in else {
            let newlines: Vec<usize> = text.match_indices('\n').map(|(i, _)| i).collect();
            let line_of = |offset: usize| {
                u32::try_from(newlines.partition_point(|&nl| nl < offset) + 1).unwrap_or(u32::MAX)
            };
            let mut out = Vec::new();
            self.unicode.find(text, |k| GUARDED.contains(&k), &mut out);
            for (start, _, kind) in out {
                hit(line_of(start), Found::Kind(kind));
            }
            if record_codes {
                for m in self.record_shape.find_iter(text) {
                    hit(line_of(m.start()), Found::RecordShape);
                }
            }
            return;
        };
        let s: &str = &s;
        // `line` is the 1-based number of the line starting at `counted`.
        let (mut from, mut counted, mut line) = (0usize, 0usize, 1usize);
        let mut out = Vec::new();
        while let Some(m) = self.ascii_any.find_at(s, from) {
            let start = s[..m.start()].rfind('\n').map_or(0, |k| k + 1);
            let end = s[m.start()..].find('\n').map_or(s.len(), |k| m.start() + k);
            line += s.as_bytes()[counted..start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            counted = start;
            let line_no = u32::try_from(line).unwrap_or(u32::MAX);
            let text_of_line = &s[start..end];
            for (kind, re) in &self.ascii {
                if *kind == Kind::NhsNumber {
                    out.clear();
                    find_nhs(re, text_of_line, &mut out);
                    if !out.is_empty() {
                        hit(line_no, Found::Kind(*kind));
                    }
                } else if re.is_match(text_of_line) {
                    hit(line_no, Found::Kind(*kind));
                }
            }
            if record_codes && self.ascii_record_shape.is_match(text_of_line) {
                hit(line_no, Found::RecordShape);
            }
            from = end + 1;
            if from > s.len() {
                break;
            }
        }
    }
}

/// A pattern compiled without Unicode: ASCII `\w`, `\b` and case folding.
pub(crate) fn ascii_re(pattern: &str) -> Result<Regex, AnonymiseError> {
    regex::RegexBuilder::new(pattern)
        .unicode(false)
        .build()
        .map_err(|e| AnonymiseError::Matcher(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(Kind, &str)> {
        let d = Detectors::new().unwrap();
        let mut out = Vec::new();
        d.find(text, |_| true, &mut out);
        out.sort();
        out.into_iter().map(|(s, e, k)| (k, &text[s..e])).collect()
    }

    /// The stand-in is exact: apart from `\w` and `\b` (which the stand-in
    /// keeps: `_` for a word char, `#` for any other), no non-ASCII char
    /// matches any part of the guarded patterns or the record shape, but
    /// for [`NO_STAND_IN`]; and `_` and `#` match none of those parts.
    /// Checked over every char of Unicode. (A new pattern must list its
    /// parts here.)
    #[test]
    fn the_ascii_stand_in_matches_what_unicode_matches() {
        // Every class and literal of `guarded_patterns()` and the guard's
        // record shape other than `\w`, with its case sensitivity.
        let parts = r"(?i:[A-Z]|[A-Z0-9]|[ABD-HJLNP-UW-Z]|G|I|R|A|0|[0-9]|[ \t])|[0-9]|[ -]|[ \t]|\)|\(|\+|4|0|\.|@|%|'|-|[Ss]";
        let unicode = Regex::new(parts).unwrap();
        let every: String = (0x80..=0x10ffff_u32).filter_map(char::from_u32).collect();
        let hits: Vec<char> = unicode
            .find_iter(&every)
            .filter_map(|m| m.as_str().chars().next())
            .collect();
        assert_eq!(
            hits, NO_STAND_IN,
            "only these non-ASCII chars match a part of the patterns"
        );
        let ascii = ascii_re(parts).unwrap();
        assert!(!ascii.is_match("_#"), "the stand-ins match no part");
        let word = ascii_re(r"\A\w\z").unwrap();
        assert!(word.is_match("_") && !word.is_match("#"));
        // The patterns use no other escape (no `\d`, `\s`, `\p{..}`).
        for (_, p) in guarded_patterns() {
            let rest = [r"\w", r"\b", r"\(", r"\)", r"\+", r"\.", r"\t"]
                .iter()
                .fold(p.clone(), |p, e| p.replace(e, ""));
            assert!(!rest.contains('\\'), "{p}");
        }
        let d = GuardDetectors::new(r"\b[Ss][0-9]{2,4}-[0-9]{1,4}\b").unwrap();
        assert_eq!(
            d.stand_in("ZOË 020\u{a0}é—x").as_deref(),
            Some("ZO_ 020#_#x")
        );
        assert!(d.stand_in("\u{212a}ing").is_none() && d.stand_in("Mr \u{17f}mith").is_none());
        assert!(matches!(
            d.stand_in("plain"),
            Some(std::borrow::Cow::Borrowed("plain"))
        ));
    }

    #[test]
    fn nhs_modulus_11() {
        assert!(nhs_number_is_valid("9434765919"));
        assert!(nhs_number_is_valid("943 476 5919"));
        assert!(!nhs_number_is_valid("9434765918"));
        assert!(!nhs_number_is_valid("943476591"));
        assert_eq!(
            found("NHS no 943-476-5919."),
            [(Kind::NhsNumber, "943-476-5919")]
        );
        assert!(found("ref 9434765918 and 0.9434765919").is_empty());
    }

    #[test]
    fn phones_postcodes_emails_dates_urls() {
        assert_eq!(
            found("call 020 7946 0123"),
            [(Kind::Phone, "020 7946 0123")]
        );
        assert_eq!(
            found("or +44 7700 900123!"),
            [(Kind::Phone, "+44 7700 900123")]
        );
        assert_eq!(found("at SE1 7EH."), [(Kind::Postcode, "SE1 7EH")]);
        assert_eq!(found("on 12 March 2011,"), [(Kind::Date, "12 March 2011")]);
        assert_eq!(
            found("see www.example.org/peer."),
            [(Kind::Url, "www.example.org/peer")]
        );
        assert!(found("at 10:30, 3 of 5 said so in May").is_empty());
    }
}
