#!/usr/bin/env bash
# Benchmark (not a test): `assay check --base HEAD` on a generated git repository of N config
# files (default 10,000) after a one-file change: the first run (the base evaluated from git
# objects, then cached), the next runs (the base read from .assay-cache/, best of 3), a run
# with --no-cache, and a full `assay scan` for comparison.
# Usage: bench/check-incremental.sh [N_FILES]   (ASSAY_BIN=path uses that binary instead of a
# release build)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

bin="${ASSAY_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --release --locked -p assay-engine --bin assay
  bin=./target/release/assay
fi
python3 bench/generate_repo.py "$work/repo" "$n"
git -C "$work/repo" init -q
git -C "$work/repo" add -A
git -C "$work/repo" -c user.name=bench -c user.email=bench@example.invalid commit -qm base
# The change: one Kubernetes manifest unpins its image.
changed="$work/repo/k8s/team-1/svc-1.yaml"
sed -i 's/:1\.2\.3$/:latest/' "$changed"

seconds() {
  local s e
  s=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || true
  e=$(date +%s.%N)
  python3 -c "print(round($e - $s, 3))"
}
best() {
  local best="" t
  for _ in 1 2 3; do
    t=$(seconds "$@")
    best=$(python3 -c "print(min(x for x in [$t, ${best:-$t}]))")
  done
  echo "$best"
}

check=("$bin" check "$work/repo" --base HEAD --format json)
scan=$(seconds "$bin" scan "$work/repo" --format json --output "$work/scan.json")
first=$(seconds "${check[@]}" --output "$work/first.json")
cached=$(best "${check[@]}" --output "$work/cached.json")
uncached=$(seconds "${check[@]}" --no-cache --output "$work/uncached.json")

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
for name in ["first", "cached"]:
    c = json.load(open(f"{work}/{name}.json"))["check"]
    print(f"{name:7} run: cache {c['cache']}, {len(c['changed_paths'])} changed path(s), "
          f"{len(c['evaluated_controls'])} evaluated / {len(c['skipped_controls'])} skipped controls, "
          f"{len(c['new_failures'])} new failure(s)")
PY
echo "files: $n"
echo "assay scan (full):                     ${scan}s"
echo "assay check, first run (cache miss):   ${first}s"
echo "assay check, next runs (cache hit):    ${cached}s  (best of 3)"
echo "assay check --no-cache:                ${uncached}s"
