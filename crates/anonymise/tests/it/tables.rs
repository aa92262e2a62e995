use std::sync::Arc;

use anonymise::{AnonymiseError, Key, LeakGuard, Pseudonyms, Redactor, anonymise};
use arrow_array::{
    Array, ArrayRef, BooleanArray, Int8Array, Int32Array, RecordBatch, StringArray, UInt8Array,
    UInt32Array,
};
use model::{StudyTables, Withdrawal, WithdrawalScope, schema};

use crate::common;

fn s(v: &[&str]) -> ArrayRef {
    Arc::new(StringArray::from(v.to_vec()))
}
fn prov(n: usize) -> [ArrayRef; 3] {
    [
        s(&vec!["raw/interviews/a.csv"; n]),
        Arc::new(UInt32Array::from(vec![2u32; n])),
        s(&vec!["0123456789abcdef"; n]),
    ]
}
fn batch(schema: arrow_schema::SchemaRef, mut cols: Vec<ArrayRef>, n: usize) -> RecordBatch {
    cols.extend(prov(n));
    model::column::conform(schema, cols).unwrap()
}
fn who(rows: &[(&str, &str)]) -> Vec<ArrayRef> {
    let sector: Vec<&str> = rows
        .iter()
        .map(|r| {
            if r.1 == "S02" {
                "voluntary"
            } else {
                "statutory"
            }
        })
        .collect();
    vec![
        s(&rows.iter().map(|r| r.0).collect::<Vec<_>>()),
        s(&rows.iter().map(|r| r.1).collect::<Vec<_>>()),
        s(&sector),
        s(&vec!["peer_worker"; rows.len()]),
    ]
}

const PEOPLE: [(&str, &str); 5] = [
    ("S02-02", "S02"),
    ("S01-01", "S01"),
    ("S01-02", "S01"),
    ("S02-01", "S02"),
    ("S03-01", "S03"),
];

