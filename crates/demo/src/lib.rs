//! The synthetic demo study: [`generate`] turns a [`DemoSpec`] into every
//! file of a study folder (as [`DemoFile`]s), laid out as
//! `data-schema/LAYOUT.md` requires, with effects planted for the analysis
//! to find and identifiers planted for the anonymiser to remove; with
//! [`DemoSpec::transcripts`], also `qualitative/`: a coded transcript for
//! every interviewee as REFI-QDA projects, `codes.csv` and workshop notes.
//!
//! A key design choice: every site and every person draws from its own
//! counter-seeded random stream (`rng`), keyed by the study seed and its
//! indices, and rows are written straight into byte buffers. So the output
//! is byte-identical on any machine, a site's data does not depend on how
//! many sites the spec asks for, and 500,000 interviews take seconds.
//! The crate is pure: it returns bytes, the CLI writes them.

mod csvout;
mod dictionary;
mod documents;
mod interviews;
mod projects;
mod qdpx;
mod registers;
mod rng;
mod sites;
mod text;
mod transcripts;
mod workshops;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod transcript_tests;

use model::{Domain, Factor, Framework};

/// The embedded study schema, copied byte for byte into every study.
const FRAMEWORK_TOML: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data-schema/framework.toml"
));
const INTERVIEW_DICTIONARY: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data-schema/redcap/interview_dictionary.csv"
));
/// The demo's own checkbox field, which the protocol's dictionary does not
/// have (the demo is one study among many): where an interviewee works,
/// ticking all that apply. Written after `role_detail`.
const WORK_SETTINGS: &str = "work_settings";
const WORK_SETTINGS_ROW: &str = "work_settings,interview_data_sheet,,checkbox,Where do you work in this role?,\"1, Inpatient ward | 2, Community mental health team | 3, Crisis or home treatment team | 4, Peer-led or voluntary sector service | 5, Somewhere else\",Tick all that apply,,,,,,,,,,,";
/// The choice codes of [`WORK_SETTINGS_ROW`].
pub(crate) const WORK_SETTINGS_CODES: [&str; 5] = ["1", "2", "3", "4", "5"];

/// The demo's interview dictionary: the protocol's, with the demo's own
/// checkbox field after `role_detail` (lines end as REDCap writes them).
pub(crate) fn interview_dictionary() -> String {
    let mut out = String::with_capacity(INTERVIEW_DICTIONARY.len() + WORK_SETTINGS_ROW.len() + 2);
    for line in INTERVIEW_DICTIONARY.split_inclusive('\n') {
        out.push_str(line);
        if line.starts_with("role_detail,") {
            out.push_str(WORK_SETTINGS_ROW);
            out.push_str("\r\n");
        }
    }
    out
}

const DOCUMENT_DICTIONARY: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../data-schema/redcap/document_dictionary.csv"
));

/// How big a study to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSpec {
    /// Number of case study sites (the protocol has 10).
    pub sites: usize,
    /// Interviewees per site; `None` is the protocol's mix of 8-10.
    pub per_site: Option<usize>,
    /// Seeds every random choice, and is written to `study.toml`.
    pub seed: u64,
    /// Also write `qualitative/`: a coded transcript for every interviewee
    /// (REFI-QDA projects), `codes.csv` and the workshops' notes.
    pub transcripts: bool,
}

impl Default for DemoSpec {
    fn default() -> Self {
        DemoSpec {
            sites: 10,
            per_site: None,
            seed: 20110301,
            transcripts: true,
        }
    }
}

/// One generated file: a relative, `/`-separated path and its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

/// Sites per export file when a wave has many sites.
const SITES_PER_FILE: usize = 20;

