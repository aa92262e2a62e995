//! Every kind of pipeline-file problem, with its exact message: each names
//! the line and column of the value at fault and what is allowed.

use pipeline::plan::parse;

fn errors(text: &str) -> Vec<String> {
    parse(text, "p.toml")
        .expect_err("expected the plan to be refused")
        .iter()
        .map(|d| d.to_string())
        .collect()
}

const HEAD: &str = "[pipeline]\nname = \"t\"\n\n[[stage]]\nid = \"study\"\nrun = \"ingest.study\"\n\n[[stage]]\nid = \"clean\"\nrun = \"anonymise\"\nfrom = [\"study\"]\n\n";
const TAIL: &str = "\n[[stage]]\nid = \"guard\"\nrun = \"guard.leaks\"\nfrom = [\"study\"]\n";

/// A plan of the head, one stage (its lines after `[[stage]]`) and the tail.
fn with_stage(stage: &str) -> String {
    format!("{HEAD}[[stage]]\n{stage}\n{TAIL}")
}

/// The line of the head's one added stage's first key (after `[[stage]]`).
const STAGE_LINE: usize = 14;

#[test]
fn a_valid_plan_keeps_stages_in_order_with_every_setting_resolved() {
    let plan = parse(
        &with_stage("id = \"s\"\nrun = \"ratings.summary\"\nfrom = [\"clean\"]\nconfidence = 0.9"),
        "p.toml",
    )
    .unwrap();
    let ids: Vec<&str> = plan.stages.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["study", "clean", "s", "guard"]);
    assert_eq!(plan.stages[1].line, 8);
    assert_eq!(
        plan.stages[0].canonical,
        r#"{"documents":"raw/documents/*.csv","interviews":"raw/interviews/*.csv"}"#,
        "defaults included, id/run/from removed"
    );
    assert_eq!(
        plan.stages[2].canonical,
        r#"{"bootstrap_resamples":2000,"confidence":0.9,"scopes":["study","sector","site","group","site_group"]}"#
    );
    assert_eq!(
        plan.stages[2].settings_shown(),
        [
            ("bootstrap_resamples".to_string(), "2000".to_string()),
            ("confidence".to_string(), "0.9".to_string()),
            (
                "scopes".to_string(),
                r#"["study", "sector", "site", "group", "site_group"]"#.to_string()
            ),
        ]
    );
    assert!(
        plan.stages[2].method.ends_with("Computed for the whole study, each sector, each site, each stakeholder group and each stakeholder group at each site. The 90% confidence interval of a mean is a percentile bootstrap of 2000 resamples, seeded by the study seed and the figure id."),
        "{}",
        plan.stages[2].method
    );
    assert_eq!(plan.stages[2].input("clean"), Some("clean"));
    assert_eq!(plan.stages[3].input("study"), Some("study"));
}

#[test]
fn canonical_settings_do_not_depend_on_key_order_spacing_or_defaults_written_out() {
    let a = with_stage(
        "id = \"c\"\nrun = \"ratings.summary\"\nfrom = [\"clean\"]\nconfidence = 0.9\nbootstrap_resamples = 100",
    );
    let b = with_stage(
        "run = \"ratings.summary\"\nbootstrap_resamples   =   100\nid = \"c\"\nconfidence = 0.9\nfrom = [\"clean\"]\nscopes = [\"study\", \"sector\", \"site\", \"group\", \"site_group\"]",
    );
    let (a, b) = (parse(&a, "a").unwrap(), parse(&b, "b").unwrap());
    assert_eq!(a.stages[2].canonical, b.stages[2].canonical);
}

#[test]
fn unknown_key_names_its_line_column_and_the_allowed_keys() {
    let text =
        with_stage("id = \"m\"\nrun = \"patterns.matrix\"\nfrom = [\"clean\"]\n  shares = 0.5");
    assert_eq!(
        errors(&text),
        [format!(
            "p.toml:{}:3: stage `m` (patterns.matrix): unknown key `shares`; the keys allowed here are `id`, `run`, `from`, `share`, `min_valid`",
            STAGE_LINE + 3
        )]
    );
    let text = with_stage("id = \"q\"\nrun = \"patterns.qca\"\nfrom = [\"clean\"]\nshare = 0.5");
    assert!(
        errors(&text).iter().any(|e| e.ends_with("unknown key `share`; the keys allowed here are `id`, `run`, `from` (this kind of stage has no settings)")),
        "{:?}",
        errors(&text)
    );
}