fn raw() -> StudyTables {
    let n = PEOPLE.len();
    let sites = RecordBatch::try_new(
        schema::sites(),
        vec![
            s(&["S02", "S01", "S03"]),
            s(&["voluntary", "statutory", "statutory"]),
            Arc::new(BooleanArray::from(vec![false; 3])),
            Arc::new(BooleanArray::from(vec![false; 3])),
            s(&["London"; 3]),
            Arc::new(UInt8Array::from(vec![1u8; 3])),
            Arc::new(BooleanArray::from(vec![true; 3])),
        ],
    )
    .unwrap();
    let mut p = who(&PEOPLE);
    p.extend([
        Arc::new(Int8Array::from(vec![Some(2); n])) as ArrayRef,
        Arc::new(Int8Array::from(vec![Some(1); n])),
        Arc::new(Int8Array::from(vec![Some(1); n])),
        Arc::new(BooleanArray::from(vec![Some(true); n])),
        Arc::new(Int32Array::from(vec![Some(2); n])),
        Arc::new(Int8Array::from(vec![Some(2); n])),
        Arc::new(BooleanArray::from(vec![false; n])),
    ]);
    let participants = batch(schema::participants(), p, n);
    let mut a = who(&PEOPLE);
    a.extend([
        s(&["supervision"; 5]),
        Arc::new(Int8Array::from(vec![Some(1); n])) as ArrayRef,
        Arc::new(Int8Array::from(vec![Some(5); n])),
        Arc::new(Int8Array::from(vec![Some(1); n])),
    ]);
    let answers = batch(schema::answers(), a, n);
    let mut t = who(&PEOPLE);
    t.extend([
        Arc::new(UInt8Array::from(vec![1u8; n])) as ArrayRef,
        s(&["supervision"; 5]),
    ]);
    let top3 = batch(schema::top3(), t, n);
    let mut o = who(&PEOPLE);
    o.extend([
        s(&["retention"; 5]),
        Arc::new(Int8Array::from(vec![Some(1); n])) as ArrayRef,
    ]);
    let outcomes = batch(schema::outcomes(), o, n);
    let mut c = who(&PEOPLE);
    c.extend([
        s(&["comments"; 5]),
        s(&["other"; 5]),
        s(&[
            "Siobhan O'Neill's manager at Eastfield Peer Support Hub was great.",
            "Maria here, call me on 07700 900123.",
            "Zoë Brennan: I withdrew, none of this may appear.",
            "José said peer work gave him hope. NHS 943 476 5919.",
            "Kwame on Bell Ward, SE1 7EH.",
        ]),
    ]);
    let accounts = batch(schema::accounts(), c, n);
    let documents = batch(
        schema::documents(),
        vec![
            s(&["S02", "S01"]),
            s(&["voluntary", "statutory"]),
            s(&["D01", "D01"]),
            Arc::new(Int8Array::from(vec![Some(1); 2])),
            Arc::new(StringArray::from(vec![Some("2011-03-01"), None])),
        ],
        2,
    );
    let evidence = batch(
        schema::evidence(),
        vec![
            s(&["S01", "S02"]),
            s(&["statutory", "voluntary"]),
            s(&["D01", "D01"]),
            Arc::new(UInt32Array::from(vec![1u32, 1])),
            s(&["supervision", "training"]),
            Arc::new(Int8Array::from(vec![Some(1), Some(2)])),
            Arc::new(StringArray::from(vec![
                Some("Riverside Recovery College supervises monthly (Dr Okafor)."),
                None,
            ])),
            Arc::new(StringArray::from(vec![Some("p. 4"), None])),
        ],
        2,
    );
    // Everyone ticked the first choice of a checkbox field; S02-01 the second too.
    let mut k = who(&PEOPLE);
    k.extend([s(&["work_settings"; 5]), s(&["1"; 5])]);
    let mut checkboxes = batch(schema::checkboxes(), k, n);
    let mut extra = who(&PEOPLE[3..4]);
    extra.extend([s(&["work_settings"]), s(&["2"])]);
    checkboxes = model::column::concat_batches(
        &schema::checkboxes(),
        &[checkboxes, batch(schema::checkboxes(), extra, 1)],
    )
    .unwrap();
    StudyTables {
        sites,
        participants,
        answers,
        top3,
        outcomes,
        accounts,
        documents,
        evidence,
        checkboxes,
        coded_segments: RecordBatch::new_empty(model::schema::coded_segments()),
        workshop_notes: RecordBatch::new_empty(model::schema::workshop_notes()),
        workshop_verdicts: RecordBatch::new_empty(model::schema::workshop_verdicts()),
    }
}

fn withdrawals() -> Vec<Withdrawal> {
    vec![
        Withdrawal {
            record_id: "S01-02".into(),
            withdrawn_on: "2011-05-01".into(),
            scope: WithdrawalScope::All,
        },
        Withdrawal {
            record_id: "S02-01".into(),
            withdrawn_on: "2011-05-02".into(),
            scope: WithdrawalScope::Quotes,
        },
    ]
}

fn col<'a>(b: &'a RecordBatch, name: &str) -> Vec<&'a str> {
    model::column::text(b, name)
        .unwrap()
        .iter()
        .map(|v| v.unwrap_or(""))
        .collect()
}

fn dump(t: &StudyTables) -> String {
    let mut out = String::new();
    for (name, b) in t.named() {
        out.push_str(name);
        out.push('\n');
        for row in 0..b.num_rows() {
            for c in b.columns() {
                if let Some(a) = model::column::Text::of(c.as_ref()) {
                    out.push_str(a.value(row));
                }
                out.push(',');
            }
            out.push('\n');
        }
    }
    out
}

fn run(raw: &StudyTables, w: &[Withdrawal]) -> Result<anonymise::Anonymised, AnonymiseError> {
    let ids = common::identities();
    let redactor = Redactor::new(&common::identifiers(), &common::sites(), &ids).unwrap();
    anonymise(raw, &ids, &common::sites(), w, &Key::demo(), &redactor)
}

