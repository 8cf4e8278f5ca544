#!/usr/bin/env bash
# Fuzzes every parser and loader for TOTAL_SECONDS (default 600), shared equally between the
# targets; FUZZ_SEED (default 1) picks the input streams, and FUZZ_EXECUTIONS (default: as many
# as the time allows) caps the inputs per target, so that a run tries the same inputs on any
# machine. Builds the runner as the test step
# does (same command, so the same dependency features: nothing is compiled twice in CI).
# Exits 1 when an input crashed or hung a worker; each such input is saved under
# fuzz/artifacts/<target>/ with its reason.
set -euo pipefail
cd "$(dirname "$0")/.."
total="${1:-600}"
cargo test --quiet --workspace --locked --no-run
args=(run --total-seconds "$total" --seed "${FUZZ_SEED:-1}")
if [ -n "${FUZZ_EXECUTIONS:-}" ]; then
  args+=(--executions-per-target "$FUZZ_EXECUTIONS")
fi
exec "${CARGO_TARGET_DIR:-target}/debug/assay-fuzz" "${args[@]}"