#[test]
fn wrong_type_of_setting_is_refused_at_the_value() {
    let text = with_stage(
        "id = \"m\"\nrun = \"patterns.matrix\"\nfrom = [\"clean\"]\nmin_valid = \"two\"",
    );
    assert_eq!(
        errors(&text),
        [format!(
            "p.toml:{}:13: stage `m` (patterns.matrix): `min_valid`: invalid type: string \"two\", expected u32",
            STAGE_LINE + 3
        )]
    );
}

/// Each setting's allowed values, refused at the value (or the item of a
/// list) with what is allowed.
#[test]
fn every_setting_is_checked_against_the_values_it_allows() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "ratings.summary",
            "scopes = [\"study\", \"ward\"]",
            ":20: stage `x` (ratings.summary): `scopes`: `ward` is not a scope of this kind of stage; expected one or more of `study`, `sector`, `site`, `group`, `site_group`",
        ),
        (
            "ratings.group_tests",
            "scopes = [\"site\"]",
            ":11: stage `x` (ratings.group_tests): `scopes`: `site` is not a scope of this kind of stage; expected one or more of `study`, `sector`",
        ),
        (
            "ratings.top3",
            "scopes = [\"site\", \"site\"]",
            ":19: stage `x` (ratings.top3): `scopes`: scope `site` is listed twice",
        ),
        (
            "ratings.direction",
            "scopes = []",
            ":10: stage `x` (ratings.direction): `scopes`: no scope listed; expected one or more of `study`, `sector`, `site`, `group`, `site_group`",
        ),
        (
            "ratings.summary",
            "confidence = 95",
            ":14: stage `x` (ratings.summary): `confidence`: expected a number strictly between 0 and 1 (0.95 for 95%), found 95",
        ),
        (
            "ratings.summary",
            "bootstrap_resamples = 10",
            ":23: stage `x` (ratings.summary): `bootstrap_resamples`: expected 0 (no confidence interval) or a whole number from 100 to 100000, found 10",
        ),
        (
            "ratings.summary",
            "bootstrap_resamples = -5",
            ":23: stage `x` (ratings.summary): `bootstrap_resamples`: invalid value: integer `-5`, expected u32",
        ),
        (
            "ratings.tensions",
            "threshold = 0",
            ":13: stage `x` (ratings.tensions): `threshold`: expected a difference of mean importance on the 1-5 scale, greater than 0 and at most 4, found 0",
        ),
        (
            "ratings.tensions",
            "pool_managers = \"yes\"",
            ":17: stage `x` (ratings.tensions): `pool_managers`: invalid type: string \"yes\", expected a boolean",
        ),
        (
            "patterns.matrix",
            "share = 1.5",
            ":9: stage `x` (patterns.matrix): `share`: expected a share greater than 0 and at most 1 (0.8 for 80%), found 1.5",
        ),
        (
            "patterns.outcomes",
            "min_valid = 0",
            ":13: stage `x` (patterns.outcomes): `min_valid`: expected a whole number of valid answers, 1 or more, found 0",
        ),
        (
            "patterns.quotes",
            "exemplars = 50",
            ":13: stage `x` (patterns.quotes): `exemplars`: expected a whole number from 0 (counts only, no accounts) to 10, found 50",
        ),
        (
            "report.markdown",
            "file = \"../synthesis.md\"",
            ":8: stage `x` (report.markdown): `file`: `../synthesis.md` is not a plain file name; expected a name of letters, digits, `_`, `-` or `.`, ending `.md`, written under report/ (no folder)",
        ),
        (
            "report.workbook",
            "file = \"tables.csv\"",
            ":8: stage `x` (report.workbook): `file`: `tables.csv` is not a plain file name; expected a name of letters, digits, `_`, `-` or `.`, ending `.xlsx`, written under report/ (no folder)",
        ),
    ];
    for (run, setting, expected) in cases {
        let text = with_stage(&format!(
            "id = \"x\"\nrun = \"{run}\"\nfrom = [\"clean\"]\n{setting}"
        ));
        let expected = format!("p.toml:{}{expected}", STAGE_LINE + 3);
        assert_eq!(errors(&text), [expected], "{run}: {setting}");
    }
}

