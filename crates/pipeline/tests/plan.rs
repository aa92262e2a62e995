//! Every kind of pipeline-file problem, with its exact message.

use pipeline::plan::parse;

fn errors(text: &str) -> Vec<String> {
    parse(text, "p.toml")
        .expect_err("expected the plan to be refused")
        .iter()
        .map(|d| d.to_string())
        .collect()
}

const HEAD: &str =
    "[pipeline]\nname = \"t\"\n\n[[stage]]\nid = \"study\"\nrun = \"ingest.study\"\n\n";
const TAIL: &str = "\n[[stage]]\nid = \"guard\"\nrun = \"guard.leaks\"\nfrom = [\"study\"]\n";

#[test]
fn a_valid_plan_keeps_stages_in_order_with_canonical_settings() {
    let text =
        format!("{HEAD}[[stage]]\nid = \"clean\"\nrun = \"anonymise\"\nfrom = [\"study\"]\n{TAIL}");
    let plan = parse(&text, "p.toml").unwrap();
    let ids: Vec<&str> = plan.stages.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["study", "clean", "guard"]);
    assert_eq!(plan.stages[1].line, 8);
    assert_eq!(
        plan.stages[0].canonical, "{}",
        "settings as canonical JSON, id/run/from removed"
    );
}

#[test]
fn canonical_settings_do_not_depend_on_key_order_or_spacing() {
    let a = format!(
        "{HEAD}[[stage]]\nid = \"c\"\nrun = \"ratings.summary\"\nfrom = [\"study\"]\nconfidence = 0.9\nbootstrap_resamples = 10\n{TAIL}"
    );
    let b = format!(
        "{HEAD}[[stage]]\nrun = \"ratings.summary\"\nbootstrap_resamples   =   10\nid = \"c\"\nconfidence = 0.9\nfrom = [\"study\"]\n{TAIL}"
    );
    let (a, b) = (parse(&a, "a").unwrap(), parse(&b, "b").unwrap());
    assert_eq!(a.stages[1].canonical, b.stages[1].canonical);
    assert_eq!(
        a.stages[1].canonical,
        r#"{"bootstrap_resamples":10,"confidence":0.9}"#
    );
}

#[test]
fn unknown_key_names_its_line_column_and_the_allowed_keys() {
    let text = format!(
        "{HEAD}[[stage]]\nid = \"m\"\nrun = \"patterns.matrix\"\nfrom = [\"study\"]\n  shares = 0.5\n{TAIL}"
    );
    assert_eq!(
        errors(&text),
        [
            "p.toml:12:3: stage `m` (patterns.matrix): unknown key `shares`; the keys allowed here are `id`, `run`, `from`, `share`, `min_valid`"
        ]
    );
}

#[test]
fn wrong_type_of_setting_is_refused() {
    let text = format!(
        "{HEAD}[[stage]]\nid = \"m\"\nrun = \"patterns.matrix\"\nfrom = [\"study\"]\nmin_valid = \"two\"\n{TAIL}"
    );
    assert_eq!(
        errors(&text),
        ["p.toml:8:1: stage `m` (patterns.matrix): invalid type: string \"two\", expected u32"]
    );
}

#[test]
fn unknown_run_kind_lists_the_kinds() {
    let text = format!("{HEAD}[[stage]]\nid = \"x\"\nrun = \"ratings.mean\"\n{TAIL}");
    let e = errors(&text);
    assert_eq!(e.len(), 1);
    assert!(e[0].starts_with("p.toml:8:1: stage `x`: unknown run `ratings.mean`; expected one of `ingest.study`, `anonymise`, "), "{}", e[0]);
}

#[test]
fn reading_from_a_later_or_missing_stage_is_refused() {
    let text = format!("{HEAD}[[stage]]\nid = \"a\"\nrun = \"anonymise\"\nfrom = [\"b\"]\n{TAIL}");
    assert_eq!(
        errors(&text),
        ["p.toml:8:1: stage `a` reads from `b`, which is not a stage defined above it"]
    );
}

#[test]
fn duplicate_ids_and_missing_id_or_run() {
    let text = format!(
        "{HEAD}[[stage]]\nid = \"study\"\nrun = \"anonymise\"\n\n[[stage]]\nrun = \"anonymise\"\n{TAIL}"
    );
    assert_eq!(
        errors(&text),
        [
            "p.toml:8:1: stage id `study` is used twice",
            "p.toml:12:1: a [[stage]] needs `id = \"...\"` and `run = \"...\"`"
        ]
    );
}

#[test]
fn from_must_be_a_list_of_ids() {
    let text =
        format!("{HEAD}[[stage]]\nid = \"a\"\nrun = \"anonymise\"\nfrom = \"study\"\n{TAIL}");
    assert_eq!(
        errors(&text),
        ["p.toml:8:1: stage `a`: `from` must be a list of stage ids, like from = [\"clean\"]"]
    );
}

#[test]
fn the_leak_guard_must_come_last() {
    assert_eq!(
        errors(HEAD),
        [
            "p.toml:4:1: the last stage of a pipeline must be the leak guard (run = \"guard.leaks\"), so that every output is scanned before it is published"
        ]
    );
}

#[test]
fn toml_syntax_errors_point_at_line_and_column() {
    assert_eq!(
        errors("[pipeline]\nname = \"t\"\nstudy = 5\n"),
        ["p.toml:3:9: invalid type: integer `5`, expected a string"]
    );
    assert_eq!(
        errors("[pipeline]\nname \"t\"\n"),
        ["p.toml:2:6: key with no value, expected `=`"]
    );
}
