//! The study's `qualitative/` folder: which transcripts go into which
//! project export, `codes.csv`, the workshop files, and what was planted
//! in them (counted here for the README).
//!
//! Sites of waves 1 and 2 are coded in NVivo, wave 3 in ATLAS.ti, at most
//! [`crate::SITES_PER_FILE`] sites per project (so a reader's memory, one
//! project's text, stays small at any size); the late site's project
//! waits under `late/qualitative/` with its exports.

use std::collections::BTreeMap;
use std::fmt::Write;

use model::Sector;

use crate::interviews::{self, PEER_WORKER, SERVICE_USER};
use crate::qdpx::{self, ProjectSpec};
use crate::sites::Site;
use crate::transcripts::{self, Cut, NameForm, Tool, Transcript};
use crate::workshops;
use crate::{Context, DemoFile, SITES_PER_FILE};

/// What one interviewee's transcript says, by theme, and what it plants.
#[derive(Debug, Clone)]
pub(crate) struct Talked {
    pub record_id: String,
    pub site: usize,
    pub group: usize,
    /// Theme and its coded segments (each selection once per code).
    pub themes: BTreeMap<String, usize>,
    pub name_form: NameForm,
    pub cut: Option<Cut>,
}

/// The generated folder and its summary.
pub(crate) struct Qualitative {
    pub files: Vec<DemoFile>,
    /// Interviewees of the projects in `qualitative/` (not the late site's).
    pub talked: Vec<Talked>,
    /// `qualitative/` projects and the late one: path and tool.
    pub projects: Vec<(String, Tool)>,
    pub late_project: Option<(String, Tool)>,
}

pub(crate) fn tool_of(site: &Site) -> Tool {
    if site.wave >= 3 {
        Tool::Atlas
    } else {
        Tool::NVivo
    }
}

fn talked(ctx: &Context, t: &Transcript) -> Talked {
    let mut themes = BTreeMap::new();
    for coded in &t.coded {
        let mut keys = coded.codes.clone();
        keys.sort_unstable();
        keys.dedup();
        for key in keys {
            if let Some(theme) = qdpx::theme(ctx, key) {
                *themes.entry(theme.to_string()).or_insert(0) += 1;
            }
        }
    }
    Talked {
        record_id: t.record_id.clone(),
        site: t.site,
        group: t.group,
        themes,
        name_form: t.name_form,
        cut: t.cut,
    }
}