#[test]
fn the_study_stage_and_anonymise_settings_are_checked_too() {
    let text = "[pipeline]\nname = \"t\"\n\n[[stage]]\nid = \"study\"\nrun = \"ingest.study\"\ninterviews = \"/srv/exports/*.csv\"\ndocuments = \"raw/../documents/*.csv\"\n\n[[stage]]\nid = \"clean\"\nrun = \"anonymise\"\nfrom = [\"study\"]\ndisable_redaction = [\"email\", \"nmae\"]\n";
    assert_eq!(
        errors(&format!("{text}{TAIL}")),
        [
            "p.toml:7:14: stage `study` (ingest.study): `interviews`: `/srv/exports/*.csv` is not a pattern of export files; expected a folder inside the study folder and file names with at most one `*`, ending `.csv`, like \"raw/interviews/*.csv\" (no `..`, not absolute)",
            "p.toml:8:13: stage `study` (ingest.study): `documents`: `raw/../documents/*.csv` is not a pattern of export files; expected a folder inside the study folder and file names with at most one `*`, ending `.csv`, like \"raw/documents/*.csv\" (no `..`, not absolute)",
            "p.toml:14:31: stage `clean` (anonymise): `disable_redaction`: `nmae` is not a redaction kind; expected any of `identifier`, `site`, `name`, `email`, `url`, `nhs_number`, `phone`, `postcode`, `date`",
        ]
    );
}

#[test]
fn unknown_run_kind_lists_the_kinds() {
    let text = with_stage("id = \"x\"\nrun = \"ratings.mean\"");
    let e = errors(&text);
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with(&format!("p.toml:{}:7: stage `x`: unknown run `ratings.mean`; expected one of `ingest.study`, `anonymise`, ", STAGE_LINE + 1)),
        "{}",
        e[0]
    );
}

#[test]
fn reading_from_a_later_or_missing_stage_is_refused() {
    let text = with_stage("id = \"a\"\nrun = \"ratings.top3\"\nfrom = [\"clean\", \"b\"]");
    assert_eq!(
        errors(&text),
        [format!(
            "p.toml:{}:18: stage `a` reads from `b`, which is not a stage defined above it",
            STAGE_LINE + 2
        )]
    );
}

/// What a stage needs from `from` is named by kind, not by position:
/// any order works, and a missing or extra input is refused at `from`.
#[test]
fn from_is_checked_by_kind_in_any_order() {
    let stages = "[[stage]]\nid = \"m\"\nrun = \"patterns.matrix\"\nfrom = [\"clean\"]\n\n[[stage]]\nid = \"o\"\nrun = \"patterns.outcomes\"\nfrom = [\"clean\"]\n\n";
    let qca = |from: &str| {
        format!(
            "{HEAD}{stages}[[stage]]\nid = \"q\"\nrun = \"patterns.qca\"\nfrom = {from}\n{TAIL}"
        )
    };
    let plan = parse(&qca("[\"o\", \"m\", \"clean\"]"), "p.toml").unwrap();
    let q = &plan.stages[4];
    assert_eq!(
        (q.input("clean"), q.input("matrix"), q.input("outcomes")),
        (Some("clean"), Some("m"), Some("o"))
    );
    let line = 26;
    assert_eq!(
        errors(&qca("[\"clean\", \"o\"]")),
        [format!(
            "p.toml:{line}:8: stage `q` (patterns.qca) needs a `patterns.matrix` stage in `from`; above it: `m`"
        )]
    );
    assert_eq!(
        errors(&qca("[\"clean\", \"m\", \"o\", \"study\"]")),
        [format!(
            "p.toml:{line}:28: stage `q` (patterns.qca) does not read `study` (ingest.study); it reads one `anonymise` stage, one `patterns.matrix` stage and one `patterns.outcomes` stage"
        )]
    );
    assert_eq!(
        errors(&qca("[\"clean\", \"m\", \"o\", \"m\"]")),
        [format!(
            "p.toml:{line}:28: stage `q` lists `m` twice in `from`"
        )]
    );
    // Replication without any pattern matrix above it.
    assert_eq!(
        errors(&with_stage(
            "id = \"r\"\nrun = \"patterns.replication\"\nfrom = [\"clean\"]"
        )),
        [format!(
            "p.toml:{}:8: stage `r` (patterns.replication) needs a `patterns.matrix` stage in `from`; there is none above it",
            STAGE_LINE + 2
        )]
    );
    // A stage without `from` is pointed at by its header.
    assert_eq!(
        errors(&with_stage("id = \"d\"\nrun = \"disclosure.demographics\"")),
        [format!(
            "p.toml:{}:1: stage `d` (disclosure.demographics) needs an `anonymise` stage in `from`; above it: `clean`",
            STAGE_LINE - 1
        )]
    );
    // Reports read any table stages besides the clean study.
    let report = format!(
        "{HEAD}{stages}[[stage]]\nid = \"r\"\nrun = \"report.markdown\"\nfrom = [\"m\", \"clean\", \"o\"]\n{TAIL}"
    );
    assert_eq!(
        parse(&report, "p.toml").unwrap().stages[4].from,
        ["m", "clean", "o"]
    );
}

