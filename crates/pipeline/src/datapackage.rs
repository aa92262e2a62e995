//! The published tables as a Frictionless Data Package (`datapackage.json`,
//! Data Package 1.0, tabular): one resource per CSV table under `tables/`,
//! with a Table Schema made from the table's Arrow schema (read back from
//! its Parquet twin, so a table carried over from an earlier run is
//! described as exactly as a fresh one): types, `required` for columns that
//! are never null, the study's vocabulary as `enum` constraints, an empty
//! cell as the missing value, and `figure_id` as the primary key (the
//! natural keys, `site`, `group`..., are empty outside a row's scope, which
//! a key may not be). Each resource carries its CSV's SHA-256 and size, so
//! `frictionless validate` checks the bytes as well as every cell
//! (`tests/e2e/validators.rs`). Deterministic: no time, no machine.

use std::collections::{BTreeMap, BTreeSet};

use arrow_schema::{DataType, Field, Schema};
use model::{Framework, Group, Publication, Sector, Site};
use serde_json::{Value, json};

use crate::error::PipelineError;
use crate::output::Staging;
use crate::plan::Plan;

/// The values a column of that name may hold, from the study's own
/// vocabulary: stakeholder groups (and the perspectives tensions compare)
/// and sectors, the framework's factors and outcomes, the register's site
/// labels, the scopes of a result row.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    columns: BTreeMap<&'static str, Vec<String>>,
}

impl Vocabulary {
    pub fn of_study(framework: &Framework, sites: &[Site]) -> Vocabulary {
        let codes = |items: &mut dyn Iterator<Item = &str>| -> Vec<String> {
            items.map(str::to_string).collect()
        };
        let groups = codes(&mut Group::ALL.iter().map(|g| g.code()));
        // Tensions compare perspectives: the groups, or managers pooled.
        let mut perspectives = groups.clone();
        perspectives.push(ratings::tensions::POOLED_MANAGERS.to_string());
        let mut columns = BTreeMap::new();
        columns.insert(
            "scope",
            codes(&mut ratings::Scope::ALL.iter().map(|s| s.code())),
        );
        columns.insert("site", codes(&mut sites.iter().map(|s| s.label.as_str())));
        columns.insert("sector", codes(&mut Sector::ALL.iter().map(|s| s.code())));
        columns.insert("group", groups);
        columns.insert("group_a", perspectives.clone());
        columns.insert("group_b", perspectives);
        columns.insert(
            "factor",
            codes(&mut framework.factors.iter().map(|f| f.code.as_str())),
        );
        columns.insert(
            "outcome",
            codes(&mut framework.outcomes.iter().map(|o| o.code.as_str())),
        );
        Vocabulary { columns }
    }

    fn of_column(&self, name: &str) -> Option<&[String]> {
        self.columns.get(name).map(Vec::as_slice)
    }
}

/// One CSV table to describe: its path in the output folder, its Arrow
/// schema, and the SHA-256 and size of its bytes.
pub struct Table {
    pub path: String,
    pub schema: arrow_schema::SchemaRef,
    pub sha256: String,
    pub bytes: u64,
}

/// A Table Schema field for an Arrow field.
fn field(field: &Field, vocabulary: &Vocabulary) -> Result<Value, String> {
    let data_type = match field.data_type() {
        DataType::Dictionary(_, values) => values.as_ref(),
        other => other,
    };
    let mut out = json!({ "name": field.name() });
    let mut constraints = serde_json::Map::new();
    match data_type {
        DataType::Utf8 | DataType::LargeUtf8 => out["type"] = json!("string"),
        DataType::Boolean => {
            out["type"] = json!("boolean");
            // As the CSV writes them, and nothing else.
            out["trueValues"] = json!(["true"]);
            out["falseValues"] = json!(["false"]);
        }
        DataType::Int8 | DataType::Int16 | DataType::Int32 | DataType::Int64 => {
            out["type"] = json!("integer");
        }
        DataType::UInt8 | DataType::UInt16 | DataType::UInt32 | DataType::UInt64 => {
            out["type"] = json!("integer");
            constraints.insert("minimum".into(), json!(0));
        }
        DataType::Float32 | DataType::Float64 => out["type"] = json!("number"),
        other => {
            return Err(format!(
                "column `{}` has the type {other}, which a Table Schema here cannot describe",
                field.name()
            ));
        }
    }
    if !field.is_nullable() {
        constraints.insert("required".into(), json!(true));
    }
    if let Some(values) = vocabulary.of_column(field.name())
        && out["type"] == "string"
    {
        constraints.insert("enum".into(), json!(values));
    }
    if !constraints.is_empty() {
        out["constraints"] = Value::Object(constraints);
    }
    Ok(out)
}

