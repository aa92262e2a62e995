//! When a short name's match counts.
//!
//! The fold ([`crate::fold`]) finds a name in any case and with or without
//! its diacritics: right for `Nguyễn` written `NGUYEN`, wrong for a short
//! name whose plain form is a word (`Lê` and `le`, `Hà` and `ha`, `An` and
//! `an`, `Đỗ` and `do`). So a *short* name (a person's name or name part
//! of Latin letters, fewer than [`SHORT_LETTERS`] letters once folded)
//! counts only where it reads as a name:
//!
//! 1. written with the register's own diacritics (`hà`, `HÀ`, `Ha` + a
//!    combining grave; not `ha`): any case, anywhere;
//! 2. after a title (`Dr Le`, `mrs ha`);
//! 3. capitalised, in title case (`Ha said`, `told Tom`), unless its plain
//!    form is a common English word ([`COMMON_WORDS`]: `An`, `Do`, `My`);
//! 4. capitalised (title case or capitals) next to another name found in
//!    the same text, only whitespace between (`An Nguyen`, `NGUYEN HA`).
//!
//! So `an`, `le` and `ha` in lower case are words, `HA` alone is an
//! acronym, and `An advocate` is an article. Longer names match in every
//! form, as any fold does (fail closed). What this costs: a short name
//! written in lower case without its diacritics, or one that spells a
//! common word written without them and away from the rest of the name, is
//! taken for the word. The labelled sentences of
//! `tests/fixtures/redaction/sentences.tsv` measure both sides.
//!
//! Rules 1 and 3 read only the match; rules 2 and 4 read what is before
//! and beside it. The leak guard, which decides line by line, sees that
//! only on the match's line: with less around a match it finds no more
//! names than the redactor does, so it never fails a run on a word the
//! redactor left, and it judges a name on a line as the redactor does.

use crate::fold::{fold_keeping_diacritics, is_latin};

/// Names with fewer letters than this, folded, are short.
pub(crate) const SHORT_LETTERS: usize = 4;

/// Plain forms of short names that are common English words, capitalised
/// at the start of a sentence or in headings often enough that a short
/// name spelling one needs its diacritics or the rest of the name.
pub(crate) const COMMON_WORDS: &[&str] = &[
    "a", "ad", "ah", "am", "an", "as", "at", "aw", "be", "by", "do", "eh", "go", "he", "hi", "if",
    "in", "is", "it", "me", "my", "no", "of", "oh", "ok", "on", "or", "so", "to", "uh", "um", "up",
    "us", "we", "ye", "yo", "ago", "all", "and", "any", "are", "ask", "bad", "big", "but", "can",
    "day", "did", "end", "few", "for", "get", "got", "had", "has", "her", "him", "his", "how",
    "its", "let", "lot", "may", "new", "nor", "not", "now", "off", "old", "one", "our", "out",
    "own", "per", "put", "saw", "say", "see", "set", "she", "six", "ten", "the", "too", "try",
    "two", "use", "via", "was", "way", "who", "why", "yes", "yet", "you",
];

/// Titles before a name (`Dr`, `Mrs.`), folded.
pub(crate) const TITLES: &[&str] = &[
    "dr",
    "mr",
    "mrs",
    "ms",
    "mx",
    "miss",
    "prof",
    "professor",
    "sir",
    "dame",
];

/// Whether a folded name is short: Latin letters (and spaces, hyphens,
/// apostrophes), fewer than [`SHORT_LETTERS`] of them.
pub(crate) fn is_short(folded: &str) -> bool {
    let mut letters = 0;
    for c in folded.chars() {
        if c.is_alphanumeric() {
            if !is_latin(c) {
                return false;
            }
            letters += 1;
            if letters >= SHORT_LETTERS {
                return false;
            }
        } else if !matches!(c, ' ' | '-' | '\'') {
            return false;
        }
    }
    letters > 0
}