/// Everything the writers share, derived once from the spec and schema.
pub(crate) struct Context {
    pub seed: u64,
    pub domains: Vec<Domain>,
    pub factors: Vec<Factor>,
    pub outcomes: Vec<String>,
    pub outcome_labels: Vec<String>,
    pub interview_columns: Vec<String>,
    pub interview_plan: Vec<interviews::Column>,
    /// Document dictionary fields after `record_id`, with their form.
    pub document_fields: Vec<(String, String)>,
    pub document_columns: Vec<String>,
    /// Digits after the hyphen of an interview record id.
    pub record_width: usize,
    pub pw_training: usize,
    pub staff_accept: usize,
    pub supervision: usize,
    pub role_clarity: usize,
    pub role_distinct: usize,
    pub risk_share: usize,
    pub welfare_advice: usize,
    /// Factors people rate a little lower on the whole.
    pub low_salience: Vec<bool>,
    /// How likely each factor is to be picked for a top three.
    pub salience: Vec<u32>,
    /// `(site index, person index)` of the withdrawals.
    pub all_withdrawal: Option<(usize, usize)>,
    pub quotes_withdrawal: Option<(usize, usize)>,
}

impl Context {
    fn new(spec: &DemoSpec, interview_counts: &[usize]) -> Context {
        // The framework is embedded at compile time and parsed by a unit
        // test, so a failure here is a broken build, not bad input.
        let framework = Framework::parse(FRAMEWORK_TOML, "data-schema/framework.toml")
            .unwrap_or_else(|e| panic!("embedded framework.toml does not parse: {e:?}"));
        let codes: Vec<String> = framework.factors.iter().map(|f| f.code.clone()).collect();
        let outcomes: Vec<String> = framework.outcomes.iter().map(|o| o.code.clone()).collect();
        let outcome_labels = framework.outcomes.iter().map(|o| o.label.clone()).collect();
        let required = |code: &str| {
            codes.iter().position(|c| c == code).unwrap_or_else(|| {
                panic!("embedded framework.toml lacks the planted factor `{code}`")
            })
        };

        let interview_fields = dictionary::fields(&interview_dictionary());
        // As REDCap exports a project with data access groups: the group
        // after the record id; a checkbox field as a column per choice.
        let mut interview_columns: Vec<String> = Vec::new();
        for (name, _) in &interview_fields {
            if name == WORK_SETTINGS {
                interview_columns.extend(
                    WORK_SETTINGS_CODES
                        .iter()
                        .map(|c| model::dictionary::checkbox_column(name, c)),
                );
                continue;
            }
            interview_columns.push(name.clone());
            if name == "record_id" {
                interview_columns.push(model::dictionary::redcap::DATA_ACCESS_GROUP.into());
            }
        }
        let mut forms: Vec<&str> = Vec::new();
        for (_, form) in &interview_fields {
            if !forms.contains(&form.as_str()) {
                forms.push(form);
            }
        }
        interview_columns.extend(forms.iter().map(|form| format!("{form}_complete")));
        let interview_plan = interviews::plan(&interview_columns, &codes, &outcomes);

        let document_fields: Vec<(String, String)> = dictionary::fields(DOCUMENT_DICTIONARY)
            .into_iter()
            .filter(|(name, _)| name != "record_id")
            .collect();
        let mut document_columns: Vec<String> = [
            "record_id",
            "redcap_repeat_instrument",
            "redcap_repeat_instance",
        ]
        .map(String::from)
        .to_vec();
        document_columns.extend(document_fields.iter().map(|(name, _)| name.clone()));
        document_columns.extend(["document_complete", "evidence_complete"].map(String::from));

        let max_interviews = interview_counts.iter().copied().max().unwrap_or(0);
        let salience = codes
            .iter()
            .map(|c| match c.as_str() {
                "role_clarity" => 30,
                "supervision" => 28,
                "pw_training" => 22,
                "pay_parity" => 18,
                "planned_intro" => 16,
                "culture_recovery" => 15,
                "strategy_fit" | "team_capacity" | "role_distinct" => 12,
                "welfare_advice" | "confidential" => 4,
                _ => 8,
            })
            .collect();
        let low_salience = codes
            .iter()
            .map(|c| {
                matches!(
                    c.as_str(),
                    "welfare_advice" | "confidential" | "role_prof" | "partnership"
                )
            })
            .collect();

        let (all_withdrawal, quotes_withdrawal) = registers::withdrawal_people(interview_counts);
        Context {
            seed: spec.seed,
            pw_training: required("pw_training"),
            staff_accept: required("staff_accept"),
            supervision: required("supervision"),
            role_clarity: required("role_clarity"),
            role_distinct: required("role_distinct"),
            risk_share: required("risk_share"),
            welfare_advice: required("welfare_advice"),
            domains: framework.domains,
            factors: framework.factors,
            outcomes,
            outcome_labels,
            interview_columns,
            interview_plan,
            document_fields,
            document_columns,
            record_width: max_interviews.to_string().len().max(2),
            low_salience,
            salience,
            all_withdrawal,
            quotes_withdrawal,
        }
    }

