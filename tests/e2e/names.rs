//! Names in every Unicode form, on a study crosscase's generator did not
//! write (tests/fixtures/make_unicode_study.py): its participants are named
//! in Vietnamese, Turkish, Polish, German, Yoruba in the register, and its
//! free text writes those names decomposed, without diacritics, in
//! capitals and in full-width letters.

use std::path::{Path, PathBuf};

use unicode_normalization::UnicodeNormalization;

use super::privacy::output_texts;
use super::*;

fn unicode_study() -> PathBuf {
    root().join("tests/fixtures/unicode-study")
}

/// The register's names: participants and interviewers.
fn register_names(study: &Path) -> Vec<String> {
    let mut reader = csv::Reader::from_path(study.join("raw/interviews/export.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (name, interviewer) = (col("participant_name"), col("interviewer"));
    let mut out = std::collections::BTreeSet::new();
    for r in reader.records() {
        let r = r.unwrap();
        out.insert(r[name].to_string());
        out.insert(r[interviewer].to_string());
    }
    out.into_iter().collect()
}

/// Without diacritics (combining marks dropped, the letters no
/// decomposition reaches written plain), independently of crosscase's fold.
fn plain(s: &str) -> String {
    s.nfkd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .map(|c| match c {
            'Đ' => 'D',
            'đ' => 'd',
            'ı' => 'i',
            'ł' => 'l',
            'Ł' => 'L',
            c => c,
        })
        .collect()
}

fn full_width(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(c as u32 + 0xfee0).unwrap(),
            c => c,
        })
        .collect()
}

/// `needle` in `hay` as a whole word, case and form as given.
fn has_word(hay: &str, needle: &str) -> bool {
    let word = |c: char| c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c);
    hay.match_indices(needle).any(|(i, m)| {
        !hay[..i].chars().next_back().is_some_and(word)
            && !hay[i + m.len()..].chars().next().is_some_and(word)
    })
}

/// Every form of every name and name part of the register that must not
/// reach an output. Short parts (fewer than four letters) written without
/// their diacritics are names only in title case and beside the rest of
/// the name; those spelling a common word (`An`, `Do`, `My`) only beside
/// it (crates/anonymise/src/names.rs): their plain forms alone are left out.
fn forms(names: &[String]) -> Vec<String> {
    let mut out = std::collections::BTreeSet::new();
    for name in names {
        let mut parts: Vec<&str> = name.split_whitespace().collect();
        parts.push(name);
        for part in parts {
            let nfc: String = part.nfc().collect();
            let bare = plain(&nfc);
            let short = bare.chars().filter(|c| c.is_alphanumeric()).count() < 4;
            let mut with_diacritics = vec![nfc.clone(), nfc.to_uppercase(), nfc.to_lowercase()];
            with_diacritics.extend(with_diacritics.clone().iter().map(|f| f.nfd().collect()));
            // A short name without diacritics is matched in title case only.
            if nfc != bare || !short {
                out.extend(with_diacritics);
            }
            if !short {
                out.extend([
                    bare.clone(),
                    bare.to_uppercase(),
                    bare.to_lowercase(),
                    full_width(&bare),
                    full_width(&bare.to_uppercase()),
                ]);
            } else if !["An", "Do", "My"].contains(&bare.as_str()) {
                out.insert(bare.clone());
            }
        }
    }
    out.into_iter().collect()
}

#[test]
fn a_vietnamese_name_written_in_another_unicode_form_reaches_no_output() {
    let study = unicode_study();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&study, &out, &[]));

    let names = register_names(&study);
    assert!(
        names.contains(&"Nguyễn Thị Ngọc Hà".to_string()),
        "{names:?}"
    );
    let needles = forms(&names);
    // The raw free text holds the forms the test looks for: decomposed,
    // plain, capitals, full-width.
    let raw = std::fs::read_to_string(study.join("raw/interviews/export.csv")).unwrap();
    for form in [
        "Nguye\u{302}\u{303}n Thi\u{323} Ngo\u{323}c Ha\u{300}",
        "call me Ha.",
        "Write NGUYEN",
        "\u{ff2e}\u{ff47}\u{ff55}\u{ff59}\u{ff45}\u{ff4e}",
        "İBRAHIM YILDIRIM",
        "GROSSMANN",
    ] {
        assert!(raw.contains(form), "{form} is planted in the raw free text");
    }
    let mut found = Vec::new();
    for (file, text) in output_texts(&out) {
        for needle in &needles {
            if has_word(&text, needle) {
                found.push((file.clone(), needle.clone()));
            }
        }
    }
    assert!(found.is_empty(), "a name reached the outputs:\n{found:#?}");

    // What short names spell without diacritics are words, left alone.
    let accounts: String = output_texts(&out)
        .into_iter()
        .filter(|(file, _)| file.starts_with("data/accounts/"))
        .map(|(_, text)| text)
        .collect();
    assert!(
        accounts.contains(
            "It took an hour, ha, and to be honest an advocate did it. Do you see? My son came too."
        ),
        "{accounts}"
    );
    assert!(
        accounts.contains("call me [name]. Write [name] on the form."),
        "{accounts}"
    );
}
