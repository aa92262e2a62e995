//! Coded values of the interview data sheet: the codes crosscase gives
//! meaning to. What people read for each code is the study's own word
//! ([`crate::Labels`]); the [`Scale`]s here say which codes a study's
//! dictionary must define, and `validate` checks that it does.

/// REDCap missing-data code: the participant declined to answer.
pub const MISSING_DECLINED: i64 = -98;
/// REDCap missing-data code: the question was not asked.
pub const MISSING_NOT_ASKED: i64 = -99;

/// Stakeholder group (`stakeholder_group` in the interview dictionary).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Group {
    PeerWorker,
    Professional,
    ServiceUser,
    TeamManager,
    SeniorManager,
}

impl Group {
    pub const ALL: [Group; 5] = [
        Group::PeerWorker,
        Group::Professional,
        Group::ServiceUser,
        Group::TeamManager,
        Group::SeniorManager,
    ];

    /// The code used in every output table.
    pub fn code(self) -> &'static str {
        match self {
            Group::PeerWorker => "peer_worker",
            Group::Professional => "professional",
            Group::ServiceUser => "service_user",
            Group::TeamManager => "team_manager",
            Group::SeniorManager => "senior_manager",
        }
    }

    /// The REDCap choice code (1-5) of `stakeholder_group`.
    pub fn redcap(self) -> i64 {
        match self {
            Group::PeerWorker => 1,
            Group::Professional => 2,
            Group::ServiceUser => 3,
            Group::TeamManager => 4,
            Group::SeniorManager => 5,
        }
    }

    /// The group of a REDCap choice code of `stakeholder_group`.
    pub fn from_redcap(code: i64) -> Option<Group> {
        Group::ALL.into_iter().find(|g| g.redcap() == code)
    }

    pub fn from_code(code: &str) -> Option<Group> {
        Group::ALL.into_iter().find(|g| g.code() == code)
    }

    /// Team and senior managers, pooled where the pipeline asks for managers.
    pub fn is_manager(self) -> bool {
        matches!(self, Group::TeamManager | Group::SeniorManager)
    }
}

/// Sector of a case study site (`sector` in `sites.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Sector {
    Statutory,
    Voluntary,
}

impl Sector {
    pub const ALL: [Sector; 2] = [Sector::Statutory, Sector::Voluntary];
    pub fn code(self) -> &'static str {
        match self {
            Sector::Statutory => "statutory",
            Sector::Voluntary => "voluntary",
        }
    }
    pub fn from_code(code: &str) -> Option<Sector> {
        Sector::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// Pattern-matching answer (`pm_*`): is the condition in place at this service?
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PatternAnswer {
    InPlace = 1,
    Partly = 2,
    NotInPlace = 3,
    DontKnow = 9,
}

impl PatternAnswer {
    pub fn from_redcap(code: i64) -> Option<Self> {
        Some(match code {
            1 => Self::InPlace,
            2 => Self::Partly,
            3 => Self::NotInPlace,
            9 => Self::DontKnow,
            _ => return None,
        })
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::InPlace => "in_place",
            Self::Partly => "partly",
            Self::NotInPlace => "not_in_place",
            Self::DontKnow => "dont_know",
        }
    }
}

/// Direction (`dir_*`): was the factor a facilitator or a barrier?
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    Facilitator = 1,
    Barrier = 2,
    Both = 3,
    Neither = 4,
}

impl Direction {
    pub const ALL: [Direction; 4] = [Self::Facilitator, Self::Barrier, Self::Both, Self::Neither];
    pub fn from_redcap(code: i64) -> Option<Self> {
        Some(match code {
            1 => Self::Facilitator,
            2 => Self::Barrier,
            3 => Self::Both,
            4 => Self::Neither,
            _ => return None,
        })
    }
    pub fn code(self) -> &'static str {
        match self {
            Self::Facilitator => "facilitator",
            Self::Barrier => "barrier",
            Self::Both => "both",
            Self::Neither => "neither",
        }
    }
}

/// Outcome answer (`out_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OutcomeAnswer {
    Yes = 1,
    Partly = 2,
    No = 3,
    DontKnow = 9,
}

impl OutcomeAnswer {
    pub fn from_redcap(code: i64) -> Option<Self> {
        Some(match code {
            1 => Self::Yes,
            2 => Self::Partly,
            3 => Self::No,
            9 => Self::DontKnow,
            _ => return None,
        })
    }
}

/// Evidence status of a document item (`ev_status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocStatus {
    Addressed = 1,
    Partly = 2,
    NotAddressed = 3,
}

impl DocStatus {
    pub fn from_redcap(code: i64) -> Option<Self> {
        Some(match code {
            1 => Self::Addressed,
            2 => Self::Partly,
            3 => Self::NotAddressed,
            _ => return None,
        })
    }
}

