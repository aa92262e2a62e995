//! Word stock for the free text: fictional names, factor accounts, and the
//! identifier-shaped strings (NHS numbers, postcodes, phone numbers) planted
//! for the anonymiser to find, plus look-alikes it must leave alone.

use std::fmt::Write;

use crate::rng::Rng;

pub(crate) const FIRST_NAMES: [&str; 48] = [
    "Zoë",
    "José",
    "Siobhán",
    "Chloé",
    "Renée",
    "Björn",
    "Inés",
    "Łukasz",
    "Ayşe",
    "Noémie",
    "Amara",
    "Tariq",
    "Bernadette",
    "Callum",
    "Delroy",
    "Eilidh",
    "Fatima",
    "Gareth",
    "Harjit",
    "Imogen",
    "Jamal",
    "Kerry-Ann",
    "Leon",
    "Marguerite",
    "Nadia",
    "Oluwaseun",
    "Priya",
    "Rhodri",
    "Samira",
    "Tomasz",
    "Una",
    "Vikram",
    "Winston",
    "Yasmin",
    "Aled",
    "Bronwen",
    "Chidi",
    "Dionne",
    "Errol",
    "Fionnuala",
    "Grzegorz",
    "Hyacinth",
    "Ifeoma",
    "Jolene",
    "Kofi",
    "Lorna",
    "Mehmet",
    "Niamh",
];

/// Surnames. None of them is an ordinary English word: the look-alike
/// words planted in free text ("hope", "young", "green"...) must stay
/// unredacted, so no person may carry them as a name.
pub(crate) const SURNAMES: [&str; 48] = [
    "Hartigan",
    "Okafor",
    "Núñez",
    "Kowalczyk",
    "O'Brien",
    "Adeyemi",
    "Chaudhry",
    "Mensah",
    "Lindqvist",
    "Fairweather",
    "Pryce",
    "Ashworth",
    "Begum",
    "McAllister",
    "Dubois",
    "Rahman",
    "Thorne",
    "Walcott",
    "Okonkwo",
    "Haddad",
    "Sørensen",
    "Whitlock",
    "Fenwick",
    "Quaye",
    "Iqbal",
    "Villiers",
    "Abernethy",
    "Delacroix",
    "Ekwueme",
    "Gallacher",
    "Hussain",
    "Jankowski",
    "Kaur",
    "Llewellyn",
    "Molloy",
    "Nwosu",
    "Ogunleye",
    "Petrakis",
    "Rossiter",
    "Szabó",
    "Trevelyan",
    "Urquhart",
    "Vasquez",
    "Wojcik",
    "Yilmaz",
    "Zielinski",
    "Achterberg",
    "Brennan",
];

/// Ordinary words that are also surnames somewhere: never identifiers here.
pub(crate) const LOOKALIKE_WORDS: [&str; 4] = ["hope", "young", "green", "rich"];

pub(crate) fn full_name(rng: &mut Rng) -> String {
    format!("{} {}", rng.pick(&FIRST_NAMES), rng.pick(&SURNAMES))
}

/// Lower-case ASCII for email addresses and domains.
pub(crate) fn ascii_slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let folded = match c {
            'á' | 'à' | 'â' | 'ä' | 'Á' => 'a',
            'é' | 'è' | 'ë' | 'ê' | 'É' => 'e',
            'í' | 'ï' | 'Í' => 'i',
            'ó' | 'ö' | 'ø' | 'Ó' => 'o',
            'ú' | 'ü' => 'u',
            'ñ' => 'n',
            'ł' | 'Ł' => 'l',
            'ş' => 's',
            ' ' | '-' => '-',
            c if c.is_ascii_alphanumeric() => c.to_ascii_lowercase(),
            _ => continue,
        };
        out.push(folded);
    }
    out
}

