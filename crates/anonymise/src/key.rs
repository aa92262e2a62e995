//! Keyed pseudonyms: HMAC-SHA256 of the normalised record id, rendered in
//! Crockford base32. A pseudonym depends only on the key and the record id,
//! so it is stable across reruns and late-arriving data, and nothing can be
//! reversed (or even checked) without the key.

use std::collections::BTreeMap;
use std::fmt;

use hmac::digest::KeyInit;
use hmac::digest::generic_array::GenericArray;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::AnonymiseError;

type HmacSha256 = Hmac<Sha256>;

/// Crockford base32: no I, L, O or U.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Characters of a pseudonym after `P-` when there is no collision.
pub const PSEUDONYM_LEN: usize = 6;
/// Characters after `P-` for the members of a colliding pair.
pub const EXTENDED_LEN: usize = 8;
const FINGERPRINT_LABEL: &[u8] = b"crosscase key fingerprint v1";

/// The pseudonymisation key. Holds only the HMAC state derived from the
/// key bytes; `Debug` prints the fingerprint, never the key, and there is
/// deliberately no `Display`, `Clone` or accessor for the bytes.
pub struct Key {
    mac: HmacSha256,
}

impl Key {
    /// Shortest key accepted: 16 bytes (128 bits).
    pub const MIN_LEN: usize = 16;

    /// A key from its bytes. Refuses keys shorter than [`Key::MIN_LEN`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Key, AnonymiseError> {
        if bytes.len() < Key::MIN_LEN {
            return Err(AnonymiseError::KeyTooShort {
                len: bytes.len(),
                min: Key::MIN_LEN,
            });
        }
        Ok(Key::derive(bytes))
    }

    /// The published key of the shipped demo study ([`model::DEMO_KEY`]).
    pub fn demo() -> Key {
        Key::derive(model::DEMO_KEY)
    }

    /// HMAC's own key schedule (RFC 2104): keys longer than the block are
    /// hashed, shorter ones zero-padded. Done here so it cannot fail.
    fn derive(bytes: &[u8]) -> Key {
        let mut block = [0u8; 64];
        if bytes.len() > block.len() {
            let digest = Sha256::digest(bytes);
            block[..digest.len()].copy_from_slice(&digest);
        } else {
            block[..bytes.len()].copy_from_slice(bytes);
        }
        let mac = <HmacSha256 as KeyInit>::new(&GenericArray::from(block));
        block.fill(0);
        Key { mac }
    }

    pub(crate) fn digest(&self, message: &[u8]) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(message);
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key(fingerprint {})", key_fingerprint(self))
    }
}

/// A record id as pseudonymised: trimmed and uppercased.
pub fn normalise_record_id(record_id: &str) -> String {
    record_id.trim().to_uppercase()
}

fn digest_of(key: &Key, record_id: &str) -> [u8; 32] {
    key.digest(normalise_record_id(record_id).as_bytes())
}

/// `len` characters: `len - 1` Crockford base32 characters from the digest's
/// leading bits, then one decimal digit from its last byte. Ending in a digit
/// means no pseudonym can have the shape of a UK postcode (which ends in two
/// letters), so the leak guard, which fails closed, never mistakes one.
fn render(digest: &[u8; 32], len: usize) -> String {
    let len = len.clamp(2, digest.len() * 8 / 5);
    let mut out = String::with_capacity(len + 2);
    out.push_str("P-");
    for i in 0..len - 1 {
        let bit = i * 5;
        let (byte, shift) = (bit / 8, bit % 8);
        let hi = u16::from(digest[byte]) << 8;
        let lo = digest.get(byte + 1).copied().map_or(0, u16::from);
        let v = ((hi | lo) >> (11 - shift)) & 0x1f;
        out.push(char::from(CROCKFORD[usize::from(v)]));
    }
    out.push(char::from(b'0' + digest[31] % 10));
    out
}

/// The pseudonym of one record id: `P-`, five Crockford base32 characters and a digit.
/// Within a study use [`Pseudonyms::assign`], which also resolves collisions.
pub fn pseudonym(key: &Key, record_id: &str) -> String {
    render(&digest_of(key, record_id), PSEUDONYM_LEN)
}

