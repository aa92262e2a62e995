//! The study's registers and settings (`sites.csv`, `identifiers.csv`,
//! `withdrawals.csv`, `study.toml`) and the generated `README.md`.

use std::collections::BTreeSet;
use std::fmt::Write;

use model::Sector;

use crate::csvout;
use crate::interviews;
use crate::sites::Site;
use crate::{Context, DemoSpec};

pub(crate) fn study_toml(spec: &DemoSpec) -> String {
    format!(
        r#"[study]
name = "New Ways of Working"
seed = {}          # seeds anything resampled, so reruns are identical

[key]                    # the pseudonymisation key: never inside the study folder
# env = "CROSSCASE_KEY"  # read the key from this environment variable, or
# file = "/secure/place/nww.key"
demo = true              # only the shipped demo study: a published demo key

[disclosure]
min_cell = 3                       # cells with fewer people are suppressed
quote_label = ["group", "sector"]  # what a published quote's label may say

[publication]                      # what the outputs' RO-Crate and Data Package say
license = "CC-BY-4.0"              # the licence they are published under (SPDX id or URL)
date_published = "2026-11-30"      # the day they are published (never the clock)
"#,
        spec.seed
    )
}

fn yes_no(flag: bool) -> &'static str {
    if flag { "yes" } else { "no" }
}

pub(crate) fn sites_csv(sites: &[Site]) -> Vec<u8> {
    let mut out = Vec::with_capacity(128 + sites.len() * 200);
    out.extend_from_slice(
        b"site_id,site_name,label,sector,partnership,bme_focus,region,wave,model\n",
    );
    for s in sites {
        for (i, value) in [
            s.id.as_str(),
            &s.name,
            &s.label,
            s.sector.code(),
            yes_no(s.partnership),
            yes_no(s.bme),
            s.region,
        ]
        .iter()
        .enumerate()
        {
            if i > 0 {
                out.push(b',');
            }
            csvout::field(&mut out, value, "\n");
        }
        out.push(b',');
        csvout::int(&mut out, s.wave as i64);
        out.push(b',');
        csvout::field(&mut out, &s.model, "\n");
        out.push(b'\n');
    }
    out
}

/// The names and places planted in free text, each listed once, in site
/// order. Participant names and full site names are identifiers without
/// being listed (LAYOUT.md), so they are left out on purpose.
pub(crate) fn identifiers_csv(sites: &[Site]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + sites.len() * 400);
    out.extend_from_slice(b"kind,text,replacement\n");
    let mut seen = BTreeSet::new();
    let mut add = |kind: &str, text: &str, replacement: &str| {
        if seen.insert((kind.to_string(), text.to_lowercase())) {
            for (i, value) in [kind, text, replacement].iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                csvout::field(&mut out, value, "\n");
            }
            out.push(b'\n');
        }
    };
    for s in sites {
        add("site", &s.short, &format!("[{}]", s.label));
        let organisation = if s.sector == Sector::Statutory {
            "[NHS Trust]"
        } else {
            "[voluntary organisation]"
        };
        add("organisation", &s.organisation, organisation);
        if let Some(partner) = &s.partner {
            add("organisation", partner, "[partner organisation]");
        }
        add("place", &s.place, "[town]");
        add("ward", &s.ward, "[ward]");
        add("team", &s.team, "[team]");
        for colleague in &s.colleagues {
            add("person", colleague, "[colleague]");
        }
    }
    out
}

/// Who withdrew: `all` from the third site, `quotes` from the fifth (or the
/// nearest sites that exist), never the same person.
pub(crate) fn withdrawal_people(
    interview_counts: &[usize],
) -> (Option<(usize, usize)>, Option<(usize, usize)>) {
    let n = interview_counts.len();
    if n == 0 {
        return (None, None);
    }
    let pick = |site: usize, person: usize| {
        let count = interview_counts[site];
        (count > 0).then(|| (site, person.min(count - 1)))
    };
    let all = pick(2.min(n - 1), 4);
    let mut quotes = pick(4.min(n - 1), 1);
    if let (Some((site, person)), true) = (all, quotes == all) {
        let count = interview_counts[site];
        quotes = (count > 1).then(|| (site, (person + 1) % count));
    }
    (all, quotes)
}

