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

struct Sentence {
    id: String,
    text: String,
    spans: Vec<(String, usize, usize)>,
}

fn parse(line: &str) -> Sentence {
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

#[test]
fn redaction_recall_and_precision_on_labelled_sentences() {
    let raw = std::fs::read_to_string(FIXTURE).expect("fixture");
    let sentences: Vec<Sentence> = raw
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(parse)
        .collect();
    assert!(sentences.len() >= 200, "at least 200 labelled sentences");
    let redactor = Redactor::new(
        &common::identifiers(),
        &common::sites(),
        &common::identities(),
    )
    .unwrap();

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
    // The current values of every kind: a change in the redactor shows here.
    insta::assert_snapshot!("redaction_recall_precision", table);
}
