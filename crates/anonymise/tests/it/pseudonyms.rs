use anonymise::{Key, PSEUDONYM_LEN, Pseudonyms, key_fingerprint, pseudonym};

fn ids(n: usize) -> Vec<String> {
    (1..=n)
        .map(|i| format!("S{:02}-{:02}", i % 10 + 1, i))
        .collect()
}

#[test]
fn pseudonym_is_short_readable_and_normalised() {
    let key = Key::demo();
    let p = pseudonym(&key, "S03-07");
    assert_eq!(p.len(), 2 + PSEUDONYM_LEN);
    assert!(p.starts_with("P-"));
    assert!(
        p[2..]
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
    );
    assert!(!p[2..].contains(['I', 'L', 'O', 'U']));
    assert_eq!(pseudonym(&key, " s03-07 "), p);
    assert_ne!(pseudonym(&key, "S03-08"), p);
    let other = Key::from_bytes(b"another key of enough length").unwrap();
    assert_ne!(pseudonym(&other, "S03-07"), p, "depends on the key");
}

#[test]
fn adding_a_record_does_not_change_other_pseudonyms() {
    let key = Key::demo();
    let before_ids = ids(60);
    let before = Pseudonyms::assign(&key, before_ids.iter().map(String::as_str)).unwrap();
    let mut after_ids = before_ids.clone();
    after_ids.push("S11-99".into());
    after_ids.rotate_left(7); // order of arrival does not matter either
    let after = Pseudonyms::assign(&key, after_ids.iter().map(String::as_str)).unwrap();
    for id in &before_ids {
        assert_eq!(before.get(id), after.get(id), "{id}");
        assert_eq!(
            before.get(id),
            Some(pseudonym(&key, id).as_str()),
            "no collision in this set"
        );
    }
    assert_eq!(after.len(), 61);
}

#[test]
fn ids_equal_after_normalisation_are_refused() {
    let r = Pseudonyms::assign(&Key::demo(), ["S01-01", "s01-01"]);
    assert!(r.is_err());
}

#[test]
fn key_never_appears_in_debug() {
    let secret = b"0123456789abcdef-very-secret-study-key";
    let key = Key::from_bytes(secret).unwrap();
    let debug = format!("{key:?} {key:#?}");
    let secret_text = String::from_utf8_lossy(secret);
    assert!(!debug.contains(&*secret_text));
    assert!(!debug.contains("very-secret"));
    let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
    assert!(!debug.contains(&hex[..16]));
    assert!(debug.contains(&key_fingerprint(&key)));
    let demo = format!("{:?}", Key::demo());
    assert!(!demo.contains("demo key"));
    // The pseudonym table is a re-identification key: Debug shows its size only.
    let p = Pseudonyms::assign(&key, ["S01-01"]).unwrap();
    assert_eq!(format!("{p:?}"), "Pseudonyms(1 records)");
}

#[test]
fn short_keys_are_refused_and_fingerprint_is_eight_hex() {
    assert!(Key::from_bytes(b"short").is_err());
    let f = key_fingerprint(&Key::demo());
    assert_eq!(f.len(), 8);
    assert!(f.chars().all(|c| c.is_ascii_hexdigit()));
    assert_eq!(f, key_fingerprint(&Key::demo()), "stable");
}