/// The codes of a coded field that crosscase gives meaning to: its data
/// dictionary field must define exactly these choices (any wording).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scale {
    /// What the codes are, for messages (`the protocol's five stakeholder groups`).
    pub name: &'static str,
    /// Each code and what crosscase reads it as.
    pub codes: &'static [(i64, &'static str)],
}

impl Scale {
    /// `1 (peer worker), 2 (professional), ...`: the codes in a message.
    pub fn describe(&self) -> String {
        self.codes
            .iter()
            .map(|(code, meaning)| format!("{code} ({meaning})"))
            .collect::<Vec<_>>()
            .join(", ")
    }
    pub fn meaning(&self, code: i64) -> Option<&'static str> {
        self.codes.iter().find(|c| c.0 == code).map(|c| c.1)
    }
}

/// `stakeholder_group`: the protocol's five groups ([`Group::redcap`]).
pub const STAKEHOLDER_GROUPS: Scale = Scale {
    name: "the protocol's five stakeholder groups",
    codes: &[
        (1, "peer worker"),
        (2, "professional"),
        (3, "service user"),
        (4, "team manager"),
        (5, "senior manager"),
    ],
};
/// `pm_<factor>` ([`PatternAnswer`]).
pub const PATTERN_ANSWERS: Scale = Scale {
    name: "the pattern-matching answers",
    codes: &[
        (1, "in place"),
        (2, "partly in place"),
        (3, "not in place"),
        (9, "don't know"),
    ],
};
/// `imp_<factor>`: importance, rated 1 to 5.
pub const IMPORTANCE: Scale = Scale {
    name: "the importance ratings",
    codes: &[
        (1, "not at all important"),
        (2, "slightly important"),
        (3, "moderately important"),
        (4, "very important"),
        (5, "extremely important"),
    ],
};
/// `dir_<factor>` ([`Direction`]).
pub const DIRECTIONS: Scale = Scale {
    name: "the directions",
    codes: &[
        (1, "facilitator"),
        (2, "barrier"),
        (3, "both"),
        (4, "neither"),
    ],
};
/// The framework's outcome fields ([`OutcomeAnswer`]).
pub const OUTCOME_ANSWERS: Scale = Scale {
    name: "the outcome answers",
    codes: &[(1, "yes"), (2, "partly"), (3, "no"), (9, "don't know")],
};
/// `ev_status` of the document dictionary ([`DocStatus`]).
pub const DOCUMENT_STATUSES: Scale = Scale {
    name: "the document statuses",
    codes: &[
        (1, "addressed"),
        (2, "partly addressed"),
        (3, "not addressed"),
    ],
};

/// The missing-data codes, valid in any field without being a choice.
pub const MISSING_CODES: Scale = Scale {
    name: "the missing-data codes",
    codes: &[
        (MISSING_DECLINED, "declined"),
        (MISSING_NOT_ASKED, "not asked"),
    ],
};

/// The demographic fields of the interview dictionary, in the order the
/// demographics table counts them: coded choices the study words as it
/// likes, with any codes from 0 to 127 (the `participants` columns are
/// `Int8`).
pub const DEMOGRAPHIC_FIELDS: [&str; 3] = ["age_band", "gender", "ethnicity"];

#[cfg(test)]
mod tests {
    use super::*;

    /// The scales that messages and `validate` use agree with the codes
    /// that ingest and the analyses read.
    #[test]
    fn scales_say_what_the_types_read() {
        let codes = |s: &Scale| s.codes.iter().map(|c| c.0).collect::<Vec<_>>();
        for code in -100..100 {
            assert_eq!(
                Group::from_redcap(code).is_some(),
                codes(&STAKEHOLDER_GROUPS).contains(&code)
            );
            assert_eq!(
                PatternAnswer::from_redcap(code).is_some(),
                codes(&PATTERN_ANSWERS).contains(&code)
            );
            assert_eq!(
                Direction::from_redcap(code).is_some(),
                codes(&DIRECTIONS).contains(&code)
            );
            assert_eq!(
                OutcomeAnswer::from_redcap(code).is_some(),
                codes(&OUTCOME_ANSWERS).contains(&code)
            );
            assert_eq!(
                DocStatus::from_redcap(code).is_some(),
                codes(&DOCUMENT_STATUSES).contains(&code)
            );
        }
        for g in Group::ALL {
            assert_eq!(
                STAKEHOLDER_GROUPS.meaning(g.redcap()),
                Some(g.code().replace('_', " ").as_str())
            );
        }
        assert_eq!(
            STAKEHOLDER_GROUPS.describe(),
            "1 (peer worker), 2 (professional), 3 (service user), 4 (team manager), 5 (senior manager)"
        );
    }
}
