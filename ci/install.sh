#!/bin/sh
# Installs an assay release binary after checking it against the release's SHA256SUMS.
#
#   ci/install.sh [VERSION] [DIR]
#
# VERSION is a release tag (default v0.1.0); DIR is where the `assay` binary goes (default
# ~/.local/bin). ASSAY_DOWNLOAD_BASE replaces the release download address (any URL curl reads,
# file:// included), for mirrors and tests. The archive for this machine is chosen from
# `uname`: Linux x86_64/aarch64 (static, musl) and macOS x86_64/arm64. A checksum that does not
# match, or an archive missing from SHA256SUMS, stops the installation with exit code 1.
set -eu

version="${1:-v0.1.0}"
dir="${2:-$HOME/.local/bin}"
base="${ASSAY_DOWNLOAD_BASE:-https://github.com/assay-compliance/assay/releases/download/$version}"

case "$(uname -s)/$(uname -m)" in
  Linux/x86_64) target=x86_64-unknown-linux-musl ;;
  Linux/aarch64 | Linux/arm64) target=aarch64-unknown-linux-musl ;;
  Darwin/x86_64) target=x86_64-apple-darwin ;;
  Darwin/arm64) target=aarch64-apple-darwin ;;
  *) echo "assay install: no release archive for $(uname -s) $(uname -m)" >&2; exit 2 ;;
esac
target="${ASSAY_TARGET:-$target}"
archive="assay-$version-$target.tar.gz"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
curl -fsSL --proto '=https,file' --tlsv1.2 -o "$work/SHA256SUMS" "$base/SHA256SUMS"
curl -fsSL --proto '=https,file' --tlsv1.2 -o "$work/$archive" "$base/$archive"

expected="$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$work/SHA256SUMS")"
if [ -z "$expected" ]; then
  echo "assay install: $archive is not listed in SHA256SUMS" >&2
  exit 1
fi
if command -v sha256sum >/dev/null 2>&1; then
  actual="$(sha256sum "$work/$archive" | awk '{ print $1 }')"
else
  actual="$(shasum -a 256 "$work/$archive" | awk '{ print $1 }')"
fi
if [ "$actual" != "$expected" ]; then
  echo "assay install: checksum mismatch for $archive (expected $expected, got $actual)" >&2
  exit 1
fi

tar -xzf "$work/$archive" -C "$work"
mkdir -p "$dir"
install -m 0755 "$work/assay-$version-$target/assay" "$dir/assay"
echo "assay $version ($target) installed to $dir/assay"