/// The Table Schema of one table.
pub fn table_schema(schema: &Schema, vocabulary: &Vocabulary) -> Result<Value, String> {
    let fields = schema
        .fields()
        .iter()
        .map(|f| field(f, vocabulary))
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = json!({ "fields": fields, "missingValues": [""] });
    if schema.field_with_name("figure_id").is_ok() {
        out["primaryKey"] = json!(["figure_id"]);
    }
    Ok(out)
}

/// A Data Package name: lower-case letters, digits, `-`, `_`, `.`.
fn package_name(text: &str) -> String {
    text.chars()
        .map(|c| match c.to_ascii_lowercase() {
            c @ ('a'..='z' | '0'..='9' | '-' | '_' | '.') => c,
            _ => '-',
        })
        .collect()
}

/// `datapackage.json` for the tables of a run of the pipeline `pipeline`.
pub fn datapackage(
    pipeline: &str,
    tables: &[Table],
    vocabulary: &Vocabulary,
    publication: &Publication,
) -> Result<String, String> {
    let mut resources = Vec::new();
    let mut names = BTreeSet::new();
    for table in tables {
        let stem = table
            .path
            .rsplit('/')
            .next()
            .and_then(|f| f.strip_suffix(".csv"))
            .unwrap_or(&table.path);
        let name = package_name(stem);
        if !names.insert(name.clone()) {
            return Err(format!(
                "two tables would have the same name `{name}` in datapackage.json \
                 (stage ids that differ only in case or punctuation): rename one"
            ));
        }
        let schema =
            table_schema(&table.schema, vocabulary).map_err(|e| format!("{}: {e}", table.path))?;
        resources.push(json!({
            "name": name,
            "path": table.path,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": table.bytes,
            "hash": format!("sha256:{}", table.sha256),
            "dialect": { "delimiter": ",", "lineTerminator": "\n", "quoteChar": "\"", "doubleQuote": true, "header": true },
            "schema": schema,
        }));
    }
    let mut package = json!({
        "profile": "tabular-data-package",
        "name": package_name(&format!("crosscase-{pipeline}")),
        "title": format!("Result tables of a crosscase run of the pipeline `{pipeline}`"),
        "description": "One table per analysis stage. Every row is a figure, keyed by its \
            figure_id; a key column (scope, site, sector, group, factor, outcome...) is empty \
            where the row's scope does not have it, and an empty cell is a missing value \
            (suppressed to protect small groups, not applicable, or not computable). \
            ro-crate-metadata.json says how each table was computed.",
        "resources": resources,
    });
    if let Some(license) = &publication.license {
        package["licenses"] = match license {
            model::License::Spdx(id) => {
                json!([{ "name": id, "path": license.url(), "title": id }])
            }
            model::License::Url(url) => json!([{ "path": url, "title": url }]),
        };
    }
    let mut text = serde_json::to_string_pretty(&package).unwrap_or_default();
    text.push('\n');
    Ok(text)
}

