//! Interview data sheets: one REDCap row per interviewee, every field of the
//! interview dictionary, written straight into a byte buffer.

use std::fmt::Write;

use crate::Context;
use crate::csvout;
use crate::rng::Rng;
use crate::sites::{Site, Tendency};
use crate::text;

/// A cell written empty (REDCap's blank, itself a missing value).
pub(crate) const BLANK: i64 = i64::MIN;
const MISSING: [i64; 3] = [model::MISSING_DECLINED, model::MISSING_NOT_ASKED, BLANK];

/// The protocol's mix, repeated: 2 peer workers, 2 professionals, 2 service
/// users, then team and senior managers alternately. Eight people give 1+1
/// managers, ten give 2+2. Values are `stakeholder_group` codes - 1.
const GROUP_SLOTS: [usize; 10] = [0, 0, 1, 1, 2, 2, 3, 4, 3, 4];
pub(crate) const PEER_WORKER: usize = 0;
pub(crate) const SERVICE_USER: usize = 2;

pub(crate) fn group_of(person: usize) -> usize {
    GROUP_SLOTS[person % GROUP_SLOTS.len()]
}

/// What each export column holds, decided once from the dictionary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Column {
    RecordId,
    SiteId,
    Name,
    Email,
    Interviewer,
    Date,
    Consent,
    Group,
    RoleDetail,
    Age,
    Gender,
    Ethnicity,
    LivedExperience,
    YearsInRole,
    Outcome(usize),
    Pattern(usize),
    Importance(usize),
    Direction(usize),
    Top(usize),
    TopImpact(usize),
    BmeExperience,
    Comments,
    Complete,
    /// `redcap_data_access_group`: the site's group.
    DataAccessGroup,
    /// One choice of the `work_settings` checkbox field: 1 ticked, 0 not.
    WorkSetting(usize),
    /// A field this generator does not know: left empty (optional).
    Unknown,
}

pub(crate) fn plan(columns: &[String], factors: &[String], outcomes: &[String]) -> Vec<Column> {
    let factor = |code: &str| factors.iter().position(|f| f == code);
    columns
        .iter()
        .map(|name| {
            let name = name.as_str();
            match name {
                "record_id" => Column::RecordId,
                "site_id" => Column::SiteId,
                "participant_name" => Column::Name,
                "contact_email" => Column::Email,
                "interviewer" => Column::Interviewer,
                "interview_date" => Column::Date,
                "consent_recorded" => Column::Consent,
                "stakeholder_group" => Column::Group,
                "role_detail" => Column::RoleDetail,
                "age_band" => Column::Age,
                "gender" => Column::Gender,
                "ethnicity" => Column::Ethnicity,
                "lived_experience" => Column::LivedExperience,
                "years_in_role" => Column::YearsInRole,
                "bme_experience" => Column::BmeExperience,
                "comments" => Column::Comments,
                "top_1" => Column::Top(0),
                "top_2" => Column::Top(1),
                "top_3" => Column::Top(2),
                "top_1_impact" => Column::TopImpact(0),
                "top_2_impact" => Column::TopImpact(1),
                "top_3_impact" => Column::TopImpact(2),
                "redcap_data_access_group" => Column::DataAccessGroup,
                _ if name.ends_with("_complete") => Column::Complete,
                _ if name.starts_with("work_settings___") => crate::WORK_SETTINGS_CODES
                    .iter()
                    .position(|c| name == model::dictionary::checkbox_column("work_settings", c))
                    .map_or(Column::Unknown, Column::WorkSetting),
                _ => {
                    if let Some(i) = outcomes.iter().position(|o| o == name) {
                        Column::Outcome(i)
                    } else if let Some(i) = name.strip_prefix("pm_").and_then(factor) {
                        Column::Pattern(i)
                    } else if let Some(i) = name.strip_prefix("imp_").and_then(factor) {
                        Column::Importance(i)
                    } else if let Some(i) = name.strip_prefix("dir_").and_then(factor) {
                        Column::Direction(i)
                    } else {
                        Column::Unknown
                    }
                }
            }
        })
        .collect()
}

