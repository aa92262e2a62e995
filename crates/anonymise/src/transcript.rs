//! A transcript redacted whole before any selection is cut from it.
//!
//! A coded selection may begin or end inside a name (`ce Okafor said`):
//! redacting the selection alone would miss the name or leave half of it.
//! So the whole transcript is redacted, as every other free text is, its
//! speaker labels are replaced, and each selection's byte range is then
//! mapped onto the result: a range that touches a redaction or a label
//! takes the whole replacement, never part of what was there.

use std::ops::Range;

use crate::{Hit, Redactor};

/// Replacements of non-overlapping byte ranges of a text, in order: each
/// replaced range of the text and where its replacement lies in the result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Edits(Vec<(Range<usize>, Range<usize>)>);

impl Edits {
    /// Where offset `at` of the text lands in the result. Inside a replaced
    /// range (strictly), at its replacement's start when `at` starts a
    /// range, at its end when `at` ends one: so a range that touches a
    /// replaced range holds its whole replacement.
    fn offset(&self, at: usize, starts: bool) -> usize {
        let before = self.0.partition_point(|(from, _)| from.start < at);
        match before.checked_sub(1).map(|i| &self.0[i]) {
            None => at,
            Some((from, to)) if at < from.end => {
                if starts {
                    to.start
                } else {
                    to.end
                }
            }
            Some((from, to)) => to.end + (at - from.end),
        }
    }

    fn range(&self, bytes: Range<usize>) -> Range<usize> {
        let start = self.offset(bytes.start, true);
        start..self.offset(bytes.end.max(bytes.start), false).max(start)
    }

    /// `text` with each `(range, replacement)` applied, ranges in order.
    /// Fail closed: a range off a character boundary is widened to whole
    /// characters, one that overlaps the previous starts where it ended.
    fn apply<'r>(
        text: &str,
        replacements: impl IntoIterator<Item = (Range<usize>, &'r str)>,
    ) -> (String, Edits) {
        let mut out = String::with_capacity(text.len());
        let mut edits = Vec::new();
        let mut pos = 0;
        for (range, with) in replacements {
            let mut start = range.start.clamp(pos, text.len());
            while !text.is_char_boundary(start) {
                start -= 1;
            }
            let mut end = range.end.clamp(start, text.len());
            while !text.is_char_boundary(end) {
                end += 1;
            }
            out.push_str(&text[pos..start]);
            let at = out.len();
            out.push_str(with);
            edits.push((start..end, at..out.len()));
            pos = end;
        }
        out.push_str(&text[pos..]);
        (out, Edits(edits))
    }
}

/// A transcript redacted whole, its speaker labels replaced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedactedTranscript {
    /// The published text: redacted, labels replaced.
    pub text: String,
    /// The redactor's hits, in byte offsets of the original text (for the
    /// private log: where and what kind, never the text).
    pub hits: Vec<Hit>,
    redaction: Edits,
    labels: Edits,
}

impl RedactedTranscript {
    /// Redacts `text` whole with `redactor`, then replaces each speaker
    /// label (`(byte range of the original, replacement)`, in order:
    /// `Aoife:` by `[peer worker]:`). A label that a redaction touches
    /// takes the redaction with it (`[name]:` becomes `[peer worker]:`).
    pub fn new(redactor: &Redactor, text: &str, labels: &[(Range<usize>, String)]) -> Self {
        let redacted = redactor.redact(text);
        let redaction = Edits(
            redacted
                .hits
                .iter()
                .map(|h| h.start..h.end)
                .zip(redacted.replaced)
                .collect(),
        );
        let mut onto: Vec<(Range<usize>, &str)> = Vec::with_capacity(labels.len());
        let mut sorted: Vec<&(Range<usize>, String)> = labels.iter().collect();
        sorted.sort_by_key(|(range, _)| (range.start, range.end));
        for (range, with) in sorted {
            let mapped = redaction.range(range.clone());
            match onto.last_mut() {
                // Two labels one redaction joins: one replacement.
                Some((last, _)) if mapped.start < last.end => last.end = last.end.max(mapped.end),
                _ => onto.push((mapped, with)),
            }
        }
        let (text, labels) = Edits::apply(&redacted.text, onto);
        RedactedTranscript {
            text,
            hits: redacted.hits,
            redaction,
            labels,
        }
    }