/// A letter with a diacritic as its base letter and combining mark
/// (Unicode canonical decomposition), for the letters of the name lists.
fn decomposed(c: char) -> Option<(char, char)> {
    const ACUTE: char = '\u{301}';
    const DIAERESIS: char = '\u{308}';
    Some(match c {
        'á' => ('a', ACUTE),
        'é' => ('e', ACUTE),
        'í' => ('i', ACUTE),
        'ó' => ('o', ACUTE),
        'ú' => ('u', ACUTE),
        'É' => ('E', ACUTE),
        'ë' => ('e', DIAERESIS),
        'ö' => ('o', DIAERESIS),
        'ü' => ('u', DIAERESIS),
        'ñ' => ('n', '\u{303}'),
        'ş' => ('s', '\u{327}'),
        'ç' => ('c', '\u{327}'),
        _ => return None,
    })
}

/// Letters with no decomposition, and the letter a transcriber types for them.
fn plain_letter(c: char) -> Option<char> {
    match c {
        'ø' => Some('o'),
        'Ø' => Some('O'),
        'ł' => Some('l'),
        'Ł' => Some('L'),
        _ => None,
    }
}

/// The name in Unicode normalisation form D (`Zoë` as `Zoe` + U+0308), as
/// text pasted from a Mac or a web form often arrives.
pub(crate) fn nfd(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        match decomposed(c) {
            Some((base, mark)) => {
                out.push(base);
                out.push(mark);
            }
            None => out.push(c),
        }
    }
    out
}

/// The name without its diacritics (`José Núñez` as `Jose Nunez`), as a
/// transcriber without the keyboard for them types it.
pub(crate) fn without_diacritics(name: &str) -> String {
    name.chars()
        .map(|c| {
            decomposed(c)
                .map(|(base, _)| base)
                .or_else(|| plain_letter(c))
                .unwrap_or(c)
        })
        .collect()
}

/// True when the name has a letter that [`nfd`] or [`without_diacritics`] changes.
pub(crate) fn has_diacritics(name: &str) -> bool {
    name.chars()
        .any(|c| decomposed(c).is_some() || plain_letter(c).is_some())
}

/// `first.surname@domain`, folded to ASCII.
pub(crate) fn email(out: &mut String, name: &str, domain: &str) {
    let mut parts = name.splitn(2, ' ');
    let first = parts.next().unwrap_or("");
    let last = parts.next().unwrap_or("");
    let _ = write!(out, "{}.{}@{}", ascii_slug(first), ascii_slug(last), domain);
}

/// The NHS number check digit of nine digits; `None` when the check is 10
/// (no valid number has those nine digits).
pub(crate) fn nhs_check_digit(first9: &[u8; 9]) -> Option<u8> {
    let sum: u32 = first9
        .iter()
        .enumerate()
        .map(|(i, &d)| d as u32 * (10 - i as u32))
        .sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        c => Some(c as u8),
    }
}

/// True when ten digits (other characters ignored) pass the modulus 11 check.
#[cfg(test)]
pub(crate) fn passes_mod11(text: &str) -> bool {
    let digits: Vec<u8> = text
        .bytes()
        .filter(u8::is_ascii_digit)
        .map(|b| b - b'0')
        .collect();
    if digits.len() != 10 {
        return false;
    }
    let mut first9 = [0u8; 9];
    first9.copy_from_slice(&digits[..9]);
    nhs_check_digit(&first9) == Some(digits[9])
}

/// A valid NHS number in the range reserved for testing (999 ...), in one of
/// the three written forms: `999 123 4567`, `999-123-4567`, `9991234567`.
pub(crate) fn nhs_number(out: &mut String, rng: &mut Rng, form: usize) {
    let digits = loop {
        let mut d = [9u8; 10];
        for slot in d.iter_mut().take(9).skip(3) {
            *slot = rng.below(10) as u8;
        }
        let mut first9 = [0u8; 9];
        first9.copy_from_slice(&d[..9]);
        if let Some(check) = nhs_check_digit(&first9) {
            d[9] = check;
            break d;
        }
    };
    write_grouped(out, &digits, form);
}

