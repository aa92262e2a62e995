# crosscase: run `just` to list the recipes.

set shell := ["bash", "-euo", "pipefail", "-c"]

default:
    @just --list

# The full synthesis of the shipped demo study, into out/demo.
synthesis:
    cargo run --release --quiet -- run pipelines/synthesis.toml

# Every test: unit, statistics, snapshots, end-to-end.
test:
    cargo test --workspace --release --quiet

# Regenerate the demo study in data/demo (deterministic: the same bytes each time).
demo:
    cargo run --release --quiet -- demo --out data/demo

# Check the demo study (or: just validate path/to/study).
validate study="data/demo":
    cargo run --release --quiet -- validate --study {{study}}
