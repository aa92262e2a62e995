//! Raw exports to the raw [`StudyTables`]: driven by the dictionary and the
//! framework, never by a field list written here. Anything `tidy` cannot read
//! (a short record, an unknown site) is skipped: validation reports it.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Int8Builder, Int32Builder, StringBuilder, UInt8Builder, UInt32Builder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::SchemaRef;
use model::column::Categories;
use model::{
    Dictionary, FieldType, Framework, Group, Identities, Identity, Sector, Site, StudyTables,
    Validation, schema,
};

use crate::check;
use std::borrow::Cow;

use rayon::prelude::*;

use crate::csv::{CsvTable, Field, Record};

/// The record id field (REDCap's first field) when the dictionary is empty.
pub const RECORD_ID: &str = "record_id";
/// The field naming the site of a record.
pub const SITE_ID: &str = "site_id";
/// The field giving the stakeholder group (choice codes of [`Group::from_redcap`]).
pub const STAKEHOLDER_GROUP: &str = model::labels::STAKEHOLDER_GROUP;
/// REDCap's repeating-instrument columns of the document export.
pub const REPEAT_INSTRUMENT: &str = model::dictionary::redcap::REPEAT_INSTRUMENT;
pub const REPEAT_INSTANCE: &str = model::dictionary::redcap::REPEAT_INSTANCE;
/// REDCap's own identifying columns, kept only as identities.
use model::dictionary::redcap::{DATA_ACCESS_GROUP, SURVEY_IDENTIFIER};
/// Document and evidence fields behind the `documents` and `evidence` columns.
pub const DOC_TYPE: &str = "doc_type";
pub const DOC_DATE: &str = "doc_date";
pub const EV_FACTOR: &str = "ev_factor";
pub const EV_STATUS: &str = "ev_status";
pub const EV_EXCERPT: &str = "ev_excerpt";
pub const EV_PAGE: &str = "ev_page";

/// The record id field of a dictionary: its first field, as in REDCap.
pub fn record_id_field(dict: &Dictionary) -> &str {
    dict.fields
        .first()
        .map(|f| f.name.as_str())
        .unwrap_or(RECORD_ID)
}

/// The `top_<n>` fields of a dictionary with their rank, in rank order.
pub fn top_fields(dict: &Dictionary) -> Vec<(u8, &str)> {
    let mut tops: Vec<(u8, &str)> = dict
        .fields
        .iter()
        .filter_map(|f| {
            let rank = f.name.strip_prefix("top_")?.parse::<u8>().ok()?;
            Some((rank, f.name.as_str()))
        })
        .collect();
    tops.sort();
    tops
}

/// The theme of a free-text field, as `model::schema::accounts` documents it.
/// `cell(name)`: a non-empty cell of the record.
fn theme<'t>(field: &str, cell: impl Fn(&str) -> Option<&'t str>, framework: &Framework) -> String {
    if let Some(k) = field
        .strip_prefix("top_")
        .and_then(|r| r.strip_suffix("_impact"))
    {
        if let Some(pick) = cell(&format!("top_{k}"))
            && framework.factor(pick).is_some()
        {
            return pick.to_string();
        }
        return "other".to_string();
    }
    match field {
        "bme_experience" => "bme",
        "role_detail" => "role",
        _ => "other",
    }
    .to_string()
}

/// The forms of a data access group's unique name (`harbour_lights`) that
/// the gazetteer and the leak guard look for: the name as exported, and
/// its words (`harbour lights`), as a service's name is written in text.
/// A form that is something crosscase publishes anyway (a site's label,
/// code, region or sector: a group named `site_a` or `london`) identifies
/// no one and is left out, as is one of fewer than three characters.
pub fn data_access_group_names(group: &str, sites: &[Site]) -> Vec<String> {
    PublishedWords::of(sites).data_access_group_names(group)
}

/// What crosscase publishes anyway (every site's label, code and region,
/// the sectors), in words, built once for a whole study: asked per record,
/// it would be rebuilt for every row (quadratic in sites at national scale).
pub struct PublishedWords(HashSet<String>);

impl PublishedWords {
    pub fn of(sites: &[Site]) -> Self {
        Self(
            sites
                .iter()
                .flat_map(|s| [&s.label, &s.site_id, &s.region])
                .map(|t| squeeze(t))
                .chain(Sector::ALL.iter().map(|s| s.code().to_string()))
                .collect(),
        )
    }

