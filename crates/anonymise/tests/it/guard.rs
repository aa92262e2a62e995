use anonymise::{Kind, LeakGuard, RedactionKinds, Redactor};

use crate::common;

fn guard() -> LeakGuard {
    LeakGuard::new(
        &common::identities(),
        &common::identifiers(),
        &common::sites(),
    )
    .unwrap()
}

fn kinds(leaks: &[anonymise::Leak]) -> Vec<(u32, &str)> {
    leaks.iter().map(|l| (l.line, l.kind.as_str())).collect()
}

#[test]
fn guard_finds_each_planted_kind_by_line_without_the_value() {
    let text = "participant,text\n\
        P-7K2M9Q,a clean line about supervision and hope\n\
        P-7K2M9Q,ZOE BRENNAN said so\n\
        P-7K2M9Q,mail maria.hughes@example.net\n\
        P-7K2M9Q,nhs 943 476 5919\n\
        P-7K2M9Q,not nhs 943 476 5918\n\
        P-7K2M9Q,at SE1 7EH\n\
        P-7K2M9Q,ring 0161 496 0000\n\
        S01-02,raw code\n\
        P-7K2M9Q,at Eastfield Peer Support Hub\n\
        P-7K2M9Q,on bell ward\n\
        P-7K2M9Q,someone@else.example.org wrote\n";
    let g = guard();
    let leaks = g.scan(text, true);
    assert_eq!(
        kinds(&leaks),
        [
            (3, "name"),
            (4, "email"),
            (4, "name"), // `maria` of the address is a name part too
            (5, "nhs_number"),
            (7, "postcode"),
            (8, "phone"),
            (9, "record_id"),
            (9, "site_id"),
            (10, "site"),
            (11, "identifier"),
            (12, "email"),
        ]
    );
    let shown = format!("{leaks:?}");
    for value in [
        "BRENNAN",
        "maria.hughes",
        "943",
        "SE1",
        "0161",
        "S01-02",
        "Eastfield",
        "bell",
    ] {
        assert!(
            !shown.contains(value),
            "a leak report must not carry the value"
        );
    }
    // Raw codes are leaks only in published tables and reports.
    assert!(
        !kinds(&g.scan(text, false))
            .iter()
            .any(|(_, k)| *k == "record_id")
    );
}

#[test]
fn guard_ignores_short_name_parts_and_words_inside_words() {
    let g = guard();
    assert!(
        g.scan("Tomorrow the mariachi band played; hope and bell", true)
            .is_empty()
    );
}

#[test]
fn disabled_redaction_kind_leaks_and_the_guard_catches_it() {
    let text = "I live at SE1 7EH and Zoë's manager was kind.";
    let full = Redactor::new(
        &common::identifiers(),
        &common::sites(),
        &common::identities(),
    )
    .unwrap();
    let out = full.redact(text).text;
    assert_eq!(out, "I live at [postcode] and [name]'s manager was kind.");
    assert!(guard().scan(&out, true).is_empty());

    for (kind, code) in [(Kind::Postcode, "postcode"), (Kind::Name, "name")] {
        let weak = Redactor::new(
            &common::identifiers(),
            &common::sites(),
            &common::identities(),
        )
        .unwrap()
        .with_kinds(RedactionKinds::all().without(kind));
        let leaked = weak.redact(text).text;
        let leaks = guard().scan(&format!("header\n{leaked}"), true);
        assert_eq!(kinds(&leaks), [(2, code)], "{kind} disabled");
    }
}
