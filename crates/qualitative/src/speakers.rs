//! Speaker turns of a transcript (data-schema/LAYOUT.md, "Speaker labels").
//!
//! A turn starts at the beginning of a line (after optional spaces or
//! tabs) with a short label and a colon: `Interviewer:`, `I:`, `P1:`,
//! `Aoife:`. Labels are never published; a later stage replaces each with
//! `[interviewer]:` or the interviewee's stakeholder group, using the
//! ranges found here.

use std::ops::Range;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// A label has at most this many characters before its colon...
pub const MAX_LABEL_CHARS: usize = 24;
/// ...and at most this many words (`Participant 12`, `Dr Ama Mensah`).
pub const MAX_LABEL_WORDS: usize = 3;
/// Labels that are the interviewer's, compared ignoring case, trailing
/// digits, spaces and full stops (`Interviewer 2`, `I2`, `Int.`, `Q`).
pub const INTERVIEWER_LABELS: [&str; 8] = [
    "interviewer",
    "int",
    "i",
    "iv",
    "q",
    "researcher",
    "facilitator",
    "moderator",
];

/// Who is speaking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Speaker {
    Interviewer,
    /// Everyone else (the transcript's interviewee; in the rare interview
    /// with a companion, them too).
    Interviewee,
}

/// One speaker turn, as byte ranges of the transcript text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Turn {
    pub speaker: Speaker,
    /// The label and its colon (`Interviewer:`), without indentation.
    pub label: Range<usize>,
    /// From the label to the start of the next turn's line (or the end).
    pub span: Range<usize>,
}

/// The speaker turns of one transcript, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Turns {
    turns: Vec<Turn>,
}

/// The byte range of the speaker label (with its colon) that `line` begins
/// with, if it does.
///
/// A label, after optional spaces or tabs: starts with a letter that is not
/// lower case (`I`, `P1`, `Aoife`, `Ngozi`, `王`); then letters, digits,
/// combining marks (a name typed decomposed, `Zoe` + U+0308, is the name),
/// spaces, `.`, `'`, `’`, `-`, `_`, `(`, `)`; at most [`MAX_LABEL_CHARS`]
/// characters (marks not counted) in at most [`MAX_LABEL_WORDS`] words; then `:` followed by
/// the end of the line or a space. So `10:30`, `http://...`,
/// `so what I said to them was: ...` and `Yes, she said: ...` are not labels.
pub fn speaker_label(line: &str) -> Option<Range<usize>> {
    let start = line.len() - line.trim_start_matches([' ', '\t']).len();
    let rest = &line[start..];
    let mut chars = rest.char_indices();
    let (_, first) = chars.next()?;
    if !first.is_alphabetic() || first.is_lowercase() {
        return None;
    }
    let mut count = 1;
    for (at, c) in chars {
        if c == ':' {
            let label = rest[..at].trim_end();
            let after = rest[at + 1..].chars().next();
            let ends = after.is_none_or(char::is_whitespace);
            let words = label.split_whitespace().count();
            return (ends && words <= MAX_LABEL_WORDS).then(|| start..start + at + 1);
        }
        if is_combining_mark(c) {
            continue;
        }
        count += 1;
        let allowed =
            c.is_alphanumeric() || matches!(c, ' ' | '.' | '\'' | '’' | '-' | '_' | '(' | ')');
        if !allowed || count > MAX_LABEL_CHARS {
            return None;
        }
    }
    None
}

/// A label as compared with [`INTERVIEWER_LABELS`] and with other labels:
/// composed (NFC), so one name typed decomposed and composed is one speaker.
fn label_key(label: &str) -> String {
    label
        .trim_end_matches(':')
        .trim_end_matches(|c: char| c.is_ascii_digit() || c == ' ' || c == '.')
        .nfc()
        .collect::<String>()
        .to_lowercase()
}

impl Turns {
    /// Finds the turns of `text`.
    ///
    /// A label on [`INTERVIEWER_LABELS`] is the interviewer's. A transcript
    /// none of whose labels is on the list (speakers named by first name, or
    /// `Speaker 1`/`Speaker 2` from automatic transcription) opens with the
    /// interviewer: the first turn's label, wherever it recurs, is the
    /// interviewer's. Every other label is the interviewee's.
    pub fn find(text: &str) -> Turns {
        let mut found: Vec<(Range<usize>, String)> = Vec::new();
        let mut line_start = 0;
        for line in text.split_inclusive('\n') {
            if let Some(label) = speaker_label(line) {
                let label = line_start + label.start..line_start + label.end;
                found.push((label.clone(), label_key(&text[label])));
            }
            line_start += line.len();
        }
        let listed = |key: &str| INTERVIEWER_LABELS.contains(&key);
        let any_listed = found.iter().any(|(_, k)| listed(k));
        let first = found.first().map(|(_, k)| k.clone()).unwrap_or_default();
        let interviewer = |key: &str| {
            if any_listed {
                listed(key)
            } else {
                key == first
            }
        };
        let ends: Vec<usize> = found
            .iter()
            .skip(1)
            .map(|(label, _)| line_start_of(text, label.start))
            .chain([text.len()])
            .collect();
        let turns = found
            .iter()
            .zip(ends)
            .map(|((label, key), end)| Turn {
                speaker: if interviewer(key) {
                    Speaker::Interviewer
                } else {
                    Speaker::Interviewee
                },
                label: label.clone(),
                span: label.start..end,
            })
            .collect();
        Turns { turns }
    }

    pub fn all(&self) -> &[Turn] {
        &self.turns
    }