#[test]
fn clean_tables_have_pseudonyms_labels_redacted_text_and_withdrawals() {
    let key = Key::demo();
    let out = run(&raw(), &withdrawals()).unwrap();
    let t = &out.tables;
    let people = common::identities();
    let ids: Vec<&str> = PEOPLE
        .iter()
        .map(|p| p.0)
        .chain(people.people.iter().map(|p| p.record_id.as_str()))
        .collect();
    let p = Pseudonyms::assign(&key, ids).unwrap();
    let ps = |id: &str| p.get(id).unwrap().to_string();

    // Schemas are the model's.
    assert_eq!(t.participants.schema(), schema::participants());
    assert_eq!(t.accounts.schema(), schema::accounts());
    assert_eq!(t.evidence.schema(), schema::evidence());

    // Withdrawn `all`: S01-02 is gone from every table.
    for (name, b) in t.named() {
        if b.column_by_name(schema::PARTICIPANT).is_some() {
            assert!(
                !col(b, schema::PARTICIPANT).contains(&ps("S01-02").as_str()),
                "{name}"
            );
        }
    }
    assert_eq!(t.participants.num_rows(), 4);
    assert_eq!(t.answers.num_rows(), 4);
    assert_eq!(t.top3.num_rows(), 4);
    assert_eq!(t.outcomes.num_rows(), 4);
    // Checkboxes: pseudonyms and labels, the withdrawn gone, ticks kept
    // (withdrawn `quotes` keeps them), sorted by site label and pseudonym.
    assert_eq!(t.checkboxes.schema(), schema::checkboxes());
    assert_eq!(t.checkboxes.num_rows(), 5);
    let ticked: Vec<(&str, &str, &str)> = col(&t.checkboxes, schema::SITE)
        .into_iter()
        .zip(col(&t.checkboxes, schema::PARTICIPANT))
        .zip(col(&t.checkboxes, "choice"))
        .map(|((site, p), c)| (site, p, c))
        .collect();
    let mut expected = [
        ("Site A", ps("S01-01"), "1"),
        ("Site B", ps("S02-01"), "1"),
        ("Site B", ps("S02-01"), "2"),
        ("Site B", ps("S02-02"), "1"),
        ("Site C", ps("S03-01"), "1"),
    ];
    expected.sort();
    assert_eq!(
        ticked,
        expected
            .iter()
            .map(|(a, b, c)| (*a, b.as_str(), *c))
            .collect::<Vec<_>>()
    );
    // Withdrawn `quotes`: S02-01 keeps ratings, flagged, no accounts.
    assert!(col(&t.answers, schema::PARTICIPANT).contains(&ps("S02-01").as_str()));
    assert!(!col(&t.accounts, schema::PARTICIPANT).contains(&ps("S02-01").as_str()));
    assert_eq!(t.accounts.num_rows(), 3);
    let flags = t
        .participants
        .column_by_name("quotes_withdrawn")
        .unwrap()
        .as_any()
        .downcast_ref::<BooleanArray>()
        .unwrap();
    let who = col(&t.participants, schema::PARTICIPANT);
    for (i, pid) in who.iter().enumerate() {
        assert_eq!(
            flags.value(i),
            *pid == ps("S02-01"),
            "quotes_withdrawn of row {i}"
        );
    }

    // Sorted by site label, then pseudonym.
    let keys: Vec<(&str, &str)> = col(&t.participants, schema::SITE)
        .into_iter()
        .zip(who.iter().copied())
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(col(&t.sites, schema::SITE), ["Site A", "Site B", "Site C"]);
    assert_eq!(col(&t.documents, schema::SITE), ["Site A", "Site B"]);

    // Free text.
    let texts = col(&t.accounts, "text");
    let by_pid = |id: &str| {
        texts[col(&t.accounts, schema::PARTICIPANT)
            .iter()
            .position(|x| *x == ps(id))
            .unwrap()]
    };
    assert_eq!(by_pid("S02-02"), "[name]'s manager at [site] was great.");
    assert_eq!(by_pid("S01-01"), "[name] here, call me on [phone].");
    assert_eq!(by_pid("S03-01"), "[name] on [ward], [postcode].");
    assert_eq!(
        col(&t.evidence, "excerpt"),
        ["[site] supervises monthly (Dr [consultant]).", ""]
    );

    // Nothing identifying anywhere, raw codes included.
    let guard = LeakGuard::new(
        &common::identities(),
        &common::identifiers(),
        &common::sites(),
    )
    .unwrap();
    assert_eq!(guard.scan(&dump(t), true), []);

    // The log: positions and kinds, never the text.
    assert!(out.log.iter().any(|e| e.participant == ps("S01-01")
        && e.kind == "phone"
        && e.field == "accounts/comments"));
    assert!(
        !out.log
            .iter()
            .any(|e| e.participant == ps("S01-02") || e.participant == ps("S02-01"))
    );
    let log = format!("{:?}", out.log);
    assert!(!log.contains("07700") && !log.contains("Maria") && !log.contains("Riverside"));

    // Deterministic.
    let again = run(&raw(), &withdrawals()).unwrap();
    assert_eq!(dump(&again.tables), dump(t));
}

