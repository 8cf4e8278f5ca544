#!/usr/bin/env bash
# Benchmark (not a test): one conftest-style Rego policy over the same N Kubernetes manifests,
# with `assay scan --policy` (regorus) and with OPA's own Go engine (the PyPI package
# opa-golib-python-bindings, a ctypes wrapper around libopabridge.so), in one run.
# assay is timed end to end (walk, parse, evaluate, write JSON); OPA for the evaluation alone
# (the manifests are parsed before its clock starts). Both use every core.
# Usage: bench/rego-vs-opa.sh [N_DOCS]   (needs python3 with venv/pip and network to PyPI)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
threads="$(nproc)"

cargo build --release --locked -p assay-engine --bin assay
python3 bench/rego_vs_opa.py generate "$work" "$n"
python3 -m venv "$work/venv"
# The wheel declares Python >= 3.14 but is a plain ctypes wrapper that runs on older versions.
"$work/venv/bin/pip" install --quiet --ignore-requires-python opa-golib-python-bindings pyyaml

start=$(date +%s.%N)
./target/release/assay scan "$work/manifests" --no-builtin --policy "$work/policy" \
  --format json --output "$work/assay.json" || true
end=$(date +%s.%N)
read -r assay_docs assay_fail assay_warn < <(python3 - "$work/assay.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
c = next(c for c in r["controls"] if c["id"] == "policy.main")
# Counted as OPA counts them: one per deny message (the control's `failed` counts items, one
# per document however many messages it has).
failing = sum(1 for f in c["findings"] if f["status"] == "fail")
print(r["scan"]["documents"], failing, c["warnings"])
PY
)
assay_s=$(python3 -c "print(round($end - $start, 3))")
read -r opa_docs opa_s opa_fail opa_warn < <("$work/venv/bin/python" bench/rego_vs_opa.py opa "$work" "$threads")

rate() { python3 -c "print(round($1 / $2))"; }
echo "documents: assay $assay_docs, OPA $opa_docs; failures: assay $assay_fail, OPA $opa_fail; warnings: assay $assay_warn, OPA $opa_warn"
echo "assay (regorus), end to end:  ${assay_s}s  $(rate "$assay_docs" "$assay_s") documents/s"
echo "OPA (Go), evaluation only:    ${opa_s}s  $(rate "$opa_docs" "$opa_s") documents/s"
echo "ratio assay / OPA (documents per second): $(python3 -c "print(round(($assay_docs / $assay_s) / ($opa_docs / $opa_s), 2))")x"