/// The `qualitative/` files (and `late/qualitative/`) of a study.
pub(crate) fn folder(ctx: &Context, sites: &[Site], late: Option<usize>) -> Qualitative {
    let main: Vec<&Site> = sites.iter().filter(|s| Some(s.index) != late).collect();
    let mut q = Qualitative {
        files: Vec::new(),
        talked: Vec::new(),
        projects: Vec::new(),
        late_project: None,
    };
    let mut tools = Vec::new();
    for (t, tool) in [Tool::NVivo, Tool::Atlas].into_iter().enumerate() {
        let coded_here: Vec<&Site> = main
            .iter()
            .copied()
            .filter(|s| tool_of(s) == tool)
            .collect();
        let chunks: Vec<&[&Site]> = coded_here.chunks(SITES_PER_FILE).collect();
        if !chunks.is_empty() {
            tools.push(tool);
        }
        for (c, chunk) in chunks.iter().enumerate() {
            let numbered = |stem: &str| {
                if chunks.len() == 1 {
                    stem.to_string()
                } else {
                    format!("{stem} {:03}", c + 1)
                }
            };
            let (path, name) = match tool {
                Tool::NVivo => (
                    if chunks.len() == 1 {
                        "qualitative/nww_waves1-2.qdpx".to_string()
                    } else {
                        format!("qualitative/nww_waves1-2_{:03}.qdpx", c + 1)
                    },
                    numbered("New Ways of Working, waves 1 and 2"),
                ),
                Tool::Atlas => {
                    // ATLAS.ti names the export after the project, which the
                    // coder named after themselves.
                    let coder = interviews::wave_interviewers(3)[0];
                    let name = format!("{} ({coder})", numbered("NWW wave 3 South"));
                    (format!("qualitative/{name}.qdpx"), name)
                }
            };
            let transcripts: Vec<Transcript> = chunk
                .iter()
                .flat_map(|s| transcripts::site_transcripts(ctx, s, tool))
                .collect();
            if transcripts.is_empty() {
                continue;
            }
            let spec = ProjectSpec {
                tool,
                name: &name,
                key: (t * 100_000 + c) as u64,
            };
            q.files.push(DemoFile {
                path: path.clone(),
                bytes: qdpx::project(ctx, &spec, &transcripts),
            });
            q.talked
                .extend(transcripts.iter().map(|tr| talked(ctx, tr)));
            q.projects.push((path, tool));
        }
    }
    if tools.is_empty() {
        return q;
    }
    q.files.push(DemoFile {
        path: "qualitative/codes.csv".into(),
        bytes: qdpx::codes_csv(ctx, &tools),
    });
    q.files
        .extend(workshops::files(ctx, &main, "qualitative/workshops", true));

    if let Some(site) = late.map(|i| &sites[i]) {
        // The late project is coded in a tool whose codebook codes.csv maps.
        let tool = if tools.contains(&tool_of(site)) {
            tool_of(site)
        } else {
            tools[0]
        };
        let stem = format!("wave{}_{}_late", site.wave, site.region.to_lowercase());
        let transcripts = transcripts::site_transcripts(ctx, site, tool);
        if !transcripts.is_empty() {
            let path = format!("late/qualitative/{stem}.qdpx");
            let spec = ProjectSpec {
                tool,
                name: &stem,
                key: 1_000_000,
            };
            q.files.push(DemoFile {
                path: path.clone(),
                bytes: qdpx::project(ctx, &spec, &transcripts),
            });
            q.late_project = Some((path, tool));
        }
        q.files.extend(workshops::files(
            ctx,
            &[site],
            "late/qualitative/workshops",
            false,
        ));
    }
    q
}

/// Participants (distinct interviewees with a segment of the theme),
/// interviewees and segments among those `in_scope`.
struct Cell {
    participants: usize,
    interviewees: usize,
    segments: usize,
}

impl Cell {
    fn show(&self) -> String {
        format!("{} of {}", self.participants, self.interviewees)
    }
}

fn cell(talked: &[&Talked], theme: &str, in_scope: impl Fn(&Talked) -> bool) -> Cell {
    let scoped: Vec<&&Talked> = talked.iter().filter(|t| in_scope(t)).collect();
    Cell {
        participants: scoped
            .iter()
            .filter(|t| t.themes.contains_key(theme))
            .count(),
        interviewees: scoped.len(),
        segments: scoped.iter().filter_map(|t| t.themes.get(theme)).sum(),
    }
}

fn per_participant(c: &Cell) -> String {
    if c.participants == 0 {
        "none".into()
    } else {
        format!(
            "{:.1} per participant",
            c.segments as f64 / c.participants as f64
        )
    }
}

/// Up to five record ids, then how many more.
fn some_records<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    let ids: Vec<&str> = ids.collect();
    let mut shown = ids
        .iter()
        .take(5)
        .map(|id| format!("`{id}`"))
        .collect::<Vec<_>>()
        .join(", ");
    if ids.len() > 5 {
        let _ = write!(shown, " and {} more", ids.len() - 5);
    }
    if shown.is_empty() {
        "none".into()
    } else {
        shown
    }
}

const GROUP_NAMES: [&str; 5] = [
    "peer workers",
    "professionals",
    "service users",
    "team managers",
    "senior managers",
];

