//! Writing CSV the way REDCap does: a field is quoted only when it holds a
//! comma, a double quote or a line break; quotes are doubled; a line break
//! inside a field is written with the file's own line ending.

use std::io::Write;

/// Append one field (without separator) to `out`.
pub(crate) fn field(out: &mut Vec<u8>, text: &str, eol: &str) {
    let bytes = text.as_bytes();
    if !bytes
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.extend_from_slice(bytes);
        return;
    }
    out.push(b'"');
    for &b in bytes {
        match b {
            b'"' => out.extend_from_slice(b"\"\""),
            b'\n' => out.extend_from_slice(eol.as_bytes()),
            b'\r' => {}
            _ => out.push(b),
        }
    }
    out.push(b'"');
}

/// Append an integer (missing codes included) without allocating.
pub(crate) fn int(out: &mut Vec<u8>, value: i64) {
    if (0..10).contains(&value) {
        out.push(b'0' + value as u8);
    } else {
        // Writing to a Vec cannot fail.
        let _ = write!(out, "{value}");
    }
}

/// Append `YYYY-MM-DD`.
pub(crate) fn date(out: &mut Vec<u8>, (y, m, d): (u32, u32, u32)) {
    let _ = write!(out, "{y:04}-{m:02}-{d:02}");
}

/// A header line from column names that need no quoting.
pub(crate) fn header(out: &mut Vec<u8>, columns: &[String], eol: &str) {
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        field(out, c, eol);
    }
    out.extend_from_slice(eol.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_only_when_needed() {
        let mut out = Vec::new();
        field(&mut out, "plain text", "\n");
        out.push(b',');
        field(&mut out, "a, b", "\n");
        out.push(b',');
        field(&mut out, "say \"hi\"", "\n");
        out.push(b',');
        field(&mut out, "two\nlines", "\r\n");
        assert_eq!(
            out,
            b"plain text,\"a, b\",\"say \"\"hi\"\"\",\"two\r\nlines\""
        );
    }

    #[test]
    fn ints_and_dates() {
        let mut out = Vec::new();
        int(&mut out, 7);
        int(&mut out, -98);
        int(&mut out, 250);
        date(&mut out, (2011, 5, 3));
        assert_eq!(out, b"7-982502011-05-03");
    }
}
