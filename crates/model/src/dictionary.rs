//! A REDCap data dictionary: the 18 columns of REDCap's "Data Dictionary"
//! export, one [`Field`] per row. The dictionary drives ingest and
//! validation: no field list is written in code that the dictionary gives.

/// The 18 column headers of a REDCap data dictionary, in order.
pub const DICTIONARY_COLUMNS: [&str; 18] = [
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
];

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldType {
    Text,
    Notes,
    Dropdown,
    Radio,
    Checkbox,
    YesNo,
    TrueFalse,
    Calc,
    Slider,
    Descriptive,
    File,
    Sql,
}

impl FieldType {
    pub fn parse(s: &str) -> Option<FieldType> {
        Some(match s {
            "text" => FieldType::Text,
            "notes" => FieldType::Notes,
            "dropdown" => FieldType::Dropdown,
            "radio" => FieldType::Radio,
            "checkbox" => FieldType::Checkbox,
            "yesno" => FieldType::YesNo,
            "truefalse" => FieldType::TrueFalse,
            "calc" => FieldType::Calc,
            "slider" => FieldType::Slider,
            "descriptive" => FieldType::Descriptive,
            "file" => FieldType::File,
            "sql" => FieldType::Sql,
            _ => return None,
        })
    }
}

/// Text validation of a `text` field (`Text Validation Type`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Validation {
    None,
    Integer,
    Number,
    DateDmy,
    DateMdy,
    DateYmd,
    Email,
    /// A validation type crosscase does not check, kept by name.
    Other(String),
}

impl Validation {
    pub fn parse(s: &str) -> Validation {
        match s {
            "" => Validation::None,
            "integer" => Validation::Integer,
            "number" => Validation::Number,
            "date_dmy" => Validation::DateDmy,
            "date_mdy" => Validation::DateMdy,
            "date_ymd" => Validation::DateYmd,
            "email" => Validation::Email,
            other => Validation::Other(other.to_string()),
        }
    }
    pub fn is_date(&self) -> bool {
        matches!(
            self,
            Validation::DateDmy | Validation::DateMdy | Validation::DateYmd
        )
    }
}

/// One choice of a dropdown or radio field: `code, label`, split on the first comma.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub code: String,
    pub label: String,
}

/// One row of the data dictionary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub form: String,
    pub section_header: String,
    pub field_type: FieldType,
    pub label: String,
    pub choices: Vec<Choice>,
    pub note: String,
    pub validation: Validation,
    pub min: Option<String>,
    pub max: Option<String>,
    /// `Identifier?` = y: dropped before anything is written.
    pub identifier: bool,
    pub branching: String,
    pub required: bool,
    pub alignment: String,
    pub question_number: String,
    pub matrix_group: String,
    pub matrix_ranking: bool,
    pub annotation: String,
    /// The 1-based line of this field in the dictionary file.
    pub line: u32,
    /// Line and column of the field's choices cell, for messages about them.
    pub choices_at: (u32, u32),
}

impl Field {
    pub fn choice(&self, code: &str) -> Option<&Choice> {
        self.choices.iter().find(|c| c.code == code)
    }
    /// The choice whose code is this number (`1`, ` 01` and `1` alike).
    pub fn numbered_choice(&self, code: i64) -> Option<&Choice> {
        self.choices
            .iter()
            .find(|c| c.code.trim().parse::<i64>() == Ok(code))
    }
    /// A dropdown field with these `(code, label)` choices and nothing
    /// else set: a dictionary built in code rather than read.
    pub fn dropdown(name: &str, label: &str, choices: &[(&str, &str)]) -> Field {
        Field {
            name: name.to_string(),
            form: String::new(),
            section_header: String::new(),
            field_type: FieldType::Dropdown,
            label: label.to_string(),
            choices: choices
                .iter()
                .map(|(code, label)| Choice {
                    code: code.to_string(),
                    label: label.to_string(),
                })
                .collect(),
            note: String::new(),
            validation: Validation::None,
            min: None,
            max: None,
            identifier: false,
            branching: String::new(),
            required: false,
            alignment: String::new(),
            question_number: String::new(),
            matrix_group: String::new(),
            matrix_ranking: false,
            annotation: String::new(),
            line: 0,
            choices_at: (0, 0),
        }
    }
    /// A checkbox field (tick all that apply) with these `(code, label)`
    /// choices, built in code as [`Field::dropdown`] is.
    pub fn checkbox(name: &str, label: &str, choices: &[(&str, &str)]) -> Field {
        Field {
            field_type: FieldType::Checkbox,
            ..Field::dropdown(name, label, choices)
        }
    }
    /// Whether a field's values are choice codes (dropdown or radio).
    pub fn is_coded(&self) -> bool {
        matches!(self.field_type, FieldType::Dropdown | FieldType::Radio)
    }
    /// Whether a field is a checkbox (tick all that apply): exported as one
    /// column per choice, [`checkbox_column`].
    pub fn is_checkbox(&self) -> bool {
        self.field_type == FieldType::Checkbox
    }
    /// Each choice of a checkbox field with the export column it is read
    /// from, in dictionary order (none for any other field).
    pub fn checkbox_columns(&self) -> Vec<(&Choice, String)> {
        if !self.is_checkbox() {
            return Vec::new();
        }
        self.choices
            .iter()
            .map(|c| (c, checkbox_column(&self.name, &c.code)))
            .collect()
    }
}

