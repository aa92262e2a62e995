//! Reports people read, rendered from the published tables with minijinja
//! templates kept in this crate's `templates/` folder.
//!
//! The main entry is [`synthesis_markdown`], which takes a [`ReportInput`]:
//! the framework and the result tables as Arrow batches, nothing else. The
//! key design choice: templates see tables only as lists of rows (one JSON
//! object per row, columns by name), so a template can never reach data
//! that was not published, and every number shown is a number of a table,
//! with its `figure_id` beside it.

use std::collections::BTreeMap;

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Float64Type, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use minijinja::{Environment, Value};
use serde::Serialize;
use serde_json::{Map, Value as Json};

use model::Framework;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("template {template}: {message}")]
    Template { template: String, message: String },
}

/// What a report is made from.
pub struct ReportInput<'a> {
    pub study_name: &'a str,
    pub framework: &'a Framework,
    pub min_cell: u32,
    /// The pipeline file's text, shown in the methods section as run.
    pub pipeline_source: &'a str,
    pub pipeline_name: &'a str,
    /// Result tables by name (`ratings_summary`, `top3_frequency`, ...).
    pub tables: BTreeMap<String, &'a RecordBatch>,
}

/// The rows of a batch as JSON objects, columns by name, null as `null`.
pub fn rows(batch: &RecordBatch) -> Vec<Json> {
    let schema = batch.schema();
    (0..batch.num_rows())
        .map(|row| {
            let mut object = Map::new();
            for (field, column) in schema.fields().iter().zip(batch.columns()) {
                object.insert(field.name().clone(), cell(column.as_ref(), row));
            }
            Json::Object(object)
        })
        .collect()
}

fn cell(array: &dyn Array, row: usize) -> Json {
    if array.is_null(row) {
        return Json::Null;
    }
    match array.data_type() {
        DataType::Utf8 => Json::from(array.as_string::<i32>().value(row)),
        DataType::Boolean => Json::from(array.as_boolean().value(row)),
        DataType::Int8 => Json::from(array.as_primitive::<Int8Type>().value(row)),
        DataType::Int16 => Json::from(array.as_primitive::<Int16Type>().value(row)),
        DataType::Int32 => Json::from(array.as_primitive::<Int32Type>().value(row)),
        DataType::Int64 => Json::from(array.as_primitive::<Int64Type>().value(row)),
        DataType::UInt8 => Json::from(array.as_primitive::<UInt8Type>().value(row)),
        DataType::UInt16 => Json::from(array.as_primitive::<UInt16Type>().value(row)),
        DataType::UInt32 => Json::from(array.as_primitive::<UInt32Type>().value(row)),
        DataType::UInt64 => Json::from(array.as_primitive::<UInt64Type>().value(row)),
        DataType::Float64 => {
            let v = array.as_primitive::<Float64Type>().value(row);
            serde_json::Number::from_f64(v).map(Json::Number).unwrap_or(Json::Null)
        }
        _ => Json::Null,
    }
}

#[derive(Serialize)]
struct FactorView<'a> {
    code: &'a str,
    label: &'a str,
    condition: &'a str,
}

#[derive(Serialize)]
struct DomainView<'a> {
    code: &'a str,
    label: &'a str,
    factors: Vec<FactorView<'a>>,
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    if let Ok(syntax) = minijinja::syntax::SyntaxConfig::builder().trim_blocks(true).lstrip_blocks(true).build() {
        env.set_syntax(syntax);
    }
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.add_template("synthesis.md", include_str!("../templates/synthesis.md.j2"))
        .expect("the shipped template parses: checked by the report tests");
    // `num(x, 2)`: fixed decimals; an empty cell shows as an en dash.
    env.add_filter("num", |v: Value, digits: Option<usize>| -> String {
        if v.is_none() || v.is_undefined() {
            return "–".to_string();
        }
        match f64::try_from(v.clone()) {
            Ok(f) => format!("{:.*}", digits.unwrap_or(2), f),
            Err(_) => v.to_string(),
        }
    });
    // `cell(x)`: any value, or an en dash when empty.
    env.add_filter("cell", |v: Value| -> String {
        if v.is_none() || v.is_undefined() { "–".to_string() } else { v.to_string() }
    });
    env.add_filter("md", |v: String| -> String { v.replace('|', "\\|").replace('\n', " ") });
    env
}

/// The synthesis report as Markdown.
pub fn synthesis_markdown(input: &ReportInput) -> Result<String, ReportError> {
    let env = environment();
    let template = env.get_template("synthesis.md").map_err(|e| template_error("synthesis.md", e))?;
    let domains: Vec<DomainView> = input
        .framework
        .domains
        .iter()
        .map(|d| DomainView {
            code: &d.code,
            label: &d.label,
            factors: input
                .framework
                .factors
                .iter()
                .filter(|f| f.domain == d.code)
                .map(|f| FactorView { code: &f.code, label: &f.label, condition: &f.condition })
                .collect(),
        })
        .collect();
    let labels: BTreeMap<&str, &str> =
        input.framework.factors.iter().map(|f| (f.code.as_str(), f.label.as_str())).collect();
    let tables: BTreeMap<&str, Vec<Json>> = input.tables.iter().map(|(k, v)| (k.as_str(), rows(v))).collect();
    let ctx = minijinja::context! {
        study => input.study_name,
        pipeline => input.pipeline_name,
        pipeline_source => input.pipeline_source,
        min_cell => input.min_cell,
        domains => Value::from(minijinja::value::Serde(&domains)),
        factor_labels => Value::from(minijinja::value::Serde(&labels)),
        tables => Value::from(minijinja::value::Serde(&tables)),
        version => model::VERSION,
    };
    template.render(ctx).map_err(|e| template_error("synthesis.md", e))
}

fn template_error(template: &str, e: minijinja::Error) -> ReportError {
    let mut message = e.to_string();
    let mut source = std::error::Error::source(&e);
    while let Some(s) = source {
        message.push_str(&format!(": {s}"));
        source = s.source();
    }
    ReportError::Template { template: template.to_string(), message }
}

/// The synthesis report as one self-contained HTML file.
pub fn synthesis_html(_input: &ReportInput) -> Result<String, ReportError> {
    Err(not_yet("report.html"))
}

/// One feedback pack per site with data: `(file name, text)`, Markdown and HTML.
pub fn site_packs(_input: &ReportInput) -> Result<Vec<(String, String)>, ReportError> {
    Err(not_yet("report.site_packs"))
}

/// Handbook guidance, one Markdown document per domain: `(file name, text)`.
pub fn handbook(_input: &ReportInput) -> Result<Vec<(String, String)>, ReportError> {
    Err(not_yet("report.handbook"))
}

/// Every result table as one `.xlsx` workbook.
pub fn workbook(_input: &ReportInput) -> Result<Vec<u8>, ReportError> {
    Err(not_yet("report.workbook"))
}

fn not_yet(what: &str) -> ReportError {
    ReportError::Template { template: what.to_string(), message: "not built yet".to_string() }
}
