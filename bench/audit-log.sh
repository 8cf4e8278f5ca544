#!/usr/bin/env bash
# Benchmark (not a test): assay's audit-log reader (JSON parsing, field mapping, SHA-256 hash
# chain over RFC 8785 canonical JSON, personal-data and secret detectors) on a generated JSON
# Lines log, beside `sha256sum` and `rg` with the detectors' patterns on the same file, then
# the same log scanned again from a checkpoint after one day's events (1/365 of it) were
# appended, and packed (`--pack`, which streams the log instead of holding it).
# Usage: bench/audit-log.sh [SIZE_MB [DIR]]   (default 1024; installs ripgrep with apt-get if
# missing). With DIR, the log is generated into DIR and kept, and a log of that size already
# there is used again: `bench/audit-log.sh 10620 DIR` is the year of history (31.5 M events).
# ASSAY=path/to/assay, DLP_SCAN=path/to/dlp_scan and GENERATE=path/to/generate_audit_log use
# those binaries instead of building.
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb="${1:-1024}"
if [ -n "${2:-}" ]; then
  work="$2"
  mkdir -p "$work"
  rm -rf "$work/catalog" "$work/checkpoints" "$work/pack" "$work"/*.json "$work"/t.*
else
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi

if ! command -v rg >/dev/null; then
  apt-get update -qq && apt-get install -y -qq ripgrep >/dev/null
fi
if [ -z "${ASSAY:-}" ]; then
  cargo build --release --locked -p assay-engine --bin assay
  ASSAY=./target/release/assay
fi
if [ -z "${DLP_SCAN:-}" ]; then
  cargo build --quiet --release --locked -p assay-collectors --example dlp_scan
  DLP_SCAN=./target/release/examples/dlp_scan
fi
if [ -z "${GENERATE:-}" ]; then
  cargo build --quiet --release --locked -p assay-collectors --example generate_audit_log
  GENERATE=./target/release/examples/generate_audit_log
fi

mkdir -p "$work/repo/logs" "$work/catalog"
log="$work/repo/logs/api.audit.jsonl"
if [ ! -f "$log" ] || [ "$(cat "$work/size_mb" 2>/dev/null)" != "$size_mb" ]; then
  "$GENERATE" "$log" "$size_mb"
  echo "$size_mb" > "$work/size_mb"
fi
bytes=$(stat -c %s "$log")
# Only the audit-log controls, so that the scan time is the reader's.
cp -r controls/audit-logging "$work/catalog/"

# The detector patterns, printed by the scanner itself so that rg searches for exactly the same.
"$DLP_SCAN" --patterns > "$work/patterns"

# Runs a command and records "wall user system" seconds and the peak resident set (KiB).
measure() {
  local out="$1"
  shift
  /usr/bin/time -f '%e %U %S %M' -o "$out" "$@" >/dev/null 2>&1
}
scan=("$ASSAY" scan "$work/repo" --no-builtin --controls "$work/catalog" --soft-fail --format json)
# Warm the page cache so that every tool reads from memory.
cat "$log" >/dev/null

measure "$work/t.assay" "${scan[@]}" --output "$work/results.json"
measure "$work/t.sha" sha256sum "$log"
measure "$work/t.rg" rg --no-filename --count --text -f "$work/patterns" "$log"
measure "$work/t.pack" "${scan[@]}" --output "$work/pack.json" --pack "$work/pack"

# A year of history and one more day: the checkpoint of the year, then the day appended.
day=$((bytes / 365))
split=$(python3 -c "import sys; f=open(sys.argv[1],'rb'); f.seek($bytes - $day); f.readline(); print(f.tell())" "$log")
tail -c +$((split + 1)) "$log" > "$work/day.jsonl"
truncate -s "$split" "$log"
measure "$work/t.full" "${scan[@]}" --output "$work/full.json" --checkpoints "$work/checkpoints"
cat "$work/day.jsonl" >> "$log"
measure "$work/t.resumed" "${scan[@]}" --output "$work/resumed.json" --checkpoints "$work/checkpoints"

python3 - "$bytes" "$work" <<'PY'
import json, os, sys
size, work = int(sys.argv[1]), sys.argv[2]
mb = size / 1e6
def times(name):
    wall, user, system, rss = open(os.path.join(work, name)).read().split()[-4:]
    return float(wall), float(user) + float(system), int(rss)
statuses = lambda f: {c["id"]: c["status"] for c in json.load(open(os.path.join(work, f)))["controls"]}
print(f"log: {mb:,.0f} MB; controls: {statuses('results.json')}")
assert statuses("resumed.json") == statuses("results.json"), "the resumed scan judges differently"
print(f"cores: {os.cpu_count()}, load average (1 min): {os.getloadavg()[0]:.2f}")
rows = [
    ("assay scan (parse + hash chain + DLP)", "t.assay"),
    ("sha256sum", "t.sha"),
    ("rg -f <detector patterns>", "t.rg"),
    ("assay scan --pack", "t.pack"),
    ("assay scan --checkpoints (364/365)", "t.full"),
    ("assay scan from checkpoint (+1/365)", "t.resumed"),
]
measured = {}
for label, name in rows:
    wall, cpu, rss = times(name)
    measured[name] = (wall, cpu)
    print(f"{label:40s} wall {wall:7.2f} s {mb / wall:8.1f} MB/s | cpu {cpu:7.2f} s {mb / cpu:8.1f} MB/cpu-s | peak {rss / 1024:6.0f} MiB")
a, s_, r = measured["t.assay"], measured["t.sha"], measured["t.rg"]
print(f"assay / sha256sum: {a[0] / s_[0]:.2f}x wall, {a[1] / s_[1]:.2f}x cpu")
print(f"assay / rg:        {a[0] / r[0]:.2f}x wall, {a[1] / r[1]:.2f}x cpu")
f, c = measured["t.full"], measured["t.resumed"]
print(f"from checkpoint / full: {c[0] / f[0]:.3f}x wall, {c[1] / f[1]:.3f}x cpu")
PY
