//! Notes of each site's feedback workshop (`qualitative/workshops/<site_id>.md`)
//! and, for a few sites, what the workshop confirmed or challenged of the
//! site's preliminary findings (`<site_id>.csv`).
//!
//! The notes are Markdown typed by the team, with HTML pasted from an
//! online form and an email (to be shown as text, never rendered), and the
//! names of the people there (to be redacted). What the workshops say
//! follows the planted effects: the diverging site challenges its
//! supervision finding, voluntary sites raise benefits advice, the
//! BME-focused sites culturally specific support.

use std::fmt::Write;

use model::Sector;

use crate::csvout;
use crate::interviews::{self, PEER_WORKER, SERVICE_USER};
use crate::rng::Rng;
use crate::sites::Site;
use crate::text;
use crate::transcripts::{MONTHS, diverging_supervision};
use crate::{Context, DemoFile};

/// Sites with no notes: every tenth from the sixth (Site F in the demo).
pub(crate) fn has_notes(site: &Site) -> bool {
    site.index % 10 != 5
}

/// Sites whose workshop also marked the findings: the first, the
/// diverging site and the second BME-focused site of every ten.
pub(crate) fn has_verdicts(site: &Site) -> bool {
    matches!(site.index % 10, 0 | 4 | 6)
}

/// The first person of `group` at the site, by name.
fn someone(names: &[String], group: usize) -> Option<&str> {
    (0..names.len())
        .find(|&p| interviews::group_of(p) == group)
        .map(|p| names[p].as_str())
}

/// The notes of the site's workshop, a few weeks after its last interview.
pub(crate) fn notes(ctx: &Context, site: &Site) -> String {
    let mut rng = Rng::new(ctx.seed, &[12, site.index as u64]);
    let names = interviews::participant_names(ctx, site);
    let people = interviews::people(ctx, site);
    let last = people.iter().map(|p| p.date).max().unwrap_or((2011, 5, 3));
    let (year, month, day) = interviews::add_days(last, 35 + rng.below(20) as u32);
    let [facilitator, note_taker] = interviews::wave_interviewers(site.wave);
    let peer_worker = someone(&names, PEER_WORKER).unwrap_or(&site.colleagues[1]);
    let service_user = someone(&names, SERVICE_USER).unwrap_or(&site.colleagues[2]);
    // Typed without the accents, as notes often are.
    let peer_worker_typed = if site.index % 2 == 1 {
        text::without_diacritics(peer_worker)
    } else {
        peer_worker.to_string()
    };
    let [lead, hr, other] = &site.colleagues;
    let mut email = String::new();
    text::email(&mut email, lead, &site.email_domain);
    let mut phone = String::new();
    text::phone(&mut phone, &mut rng, site.index);

    let mut r = String::with_capacity(3000);
    let _ = writeln!(r, "# Feedback workshop: {}\n", site.name);
    let _ = writeln!(
        r,
        "{day} {} {year}, at the {} base in {}. Facilitated by {facilitator}; notes by {note_taker}.\n",
        MONTHS[(month as usize).clamp(1, 12) - 1],
        site.short,
        site.place
    );
    let _ = writeln!(
        r,
        "Present: {lead} (lead), {hr} (HR), {peer_worker_typed} and {service_user}, and {} others from the {}.\n",
        3 + rng.below(5),
        site.team
    );
    let _ = writeln!(r, "## What we fed back\n");
    let _ = writeln!(
        r,
        "The preliminary findings pack for {}: whether each condition was in place, how\nimportant people rated each factor, and their top three. People had read it beforehand.\n",
        site.short
    );
    let _ = writeln!(r, "## Discussion\n");
    if diverging_supervision(site) {
        let _ = writeln!(
            r,
            "- **Supervision.** People challenged the finding that supervision is in place. \"It's in\n  place on paper,\" {peer_worker_typed} said; in practice it is cancelled most weeks when the\n  ward is short. {lead} accepted this and said the policy is not the practice."
        );
    } else {
        let _ = writeln!(
            r,
            "- **Supervision.** Recognised by everyone: {lead} runs supervision every fortnight and\n  the peer workers said it is protected."
        );
    }
    let _ = if site.sector == Sector::Statutory {
        writeln!(
            r,
            "- **Pay and appraisal.** Agreed: peer workers are on the same banding as support workers,\n  {hr} confirmed from the HR side."
        )
    } else {
        writeln!(
            r,
            "- **Pay and appraisal.** Nobody disagreed that pay is lower than in the NHS; the funding\n  leaves no room.\n- **Benefits advice.** The peer workers said benefits worries come up all the time, even\n  though the ratings put it near the bottom of the list. {peer_worker_typed} asked for it to\n  be in the handbook."
        )
    };
    if site.bme {
        let _ = writeln!(
            r,
            "- **Culturally specific support.** The discussion kept coming back to language, faith and\n  family: bilingual peer workers *are* the service here, {other} said."
        );
    }
    let _ = writeln!(
        r,
        "- **Acceptance by colleagues.** At the top of everyone's list, as in the findings. One nurse\n  had asked whether peer workers were there \"to replace us on the cheap\".\n"
    );
    let _ = writeln!(r, "## For the handbook\n");
    let _ = writeln!(
        r,
        "1. Protect supervision time in the job plan, not only in the policy.\n2. Give every new peer worker benefits advice before the first shift.\n3. Introduce peer workers to the whole team before they start.\n"
    );
    let _ = writeln!(r, "## Pasted from the online feedback form\n");
    let _ = writeln!(
        r,
        "<p style=\"color:#c00\"><b>Action:</b> {lead} to send the revised job description to everyone ({email}).</p>"
    );
    let _ = writeln!(r, "Questions before the next session: ring {phone}<br>");
    let _ = writeln!(
        r,
        "<script>alert('feedback form')</script> <!-- form footer, {} -->",
        site.organisation
    );
    // One site's notes went through Word: CRLF line endings.
    if site.index % 10 == 2 {
        r = r.replace('\n', "\r\n");
    }
    r
}

