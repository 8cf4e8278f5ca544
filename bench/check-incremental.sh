#!/usr/bin/env bash
# Benchmark (not a test): `assay check --base HEAD` on a generated git repository of N config
# files (default 10,000) after a one-file change: the first run (the base evaluated from git
# objects, then cached), the next runs (the base read from the cache in the git directory,
# best of 3), a run with --no-cache, and a full `assay scan` for comparison; then the cached
# figure against the target (under 0.3 s for 10,000 files), against the figure before the
# tree-evidence cache (a run with the base cached but the tree evidence evaluated again, as
# every run did before; or, with ASSAY_BEFORE_BIN=path, an older binary, best of 3; issue #16
# measured 0.64 s), and as a share of the full scan.
# Usage: bench/check-incremental.sh [N_FILES]   (ASSAY_BIN=path uses that binary instead of a
# release build)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

bin="${ASSAY_BIN:-}"
if [ -z "$bin" ]; then
  cargo build --release --locked --bin assay
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
# The base stays cached; the tree evidence is evaluated again, as it was on every run before.
uncached_tree() {
  rm -f "$work/repo/.git/assay-cache/"tree-*.json
  "$@"
}
before=$(best uncached_tree "${check[@]}")
before_from="tree evidence evaluated again, best of 3"
if [ -n "${ASSAY_BEFORE_BIN:-}" ]; then
  "$ASSAY_BEFORE_BIN" check "$work/repo" --base HEAD --format json >/dev/null 2>&1 || true
  before=$(best "$ASSAY_BEFORE_BIN" check "$work/repo" --base HEAD --format json)
  before_from="$ASSAY_BEFORE_BIN, best of 3"
fi

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
python3 - "$cached" "$before" "$scan" "$before_from" <<'PY'
import sys
cached, before, scan, source = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
print(f"cached check vs target:  {cached:.3f}s vs < 0.300s ({'met' if cached < 0.3 else 'missed'})")
print(f"cached check vs before:  {cached:.3f}s vs {before:.3f}s ({source}): {before / cached:.1f}x faster")
print(f"cached check vs scan:    {100 * cached / scan:.1f}% of the full scan ({scan / cached:.1f}x faster)")
PY
