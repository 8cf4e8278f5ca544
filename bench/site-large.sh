#!/usr/bin/env bash
# Benchmark (not a test): renders the evidence site for a generated scan of 1,000 controls and
# 100,000 findings over 5,000 files, then reports the time, the size and the heaviest page.
# Usage: bench/site-large.sh [N_CONTROLS] [N_FINDINGS] [N_FILES]   (needs python3)
set -euo pipefail
cd "$(dirname "$0")/.."
controls="${1:-1000}"
findings="${2:-100000}"
files="${3:-5000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --locked -p assay-engine --bin assay
python3 bench/generate_site_scan.py "$work" "$controls" "$findings" "$files"
echo "results.json: $(du -h "$work/results.json" | cut -f1)"

start=$(date +%s.%N)
./target/release/assay site --results "$work/results.json" --root "$work/repo" --out "$work/site"
end=$(date +%s.%N)
echo "controls: $controls, findings: $findings, files: $files"
echo "render time: $(python3 -c "print(round($end - $start, 2))")s"
echo "site size on disk: $(du -sh "$work/site" | cut -f1) in $(find "$work/site" -type f | wc -l) files"
echo "heaviest pages:"
find "$work/site" -name '*.html' -printf '%s %P\n' | sort -rn | head -3 | awk '{printf "  %7.1f kB  %s\n", $1/1000, $2}'
echo "heaviest script: $(find "$work/site" -name '*.js' -printf '%s %P\n' | sort -rn | head -1 | awk '{printf "%.1f kB  %s", $1/1000, $2}')"
