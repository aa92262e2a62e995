//! Small value checks shared by the register parsers, `tidy` and `validate`.

/// `-98` (declined), `-99` (not asked) or empty: missing, never a value.
pub fn is_missing(s: &str) -> bool {
    s.is_empty() || s == "-98" || s == "-99"
}

/// `YYYY-MM-DD` and a real calendar date (no 2011-02-30).
pub fn is_real_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let mut v = 0u32;
        for &c in &b[r] {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        Some(v)
    };
    let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    y >= 1 && (1..=days).contains(&d)
}

/// `S` and one or more ASCII digits (`S01`, `S0412`).
pub fn is_site_id(s: &str) -> bool {
    s.len() > 1 && s.starts_with('S') && s[1..].bytes().all(|c| c.is_ascii_digit())
}

/// Split an interview record id `<site_id>-<digits>` into its site code.
pub fn interview_site(record_id: &str) -> Option<&str> {
    let (site, rest) = record_id.split_once('-')?;
    (is_site_id(site) && !rest.is_empty() && rest.bytes().all(|c| c.is_ascii_digit()))
        .then_some(site)
}

/// Split a document record id `<site_id>-D<digits>` into site and document (`D02`).
pub fn document_parts(record_id: &str) -> Option<(&str, &str)> {
    let (site, rest) = record_id.split_once('-')?;
    let digits = rest.strip_prefix('D')?;
    (is_site_id(site) && !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit()))
        .then_some((site, rest))
}

/// A plausible email address: `local@domain.tld`, no spaces, one `@`.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && !s.chars().any(char::is_whitespace)
        && domain.split('.').count() >= 2
        && domain.split('.').all(|p| !p.is_empty())
}

/// A REDCap variable name: lowercase letter, then lowercase letters, digits, `_`.
pub fn is_variable_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_real_calendar_dates() {
        assert!(is_real_date("2011-02-28"));
        assert!(is_real_date("2012-02-29"));
        assert!(is_real_date("2000-02-29"));
        assert!(!is_real_date("1900-02-29"));
        assert!(!is_real_date("2011-02-30"));
        assert!(!is_real_date("2011-13-01"));
        assert!(!is_real_date("2011-1-01"));
        assert!(!is_real_date("01/02/2011"));
        assert!(!is_real_date("2011-04-31"));
    }

    #[test]
    fn record_ids() {
        assert_eq!(interview_site("S03-07"), Some("S03"));
        assert_eq!(interview_site("S0412-1"), Some("S0412"));
        assert_eq!(interview_site("S03-"), None);
        assert_eq!(interview_site("S3_07"), None);
        assert_eq!(interview_site("X03-07"), None);
        assert_eq!(document_parts("S03-D02"), Some(("S03", "D02")));
        assert_eq!(document_parts("S03-02"), None);
        assert!(is_email("a.b@nhs.net"));
        assert!(!is_email("a.b@nhs"));
        assert!(!is_email("a b@nhs.net"));
    }
}