/// Stage `datapackage.json` for every CSV table staged so far (run or
/// carried over from the last run).
pub fn stage(
    staging: &mut Staging,
    plan: &Plan,
    framework: &Framework,
    sites: &[Site],
    publication: &Publication,
) -> Result<(), PipelineError> {
    let paths: BTreeMap<String, camino::Utf8PathBuf> = staging
        .files()
        .map(|(rel, path)| (rel.to_string(), path))
        .collect();
    let mut tables = Vec::new();
    for (rel, path) in &paths {
        let Some(stem) = rel
            .strip_prefix("tables/")
            .and_then(|r| r.strip_suffix(".csv"))
        else {
            continue;
        };
        let twin = format!("tables/{stem}.parquet");
        let parquet = paths.get(&twin).ok_or_else(|| PipelineError::Stage {
            stage: "datapackage".into(),
            message: format!("{rel} has no {twin} to read its schema from"),
        })?;
        let file = std::fs::File::open(parquet).map_err(|e| PipelineError::io(parquet, e))?;
        let metadata =
            parquet::arrow::arrow_reader::ArrowReaderMetadata::load(&file, Default::default())
                .map_err(|e| PipelineError::io(parquet, e))?;
        let bytes = std::fs::metadata(path)
            .map_err(|e| PipelineError::io(path, e))?
            .len();
        tables.push(Table {
            path: rel.clone(),
            schema: std::sync::Arc::clone(metadata.schema()),
            sha256: staging.hashes().get(rel).cloned().unwrap_or_default(),
            bytes,
        });
    }
    let vocabulary = Vocabulary::of_study(framework, sites);
    let text = datapackage(&plan.name, &tables, &vocabulary, publication).map_err(|message| {
        PipelineError::Stage {
            stage: "datapackage".into(),
            message,
        }
    })?;
    staging.write("datapackage.json", text.as_bytes())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn vocabulary() -> Vocabulary {
        let mut columns = BTreeMap::new();
        columns.insert("site", vec!["Site A".to_string(), "Site B".to_string()]);
        columns.insert("group", vec!["peer_worker".to_string()]);
        Vocabulary { columns }
    }

    #[test]
    fn arrow_types_become_table_schema_types_and_constraints() {
        let schema = Schema::new(vec![
            model::column::category("site"),
            Field::new("group", DataType::Utf8, false),
            Field::new("n", DataType::UInt32, true),
            Field::new("code", DataType::Int8, true),
            Field::new("mean", DataType::Float64, true),
            Field::new("suppressed", DataType::Boolean, false),
            Field::new("figure_id", DataType::Utf8, false),
        ]);
        let out = table_schema(&schema, &vocabulary()).unwrap();
        assert_eq!(
            out,
            json!({
                "fields": [
                    { "name": "site", "type": "string", "constraints": { "required": true, "enum": ["Site A", "Site B"] } },
                    { "name": "group", "type": "string", "constraints": { "required": true, "enum": ["peer_worker"] } },
                    { "name": "n", "type": "integer", "constraints": { "minimum": 0 } },
                    { "name": "code", "type": "integer" },
                    { "name": "mean", "type": "number" },
                    { "name": "suppressed", "type": "boolean", "trueValues": ["true"], "falseValues": ["false"], "constraints": { "required": true } },
                    { "name": "figure_id", "type": "string", "constraints": { "required": true } },
                ],
                "missingValues": [""],
                "primaryKey": ["figure_id"],
            })
        );
        assert!(model::column::is_category(schema.field(0).data_type()));
        let binary = Schema::new(vec![Field::new("blob", DataType::Binary, true)]);
        let err = table_schema(&binary, &vocabulary()).unwrap_err();
        assert!(err.contains("column `blob` has the type Binary"), "{err}");
    }

    #[test]
    fn a_package_lists_each_table_with_its_hash_and_licence() {
        let schema = Arc::new(Schema::new(vec![Field::new(
            "figure_id",
            DataType::Utf8,
            false,
        )]));
        let table = |path: &str| Table {
            path: path.into(),
            schema: Arc::clone(&schema),
            sha256: "ab".repeat(32),
            bytes: 42,
        };
        let publication = Publication {
            license: Some(model::License::parse("CC-BY-4.0").unwrap()),
            date_published: None,
        };
        let text = datapackage(
            "My Synthesis",
            &[table("tables/qca.csv"), table("tables/Top 3.csv")],
            &vocabulary(),
            &publication,
        )
        .unwrap();
        let package: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(package["name"], "crosscase-my-synthesis");
        assert_eq!(
            package["licenses"],
            json!([{ "name": "CC-BY-4.0", "path": "https://spdx.org/licenses/CC-BY-4.0", "title": "CC-BY-4.0" }])
        );
        let resources = package["resources"].as_array().unwrap();
        assert_eq!(resources[0]["name"], "qca");
        assert_eq!(resources[1]["name"], "top-3");
        assert_eq!(resources[1]["path"], "tables/Top 3.csv");
        assert_eq!(resources[0]["hash"], format!("sha256:{}", "ab".repeat(32)));
        assert_eq!(resources[0]["bytes"], 42);
        assert!(text.ends_with("}\n"));

        let clash = datapackage(
            "p",
            &[table("tables/a_b.csv"), table("tables/A_B.csv")],
            &vocabulary(),
            &Publication::default(),
        )
        .unwrap_err();
        assert!(clash.contains("the same name `a_b`"), "{clash}");
        let url = Publication {
            license: Some(model::License::parse("https://example.org/licence").unwrap()),
            date_published: None,
        };
        let text = datapackage("p", &[], &vocabulary(), &url).unwrap();
        let package: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            package["licenses"],
            json!([{ "path": "https://example.org/licence", "title": "https://example.org/licence" }])
        );
        let none = datapackage("p", &[], &vocabulary(), &Publication::default()).unwrap();
        assert!(!none.contains("licenses"));
    }
}
