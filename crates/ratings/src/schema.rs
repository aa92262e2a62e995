//! Arrow schemas of the output tables (the contract; described column by
//! column in `data-schema/tables/<table>.md`).

use std::sync::Arc;

use arrow_schema::{DataType, Field, Schema, SchemaRef};

fn key(name: &str) -> Field {
    Field::new(name, DataType::Utf8, false)
}
fn opt_text(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}
fn count(name: &str) -> Field {
    Field::new(name, DataType::UInt32, true)
}
fn float(name: &str) -> Field {
    Field::new(name, DataType::Float64, true)
}
fn tail() -> [Field; 2] {
    [
        Field::new("suppressed", DataType::Boolean, false),
        key("figure_id"),
    ]
}
fn cell_keys() -> Vec<Field> {
    vec![
        key("scope"),
        opt_text("site"),
        opt_text("sector"),
        opt_text("group"),
        key("factor"),
    ]
}
fn build(mut fields: Vec<Field>) -> SchemaRef {
    fields.extend(tail());
    Arc::new(Schema::new(fields))
}

pub fn ratings_summary() -> SchemaRef {
    let mut f = cell_keys();
    f.push(count("n"));
    f.extend(
        [
            "mean", "sd", "median", "q1", "q3", "pct_high", "ci_low", "ci_high",
        ]
        .map(float),
    );
    f.extend(["rated_1", "rated_2", "rated_3", "rated_4", "rated_5"].map(count));
    build(f)
}

pub fn top3_frequency() -> SchemaRef {
    let mut f = cell_keys();
    f.extend(
        [
            "respondents",
            "mentions",
            "first",
            "second",
            "third",
            "score",
        ]
        .map(count),
    );
    f.push(float("pct_mentions"));
    build(f)
}

pub fn direction() -> SchemaRef {
    let mut f = cell_keys();
    f.extend(["n", "facilitator", "barrier", "both", "neither"].map(count));
    f.extend(["pct_facilitator", "pct_barrier", "pct_both", "pct_neither"].map(float));
    build(f)
}

pub fn consensus() -> SchemaRef {
    let mut f = cell_keys();
    f.push(count("n"));
    f.extend(["rwg", "tastle_wierman"].map(float));
    build(f)
}

pub fn group_tests() -> SchemaRef {
    build(vec![
        key("scope"),
        opt_text("sector"),
        key("factor"),
        count("n"),
        count("groups"),
        float("h"),
        count("df"),
        float("p_value"),
        float("epsilon_sq"),
        float("p_adj_bh"),
    ])
}

pub fn sector_tests() -> SchemaRef {
    build(vec![
        key("factor"),
        count("n_statutory"),
        count("n_voluntary"),
        float("u"),
        float("z"),
        float("p_value"),
        float("rank_biserial"),
        float("p_adj_bh"),
    ])
}

pub fn tensions() -> SchemaRef {
    build(vec![
        key("scope"),
        opt_text("site"),
        opt_text("sector"),
        key("group_a"),
        key("group_b"),
        key("factor"),
        count("n_a"),
        count("n_b"),
        float("mean_a"),
        float("mean_b"),
        float("difference"),
        Field::new("pattern_disagree", DataType::Boolean, true),
        Field::new("flagged", DataType::Boolean, false),
    ])
}

pub fn top3_importance() -> SchemaRef {
    build(vec![
        key("factor"),
        count("n_picked"),
        float("mean_picked"),
        count("n_not_picked"),
        float("mean_not_picked"),
        float("pct_picked_rated_5"),
        float("pct_picked_rated_own_max"),
    ])
}
