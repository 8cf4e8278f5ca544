#!/usr/bin/env bash
# Fuzzes every parser and loader for TOTAL_SECONDS (default 600), shared equally between the
# targets; FUZZ_SEED (default 1) picks the input streams. Builds the runner with the normal
# dev profile, so it reuses the workspace's build. Exits 1 when an input crashed or hung a
# worker; each such input is saved under fuzz/artifacts/<target>/ with its reason.
set -euo pipefail
cd "$(dirname "$0")/.."
total="${1:-600}"
cargo build --quiet --locked -p assay-fuzz
exec cargo run --quiet --locked -p assay-fuzz -- run --total-seconds "$total" --seed "${FUZZ_SEED:-1}"