/// What the register says of a short name: how it is written with its
/// diacritics, and whether its plain form is a common word.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ShortName {
    /// [`fold_keeping_diacritics`] of each registered form that has
    /// diacritics (sorted, each once).
    pub written: Vec<String>,
    pub common_word: bool,
}

/// How a match of a short name reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Name,
    /// A name if next to another name found in the same text.
    NameBesideAName,
    Word,
}

impl ShortName {
    pub(crate) fn new(folded: &str) -> ShortName {
        ShortName {
            written: Vec::new(),
            common_word: COMMON_WORDS.contains(&folded),
        }
    }

    /// Adds a registered form (`text` folds to this name).
    pub(crate) fn add_form(&mut self, text: &str, folded: &str) {
        if text.is_ascii() {
            return; // no diacritics
        }
        let written = fold_keeping_diacritics(text);
        if written != folded
            && let Err(at) = self.written.binary_search(&written)
        {
            self.written.insert(at, written);
        }
    }

    /// How the match `text[start..end]` reads.
    pub(crate) fn judge(&self, text: &str, start: usize, end: usize) -> Verdict {
        let span = &text[start..end];
        if !self.written.is_empty()
            && !span.is_ascii()
            && self
                .written
                .binary_search(&fold_keeping_diacritics(span))
                .is_ok()
        {
            return Verdict::Name;
        }
        if after_title(&text[..start]) {
            return Verdict::Name;
        }
        match case_of(span) {
            Case::Lower => Verdict::Word,
            Case::Title if !self.common_word => Verdict::Name,
            Case::Title | Case::Upper => Verdict::NameBesideAName,
        }
    }
}

enum Case {
    /// Some word does not start with a capital.
    Lower,
    /// Every word starts with a capital, and has a small letter after it
    /// unless it is one letter long.
    Title,
    /// Every word starts with a capital; some is all capitals.
    Upper,
}

/// A letter with a small form of its own: a capital or a title-case letter.
fn is_capital(c: char) -> bool {
    c.is_uppercase() || c.to_lowercase().next().is_some_and(|l| l != c)
}

fn case_of(span: &str) -> Case {
    let mut upper_word = false;
    for word in span.split(|c: char| !c.is_alphanumeric() && !crate::fold::is_mark(c)) {
        let mut letters = word.chars().filter(|c| c.is_alphabetic());
        let Some(first) = letters.next() else {
            continue;
        };
        if !is_capital(first) {
            return Case::Lower;
        }
        let mut rest = letters.peekable();
        if rest.peek().is_some() && rest.all(is_capital) {
            upper_word = true;
        }
    }
    if upper_word { Case::Upper } else { Case::Title }
}

/// Whether `before` ends with a title (and an optional full stop) and
/// whitespace.
fn after_title(before: &str) -> bool {
    let trimmed = before.trim_end();
    if trimmed.len() == before.len() {
        return false;
    }
    let trimmed = trimmed.strip_suffix('.').unwrap_or(trimmed);
    let word_start = trimmed
        .char_indices()
        .rev()
        .take_while(|(_, c)| c.is_alphabetic())
        .last()
        .map_or(trimmed.len(), |(i, _)| i);
    let word = &trimmed[word_start..];
    TITLES.iter().any(|t| t.eq_ignore_ascii_case(word))
}

/// Whether two spans are next to each other with only whitespace between.
pub(crate) fn beside(text: &str, a: (usize, usize), b: (usize, usize)) -> bool {
    let (left, right) = if a.1 <= b.0 {
        (a.1, b.0)
    } else if b.1 <= a.0 {
        (b.1, a.0)
    } else {
        return false;
    };
    left < right && text[left..right].chars().all(char::is_whitespace)
}

