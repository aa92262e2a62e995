//! The case study sites: the register row and the fictional "world" around
//! each one (its organisation, town, team, ward and staff) that free text
//! draws identifiers from. Every name here is invented.

use model::Sector;

use crate::rng::Rng;
use crate::text;

/// How a site tends to answer a pattern-matching question.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tendency {
    InPlace,
    Partly,
    NotInPlace,
    /// Answers split: the condition comes out contested.
    Mixed,
    /// A planted effect: everyone answers this code, bar a few deviants.
    Fixed(i64),
}

#[derive(Debug, Clone)]
pub(crate) struct Site {
    pub index: usize,
    pub id: String,
    pub label: String,
    pub name: String,
    /// The short name people use in conversation (`the Kingfisher`).
    pub short: String,
    pub sector: Sector,
    pub partnership: bool,
    pub bme: bool,
    pub su_led: bool,
    pub wave: u8,
    pub region: &'static str,
    pub model: String,
    pub place: String,
    pub organisation: String,
    pub partner: Option<String>,
    pub team: String,
    pub ward: String,
    /// Staff who are talked about but never interviewed.
    pub colleagues: [String; 3],
    pub email_domain: String,
    pub interviews: usize,
    /// Per framework factor, in framework order.
    pub tendency: Vec<Tendency>,
}

struct Crafted {
    short: &'static str,
    name: &'static str,
    place: &'static str,
    organisation: &'static str,
    partner: Option<&'static str>,
    team: &'static str,
    ward: &'static str,
    model: &'static str,
}

/// The ten sites of the protocol's design (index = site number - 1):
/// even indices statutory, odd voluntary; S01 and S05 in partnership; S04
/// and S07 BME-specific; S06 and S10 service-user led.
const CRAFTED: [Crafted; 10] = [
    Crafted {
        short: "Lambury Recovery",
        name: "Lambury Recovery and Inclusion Team",
        place: "Lambury",
        organisation: "North Lambury Mental Health NHS Foundation Trust",
        partner: Some("Hearthstone Housing Association"),
        team: "Lambury East CMHT",
        ward: "Juniper Ward",
        model: "Peer support workers employed by an NHS Trust in a community recovery team, delivered in partnership with a housing association",
    },
    Crafted {
        short: "Kestrelwood",
        name: "Kestrelwood Peer Support Project",
        place: "Brackley Rise",
        organisation: "Riverlight Mental Health",
        partner: None,
        team: "Kestrelwood drop-in team",
        ward: "Hawthorn Ward",
        model: "Paid peer workers in a charity-run project offering one-to-one peer support to people leaving hospital",
    },
    Crafted {
        short: "Ashcombe Peers",
        name: "Ashcombe Acute Care Peer Service",
        place: "Ashcombe",
        organisation: "Ashcombe and Dorrington NHS Trust",
        partner: None,
        team: "Ashcombe Home Treatment Team",
        ward: "Maple Ward",
        model: "Peer workers on acute inpatient wards and with the home treatment team of an NHS Trust",
    },
    Crafted {
        short: "Kelsworth Mentors",
        name: "Kelsworth African Caribbean Peer Mentoring Project",
        place: "Kelsworth",
        organisation: "Kelsworth Community Wellbeing Association",
        partner: None,
        team: "Kelsworth mentoring team",
        ward: "Cedar Ward",
        model: "Peer mentors from African and Caribbean communities supporting people in contact with secondary mental health services",
    },
    Crafted {
        short: "Hollinford EIS",
        name: "Hollinford Early Intervention Peer Service",
        place: "Hollinford",
        organisation: "Hollinford and Wexdale NHS Foundation Trust",
        partner: Some("Tarnside Carers Network"),
        team: "Hollinford Early Intervention Team",
        ward: "Rowan Ward",
        model: "Peer support workers in an early intervention in psychosis team, jointly funded in partnership with a carers' charity",
    },
    Crafted {
        short: "Brackenfield Network",
        name: "Brackenfield Survivors Peer Network",
        place: "Brackenfield",
        organisation: "Brackenfield Survivors Collective",
        partner: None,
        team: "Brackenfield peer team",
        ward: "Heather Ward",
        model: "Service-user led peer support network run by and for people with lived experience, employing sessional peer workers",
    },
    Crafted {
        short: "Marrowgate Wellbeing",
        name: "Marrowgate South Asian Wellbeing Team",
        place: "Marrowgate",
        organisation: "Marrowgate Mental Health NHS Trust",
        partner: None,
        team: "Marrowgate Community Wellbeing Team",
        ward: "Aster Ward",
        model: "Bilingual peer workers in an NHS community team for South Asian communities",
    },
    Crafted {
        short: "Saltmere Befrienders",
        name: "Saltmere Peer Befriending Scheme",
        place: "Saltmere",
        organisation: "Lantern Coast Mental Health",
        partner: None,
        team: "Saltmere befriending team",
        ward: "Linden Ward",
        model: "Peer befriending scheme, from volunteer to paid roles, for people discharged from secondary care, run by a local charity",
    },
    Crafted {
        short: "Wexmoor AOT",
        name: "Wexmoor Assertive Outreach Peer Service",
        place: "Wexmoor",
        organisation: "Wexmoor and Chalkhurst NHS Foundation Trust",
        partner: None,
        team: "Wexmoor Assertive Outreach Team",
        ward: "Poplar Ward",
        model: "Peer workers in an assertive outreach team of an NHS Foundation Trust",
    },
    Crafted {
        short: "Chalkhurst Voices",
        name: "Chalkhurst Hearing Voices Peer Project",
        place: "Chalkhurst",
        organisation: "Chalkhurst Voices Collective",
        partner: None,
        team: "Chalkhurst peer project team",
        ward: "Elm Ward",
        model: "Service-user led hearing voices and peer support project with paid peer facilitators",
    },
];

