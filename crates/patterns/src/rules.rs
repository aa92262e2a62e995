//! The decision rules, as small total functions over enums: the only place
//! where a count becomes a verdict. Every `match` here is exhaustive, so a
//! combination without a value does not compile.

use crate::settings::Share;

/// The verdict of a set of answers on a three-valued scale
/// (in place / partly / not in place, or yes / partly / no).
///
/// Rule (`condition_share` = s, `condition_min_valid` = m), with
/// valid = the answers on the scale (don't know and missing excluded):
/// 1. valid < max(m, 1)                      => `Unknown`
/// 2. two or more values share the top count => `Contested`
/// 3. the modal count >= s x valid (exactly) => `Mode(value)`
/// 4. otherwise                              => `Contested`
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// Index of the modal value: 0 first (in place / yes), 1 partly,
    /// 2 last (not in place / no).
    Mode(u8),
    Contested,
    Unknown,
}

pub fn verdict(counts: [u32; 3], share: Share, min_valid: u32) -> Verdict {
    let valid: u32 = counts.iter().fold(0u32, |a, &c| a.saturating_add(c));
    if valid < min_valid.max(1) {
        return Verdict::Unknown;
    }
    let top = counts.iter().copied().max().unwrap_or(0);
    let mut modes = counts.iter().enumerate().filter(|(_, c)| **c == top);
    let Some((mode, _)) = modes.next() else {
        return Verdict::Unknown;
    };
    if modes.next().is_some() {
        return Verdict::Contested;
    }
    if share.reached(top, valid) {
        Verdict::Mode(mode as u8)
    } else {
        Verdict::Contested
    }
}

/// A site's condition for one factor (`pattern_matrix.condition`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Condition {
    InPlace,
    Partly,
    NotInPlace,
    Contested,
    Unknown,
}

impl Condition {
    pub const ALL: [Condition; 5] = [
        Condition::InPlace,
        Condition::Partly,
        Condition::NotInPlace,
        Condition::Contested,
        Condition::Unknown,
    ];

    pub fn from_verdict(v: Verdict) -> Condition {
        match v {
            Verdict::Mode(0) => Condition::InPlace,
            Verdict::Mode(1) => Condition::Partly,
            Verdict::Mode(_) => Condition::NotInPlace,
            Verdict::Contested => Condition::Contested,
            Verdict::Unknown => Condition::Unknown,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            Condition::InPlace => "in_place",
            Condition::Partly => "partly",
            Condition::NotInPlace => "not_in_place",
            Condition::Contested => "contested",
            Condition::Unknown => "unknown",
        }
    }
    pub fn from_code(code: &str) -> Option<Condition> {
        Condition::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// A site's outcome condition (`outcome_summary.condition`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OutcomeCondition {
    Present,
    Partly,
    Absent,
    Contested,
    Unknown,
}

impl OutcomeCondition {
    pub const ALL: [OutcomeCondition; 5] = [
        OutcomeCondition::Present,
        OutcomeCondition::Partly,
        OutcomeCondition::Absent,
        OutcomeCondition::Contested,
        OutcomeCondition::Unknown,
    ];
    pub fn from_verdict(v: Verdict) -> OutcomeCondition {
        match v {
            Verdict::Mode(0) => OutcomeCondition::Present,
            Verdict::Mode(1) => OutcomeCondition::Partly,
            Verdict::Mode(_) => OutcomeCondition::Absent,
            Verdict::Contested => OutcomeCondition::Contested,
            Verdict::Unknown => OutcomeCondition::Unknown,
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            OutcomeCondition::Present => "present",
            OutcomeCondition::Partly => "partly",
            OutcomeCondition::Absent => "absent",
            OutcomeCondition::Contested => "contested",
            OutcomeCondition::Unknown => "unknown",
        }
    }
    pub fn from_code(code: &str) -> Option<OutcomeCondition> {
        OutcomeCondition::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// What a site's documents say about a factor (`pattern_matrix.doc_status`).
///
/// Rule, over every evidence item of the site's documents for the factor
/// (items with a null status are not items):
/// no items => `NoEvidence`; any addressed => `Addressed`; else any
/// partly => `Partly`; else `NotAddressed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DocStatus {
    Addressed,
    Partly,
    NotAddressed,
    NoEvidence,
}

impl DocStatus {
    pub const ALL: [DocStatus; 4] = [
        DocStatus::Addressed,
        DocStatus::Partly,
        DocStatus::NotAddressed,
        DocStatus::NoEvidence,
    ];