    /// See [`data_access_group_names`].
    pub fn data_access_group_names(&self, group: &str) -> Vec<String> {
        let group = group.trim();
        let words = squeeze(group);
        if words.chars().count() < 3 || self.0.contains(&words) {
            return Vec::new();
        }
        let mut forms = vec![group.to_string()];
        if words != group {
            forms.push(words);
        }
        forms
    }
}

/// A name's words, lower case, joined by single spaces (`Harbour_Lights `
/// is `harbour lights`).
fn squeeze(t: &str) -> String {
    t.split(|c: char| c == '_' || c.is_whitespace())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A coded value: missing codes, empty, and anything unreadable are null.
fn code_of(t: Option<&str>) -> Option<i8> {
    let t = t?;
    if check::is_missing(t) {
        return None;
    }
    t.parse::<i8>().ok()
}

fn int_of(t: Option<&str>) -> Option<i32> {
    let t = t?;
    if check::is_missing(t) {
        return None;
    }
    t.parse::<i32>().ok()
}

/// One record of one export, its cells read in place, read by column name.
struct View<'a> {
    table: &'a CsvTable,
    cols: &'a HashMap<&'a str, usize>,
    record: &'a Record,
    fields: Vec<Field<'a>>,
}

impl<'a> View<'a> {
    /// The cell's text, or `None` if the column is absent or the cell empty.
    fn get(&self, name: &str) -> Option<&str> {
        let i = *self.cols.get(name)?;
        self.fields
            .get(i)
            .map(|f| f.text.as_ref())
            .filter(|t| !t.is_empty())
    }
    fn code(&self, name: &str) -> Option<i8> {
        code_of(self.get(name))
    }
}

fn column_maps(tables: &[CsvTable]) -> Vec<HashMap<&str, usize>> {
    tables
        .iter()
        .map(|t| {
            let mut m = HashMap::new();
            for (i, c) in t.header.iter().enumerate() {
                m.entry(c.text.as_str()).or_insert(i);
            }
            m
        })
        .collect()
}

/// Every readable record, the first copy of each key only.
fn views<'a, K: std::hash::Hash + Eq>(
    tables: &'a [CsvTable],
    maps: &'a [HashMap<&'a str, usize>],
    key: impl Fn(&View<'a>) -> Option<K>,
) -> Vec<View<'a>> {
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (table, cols) in tables.iter().zip(maps) {
        for record in &table.records {
            if record.len() != table.header.len() {
                continue;
            }
            let mut fields = Vec::with_capacity(record.len());
            table.fields(record, &mut fields);
            let v = View {
                table,
                cols,
                record,
                fields,
            };
            let Some(k) = key(&v) else { continue };
            if seen.insert(k) {
                out.push(v);
            }
        }
    }
    out
}

struct Provenance {
    file: Categories,
    line: UInt32Builder,
    hash: Categories,
}

impl Provenance {
    /// Builders sized for `rows` rows, each of a different record.
    fn with_capacity(rows: usize) -> Self {
        Provenance {
            file: Categories::with_capacity(rows, 0, 0),
            line: UInt32Builder::with_capacity(rows),
            hash: Categories::with_capacity(rows, rows, rows * 16),
        }
    }
    fn push(&mut self, table: &CsvTable, record: &Record) {
        self.file.append(&table.path);
        self.line.append_value(record.line);
        self.hash.append(&record.hash);
    }
    fn finish(mut self) -> Vec<ArrayRef> {
        vec![
            self.file.finish(),
            Arc::new(self.line.finish()),
            self.hash.finish(),
        ]
    }
}

/// Each participant's who (participant, site, sector, group) and provenance
/// (file, line, row hash), built once, one row per participant. Every
/// participant-level table's columns are these, a participant's row repeated
/// for each of their rows: the dictionaries are shared, only keys are new.
struct Shared {
    who: Vec<ArrayRef>,
    provenance: Vec<ArrayRef>,
}

