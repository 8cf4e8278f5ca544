#!/usr/bin/env bash
# Benchmark (not a test): assay's audit-log reader (JSON parsing, field mapping, SHA-256 hash
# chain over RFC 8785 canonical JSON, personal-data and secret detectors) on a generated JSON
# Lines log, beside `sha256sum` and `rg` with the detectors' patterns on the same file.
# Usage: bench/audit-log.sh [SIZE_MB]   (default 1024; installs ripgrep with apt-get if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
size_mb="${1:-1024}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if ! command -v rg >/dev/null; then
  apt-get update -qq && apt-get install -y -qq ripgrep >/dev/null
fi
cargo build --release --locked -p assay-engine --bin assay
cargo build --quiet --release --locked -p assay-collectors --example dlp_scan

mkdir -p "$work/repo/logs" "$work/catalog"
python3 bench/generate_audit_log.py "$work/repo/logs/api.audit.jsonl" "$size_mb"
log="$work/repo/logs/api.audit.jsonl"
bytes=$(stat -c %s "$log")
# Only the audit-log controls, so that the scan time is the reader's.
cp -r controls/audit-logging "$work/catalog/"

# The detector patterns, printed by the scanner itself so that rg searches for exactly the same.
./target/release/examples/dlp_scan --patterns > "$work/patterns"

# Runs a command and records "wall user system" seconds and the peak resident set (KiB).
measure() {
  local out="$1"
  shift
  /usr/bin/time -f '%e %U %S %M' -o "$out" "$@" >/dev/null 2>&1
}
# Warm the page cache so that every tool reads from memory.
cat "$log" >/dev/null

measure "$work/t.assay" ./target/release/assay scan "$work/repo" --no-builtin --controls "$work/catalog" --format json --output "$work/results.json"
measure "$work/t.sha" sha256sum "$log"
measure "$work/t.rg" rg --no-filename --count --text -f "$work/patterns" "$log"

python3 - "$bytes" "$work" <<'PY'
import json, os, sys
size, work = int(sys.argv[1]), sys.argv[2]
mb = size / 1e6
def times(name):
    wall, user, system, rss = open(os.path.join(work, name)).read().split()[-4:]
    return float(wall), float(user) + float(system), int(rss)
results = json.load(open(os.path.join(work, "results.json")))
statuses = {c["id"]: c["status"] for c in results["controls"]}
print(f"log: {mb:,.0f} MB; controls: {statuses}")
print(f"cores: {os.cpu_count()}, load average (1 min): {os.getloadavg()[0]:.2f}")
rows = [("assay scan (parse + hash chain + DLP)", "t.assay"), ("sha256sum", "t.sha"), ("rg -f <detector patterns>", "t.rg")]
measured = {}
for label, name in rows:
    wall, cpu, rss = times(name)
    measured[name] = (wall, cpu)
    print(f"{label:40s} wall {wall:7.2f} s {mb / wall:8.1f} MB/s | cpu {cpu:7.2f} s {mb / cpu:8.1f} MB/cpu-s | peak {rss / 1024:6.0f} MiB")
a, s_, r = measured["t.assay"], measured["t.sha"], measured["t.rg"]
print(f"assay / sha256sum: {a[0] / s_[0]:.1f}x wall, {a[1] / s_[1]:.1f}x cpu")
print(f"assay / rg:        {a[0] / r[0]:.1f}x wall, {a[1] / r[1]:.1f}x cpu")
PY