/// Ten digits that FAIL the modulus 11 check: a look-alike to leave alone.
pub(crate) fn failing_ten_digits(out: &mut String, rng: &mut Rng) {
    let mut d = [0u8; 10];
    d[0] = 1 + rng.below(8) as u8;
    for slot in d.iter_mut().take(9).skip(1) {
        *slot = rng.below(10) as u8;
    }
    let mut first9 = [0u8; 9];
    first9.copy_from_slice(&d[..9]);
    d[9] = match nhs_check_digit(&first9) {
        Some(check) => (check + 1 + rng.below(9) as u8) % 10,
        None => rng.below(10) as u8,
    };
    write_grouped(out, &d, 2);
}

fn write_grouped(out: &mut String, d: &[u8; 10], form: usize) {
    for (i, &digit) in d.iter().enumerate() {
        if i == 3 || i == 6 {
            match form % 3 {
                0 => out.push(' '),
                1 => out.push('-'),
                _ => {}
            }
        }
        out.push((b'0' + digit) as char);
    }
}

const INWARD_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";

/// A postcode of the right shape for the region (`SE1 7EH` style).
pub(crate) fn postcode(out: &mut String, rng: &mut Rng, region: &str) {
    let outward: &[&str] = match region {
        "London" => &["SE1", "SE15", "N7", "E8", "SW9", "NW6"],
        "North" => &["LS6", "M14", "S10", "BD3", "HX1", "OL9"],
        _ => &["BN2", "SO15", "PO4", "SP2", "GU11", "RH10"],
    };
    let _ = write!(
        out,
        "{} {}{}{}",
        rng.pick(outward),
        rng.below(10),
        INWARD_LETTERS[rng.index(INWARD_LETTERS.len())] as char,
        INWARD_LETTERS[rng.index(INWARD_LETTERS.len())] as char
    );
}

/// A phone number from Ofcom's ranges reserved for drama, in three forms.
pub(crate) fn phone(out: &mut String, rng: &mut Rng, form: usize) {
    let n = rng.below(1000);
    let _ = match form % 3 {
        0 => write!(out, "020 7946 0{n:03}"),
        1 => write!(out, "+44 161 496 0{n:03}"),
        _ => write!(out, "07700 900{n:03}"),
    };
}

