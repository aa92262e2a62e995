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
    /// Whether a field's values are choice codes (dropdown or radio).
    pub fn is_coded(&self) -> bool {
        matches!(self.field_type, FieldType::Dropdown | FieldType::Radio)
    }
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