// Syllables for the towns of sites beyond the ten crafted ones.
const PLACE_HEAD: [&str; 20] = [
    "Alder", "Bram", "Coll", "Dun", "Elm", "Fern", "Gorse", "Harl", "Ivy", "Kes", "Lark", "Mill",
    "Nor", "Oak", "Pen", "Quarry", "Rush", "Sedge", "Thorn", "Wil",
];
const PLACE_TAIL: [&str; 20] = [
    "bury", "combe", "dale", "den", "field", "ford", "gate", "ham", "hurst", "ley", "mere",
    "minster", "moor", "stead", "stow", "thorpe", "ton", "wick", "worth", "wood",
];
const PLACE_QUALIFIER: [&str; 6] = ["", " Vale", " Heath", " Cross", " Bridge", " Moor"];
const STATUTORY_SERVICE: [&str; 4] = [
    "Recovery Team",
    "Early Intervention Peer Service",
    "Acute Care Peer Service",
    "Community Peer Support Team",
];
const VOLUNTARY_SERVICE: [&str; 4] = [
    "Peer Support Project",
    "Peer Mentoring Scheme",
    "Peer Befriending Project",
    "Peer Network",
];
const WARD_TREES: [&str; 12] = [
    "Juniper", "Hawthorn", "Maple", "Cedar", "Rowan", "Heather", "Aster", "Linden", "Poplar",
    "Elm", "Willow", "Hazel",
];

/// Site id `S` + number padded to max(2, digits of `count`).
pub(crate) fn site_id(number: usize, count: usize) -> String {
    let width = count.to_string().len().max(2);
    format!("S{number:0width$}")
}

/// `Site A`..`Site Z` up to 26 sites; beyond that `Site 0001`-style.
pub(crate) fn site_label(index: usize, count: usize) -> String {
    if count <= 26 {
        format!("Site {}", (b'A' + index as u8) as char)
    } else {
        let width = count.to_string().len().max(4);
        format!("Site {:0width$}", index + 1)
    }
}

/// Waves spread evenly in order: the first third of sites in wave 1.
pub(crate) fn wave_of(index: usize, count: usize) -> u8 {
    (1 + index * 3 / count.max(1)).min(3) as u8
}

pub(crate) fn region_of(wave: u8) -> &'static str {
    match wave {
        1 => "London",
        2 => "North",
        _ => "South",
    }
}