/// What a person says about one factor: the account when the condition was
/// in place (or a facilitator), then when it was not.
pub(crate) fn factor_account(code: &str) -> (&'static str, &'static str) {
    match code {
        "role_clarity" => (
            "Everyone knew what the peer worker role was for; the job description spelt it out and the team understood it.",
            "Nobody was clear what the peer workers were supposed to do, so they ended up filling gaps in the rota instead of doing peer work.",
        ),
        "role_distinct" => (
            "The peer workers do things nobody else can, like sharing how they got through their own crisis, and that lived experience is the point of the role.",
            "The tasks slid into what a support worker does anyway, and the distinctive lived-experience part got lost.",
        ),
        "role_prof" => (
            "They kept a professional manner without turning into mini-nurses, which service users really valued.",
            "The role got over-professionalised, with care plans and risk forms, and it started to feel medical.",
        ),
        "su_relation" => (
            "We talked early on about boundaries with service users, what is friendship and what is peer support, and that made the relationship work.",
            "Boundaries with service users were never agreed, so people got hurt when a peer worker had to step back.",
        ),
        "disclosure" => (
            "I decide how much of my own story I disclose, to service users and to colleagues, and nobody pushes me.",
            "There was an expectation that I would tell everyone my diagnosis; I didn't feel in control of my own disclosure.",
        ),
        "confidential" => (
            "My history is kept confidential: HR and occupational health hold it and it doesn't go round the team.",
            "My history went round the office before I had even started. Confidentiality just wasn't thought through.",
        ),
        "supervision" => (
            "Regular supervision, every fortnight, plus the team checking in, meant I could take the hard stuff from the dual role somewhere.",
            "Supervision kept getting cancelled and there was nowhere to take the issues that come with being staff and a service user.",
        ),
        "peer_network" => (
            "The peer worker support group, where we meet the other peer workers once a month, keeps me going.",
            "I was the only peer worker for miles and had nobody in the same role to talk to.",
        ),
        "wellbeing" => (
            "When I became unwell last winter there was a plan in place, a phased return, and my job was kept open.",
            "When peer workers became unwell there were no arrangements, so two of them just drifted away from the job.",
        ),
        "welfare_advice" => (
            "Getting proper benefits and welfare rights advice before I took the hours made all the difference.",
            "Nobody could advise on benefits, and the fear of losing them stopped people taking on more hours.",
        ),
        "hr_policy" => (
            "HR accepted lived experience instead of formal qualifications, and the job profile actually fitted the role.",
            "HR asked for qualifications that had nothing to do with the job, so good candidates with lived experience were screened out.",
        ),
        "career" => (
            "There's a clear job structure, from sessional to senior peer worker, so people can see a career pathway.",
            "There is no career pathway: after two years you're still on the same band with nowhere to go.",
        ),
        "pay_parity" => (
            "Peer workers are paid on the same banding and appraised by the same criteria as everyone else, and that says we're valued.",
            "Peer workers are paid less than other staff for similar work, and appraisal is a different, informal process.",
        ),
        "pw_training" => (
            "The accredited peer worker training gave people confidence and a qualification that counts.",
            "The training was a two-day course with no accreditation, and peer workers felt thrown in at the deep end.",
        ),
        "staff_training" => (
            "The staff were trained to work alongside peer workers before they started, so the team knew what to expect.",
            "Nobody trained the rest of the team, so colleagues didn't know how to work with a peer worker.",
        ),
        "staff_accept" => (
            "The professionals accepted the peer workers as colleagues, without suspicion or resentment, and that changed everything.",
            "Some professional colleagues were suspicious and resentful. One nurse asked, \"are you here to replace me on the cheap?\"",
        ),
        "risk_share" => (
            "We agreed as a team how risk is managed and what responsibility peer workers share, so nobody was left carrying it alone.",
            "Risk was never talked through, so peer workers were either kept away from anything risky or left holding too much responsibility.",
        ),
        "team_capacity" => (
            "The team had the time and resources to support the peer workers; it wasn't a drain.",
            "The team was stretched, and supporting peer workers felt like one more demand on people with no time.",
        ),
        "strategy_fit" => (
            "Peer work fits the organisation's strategy and the senior managers championed it from the start.",
            "Senior support disappeared after the pilot, and peer work never fitted the strategy on paper.",
        ),
        "culture_recovery" => (
            "The culture values lived experience and recovery, so peer workers fitted in with how we already worked.",
            "The culture is still very medical: lived experience is tolerated rather than valued.",
        ),
        "partnership" => (
            "Links with primary care, social care and the voluntary sector meant the role was supported across the whole system.",
            "Partner organisations didn't understand the role, so referrals from primary care and social care never came.",
        ),
        "planned_intro" => (
            "The roles were properly planned and resourced, with a project lead and time to prepare the team.",
            "The roles were brought in as a \"cheap option\", with no planning and no money for support.",
        ),
        _ => (
            "This factor helped us a great deal.",
            "This factor held us back.",
        ),
    }
}

/// How each stakeholder group opens an account (index = group code - 1).
pub(crate) const OPENERS: [&[&str]; 5] = [
    &[
        "Speaking as a peer worker: ",
        "For me personally, ",
        "From my own experience in the job, ",
        "",
    ],
    &[
        "As a professional in the team, ",
        "From where I sit in the team, ",
        "Honestly, ",
        "",
    ],
    &[
        "As someone who uses the service, ",
        "From my side, ",
        "What I noticed was this. ",
        "",
    ],
    &[
        "As the manager, ",
        "Managing the team, I'd say ",
        "From a management point of view, ",
        "",
    ],
    &[
        "At a strategic level, ",
        "From the commissioning side, ",
        "Looking across the organisation, ",
        "",
    ],
];

pub(crate) const ROLE_DETAILS: [&[&str]; 5] = [
    &[
        "Peer support worker",
        "Senior peer support worker",
        "Peer mentor",
        "Peer recovery worker",
    ],
    &[
        "Community psychiatric nurse",
        "Social worker",
        "Occupational therapist",
        "Clinical psychologist",
        "Support time and recovery worker",
    ],
    &[
        "Service user",
        "Member of the peer support group",
        "Uses the service, has a peer worker",
    ],
    &["Team manager", "Project coordinator", "Service manager"],
    &[
        "Commissioner, adult mental health",
        "Head of nursing",
        "Director of operations",
        "Chief executive",
    ],
];