/// The export column of one choice of a checkbox field, as REDCap names
/// it: `<field>___<code>`, the code with `-` and `.` as `_`, lower case,
/// anything but `a-z`, `0-9` and `_` left out (`-1` is `<field>____1`,
/// `A` is `<field>___a`).
pub fn checkbox_column(field: &str, code: &str) -> String {
    let code: String = code
        .trim()
        .replace(['-', '.'], "_")
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_')
        .collect();
    format!("{field}___{code}")
}

/// The columns REDCap adds to a "CSV (raw data)" export besides the
/// fields, in the order it writes them after the record id.
pub mod redcap {
    /// Longitudinal projects: the record's event (`baseline_arm_1`).
    pub const EVENT_NAME: &str = "redcap_event_name";
    /// Repeating instruments and events.
    pub const REPEAT_INSTRUMENT: &str = "redcap_repeat_instrument";
    pub const REPEAT_INSTANCE: &str = "redcap_repeat_instance";
    /// Projects with Data Access Groups: the group's unique name. Often a
    /// service's real name: identifying, never published.
    pub const DATA_ACCESS_GROUP: &str = "redcap_data_access_group";
    /// Survey projects: who the survey was sent to, often an email address.
    pub const SURVEY_IDENTIFIER: &str = "redcap_survey_identifier";
    /// Survey projects: `<instrument>_timestamp`, when the survey was
    /// completed (`2024-03-05 14:22:10`, `[not completed]` or empty).
    pub const TIMESTAMP_SUFFIX: &str = "_timestamp";
    /// `<instrument>_complete`: 0 incomplete, 1 unverified, 2 complete.
    pub const COMPLETE_SUFFIX: &str = "_complete";
}

/// A parsed data dictionary, fields in dictionary order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Dictionary {
    /// Where it was read from, as shown in diagnostics.
    pub path: String,
    pub fields: Vec<Field>,
}

impl Dictionary {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }
    /// The instruments (forms) in dictionary order, each once.
    pub fn forms(&self) -> Vec<&str> {
        let mut forms: Vec<&str> = Vec::new();
        for f in &self.fields {
            if !forms.contains(&f.form.as_str()) {
                forms.push(&f.form);
            }
        }
        forms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkbox_columns_are_named_as_redcap_exports_them() {
        assert_eq!(checkbox_column("setting", "1"), "setting___1");
        assert_eq!(checkbox_column("setting", "-1"), "setting____1");
        assert_eq!(checkbox_column("setting", "A"), "setting___a");
        assert_eq!(checkbox_column("setting", "1.5"), "setting___1_5");
        assert_eq!(checkbox_column("setting", " ward "), "setting___ward");
        assert_eq!(checkbox_column("setting", "é-2"), "setting____2");
        let dropdown = Field::dropdown("setting", "Where", &[("1", "Ward"), ("-9", "Other")]);
        assert!(
            dropdown.checkbox_columns().is_empty(),
            "a dropdown has none"
        );
        let field = Field::checkbox("setting", "Where", &[("1", "Ward"), ("-9", "Other")]);
        let columns: Vec<(&str, String)> = field
            .checkbox_columns()
            .into_iter()
            .map(|(c, col)| (c.label.as_str(), col))
            .collect();
        assert_eq!(
            columns,
            [
                ("Ward", "setting___1".to_string()),
                ("Other", "setting____9".to_string())
            ]
        );
    }
}