    /// Where a byte range of the original text lies in [`Self::text`]: a
    /// range that touches a redaction or a label holds its whole
    /// replacement (never half a name).
    pub fn map(&self, bytes: Range<usize>) -> Range<usize> {
        self.labels.range(self.redaction.range(bytes))
    }

    /// The published text of a byte range of the original.
    pub fn cut(&self, bytes: Range<usize>) -> &str {
        self.text.get(self.map(bytes)).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::{IdentifierEntry, Identities, Identity, Site};

    fn redactor() -> Redactor {
        let people = Identities {
            people: vec![Identity {
                record_id: "S01-01".into(),
                site_id: "S01".into(),
                fields: vec![
                    ("participant_name".into(), "Grace Okafor".into()),
                    ("interviewer".into(), "Helen Marchbank".into()),
                ],
            }],
        };
        let identifiers = vec![IdentifierEntry {
            kind: "place".into(),
            text: "Kelsworth".into(),
            replacement: "[town]".into(),
        }];
        let sites: Vec<Site> = Vec::new();
        Redactor::new(&identifiers, &sites, &people).unwrap()
    }

    #[test]
    fn a_selection_inside_a_name_takes_the_whole_replacement() {
        let text = "Interviewer: Hello.\nGrace: I met Grace Okafor in Kelsworth 🙂 today.\n";
        let labels = vec![
            (0..12, "[interviewer]:".to_string()),
            (20..26, "[peer worker]:".to_string()),
        ];
        let t = RedactedTranscript::new(&redactor(), text, &labels);
        assert_eq!(
            t.text,
            "[interviewer]: Hello.\n[peer worker]: I met [name] in [town] 🙂 today.\n"
        );
        let at = |s: &str| text.find(s).unwrap();
        // Starts three characters into the name, ends three before the end of one.
        assert_eq!(t.cut(at("ace Okafor")..at(" today")), "[name] in [town] 🙂");
        assert_eq!(t.cut(at("I met")..at("kafor")), "I met [name]");
        assert_eq!(t.cut(at("in Kels")..at("worth")), "in [town]");
        // Touching a name's ends takes nothing of it.
        assert_eq!(t.cut(at("I met")..at("Grace Okafor")), "I met ");
        assert_eq!(t.cut(at(" in Kels")..at(" today")), " in [town] 🙂");
        // A selection from inside a label to past it.
        assert_eq!(t.cut(at("ace: I")..at(" met")), "[peer worker]: I");
        assert_eq!(t.cut(2..5), "[interviewer]:");
        // Empty selections stay empty unless inside a replacement.
        assert_eq!(t.cut(at("I met")..at("I met")), "");
        let inside = at("Okafor");
        assert_eq!(t.cut(inside..inside), "[name]");
        assert_eq!(t.cut(0..text.len()), t.text);
        // The log's hits are in the original's offsets.
        let hit = t
            .hits
            .iter()
            .find(|h| h.start == at("Grace Okafor"))
            .unwrap();
        assert_eq!(&text[hit.start..hit.end], "Grace Okafor");
    }

    #[test]
    fn a_label_a_redaction_touches_is_replaced_whole() {
        // The labels are names the gazetteer knows; CRLF line ends.
        let text = "Helen Marchbank: Thanks.\r\nGrace: Fine.\r\n";
        let labels = vec![
            (0..16, "[interviewer]:".to_string()),
            (26..32, "[peer worker]:".to_string()),
        ];
        let t = RedactedTranscript::new(&redactor(), text, &labels);
        assert_eq!(t.text, "[interviewer]: Thanks.\r\n[peer worker]: Fine.\r\n");
        assert_eq!(t.cut(6..20), "[interviewer]: Tha");
        assert_eq!(t.cut(28..32), "[peer worker]:");
    }

    #[test]
    fn offsets_outside_edits_shift_by_what_came_before() {
        let (out, edits) = Edits::apply("abcdefgh", [(1..3, "XYZW"), (5..6, "")]);
        assert_eq!(out, "aXYZWdegh");
        assert_eq!(edits.range(0..1), 0..1);
        assert_eq!(edits.range(3..5), 5..7);
        assert_eq!(edits.range(2..4), 1..6);
        assert_eq!(edits.range(6..8), 7..9);
        assert_eq!(edits.range(4..6), 6..7);
        // A range off a character boundary takes the whole character.
        let (out, edits) = Edits::apply("aéb", [(2..3, "x")]);
        assert_eq!((out.as_str(), edits.0), ("axb", vec![(1..3, 1..2)]));
    }
}