impl Shared {
    fn new(people: &[Participant]) -> Shared {
        let (n, ids) = (
            people.len(),
            people.iter().map(|p| p.interview.record_id.len()).sum(),
        );
        let mut who = [
            Categories::with_capacity(n, n, ids),
            Categories::with_capacity(n, 0, 0),
            Categories::with_capacity(n, 0, 0),
            Categories::with_capacity(n, 0, 0),
        ];
        let mut prov = Provenance::with_capacity(n);
        for p in people {
            let [participant, site, sector, group] = &mut who;
            participant.append(&p.interview.record_id);
            site.append(&p.interview.site_id);
            sector.append(p.sector.code());
            group.append(p.group.code());
            prov.push(p.interview.table, p.interview.record);
        }
        Shared {
            who: who.into_iter().map(Categories::finish).collect(),
            provenance: prov.finish(),
        }
    }

    /// (who, provenance) columns with `reps(p)` rows of each participant.
    fn repeated(
        &self,
        people: &[Participant],
        reps: impl Fn(&Participant) -> usize,
    ) -> (Vec<ArrayRef>, Vec<ArrayRef>) {
        let counts: Vec<usize> = people.iter().map(reps).collect();
        let each = |columns: &[ArrayRef]| columns.iter().map(|c| repeat_rows(c, &counts)).collect();
        (each(&self.who), each(&self.provenance))
    }
}

/// Row `i` of `column` repeated `counts[i]` times. Only the types [`Shared`]
/// holds: categorical (keys repeated, dictionary shared) and `UInt32`.
fn repeat_rows(column: &ArrayRef, counts: &[usize]) -> ArrayRef {
    use arrow_array::types::Int32Type;
    use arrow_array::{Array, DictionaryArray, Int32Array, UInt32Array};
    fn repeat<T: Copy>(values: &[T], counts: &[usize]) -> Vec<T> {
        let mut out = Vec::with_capacity(counts.iter().sum());
        for (v, &n) in values.iter().zip(counts) {
            out.extend(std::iter::repeat_n(*v, n));
        }
        out
    }
    if let Some(dict) = column.as_any().downcast_ref::<DictionaryArray<Int32Type>>() {
        let keys = Int32Array::from(repeat(dict.keys().values(), counts));
        return Arc::new(
            DictionaryArray::<Int32Type>::try_new(keys, dict.values().clone())
                .expect("keys from the same dictionary"),
        );
    }
    let lines = column
        .as_any()
        .downcast_ref::<UInt32Array>()
        .expect("Shared holds categorical and UInt32 columns only");
    Arc::new(UInt32Array::from(repeat(lines.values(), counts)))
}

fn batch(schema: SchemaRef, columns: Vec<ArrayRef>) -> RecordBatch {
    // Every column is appended in lockstep with the schema, whatever the
    // input, so this cannot fail on data.
    RecordBatch::try_new(schema, columns)
        .expect("tidy builds columns in lockstep with model::schema")
}

/// What `tidy` keeps of one interview record: its codes and the text it
/// publishes, borrowed from the export, not the record's every cell.
struct Interview<'a> {
    table: &'a CsvTable,
    record: &'a Record,
    record_id: Cow<'a, str>,
    site_id: Cow<'a, str>,
    identity: Vec<(String, String)>,
    group: Option<Group>,
    /// age_band, gender, ethnicity, lived_experience, form complete.
    codes: [Option<i8>; 5],
    years: Option<i32>,
    /// pm, imp, dir of each framework factor, in framework order.
    answers: Vec<[Option<i8>; 3]>,
    /// Non-missing top-three picks: (rank, factor code).
    picks: Vec<(u8, Cow<'a, str>)>,
    outcomes: Vec<Option<i8>>,
    /// Published free text: (index into the free-text fields, theme, text).
    accounts: Vec<(usize, String, Cow<'a, str>)>,
    /// The checkbox choices ticked: indices into the study's checkbox choices.
    ticked: Vec<usize>,
}

struct Participant<'a> {
    interview: Interview<'a>,
    sector: Sector,
    group: Group,
}

/// Whether [`tidy`] builds the `accounts` table of free text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accounts {
    Built,
    /// Left empty, its text never copied: for a run in which nothing
    /// reads it. Every other table and the identities are the same.
    Left,
}

