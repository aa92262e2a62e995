//! The `.qdpx` container: a zip holding one `*.qde` and a sources folder.

use std::collections::HashMap;
use std::io::{Cursor, Read};

use zip::ZipArchive;

/// The most one file inside a project may unzip to. A transcript is tens of
/// kilobytes and a whole project's XML a few megabytes: anything near this
/// is a damaged or hostile archive, refused before it fills memory.
pub const MAX_ENTRY_BYTES: u64 = 256 * 1024 * 1024;

pub(crate) struct Archive<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    /// The `.qde` entry: index and name.
    pub(crate) qde: (usize, String),
    /// Entries of the sources folder beside the `.qde` (`Sources/` or
    /// `sources/`), by their path below it, lower-cased.
    sources: HashMap<String, usize>,
}

impl<'a> Archive<'a> {
    /// Opens the zip and finds its single `.qde`; the error says what was
    /// expected and what was found.
    pub(crate) fn open(bytes: &'a [u8]) -> Result<Archive<'a>, String> {
        if bytes.is_empty() {
            return Err("expected a REFI-QDA project (a zip archive), found an empty file".into());
        }
        let zip = match ZipArchive::new(Cursor::new(bytes)) {
            Ok(zip) => zip,
            Err(e) if bytes.starts_with(b"PK") => {
                return Err(format!(
                    "expected a complete zip archive, found a truncated or damaged one ({e}); export the project again"
                ));
            }
            Err(_) => {
                return Err(
                    "expected a REFI-QDA project (a zip archive, as NVivo, ATLAS.ti and MAXQDA export), found a file that is not a zip"
                        .into(),
                );
            }
        };
        let mut qdes: Vec<(usize, String)> = Vec::new();
        let mut names: Vec<(usize, String)> = Vec::new();
        for index in 0..zip.len() {
            let Some(Ok(name)) = zip.name_for_index(index) else {
                return Err(format!(
                    "expected readable file names in the zip archive, found a damaged one (entry {})",
                    index + 1
                ));
            };
            let name = name.replace('\\', "/");
            if name.to_lowercase().ends_with(".qde") {
                qdes.push((index, name.clone()));
            }
            names.push((index, name));
        }
        let qde = match qdes.len() {
            1 => qdes.remove(0),
            0 => {
                return Err(format!(
                    "expected one `*.qde` file (the project's XML) in the archive, found none among its {} entries",
                    zip.len()
                ));
            }
            _ => {
                let listed: Vec<String> = qdes.iter().map(|(_, n)| format!("`{n}`")).collect();
                return Err(format!(
                    "expected one `*.qde` file in the archive, found {}: {}",
                    qdes.len(),
                    listed.join(", ")
                ));
            }
        };
        // The sources folder sits beside the `.qde`, whatever its case.
        let folder = match qde.1.rfind('/') {
            Some(slash) => format!("{}sources/", qde.1[..=slash].to_lowercase()),
            None => "sources/".to_string(),
        };
        let sources = names
            .into_iter()
            .filter_map(|(index, name)| {
                let lower = name.to_lowercase();
                lower
                    .strip_prefix(&folder)
                    .map(|rest| (rest.to_string(), index))
            })
            .collect();
        Ok(Archive { zip, qde, sources })
    }

    /// The entry an `internal://` path names (ignoring case), if present.
    pub(crate) fn source_entry(&self, internal: &str) -> Option<usize> {
        let rest = internal.trim_start_matches('/').replace('\\', "/");
        self.sources.get(&rest.to_lowercase()).copied()
    }

    /// The bytes of entry `index`, or why they cannot be had.
    pub(crate) fn read(&mut self, index: usize) -> Result<Vec<u8>, String> {
        let mut entry = self
            .zip
            .by_index(index)
            .map_err(|e| format!("it cannot be unzipped ({e})"))?;
        let declared = entry.size();
        if declared > MAX_ENTRY_BYTES {
            return Err(format!(
                "it unzips to {declared} bytes, more than the {MAX_ENTRY_BYTES} a project file may have"
            ));
        }
        // The declared size may lie (a damaged header): grow as the data comes.
        let mut bytes = Vec::with_capacity(declared.min(1 << 20) as usize);
        (&mut entry)
            .take(MAX_ENTRY_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("it is damaged ({e})"))?;
        if bytes.len() as u64 > MAX_ENTRY_BYTES {
            return Err(format!(
                "it unzips to more than the {MAX_ENTRY_BYTES} bytes a project file may have"
            ));
        }
        Ok(bytes)
    }
}

/// Text of a `.qde` or a plain-text source: UTF-8 with or without a byte
/// order mark, or UTF-16 with one. The error says where the text stops
/// being readable, never what it says.
pub(crate) fn decode_text(mut bytes: Vec<u8>) -> Result<String, String> {
    const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
    if bytes.starts_with(UTF8_BOM) {
        bytes.drain(..UTF8_BOM.len());
    } else if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        let little = bytes[0] == 0xFF;
        let body = &bytes[2..];
        if !body.len().is_multiple_of(2) {
            return Err("expected UTF-16 text (it starts with a UTF-16 byte order mark), found an odd number of bytes".into());
        }
        let units = body.chunks_exact(2).map(|p| {
            if little {
                u16::from_le_bytes([p[0], p[1]])
            } else {
                u16::from_be_bytes([p[0], p[1]])
            }
        });
        return char::decode_utf16(units)
            .enumerate()
            .map(|(i, c)| {
                c.map_err(|_| {
                    format!("expected UTF-16 text, found an unpaired surrogate at code unit {i}")
                })
            })
            .collect();
    }
    String::from_utf8(bytes).map_err(|e| {
        format!(
            "expected UTF-8 text, found a byte that is not UTF-8 at byte {} (export the project again)",
            e.utf8_error().valid_up_to()
        )
    })
}
