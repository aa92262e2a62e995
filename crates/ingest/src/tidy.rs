//! Raw exports to the raw [`StudyTables`]: driven by the dictionary and the
//! framework, never by a field list written here. Anything `tidy` cannot read
//! (a short record, an unknown site) is skipped: validation reports it.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use arrow_array::builder::{BooleanBuilder, Int8Builder, Int32Builder, StringBuilder, UInt8Builder, UInt32Builder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::SchemaRef;
use model::{schema, Dictionary, FieldType, Framework, Group, Identities, Identity, Sector, Site, StudyTables, Validation};

use crate::check;
use crate::csv::{CsvTable, Record};

/// The record id field (REDCap's first field) when the dictionary is empty.
pub const RECORD_ID: &str = "record_id";
/// The field naming the site of a record.
pub const SITE_ID: &str = "site_id";
/// The field giving the stakeholder group (choice codes of [`Group::from_redcap`]).
pub const STAKEHOLDER_GROUP: &str = "stakeholder_group";
/// REDCap's repeating-instrument columns of the document export.
pub const REPEAT_INSTRUMENT: &str = "redcap_repeat_instrument";
pub const REPEAT_INSTANCE: &str = "redcap_repeat_instance";
/// Document and evidence fields behind the `documents` and `evidence` columns.
pub const DOC_TYPE: &str = "doc_type";
pub const DOC_DATE: &str = "doc_date";
pub const EV_FACTOR: &str = "ev_factor";
pub const EV_STATUS: &str = "ev_status";
pub const EV_EXCERPT: &str = "ev_excerpt";
pub const EV_PAGE: &str = "ev_page";