pub(crate) fn withdrawals_csv(ctx: &Context, sites: &[Site]) -> Vec<u8> {
    let mut out = b"record_id,withdrawn_on,scope\n".to_vec();
    for (who, date, scope) in [
        (ctx.all_withdrawal, "2012-07-16", "all"),
        (ctx.quotes_withdrawal, "2012-08-02", "quotes"),
    ] {
        if let Some((site, person)) = who {
            interviews::record_id(&mut out, &sites[site], person, ctx.record_width);
            out.push(b',');
            out.extend_from_slice(date.as_bytes());
            out.push(b',');
            out.extend_from_slice(scope.as_bytes());
            out.push(b'\n');
        }
    }
    out
}

fn record(ctx: &Context, sites: &[Site], (site, person): (usize, usize)) -> String {
    let mut bytes = Vec::new();
    interviews::record_id(&mut bytes, &sites[site], person, ctx.record_width);
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The README at the study root: what the folder is, and what the analysis
/// and the anonymiser must find in it.
pub(crate) fn readme(
    spec: &DemoSpec,
    ctx: &Context,
    sites: &[Site],
    late: Option<usize>,
    split: Option<usize>,
    paths: &[String],
    qualitative: Option<&crate::projects::Qualitative>,
) -> String {
    let mut r = String::with_capacity(8192);
    let statutory: Vec<&Site> = sites
        .iter()
        .filter(|s| s.sector == Sector::Statutory)
        .collect();
    let voluntary: Vec<&Site> = sites
        .iter()
        .filter(|s| s.sector == Sector::Voluntary)
        .collect();
    let interviews: usize = sites.iter().map(|s| s.interviews).sum();
    let per_site = match spec.per_site {
        Some(n) => format!("Some({n})"),
        None => "None".to_string(),
    };
    let _ = writeln!(r, "# New Ways of Working: the synthetic demo study\n");
    let _ = writeln!(
        r,
        "Generated by the `demo` crate of crosscase from `DemoSpec {{ sites: {}, per_site: {per_site}, seed: {}, transcripts: {} }}`.\n\
         Every person, service, organisation, place, number and answer here is invented;\n\
         any likeness to a real one is chance. Generating again from the same spec gives\n\
         byte-identical files. Do not edit by hand: change the generator and regenerate.\n",
        spec.sites, spec.seed, spec.transcripts
    );
    let _ = writeln!(
        r,
        "The study follows the protocol's design: {} case study sites ({} statutory, {} voluntary),\n\
         {} interviews with the protocol's stakeholder mix (2 peer workers, 2 professionals,\n\
         2 service users, 1-2 team managers, 1-2 senior managers or commissioners per ten),\n\
         document extraction with 4-7 documents per site, in three waves (1 London, 2 North, 3 South).\n",
        sites.len(),
        statutory.len(),
        voluntary.len(),
        interviews
    );

    if sites.len() <= 26 {
        let _ = writeln!(
            r,
            "| site | label | sector | partnership | BME-specific | service-user led | wave | region | interviews | documents |"
        );
        let _ = writeln!(
            r,
            "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
        );
        for s in sites {
            let _ = writeln!(
                r,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                s.id,
                s.label,
                s.sector.code(),
                yes_no(s.partnership),
                yes_no(s.bme),
                yes_no(s.su_led),
                s.wave,
                s.region,
                s.interviews,
                crate::documents::document_count(ctx, s)
            );
        }
        r.push('\n');
    } else {
        let count = |f: fn(&Site) -> bool| sites.iter().filter(|s| f(s)).count();
        let _ = writeln!(
            r,
            "Of the sites, {} are in partnership, {} BME-specific and {} service-user led.\n",
            count(|s| s.partnership),
            count(|s| s.bme),
            count(|s| s.su_led)
        );
    }

    let _ = writeln!(r, "## Files\n");
    for path in paths.iter().map(String::as_str).chain(["README.md"]) {
        let note = match path {
            "README.md" => "this file",
            "study.toml" => "settings: demo key, seed, disclosure control",
            "framework.toml" => "the conceptual framework, a copy of data-schema/framework.toml",
            "sites.csv" => "the site register",
            "identifiers.csv" => "names and places planted in free text",
            "withdrawals.csv" => "withdrawals of consent",
            "redcap/interview_dictionary.csv" => {
                "REDCap data dictionary: data-schema's, with the demo's own checkbox field `work_settings`"
            }
            p if p.starts_with("redcap/") => "REDCap data dictionary, a copy of data-schema",
            p if p.starts_with("late/") => "the late site, held back (see below)",
            "qualitative/codes.csv" => "which code of each codebook means which theme",
            p if p.starts_with("qualitative/workshops/") && p.ends_with(".md") => {
                "notes of the site's feedback workshop"
            }
            p if p.starts_with("qualitative/workshops/") => {
                "what the site's workshop confirmed, challenged or added"
            }
            p if p.starts_with("qualitative/nww_") => {
                "REFI-QDA project, NVivo style: the coded transcripts of waves 1 and 2"
            }
            p if p.starts_with("qualitative/") => {
                "REFI-QDA project, ATLAS.ti style: the coded transcripts of wave 3"
            }
            p if p.ends_with("_followup.csv") => "the second export of the split site",
            p if p.starts_with("raw/interviews/wave1") || p.starts_with("raw/documents/wave1") => {
                "REDCap export, UTF-8 with a byte order mark"
            }
            p if p.starts_with("raw/interviews/wave2") || p.starts_with("raw/documents/wave2") => {
                "REDCap export, CRLF line endings"
            }
            _ => "REDCap export",
        };
        let many = paths.len() > 40;
        if !many || !(path.starts_with("raw/") || path.starts_with("qualitative/workshops/")) {
            let _ = writeln!(r, "- `{path}`: {note}");
        }
    }
    if paths.len() > 40 {
        let _ = writeln!(
            r,
            "- `raw/interviews/*.csv`, `raw/documents/*.csv`: one export per {} sites of a wave",
            crate::SITES_PER_FILE
        );
        if qualitative.is_some() {
            let _ = writeln!(
                r,
                "- `qualitative/workshops/*.md`, `*.csv`: workshop notes and verdicts, by site id"
            );
        }
    }
    r.push('\n');

    // REDCap's own columns and the checkbox field, as the exports have them.
    let ticked = |sector: Sector, choice: usize| -> (usize, usize) {
        let people = sites
            .iter()
            .filter(|s| s.sector == sector)
            .flat_map(|s| (0..s.interviews).map(move |p| (s, p)));
        people.fold((0, 0), |(yes, all), (s, p)| {
            let t = crate::interviews::work_settings(ctx, s, p)[choice];
            (yes + usize::from(t), all + 1)
        })
    };
    let (community, statutory_people) = ticked(Sector::Statutory, 1);
    let (peer_led, voluntary_people) = ticked(Sector::Voluntary, 3);
    let _ = writeln!(
        r,
        "## REDCap's own columns\n\n\
         The interview exports are as REDCap writes them for a project with a data access\n\
         group per site: `redcap_data_access_group` after `record_id`, each group's unique\n\
         name made from its service's real name (identifying: crosscase reads it only to\n\
         redact and guard against it). The interview dictionary adds a checkbox field to\n\
         the protocol's, `work_settings` (where do you work in this role, tick all that\n\
         apply), exported as `work_settings___1` to `work_settings___5`, 1 ticked, 0 not.\n\
         Its choices follow the sector: {community} of {statutory_people} interviewees of statutory\n\
         sites tick a community mental health team, {peer_led} of {voluntary_people} of voluntary sites a\n\
         peer-led or voluntary sector service (every site, the held-back one included,\n\
         before withdrawals).\n"
    );

    let label = |i: usize| format!("{} ({})", sites[i].label, sites[i].id);
    let list = |set: &[&Site]| {
        set.iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let _ = writeln!(r, "## Planted effects: what the analysis must find\n");
    let _ = writeln!(
        r,
        "1. **Stakeholder groups disagree on `pw_training`.** Peer workers and service users\n   \
         rate its importance 4-5, team and senior managers 1-3 (professionals in between), so\n   \
         a Kruskal-Wallis test of `imp_pw_training` across the five groups is clearly significant."
    );
    let show = |set: &[&Site]| {
        if set.len() <= 26 {
            list(set)
        } else {
            format!("{} sites", set.len())
        }
    };
    let _ = writeln!(
        r,
        "2. **`pay_parity` follows sector.** In place (`pm_pay_parity` = 1 for at least 80% of\n   \
         valid answers) at every statutory site ({}); not in place (3) at every voluntary\n   \
         site ({}). Documents agree (ev_status 1 and 3).",
        show(&statutory),
        show(&voluntary)
    );
    let _ = writeln!(
        r,
        "3. **`supervision` is in place everywhere**: at least 80% answer 1 at every site, and\n   \
         documents address it. A replicated pattern."
    );
    if sites.len() >= 2 {
        let _ = writeln!(
            r,
            "4. **A fidelity gap at {}.** Its documents mark `role_clarity` as addressed\n   \
             (ev_status 1), while at least 80% of its interviewees answer `pm_role_clarity` = 3\n   \
             (not in place).",
            label(1)
        );
    }
    let _ = writeln!(
        r,
        "5. **`staff_accept` leads the top three.** Four in five of those who give a top three\n   \
         name it (about 70% of all interviewees), most often first."
    );
    let _ = writeln!(
        r,
        "6. **Conditions relate to outcomes.** Interviewees who see both `supervision` and\n   \
         `role_clarity` in place mostly answer `out_distinct` = 1 (yes); others mostly 2 or 3.\n   \
         `out_practice` follows `pm_role_distinct` the same way."
    );
    let _ = writeln!(
        r,
        "7. **Everything else varies.** Each site has its own tendency per factor (in place,\n   \
         partly, not in place, or split), so some site x factor conditions come out contested.\n   \
         Importance is mostly 3-5.\n"
    );
    if let Some(q) = qualitative {
        let withdrawn_all = ctx.all_withdrawal.map(|who| record(ctx, sites, who));
        crate::projects::readme(&mut r, ctx, sites, q, withdrawn_all.as_deref());
    }

    let _ = writeln!(
        r,
        "## Planted identifiers: what the anonymiser must remove\n"
    );
    let _ = writeln!(
        r,
        "Free text (`role_detail`, `top_*_impact`, `bme_experience`, `comments`, `ev_excerpt`)\n\
         and `doc_title` contain: participants' own names and other participants' names\n\
         (known from `participant_name`); colleagues' names, short site names, organisations,\n\
         towns, wards and teams (all in `identifiers.csv`); full site names (from `sites.csv`);\n\
         NHS numbers that pass the modulus 11 check, written `943 476 5919`, `999-xxx-xxxx`\n\
         or `999xxxxxxx` (all but the textbook example in the 999 range reserved for testing);\n\
         postcodes such as `SE1 7EH`; phone numbers from Ofcom's drama ranges (`020 7946 0xxx`,\n\
         `+44 161 496 0xxx`, `07700 900xxx`); email addresses at `*.example.org`.\n"
    );
    let _ = writeln!(r, "## Look-alikes: what must NOT be redacted\n");
    let _ = writeln!(
        r,
        "- ten-digit numbers that FAIL the modulus 11 check (\"The job reference on the advert was ...\");\n\
         - factor names in prose (\"Role clarity and staff training came up ...\", \"pay parity\", \"supervision\");\n\
         - ordinary words that are also surnames: {} (no person here is called that).\n",
        crate::text::LOOKALIKE_WORDS.join(", ")
    );

    let _ = writeln!(r, "## Exports as REDCap writes them\n");
    let _ = writeln!(
        r,
        "- wave 1 exports start with a UTF-8 byte order mark; wave 2 exports use CRLF line endings;\n\
         - notes hold quoted commas, doubled quotes and quoted line breaks;\n\
         - missing-data codes `-98` (declined), `-99` (not asked) and blanks in rating cells,\n  \
         `9` (don't know) in pattern and outcome answers, some forms incomplete (0) or unverified (1);\n\
         - some interviewees (and every incomplete form) leave the top three empty."
    );
    if let Some(i) = split {
        let s = &sites[i];
        let half = s.interviews.div_ceil(2);
        let stem = format!("wave{}_{}", s.wave, s.region.to_lowercase());
        let _ = writeln!(
            r,
            "- {} is split across two exports: its records up to {} are in the wave's export,\n  \
             those from {} in `raw/interviews/{stem}_followup.csv`; record {} is in both, byte-identical.",
            label(i),
            record(ctx, sites, (i, half - 1)),
            record(ctx, sites, (i, half - 1)),
            record(ctx, sites, (i, half - 1)),
        );
    }
    r.push('\n');

    if let Some(i) = late {
        let _ = writeln!(r, "## The late site\n");
        let _ = writeln!(
            r,
            "{} is in the register (`sites.csv`) but its exports are held back under `late/`.\n\
             Copy `late/raw` into `raw` (`cp -r late/raw/. raw/`) to add the site and rerun: only what\n\
             depends on it should be recomputed.{}\n",
            label(i),
            if qualitative.is_some() {
                "\nIts coded transcripts (its own project) and its workshop notes wait in\n\
                 `late/qualitative/`: copy them into `qualitative/` (`cp -r late/qualitative/. qualitative/`)."
            } else {
                ""
            }
        );
    }
    let _ = writeln!(r, "## Withdrawals\n");
    if let Some(who) = ctx.all_withdrawal {
        let _ = writeln!(
            r,
            "- `{}` withdrew everything (`all`): no trace of them in any output.",
            record(ctx, sites, who)
        );
    }
    if let Some(who) = ctx.quotes_withdrawal {
        let _ = writeln!(
            r,
            "- `{}` withdrew their words (`quotes`): ratings stay, no quotes.",
            record(ctx, sites, who)
        );
    }
    r
}
