#!/usr/bin/env bash
# Benchmark (not a test): builds the release binary as the Dockerfile does (the release profile
# of Cargo.toml: fat LTO, one codegen unit, symbols stripped) and prints its size beside the
# 20 MB target with the ratio, and the build's wall time. The build is timed from a clean
# release directory of the two workspace crates only: dependencies already built are reused,
# so run it twice, or after `cargo clean --release`, for the time of a build from nothing.
# Usage: bench/binary-size.sh   (TARGET_MB=N compares with another target; NO_BUILD=1 only
# measures the binary already built)
set -euo pipefail
cd "$(dirname "$0")/.."
target_mb="${TARGET_MB:-20}"
binary=target/release/assay

wall=""
if [ -z "${NO_BUILD:-}" ]; then
  cargo clean --release --locked -p assay-engine -p assay-collectors 2>/dev/null || true
  start=$(date +%s.%N)
  cargo build --release --locked -p assay-engine --bin assay
  end=$(date +%s.%N)
  wall=$(python3 -c "print(f'{$end - $start:.0f}')")
fi

bytes=$(stat -c %s "$binary")
python3 - "$bytes" "$target_mb" "$wall" "$(nproc)" <<'PY'
import os, sys
size, target_mb, wall, cores = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
target = target_mb * 1_000_000
verdict = "within" if size <= target else "OVER"
print(f"assay release binary: {size / 1e6:.1f} MB | target {target_mb} MB | "
      f"ratio {size / target:.2f} ({verdict} the target)")
if wall:
    print(f"build (workspace crates and link, dependencies cached): {wall} s on {cores} cores, "
          f"load average (1 min) {os.getloadavg()[0]:.1f}")
PY
