#!/usr/bin/env bash
# Benchmark (not a test): peak memory and time of `assay scan` with the built-in catalog on a
# repository holding one generated CycloneDX JSON SBOM (bench/generate_sbom.py) and nothing
# else, as a multiple of the SBOM's size.
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
mkdir -p "$work/repo"
python3 bench/generate_sbom.py "$work/repo/bom.json" "$size_mb"
bytes=$(stat -c %s "$work/repo/bom.json")
cat "$work/repo/bom.json" >/dev/null

for binary in "$assay" ${BASELINE:+"$BASELINE"}; do
  /usr/bin/time -f '%e %M' -o "$work/time" \
    "$binary" scan "$work/repo" --soft-fail --format json --output "$work/results.json" \
    >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
  read -r wall peak_kib < "$work/time"
  python3 - "$binary" "$bytes" "$wall" "$peak_kib" "$work/results.json" <<'PY'
import json, sys
binary, size, wall, peak = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4]) * 1024
results = json.load(open(sys.argv[5]))
sbom = {c["id"]: c["status"] for c in results["controls"] if c["id"].startswith("sbom-")}
print(f"{binary}: SBOM {size / 1e6:.1f} MB, peak {peak / 1e6:.1f} MB "
      f"({peak / size:.2f}x the file), wall {wall:.1f} s; {sbom}")
PY
done
