#!/usr/bin/env bash
# Benchmark (not a test): a simulated organisation of N repositories (default 500) scanned with
# `assay org scan --shard 1/2` and `--shard 2/2` in parallel, then the portfolio site rendered
# from both outputs. Prints the time per repository, the portfolio's time, its size and its
# largest page. Usage: bench/org.sh [N]   (needs python3; ASSAY=path/to/assay to skip the build)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-500}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ -z "${ASSAY:-}" ]; then
  cargo build --release --locked -p assay-engine --bin assay
  ASSAY=./target/release/assay
fi
python3 bench/generate_org.py "$work/org" "$n"
export SOURCE_DATE_EPOCH=1780272000

start=$(date +%s.%N)
"$ASSAY" org scan "$work/org/assay-org.yaml" --out "$work/scan-1" --shard 1/2 2>"$work/scan-1.log" >"$work/scan-1.out" &
one=$!
"$ASSAY" org scan "$work/org/assay-org.yaml" --out "$work/scan-2" --shard 2/2 2>"$work/scan-2.log" >"$work/scan-2.out" &
two=$!
wait "$one" || [ $? -eq 1 ]
wait "$two" || [ $? -eq 1 ]
end=$(date +%s.%N)
cat "$work/scan-1.out" "$work/scan-2.out"
scanned=$(find "$work"/scan-? -name results.json | wc -l)
echo "repositories: $n, scanned: $scanned, wall time of the two shards: $(python3 -c "print(round($end - $start, 1))") s ($(python3 -c "print(round(($end - $start) / $n, 3))") s per repository, 2 shards in parallel)"
echo "per-repository outputs (results and sites) on disk: $(du -sc "$work/scan-1" "$work/scan-2" | tail -1 | awk '{printf "%.0f MB", $1/1024}')"

start=$(date +%s.%N)
"$ASSAY" org site "$work/scan-1" "$work/scan-2" --out "$work/portfolio"
end=$(date +%s.%N)
echo "portfolio time: $(python3 -c "print(round($end - $start, 2))") s"
echo "portfolio size on disk: $(du -sh "$work/portfolio" | cut -f1) in $(find "$work/portfolio" -type f | wc -l) files"
echo "heaviest pages:"
find "$work/portfolio" -name '*.html' -printf '%s %P\n' | sort -rn | head -3 | awk '{printf "  %7.1f kB  %s\n", $1/1000, $2}'
