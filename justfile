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
test:
    #!/usr/bin/env bash
    set -euo pipefail
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