/// Eight hex digits identifying the key (an HMAC of a fixed label), for
/// cache keys and provenance. Reveals nothing about the key.
pub fn key_fingerprint(key: &Key) -> String {
    key.digest(FINGERPRINT_LABEL)[..4]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The pseudonyms of every record id of a study. Where two record ids share
/// a six-character pseudonym, both get eight characters (then ten, ... if
/// that still collides): deterministic, and only the colliding pair changes.
#[derive(Clone, PartialEq, Eq)]
pub struct Pseudonyms {
    map: BTreeMap<String, String>,
}

impl fmt::Debug for Pseudonyms {
    /// The mapping is a re-identification table: Debug shows only its size.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pseudonyms({} records)", self.map.len())
    }
}

impl Pseudonyms {
    /// Pseudonyms for these record ids (duplicates allowed; two ids that are
    /// equal only after normalisation are refused).
    pub fn assign<'a>(
        key: &Key,
        record_ids: impl IntoIterator<Item = &'a str>,
    ) -> Result<Pseudonyms, AnonymiseError> {
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for id in record_ids {
            let norm = normalise_record_id(id);
            match seen.get(&norm) {
                Some(prev) if *prev != id => {
                    return Err(AnonymiseError::DuplicateRecord(
                        (*prev).to_string(),
                        id.to_string(),
                    ));
                }
                Some(_) => {}
                None => {
                    seen.insert(norm, id);
                }
            }
        }
        let digests = seen.into_keys().map(|norm| {
            let d = key.digest(norm.as_bytes());
            (norm, d)
        });
        Pseudonyms::from_digests(digests.collect())
    }

    /// The collision resolution, on given digests (normalised id, digest):
    /// each round renders every id at its length and lengthens the ids whose
    /// codes collide, until no two codes are equal.
    pub(crate) fn from_digests(
        items: Vec<(String, [u8; 32])>,
    ) -> Result<Pseudonyms, AnonymiseError> {
        let mut lens = vec![PSEUDONYM_LEN; items.len()];
        loop {
            let mut codes: Vec<(String, usize)> = items
                .iter()
                .zip(&lens)
                .enumerate()
                .map(|(i, ((_, d), &len))| (render(d, len), i))
                .collect();
            codes.sort_unstable();
            let colliding: Vec<usize> = codes
                .chunk_by(|a, b| a.0 == b.0)
                .filter(|run| run.len() > 1)
                .flatten()
                .map(|c| c.1)
                .collect();
            if colliding.is_empty() {
                let map = codes
                    .into_iter()
                    .map(|(code, i)| (items[i].0.clone(), code))
                    .collect();
                return Ok(Pseudonyms { map });
            }
            for i in colliding {
                let next = if lens[i] < EXTENDED_LEN {
                    EXTENDED_LEN
                } else {
                    lens[i] + 2
                };
                if next > 32 * 8 / 5 {
                    return Err(AnonymiseError::Collision);
                }
                lens[i] = next;
            }
        }
    }

    /// The pseudonym of a record id (normalised before lookup).
    pub fn get(&self, record_id: &str) -> Option<&str> {
        // An id that is already normalised (ASCII, no lowercase: the usual
        // case) is looked up as it is, without a copy.
        let trimmed = record_id.trim();
        if trimmed
            .bytes()
            .all(|b| b.is_ascii() && !b.is_ascii_lowercase())
        {
            return self.map.get(trimmed).map(String::as_str);
        }
        self.map
            .get(&normalise_record_id(record_id))
            .map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

#[cfg(test)]
mod tests {
    /// The collision resolution as first written (maps keyed by id and
    /// code), the oracle for the sorted-vector version.
    fn reference_from_digests(
        items: Vec<(String, [u8; 32])>,
    ) -> Result<BTreeMap<String, String>, AnonymiseError> {
        let mut lens: BTreeMap<&str, usize> = items
            .iter()
            .map(|(id, _)| (id.as_str(), PSEUDONYM_LEN))
            .collect();
        loop {
            let mut by_code: BTreeMap<String, Vec<&str>> = BTreeMap::new();
            for (id, d) in &items {
                let len = lens.get(id.as_str()).copied().unwrap_or(PSEUDONYM_LEN);
                by_code.entry(render(d, len)).or_default().push(id.as_str());
            }
            let colliding: Vec<&str> = by_code
                .values()
                .filter(|ids| ids.len() > 1)
                .flatten()
                .copied()
                .collect();
            if colliding.is_empty() {
                return Ok(by_code
                    .into_iter()
                    .filter_map(|(code, ids)| ids.first().map(|id| (id.to_string(), code)))
                    .collect());
            }
            for id in colliding {
                if let Some(len) = lens.get_mut(id) {
                    let next = if *len < EXTENDED_LEN {
                        EXTENDED_LEN
                    } else {
                        *len + 2
                    };
                    if next > 32 * 8 / 5 {
                        return Err(AnonymiseError::Collision);
                    }
                    *len = next;
                }
            }
        }
    }

    #[test]
    fn collision_resolution_is_the_reference_one() {
        let mut state = 99u64;
        let mut next = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 33) as u8
        };
        let (mut extended, mut refused) = (0, 0);
        for case in 0..60 {
            // Few distinct leading bytes: many codes collide, some twice.
            let items: Vec<(String, [u8; 32])> = (0..(20 + case * 7))
                .map(|i| {
                    let mut d = [0u8; 32];
                    for (k, b) in d.iter_mut().enumerate() {
                        *b = if k < 3 {
                            next() % 3
                        } else if k < 6 {
                            next() % (1 + (case as u8 % 4))
                        } else {
                            next()
                        };
                    }
                    (format!("S{:02}-{i:03}", case % 5), d)
                })
                .collect();
            let ours = Pseudonyms::from_digests(items.clone()).map(|p| p.map);
            let theirs = reference_from_digests(items);
            assert_eq!(format!("{ours:?}"), format!("{theirs:?}"), "case {case}");
            match &ours {
                Ok(map) => extended += map.values().filter(|c| c.len() > PSEUDONYM_LEN + 2).count(),
                Err(_) => refused += 1,
            }
        }
        assert!(extended > 0, "some codes collided and were lengthened");
        assert!(refused < 60, "most cases resolve");
    }

    #[test]
    fn lookup_without_a_copy_is_lookup_after_normalising() {
        let key = Key::demo();
        let ids = ["S01-01", "s01-02", " S01-03 ", "S01-ÄB", "S01-ß"];
        let p = Pseudonyms::assign(&key, ids).unwrap();
        for probe in [
            "S01-01", "s01-01", " S01-01", "S01-02", "s01-02", "S01-03", "s01-03 ", "S01-äb",
            "S01-ÄB", "S01-SS", "S01-ß", "S01-99",
        ] {
            assert_eq!(
                p.get(probe),
                p.map.get(&normalise_record_id(probe)).map(String::as_str),
                "{probe}"
            );
        }
        assert!(p.get("s01-01").is_some() && p.get("S01-99").is_none());
    }

    use super::*;

    #[test]
    fn render_uses_crockford_and_requested_length() {
        let d = [0xffu8; 32];
        assert_eq!(
            render(&d, 6),
            "P-ZZZZZ5",
            "five base32 characters, then 255 % 10"
        );
        let z = [0u8; 32];
        assert_eq!(render(&z, 8), "P-00000000");
    }

    #[test]
    fn forced_collision_extends_both_to_eight() {
        let mut a = [7u8; 32];
        let mut b = [7u8; 32];
        a[4] = 0x80; // bits 0..24 (five characters) and the digit equal; bits 32-33
        b[4] = 0x40; // differ, inside the seven characters of an extended pseudonym
        let c = [9u8; 32];
        let p = Pseudonyms::from_digests(vec![
            ("S01-01".into(), a),
            ("S01-02".into(), b),
            ("S01-03".into(), c),
        ])
        .unwrap();
        let (pa, pb, pc) = (
            p.get("S01-01").unwrap(),
            p.get("S01-02").unwrap(),
            p.get("s01-03 ").unwrap(),
        );
        assert_eq!(pa.len(), 2 + EXTENDED_LEN);
        assert_eq!(pb.len(), 2 + EXTENDED_LEN);
        assert_eq!(&pa[..8], &pb[..8], "same six-character stem");
        assert_ne!(pa, pb);
        assert_eq!(pc.len(), 2 + PSEUDONYM_LEN);
    }

    #[test]
    fn identical_digests_fail_closed() {
        let a = [3u8; 32];
        let r = Pseudonyms::from_digests(vec![("A".into(), a), ("B".into(), a)]);
        assert!(matches!(r, Err(AnonymiseError::Collision)));
    }
}
