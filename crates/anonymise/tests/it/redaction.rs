//! Measures the redactor on the labelled sentences of
//! tests/fixtures/redaction/sentences.tsv.

use std::collections::BTreeMap;
use std::fmt::Write;

use anonymise::{Kind, Redactor};

use crate::common;

const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../tests/fixtures/redaction/sentences.tsv"
);
const KINDS: [&str; 9] = [
    "name",
    "site",
    "identifier",
    "nhs",
    "postcode",
    "phone",
    "email",
    "date",
    "url",
];
/// Recall must be 1.0 for these: NHS numbers, emails, postcodes and every gazetteer kind.
const MUST_FIND: [&str; 6] = ["name", "site", "identifier", "nhs", "postcode", "email"];

fn fixture_kind(kind: Kind) -> &'static str {
    match kind {
        Kind::Identifier => "identifier",
        Kind::Site => "site",
        Kind::Name => "name",
        Kind::Email => "email",
        Kind::Url => "url",
        Kind::NhsNumber => "nhs",
        Kind::Phone => "phone",
        Kind::Postcode => "postcode",
        Kind::Date => "date",
    }
}

pub(crate) struct Sentence {
    pub(crate) id: String,
    pub(crate) text: String,
    spans: Vec<(String, usize, usize)>,
}

/// `\u{XXXX}` escapes decoded (the fixture writes combining marks so, to
/// be read).
fn unescape(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(at) = rest.find("\\u{") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 3..];
        let close = after.find('}').expect("closed escape");
        let code = u32::from_str_radix(&after[..close], 16).expect("hex escape");
        out.push(char::from_u32(code).expect("a char"));
        rest = &after[close + 1..];
    }
    out.push_str(rest);
    out
}

fn parse(line: &str) -> Sentence {
    let line = unescape(line);
    let (id, marked) = line.split_once('\t').expect("id<TAB>sentence");
    let mut text = String::new();
    let mut spans = Vec::new();
    let mut rest = marked;
    while let Some(open) = rest.find("{{") {
        text.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let close = after.find("}}").expect("unclosed marker");
        let (kind, value) = after[..close].split_once(':').expect("{{kind:text}}");
        assert!(KINDS.contains(&kind), "{id}: unknown kind {kind}");
        spans.push((kind.to_string(), text.len(), text.len() + value.len()));
        text.push_str(value);
        rest = &after[close + 2..];
    }
    text.push_str(rest);
    Sentence {
        id: id.to_string(),
        text,
        spans,
    }
}

/// The labelled sentences, markers removed, escapes decoded.
pub(crate) fn sentences() -> Vec<Sentence> {
    let raw = std::fs::read_to_string(FIXTURE).expect("fixture");
    raw.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(parse)
        .collect()
}

/// The redactor of the labelled sentences.
pub(crate) fn redactor() -> Redactor {
    Redactor::new(
        &common::identifiers(),
        &common::sites(),
        &common::identities_of_many_origins(),
    )
    .unwrap()
}