/// Build site `index` of `count`. `interviews` is decided by the caller.
pub(crate) fn build(
    index: usize,
    count: usize,
    interviews: usize,
    factors: &[String],
    seed: u64,
) -> Site {
    let slot = index % 10;
    let sector = if index.is_multiple_of(2) {
        Sector::Statutory
    } else {
        Sector::Voluntary
    };
    let statutory = sector == Sector::Statutory;
    let partnership = statutory && matches!(slot, 0 | 4);
    let bme = matches!(slot, 3 | 6);
    let su_led = !statutory && matches!(slot, 5 | 9);
    let wave = wave_of(index, count);
    let mut rng = Rng::new(seed, &[1, index as u64]);

    let (short, name, place, organisation, partner, team, ward, model) = if index < CRAFTED.len() {
        let c = &CRAFTED[index];
        (
            c.short.to_string(),
            c.name.to_string(),
            c.place.to_string(),
            c.organisation.to_string(),
            c.partner.map(str::to_string),
            c.team.to_string(),
            c.ward.to_string(),
            c.model.to_string(),
        )
    } else {
        let k = index - CRAFTED.len();
        let place = format!(
            "{}{}{}",
            PLACE_HEAD[k % 20],
            PLACE_TAIL[(k / 20) % 20],
            PLACE_QUALIFIER[(k / 400) % PLACE_QUALIFIER.len()]
        );
        // Past 2,400 sites the towns repeat; a unit number keeps names unique.
        let unit = if k >= 2400 {
            format!(" (unit {})", k / 2400 + 1)
        } else {
            String::new()
        };
        let service = if statutory {
            STATUTORY_SERVICE[k % 4]
        } else {
            VOLUNTARY_SERVICE[k % 4]
        };
        let name = format!("{place} {service}{unit}");
        let organisation = if statutory {
            format!("{place} Mental Health NHS Trust{unit}")
        } else {
            format!("{place} Wellbeing Collective{unit}")
        };
        let partner = partnership.then(|| format!("{place} Housing Association{unit}"));
        let team = if statutory {
            format!("{place} Community Team{unit}")
        } else {
            format!("{place} peer team{unit}")
        };
        let ward = format!("{} Ward", WARD_TREES[k % WARD_TREES.len()]);
        let model = model_line(statutory, partnership, bme, su_led);
        (
            format!("{place} {}", service.split(' ').next().unwrap_or("Peer")),
            name,
            place,
            organisation,
            partner,
            team,
            ward,
            model,
        )
    };
    let colleagues = [
        text::full_name(&mut rng),
        text::full_name(&mut rng),
        text::full_name(&mut rng),
    ];
    let email_domain = format!("{}.example.org", text::ascii_slug(&place));

    let tendency = factors
        .iter()
        .map(|code| match code.as_str() {
            // Planted effects (see the generated README).
            "supervision" => Tendency::Fixed(1),
            "pay_parity" => Tendency::Fixed(if statutory { 1 } else { 3 }),
            "role_clarity" if index == 1 => Tendency::Fixed(3),
            _ => [
                Tendency::InPlace,
                Tendency::InPlace,
                Tendency::Partly,
                Tendency::NotInPlace,
                Tendency::Mixed,
            ][rng.index(5)],
        })
        .collect();

    Site {
        index,
        id: site_id(index + 1, count),
        label: site_label(index, count),
        name,
        short,
        sector,
        partnership,
        bme,
        su_led,
        wave,
        region: region_of(wave),
        model,
        place,
        organisation,
        partner,
        team,
        ward,
        colleagues,
        email_domain,
        interviews,
        tendency,
    }
}

fn model_line(statutory: bool, partnership: bool, bme: bool, su_led: bool) -> String {
    let mut line = String::from(if su_led {
        "Service-user led peer support project employing paid peer workers"
    } else if statutory {
        "Peer support workers employed by an NHS Trust in a community team"
    } else {
        "Paid peer workers in a voluntary sector project"
    });
    if bme {
        line.push_str(", for a specific BME community");
    }
    if partnership {
        line.push_str(", delivered in partnership with a housing association");
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_labels_and_waves() {
        assert_eq!(site_id(3, 10), "S03");
        assert_eq!(site_id(7, 2000), "S0007");
        assert_eq!(site_label(1, 10), "Site B");
        assert_eq!(site_label(25, 26), "Site Z");
        assert_eq!(site_label(0, 27), "Site 0001");
        let waves: Vec<u8> = (0..10).map(|i| wave_of(i, 10)).collect();
        assert_eq!(waves, [1, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
    }
}
