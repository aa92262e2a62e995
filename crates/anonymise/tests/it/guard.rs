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

fn guard_of_many_origins() -> LeakGuard {
    LeakGuard::new(
        &common::identities_of_many_origins(),
        &common::identifiers(),
        &common::sites(),
    )
    .unwrap()
}

/// A name planted in an output in any Unicode form is a leak: decomposed,
/// without diacritics, in capitals or small letters, in compatibility
/// forms; short names where they read as names. The words short names
/// spell are not.
#[test]
fn guard_finds_names_in_every_unicode_form() {
    let g = guard_of_many_origins();
    let planted = [
        "Nguye\u{302}\u{303}n said so",
        "NGUYEN said so",
        "nguyen said so",
        "\u{ff2e}\u{ff47}\u{ff55}\u{ff59}\u{ff45}\u{ff4e} said so",
        "ask Ha\u{300} then",
        "ask HÀ then",
        "ask Ha then",
        "Ha said so",
        "NGUYEN HA said so",
        "Dr Le said so",
        "ask lê then",
        "An Tran said so",
        "ĐỖ said so",
        "Mrs Do said so",
        "GROSSMANN said so",
        "Yildirim said so",
        "İBRAHİM said so",
        "Zolkiewska said so",
        "Gudmundsdottir said so",
        "Coeurdevey said so",
        "Σοφι\u{301}α said so",
        "АНДРЕЙ said so",
        "Griﬃth said so",
        "Ogunleye said so",
        "ask Ní then",
    ];
    let words = [
        "an advocate said so",
        "An advocate said so",
        "ha ha, said so",
        "the HA board said so",
        "le petit coin said so",
        "To be honest, do it",
        "Do you see? My manager did",
        "my son and the van",
        "ni hao",
    ];
    let text: String = planted
        .iter()
        .chain(&words)
        .map(|l| format!("{l}\n"))
        .collect();
    let leaks = g.scan(&text, true);
    let want: Vec<(u32, &str)> = (1..=planted.len() as u32).map(|l| (l, "name")).collect();
    assert_eq!(kinds(&leaks), want);
}

/// The guard judges as the redactor does: on the redacted labelled
/// sentences it finds no name; with name redaction disabled it finds a
/// name on exactly the sentences where the redactor redacts one.
#[test]
fn the_guard_sees_the_names_the_redactor_redacts() {
    let texts: Vec<String> = crate::redaction::sentences()
        .into_iter()
        .map(|s| s.text)
        .collect();
    let full = crate::redaction::redactor();
    let without_names =
        crate::redaction::redactor().with_kinds(RedactionKinds::all().without(Kind::Name));
    let g = guard_of_many_origins();
    let mut named = 0;
    for text in &texts {
        let redacted = full.redact(text);
        let has_name = redacted.hits.iter().any(|h| h.kind == Kind::Name);
        let leaks = g.scan(&redacted.text, false);
        assert!(
            !leaks.iter().any(|l| l.kind == "name"),
            "{text:?} redacted to {:?}",
            redacted.text
        );
        let leaked = without_names.redact(text).text;
        let found = g.scan(&leaked, false).iter().any(|l| l.kind == "name");
        assert_eq!(found, has_name, "{text:?} as {leaked:?}");
        named += usize::from(has_name);
    }
    assert!(named > 200, "{named} sentences name someone");
}

/// REDCap's own identifying columns, as `ingest` keeps them: a record's
/// data access group (its unique name and its words) is redacted as a
/// site's name and is a leak of kind `site`; a survey identifier that is
/// an email address, as an email. One that is not an email adds nothing.
#[test]
fn data_access_groups_and_survey_emails_are_redacted_and_guarded() {
    let mut ids = common::identities();
    ids.people[0].fields.extend([
        (
            "redcap_data_access_group".to_string(),
            "harbour_lights".to_string(),
        ),
        (
            "redcap_data_access_group".to_string(),
            "harbour lights".to_string(),
        ),
        (
            "redcap_survey_identifier".to_string(),
            "ann.lee@example.org".to_string(),
        ),
    ]);
    ids.people[1]
        .fields
        .push(("redcap_survey_identifier".to_string(), "Visit".to_string()));
    let redactor = Redactor::new(&common::identifiers(), &common::sites(), &ids).unwrap();
    let red = redactor.redact("We all called it Harbour Lights (harbour_lights in REDCap); write to ann.lee@example.org. Visit us.");
    assert_eq!(
        red.text,
        "We all called it [site] ([site] in REDCap); write to [email]. Visit us."
    );
    let guard = LeakGuard::new(&ids, &common::identifiers(), &common::sites()).unwrap();
    let text = "fine\nthe HARBOUR LIGHTS team\nharbour_lights\nann.lee@example.org\nVisit us\n";
    assert_eq!(
        kinds(&guard.scan(text, false)),
        [(2, "site"), (3, "site"), (4, "email")]
    );
    // Without the group in the identities, its name is no finding (an
    // email is, by its shape, either way).
    let plain = LeakGuard::new(
        &common::identities(),
        &common::identifiers(),
        &common::sites(),
    )
    .unwrap();
    assert_eq!(kinds(&plain.scan(text, false)), [(4, "email")]);
}

#[test]
fn the_guards_fingerprint_changes_with_what_it_looks_for_and_with_the_key() {
    let key = anonymise::Key::demo();
    let same = guard().fingerprint(&key);
    assert_eq!(
        same,
        guard().fingerprint(&key),
        "same inputs, same fingerprint"
    );
    assert_eq!(same.len(), 16);
    assert!(same.chars().all(|c| c.is_ascii_hexdigit()));
    let mut identifiers = common::identifiers();
    identifiers.push(model::IdentifierEntry {
        kind: "place".into(),
        text: "Gujarati".into(),
        replacement: "[language]".into(),
    });
    let more = LeakGuard::new(&common::identities(), &identifiers, &common::sites()).unwrap();
    assert_ne!(same, more.fingerprint(&key), "an identifier added");
    let mut identities = common::identities();
    identities.people.truncate(identities.people.len() - 1);
    let fewer = LeakGuard::new(&identities, &common::identifiers(), &common::sites()).unwrap();
    assert_ne!(same, fewer.fingerprint(&key), "a participant fewer");
    let other_key = anonymise::Key::from_bytes(b"another study's key, long enough").unwrap();
    assert_ne!(same, guard().fingerprint(&other_key), "keyed");
}