/// The README's sections on the qualitative folder: the planted effects
/// with their sizes (counted over `qualitative/`, without the `all`
/// withdrawal), what the redactor must remove, how the projects are written.
pub(crate) fn readme(
    r: &mut String,
    ctx: &Context,
    sites: &[Site],
    q: &Qualitative,
    withdrawn_all: Option<&str>,
) {
    let talked: Vec<&Talked> = q
        .talked
        .iter()
        .filter(|t| Some(t.record_id.as_str()) != withdrawn_all)
        .collect();
    let sector = |t: &Talked| sites[t.site].sector;
    let factor = |f: usize| ctx.factors[f].code.as_str();
    let withdrawn = withdrawn_all.map_or(String::new(), |id| {
        format!(", without `{id}` (who withdrew everything)")
    });
    let _ = writeln!(
        r,
        "## Planted qualitative effects: what the framework matrix and the joint display must find\n"
    );
    let _ = writeln!(
        r,
        "Counted over the transcripts in `qualitative/`{withdrawn}. A participant is an\n\
         interviewee with at least one coded segment of the theme; a segment is one code applied\n\
         to one selection. With `min_cell = 3` and about nine interviewees per site (two per\n\
         stakeholder group), each effect lies at study, sector or group scope, or across a whole\n\
         site: none rests on a cell of fewer than 3 people.\n"
    );

    let welfare = factor(ctx.welfare_advice);
    let voluntary = cell(&talked, welfare, |t| sector(t) == Sector::Voluntary);
    let statutory = cell(&talked, welfare, |t| sector(t) == Sector::Statutory);
    let by_group = |theme: &str| -> Vec<String> {
        (0..5)
            .map(|g| {
                format!(
                    "{} {}",
                    GROUP_NAMES[g],
                    cell(&talked, theme, |t| t.group == g).show()
                )
            })
            .collect()
    };
    let _ = writeln!(
        r,
        "8. **`{welfare}`: rated low, spoken of by many at voluntary sites.** Its importance is drawn\n   \
         from the low weights and nobody names it in their top three, yet every peer worker at a\n   \
         voluntary site talks about it (two segments each), as do most service users there:\n   \
         voluntary sites {} participants ({} segments), statutory sites {}; by group: {}.\n   \
         The joint display should call it spoken of by many yet rated low.",
        voluntary.show(),
        voluntary.segments,
        statutory.show(),
        by_group(welfare).join(", ")
    );

    let risk = factor(ctx.risk_share);
    let study_cell = |theme: &str| cell(&talked, theme, |_| true);
    let risk_cell = study_cell(risk);
    let mut others: Vec<usize> = (0..ctx.factors.len())
        .filter(|&f| f != ctx.risk_share)
        .map(|f| study_cell(factor(f)).participants)
        .collect();
    others.sort_unstable();
    let median = others.get(others.len() / 2).copied().unwrap_or(0);
    let _ = writeln!(
        r,
        "9. **`{risk}`: rated very important, hardly spoken of.** Its importance is drawn from the\n   \
         high weights (among the highest study means), but only those who named it in their top\n   \
         three talk about it: {} participants in the whole study, against a median of {median}\n   \
         for the other factors. The joint display should call it rated very important yet hardly\n   \
         spoken of.",
        risk_cell.show()
    );

    let bme_sites: Vec<&Site> = sites
        .iter()
        .filter(|s| s.bme && talked.iter().any(|t| t.site == s.index))
        .collect();
    let other_max = sites
        .iter()
        .filter(|s| !s.bme)
        .map(|s| cell(&talked, "bme", |t| t.site == s.index).participants)
        .max()
        .unwrap_or(0);
    let shown_sites: Vec<String> = bme_sites
        .iter()
        .take(4)
        .map(|s| {
            format!(
                "{} ({}) {}",
                s.label,
                s.id,
                cell(&talked, "bme", |t| t.site == s.index).show()
            )
        })
        .collect();
    let _ = writeln!(
        r,
        "10. **Culturally specific experiences (`bme`) at the BME-focused sites.** Asked of everyone,\n    \
         told by nearly everyone at the BME-focused sites and by a few ethnic-minority interviewees\n    \
         elsewhere: {}{}; every other site at most {other_max} (so suppressed at site scope).\n    \
         A BME-focused site can be suppressed too, by secondary suppression: when the other sites\n    \
         of its sector are all suppressed, its count would give theirs away from the sector's total.\n    \
         Coded `BME experiences / <aspect>` in NVivo, `BME - culturally specific experiences` (and\n    \
         its child `language`) in ATLAS.ti.",
        shown_sites.join(", "),
        if bme_sites.len() > 4 {
            format!(" and {} more BME-focused sites", bme_sites.len() - 4)
        } else {
            String::new()
        }
    );

    let supervision = factor(ctx.supervision);
    if let Some(site) = sites
        .iter()
        .find(|s| transcripts::diverging_supervision(s) && talked.iter().any(|t| t.site == s.index))
    {
        let here = cell(&talked, supervision, |t| t.site == site.index);
        let elsewhere = cell(&talked, supervision, |t| {
            !transcripts::diverging_supervision(&sites[t.site])
        });
        let _ = writeln!(
            r,
            "11. **Talk about `{supervision}` diverges at {} ({}).** Pattern matching has supervision in\n    \
             place at every site (effect 3), {} included; but there {} interviewees talk about it,\n    \
             {} segments ({}), against {} participants elsewhere ({}), and\n    \
             what they say is that it is cancelled or missing (also coded `Cancelled or missing`,\n    \
             under `Supervision and team support`). Its workshop challenges `patterns/{}/supervision`.",
            site.label,
            site.id,
            site.label,
            here.show(),
            here.segments,
            per_participant(&here),
            elsewhere.show(),
            per_participant(&elsewhere),
            site.label
        );
    }

    let training = factor(ctx.pw_training);
    let managers = cell(&talked, training, |t| t.group > SERVICE_USER);
    let _ = writeln!(
        r,
        "12. **`{training}`: ratings and talk converge.** Every peer worker and service user talks about\n    \
         it ({} and {}), team and senior managers hardly ({}), as they rate it (effect 1).\n",
        cell(&talked, training, |t| t.group == PEER_WORKER).show(),
        cell(&talked, training, |t| t.group == SERVICE_USER).show(),
        managers.show()
    );

    let _ = writeln!(r, "## Transcripts: what the redactor must remove\n");
    let forms = |form: NameForm| {
        some_records(
            q.talked
                .iter()
                .filter(|t| t.name_form == form)
                .map(|t| t.record_id.as_str()),
        )
    };
    let cuts = |cut: Cut| {
        some_records(
            q.talked
                .iter()
                .filter(|t| t.cut == Some(cut))
                .map(|t| t.record_id.as_str()),
        )
    };
    let _ = writeln!(
        r,
        "Every interviewee has one transcript, withdrawn participants included (the pipeline must\n\
         drop or keep them as `withdrawals.csv` says). Each opens with a header naming the\n\
         interviewee, the site's real name and the interviewer, and uses speaker labels\n\
         (`Interviewer:` and the interviewee's first name). The interviewee is greeted by first\n\
         name and names a colleague in the opening; answers plant what the data sheets' free\n\
         text plants (below), inside coded selections and outside them: colleagues, other\n\
         interviewees, the site's real and short names, towns, wards, teams, organisations,\n\
         NHS numbers, postcodes, phone numbers, emails, and the look-alikes that must stay.\n\
         Names typed otherwise than in the registers: in NFD (`Zoe` + U+0308) in {}; without\n\
         diacritics (`Zoe`, also the speaker label) in {}. A coded selection starts\n\
         three characters into a colleague's name in {}, and ends three characters\n\
         before the end of one in {}: a transcript must be redacted whole before\n\
         selections are cut from it. Some NVivo selections include the speaker label; some\n\
         selections overlap, one carries two codes, and a few carry the same code twice (it\n\
         counts once). Emoji (outside the Basic Multilingual Plane) come before and inside coded\n\
         selections.\n",
        forms(NameForm::Nfd),
        forms(NameForm::Stripped),
        cuts(Cut::Start),
        cuts(Cut::End)
    );

    let _ = writeln!(r, "## The projects, as two tools export them\n");
    for (path, tool) in &q.projects {
        let _ = writeln!(r, "- `{path}`: {}", tool_note(*tool));
    }
    if let Some((path, tool)) = &q.late_project {
        let _ = writeln!(r, "- `{path}` (the late site): {}", tool_note(*tool));
    }
    let _ = writeln!(
        r,
        "\n`qualitative/codes.csv` maps each codebook's factor and outcome codes to their\n\
         theme, `BME experiences` and `BME - culturally specific experiences` to `bme`, `Emerging`\n\
         and `ADMIN - funding` to `ignore`. `Anecdotes` (NVivo) and `Stories` (ATLAS.ti) are left\n\
         out on purpose: reading the projects warns that their segments have no theme. It is typed\n\
         by a person: one path in lower case, one with spaces around it. Entries are stored\n\
         uncompressed with fixed timestamps, so the archives are byte-identical on every run; the\n\
         ATLAS.ti project's file name (and project name) holds its coder's name, which must never\n\
         be published.\n"
    );

    let _ = writeln!(r, "## Workshops\n");
    let without: Vec<&Site> = sites.iter().filter(|s| !workshops::has_notes(s)).collect();
    let verdicts: Vec<String> = sites
        .iter()
        .filter(|s| workshops::has_verdicts(s) && talked.iter().any(|t| t.site == s.index))
        .take(6)
        .map(|s| format!("`{}.csv` ({})", s.id, s.label))
        .collect();
    let _ = writeln!(
        r,
        "`qualitative/workshops/<site_id>.md` holds the notes of each site's feedback workshop:\n\
         Markdown with HTML pasted from a web form (`<p style>`, `<b>`, `<br>`, `<script>`, a\n\
         comment: all to be shown as text), the names of the people there, the site's real name,\n\
         an email and a phone number. {} no notes (its pack must say none were received); the\n\
         late site's notes wait in `late/qualitative/workshops/`. {} list, by the figure ids of\n\
         the site's pack, what the workshop `confirmed`, `challenged` or added (`new`); written by\n\
         Excel (a byte order mark, CRLF), one comment empty.\n",
        if without.is_empty() {
            "Every site has".to_string()
        } else {
            format!(
                "{} {}",
                without
                    .iter()
                    .take(3)
                    .map(|s| format!("{} ({})", s.label, s.id))
                    .collect::<Vec<_>>()
                    .join(", "),
                if without.len() > 3 {
                    format!("and {} more sites have", without.len() - 3)
                } else if without.len() == 1 {
                    "has".to_string()
                } else {
                    "have".to_string()
                }
            )
        },
        if verdicts.is_empty() {
            "No verdict files".to_string()
        } else {
            format!("Verdict files {}", verdicts.join(", "))
        }
    );
}

fn tool_note(tool: Tool) -> &'static str {
    match tool {
        Tool::NVivo => {
            "NVivo style: `project.qde` and `Sources/`, a UTF-8 byte order mark and CRLF line endings, positions in UTF-16 code units (origin `NVivo 12`), lower-case GUIDs, sources `Interview 001`... linked by cases named by record id, codes nested `Framework / <domain> / <factor>`"
        }
        Tool::Atlas => {
            "ATLAS.ti style: `<project name>.qde` and `sources/`, LF line endings, positions in code points, upper-case braced GUIDs, sources named `<record id> transcript` and no cases, a flat codebook `FW - <factor>`"
        }
    }
}