/// Identifier-shaped text planted in free text, in a fixed rotation so every
/// kind shows up in even a small study.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plant {
    None,
    OwnName,
    Colleague,
    OtherParticipant,
    SiteName,
    ShortName,
    Place,
    Ward,
    Team,
    Organisation,
    Nhs,
    Postcode,
    Phone,
    Email,
    /// Ten digits failing modulus 11: must NOT be redacted.
    BadNumber,
    /// Factor names in prose: must NOT be redacted.
    FactorNames,
    /// Ordinary words that are also surnames: must NOT be redacted.
    Lookalike,
}

pub(crate) const PLANTS: [Plant; 21] = [
    Plant::None,
    Plant::Colleague,
    Plant::Place,
    Plant::Nhs,
    Plant::None,
    Plant::ShortName,
    Plant::Phone,
    Plant::OwnName,
    Plant::None,
    Plant::Postcode,
    Plant::SiteName,
    Plant::Email,
    Plant::None,
    Plant::Ward,
    Plant::BadNumber,
    Plant::OtherParticipant,
    Plant::None,
    Plant::Team,
    Plant::Organisation,
    Plant::Lookalike,
    Plant::FactorNames,
];

const INTERVIEWERS: [[&str; 2]; 3] = [
    ["Helen Marchbank", "Kwame Osei-Bonsu"],
    ["Siobhán Keane", "Daniel Ashby-Clarke"],
    ["Priya Ramanathan", "Tom Ellery"],
];

/// First day and length in days of each wave's fieldwork window.
const WAVE_WINDOWS: [((u32, u32, u32), u32); 3] = [
    ((2011, 5, 3), 110),
    ((2011, 10, 3), 130),
    ((2012, 3, 1), 110),
];

/// One interviewee's answers, reused from person to person.
#[derive(Debug, Clone)]
pub(crate) struct Person {
    pub group: usize,
    /// `interview_data_sheet_complete`: 0 incomplete, 1 unverified, 2 complete.
    pub status: i64,
    /// Per factor, in framework order (coded values or missing codes).
    pub pattern: Vec<i64>,
    pub importance: Vec<i64>,
    direction: Vec<i64>,
    /// Per outcome, in framework order.
    pub outcome: Vec<i64>,
    /// Factor indices of the top three, ranked.
    pub top: [Option<usize>; 3],
    age: i64,
    gender: i64,
    /// `ethnicity` code (1 White ... 6 prefer not to say) or a missing code.
    pub ethnicity: i64,
    lived: i64,
    years: i64,
    pub date: (u32, u32, u32),
}

impl Person {
    fn blank(ctx: &Context) -> Person {
        let factors = ctx.factors.len();
        Person {
            group: 0,
            status: 2,
            pattern: vec![0; factors],
            importance: vec![0; factors],
            direction: vec![0; factors],
            outcome: vec![0; ctx.outcomes.len()],
            top: [None; 3],
            age: 0,
            gender: 0,
            ethnicity: 0,
            lived: 0,
            years: 0,
            date: (0, 0, 0),
        }
    }
}

/// What a site's people are drawn with: the planted deviants of each
/// `Fixed` factor and the first day of its fieldwork.
struct SiteDraws {
    fixed: Vec<Option<Vec<bool>>>,
    fieldwork_start: (u32, u32, u32),
}

impl SiteDraws {
    fn new(ctx: &Context, site: &Site) -> SiteDraws {
        let fixed = site
            .tendency
            .iter()
            .enumerate()
            .map(|(f, t)| matches!(t, Tendency::Fixed(_)).then(|| deviants(ctx, site, f)))
            .collect();
        let mut site_rng = Rng::new(ctx.seed, &[6, site.index as u64]);
        let wave = (site.wave as usize).clamp(1, 3) - 1;
        let (window_start, window_len) = WAVE_WINDOWS[wave];
        let fieldwork_start = add_days(window_start, site_rng.below(window_len as u64 - 42) as u32);
        SiteDraws {
            fixed,
            fieldwork_start,
        }
    }
}

