//! A study's tables, as one bundle of Arrow batches.
//!
//! The same shape serves twice. Out of `ingest`, [`StudyTables`] is *raw*:
//! the `participant` column holds record ids, `site` holds site codes, and
//! free text is unredacted; it lives only in memory and is never written.
//! Out of `anonymise`, it is *clean*: pseudonyms, site labels, redacted
//! text, withdrawals applied. Only clean tables are ever written to disk.

use arrow_array::RecordBatch;

/// Every table of one study, with the schemas of [`crate::schema`].
#[derive(Debug, Clone)]
pub struct StudyTables {
    pub sites: RecordBatch,
    pub participants: RecordBatch,
    pub answers: RecordBatch,
    pub top3: RecordBatch,
    pub outcomes: RecordBatch,
    pub accounts: RecordBatch,
    pub documents: RecordBatch,
    pub evidence: RecordBatch,
    /// The checkbox choices participants ticked.
    pub checkboxes: RecordBatch,
    /// Not a raw table: empty out of `ingest` (transcripts are read and
    /// redacted by the pipeline's `anonymise` stage, one project at a time).
    pub coded_segments: RecordBatch,
    /// Not raw tables either: the feedback workshops' notes and verdicts,
    /// read by the study stage and redacted by `anonymise`.
    pub workshop_notes: RecordBatch,
    pub workshop_verdicts: RecordBatch,
}

impl StudyTables {
    /// Every table with no rows.
    pub fn empty() -> StudyTables {
        use arrow_array::RecordBatch as B;
        StudyTables {
            sites: B::new_empty(crate::schema::sites()),
            participants: B::new_empty(crate::schema::participants()),
            answers: B::new_empty(crate::schema::answers()),
            top3: B::new_empty(crate::schema::top3()),
            outcomes: B::new_empty(crate::schema::outcomes()),
            accounts: B::new_empty(crate::schema::accounts()),
            documents: B::new_empty(crate::schema::documents()),
            evidence: B::new_empty(crate::schema::evidence()),
            checkboxes: B::new_empty(crate::schema::checkboxes()),
            coded_segments: B::new_empty(crate::schema::coded_segments()),
            workshop_notes: B::new_empty(crate::schema::workshop_notes()),
            workshop_verdicts: B::new_empty(crate::schema::workshop_verdicts()),
        }
    }
    /// An empty table of the clean table `name`'s schema; `None` when no
    /// clean table has that name.
    pub fn empty_of(name: &str) -> Option<RecordBatch> {
        Self::empty()
            .named()
            .into_iter()
            .find(|(n, _)| *n == name)
            .map(|(_, batch)| batch.clone())
    }
    /// The tables by their published names, to fill or replace.
    pub fn named_mut(&mut self) -> [(&'static str, &mut RecordBatch); 12] {
        [
            ("sites", &mut self.sites),
            ("participants", &mut self.participants),
            ("answers", &mut self.answers),
            ("top3", &mut self.top3),
            ("outcomes", &mut self.outcomes),
            ("accounts", &mut self.accounts),
            ("documents", &mut self.documents),
            ("evidence", &mut self.evidence),
            ("checkboxes", &mut self.checkboxes),
            ("coded_segments", &mut self.coded_segments),
            ("workshop_notes", &mut self.workshop_notes),
            ("workshop_verdicts", &mut self.workshop_verdicts),
        ]
    }
    /// The tables by their published names, in a fixed order.
    pub fn named(&self) -> [(&'static str, &RecordBatch); 12] {
        [
            ("sites", &self.sites),
            ("participants", &self.participants),
            ("answers", &self.answers),
            ("top3", &self.top3),
            ("outcomes", &self.outcomes),
            ("accounts", &self.accounts),
            ("documents", &self.documents),
            ("evidence", &self.evidence),
            ("checkboxes", &self.checkboxes),
            ("coded_segments", &self.coded_segments),
            ("workshop_notes", &self.workshop_notes),
            ("workshop_verdicts", &self.workshop_verdicts),
        ]
    }
}

/// What identifies the participants of a raw study: kept in memory only,
/// for the redaction gazetteer and the leak guard. Never written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identities {
    /// One entry per interview record: record id and the values of every
    /// field flagged `Identifier?` (name, email, interviewer, date).
    pub people: Vec<Identity>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    pub record_id: String,
    pub site_id: String,
    /// `(field name, value)` for each non-empty identifier field.
    pub fields: Vec<(String, String)>,
}

impl Identity {
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, v)| v.as_str())
    }
}
