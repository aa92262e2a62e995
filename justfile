# crosscase: run `just` to list the recipes.

set shell := ["bash", "-euo", "pipefail", "-c"]

default:
    @just --list

# The full synthesis of the shipped demo study, into out/demo.
synthesis:
    cargo run --release --quiet -- run pipelines/synthesis.toml

# Every test: the format and lint gates (rustfmt, clippy -D warnings), unit,
# statistics, snapshots, end-to-end, and the HTML report in headless Chromium
# (installed with apt-get when missing and possible; otherwise that test says
# SKIPPED and passes, unless CROSSCASE_REQUIRE_BROWSER=1, as in CI: then a
# browser that is missing or cannot be installed fails the recipe at once).
# The outputs' RO-Crate and Data Package are checked by the formats' own
# validators (rocrate-validator, frictionless), installed with pip at the
# versions pinned in tests/validators/requirements.txt into
# target/validators-venv; likewise SKIPPED without them, unless
# CROSSCASE_REQUIRE_VALIDATORS=1 (as in CI).
test:
    #!/usr/bin/env bash
    set -euo pipefail
    venv=target/validators-venv
    pins=tests/validators/requirements.txt
    case "${CROSSCASE_REQUIRE_VALIDATORS:-0}" in 0 | "") need_validators= ;; *) need_validators=1 ;; esac
    # The venv keeps a copy of the pins it was made from: new pins, new venv.
    if ! cmp -s "$pins" "$venv/requirements.txt"; then
        echo "installing the pinned validators (rocrate-validator, frictionless) into $venv"
        if python3 -m venv --clear "$venv" \
            && "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$pins"; then
            cp "$pins" "$venv/requirements.txt"
        else
            echo "could not install the validators (python3 -m venv or pip failed, its errors are above)"
            rm -rf "$venv"
        fi
    fi
    if [ ! -f "$venv/requirements.txt" ]; then
        if [ -n "$need_validators" ]; then
            echo "error: CROSSCASE_REQUIRE_VALIDATORS is set and the validators could not be installed into $venv" >&2
            exit 1
        fi
        echo "no validators in $venv: the validator tests will be SKIPPED"
    fi
    browser="${CROSSCASE_CHROMIUM:-/usr/bin/chromium}"
    case "${CROSSCASE_REQUIRE_BROWSER:-0}" in 0 | "") required= ;; *) required=1 ;; esac
    if [ ! -x "$browser" ] && [ "$browser" = /usr/bin/chromium ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "installing chromium for the browser test of the HTML report"
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null \
                || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } \
                || echo "could not install chromium (apt-get failed, its errors are above)"
        else
            echo "chromium is not installed and cannot be installed here (needs root and apt-get)"
        fi
    fi
    if [ ! -x "$browser" ]; then
        if [ -n "$required" ]; then
            echo "error: CROSSCASE_REQUIRE_BROWSER is set and there is no browser at $browser: the browser test of the HTML report cannot run" >&2
            exit 1
        fi
        echo "no browser at $browser: the browser test will be SKIPPED"
    fi
    cargo fmt --all --check
    cargo clippy --workspace --all-targets --release --quiet -- -D warnings
    cargo test --workspace --release --quiet --no-fail-fast
    if [ ! -x "$browser" ]; then
        echo "SKIPPED: browser test of report/synthesis.html (no browser at $browser)"
    else
        echo "browser test ran ($browser); screenshot of the report: target/report-screenshot.png"
    fi
    if [ ! -f "$venv/requirements.txt" ]; then
        echo "SKIPPED: validator tests of ro-crate-metadata.json and datapackage.json (no validators in $venv)"
    else
        echo "validator tests ran (rocrate-validator and frictionless in $venv)"
    fi

# Regenerate the demo study in data/demo (deterministic: the same bytes each time).
demo:
    cargo run --release --quiet -- demo --out data/demo

# Explain a figure of the demo synthesis: its value, method and raw rows.
explain figure:
    cargo run --release --quiet -- explain "{{figure}}" --out out/demo

# Late data: add the held-back site to the demo, rerun, show what changed, restore.
late-site:
    #!/usr/bin/env bash
    set -euo pipefail
    cargo build --release --quiet
    bin=target/release/crosscase
    out=out/late-site
    echo "== 1. the synthesis before the late site arrives (into $out)"
    "$bin" run pipelines/synthesis.toml --out "$out"
    # The late site's exports, its coded transcripts, and its workshop notes
    # (which the synthesis does not read yet).
    added=$(cd data/demo/late && find raw qualitative -type f | sort)
    trap 'for f in $added; do rm -f "data/demo/$f"; done; echo "== restored data/demo (the late files were removed again)"' EXIT
    echo "== 2. the late site's exports arrive:"
    for f in $added; do echo "   data/demo/$f"; done
    cp -r data/demo/late/raw/. data/demo/raw/
    cp -r data/demo/late/qualitative/. data/demo/qualitative/
    "$bin" status --out "$out"
    echo "== 3. rerun: only the new site is anonymised; the cross-site stages run again"
    "$bin" run pipelines/synthesis.toml --out "$out"
    echo "== 4. how the late site changed the findings: ratings, top three, pattern matching (first 30 lines of crosscase diff)"
    "$bin" diff --out "$out" | grep -E " (ratings|top3|patterns|replication)/" | head -30 || true

# Check the demo study (or: just validate path/to/study).
validate study="data/demo":
    cargo run --release --quiet -- validate --study {{study}}

# Benchmark against DuckDB on three study sizes, and coded transcripts at
# 2,000 sites x 25 interviews (2000x25q) against the same study without them;
# writes bench/results.md.
# Sizes: just bench --sizes demo,2000x25 --runs 3 (default: all four sizes).
# The workbook stage by each writer, side by side (its own section):
# just bench --workbook-writers --sizes 200x250:3,2000x250:1
bench *args:
    cargo build --release --quiet
    python3 -c "import duckdb" 2>/dev/null || pip install --quiet duckdb
    python3 bench/run.py {{args}}