/// Person `p`'s random stream: their answers first, then their row's text.
fn person_rng(ctx: &Context, site: &Site, p: usize) -> Rng {
    Rng::new(ctx.seed, &[2, site.index as u64, p as u64])
}

/// Every interviewee of a site with the answers their data sheet row
/// carries (the same draws as [`site_rows`]), for the transcripts.
pub(crate) fn people(ctx: &Context, site: &Site) -> Vec<Person> {
    let draws = SiteDraws::new(ctx, site);
    let mut person = Person::blank(ctx);
    (0..site.interviews)
        .map(|p| {
            let mut rng = person_rng(ctx, site, p);
            answer(ctx, site, p, &draws, &mut rng, &mut person);
            person.clone()
        })
        .collect()
}

/// Who interviewed person `p` of a site (two interviewers per wave).
pub(crate) fn interviewer(site: &Site, p: usize) -> &'static str {
    let wave = (site.wave as usize).clamp(1, 3) - 1;
    INTERVIEWERS[wave][(p + site.index) % 2]
}

/// The two interviewers of a wave (who also coded its transcripts).
pub(crate) fn wave_interviewers(wave: u8) -> [&'static str; 2] {
    INTERVIEWERS[(wave as usize).clamp(1, 3) - 1]
}

/// A site's data access group as REDCap exports it: the unique name made
/// from the group's name, the service's real name (`lambury_recovery_and_inclusion_team`).
pub(crate) fn data_access_group(site: &Site) -> String {
    let mut out = String::with_capacity(site.name.len());
    for c in site.name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if c.is_whitespace() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// Where person `p` of a site works (`work_settings`), from a stream of its
/// own so no other answer changes: statutory services' people mostly in
/// community teams and on wards, voluntary ones' mostly in peer-led services.
pub(crate) fn work_settings(ctx: &Context, site: &Site, p: usize) -> [bool; 5] {
    let mut rng = Rng::new(ctx.seed, &[9, site.index as u64, p as u64]);
    let per_mille: [u64; 5] = match site.sector {
        model::Sector::Statutory => [350, 600, 250, 150, 80],
        model::Sector::Voluntary => [100, 150, 100, 800, 80],
    };
    per_mille.map(|chance| rng.chance(chance))
}

/// The rows of one site: bytes and where each row starts.
pub(crate) struct SiteRows {
    pub bytes: Vec<u8>,
    pub starts: Vec<usize>,
}

pub(crate) fn participant_names(ctx: &Context, site: &Site) -> Vec<String> {
    (0..site.interviews)
        .map(|p| text::full_name(&mut Rng::new(ctx.seed, &[5, site.index as u64, p as u64])))
        .collect()
}

pub(crate) fn record_id(out: &mut Vec<u8>, site: &Site, person: usize, width: usize) {
    out.extend_from_slice(site.id.as_bytes());
    let _ = std::io::Write::write_fmt(out, format_args!("-{:0width$}", person + 1));
}

/// Which people answer a `Fixed` pattern otherwise (at most one in nine,
/// so the planted share stays >= 80% even after a withdrawal).
fn deviants(ctx: &Context, site: &Site, factor: usize) -> Vec<bool> {
    let n = site.interviews;
    let mut rng = Rng::new(ctx.seed, &[3, site.index as u64, factor as u64]);
    let mut flags = vec![false; n];
    let count = rng.below((n / 9) as u64 + 1) as usize;
    let mut placed = 0;
    while placed < count {
        let i = rng.index(n);
        if !flags[i] {
            flags[i] = true;
            placed += 1;
        }
    }
    flags
}

pub(crate) fn site_rows(ctx: &Context, site: &Site, eol: &str) -> SiteRows {
    let n = site.interviews;
    let names = participant_names(ctx, site);
    let draws = SiteDraws::new(ctx, site);
    let mut person = Person::blank(ctx);
    let mut rows = SiteRows {
        bytes: Vec::with_capacity(n * 1400),
        starts: Vec::with_capacity(n),
    };
    let mut scratch = String::with_capacity(512);
    let mut textbook_nhs = site.index == 0;
    for p in 0..n {
        let mut rng = person_rng(ctx, site, p);
        answer(ctx, site, p, &draws, &mut rng, &mut person);
        rows.starts.push(rows.bytes.len());
        let writer = RowWriter {
            ctx,
            site,
            names: &names,
            person: &person,
            p,
            eol,
        };
        writer.write(&mut rows.bytes, &mut scratch, &mut rng, &mut textbook_nhs);
    }
    rows
}

// One person's answers: several arrays indexed by factor, side by side.
#[allow(clippy::needless_range_loop)]
fn answer(
    ctx: &Context,
    site: &Site,
    p: usize,
    draws: &SiteDraws,
    rng: &mut Rng,
    person: &mut Person,
) {
    let (fixed, fieldwork_start) = (&draws.fixed, draws.fieldwork_start);
    let group = group_of(p);
    person.group = group;
    person.status = [0, 1, 2][rng.weighted(&[4, 6, 90])];
    person.date = add_days(fieldwork_start, rng.below(42) as u32);

    for f in 0..ctx.factors.len() {
        let pm = match site.tendency[f] {
            Tendency::Fixed(code) => {
                if fixed[f].as_ref().is_some_and(|d| d[p]) {
                    [2, 9][rng.index(2)]
                } else {
                    code
                }
            }
            tendency => {
                let weights: [u32; 4] = match tendency {
                    Tendency::InPlace => [78, 12, 5, 5],
                    Tendency::Partly => [20, 55, 15, 10],
                    Tendency::NotInPlace => [5, 15, 72, 8],
                    _ => [36, 24, 32, 8],
                };
                [1, 2, 3, 9][rng.weighted(&weights)]
            }
        };
        person.pattern[f] = maybe_missing(pm, rng, 25);

        let importance = if f == ctx.pw_training {
            // Planted: peer workers and service users value accredited
            // training; managers do not.
            match group {
                0 | 2 => 4 + rng.below(2) as i64,
                3 | 4 => 1 + rng.weighted(&[30, 40, 30]) as i64,
                _ => 1 + rng.weighted(&[0, 15, 30, 35, 20]) as i64,
            }
        } else if ctx.low_salience[f] {
            1 + rng.weighted(&[6, 14, 35, 30, 15]) as i64
        } else {
            1 + rng.weighted(&[3, 7, 25, 35, 30]) as i64
        };
        person.importance[f] = maybe_missing(importance, rng, 20);

        let direction_weights: [u32; 4] = match pm {
            1 => [70, 5, 15, 10],
            2 => [20, 30, 45, 5],
            3 => [5, 70, 15, 10],
            _ => [20, 20, 25, 35],
        };
        let direction = 1 + rng.weighted(&direction_weights) as i64;
        person.direction[f] = maybe_missing(direction, rng, 20);
    }

    for (o, code) in ctx.outcomes.iter().enumerate() {
        let weights: [u32; 4] = match code.as_str() {
            // Conditions relate to outcomes: supervision and role clarity in
            // place go with a distinct role.
            "out_distinct" => {
                if person.pattern[ctx.supervision] == 1 && person.pattern[ctx.role_clarity] == 1 {
                    [72, 18, 5, 5]
                } else {
                    [15, 35, 43, 7]
                }
            }
            "out_practice" => {
                if person.pattern[ctx.role_distinct] == 1 {
                    [65, 25, 5, 5]
                } else {
                    [28, 35, 30, 7]
                }
            }
            _ => [55, 30, 8, 7],
        };
        person.outcome[o] = maybe_missing([1, 2, 3, 9][rng.weighted(&weights)], rng, 20);
    }

    person.top = [None; 3];
    let gave_top_three = person.status != 0 && !(p * 7 + site.index * 3).is_multiple_of(20);
    if gave_top_three {
        // Planted: four in five name staff acceptance, mostly first.
        if !(p * 3 + site.index).is_multiple_of(5) {
            person.top[rng.weighted(&[65, 25, 10])] = Some(ctx.staff_accept);
        }
        for k in 0..3 {
            if person.top[k].is_none() {
                let weights: Vec<u32> = ctx
                    .salience
                    .iter()
                    .enumerate()
                    .map(|(f, &w)| {
                        if f == ctx.staff_accept || person.top.contains(&Some(f)) {
                            0
                        } else {
                            w
                        }
                    })
                    .collect();
                person.top[k] = Some(rng.weighted(&weights));
            }
        }
    }

    person.age = maybe_missing(1 + rng.weighted(&[5, 20, 25, 25, 18, 4, 3]) as i64, rng, 15);
    person.gender = maybe_missing(1 + rng.weighted(&[52, 42, 3, 3]) as i64, rng, 15);
    let ethnicity_weights: [u32; 6] = if site.bme {
        [8, 10, 36, 36, 6, 4]
    } else {
        [70, 6, 8, 10, 3, 3]
    };
    person.ethnicity = maybe_missing(1 + rng.weighted(&ethnicity_weights) as i64, rng, 15);
    person.lived = match group {
        PEER_WORKER | SERVICE_USER => 1,
        _ => maybe_missing(rng.chance(300) as i64, rng, 30),
    };
    person.years = match group {
        SERVICE_USER => [model::MISSING_NOT_ASKED, BLANK][rng.index(2)],
        PEER_WORKER => rng.below(6) as i64,
        _ => rng.below(26) as i64,
    };
}

/// The value, or (with probability per_mille/1000) a missing-data code.
fn maybe_missing(value: i64, rng: &mut Rng, per_mille: u64) -> i64 {
    if rng.chance(per_mille) {
        *rng.pick(&MISSING)
    } else {
        value
    }
}

struct RowWriter<'a> {
    ctx: &'a Context,
    site: &'a Site,
    names: &'a [String],
    person: &'a Person,
    p: usize,
    eol: &'a str,
}

