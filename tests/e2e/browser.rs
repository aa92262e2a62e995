//! The HTML synthesis report in a real browser (Debian's `chromium`,
//! headless): it loads with no console error and fetches nothing, and a
//! screenshot is saved for review. When Chromium is not installed the test
//! says SKIPPED and passes, unless `CROSSCASE_REQUIRE_BROWSER=1` (as CI
//! sets it), when a missing browser fails it. `CROSSCASE_CHROMIUM` names
//! another browser binary. Also: figure ids taken from the report resolve
//! with `explain`.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::*;

const CHROMIUM: &str = "/usr/bin/chromium";

/// The browser to run, or why the browser test is skipped: there is none,
/// and none is required (a required browser that is missing fails here).
fn browser() -> Result<PathBuf, String> {
    let path = std::env::var_os("CROSSCASE_CHROMIUM")
        .filter(|p| !p.is_empty())
        .map_or_else(|| PathBuf::from(CHROMIUM), PathBuf::from);
    let required =
        std::env::var("CROSSCASE_REQUIRE_BROWSER").is_ok_and(|v| !v.is_empty() && v != "0");
    if path.is_file() {
        return Ok(path);
    }
    assert!(
        !required,
        "CROSSCASE_REQUIRE_BROWSER is set and there is no browser at {}: \
         install chromium (`just test` does, as root) or set CROSSCASE_CHROMIUM",
        path.display()
    );
    Err(format!(
        "SKIPPED: chromium not installed ({}); `just test` installs it when it can",
        path.display()
    ))
}

/// Run headless Chromium on a file with a fresh profile and no background
/// traffic; returns (success, stdout, stderr).
fn chromium(browser: &Path, page: &Path, extra: &[&str]) -> (bool, String, String) {
    let profile = tempfile::tempdir().unwrap();
    let output = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .unwrap_or_else(|e| panic!("{} does not run: {e}", browser.display()));
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Console messages Chromium logs (`INFO:CONSOLE(...)`): errors, CSP
/// violations (every fetch breaks the report's `default-src 'none'`), warnings.
fn console_lines(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

#[test]
fn html_report_loads_offline_in_chromium_with_no_console_error() {
    let browser = match browser() {
        Ok(browser) => browser,
        Err(skipped) => {
            println!("{skipped}");
            return;
        }
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&demo_study(), &out, &[]));
    let page = out.join("report/synthesis.html");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        html.contains("default-src 'none'"),
        "the report declares that it fetches nothing"
    );
    let checked = html.replace("url(#", "");
    for needle in [
        "<script",
        "<link rel=\"stylesheet\"",
        "@import",
        "url(",
        "src=\"http",
        "href=\"http",
    ] {
        assert!(
            !checked.contains(needle),
            "the report must not reference `{needle}`"
        );
    }

    // The check works: a page that fetches something gives a console line.
    let bad = tmp.path().join("bad.html");
    std::fs::write(
        &bad,
        html.replacen(
            "<title>",
            "<img src=\"http://example.invalid/x.png\"><title>",
            1,
        ),
    )
    .unwrap();
    let (_, _, err) = chromium(&browser, &bad, &["--dump-dom"]);
    assert!(
        !console_lines(&err).is_empty(),
        "a fetch must show as a console message:\n{err}"
    );

    let (ok, dom, err) = chromium(&browser, &page, &["--dump-dom"]);
    assert!(ok, "chromium failed:\n{err}");
    assert!(
        dom.contains("cross-case synthesis</h1>") && dom.contains("<svg"),
        "the report rendered"
    );
    assert_eq!(
        console_lines(&err),
        Vec::<&str>::new(),
        "no console message and no network request"
    );

    let shot = root().join("target/report-screenshot.png");
    let _ = std::fs::remove_file(&shot);
    let (ok, _, err) = chromium(
        &browser,
        &page,
        &[
            "--window-size=1200,2400",
            &format!("--screenshot={}", shot.display()),
        ],
    );
    assert!(ok, "chromium failed:\n{err}");
    assert_eq!(console_lines(&err), Vec::<&str>::new());
    let png = std::fs::read(&shot).expect("a screenshot was saved");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "a real screenshot"
    );
    println!("screenshot of the report: {}", shot.display());
}

/// Figure ids shown in the HTML report (the `title="figure_id: ..."` tooltips).
fn figure_ids(html: &str) -> Vec<String> {
    let mut ids: Vec<String> = html
        .split("title=\"figure_id: ")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|id| {
            id.replace("&amp;", "&")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&quot;", "\"")
                .replace("&apos;", "'")
                .replace("&#x27;", "'")
                .replace("&#x2f;", "/")
        })
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

#[test]
fn figure_ids_in_the_html_report_resolve_with_explain() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&synthesis(&demo_study(), &out, &[]));
    let html = std::fs::read_to_string(out.join("report/synthesis.html")).unwrap();
    let ids = figure_ids(&html);
    assert!(
        ids.len() > 300,
        "the report shows its figure ids: {}",
        ids.len()
    );
    // Every table's ids are among them, and a spread sample is explained.
    for prefix in [
        "ratings/",
        "top3/",
        "patterns/",
        "replication/",
        "tensions/",
        "qca/",
        "outcomes/",
        "demographics/",
    ] {
        assert!(
            ids.iter().any(|id| id.starts_with(prefix)),
            "no `{prefix}` figure in the report"
        );
    }
    let step = ids.len() / 12;
    let sample: Vec<&String> = ids.iter().step_by(step.max(1)).collect();
    for id in sample {
        let output = crosscase(&["explain", id, "--out", out.to_str().unwrap()]);
        assert_ok(&output);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(text.contains(&format!("figure    {id}")), "{id}:\n{text}");
    }
}