#[test]
fn redaction_recall_and_precision_on_labelled_sentences() {
    let sentences = sentences();
    assert!(sentences.len() >= 400, "at least 400 labelled sentences");
    let redactor = redactor();

    // kind -> (expected, found, hits, true hits)
    let mut stats: BTreeMap<&str, [u32; 4]> = KINDS.iter().map(|k| (*k, [0; 4])).collect();
    let mut misses = Vec::new();
    let mut false_hits = Vec::new();
    for s in &sentences {
        let red = redactor.redact(&s.text);
        for (kind, start, end) in &s.spans {
            let covered =
                (*start..*end).all(|b| red.hits.iter().any(|h| h.start <= b && b < h.end));
            let e = stats.get_mut(kind.as_str()).unwrap();
            e[0] += 1;
            if covered {
                e[1] += 1;
            } else {
                misses.push(format!("{} {kind}", s.id));
            }
        }
        for h in &red.hits {
            let true_hit = s.spans.iter().any(|(_, a, b)| h.start < *b && *a < h.end);
            let e = stats.get_mut(fixture_kind(h.kind)).unwrap();
            e[2] += 1;
            if true_hit {
                e[3] += 1;
            } else {
                false_hits.push(format!("{} {} `{}`", s.id, h.kind, &s.text[h.start..h.end]));
            }
        }
        // Nothing planted survives in the output text.
        for (_, start, end) in &s.spans {
            let value = &s.text[*start..*end];
            if MUST_FIND
                .iter()
                .any(|k| s.spans.iter().any(|(kk, a, _)| kk == k && a == start))
            {
                assert!(
                    !red.text.contains(value),
                    "{}: planted value survives",
                    s.id
                );
            }
        }
    }

    let ratio = |a: u32, b: u32| {
        if b == 0 {
            "-".to_string()
        } else {
            format!("{:.3}", f64::from(a) / f64::from(b))
        }
    };
    let mut table = String::from("kind        planted  recall  hits  precision\n");
    for (kind, [expected, found, hits, true_hits]) in &stats {
        writeln!(
            table,
            "{kind:<11} {expected:>7}  {:>6}  {hits:>4}  {:>9}",
            ratio(*found, *expected),
            ratio(*true_hits, *hits)
        )
        .unwrap();
    }
    writeln!(
        table,
        "misses: {}",
        if misses.is_empty() {
            "none".to_string()
        } else {
            misses.join(", ")
        }
    )
    .unwrap();
    writeln!(
        table,
        "false hits: {}",
        if false_hits.is_empty() {
            "none".to_string()
        } else {
            false_hits.join(", ")
        }
    )
    .unwrap();
    println!("{table}");

    for kind in MUST_FIND {
        let [expected, found, ..] = stats[kind];
        assert_eq!(found, expected, "recall of {kind} must be 1.0\n{table}");
    }
    let [_, _, hits, true_hits] = stats["name"];
    assert!(
        f64::from(true_hits) >= 0.98 * f64::from(hits),
        "precision of names must be at least 0.98\n{table}"
    );
    // The current values of every kind: a change in the redactor shows here.
    insta::assert_snapshot!("redaction_recall_precision", table);
}

/// Every sentence decomposed (NFD) or in compatibility form (NFKC, NFKD):
/// the same planted spans are redacted, mapped to the new text, and the
/// redacted text never splits a letter from its combining marks.
#[test]
fn every_normal_form_of_a_sentence_is_redacted_alike() {
    use unicode_normalization::UnicodeNormalization;
    let redactor = redactor();
    let forms: [(&str, fn(&str) -> String); 3] = [
        ("NFD", |s| s.nfd().collect()),
        ("NFKC", |s| s.nfkc().collect()),
        ("NFKD", |s| s.nfkd().collect()),
    ];
    let mut checked = 0;
    for s in sentences() {
        for (form, normal) in forms {
            // Each planted span, normalised on its own, in the normalised
            // sentence (spans and the text between them normalise apart:
            // both start with a letter or a space).
            let mut text = String::new();
            let mut spans = Vec::new();
            let mut at = 0;
            for (kind, start, end) in &s.spans {
                text.push_str(&normal(&s.text[at..*start]));
                let value = normal(&s.text[*start..*end]);
                spans.push((kind.clone(), text.len(), text.len() + value.len()));
                text.push_str(&value);
                at = *end;
            }
            text.push_str(&normal(&s.text[at..]));
            if text != normal(&s.text) {
                continue; // a span's edge composes with its neighbour
            }
            let red = redactor.redact(&text);
            for (kind, start, end) in &spans {
                if !MUST_FIND.contains(&kind.as_str()) {
                    continue;
                }
                let covered =
                    (*start..*end).all(|b| red.hits.iter().any(|h| h.start <= b && b < h.end));
                assert!(
                    covered,
                    "{} in {form}: {kind} {:?}",
                    s.id,
                    &text[*start..*end]
                );
                checked += 1;
            }
            for h in &red.hits {
                assert!(
                    !text[h.end..].starts_with(|c: char| {
                        unicode_normalization::char::is_combining_mark(c)
                    }),
                    "{} in {form}: a hit ends before a combining mark",
                    s.id
                );
            }
        }
    }
    assert!(checked > 900, "{checked} spans checked");
}