impl RowWriter<'_> {
    fn write(
        &self,
        out: &mut Vec<u8>,
        scratch: &mut String,
        rng: &mut Rng,
        textbook_nhs: &mut bool,
    ) {
        let (ctx, site, person, p) = (self.ctx, self.site, self.person, self.p);
        let complete = person.status == 2 || person.status == 1;
        let settings = work_settings(ctx, site, p);
        for (i, column) in ctx.interview_plan.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            match *column {
                Column::RecordId => record_id(out, site, p, ctx.record_width),
                Column::SiteId => out.extend_from_slice(site.id.as_bytes()),
                Column::DataAccessGroup => {
                    out.extend_from_slice(data_access_group(site).as_bytes())
                }
                Column::WorkSetting(k) => out.push(if settings[k] { b'1' } else { b'0' }),
                Column::Name => csvout::field(out, &self.names[p], self.eol),
                Column::Email => {
                    scratch.clear();
                    text::email(scratch, &self.names[p], &site.email_domain);
                    csvout::field(out, scratch, self.eol);
                }
                Column::Interviewer => out.extend_from_slice(interviewer(site, p).as_bytes()),
                Column::Date => csvout::date(out, person.date),
                Column::Consent => out.push(b'1'),
                Column::Group => csvout::int(out, person.group as i64 + 1),
                Column::RoleDetail => {
                    scratch.clear();
                    scratch.push_str(rng.pick_str(text::ROLE_DETAILS[person.group]));
                    if rng.chance(350) {
                        scratch.push_str(", ");
                        scratch.push_str(&site.team);
                    }
                    csvout::field(out, scratch, self.eol);
                }
                Column::Age => code(out, person.age),
                Column::Gender => code(out, person.gender),
                Column::Ethnicity => code(out, person.ethnicity),
                Column::LivedExperience => code(out, person.lived),
                Column::YearsInRole => code(out, person.years),
                Column::Outcome(o) => code(out, person.outcome[o]),
                Column::Pattern(f) => code(out, person.pattern[f]),
                Column::Importance(f) => code(out, person.importance[f]),
                Column::Direction(f) => code(out, person.direction[f]),
                Column::Top(k) => {
                    if let Some(f) = person.top[k] {
                        out.extend_from_slice(ctx.factors[f].code.as_bytes());
                    }
                }
                Column::TopImpact(k) => {
                    if let Some(f) = person.top[k] {
                        scratch.clear();
                        self.impact(scratch, f, k, rng, textbook_nhs);
                        csvout::field(out, scratch, self.eol);
                    }
                }
                Column::BmeExperience => {
                    let ethnic_minority = (2..=5).contains(&person.ethnicity);
                    let answers = complete
                        && (if site.bme {
                            rng.chance(750)
                        } else {
                            ethnic_minority && rng.chance(350)
                        });
                    if answers {
                        scratch.clear();
                        scratch.push_str(rng.pick_str(&text::BME_ACCOUNTS));
                        if rng.chance(250) {
                            let _ = write!(scratch, " Around {} that matters.", site.place);
                        }
                        csvout::field(out, scratch, self.eol);
                    }
                }
                Column::Comments => {
                    if complete && (rng.chance(550) || self.must_comment()) {
                        scratch.clear();
                        scratch.push_str(rng.pick_str(&text::COMMENTS));
                        let plant = PLANTS[(p * 5 + 7 + site.index) % PLANTS.len()];
                        self.plant(scratch, plant, rng, textbook_nhs);
                        csvout::field(out, scratch, self.eol);
                    }
                }
                Column::Complete => csvout::int(out, person.status),
                Column::Unknown => {}
            }
        }
        out.extend_from_slice(self.eol.as_bytes());
    }

    /// The `quotes` withdrawal must have words to withhold.
    fn must_comment(&self) -> bool {
        self.ctx.quotes_withdrawal == Some((self.site.index, self.p))
    }

    fn impact(
        &self,
        out: &mut String,
        factor: usize,
        rank: usize,
        rng: &mut Rng,
        textbook_nhs: &mut bool,
    ) {
        let pm = self.person.pattern[factor];
        let positive = match pm {
            1 => true,
            3 => false,
            _ => rng.chance(500),
        };
        out.push_str(rng.pick_str(text::OPENERS[self.person.group]));
        let (good, bad) = text::factor_account(&self.ctx.factors[factor].code);
        let account = if positive { good } else { bad };
        // An opener ends mid-sentence unless empty or a full stop.
        if out.is_empty() || out.ends_with(". ") {
            out.push_str(account);
        } else {
            let mut chars = account.chars();
            if let Some(first) = chars.next() {
                // Lower-case a leading article or pronoun, keep proper names.
                if account.starts_with("I ")
                    || account.starts_with("I'")
                    || account.starts_with("HR")
                {
                    out.push(first);
                } else {
                    out.extend(first.to_lowercase());
                }
                out.push_str(chars.as_str());
            }
        }
        if rng.chance(100) {
            out.push_str("\nThat's the main thing I'd want people to know.");
        }
        let plant = PLANTS[(self.p * 3 + rank + self.site.index * 5) % PLANTS.len()];
        self.plant(out, plant, rng, textbook_nhs);
    }

    fn plant(&self, out: &mut String, plant: Plant, rng: &mut Rng, textbook_nhs: &mut bool) {
        let writer = PlantWriter {
            site: self.site,
            names: self.names,
            p: self.p,
            name_as: &str::to_string,
        };
        writer.write(out, plant, rng, textbook_nhs);
    }
}

