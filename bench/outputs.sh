#!/usr/bin/env bash
# Benchmark (not a test): what writing every output format costs on top of the JSON, for a scan
# of a generated repository of N config files (default 10,000). Best of 3 runs each.
# Usage: bench/outputs.sh [N_FILES]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --locked -p assay-engine --bin assay
python3 bench/generate_repo.py "$work/repo" "$n"

best() {
  local best="" s e t
  for _ in 1 2 3; do
    s=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    e=$(date +%s.%N)
    t=$(python3 -c "print(round($e - $s, 3))")
    best=$(python3 -c "print(min(x for x in [$t, ${best:-$t}]))")
  done
  echo "$best"
}

json=$(best ./target/release/assay scan "$work/repo" --format json --output "$work/results.json")
all=$(best ./target/release/assay scan "$work/repo" \
  --format json,sarif,junit,markdown,csv,oscal --output-dir "$work/out")
echo "files: $n"
echo "scan, json only:        ${json}s"
echo "scan, all six formats:  ${all}s"
ls -l "$work/out" | awk 'NR > 1 {printf "  %-20s %12d bytes\n", $9, $5}'