/// The record id field of a dictionary: its first field, as in REDCap.
pub fn record_id_field(dict: &Dictionary) -> &str {
    dict.fields.first().map(|f| f.name.as_str()).unwrap_or(RECORD_ID)
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
fn theme(field: &str, row: &View, framework: &Framework) -> String {
    if let Some(k) = field.strip_prefix("top_").and_then(|r| r.strip_suffix("_impact")) {
        if let Some(pick) = row.get(&format!("top_{k}")) {
            if framework.factor(pick).is_some() {
                return pick.to_string();
            }
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

/// One record of one export, read by column name.
struct View<'a> {
    table: &'a CsvTable,
    cols: &'a HashMap<&'a str, usize>,
    record: &'a Record,
}

impl<'a> View<'a> {
    /// The cell's text, or `None` if the column is absent or the cell empty.
    fn get(&self, name: &str) -> Option<&'a str> {
        let i = *self.cols.get(name)?;
        self.record.text(i).filter(|t| !t.is_empty())
    }
    /// A coded value: missing codes, empty, and anything unreadable are null.
    fn code(&self, name: &str) -> Option<i8> {
        let t = self.get(name)?;
        if check::is_missing(t) {
            return None;
        }
        t.parse::<i8>().ok()
    }
    fn int(&self, name: &str) -> Option<i32> {
        let t = self.get(name)?;
        if check::is_missing(t) {
            return None;
        }
        t.parse::<i32>().ok()
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
            if record.cells.len() != table.header.len() {
                continue;
            }
            let v = View { table, cols, record };
            let Some(k) = key(&v) else { continue };
            if seen.insert(k) {
                out.push(v);
            }
        }
    }
    out
}

struct Who {
    participant: StringBuilder,
    site: StringBuilder,
    sector: StringBuilder,
    group: StringBuilder,
}

impl Who {
    fn new() -> Self {
        Who { participant: StringBuilder::new(), site: StringBuilder::new(), sector: StringBuilder::new(), group: StringBuilder::new() }
    }
    fn push(&mut self, p: &Participant) {
        self.participant.append_value(p.record_id);
        self.site.append_value(p.site_id);
        self.sector.append_value(p.sector.code());
        self.group.append_value(p.group.code());
    }
    fn finish(mut self) -> Vec<ArrayRef> {
        vec![
            Arc::new(self.participant.finish()),
            Arc::new(self.site.finish()),
            Arc::new(self.sector.finish()),
            Arc::new(self.group.finish()),
        ]
    }
}

struct Provenance {
    file: StringBuilder,
    line: UInt32Builder,
    hash: StringBuilder,
}

impl Provenance {
    fn new() -> Self {
        Provenance { file: StringBuilder::new(), line: UInt32Builder::new(), hash: StringBuilder::new() }
    }
    fn push(&mut self, v: &View) {
        self.file.append_value(&v.table.path);
        self.line.append_value(v.record.line);
        self.hash.append_value(&v.record.hash);
    }
    fn finish(mut self) -> Vec<ArrayRef> {
        vec![Arc::new(self.file.finish()), Arc::new(self.line.finish()), Arc::new(self.hash.finish())]
    }
}

fn batch(schema: SchemaRef, columns: Vec<ArrayRef>) -> RecordBatch {
    // Every column is appended in lockstep with the schema, whatever the
    // input, so this cannot fail on data.
    RecordBatch::try_new(schema, columns).expect("tidy builds columns in lockstep with model::schema")
}

struct Participant<'a> {
    view: View<'a>,
    record_id: &'a str,
    site_id: &'a str,
    sector: Sector,
    group: Group,
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
) -> (StudyTables, Identities) {
    let register: HashMap<&str, &Site> = sites.iter().map(|s| (s.site_id.as_str(), s)).collect();
    let mut has_data: BTreeSet<&str> = BTreeSet::new();

    // ---------------------------------------------------------- interviews
    let rid = record_id_field(dict);
    let imaps = column_maps(interviews);
    let records = views(interviews, &imaps, |v| v.get(rid).map(str::to_string));
    let mut identities = Vec::new();
    let identifier_fields: Vec<&str> = dict.fields.iter().filter(|f| f.identifier).map(|f| f.name.as_str()).collect();
    let mut people: Vec<Participant> = Vec::new();
    for v in records {
        let Some(record_id) = v.get(rid) else { continue };
        let site_id = v.get(SITE_ID).or_else(|| check::interview_site(record_id)).unwrap_or("");
        has_data.insert(site_id);
        identities.push(Identity {
            record_id: record_id.to_string(),
            site_id: site_id.to_string(),
            fields: identifier_fields
                .iter()
                .filter_map(|f| v.get(f).map(|val| (f.to_string(), val.to_string())))
                .collect(),
        });
        let Some(site) = register.get(site_id) else { continue };
        let Some(group) = v.code(STAKEHOLDER_GROUP).and_then(|c| Group::from_redcap(i64::from(c))) else { continue };
        people.push(Participant { record_id, site_id, sector: site.sector, group, view: v });
    }
    people.sort_by(|a, b| (a.site_id, a.record_id).cmp(&(b.site_id, b.record_id)));
    identities.sort_by(|a, b| (&a.site_id, &a.record_id).cmp(&(&b.site_id, &b.record_id)));
    let complete_field = dict.forms().first().map(|f| format!("{f}_complete")).unwrap_or_default();

    // participants
    let mut who = Who::new();
    let (mut age, mut gender, mut ethnicity) = (Int8Builder::new(), Int8Builder::new(), Int8Builder::new());
    let mut lived = BooleanBuilder::new();
    let mut years = Int32Builder::new();
    let mut complete = Int8Builder::new();
    let mut withdrawn = BooleanBuilder::new();
    let mut prov = Provenance::new();
    for p in &people {
        who.push(p);
        age.append_option(p.view.code("age_band"));
        gender.append_option(p.view.code("gender"));
        ethnicity.append_option(p.view.code("ethnicity"));
        lived.append_option(match p.view.code("lived_experience") {
            Some(1) => Some(true),
            Some(0) => Some(false),
            _ => None,
        });
        years.append_option(p.view.int("years_in_role"));
        complete.append_option(p.view.code(&complete_field));
        withdrawn.append_value(false);
        prov.push(&p.view);
    }
    let mut cols = who.finish();
    cols.push(Arc::new(age.finish()));
    cols.push(Arc::new(gender.finish()));
    cols.push(Arc::new(ethnicity.finish()));
    cols.push(Arc::new(lived.finish()));
    cols.push(Arc::new(years.finish()));
    cols.push(Arc::new(complete.finish()));
    cols.push(Arc::new(withdrawn.finish()));
    cols.extend(prov.finish());
    let participants = batch(schema::participants(), cols);

    // answers: one row per participant and framework factor
    let field_names: Vec<[String; 3]> =
        framework.factors.iter().map(|f| [format!("pm_{}", f.code), format!("imp_{}", f.code), format!("dir_{}", f.code)]).collect();
    let mut who = Who::new();
    let (mut factor, mut pattern, mut importance, mut direction) =
        (StringBuilder::new(), Int8Builder::new(), Int8Builder::new(), Int8Builder::new());
    let mut prov = Provenance::new();
    for p in &people {
        for (f, [pm, imp, dir]) in framework.factors.iter().zip(&field_names) {
            who.push(p);
            factor.append_value(&f.code);
            pattern.append_option(p.view.code(pm));
            importance.append_option(p.view.code(imp));
            direction.append_option(p.view.code(dir));
            prov.push(&p.view);
        }
    }
    let mut cols = who.finish();
    cols.push(Arc::new(factor.finish()));
    cols.push(Arc::new(pattern.finish()));
    cols.push(Arc::new(importance.finish()));
    cols.push(Arc::new(direction.finish()));
    cols.extend(prov.finish());
    let answers = batch(schema::answers(), cols);

    // top3: one row per non-empty pick
    let tops = top_fields(dict);
    let mut who = Who::new();
    let (mut rank, mut factor) = (UInt8Builder::new(), StringBuilder::new());
    let mut prov = Provenance::new();
    for p in &people {
        for (k, name) in &tops {
            let Some(pick) = p.view.get(name) else { continue };
            if check::is_missing(pick) {
                continue;
            }
            who.push(p);
            rank.append_value(*k);
            factor.append_value(pick);
            prov.push(&p.view);
        }
    }
    let mut cols = who.finish();
    cols.push(Arc::new(rank.finish()));
    cols.push(Arc::new(factor.finish()));
    cols.extend(prov.finish());
    let top3 = batch(schema::top3(), cols);

    // outcomes: one row per participant and framework outcome
    let mut who = Who::new();
    let (mut outcome, mut answer) = (StringBuilder::new(), Int8Builder::new());
    let mut prov = Provenance::new();
    for p in &people {
        for o in &framework.outcomes {
            who.push(p);
            outcome.append_value(&o.code);
            answer.append_option(p.view.code(&o.code));
            prov.push(&p.view);
        }
    }
    let mut cols = who.finish();
    cols.push(Arc::new(outcome.finish()));
    cols.push(Arc::new(answer.finish()));
    cols.extend(prov.finish());
    let outcomes = batch(schema::outcomes(), cols);

    // accounts: one row per non-empty free-text field
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
    let mut who = Who::new();
    let (mut field, mut theme_b, mut text) = (StringBuilder::new(), StringBuilder::new(), StringBuilder::new());
    let mut prov = Provenance::new();
    for p in &people {
        for name in &free_text {
            let Some(t) = p.view.get(name) else { continue };
            if t.trim().is_empty() || check::is_missing(t) {
                continue;
            }
            who.push(p);
            field.append_value(name);
            theme_b.append_value(theme(name, &p.view, framework));
            text.append_value(t);
            prov.push(&p.view);
        }
    }
    let mut cols = who.finish();
    cols.push(Arc::new(field.finish()));
    cols.push(Arc::new(theme_b.finish()));
    cols.push(Arc::new(text.finish()));
    cols.extend(prov.finish());
    let accounts = batch(schema::accounts(), cols);

    // ---------------------------------------------------------- documents
    let drid = record_id_field(doc_dict);
    let dmaps = column_maps(documents);
    let drows = views(documents, &dmaps, |v| {
        Some((v.get(drid)?.to_string(), v.get(REPEAT_INSTRUMENT).map(str::to_string), v.get(REPEAT_INSTANCE).map(str::to_string)))
    });
    struct DocRow<'a> {
        view: View<'a>,
        site_id: &'a str,
        document: &'a str,
        sector: Sector,
        instance: Option<u32>,
    }
    let mut docs: Vec<DocRow> = Vec::new();
    let mut evidence_rows: Vec<DocRow> = Vec::new();
    for v in drows {
        let Some(record_id) = v.get(drid) else { continue };
        let site_id = match v.get(SITE_ID) {
            Some(s) => s,
            None => match check::document_parts(record_id) {
                Some((s, _)) => s,
                None => continue,
            },
        };
        has_data.insert(site_id);
        let document = match record_id.strip_prefix(site_id).and_then(|r| r.strip_prefix('-')) {
            Some(d) if !d.is_empty() => d,
            _ => continue,
        };
        let Some(site) = register.get(site_id) else { continue };
        match v.get(REPEAT_INSTRUMENT) {
            None => docs.push(DocRow { site_id, document, sector: site.sector, instance: None, view: v }),
            Some(_) => {
                let Some(instance) = v.get(REPEAT_INSTANCE).and_then(|i| i.parse::<u32>().ok()) else { continue };
                if v.get(EV_FACTOR).is_none() {
                    continue;
                }
                evidence_rows.push(DocRow { site_id, document, sector: site.sector, instance: Some(instance), view: v });
            }
        }
    }
    docs.sort_by(|a, b| (a.site_id, a.document, a.instance).cmp(&(b.site_id, b.document, b.instance)));
    evidence_rows.sort_by(|a, b| (a.site_id, a.document, a.instance).cmp(&(b.site_id, b.document, b.instance)));

    let (mut site_b, mut sector_b, mut doc_b) = (StringBuilder::new(), StringBuilder::new(), StringBuilder::new());
    let (mut doc_type, mut doc_date) = (Int8Builder::new(), StringBuilder::new());
    let mut prov = Provenance::new();
    for d in &docs {
        site_b.append_value(d.site_id);
        sector_b.append_value(d.sector.code());
        doc_b.append_value(d.document);
        doc_type.append_option(d.view.code(DOC_TYPE));
        doc_date.append_option(d.view.get(DOC_DATE).filter(|t| !check::is_missing(t)));
        prov.push(&d.view);
    }
    let mut cols: Vec<ArrayRef> = vec![
        Arc::new(site_b.finish()),
        Arc::new(sector_b.finish()),
        Arc::new(doc_b.finish()),
        Arc::new(doc_type.finish()),
        Arc::new(doc_date.finish()),
    ];
    cols.extend(prov.finish());
    let documents_batch = batch(schema::documents(), cols);

    let (mut site_b, mut sector_b, mut doc_b) = (StringBuilder::new(), StringBuilder::new(), StringBuilder::new());
    let (mut instance, mut factor, mut status) = (UInt32Builder::new(), StringBuilder::new(), Int8Builder::new());
    let (mut excerpt, mut page) = (StringBuilder::new(), StringBuilder::new());
    let mut prov = Provenance::new();
    for d in &evidence_rows {
        site_b.append_value(d.site_id);
        sector_b.append_value(d.sector.code());
        doc_b.append_value(d.document);
        instance.append_value(d.instance.unwrap_or(0));
        factor.append_value(d.view.get(EV_FACTOR).unwrap_or(""));
        status.append_option(d.view.code(EV_STATUS));
        excerpt.append_option(d.view.get(EV_EXCERPT).filter(|t| !check::is_missing(t)));
        page.append_option(d.view.get(EV_PAGE).filter(|t| !check::is_missing(t)));
        prov.push(&d.view);
    }
    let mut cols: Vec<ArrayRef> = vec![
        Arc::new(site_b.finish()),
        Arc::new(sector_b.finish()),
        Arc::new(doc_b.finish()),
        Arc::new(instance.finish()),
        Arc::new(factor.finish()),
        Arc::new(status.finish()),
        Arc::new(excerpt.finish()),
        Arc::new(page.finish()),
    ];
    cols.extend(prov.finish());
    let evidence = batch(schema::evidence(), cols);

    // ---------------------------------------------------------- sites
    let mut register_sorted: Vec<&Site> = sites.iter().collect();
    register_sorted.sort_by(|a, b| a.site_id.cmp(&b.site_id));
    let (mut site_b, mut sector_b, mut region) = (StringBuilder::new(), StringBuilder::new(), StringBuilder::new());
    let (mut partnership, mut bme, mut data) = (BooleanBuilder::new(), BooleanBuilder::new(), BooleanBuilder::new());
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
        },
        Identities { people: identities },
    )
}
