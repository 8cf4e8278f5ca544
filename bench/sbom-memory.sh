#!/usr/bin/env bash
# Benchmark (not a test): peak memory and time of `assay scan` with the built-in catalog on a
# repository holding one generated SBOM (bench/generate_sbom.py) and nothing else, beside what
# merely parsing the same file costs its peers in the same run: `jq` and Python's `json.load`
# (each holding the whole document as a tree of values). One row per tool and format
# (CycloneDX JSON, then SPDX JSON), with the peak as a multiple of the file's size and
# assay's peak and time as a ratio to each peer's.
# Usage: bench/sbom-memory.sh [SIZE_MB]   (default 100; ASSAY=/path/to/assay measures that
# binary instead of building this tree; BASELINE=/path/to/other/assay measures that one too)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb="${1:-100}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ -z "${ASSAY:-}" ]; then
  cargo build --release --locked -p assay-engine --bin assay
fi
assay="${ASSAY:-$PWD/target/release/assay}"

# `measure NAME COMMAND…` appends "NAME wall peak_kib" to $work/rows.
measure() {
  local name="$1"
  shift
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >/dev/null 2>"$work/stderr" ||
    { cat "$work/stderr" >&2; exit 1; }
  echo "$name $(cat "$work/time")" >>"$work/rows"
}

for format in cyclonedx spdx; do
  rm -rf "$work/repo" "$work/rows"
  mkdir -p "$work/repo"
  if [ "$format" = spdx ]; then
    file="$work/repo/app.spdx.json"
    python3 bench/generate_sbom.py "$file" "$size_mb" --spdx
  else
    file="$work/repo/bom.json"
    python3 bench/generate_sbom.py "$file" "$size_mb"
  fi
  bytes=$(stat -c %s "$file")
  cat "$file" >/dev/null
  measure "assay" "$assay" scan "$work/repo" --soft-fail --format json --output "$work/results.json"
  if [ -n "${BASELINE:-}" ]; then
    measure "assay-baseline" "$BASELINE" scan "$work/repo" --soft-fail --format json \
      --output "$work/baseline.json"
  fi
  if command -v jq >/dev/null; then
    measure "jq" jq -c length "$file"
  else
    echo "skipped jq: not installed"
  fi
  measure "python3-json.load" python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$file"
  python3 - "$format" "$bytes" "$work/rows" "$work/results.json" <<'PY'
import json, os, sys
form, size, rows_path, results_path = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rows = [line.split() for line in open(rows_path)]
rows = [(name, float(wall), int(kib) * 1024) for name, wall, kib in rows]
results = json.load(open(results_path))
sbom = {c["id"]: c["status"] for c in results["controls"] if c["id"].startswith("sbom-")}
print(f"{form}: {size / 1e6:.1f} MB; cores: {os.cpu_count()}, "
      f"load average (1 min): {os.getloadavg()[0]:.2f}; assay's SBOM controls: {sbom}")
_, assay_wall, assay_peak = rows[0]
for name, wall, peak in rows:
    line = (f"  {name:18s} peak {peak / 1e6:7.1f} MB ({peak / size:5.2f}x the file)"
            f" | wall {wall:6.1f} s")
    if name != "assay":
        line += f" | assay/this: peak {assay_peak / peak:.2f}, wall {assay_wall / wall:.2f}"
    print(line)
PY
done