    pub(crate) fn factor_index(&self, code: &str) -> Option<usize> {
        self.factors.iter().position(|f| f.code == code)
    }
}

/// How an export file is written, by wave: REDCap exports differ by who
/// clicked "export" and where they opened it afterwards.
#[derive(Debug, Clone, Copy)]
struct Style {
    bom: bool,
    eol: &'static str,
}

fn style_of(wave: u8) -> Style {
    match wave {
        1 => Style {
            bom: true,
            eol: "\n",
        },
        2 => Style {
            bom: false,
            eol: "\r\n",
        },
        _ => Style {
            bom: false,
            eol: "\n",
        },
    }
}

fn new_export(style: Style, columns: &[String], capacity: usize) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(capacity);
    if style.bom {
        bytes.extend_from_slice("\u{feff}".as_bytes());
    }
    csvout::header(&mut bytes, columns, style.eol);
    bytes
}

/// The study's world: the shared context and its sites.
pub(crate) fn world(spec: &DemoSpec) -> (Context, Vec<sites::Site>) {
    let count = spec.sites;
    let interview_counts: Vec<usize> = (0..count)
        .map(|i| {
            spec.per_site
                .unwrap_or_else(|| 8 + rng::Rng::new(spec.seed, &[4, i as u64]).index(3))
        })
        .collect();
    let ctx = Context::new(spec, &interview_counts);
    let codes: Vec<String> = ctx.factors.iter().map(|f| f.code.clone()).collect();
    let sites = (0..count)
        .map(|i| sites::build(i, count, interview_counts[i], &codes, spec.seed))
        .collect();
    (ctx, sites)
}

