#!/usr/bin/env bash
# Checks release archives made by ci/release/build.sh the way a user meets them: the checksums
# verify, ci/install.sh installs the archive for TARGET and refuses a tampered one, and the
# installed static binary scans the bundled sample repository.
#
#   ci/release/check.sh OUT_DIR TARGET
set -euo pipefail
cd "$(dirname "$0")/../.."

out="$(cd "${1:?usage: ci/release/check.sh OUT_DIR TARGET}" && pwd)"
target="${2:?usage: ci/release/check.sh OUT_DIR TARGET}"
version="${ASSAY_VERSION:-v$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

(cd "$out" && sha256sum --check --strict SHA256SUMS)

ASSAY_DOWNLOAD_BASE="file://$out" ASSAY_TARGET="$target" ci/install.sh "$version" "$work/bin"
"$work/bin/assay" --version

# The installed binary on the sample: the default gate fails on its critical and high findings.
set +e
"$work/bin/assay" scan tests/fixtures/sample-repo --format json --output "$work/results.json" --quiet
code=$?
set -e
if [ "$code" != 1 ]; then
  echo "release check: the sample scan exited $code, expected 1 (gate failed)" >&2
  exit 1
fi
grep -q '"control_id"\|"controls"' "$work/results.json"

# A tampered archive is refused.
mkdir "$work/tampered"
cp "$out/SHA256SUMS" "$out/assay-$version-$target.tar.gz" "$work/tampered/"
printf 'x' >> "$work/tampered/assay-$version-$target.tar.gz"
if ASSAY_DOWNLOAD_BASE="file://$work/tampered" ASSAY_TARGET="$target" \
  ci/install.sh "$version" "$work/refused" 2> "$work/refused.log"; then
  echo "release check: a tampered archive was installed" >&2
  exit 1
fi
grep -q "checksum mismatch" "$work/refused.log"
echo "release check: $target archive verified, installed and ran on the sample"
