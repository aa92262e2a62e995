use model::{IdentifierEntry, Identities, Identity, Sector, Site};

pub(crate) fn person(record_id: &str, name: &str, interviewer: &str, email: &str) -> Identity {
    let mut fields = vec![
        ("participant_name".to_string(), name.to_string()),
        ("interviewer".to_string(), interviewer.to_string()),
    ];
    if !email.is_empty() {
        fields.push(("contact_email".to_string(), email.to_string()));
    }
    Identity {
        record_id: record_id.into(),
        site_id: record_id[..3].into(),
        fields,
    }
}

/// The small fixed gazetteer the redaction fixture is written against.
pub(crate) fn identities() -> Identities {
    Identities {
        people: vec![
            person(
                "S01-01",
                "Maria Hughes",
                "Rachel Adeyemi",
                "maria.hughes@example.net",
            ),
            person("S01-02", "Zoë Brennan", "Tom Whitfield", ""),
            person("S02-01", "José Fernandes", "Rachel Adeyemi", ""),
            person("S02-02", "Siobhan O'Neill", "Tom Whitfield", ""),
            person("S03-01", "Kwame Mensah-Boateng", "Rachel Adeyemi", ""),
            person("S03-02", "Priya Raman", "Tom Whitfield", ""),
        ],
    }
}

/// [`identities`] and people named in many languages and scripts, for the
/// sentences that write names in every Unicode form (issue 13).
pub(crate) fn identities_of_many_origins() -> Identities {
    let mut ids = identities();
    let more = [
        ("S01-11", "Nguyễn Thị Ngọc Hà", "Fẹ́mi Ògúnlẹ́yẹ"),
        ("S01-12", "Trần Văn Ân", "Fẹ́mi Ògúnlẹ́yẹ"),
        ("S01-13", "Lê Minh Đức", "Tom Whitfield"),
        ("S01-14", "Đỗ Mỹ Linh", "Tom Whitfield"),
        ("S01-15", "Tô Thanh Sơn", "Rachel Adeyemi"),
        ("S02-11", "Adébáyọ̀ Ọláòṣebìkan", "Fẹ́mi Ògúnlẹ́yẹ"),
        ("S02-12", "Małgorzata Żółkiewska", "Rachel Adeyemi"),
        ("S02-13", "İbrahim Yıldırım", "Rachel Adeyemi"),
        ("S02-14", "Işıl Öztürk", "Tom Whitfield"),
        ("S02-15", "Llŷr Gwŷn", "Tom Whitfield"),
        ("S02-16", "Siân Prŷs", "Tom Whitfield"),
        ("S03-11", "Seán Ó Súilleabháin", "Rachel Adeyemi"),
        ("S03-12", "Aoibhínn Ní Bhriain", "Rachel Adeyemi"),
        ("S03-13", "Aoife Griffith", "Rachel Adeyemi"),
        ("S03-14", "Jiří Dvořák", "Tom Whitfield"),
        ("S03-15", "Győző Szőke", "Tom Whitfield"),
        ("S03-16", "Csenge Kőműves", "Tom Whitfield"),
        ("S03-17", "Jürgen Großmann", "Rachel Adeyemi"),
        ("S03-18", "Þórdís Guðmundsdóttir", "Rachel Adeyemi"),
        ("S03-19", "Søren Kjærgaard", "Rachel Adeyemi"),
        ("S03-20", "Bénédicte Cœurdevey", "Rachel Adeyemi"),
        ("S03-21", "Ġorġ Ħabela", "Rachel Adeyemi"),
        ("S03-22", "Σοφία Παπαδοπούλου", "Rachel Adeyemi"),
        ("S03-23", "Андрей Кузнецов", "Rachel Adeyemi"),
        ("S03-24", "王芳", "Rachel Adeyemi"),
    ];
    for (record, name, interviewer) in more {
        ids.people.push(person(record, name, interviewer, ""));
    }
    ids
}

pub(crate) fn identifiers() -> Vec<IdentifierEntry> {
    [
        ("ward", "Bell Ward", "[ward]"),
        ("person", "Okafor", "[consultant]"),
        ("place", "Lewisham", "[borough]"),
        ("organisation", "Mind in Northgate", "[organisation]"),
        ("team", "Crisis Resolution Team North", "[team]"),
        ("place", "Fairfield Road", "[street]"),
    ]
    .into_iter()
    .map(|(kind, text, replacement)| IdentifierEntry {
        kind: kind.into(),
        text: text.into(),
        replacement: replacement.into(),
    })
    .collect()
}

pub(crate) fn site(id: &str, name: &str, label: &str, sector: Sector) -> Site {
    Site {
        site_id: id.into(),
        site_name: name.into(),
        label: label.into(),
        sector,
        partnership: false,
        bme_focus: false,
        region: "London".into(),
        wave: 1,
        model: "peer support workers in community teams".into(),
    }
}

pub(crate) fn sites() -> Vec<Site> {
    vec![
        site(
            "S01",
            "Riverside Recovery College",
            "Site A",
            Sector::Statutory,
        ),
        site(
            "S02",
            "Eastfield Peer Support Hub",
            "Site B",
            Sector::Voluntary,
        ),
        site("S03", "St Brigid's Hospital", "Site C", Sector::Statutory),
    ]
}
