//! Coded values of the interview data sheet, named as the study names them.

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

    /// A label for people reading the report.
    pub fn label(self) -> &'static str {
        match self {
            Group::PeerWorker => "Peer workers",
            Group::Professional => "Professionals",
            Group::ServiceUser => "Service users",
            Group::TeamManager => "Team managers",
            Group::SeniorManager => "Senior managers",
        }
    }

    /// The REDCap choice code (1-5) of `stakeholder_group`.
    pub fn from_redcap(code: i64) -> Option<Group> {
        Some(match code {
            1 => Group::PeerWorker,
            2 => Group::Professional,
            3 => Group::ServiceUser,
            4 => Group::TeamManager,
            5 => Group::SeniorManager,
            _ => return None,
        })
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