#[test]
fn unknown_site_code_fails_closed() {
    let mut r = raw();
    let mut cols = r.documents.columns().to_vec();
    cols[0] = s(&["S09", "S01"]);
    r.documents = model::column::conform(schema::documents(), cols).unwrap();
    let err = run(&r, &[]).unwrap_err();
    assert!(
        matches!(
            err,
            AnonymiseError::UnknownSite {
                table: "documents",
                row: 0,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn withdrawal_of_an_unknown_record_fails_closed() {
    let w = [Withdrawal {
        record_id: "S01-09".into(),
        withdrawn_on: "2011-05-01".into(),
        scope: WithdrawalScope::All,
    }];
    assert!(matches!(
        run(&raw(), &w),
        Err(AnonymiseError::UnknownWithdrawal(_))
    ));
}

/// Late data: the withdrawals file may already name a participant of a site
/// whose exports have not arrived. That withdrawal waits for the data; one
/// naming a site that is not registered still fails closed.
#[test]
fn withdrawal_from_an_awaited_site_waits_for_its_data() {
    let mut register = common::sites();
    let mut awaited = register[0].clone();
    awaited.site_id = "S04".into();
    awaited.site_name = "Northgate Peer Centre".into();
    awaited.label = "Site D".into();
    register.push(awaited);
    let ids = common::identities();
    let redactor = Redactor::new(&common::identifiers(), &register, &ids).unwrap();
    let run = |w: &[Withdrawal]| anonymise(&raw(), &ids, &register, w, &Key::demo(), &redactor);
    let pending = [Withdrawal {
        record_id: "S04-05".into(),
        withdrawn_on: "2011-05-01".into(),
        scope: WithdrawalScope::All,
    }];
    let with = run(&pending).expect("S04 is registered and has no data yet");
    let without = run(&[]).unwrap();
    assert_eq!(with.tables.participants, without.tables.participants);
    let unregistered = [Withdrawal {
        record_id: "S99-01".into(),
        withdrawn_on: "2011-05-01".into(),
        scope: WithdrawalScope::All,
    }];
    assert!(matches!(
        run(&unregistered),
        Err(AnonymiseError::UnknownWithdrawal(_))
    ));
}

#[test]
fn record_of_another_site_and_orphan_rows_fail_closed() {
    let mut r = raw();
    let mut cols = r.answers.columns().to_vec();
    cols[0] = s(&["S02-02", "S01-01", "S01-02", "S02-01", "S03-77"]);
    cols[1] = s(&["S02", "S01", "S01", "S02", "S03"]);
    r.answers = model::column::conform(schema::answers(), cols).unwrap();
    assert!(matches!(
        run(&r, &[]),
        Err(AnonymiseError::Row {
            table: "answers",
            row: 4,
            ..
        })
    ));

    let mut r = raw();
    let mut cols = r.top3.columns().to_vec();
    cols[1] = s(&["S01", "S01", "S01", "S02", "S03"]);
    cols[2] = s(&[
        "statutory",
        "statutory",
        "statutory",
        "voluntary",
        "statutory",
    ]);
    r.top3 = model::column::conform(schema::top3(), cols).unwrap();
    assert!(matches!(
        run(&r, &[]),
        Err(AnonymiseError::Row {
            table: "top3",
            row: 0,
            ..
        })
    ));
}

#[test]
fn schema_difference_fails_closed() {
    let mut r = raw();
    r.outcomes = r.answers.clone();
    assert!(matches!(
        run(&r, &[]),
        Err(AnonymiseError::Schema {
            table: "outcomes",
            ..
        })
    ));
}

/// Sites anonymised one by one, in any order, and assembled, give exactly
/// the whole-study result (what lets a run reuse some sites' partitions).
#[test]
fn sites_anonymised_separately_assemble_into_the_whole_study() {
    let raw = raw();
    let ids = common::identities();
    let sites = common::sites();
    let redactor = Redactor::new(&common::identifiers(), &sites, &ids).unwrap();
    let whole = anonymise(&raw, &ids, &sites, &withdrawals(), &Key::demo(), &redactor).unwrap();
    let anonymiser =
        anonymise::Anonymiser::new(&raw, &ids, &sites, &withdrawals(), &Key::demo()).unwrap();
    let split = anonymiser.split(&raw).unwrap();
    assert_eq!(split.keys().collect::<Vec<_>>(), ["S01", "S02", "S03"]);
    assert_eq!(
        split["S02"].participants,
        [0, 3],
        "a site's rows, wherever they are in the table"
    );
    let mut parts: Vec<(String, anonymise::Anonymised)> = split
        .iter()
        .rev()
        .map(|(site, rows)| {
            (
                site.clone(),
                anonymiser.site(&raw, rows, Some(&redactor)).unwrap(),
            )
        })
        .collect();
    assert_eq!(parts[0].1.tables.participants.num_rows(), 1, "S03 alone");
    parts.rotate_left(1);
    let assembled = anonymiser.assemble(parts).unwrap();
    for ((name, a), (_, b)) in whole
        .tables
        .named()
        .into_iter()
        .zip(assembled.tables.named())
    {
        assert_eq!(a, b, "{name}");
    }
    assert_eq!(whole.log, assembled.log);
    assert!(whole.log.iter().all(|e| e.site.starts_with("Site ")));
}

/// Without the tables of free text, sites need no redactor: those tables
/// come out empty, no redaction is logged, and every other table is
/// exactly as when everything is made. Asked for free text without a
/// redactor, a site fails closed.
#[test]
fn without_free_text_the_other_tables_are_the_same_and_nothing_is_redacted() {
    let raw = raw();
    assert!(raw.accounts.num_rows() > 0 && raw.evidence.num_rows() > 0);
    let ids = common::identities();
    let sites = common::sites();
    let redactor = Redactor::new(&common::identifiers(), &sites, &ids).unwrap();
    let whole = anonymise(&raw, &ids, &sites, &withdrawals(), &Key::demo(), &redactor).unwrap();
    assert!(!whole.log.is_empty());
    let lean = anonymise::Anonymiser::new(&raw, &ids, &sites, &withdrawals(), &Key::demo())
        .unwrap()
        .without_free_text(&["accounts", "evidence", "answers"]);
    let split = lean.split(&raw).unwrap();
    let parts: Vec<(String, anonymise::Anonymised)> = split
        .iter()
        .map(|(site, rows)| (site.clone(), lean.site(&raw, rows, None).unwrap()))
        .collect();
    let assembled = lean.assemble(parts).unwrap();
    assert!(assembled.log.is_empty());
    for ((name, a), (_, b)) in whole
        .tables
        .named()
        .into_iter()
        .zip(assembled.tables.named())
    {
        if name == "accounts" || name == "evidence" {
            assert_eq!(b.num_rows(), 0, "{name}");
            assert_eq!(a.schema(), b.schema(), "{name}");
        } else {
            assert_eq!(a, b, "{name}");
        }
    }
    let full =
        anonymise::Anonymiser::new(&raw, &ids, &sites, &withdrawals(), &Key::demo()).unwrap();
    let (_, rows) = split.iter().find(|(_, r)| !r.accounts.is_empty()).unwrap();
    assert!(matches!(
        full.site(&raw, rows, None),
        Err(AnonymiseError::NoRedactor("accounts"))
    ));
}

/// The entries a late site adds to the gazetteer, less those already there
/// with the same effect; found exactly as the redactor finds them.
#[test]
fn a_late_sites_gazetteer_entries_are_found_as_the_redactor_finds_them() {
    let mut ids = common::identities();
    ids.people.push(common::person(
        "S04-01",
        "Maria Quennell",
        "Tom Whitfield",
        "mq@example.org",
    ));
    ids.people.push(common::person(
        "S04-02",
        "Lewisham Okafor-Bright",
        "Ngozi Adeyemi",
        "",
    ));
    let added = std::collections::BTreeSet::from(["S04".to_string()]);
    let scan =
        anonymise::GazetteerScan::added(&common::identifiers(), &common::sites(), &ids, &added)
            .unwrap();
    // New: a surname, a new interviewer's first name, an email, a hyphen part.
    assert!(scan.occurs_in("then QUENNELL said"));
    assert!(scan.occurs_in("ask Ngozi"));
    assert!(scan.occurs_in("write to MQ@example.org today"));
    assert!(scan.occurs_in("Bright spoke"));
    assert!(
        scan.occurs_in("Okafor-Bright spoke"),
        "the full name is new"
    );
    // Already there with the same effect: an earlier participant's name
    // (Maria, Tom Whitfield, Adeyemi), identifiers.csv (Lewisham, Okafor).
    for text in [
        "Maria and Tom Whitfield",
        "Adeyemi",
        "Lewisham",
        "Dr Okafor",
        "Quennells",
        "xQuennell",
    ] {
        assert!(!scan.occurs_in(text), "{text}");
    }
    let none = anonymise::GazetteerScan::added(
        &common::identifiers(),
        &common::sites(),
        &ids,
        &Default::default(),
    )
    .unwrap();
    assert!(!none.occurs_in("Quennell"));
    let fp = anonymise::gazetteer_fingerprints(&Key::demo(), &ids);
    assert_eq!(fp.len(), 4);
    let mut renamed = ids.clone();
    renamed.people[0].fields[0].1 = "Maria Hughes-Lee".into();
    let fp2 = anonymise::gazetteer_fingerprints(&Key::demo(), &renamed);
    assert_ne!(fp["S01"], fp2["S01"]);
    assert_eq!(fp["S02"], fp2["S02"]);
    let other_key = Key::from_bytes(b"another key of 32 bytes, really!").unwrap();
    assert_ne!(
        anonymise::gazetteer_fingerprints(&other_key, &ids)["S02"],
        fp["S02"],
        "keyed"
    );
}

/// A late site's Vietnamese name is found in any form its text may hold,
/// and a short name's new diacritics count as a new entry (the redactor
/// judges its matches by them); a short name known as written does not.
#[test]
fn a_late_name_is_found_in_any_unicode_form() {
    let mut ids = common::identities();
    ids.people
        .push(common::person("S01-09", "Ha Phan", "Tom Whitfield", ""));
    ids.people.push(common::person(
        "S04-01",
        "Nguyễn Thị Hà",
        "Tom Whitfield",
        "",
    ));
    ids.people
        .push(common::person("S05-01", "Phan Ha", "Tom Whitfield", ""));
    let scan = |site: &str| {
        let added = std::collections::BTreeSet::from([site.to_string()]);
        anonymise::GazetteerScan::added(&common::identifiers(), &common::sites(), &ids, &added)
            .unwrap()
    };
    let s04 = scan("S04");
    for text in [
        "then Nguye\u{302}\u{303}n said",
        "then NGUYEN said",
        "then nguyen said",
        "then \u{ff2e}\u{ff27}\u{ff35}\u{ff39}\u{ff25}\u{ff2e} said",
        "then THI\u{323} said",
        "then Ha\u{300} said",
        // Every match of a short name counts for the scan, word or not:
        // whether the redactor takes it for a name depends on its
        // neighbours (fail closed).
        "ha ha",
    ] {
        assert!(s04.occurs_in(text), "{text}");
    }
    assert!(!s04.occurs_in("then Phan said"));
    // S05's parts are known as written (S01-09): only its full name is new.
    let s05 = scan("S05");
    assert!(!s05.occurs_in("then Ha said, ha") && !s05.occurs_in("PHAN"));
    assert!(s05.occurs_in("then PHAN HA said"));
}