/// Raw interview and document exports to the raw study tables and the
/// identities of the participants. Assumes validation passed; never panics.
pub fn tidy(
    interviews: &[CsvTable],
    documents: &[CsvTable],
    dict: &Dictionary,
    doc_dict: &Dictionary,
    framework: &Framework,
    sites: &[Site],
    accounts: Accounts,
) -> (StudyTables, Identities) {
    let register: HashMap<&str, &Site> = sites.iter().map(|s| (s.site_id.as_str(), s)).collect();
    let published_words = PublishedWords::of(sites);
    let mut has_data: BTreeSet<String> = BTreeSet::new();

    // ---------------------------------------------------------- interviews
    let rid = record_id_field(dict);
    let identifier_fields: Vec<&str> = dict
        .fields
        .iter()
        .filter(|f| f.identifier)
        .map(|f| f.name.as_str())
        .collect();
    let complete_field = dict
        .forms()
        .first()
        .map(|f| format!("{f}_complete"))
        .unwrap_or_default();
    let field_names: Vec<[String; 3]> = framework
        .factors
        .iter()
        .map(|f| {
            [
                format!("pm_{}", f.code),
                format!("imp_{}", f.code),
                format!("dir_{}", f.code),
            ]
        })
        .collect();
    let tops = top_fields(dict);
    // Every checkbox choice of the dictionary: (field, code, export column).
    let checkbox_choices: Vec<(&str, &str, String)> = dict
        .fields
        .iter()
        .flat_map(|f| {
            f.checkbox_columns()
                .into_iter()
                .map(move |(c, column)| (f.name.as_str(), c.code.as_str(), column))
        })
        .collect();
    let did = record_id_field(dict);
    let free_text: Vec<&str> = dict
        .fields
        .iter()
        .filter(|f| {
            !f.identifier
                && (f.field_type == FieldType::Notes
                    || (f.field_type == FieldType::Text
                        && f.validation == Validation::None
                        && f.name != did
                        && f.name != SITE_ID))
        })
        .map(|f| f.name.as_str())
        .collect();
    // Each export is read in parallel (its records in place, once); the
    // first copy of each record id is kept, in file order, as before.
    let per_table: Vec<Vec<Interview>> = interviews
        .par_iter()
        .map(|table| {
            let mut cols: HashMap<&str, usize> = HashMap::new();
            for (i, c) in table.header.iter().enumerate() {
                cols.entry(c.text.as_str()).or_insert(i);
            }
            let col = |name: &str| cols.get(name).copied();
            let (rid_c, site_c, stakeholder_c) = (col(rid), col(SITE_ID), col(STAKEHOLDER_GROUP));
            let code_cols = [
                col("age_band"),
                col("gender"),
                col("ethnicity"),
                col("lived_experience"),
                col(&complete_field),
            ];
            let years_c = col("years_in_role");
            let ident_cols: Vec<(&str, usize)> = identifier_fields
                .iter()
                .filter_map(|f| Some((*f, col(f)?)))
                .collect();
            let answer_cols: Vec<[Option<usize>; 3]> = field_names
                .iter()
                .map(|[a, b, c]| [col(a), col(b), col(c)])
                .collect();
            let top_cols: Vec<(u8, &str, usize)> = tops
                .iter()
                .filter_map(|(k, n)| Some((*k, *n, col(n)?)))
                .collect();
            let outcome_cols: Vec<Option<usize>> =
                framework.outcomes.iter().map(|o| col(&o.code)).collect();
            let checkbox_cols: Vec<Option<usize>> =
                checkbox_choices.iter().map(|(_, _, c)| col(c)).collect();
            let (group_c, survey_c) = (col(DATA_ACCESS_GROUP), col(SURVEY_IDENTIFIER));
            let text_cols: Vec<(usize, &str, usize)> = free_text
                .iter()
                .enumerate()
                .filter(|_| accounts == Accounts::Built)
                .filter_map(|(k, n)| Some((k, *n, col(n)?)))
                .collect();
            let mut fields: Vec<Field> = Vec::with_capacity(table.header.len());
            let mut out = Vec::with_capacity(table.records.len());
            for record in &table.records {
                if record.len() != table.header.len() {
                    continue;
                }
                table.fields(record, &mut fields);
                let get = |i: Option<usize>| -> Option<&str> {
                    i.and_then(|i| fields.get(i))
                        .map(|f| f.text.as_ref())
                        .filter(|t| !t.is_empty())
                };
                let Some(record_id) = get(rid_c) else {
                    continue;
                };
                let site_id = get(site_c)
                    .or_else(|| check::interview_site(record_id))
                    .unwrap_or("");
                let mut identity: Vec<(String, String)> = ident_cols
                    .iter()
                    .filter_map(|(f, i)| get(Some(*i)).map(|val| (f.to_string(), val.to_string())))
                    .collect();
                // REDCap's own identifying columns: never a table's, only
                // the gazetteer's and the leak guard's.
                if let Some(group) = get(group_c) {
                    for name in published_words.data_access_group_names(group) {
                        identity.push((DATA_ACCESS_GROUP.to_string(), name));
                    }
                }
                if let Some(survey) = get(survey_c) {
                    identity.push((SURVEY_IDENTIFIER.to_string(), survey.to_string()));
                }
                let group =
                    code_of(get(stakeholder_c)).and_then(|c| Group::from_redcap(i64::from(c)));
                let by_name = |name: &str| get(col(name));
                let accounts = text_cols
                    .iter()
                    .filter_map(|(k, name, i)| {
                        let t = get(Some(*i))?;
                        if t.trim().is_empty() || check::is_missing(t) {
                            return None;
                        }
                        Some((*k, theme(name, by_name, framework), fields[*i].text.clone()))
                    })
                    .collect();
                let own = |i: Option<usize>| -> Cow<str> {
                    i.and_then(|i| fields.get(i))
                        .map(|f| f.text.clone())
                        .unwrap_or(Cow::Borrowed(""))
                };
                let record_id_cow = own(rid_c);
                let site_cow = match get(site_c) {
                    Some(_) => own(site_c),
                    None => match &record_id_cow {
                        Cow::Borrowed(r) => Cow::Borrowed(check::interview_site(r).unwrap_or("")),
                        Cow::Owned(_) => Cow::Owned(site_id.to_string()),
                    },
                };
                out.push(Interview {
                    table,
                    record,
                    site_id: site_cow,
                    identity,
                    group,
                    codes: code_cols.map(|c| code_of(get(c))),
                    years: int_of(get(years_c)),
                    answers: answer_cols
                        .iter()
                        .map(|cs| cs.map(|c| code_of(get(c))))
                        .collect(),
                    picks: top_cols
                        .iter()
                        .filter_map(|(k, _, i)| {
                            let pick = get(Some(*i))?;
                            (!check::is_missing(pick)).then(|| (*k, fields[*i].text.clone()))
                        })
                        .collect(),
                    outcomes: outcome_cols.iter().map(|c| code_of(get(*c))).collect(),
                    accounts,
                    ticked: checkbox_cols
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| get(**c) == Some("1"))
                        .map(|(k, _)| k)
                        .collect(),
                    record_id: record_id_cow,
                });
            }
            out
        })
        .collect();
    let all: Vec<Interview> = per_table.into_iter().flatten().collect();
    let first: Vec<bool> = {
        let mut seen: HashSet<&str> = HashSet::with_capacity(all.len());
        all.iter()
            .map(|iv| seen.insert(iv.record_id.as_ref()))
            .collect()
    };
    let mut identities = Vec::with_capacity(all.len());
    let mut people: Vec<Participant> = Vec::with_capacity(all.len());
    for (mut iv, first) in all.into_iter().zip(first) {
        if !first {
            continue;
        }
        if !has_data.contains(iv.site_id.as_ref()) {
            has_data.insert(iv.site_id.to_string());
        }
        identities.push(Identity {
            record_id: iv.record_id.to_string(),
            site_id: iv.site_id.to_string(),
            fields: std::mem::take(&mut iv.identity),
        });
        let Some(sector) = register.get(iv.site_id.as_ref()).map(|s| s.sector) else {
            continue;
        };
        let Some(group) = iv.group else { continue };
        people.push(Participant {
            interview: iv,
            sector,
            group,
        });
    }
    people.sort_by(|a, b| {
        (a.interview.site_id.as_ref(), a.interview.record_id.as_ref())
            .cmp(&(b.interview.site_id.as_ref(), b.interview.record_id.as_ref()))
    });
    identities.sort_by(|a, b| (&a.site_id, &a.record_id).cmp(&(&b.site_id, &b.record_id)));

    let shared = Shared::new(&people);

    // participants
    let build_participants = || {
        let (who, prov) = (shared.who.clone(), shared.provenance.clone());
        let (mut age, mut gender, mut ethnicity) =
            (Int8Builder::new(), Int8Builder::new(), Int8Builder::new());
        let mut lived = BooleanBuilder::new();
        let mut years = Int32Builder::new();
        let mut complete = Int8Builder::new();
        let mut withdrawn = BooleanBuilder::new();
        for p in &people {
            let iv = &p.interview;
            age.append_option(iv.codes[0]);
            gender.append_option(iv.codes[1]);
            ethnicity.append_option(iv.codes[2]);
            lived.append_option(match iv.codes[3] {
                Some(1) => Some(true),
                Some(0) => Some(false),
                _ => None,
            });
            years.append_option(iv.years);
            complete.append_option(iv.codes[4]);
            withdrawn.append_value(false);
        }
        let mut cols = who;
        cols.push(Arc::new(age.finish()));
        cols.push(Arc::new(gender.finish()));
        cols.push(Arc::new(ethnicity.finish()));
        cols.push(Arc::new(lived.finish()));
        cols.push(Arc::new(years.finish()));
        cols.push(Arc::new(complete.finish()));
        cols.push(Arc::new(withdrawn.finish()));
        cols.extend(prov);
        batch(schema::participants(), cols)
    };

    // answers: one row per participant and framework factor
    let build_answers = || {
        let (who, prov) = shared.repeated(&people, |p| {
            framework.factors.len().min(p.interview.answers.len())
        });
        let (mut factor, mut pattern, mut importance, mut direction) = (
            Categories::new(),
            Int8Builder::new(),
            Int8Builder::new(),
            Int8Builder::new(),
        );
        let factor_keys: Vec<i32> = framework
            .factors
            .iter()
            .map(|f| factor.intern(&f.code))
            .collect();
        for p in &people {
            let iv = &p.interview;
            for (key, [pm, imp, dir]) in factor_keys.iter().zip(&iv.answers) {
                factor.append_key(*key, 1);
                pattern.append_option(*pm);
                importance.append_option(*imp);
                direction.append_option(*dir);
            }
        }
        let mut cols = who;
        cols.push(factor.finish());
        cols.push(Arc::new(pattern.finish()));
        cols.push(Arc::new(importance.finish()));
        cols.push(Arc::new(direction.finish()));
        cols.extend(prov);
        batch(schema::answers(), cols)
    };

    // top3: one row per non-empty pick
    let build_top3 = || {
        let (who, prov) = shared.repeated(&people, |p| p.interview.picks.len());
        let (mut rank, mut factor) = (UInt8Builder::new(), Categories::new());
        for p in &people {
            let iv = &p.interview;
            for (k, pick) in &iv.picks {
                rank.append_value(*k);
                factor.append(pick);
            }
        }
        let mut cols = who;
        cols.push(Arc::new(rank.finish()));
        cols.push(factor.finish());
        cols.extend(prov);
        batch(schema::top3(), cols)
    };

    // outcomes: one row per participant and framework outcome
    let build_outcomes = || {
        let (who, prov) = shared.repeated(&people, |p| {
            framework.outcomes.len().min(p.interview.outcomes.len())
        });
        let (mut outcome, mut answer) = (Categories::new(), Int8Builder::new());
        let outcome_keys: Vec<i32> = framework
            .outcomes
            .iter()
            .map(|o| outcome.intern(&o.code))
            .collect();
        for p in &people {
            let iv = &p.interview;
            for (key, a) in outcome_keys.iter().zip(&iv.outcomes) {
                outcome.append_key(*key, 1);
                answer.append_option(*a);
            }
        }
        let mut cols = who;
        cols.push(outcome.finish());
        cols.push(Arc::new(answer.finish()));
        cols.extend(prov);
        batch(schema::outcomes(), cols)
    };

    // accounts: one row per non-empty free-text field
    let build_accounts = || {
        let (who, prov) = shared.repeated(&people, |p| p.interview.accounts.len());
        // Sized up front: at national scale the free text is the largest column.
        let (rows, bytes) = people
            .iter()
            .flat_map(|p| &p.interview.accounts)
            .fold((0, 0), |(r, b), a| (r + 1, b + a.2.len()));
        let (mut field, mut theme_b, mut text) = (
            Categories::with_capacity(rows, 0, 0),
            Categories::with_capacity(rows, 0, 0),
            StringBuilder::with_capacity(rows, bytes),
        );
        for p in &people {
            let iv = &p.interview;
            for (k, theme, t) in &iv.accounts {
                field.append(free_text[*k]);
                theme_b.append(theme);
                text.append_value(t);
            }
        }
        let mut cols = who;
        cols.push(field.finish());
        cols.push(theme_b.finish());
        cols.push(Arc::new(text.finish()));
        cols.extend(prov);
        batch(schema::accounts(), cols)
    };

    // checkboxes: one row per ticked choice, in dictionary order
    let build_checkboxes = || {
        let (who, prov) = shared.repeated(&people, |p| p.interview.ticked.len());
        let (mut field, mut choice) = (Categories::new(), Categories::new());
        let keys: Vec<(i32, i32)> = checkbox_choices
            .iter()
            .map(|(f, c, _)| (field.intern(f), choice.intern(c)))
            .collect();
        for p in &people {
            for &k in &p.interview.ticked {
                field.append_key(keys[k].0, 1);
                choice.append_key(keys[k].1, 1);
            }
        }
        let mut cols = who;
        cols.push(field.finish());
        cols.push(choice.finish());
        cols.extend(prov);
        batch(schema::checkboxes(), cols)
    };

    // The six tables are independent: built in parallel, each the same
    // whatever the number of threads.
    let ((participants, answers), (top3, (outcomes, (accounts, checkboxes)))) = rayon::join(
        || rayon::join(build_participants, build_answers),
        || {
            rayon::join(build_top3, || {
                rayon::join(build_outcomes, || {
                    rayon::join(build_accounts, build_checkboxes)
                })
            })
        },
    );

    // ---------------------------------------------------------- documents
    let drid = record_id_field(doc_dict);
    let dmaps = column_maps(documents);
    let drows = views(documents, &dmaps, |v| {
        Some((
            v.get(drid)?.to_string(),
            v.get(REPEAT_INSTRUMENT).map(str::to_string),
            v.get(REPEAT_INSTANCE).map(str::to_string),
        ))
    });
    struct DocRow<'a> {
        view: View<'a>,
        site_id: String,
        document: String,
        sector: Sector,
        instance: Option<u32>,
    }
    let mut docs: Vec<DocRow> = Vec::new();
    let mut evidence_rows: Vec<DocRow> = Vec::new();
    for v in drows {
        let Some(record_id) = v.get(drid) else {
            continue;
        };
        let site_id = match v.get(SITE_ID) {
            Some(s) => s,
            None => match check::document_parts(record_id) {
                Some((s, _)) => s,
                None => continue,
            },
        };
        if !has_data.contains(site_id) {
            has_data.insert(site_id.to_string());
        }
        let document = match record_id
            .strip_prefix(site_id)
            .and_then(|r| r.strip_prefix('-'))
        {
            Some(d) if !d.is_empty() => d.to_string(),
            _ => continue,
        };
        let Some(site) = register.get(site_id) else {
            continue;
        };
        let site_id = site_id.to_string();
        match v.get(REPEAT_INSTRUMENT).map(|_| ()) {
            None => docs.push(DocRow {
                site_id,
                document,
                sector: site.sector,
                instance: None,
                view: v,
            }),
            Some(_) => {
                let Some(instance) = v.get(REPEAT_INSTANCE).and_then(|i| i.parse::<u32>().ok())
                else {
                    continue;
                };
                if v.get(EV_FACTOR).is_none() {
                    continue;
                }
                evidence_rows.push(DocRow {
                    site_id,
                    document,
                    sector: site.sector,
                    instance: Some(instance),
                    view: v,
                });
            }
        }
    }
    docs.sort_by(|a, b| {
        (&a.site_id, &a.document, a.instance).cmp(&(&b.site_id, &b.document, b.instance))
    });
    evidence_rows.sort_by(|a, b| {
        (&a.site_id, &a.document, a.instance).cmp(&(&b.site_id, &b.document, b.instance))
    });

    let (mut site_b, mut sector_b, mut doc_b) =
        (Categories::new(), Categories::new(), Categories::new());
    let (mut doc_type, mut doc_date) = (Int8Builder::new(), StringBuilder::new());
    let mut prov = Provenance::with_capacity(docs.len());
    for d in &docs {
        site_b.append(&d.site_id);
        sector_b.append(d.sector.code());
        doc_b.append(&d.document);
        doc_type.append_option(d.view.code(DOC_TYPE));
        doc_date.append_option(d.view.get(DOC_DATE).filter(|t| !check::is_missing(t)));
        prov.push(d.view.table, d.view.record);
    }
    let mut cols: Vec<ArrayRef> = vec![
        site_b.finish(),
        sector_b.finish(),
        doc_b.finish(),
        Arc::new(doc_type.finish()),
        Arc::new(doc_date.finish()),
    ];
    cols.extend(prov.finish());
    let documents_batch = batch(schema::documents(), cols);

    let (mut site_b, mut sector_b, mut doc_b) =
        (Categories::new(), Categories::new(), Categories::new());
    let (mut instance, mut factor, mut status) =
        (UInt32Builder::new(), Categories::new(), Int8Builder::new());
    let (mut excerpt, mut page) = (StringBuilder::new(), StringBuilder::new());
    let mut prov = Provenance::with_capacity(evidence_rows.len());
    for d in &evidence_rows {
        site_b.append(&d.site_id);
        sector_b.append(d.sector.code());
        doc_b.append(&d.document);
        instance.append_value(d.instance.unwrap_or(0));
        factor.append(d.view.get(EV_FACTOR).unwrap_or(""));
        status.append_option(d.view.code(EV_STATUS));
        excerpt.append_option(d.view.get(EV_EXCERPT).filter(|t| !check::is_missing(t)));
        page.append_option(d.view.get(EV_PAGE).filter(|t| !check::is_missing(t)));
        prov.push(d.view.table, d.view.record);
    }
    let mut cols: Vec<ArrayRef> = vec![
        site_b.finish(),
        sector_b.finish(),
        doc_b.finish(),
        Arc::new(instance.finish()),
        factor.finish(),
        Arc::new(status.finish()),
        Arc::new(excerpt.finish()),
        Arc::new(page.finish()),
    ];
    cols.extend(prov.finish());
    let evidence = batch(schema::evidence(), cols);

    // ---------------------------------------------------------- sites
    let mut register_sorted: Vec<&Site> = sites.iter().collect();
    register_sorted.sort_by(|a, b| a.site_id.cmp(&b.site_id));
    let (mut site_b, mut sector_b, mut region) = (
        StringBuilder::new(),
        StringBuilder::new(),
        StringBuilder::new(),
    );
    let (mut partnership, mut bme, mut data) = (
        BooleanBuilder::new(),
        BooleanBuilder::new(),
        BooleanBuilder::new(),
    );
    let mut wave = UInt8Builder::new();
    for s in register_sorted {
        site_b.append_value(&s.site_id);
        sector_b.append_value(s.sector.code());
        partnership.append_value(s.partnership);
        bme.append_value(s.bme_focus);
        region.append_value(&s.region);
        wave.append_value(s.wave);
        data.append_value(has_data.contains(s.site_id.as_str()));
    }
    let cols: Vec<ArrayRef> = vec![
        Arc::new(site_b.finish()),
        Arc::new(sector_b.finish()),
        Arc::new(partnership.finish()),
        Arc::new(bme.finish()),
        Arc::new(region.finish()),
        Arc::new(wave.finish()),
        Arc::new(data.finish()),
    ];
    let sites_batch = batch(schema::sites(), cols);

    (
        StudyTables {
            sites: sites_batch,
            participants,
            answers,
            top3,
            outcomes,
            accounts,
            documents: documents_batch,
            evidence,
            checkboxes,
            coded_segments: RecordBatch::new_empty(schema::coded_segments()),
            workshop_notes: RecordBatch::new_empty(schema::workshop_notes()),
            workshop_verdicts: RecordBatch::new_empty(schema::workshop_verdicts()),
        },
        Identities { people: identities },
    )
}
