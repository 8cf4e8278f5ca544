#!/usr/bin/env bash
# Benchmarks (not tests): every script of bench/ in turn, each printing assay beside its peer
# on the same input from the same run, with the ratio. Each builds the release binary it needs
# (cargo caches it after the first). Slow: allow an hour on two cores.
# Usage: bench/all.sh   (a script's own arguments take their defaults)
set -uo pipefail
cd "$(dirname "$0")"
status=0
for script in audit-log.sh git-history.sh check-incremental.sh sbom-memory.sh \
  scan-vs-checkov.sh rego-vs-opa.sh cedar-vs-cedarpy.sh scan-full.sh outputs.sh site-large.sh \
  binary-size.sh; do
  echo "=== bench/$script"
  if ! bash "./$script"; then
    echo "=== bench/$script failed" >&2
    status=1
  fi
done
exit "$status"