#[test]
fn two_stages_may_not_write_the_same_file() {
    let text = format!(
        "{HEAD}[[stage]]\nid = \"a\"\nrun = \"report.markdown\"\nfrom = [\"clean\"]\n\n[[stage]]\nid = \"b\"\nrun = \"report.markdown\"\nfrom = [\"clean\"]\nfile = \"synthesis.md\"\n{TAIL}"
    );
    assert_eq!(
        errors(&text),
        ["p.toml:18:1: stage `b` writes report/synthesis.md, which stage `a` writes too"]
    );
}

#[test]
fn duplicate_ids_missing_id_or_run_and_ids_that_are_not_file_names() {
    let text = with_stage(
        "id = \"study\"\nrun = \"anonymise\"\n\n[[stage]]\nrun = \"anonymise\"\n\n[[stage]]\nid = \"../x\"\nrun = \"ratings.top3\"\nfrom = [\"clean\"]",
    );
    assert_eq!(
        errors(&text),
        [
            format!("p.toml:{}:6: stage id `study` is used twice", STAGE_LINE),
            format!(
                "p.toml:{}:1: a [[stage]] needs `id = \"...\"` and `run = \"...\"`",
                STAGE_LINE + 3
            ),
            format!(
                "p.toml:{}:6: stage id `../x` names the stage's files (tables/../x.csv); expected letters, digits, `_` or `-`",
                STAGE_LINE + 7
            ),
        ]
    );
}

#[test]
fn from_must_be_a_list_of_ids() {
    let text = with_stage("id = \"a\"\nrun = \"ratings.top3\"\nfrom = \"clean\"");
    assert_eq!(
        errors(&text),
        [format!(
            "p.toml:{}:8: stage `a`: `from` must be a list of stage ids, like from = [\"clean\"]",
            STAGE_LINE + 2
        )]
    );
}

#[test]
fn the_leak_guard_must_come_last() {
    assert_eq!(
        errors(HEAD),
        [
            "p.toml:8:1: the last stage of a pipeline must be the leak guard (run = \"guard.leaks\"), so that every output is scanned before it is published"
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
    assert_eq!(
        errors("[pipeline]\nname = \"t\"\n[stages]\n"),
        ["p.toml:3:2: unknown field `stages`, expected `pipeline` or `stage`",]
    );
}

/// What `anonymise` makes follows from what the stages reading it read:
/// every table without free text always, a table of free text only when a
/// stage reads it (the synthesis reads them all).
#[test]
fn the_clean_tables_made_are_those_the_plan_reads_and_every_table_without_free_text() {
    let always = [
        "answers",
        "checkboxes",
        "documents",
        "outcomes",
        "participants",
        "sites",
        "top3",
    ];
    let made = |stage: &str| -> Vec<&'static str> {
        parse(&with_stage(stage), "p.toml")
            .unwrap()
            .clean_tables("clean")
            .into_iter()
            .collect()
    };
    let ratings = made("id = \"s\"\nrun = \"ratings.summary\"\nfrom = [\"clean\"]");
    assert_eq!(ratings, always);
    let quotes = made("id = \"q\"\nrun = \"patterns.quotes\"\nfrom = [\"clean\"]");
    assert_eq!(
        quotes,
        ["accounts"]
            .into_iter()
            .chain(always)
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
    );
    let matrix = made("id = \"m\"\nrun = \"patterns.matrix\"\nfrom = [\"clean\"]");
    assert!(matrix.contains(&"evidence") && !matrix.contains(&"accounts"));
    let markdown = made("id = \"r\"\nrun = \"report.markdown\"\nfrom = [\"clean\"]");
    assert!(markdown.contains(&"workshop_notes") && markdown.contains(&"workshop_verdicts"));
    assert!(!markdown.contains(&"coded_segments"));
    let synthesis = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../pipelines/synthesis.toml"
    ))
    .unwrap();
    let plan = parse(&synthesis, "synthesis.toml").unwrap();
    assert_eq!(
        plan.clean_tables("clean").len(),
        12,
        "the synthesis makes every table"
    );
    assert!(
        plan.clean_tables("study").len() == 7,
        "nothing reads the study stage's tables"
    );
}