    /// The turns a byte range of the text touches (for an empty range, the
    /// turn it lies in), in order. A turn's label may lie partly outside the
    /// range: a selection may begin inside a label.
    pub fn covering(&self, bytes: Range<usize>) -> &[Turn] {
        let first = self.turns.partition_point(|t| t.span.end <= bytes.start);
        let last = self
            .turns
            .partition_point(|t| t.span.start < bytes.end.max(bytes.start + 1));
        &self.turns[first..last.max(first)]
    }

    /// Who speaks at a byte of the text (`None` before the first label).
    pub fn speaker_at(&self, byte: usize) -> Option<Speaker> {
        self.covering(byte..byte).first().map(|t| t.speaker)
    }
}

/// Where the line holding byte `at` starts.
fn line_start_of(text: &str, at: usize) -> usize {
    text[..at].rfind('\n').map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_label_is() {
        for line in [
            "Interviewer: So tell me",
            "I: and then?",
            "P1: yes",
            "Aoife: I started in 2019",
            "  Participant 12:\r\n",
            "Dr Ama Mensah: well",
            "Interviewer (JS): next",
            "Łukasz: tak",
            "王芳: 是的",
            "Q:",
            // Decomposed (NFD) names: the marks are part of the label.
            "Zoe\u{308}: yes",
            "Jose\u{301} Nun\u{303}ez: well",
            "Nguye\u{302}\u{303}n Thi\u{323} Hoa: da",
        ] {
            assert!(speaker_label(line).is_some(), "{line:?} is a label");
        }
        for line in [
            "10:30 we met",
            "http://example.org",
            "so what I said to them was: fine",
            "Yes, she said: fine",
            "and then: nothing",
            "One two three four: too many words",
            "Abcdefghijklmnopqrstuvwxyz: too long",
            "Note:to self",
            "",
            ": empty",
        ] {
            assert!(speaker_label(line).is_none(), "{line:?} is not a label");
        }
        assert_eq!(speaker_label("  I: x"), Some(2..4));
        assert_eq!(speaker_label("Interviewer:\r\n"), Some(0..12));
        assert_eq!(speaker_label("Zoe\u{308}: yes"), Some(0..6));
        // Marks do not count towards the length.
        let long = format!("{}:", "e\u{301}".repeat(MAX_LABEL_CHARS - 1));
        assert_eq!(
            speaker_label(&format!("A{long} x")),
            Some(0..long.len() + 1)
        );
    }

    #[test]
    fn turns_and_who_speaks() {
        let text = "Intro line\r\nInterviewer: How long?\r\nAoife: Two years 🙂\r\nand more.\r\nI: Thanks.\r\n";
        let turns = Turns::find(text);
        let labels: Vec<(&str, Speaker)> = turns
            .all()
            .iter()
            .map(|t| (&text[t.label.clone()], t.speaker))
            .collect();
        assert_eq!(
            labels,
            vec![
                ("Interviewer:", Speaker::Interviewer),
                ("Aoife:", Speaker::Interviewee),
                ("I:", Speaker::Interviewer),
            ]
        );
        let aoife = text.find("Aoife").unwrap();
        let more = text.find("and more").unwrap();
        let thanks = text.find("Thanks").unwrap();
        assert_eq!(turns.all()[1].span, aoife..text.find("I: Thanks").unwrap());
        assert_eq!(turns.speaker_at(more), Some(Speaker::Interviewee));
        assert_eq!(turns.speaker_at(thanks), Some(Speaker::Interviewer));
        assert_eq!(turns.speaker_at(0), None);
        // A selection from inside Aoife's turn to inside the next.
        let covered: Vec<&str> = turns
            .covering(more..thanks + 2)
            .iter()
            .map(|t| &text[t.label.clone()])
            .collect();
        assert_eq!(covered, vec!["Aoife:", "I:"]);
        assert!(turns.covering(0..5).is_empty());
        assert_eq!(turns.covering(more..more).len(), 1);
    }

    #[test]
    fn without_a_listed_label_the_first_speaker_is_the_interviewer() {
        let text = "Sarah: Shall we start?\nTomasz: Yes.\nSarah: Good.\nTomasz: Right.\n";
        let speakers: Vec<Speaker> = Turns::find(text).all().iter().map(|t| t.speaker).collect();
        assert_eq!(
            speakers,
            vec![
                Speaker::Interviewer,
                Speaker::Interviewee,
                Speaker::Interviewer,
                Speaker::Interviewee
            ]
        );
        // With a listed label, a name is the interviewee's even if first.
        let text = "Tomasz: Hello.\nInterviewer 2: Hi.\n";
        let speakers: Vec<Speaker> = Turns::find(text).all().iter().map(|t| t.speaker).collect();
        assert_eq!(speakers, vec![Speaker::Interviewee, Speaker::Interviewer]);
    }

    #[test]
    fn a_label_typed_decomposed_is_found_and_is_the_same_speaker() {
        // Zoë leads (no listed interviewer label): her label in NFC and NFD
        // is one speaker, the interviewer; Ama's, decomposed, is found.
        let text =
            "Zoe\u{308}: Shall we start?\nA\u{301}ma: Yes.\nZo\u{eb}: Good.\nA\u{301}ma: Right.\n";
        let turns = Turns::find(text);
        let found: Vec<(&str, Speaker)> = turns
            .all()
            .iter()
            .map(|t| (&text[t.label.clone()], t.speaker))
            .collect();
        assert_eq!(
            found,
            vec![
                ("Zoe\u{308}:", Speaker::Interviewer),
                ("A\u{301}ma:", Speaker::Interviewee),
                ("Zo\u{eb}:", Speaker::Interviewer),
                ("A\u{301}ma:", Speaker::Interviewee),
            ]
        );
    }
}