/// What the workshop confirmed, challenged or added, by the figure ids of
/// the site's pack; written by Excel (a byte order mark, CRLF).
pub(crate) fn verdicts(ctx: &Context, site: &Site) -> Vec<u8> {
    let names = interviews::participant_names(ctx, site);
    let peer_worker = someone(&names, PEER_WORKER).unwrap_or(&site.colleagues[1]);
    let [lead, hr, _] = &site.colleagues;
    let label = &site.label;
    let mut rng = Rng::new(ctx.seed, &[13, site.index as u64]);
    let mut phone = String::new();
    text::phone(&mut phone, &mut rng, site.index + 1);
    let rows: Vec<(String, &str, String)> = match site.index % 10 {
        0 => vec![
            (
                format!("patterns/{label}/pay_parity"),
                "confirmed",
                format!("Same banding as the support workers, {hr} confirmed from the HR side."),
            ),
            (
                format!("patterns/{label}/supervision"),
                "confirmed",
                "Fortnightly supervision is protected here.".into(),
            ),
            (
                format!("top3/site/{label}/staff_accept"),
                "challenged",
                format!(
                    "The team thought acceptance matters less now than when the roles started; {peer_worker} disagreed."
                ),
            ),
            (
                format!("patterns/{label}/peer_network"),
                "new",
                format!("A monthly peer workers' group, set up by {lead} since the interviews."),
            ),
        ],
        4 => vec![
            (
                format!("patterns/{label}/supervision"),
                "challenged",
                format!(
                    "In place on paper only: cancelled most weeks when the ward is short ({peer_worker} and {lead})."
                ),
            ),
            (
                format!("ratings/site/{label}/supervision"),
                "confirmed",
                "Everyone agreed supervision matters a great deal.".into(),
            ),
            (
                format!("patterns/{label}/pay_parity"),
                "confirmed",
                String::new(),
            ),
            (
                format!("patterns/{label}/team_capacity"),
                "new",
                format!(
                    "The team asked for protected supervision time in the handbook; ring {phone} to join the working group."
                ),
            ),
        ],
        _ => vec![
            (
                format!("patterns/{label}/culture_recovery"),
                "confirmed",
                format!("Bilingual peer workers are the service, {lead} said."),
            ),
            (
                format!("patterns/{label}/supervision"),
                "confirmed",
                String::new(),
            ),
            (
                format!("ratings/site/{label}/hr_policy"),
                "challenged",
                "HR must accept community languages as a qualification; the ratings undersell it."
                    .into(),
            ),
            (
                format!("patterns/{label}/partnership"),
                "new",
                format!(
                    "Links with the mosque and the gurdwara, made by {peer_worker}, brought families in."
                ),
            ),
        ],
    };
    let eol = "\r\n";
    let mut out = "\u{feff}figure_id,verdict,comment\r\n".as_bytes().to_vec();
    for (figure, verdict, comment) in rows {
        csvout::field(&mut out, &figure, eol);
        out.push(b',');
        out.extend_from_slice(verdict.as_bytes());
        out.push(b',');
        csvout::field(&mut out, &comment, eol);
        out.extend_from_slice(eol.as_bytes());
    }
    out
}

/// The workshop files of `sites` under `folder` (`qualitative/workshops`).
pub(crate) fn files(
    ctx: &Context,
    sites: &[&Site],
    folder: &str,
    verdicts_too: bool,
) -> Vec<DemoFile> {
    let mut files = Vec::new();
    for site in sites.iter().filter(|s| has_notes(s)) {
        files.push(DemoFile {
            path: format!("{folder}/{}.md", site.id),
            bytes: notes(ctx, site).into_bytes(),
        });
        if verdicts_too && has_verdicts(site) {
            files.push(DemoFile {
                path: format!("{folder}/{}.csv", site.id),
                bytes: verdicts(ctx, site),
            });
        }
    }
    files
}
