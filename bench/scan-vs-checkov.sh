#!/usr/bin/env bash
# Benchmark (not a test): `assay scan` on a generated repository of 10,000 config files, and
# checkov (from PyPI) on its Terraform and Kubernetes part, in the same run.
# Usage: bench/scan-vs-checkov.sh [N_FILES]   (needs python3 with venv/pip and PyPI, or CHECKOV=…)
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

cargo build --release --locked -p assay-engine --bin assay
python3 bench/generate_repo.py "$work/repo" "$n"

# CHECKOV=/path/to/checkov reuses an installed checkov; otherwise it is installed from PyPI.
checkov="${CHECKOV:-$work/venv/bin/checkov}"
if [ ! -x "$checkov" ]; then
  python3 -m venv "$work/venv"
  "$work/venv/bin/pip" install --quiet checkov
fi

seconds() {
  local s e
  s=$(date +%s.%N)
  "$@" >/dev/null 2>&1 || true
  e=$(date +%s.%N)
  python3 -c "print(round($e - $s, 2))"
}

assay_all=$(seconds ./target/release/assay scan "$work/repo" --format json --output "$work/assay.json")
assay_tk=$(seconds ./target/release/assay scan "$work/repo" --include 'terraform/**' --include 'k8s/**' --format json --output "$work/assay-tk.json")
checkov_tk=$(seconds "$checkov" --quiet --compact -o json -d "$work/repo" --framework terraform kubernetes --skip-download)

echo "files: $n (Terraform + Kubernetes: $((n * 8 / 10)))"
echo "assay, all files:                  ${assay_all}s"
echo "assay, Terraform + Kubernetes:     ${assay_tk}s"
echo "checkov, Terraform + Kubernetes:   ${checkov_tk}s"
echo "ratio checkov / assay (same files): $(python3 -c "print(round($checkov_tk / $assay_tk, 1))")x"