/// Generate the whole study folder, sorted by path. Same spec, same bytes.
pub fn generate(spec: &DemoSpec) -> Vec<DemoFile> {
    let count = spec.sites;
    let (ctx, sites) = world(spec);

    // The last site arrives late; the one before it is split across two
    // exports that share one record.
    let late = (count >= 2).then(|| count - 1);
    let split = (count >= 2)
        .then(|| count - 2)
        .filter(|&i| sites[i].interviews >= 2);

    let mut files = Vec::new();
    for wave in 1..=3u8 {
        let in_wave: Vec<&sites::Site> = sites
            .iter()
            .filter(|s| s.wave == wave && Some(s.index) != late)
            .collect();
        let chunks: Vec<&[&sites::Site]> = in_wave.chunks(SITES_PER_FILE).collect();
        let region = sites::region_of(wave).to_lowercase();
        let style = style_of(wave);
        for (c, chunk) in chunks.iter().enumerate() {
            let stem = if chunks.len() == 1 {
                format!("wave{wave}_{region}")
            } else {
                format!("wave{wave}_{region}_{:03}", c + 1)
            };
            let per_chunk: usize = chunk.iter().map(|s| s.interviews).sum();
            let mut interview_bytes =
                new_export(style, &ctx.interview_columns, per_chunk * 1400 + 4096);
            let mut document_bytes =
                new_export(style, &ctx.document_columns, chunk.len() * 6000 + 1024);
            for site in chunk.iter() {
                let rows = interviews::site_rows(&ctx, site, style.eol);
                if Some(site.index) == split {
                    // First half here, the rest (from the last row of the
                    // first half, so one record is in both) in a follow-up.
                    let half = site.interviews.div_ceil(2);
                    let first_end = rows.starts.get(half).copied().unwrap_or(rows.bytes.len());
                    interview_bytes.extend_from_slice(&rows.bytes[..first_end]);
                    let mut followup =
                        new_export(style, &ctx.interview_columns, rows.bytes.len() + 4096);
                    followup.extend_from_slice(&rows.bytes[rows.starts[half - 1]..]);
                    files.push(DemoFile {
                        path: format!("raw/interviews/wave{wave}_{region}_followup.csv"),
                        bytes: followup,
                    });
                } else {
                    interview_bytes.extend_from_slice(&rows.bytes);
                }
                document_bytes.extend_from_slice(&documents::site_rows(&ctx, site, style.eol));
            }
            files.push(DemoFile {
                path: format!("raw/interviews/{stem}.csv"),
                bytes: interview_bytes,
            });
            files.push(DemoFile {
                path: format!("raw/documents/{stem}.csv"),
                bytes: document_bytes,
            });
        }
    }
    if let Some(late) = late {
        let site = &sites[late];
        let region = site.region.to_lowercase();
        let style = style_of(site.wave);
        let mut interview_bytes =
            new_export(style, &ctx.interview_columns, site.interviews * 1400 + 4096);
        interview_bytes.extend_from_slice(&interviews::site_rows(&ctx, site, style.eol).bytes);
        let mut document_bytes = new_export(style, &ctx.document_columns, 8192);
        document_bytes.extend_from_slice(&documents::site_rows(&ctx, site, style.eol));
        let stem = format!("wave{}_{region}_late", site.wave);
        files.push(DemoFile {
            path: format!("late/raw/interviews/{stem}.csv"),
            bytes: interview_bytes,
        });
        files.push(DemoFile {
            path: format!("late/raw/documents/{stem}.csv"),
            bytes: document_bytes,
        });
    }

    files.push(DemoFile {
        path: "framework.toml".into(),
        bytes: FRAMEWORK_TOML.as_bytes().to_vec(),
    });
    files.push(DemoFile {
        path: "redcap/interview_dictionary.csv".into(),
        bytes: interview_dictionary().into_bytes(),
    });
    files.push(DemoFile {
        path: "redcap/document_dictionary.csv".into(),
        bytes: DOCUMENT_DICTIONARY.as_bytes().to_vec(),
    });
    files.push(DemoFile {
        path: "study.toml".into(),
        bytes: registers::study_toml(spec).into_bytes(),
    });
    files.push(DemoFile {
        path: "sites.csv".into(),
        bytes: registers::sites_csv(&sites),
    });
    files.push(DemoFile {
        path: "identifiers.csv".into(),
        bytes: registers::identifiers_csv(&sites),
    });
    files.push(DemoFile {
        path: "withdrawals.csv".into(),
        bytes: registers::withdrawals_csv(&ctx, &sites),
    });

    let mut qualitative = spec
        .transcripts
        .then(|| projects::folder(&ctx, &sites, late));
    if let Some(q) = &mut qualitative {
        files.append(&mut q.files);
    }

    let mut paths: Vec<String> = files.iter().map(|f| f.path.clone()).collect();
    paths.sort();
    let readme = registers::readme(
        spec,
        &ctx,
        &sites,
        late,
        split,
        &paths,
        qualitative.as_ref(),
    );
    files.push(DemoFile {
        path: "README.md".into(),
        bytes: readme.into_bytes(),
    });
    files.sort_by(|a, b| a.path.cmp(&b.path));
    files
}
