#!/usr/bin/env bash
# Benchmark (not a test): `assay scan` with the built-in catalog on a generated repository of
# N config files (bench/generate_repo.py), as is and with the declaration files of the sample
# repository added (ai-systems.yaml, processing-activities.yaml, attestations/ and what they
# point at), then each collector alone: scans of the repository with declarations and a
# catalog of one built-in control of one evidence kind, so that only that kind's collector
# runs (the ai and privacy controls chosen make their collectors search the tree). A scan
# with the attestation control alone is little more than start-up and output.
# Wall time is the best of RUNS runs (default 11), CPU time (user + system) their median; the
# scans take turns, so that a busy spell of the machine does not fall on one of them only.
# BASELINE=/path/to/other/assay times that binary too, in the same turns, for a before/after.
# Usage: bench/scan-full.sh [N_FILES]   (ASSAY=/path/to/assay times that binary instead of
# building this tree)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

if [ -z "${ASSAY:-}" ]; then
  cargo build --release --locked -p assay-engine --bin assay
fi
assay="${ASSAY:-$PWD/target/release/assay}"
python3 bench/generate_repo.py "$work/plain" "$n"
python3 bench/generate_repo.py "$work/declared" "$n" --declarations
# Warm the page cache.
find "$work/plain" "$work/declared" -type f -exec cat {} + >/dev/null

python3 - "$work" "${RUNS:-11}" "$assay" ${BASELINE:+"$BASELINE"} <<'PY'
import glob, os, re, statistics, subprocess, sys, time

work, runs, binaries = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
names = ["assay", "baseline"][: len(binaries)]

# One built-in control per evidence kind.
ALONE = {
    "config": "kubernetes/k8s-image-tag-pinned",
    "audit_log": "audit-logging/audit-log-retention",
    "sbom": "supply-chain/sbom-ntia-complete",
    "access": "access/access-privileged-mfa",
    "git": "change-management/cm-no-direct-commits",
    "metrics": "availability/avail-slo-availability",
    "docs": "backup-dr/dr-restore-tested",
    "attestation": "ai-program/att-ai-literacy",
    "ai": "ai-governance/ai-post-market-monitoring",
    "privacy": "data-protection/gdpr-dsr-endpoints-documented",
}

def catalog(kind, control):
    """A catalog directory holding a copy of the built-in `control` (without its tests)."""
    dest = os.path.join(work, "catalog-" + kind, control)
    os.makedirs(dest)
    for f in glob.glob(os.path.join("controls", control, "*")):
        if os.path.isfile(f):
            with open(f, "rb") as src, open(os.path.join(dest, os.path.basename(f)), "wb") as out:
                out.write(src.read())
    return ["--no-builtin", "--controls", os.path.join(work, "catalog-" + kind)]

def scan(binary, repo, args):
    """Wall and CPU seconds of one `assay scan repo args`."""
    out = os.path.join(work, "out.json")
    start = time.perf_counter()
    p = subprocess.Popen([binary, "scan", repo, *args, "--format", "json", "--output", out],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(p.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) not in (0, 1):
        sys.exit(f"{binary} scan {repo} {' '.join(args)} failed")
    return wall, usage.ru_utime + usage.ru_stime

plain, declared = os.path.join(work, "plain"), os.path.join(work, "declared")
scans = {"built-in catalog, generated repo": (plain, []),
         "built-in catalog, with declarations": (declared, [])}
for kind, control in ALONE.items():
    scans[f"  {kind} ({os.path.basename(control)})"] = (declared, catalog(kind, control))
times = {(b, label): [] for b in names for label in scans}
for _ in range(runs):
    for label, (repo, args) in scans.items():
        for name, binary in zip(names, binaries):
            times[(name, label)].append(scan(binary, repo, args))

count = lambda top: sum(len(f) for _, _, f in os.walk(top))
print(f"files: {count(plain)} (+ {count(declared) - count(plain)} declaration files); cores: {os.cpu_count()}; "
      f"load average (1 min): {os.getloadavg()[0]:.2f}; best wall / median cpu (s) of {runs} runs")
print(f"{'':<50}" + "".join(f"{name + ': wall':>15} {'cpu':>6}" for name in names))
for label in scans:
    if label.startswith("  ") and label.strip().startswith("config"):
        print("one control per evidence kind, with declarations:")
    cells = []
    for name in names:
        t = times[(name, label)]
        cells.append(f"{min(w for w, _ in t):15.3f} {statistics.median(c for _, c in t):6.3f}")
    print(f"{label:<50}" + "".join(cells))
PY