    /// Fold counts of items addressed, partly, not addressed.
    pub fn from_counts(addressed: u32, partly: u32, not_addressed: u32) -> DocStatus {
        if addressed > 0 {
            DocStatus::Addressed
        } else if partly > 0 {
            DocStatus::Partly
        } else if not_addressed > 0 {
            DocStatus::NotAddressed
        } else {
            DocStatus::NoEvidence
        }
    }
    pub fn code(self) -> &'static str {
        match self {
            DocStatus::Addressed => "addressed",
            DocStatus::Partly => "partly",
            DocStatus::NotAddressed => "not_addressed",
            DocStatus::NoEvidence => "no_evidence",
        }
    }
}

/// Model fidelity: documents (what was intended) against interviews (what
/// is in place). `pattern_matrix.fidelity`.
///
/// | condition \ doc_status | addressed    | partly       | not_addressed         | no_evidence           |
/// |------------------------|--------------|--------------|-----------------------|-----------------------|
/// | in_place               | consistent   | mixed        | undocumented_practice | undocumented_practice |
/// | partly                 | mixed        | consistent   | mixed                 | no_evidence           |
/// | not_in_place           | fidelity_gap | fidelity_gap | consistent            | no_evidence           |
/// | contested              | mixed        | mixed        | mixed                 | no_evidence           |
/// | unknown                | no_evidence  | no_evidence  | no_evidence           | no_evidence           |
///
/// Reading: `consistent` when documents and practice are at the same level
/// (full, partial, none); `fidelity_gap` when documents intend the condition
/// (fully or partly) and interviewees say it is not in place;
/// `undocumented_practice` when it is in place but no document addresses it;
/// `mixed` for every other comparison where both sides have evidence;
/// `no_evidence` when there is nothing to compare: the interviews give no
/// known condition, or no document speaks of the factor and practice is
/// not clearly in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Fidelity {
    Consistent,
    FidelityGap,
    UndocumentedPractice,
    Mixed,
    NoEvidence,
}

impl Fidelity {
    pub fn code(self) -> &'static str {
        match self {
            Fidelity::Consistent => "consistent",
            Fidelity::FidelityGap => "fidelity_gap",
            Fidelity::UndocumentedPractice => "undocumented_practice",
            Fidelity::Mixed => "mixed",
            Fidelity::NoEvidence => "no_evidence",
        }
    }
}

pub fn fidelity(condition: Condition, doc: DocStatus) -> Fidelity {
    use Condition as C;
    use DocStatus as D;
    use Fidelity as F;
    match (condition, doc) {
        (C::Unknown, _) => F::NoEvidence,
        (C::InPlace, D::Addressed) => F::Consistent,
        (C::InPlace, D::Partly) => F::Mixed,
        (C::InPlace, D::NotAddressed | D::NoEvidence) => F::UndocumentedPractice,
        (C::Partly, D::Partly) => F::Consistent,
        (C::Partly, D::Addressed | D::NotAddressed) => F::Mixed,
        (C::NotInPlace, D::Addressed | D::Partly) => F::FidelityGap,
        (C::NotInPlace, D::NotAddressed) => F::Consistent,
        (C::Contested, D::Addressed | D::Partly | D::NotAddressed) => F::Mixed,
        (C::Partly | C::NotInPlace | C::Contested, D::NoEvidence) => F::NoEvidence,
    }
}

/// How a factor replicates across sectors (`replication.classification`).
///
/// With s = `replication_share`, and per sector the sites with a known
/// condition (not `unknown`) as n and those `in_place` as k:
/// high = n > 0 and k >= s x n; low = n > 0 and k <= (1 - s) x n.
/// First match wins:
/// 1. n = 0 in either sector                 => `Insufficient`
/// 2. high in both                           => `Generic`
/// 3. high statutory, low voluntary          => `StatutorySpecific`
/// 4. high voluntary, low statutory          => `VoluntarySpecific`
/// 5. low in both                            => `NotReplicated`
/// 6. otherwise                              => `Mixed`
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Classification {
    Generic,
    StatutorySpecific,
    VoluntarySpecific,
    Mixed,
    NotReplicated,
    Insufficient,
}

impl Classification {
    pub fn code(self) -> &'static str {
        match self {
            Classification::Generic => "generic",
            Classification::StatutorySpecific => "statutory_specific",
            Classification::VoluntarySpecific => "voluntary_specific",
            Classification::Mixed => "mixed",
            Classification::NotReplicated => "not_replicated",
            Classification::Insufficient => "insufficient",
        }
    }
}

/// `(in_place, known)` per sector to a classification; see [`Classification`].
pub fn classify(statutory: (u32, u32), voluntary: (u32, u32), share: Share) -> Classification {
    let (sk, sn) = statutory;
    let (vk, vn) = voluntary;
    if sn == 0 || vn == 0 {
        return Classification::Insufficient;
    }
    let high = |k, n| share.reached(k, n);
    let low = |k, n| share.at_most_complement(k, n);
    if high(sk, sn) && high(vk, vn) {
        Classification::Generic
    } else if high(sk, sn) && low(vk, vn) {
        Classification::StatutorySpecific
    } else if high(vk, vn) && low(sk, sn) {
        Classification::VoluntarySpecific
    } else if low(sk, sn) && low(vk, vn) {
        Classification::NotReplicated
    } else {
        Classification::Mixed
    }
}
