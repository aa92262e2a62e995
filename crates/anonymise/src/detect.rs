//! Pattern detectors for identifiers that no list can hold: NHS numbers
//! (checked with modulus 11), UK postcodes, UK phone numbers, email
//! addresses, dates and URLs.

use regex::Regex;

use crate::redact::Kind;
use crate::AnonymiseError;

const MONTHS: &str = "January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec";

pub(crate) struct Detectors {
    nhs: Regex,
    postcode: Regex,
    phone: Regex,
    email: Regex,
    date: Regex,
    url: Regex,
}

fn re(pattern: &str) -> Result<Regex, AnonymiseError> {
    Regex::new(pattern).map_err(|e| AnonymiseError::Matcher(e.to_string()))
}

/// The NHS number check digit (modulus 11): weights 10..2 on the first nine
/// digits; 11 - (sum mod 11), 11 becomes 0, 10 is never valid.
pub fn nhs_number_is_valid(digits: &str) -> bool {
    let d: Vec<u32> = digits.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 10 || digits.chars().filter(char::is_ascii_digit).count() != 10 {
        return false;
    }
    let sum: u32 = d[..9].iter().zip((2..=10).rev()).map(|(x, w)| x * w).sum();
    let check = match 11 - sum % 11 {
        11 => 0,
        10 => return false,
        c => c,
    };
    check == d[9]
}

impl Detectors {
    pub fn new() -> Result<Detectors, AnonymiseError> {
        // Groups after the leading 0 (or after +44): 2-4-4, 3-3-4, 4-6, 4-3-3, run together.
        let rest = r"(?:[0-9]{2}\)?[ -]?[0-9]{4}[ -]?[0-9]{4}|[0-9]{3}\)?[ -]?[0-9]{3}[ -]?[0-9]{4}|[0-9]{4}\)?[ -]?[0-9]{6}|[0-9]{4}\)?[ -]?[0-9]{3}[ -]?[0-9]{3}|[0-9]{9,10})";
        Ok(Detectors {
            nhs: re(r"\b[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}\b")?,
            postcode: re(r"(?i)\b(?:[A-Z]{1,2}[0-9][A-Z0-9]?[ \t]?[0-9][ABD-HJLNP-UW-Z]{2}|GIR[ \t]?0AA)\b")?,
            phone: re(&format!(r"(?:\+44[ \t]?(?:\(0\)[ \t]?)?|\(?\b0){rest}\b"))?,
            email: re(r"[\w.+%'-]+@[\w-]+(?:\.[\w-]+)+")?,
            date: re(&format!(
                r"\b[0-9]{{4}}[-/.][0-9]{{1,2}}[-/.][0-9]{{1,2}}\b|\b[0-9]{{1,2}}[-/.][0-9]{{1,2}}[-/.](?:[0-9]{{4}}|[0-9]{{2}})\b|\b[0-9]{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{MONTHS})\b(?:,?\s+[0-9]{{4}}\b)?|\b(?:{MONTHS})\s+[0-9]{{1,2}}(?:st|nd|rd|th)?\b(?:,?\s+[0-9]{{4}}\b)?"
            ))?,
            url: re(
                r"(?i)\b(?:https?://|www\.)[^\s<>\x22'()\[\]]+|\b(?:[a-z0-9][a-z0-9-]*\.)+(?:uk|com|org|net|info|io|nhs|eu)\b(?:/[^\s<>\x22'()\[\]]*)?",
            )?,
        })
    }

    /// Every detection of the requested kinds, as `(start, end, kind)`.
    pub fn find(&self, text: &str, enabled: impl Fn(Kind) -> bool, out: &mut Vec<(usize, usize, Kind)>) {
        if enabled(Kind::NhsNumber) {
            for m in self.nhs.find_iter(text) {
                let before = &text[..m.start()];
                let after = &text[m.end()..];
                // Part of a decimal (0.1234567890) is not an NHS number.
                let decimal = before.ends_with('.') && before[..before.len() - 1].ends_with(|c: char| c.is_ascii_digit())
                    || after.starts_with('.') && after[1..].starts_with(|c: char| c.is_ascii_digit());
                if !decimal && nhs_number_is_valid(m.as_str()) {
                    out.push((m.start(), m.end(), Kind::NhsNumber));
                }
            }
        }
        let simple = [
            (Kind::Postcode, &self.postcode),
            (Kind::Phone, &self.phone),
            (Kind::Email, &self.email),
            (Kind::Date, &self.date),
        ];
        for (kind, re) in simple {
            if enabled(kind) {
                out.extend(re.find_iter(text).map(|m| (m.start(), m.end(), kind)));
            }
        }
        if enabled(Kind::Url) {
            for m in self.url.find_iter(text) {
                let trimmed = m.as_str().trim_end_matches(['.', ',', ';', ':', '!', '?']);
                if !trimmed.is_empty() {
                    out.push((m.start(), m.start() + trimmed.len(), Kind::Url));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(Kind, &str)> {
        let d = Detectors::new().unwrap();
        let mut out = Vec::new();
        d.find(text, |_| true, &mut out);
        out.sort();
        out.into_iter().map(|(s, e, k)| (k, &text[s..e])).collect()
    }

    #[test]
    fn nhs_modulus_11() {
        assert!(nhs_number_is_valid("9434765919"));
        assert!(nhs_number_is_valid("943 476 5919"));
        assert!(!nhs_number_is_valid("9434765918"));
        assert!(!nhs_number_is_valid("943476591"));
        assert_eq!(found("NHS no 943-476-5919."), [(Kind::NhsNumber, "943-476-5919")]);
        assert!(found("ref 9434765918 and 0.9434765919").is_empty());
    }

    #[test]
    fn phones_postcodes_emails_dates_urls() {
        assert_eq!(found("call 020 7946 0123"), [(Kind::Phone, "020 7946 0123")]);
        assert_eq!(found("or +44 7700 900123!"), [(Kind::Phone, "+44 7700 900123")]);
        assert_eq!(found("at SE1 7EH."), [(Kind::Postcode, "SE1 7EH")]);
        assert_eq!(found("on 12 March 2011,"), [(Kind::Date, "12 March 2011")]);
        assert_eq!(found("see www.example.org/peer."), [(Kind::Url, "www.example.org/peer")]);
        assert!(found("at 10:30, 3 of 5 said so in May").is_empty());
    }
}
