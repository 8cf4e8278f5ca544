#!/usr/bin/env bash
# Benchmark (not a test): the built-in access controls (Cedar questions over every User) on a
# generated access model of N users, with `assay scan` (cedar-policy in Rust, principals in
# parallel), beside the same authorization requests made in one batch through cedarpy (the
# Python binding of the same Cedar engine, which the cedar suite's answers were made with).
# assay is timed end to end (walk, parse, link, 4 questions, JSON); cedarpy for one
# is_authorized_batch call over the same requests, with policies and entities as strings.
# Usage: bench/cedar-vs-cedarpy.sh [N_USERS]   (default 20000; needs python3 venv/pip, PyPI)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-20000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --locked -p assay-engine --bin assay
python3 bench/generate_access_model.py "$work/repo" "$n"
mkdir -p "$work/catalog"
cp -r controls/access "$work/catalog/"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet cedarpy==4.12.2

"$work/venv/bin/python" - "$work" "$n" <<'PY'
import json, resource, subprocess, sys, time
import cedarpy
work, n = sys.argv[1], int(sys.argv[2])
start = time.perf_counter()
subprocess.run(["./target/release/assay", "scan", f"{work}/repo", "--no-builtin", "--controls",
                f"{work}/catalog", "--format", "json", "--output", f"{work}/assay.json"])
assay_s = time.perf_counter() - start
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
results = json.load(open(f"{work}/assay.json"))
for c in results["controls"]:
    f = c["findings"][0] if c["findings"] else {}
    print(f"{c['id']:28s} {f.get('status', '-'):5s} {f.get('message', '')[:110]}")
policies = open(f"{work}/repo/access/policies.cedar").read()
entities = open(f"{work}/repo/access/entities.json").read()
users = [e["uid"]["id"] for e in json.loads(entities) if e["uid"]["type"] == "User"]
# The requests the who_can, mfa and separation-of-duties controls make (the shared-account
# control asks only the few accounts its `when` selects).
requests = [
    {"principal": f'User::"{u}"', "action": f'Action::"{a}"',
     "resource": 'Environment::"production"', "context": {}}
    for a in ["admin", "admin", "approve", "deploy"] for u in users
]
# One batch: cedarpy parses the policies and entities once and decides every request.
t = time.perf_counter()
answers = cedarpy.is_authorized_batch(requests, policies, entities)
cedarpy_s = time.perf_counter() - t
allowed = sum(a.allowed for a in answers)
print(f"users: {n}, requests made by the 4 controls: ~{len(requests)} ({allowed} allowed)")
print(f"assay scan, end to end:          {assay_s:8.2f} s  ({len(requests) / assay_s:,.0f} requests/s)")
print(f"cedarpy is_authorized_batch:     {cedarpy_s:8.2f} s  ({len(requests) / cedarpy_s:,.0f} requests/s)")
print(f"assay peak resident memory: {rss / 1024:.0f} MiB")
PY
