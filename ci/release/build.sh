#!/usr/bin/env bash
# Builds the assay binary for one target and packages it as a release archive.
#
#   ci/release/build.sh TARGET OUT_DIR [PROFILE]
#
# PROFILE is a cargo profile (default release). Linux binaries are linked statically:
# *-linux-musl targets are static by nature; *-linux-gnu targets get `crt-static` (the route
# where no musl standard library is installed, as in the project's own CI). The archive is
# OUT_DIR/assay-VERSION-TARGET.tar.gz holding assay-VERSION-TARGET/{assay,LICENSE,README.md},
# and its line is added to OUT_DIR/SHA256SUMS. VERSION is $ASSAY_VERSION, or v<workspace version>.
set -euo pipefail
cd "$(dirname "$0")/../.."

target="${1:?usage: ci/release/build.sh TARGET OUT_DIR [PROFILE]}"
out="${2:?usage: ci/release/build.sh TARGET OUT_DIR [PROFILE]}"
profile="${3:-release}"
version="${ASSAY_VERSION:-v$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)}"

case "$target" in
  *-linux-gnu) export RUSTFLAGS="${RUSTFLAGS:-} -C target-feature=+crt-static" ;;
esac
cargo build --locked --profile "$profile" --target "$target" -p assay-engine --bin assay

case "$profile" in dev | test) dir=debug ;; *) dir="$profile" ;; esac
binary="target/$target/$dir/assay"
case "$target" in
  *-linux-*)
    if readelf --dynamic "$binary" | grep -q NEEDED; then
      echo "release: $binary links shared libraries:" >&2
      readelf --dynamic "$binary" | grep NEEDED >&2
      exit 1
    fi
    ;;
esac

name="assay-$version-$target"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/$name" "$out"
cp "$binary" LICENSE README.md "$stage/$name/"
# Same bytes for the same binary: fixed order, owner and time in the archive (GNU tar; the
# BSD tar of macOS has no such options).
if tar --version 2>/dev/null | grep -q GNU; then
  deterministic=(--sort=name --owner=0 --group=0 --numeric-owner --mtime=@0)
else
  deterministic=()
fi
tar ${deterministic[@]+"${deterministic[@]}"} -C "$stage" -cf - "$name" | gzip -n > "$out/$name.tar.gz"
(
  cd "$out"
  touch SHA256SUMS
  grep -v "  $name.tar.gz\$" SHA256SUMS > SHA256SUMS.new || true
  if command -v sha256sum >/dev/null; then
    sha256sum "$name.tar.gz" >> SHA256SUMS.new
  else
    shasum -a 256 "$name.tar.gz" >> SHA256SUMS.new
  fi
  sort -k 2 SHA256SUMS.new > SHA256SUMS
  rm SHA256SUMS.new
)
echo "release: $out/$name.tar.gz"