pub(crate) const BME_ACCOUNTS: [&str; 6] = [
    "Having peer workers from the same community, who speak Punjabi and Urdu, meant families trusted the service.",
    "As a Black man in services I'd been sectioned twice. Seeing someone like me in the peer worker role mattered more than anything, it was the first time I felt understood.",
    "People in our community don't talk about mental health, so the mentors went to the mosque, the gurdwara and the community centre first.",
    "Some staff assumed the BME peer workers were only there for BME service users, which isn't what the role is about.",
    "Culturally, food, faith and family came up all the time; the peer workers could talk about them without it being \"an issue\".",
    "I'm Polish and the peer worker spoke to my mother in Polish.\nThat changed how she saw my illness.",
];

pub(crate) const COMMENTS: [&str; 8] = [
    "I'd like to see more of this, in every team.",
    "The pilot funding ends in March, and nobody knows what happens after that.",
    "Thank you for asking. It's good someone is looking at this properly.",
    "Two things:\n1. pay parity needs sorting;\n2. supervision should be protected time.",
    "Peer support, supervision and training all came up in our last away day, so this interview was timely.",
    "The peer workers are \"the heart of the service\", in the words of one of our service users.",
    "It gave people real hope, seeing someone who had been there.",
    "Young people in particular responded well; there are green shoots now, and a rich mix of skills in the team.",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mod11_on_the_textbook_number() {
        assert!(passes_mod11("943 476 5919"));
        assert!(passes_mod11("943-476-5919"));
        assert!(passes_mod11("9434765919"));
        assert!(!passes_mod11("9434765918"));
    }

    #[test]
    fn generated_numbers_pass_and_lookalikes_fail() {
        let mut rng = Rng::new(3, &[]);
        for form in 0..300 {
            let mut s = String::new();
            nhs_number(&mut s, &mut rng, form);
            assert!(passes_mod11(&s), "{s}");
            assert!(s.starts_with("999"));
            let mut bad = String::new();
            failing_ten_digits(&mut bad, &mut rng);
            assert_eq!(bad.len(), 10);
            assert!(!passes_mod11(&bad), "{bad}");
        }
    }

    #[test]
    fn slugs_fold_accents() {
        assert_eq!(ascii_slug("Zoë"), "zoe");
        assert_eq!(ascii_slug("O'Brien"), "obrien");
        assert_eq!(ascii_slug("Łukasz"), "lukasz");
        let mut e = String::new();
        email(&mut e, "José Núñez", "x.example.org");
        assert_eq!(e, "jose.nunez@x.example.org");
    }

    #[test]
    fn name_forms_decompose_and_strip_every_accented_letter_of_the_lists() {
        assert_eq!(nfd("Zoë Núñez"), "Zoe\u{308} Nu\u{301}n\u{303}ez");
        assert_eq!(without_diacritics("Łukasz Sørensen"), "Lukasz Sorensen");
        assert_eq!(without_diacritics("Ayşe Szabó"), "Ayse Szabo");
        assert!(!has_diacritics("Amara Okafor"));
        // Every non-ASCII letter of the names is handled: no name keeps a
        // diacritic when stripped, and NFD leaves only ASCII and marks.
        for name in FIRST_NAMES
            .iter()
            .chain(SURNAMES.iter())
            .chain(["Siobhán Keane"].iter())
        {
            assert!(without_diacritics(name).is_ascii(), "{name}");
            assert!(
                nfd(name).chars().all(|c| c.is_ascii()
                    || ('\u{300}'..='\u{36f}').contains(&c)
                    || plain_letter(c).is_some()),
                "{name}"
            );
            assert_eq!(has_diacritics(name), !name.is_ascii(), "{name}");
        }
    }

    #[test]
    fn surnames_are_not_lookalike_words() {
        for s in SURNAMES.iter().chain(FIRST_NAMES.iter()) {
            assert!(!LOOKALIKE_WORDS.contains(&s.to_lowercase().as_str()));
        }
    }
}
