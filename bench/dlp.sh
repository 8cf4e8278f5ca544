#!/usr/bin/env bash
# Benchmark (not a test): assay's DLP detectors (one RegexSet pass per line, then each
# candidate's own search and validation: check digits, key context, address parsing) over a
# generated mix of log and configuration lines with personal data, beside `rg` searching the
# same file for the same candidate patterns (no validation), in the same run.
# Usage: bench/dlp.sh [SIZE_MB]   (default 200; installs ripgrep with apt-get if missing, and
# skips the rg run with a message when that fails)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb="${1:-200}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if ! command -v rg >/dev/null; then
  (apt-get update -qq && apt-get install -y -qq ripgrep) >/dev/null 2>&1 || true
fi
cargo build --quiet --release --locked -p assay-collectors --example dlp_scan
scan=target/release/examples/dlp_scan

input="$work/input.txt"
python3 tests/fixtures/dlp/generate.py --bench "$input" "$size_mb"
bytes=$(stat -c %s "$input")
# The detectors' patterns, printed by the scanner itself so that rg searches for exactly the same.
"$scan" --patterns > "$work/patterns"
# Warm the page cache so that both tools read from memory.
cat "$input" >/dev/null

/usr/bin/time -f '%e %U %S %M' -o "$work/t.assay" "$scan" "$input" > "$work/assay.out"
if command -v rg >/dev/null; then
  /usr/bin/time -f '%e %U %S %M' -o "$work/t.rg" rg --no-filename --count --text -f "$work/patterns" "$input" > "$work/rg.out" || true
else
  echo "skipped rg: ripgrep is not installed and could not be installed"
fi

cat "$work/assay.out"
python3 - "$bytes" "$work" <<'PY'
import os, sys
size, work = int(sys.argv[1]), sys.argv[2]
mb = size / 1e6
print(f"input: {mb:,.0f} MB; cores: {os.cpu_count()}, load average (1 min): {os.getloadavg()[0]:.2f}")
def times(name):
    wall, user, system, rss = open(os.path.join(work, name)).read().split()[-4:]
    return float(wall), float(user) + float(system), int(rss)
measured = {}
for label, name in [("assay DLP (find + validate)", "t.assay"), ("rg -f <same patterns>", "t.rg")]:
    if not os.path.exists(os.path.join(work, name)):
        continue
    wall, cpu, rss = times(name)
    measured[name] = (wall, cpu)
    print(f"{label:30s} wall {wall:7.2f} s {mb / wall:8.1f} MB/s | cpu {cpu:7.2f} s | peak {rss / 1024:6.0f} MiB")
if len(measured) == 2:
    a, r = measured["t.assay"], measured["t.rg"]
    print(f"assay / rg: {a[0] / r[0]:.1f}x wall, {a[1] / r[1]:.1f}x cpu")
PY