/// Writes a planted identifier as a sentence of free text (data sheets and
/// transcripts alike).
pub(crate) struct PlantWriter<'a> {
    pub site: &'a Site,
    /// The site's interviewees, in record order, and whose words these are.
    pub names: &'a [String],
    pub p: usize,
    /// How a name is typed (as registered, or in another form).
    pub name_as: &'a dyn Fn(&str) -> String,
}

impl PlantWriter<'_> {
    pub(crate) fn write(
        &self,
        out: &mut String,
        plant: Plant,
        rng: &mut Rng,
        textbook_nhs: &mut bool,
    ) {
        let site = self.site;
        let name = self.name_as;
        let form = self.p + site.index;
        let _ = match plant {
            Plant::None => Ok(()),
            Plant::OwnName => write!(
                out,
                " I'm {}, by the way, and happy to be quoted.",
                name(&self.names[self.p])
            ),
            Plant::Colleague => {
                write!(
                    out,
                    " {} and {} made a real difference here.",
                    name(&site.colleagues[0]),
                    name(&site.colleagues[1])
                )
            }
            Plant::OtherParticipant => {
                let other = name(if self.names.len() > 1 {
                    &self.names[(self.p + 1) % self.names.len()]
                } else {
                    &site.colleagues[0]
                });
                write!(out, " {other} would tell you the same.")
            }
            Plant::SiteName => write!(out, " At {} this came up again and again.", site.name),
            Plant::ShortName => write!(out, " At {} we learned this the hard way.", site.short),
            Plant::Place => write!(out, " It's the same story all over {}.", site.place),
            Plant::Ward => write!(out, " On {} it was different.", site.ward),
            Plant::Team => write!(
                out,
                " People in {} noticed it first, {} especially.",
                site.team,
                name(&site.colleagues[2])
            ),
            Plant::Organisation => match &site.partner {
                Some(partner) => {
                    write!(
                        out,
                        " {} and {partner} have to take some responsibility for that.",
                        site.organisation
                    )
                }
                None => write!(
                    out,
                    " {} has to take some responsibility for that.",
                    site.organisation
                ),
            },
            Plant::Nhs => {
                out.push_str(" My NHS number is ");
                if std::mem::take(textbook_nhs) {
                    out.push_str("943 476 5919");
                } else {
                    text::nhs_number(out, rng, form);
                }
                write!(out, " if you need to check my records.")
            }
            Plant::Postcode => {
                out.push_str(" We moved to the new base at ");
                text::postcode(out, rng, site.region);
                write!(out, " last spring.")
            }
            Plant::Phone => {
                out.push_str(" Ring the office on ");
                text::phone(out, rng, form);
                write!(out, " if you want the details.")
            }
            Plant::Email => {
                out.push_str(" You can email me at ");
                text::email(out, &self.names[self.p], &site.email_domain);
                write!(out, ".")
            }
            Plant::BadNumber => {
                out.push_str(" The job reference on the advert was ");
                text::failing_ten_digits(out, rng);
                write!(out, ".")
            }
            Plant::FactorNames => write!(
                out,
                " Role clarity and staff training came up in every team meeting."
            ),
            Plant::Lookalike => write!(
                out,
                " It gave people hope, and young people especially responded."
            ),
        };
    }
}

