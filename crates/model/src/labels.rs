//! What people read for each code: the study's own words, from its
//! interview dictionary and framework, never a copy compiled in.
//!
//! Codes never change (the `group` column says `peer_worker` whatever a
//! study calls its peer workers); only the words shown for them do. The
//! pipeline builds [`Labels`] once from the parsed study and hands it to
//! every stage that writes words: demographics, quote labels, the reports
//! and the workbook's `About` sheet.

use crate::framework::{GroupName, MANAGERS};
use crate::vocab::{DEMOGRAPHIC_FIELDS, OUTCOME_ANSWERS, PATTERN_ANSWERS};
use crate::{Dictionary, Framework, Group, OutcomeAnswer, PatternAnswer, Scale};

/// The field of the interview dictionary that gives the stakeholder group.
pub const STAKEHOLDER_GROUP: &str = "stakeholder_group";

/// The demographics table's category of a missing answer.
pub const NOT_RECORDED: &str = "Not recorded";

/// A demographic characteristic as the study's dictionary words it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Characteristic {
    /// The dictionary field, also the `participants` column (`gender`).
    pub field: String,
    /// The field's label (`Gender`).
    pub label: String,
    /// Each choice's code and label, in dictionary order.
    pub choices: Vec<(i8, String)>,
}

/// A checkbox field (tick all that apply) as the study's dictionary words
/// it: each choice is a yes/no characteristic of the demographics table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Checkbox {
    /// The dictionary field (`work_settings`).
    pub field: String,
    /// The field's label.
    pub label: String,
    /// Each choice, in dictionary order.
    pub choices: Vec<CheckboxChoice>,
}

/// One choice of a [`Checkbox`] field.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckboxChoice {
    /// The dictionary's code (`1`, `ward`), as the `checkboxes` table holds it.
    pub code: String,
    /// Its export column, `<field>___<code>` as REDCap names it
    /// ([`crate::dictionary::checkbox_column`]): the demographics table's
    /// characteristic.
    pub column: String,
    pub label: String,
}

/// The three ways a stakeholder group is named.
#[derive(Debug, Clone, PartialEq, Eq)]
struct GroupWords {
    /// The group, as a row or a bar of the report names it.
    label: String,
    /// One of its members, as a quote's label names them.
    member: String,
    /// The instrument's own choice label (value labels of the workbook).
    choice: String,
}

/// The study's words for the codes crosscase publishes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Labels {
    /// In [`Group::ALL`] order.
    groups: Vec<GroupWords>,
    managers: String,
    group_field: String,
    characteristics: Vec<Characteristic>,
    checkboxes: Vec<Checkbox>,
    pattern_answers: Vec<(i64, String)>,
    outcome_answers: Vec<(i64, String)>,
}

impl Default for Labels {
    /// Without a dictionary: each code in words (`peer worker`).
    fn default() -> Self {
        Labels::build(&Dictionary::default(), &[], None, None)
    }
}