/// Resolves the short names that count only beside another name:
/// `pending` entries next to a name in `names` (or to one resolved so)
/// are moved to `accepted`, until none moves.
pub(crate) fn resolve_beside<T>(
    text: &str,
    names: &mut Vec<(usize, usize)>,
    pending: &mut Vec<(usize, usize, T)>,
    mut accept: impl FnMut((usize, usize, T)),
) {
    loop {
        let before = pending.len();
        let mut i = 0;
        while i < pending.len() {
            let span = (pending[i].0, pending[i].1);
            if names.iter().any(|&n| beside(text, span, n)) {
                names.push(span);
                accept(pending.swap_remove(i));
            } else {
                i += 1;
            }
        }
        if pending.len() == before || pending.is_empty() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn short(register: &[&str]) -> ShortName {
        let folded = crate::fold::fold(register[0]);
        let mut s = ShortName::new(&folded);
        for r in register {
            s.add_form(r, &folded);
        }
        s
    }

    fn verdict(s: &ShortName, text: &str, word: &str) -> Verdict {
        let start = text.find(word).unwrap();
        s.judge(text, start, start + word.len())
    }

    #[test]
    fn short_means_fewer_than_four_latin_letters() {
        for (folded, want) in [
            ("ha", true),
            ("thi", true),
            ("jo e", true),
            ("an", true),
            ("linh", false),
            ("nguyen", false),
            ("王芳", false),
            ("σοφ", false),
            ("a.b", false),
            ("", false),
        ] {
            assert_eq!(is_short(folded), want, "{folded}");
        }
    }

    #[test]
    fn the_register_form_with_diacritics_counts_in_any_case_and_form() {
        let ha = short(&["Hà"]);
        assert_eq!(ha.written, ["ha\u{300}"]);
        for text in ["hà said", "HÀ said", "Ha\u{300} said", "ha\u{300} said"] {
            let word = &text[..text.find(' ').unwrap()];
            assert_eq!(verdict(&ha, text, word), Verdict::Name, "{text}");
        }
        // Without them: a word in lower case, a name in title case.
        assert_eq!(verdict(&ha, "ha ha", "ha"), Verdict::Word);
        assert_eq!(verdict(&ha, "then Ha said", "Ha"), Verdict::Name);
        // Other diacritics are not the register's.
        assert_eq!(verdict(&ha, "the hạ word", "hạ"), Verdict::Word);
        // A name registered without diacritics has no written form.
        assert!(short(&["An"]).written.is_empty());
    }

    #[test]
    fn common_words_and_capitals_need_the_rest_of_the_name() {
        let an = short(&["Ân"]);
        assert!(an.common_word);
        assert_eq!(verdict(&an, "An advocate", "An"), Verdict::NameBesideAName);
        assert_eq!(verdict(&an, "an advocate", "an"), Verdict::Word);
        assert_eq!(verdict(&an, "Ân said", "Ân"), Verdict::Name);
        assert_eq!(verdict(&an, "ÂN said", "ÂN"), Verdict::Name);
        let ha = short(&["Hà"]);
        assert_eq!(verdict(&ha, "the HA board", "HA"), Verdict::NameBesideAName);
        assert_eq!(verdict(&ha, "Dr. ha said", "ha"), Verdict::Name);
        assert_eq!(verdict(&ha, "mrs ha", "ha"), Verdict::Name);
        assert_eq!(verdict(&ha, "Drha", "ha"), Verdict::Word);
    }

    #[test]
    fn names_beside_names_are_resolved_in_chains() {
        let text = "An Thi Nguyen came";
        let mut names = vec![(7, 13)];
        let mut pending = vec![(0, 2, 'a'), (3, 6, 't')];
        let mut accepted = Vec::new();
        resolve_beside(text, &mut names, &mut pending, |p| accepted.push(p.2));
        accepted.sort();
        assert_eq!(accepted, ['a', 't']);
        let mut pending = vec![(0, 2, 'a')];
        let mut accepted = Vec::new();
        resolve_beside("An, Nguyen", &mut vec![(4, 10)], &mut pending, |p| {
            accepted.push(p.2)
        });
        assert!(accepted.is_empty(), "only whitespace between");
    }
}