/// A coded value, or an empty cell for [`BLANK`].
fn code(out: &mut Vec<u8>, value: i64) {
    if value != BLANK {
        csvout::int(out, value);
    }
}

fn days_in_month(year: u32, month: u32) -> u32 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

pub(crate) fn add_days((mut y, mut m, mut d): (u32, u32, u32), mut days: u32) -> (u32, u32, u32) {
    while days > 0 {
        let left_in_month = days_in_month(y, m) - d;
        if days <= left_in_month {
            d += days;
            break;
        }
        days -= left_in_month + 1;
        d = 1;
        m += 1;
        if m > 12 {
            m = 1;
            y += 1;
        }
    }
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_arithmetic() {
        assert_eq!(add_days((2011, 5, 3), 0), (2011, 5, 3));
        assert_eq!(add_days((2011, 5, 31), 1), (2011, 6, 1));
        assert_eq!(add_days((2011, 12, 20), 12), (2012, 1, 1));
        assert_eq!(add_days((2012, 2, 28), 1), (2012, 2, 29));
        assert_eq!(add_days((2011, 2, 28), 1), (2011, 3, 1));
    }

    #[test]
    fn eight_to_ten_people_follow_the_protocol_mix() {
        let count = |n: usize, g: usize| (0..n).filter(|&p| group_of(p) == g).count();
        for n in 8..=10 {
            assert_eq!((count(n, 0), count(n, 1), count(n, 2)), (2, 2, 2));
            assert!((1..=2).contains(&count(n, 3)) && (1..=2).contains(&count(n, 4)));
        }
    }
}