/// `peer_worker` -> `peer worker`: what is shown when a study gives no word.
fn in_words(code: &str) -> String {
    code.replace('_', " ")
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Each code of a scale as a coded field words it (the scale's own
/// meaning where the field has no such choice).
fn worded(dictionary: &Dictionary, field: Option<&str>, scale: &Scale) -> Vec<(i64, String)> {
    let field = field.and_then(|name| dictionary.field(name));
    scale
        .codes
        .iter()
        .map(|(code, meaning)| {
            let label = field
                .and_then(|f| f.numbered_choice(*code))
                .map_or_else(|| capitalised(meaning), |c| c.label.clone());
            (*code, label)
        })
        .collect()
}

impl Labels {
    /// The study's words: group labels from the framework's `[[group]]`
    /// entries, else the dictionary's `stakeholder_group` choices;
    /// demographic categories, pattern-matching and outcome answers from
    /// the dictionary's choices.
    pub fn new(dictionary: &Dictionary, framework: &Framework) -> Labels {
        let pattern_field = framework
            .factors
            .iter()
            .map(|f| format!("pm_{}", f.code))
            .find(|name| dictionary.field(name).is_some());
        let outcome_field = framework
            .outcomes
            .iter()
            .map(|o| o.code.as_str())
            .find(|name| dictionary.field(name).is_some());
        Labels::build(
            dictionary,
            &framework.groups,
            pattern_field.as_deref(),
            outcome_field,
        )
    }

    fn build(
        dictionary: &Dictionary,
        names: &[GroupName],
        pattern_field: Option<&str>,
        outcome_field: Option<&str>,
    ) -> Labels {
        let field = dictionary.field(STAKEHOLDER_GROUP);
        let named = |code: &str| names.iter().find(|n| n.code == code);
        let groups: Vec<GroupWords> = Group::ALL
            .iter()
            .map(|g| {
                let choice = field
                    .and_then(|f| f.numbered_choice(g.redcap()))
                    .map(|c| c.label.clone())
                    .unwrap_or_else(|| capitalised(&in_words(g.code())));
                let name = named(g.code());
                GroupWords {
                    label: name.map_or_else(|| choice.clone(), |n| n.label.clone()),
                    member: name
                        .and_then(|n| n.member.clone())
                        .unwrap_or_else(|| choice.clone()),
                    choice,
                }
            })
            .collect();
        let index = |g: Group| Group::ALL.iter().position(|x| *x == g).unwrap_or(0);
        let managers = match named(MANAGERS) {
            Some(n) => n.label.clone(),
            None => format!(
                "{} and {}, pooled",
                groups[index(Group::TeamManager)].label,
                groups[index(Group::SeniorManager)].label
            ),
        };
        let characteristics = DEMOGRAPHIC_FIELDS
            .iter()
            .map(|name| {
                let f = dictionary.field(name);
                Characteristic {
                    field: name.to_string(),
                    label: f.map_or_else(|| capitalised(&in_words(name)), |f| f.label.clone()),
                    choices: f
                        .map(|f| {
                            f.choices
                                .iter()
                                .filter_map(|c| {
                                    Some((c.code.trim().parse::<i8>().ok()?, c.label.clone()))
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                }
            })
            .collect();
        let checkboxes = dictionary
            .fields
            .iter()
            .filter(|f| f.is_checkbox())
            .map(|f| Checkbox {
                field: f.name.clone(),
                label: f.label.clone(),
                choices: f
                    .checkbox_columns()
                    .into_iter()
                    .map(|(c, column)| CheckboxChoice {
                        code: c.code.clone(),
                        column,
                        label: c.label.clone(),
                    })
                    .collect(),
            })
            .collect();
        Labels {
            groups,
            managers,
            group_field: field.map_or_else(|| "Stakeholder group".to_string(), |f| f.label.clone()),
            characteristics,
            checkboxes,
            pattern_answers: worded(dictionary, pattern_field, &PATTERN_ANSWERS),
            outcome_answers: worded(dictionary, outcome_field, &OUTCOME_ANSWERS),
        }
    }

    fn words(&self, g: Group) -> &GroupWords {
        let i = Group::ALL.iter().position(|x| *x == g).unwrap_or(0);
        &self.groups[i]
    }

    /// The group as the report names it (`Peer workers`).
    pub fn group(&self, g: Group) -> &str {
        &self.words(g).label
    }

    /// One member of the group, as a quote's label names them (`peer worker`).
    pub fn member(&self, g: Group) -> &str {
        &self.words(g).member
    }

    /// The interview dictionary's choice label of the group (`Peer worker`).
    pub fn group_choice(&self, g: Group) -> &str {
        &self.words(g).choice
    }

    /// Team and senior managers pooled.
    pub fn managers(&self) -> &str {
        &self.managers
    }

    /// The report's label of a group code, `managers` included.
    pub fn group_code(&self, code: &str) -> Option<&str> {
        match Group::from_code(code) {
            Some(g) => Some(self.group(g)),
            None if code == MANAGERS => Some(self.managers()),
            None => None,
        }
    }

    /// The label of the `stakeholder_group` field (`Stakeholder group`).
    pub fn group_field(&self) -> &str {
        &self.group_field
    }

    /// The demographic characteristics, in [`DEMOGRAPHIC_FIELDS`] order.
    pub fn characteristics(&self) -> &[Characteristic] {
        &self.characteristics
    }

    /// The interview dictionary's checkbox fields, in dictionary order.
    pub fn checkboxes(&self) -> &[Checkbox] {
        &self.checkboxes
    }

    /// A checkbox choice by its export column (`work_settings___2`): the
    /// field and the choice, as a characteristic of the demographics table.
    pub fn checkbox_choice(&self, column: &str) -> Option<(&Checkbox, &CheckboxChoice)> {
        self.checkboxes.iter().find_map(|f| {
            f.choices
                .iter()
                .find(|c| c.column == column)
                .map(|c| (f, c))
        })
    }

    /// How the dictionary words a pattern-matching answer (`In place`).
    pub fn pattern_answer(&self, answer: PatternAnswer) -> &str {
        label_of(&self.pattern_answers, answer as i64)
    }

    /// How the dictionary words an outcome answer (`Don't know`).
    pub fn outcome_answer(&self, answer: OutcomeAnswer) -> &str {
        label_of(&self.outcome_answers, answer as i64)
    }
}

/// The label of a code among a scale's worded codes (every code is there).
fn label_of(worded: &[(i64, String)], code: i64) -> &str {
    worded
        .iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, label)| label.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Field;

    fn dropdown(name: &str, label: &str, choices: &str) -> Field {
        let choices: Vec<(&str, &str)> = choices
            .split(" | ")
            .map(|c| c.split_once(", ").unwrap())
            .collect();
        Field::dropdown(name, label, &choices)
    }

    fn dictionary() -> Dictionary {
        Dictionary {
            path: "redcap/interview_dictionary.csv".into(),
            fields: vec![
                dropdown(
                    "stakeholder_group",
                    "Role in the service",
                    "1, Peer support worker | 2, Clinician | 3, Person using the service | 4, Team leader | 5, Director",
                ),
                dropdown(
                    "gender",
                    "Gender identity",
                    "1, Female (including trans women) | 2, Male | 9, Another way",
                ),
                dropdown(
                    "ethnicity",
                    "Ethnicity",
                    "1, White | 7, Gypsy, Roma or Irish Traveller",
                ),
                dropdown(
                    "pm_clarity",
                    "In place?",
                    "1, Fully in place | 2, Half in place | 3, Absent | 9, Not sure",
                ),
                dropdown(
                    "out_benefit",
                    "Benefit",
                    "1, Yes indeed | 2, Somewhat | 3, No | 9, ?",
                ),
            ],
        }
    }

    fn framework(groups: &str) -> Framework {
        let text = format!(
            "version = \"1\"\n[[domain]]\ncode = \"d\"\nlabel = \"D\"\n[[factor]]\ncode = \"clarity\"\ndomain = \"d\"\nlabel = \"C\"\ncondition = \"c\"\n[[outcome]]\ncode = \"out_benefit\"\nlabel = \"B\"\nhypothesis = \"h\"\n{groups}"
        );
        Framework::parse(&text, "framework.toml").unwrap()
    }

    #[test]
    fn the_dictionary_names_what_the_framework_does_not() {
        let labels = Labels::new(&dictionary(), &framework(""));
        assert_eq!(labels.group(Group::PeerWorker), "Peer support worker");
        assert_eq!(labels.member(Group::PeerWorker), "Peer support worker");
        assert_eq!(
            labels.group_choice(Group::ServiceUser),
            "Person using the service"
        );
        assert_eq!(labels.managers(), "Team leader and Director, pooled");
        assert_eq!(
            labels.group_code("managers"),
            Some("Team leader and Director, pooled")
        );
        assert_eq!(labels.group_code("professional"), Some("Clinician"));
        assert_eq!(labels.group_code("volunteer"), None);
        assert_eq!(labels.group_field(), "Role in the service");
        let gender = &labels.characteristics()[1];
        assert_eq!(gender.field, "gender");
        assert_eq!(gender.label, "Gender identity");
        assert_eq!(
            gender.choices,
            [
                (1, "Female (including trans women)".to_string()),
                (2, "Male".to_string()),
                (9, "Another way".to_string())
            ]
        );
        assert_eq!(
            labels.characteristics()[2].choices[1],
            (7, "Gypsy, Roma or Irish Traveller".to_string())
        );
        // A field the dictionary lacks has no categories, and its code in words.
        assert_eq!(labels.characteristics()[0].field, "age_band");
        assert_eq!(labels.characteristics()[0].label, "Age band");
        assert!(labels.characteristics()[0].choices.is_empty());
        assert_eq!(
            labels.pattern_answer(PatternAnswer::Partly),
            "Half in place"
        );
        assert_eq!(labels.outcome_answer(OutcomeAnswer::DontKnow), "?");
    }

    #[test]
    fn the_framework_names_groups_for_the_report() {
        let groups = "[[group]]\ncode = \"peer_worker\"\nlabel = \"Peer workers\"\nmember = \"peer worker\"\n\
                      [[group]]\ncode = \"service_user\"\nlabel = \"Service users\"\n\
                      [[group]]\ncode = \"managers\"\nlabel = \"Managers (team and senior)\"\n";
        let labels = Labels::new(&dictionary(), &framework(groups));
        assert_eq!(labels.group(Group::PeerWorker), "Peer workers");
        assert_eq!(labels.member(Group::PeerWorker), "peer worker");
        assert_eq!(
            labels.group_choice(Group::PeerWorker),
            "Peer support worker"
        );
        // No member given: the dictionary's word for one of them.
        assert_eq!(
            labels.member(Group::ServiceUser),
            "Person using the service"
        );
        // Not named by the framework: the dictionary's word.
        assert_eq!(labels.group(Group::TeamManager), "Team leader");
        assert_eq!(labels.managers(), "Managers (team and senior)");
    }

    #[test]
    fn checkbox_fields_are_named_with_their_choices_and_columns() {
        let mut with_checkbox = dictionary();
        let mut settings = dropdown(
            "work_settings",
            "Where do you work?",
            "1, Inpatient ward | -1, Somewhere else | C, Crisis team",
        );
        settings.field_type = crate::FieldType::Checkbox;
        with_checkbox.fields.push(settings);
        let labels = Labels::new(&with_checkbox, &framework(""));
        let [field] = labels.checkboxes() else {
            panic!("one checkbox field: {:?}", labels.checkboxes())
        };
        assert_eq!(field.field, "work_settings");
        assert_eq!(field.label, "Where do you work?");
        let choices: Vec<(&str, &str, &str)> = field
            .choices
            .iter()
            .map(|c| (c.code.as_str(), c.column.as_str(), c.label.as_str()))
            .collect();
        assert_eq!(
            choices,
            [
                ("1", "work_settings___1", "Inpatient ward"),
                ("-1", "work_settings____1", "Somewhere else"),
                ("C", "work_settings___c", "Crisis team")
            ]
        );
        let (f, c) = labels.checkbox_choice("work_settings___c").unwrap();
        assert_eq!(
            (f.field.as_str(), c.label.as_str()),
            ("work_settings", "Crisis team")
        );
        assert!(labels.checkbox_choice("gender").is_none());
        // Dropdowns are not checkboxes.
        assert!(
            Labels::new(&dictionary(), &framework(""))
                .checkboxes()
                .is_empty()
        );
    }

    #[test]
    fn without_a_dictionary_codes_are_shown_in_words() {
        let labels = Labels::default();
        assert_eq!(labels.group(Group::SeniorManager), "Senior manager");
        assert_eq!(labels.member(Group::PeerWorker), "Peer worker");
        assert_eq!(labels.pattern_answer(PatternAnswer::InPlace), "In place");
        assert_eq!(labels.outcome_answer(OutcomeAnswer::DontKnow), "Don't know");
        assert_eq!(labels.group_field(), "Stakeholder group");
    }

    #[test]
    fn a_framework_group_must_be_known_once_and_labelled_apart() {
        for (groups, said, line) in [
            (
                "[[group]]\ncode = \"volunteer\"\nlabel = \"Volunteers\"\n",
                "expected the code of a stakeholder group (peer_worker, professional, service_user, team_manager, senior_manager) or `managers`, found `volunteer`",
                15,
            ),
            (
                "[[group]]\ncode = \"peer_worker\"\nlabel = \"A\"\n[[group]]\ncode = \"peer_worker\"\nlabel = \"B\"\n",
                "found `peer_worker` again",
                18,
            ),
            (
                "[[group]]\ncode = \"peer_worker\"\nlabel = \"A\"\n[[group]]\ncode = \"professional\"\nlabel = \"A\"\n",
                "expected a label no other group has, found `A`",
                18,
            ),
        ] {
            let text = format!(
                "version = \"1\"\n[[domain]]\ncode = \"d\"\nlabel = \"D\"\n[[factor]]\ncode = \"clarity\"\ndomain = \"d\"\nlabel = \"C\"\ncondition = \"c\"\n[[outcome]]\ncode = \"out_benefit\"\nlabel = \"B\"\nhypothesis = \"h\"\n{groups}"
            );
            let d = Framework::parse(&text, "framework.toml").unwrap_err();
            assert!(d.message.contains(said), "{d}");
            assert_eq!(
                (d.file.as_str(), d.line, d.column),
                ("framework.toml", line, 8),
                "{d}"
            );
        }
    }
}
