#!/usr/bin/env bash
# Times assay's git collector beside `git log --numstat` on one generated history.
#
#   bench/git-history.sh [COMMITS]     (default 100000)
#
# Writes a `git fast-import` stream for COMMITS commits (every tenth one a pull-request merge
# whose second parent is a topic-branch commit; every commit changes one of 2,000 files, every
# hundredth a CI workflow), imports it into a fresh repository, then reads the whole history
# with both tools and prints commits per second for each and assay's speed as a multiple of
# git's (above 1: faster), with a cold and a warm cache of blob scans (`.git/assay-cache/`).
# Needs git and a Rust toolchain; builds the collector's example binary in release mode.
set -euo pipefail
cd "$(dirname "$0")/.."

commits="${1:-100000}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
repo="$work/repo"

echo "== generating $commits commits"
git init --quiet "$repo"
start=$(( $(date +%s) - commits * 60 ))
awk -v n="$commits" -v start="$start" '
function blob(text) { printf "data %d\n%s\n", length(text), text }
function header(ref, mark, when, who, message) {
  printf "commit %s\nmark :%d\n", ref, mark
  printf "author %s <%s@example.org> %d +0000\n", who, tolower(who), when
  printf "committer %s <%s@example.org> %d +0000\n", who, tolower(who), when
  blob(message)
}
function change(i,   path, text) {
  if (i % 100 == 0) { path = ".github/workflows/ci.yml" } else { path = sprintf("src/dir%02d/file%04d.txt", i % 50, (i * 7919) % 2000) }
  text = sprintf("revision %d\nowner team-%d\nvalue %d\n", i, i % 13, (i * 2654435761) % 1000003)
  printf "M 100644 inline %s\n", path
  blob(text)
}
BEGIN {
  names[0] = "Ann"; names[1] = "Bob"; names[2] = "Cy"; names[3] = "Dee"
  main = 0
  for (i = 1; i <= n; i++) {
    when = start + i * 60
    who = names[i % 4]
    if (i % 10 == 9 && i + 1 <= n) {
      header("refs/heads/topic", i, when, who, sprintf("Work on topic %d", i))
      if (main) printf "from :%d\n", main
      change(i)
      print ""
      i++
      header("refs/heads/main", i, when + 30, "Ann", sprintf("Merge pull request #%d from example/topic-%d", i, i))
      printf "from :%d\nmerge :%d\n", main, i - 1
      print ""
      main = i
      continue
    }
    subject = (i % 3 == 0) ? sprintf("Change %d (#%d)", i, i) : sprintf("Change %d", i)
    header("refs/heads/main", i, when, who, subject)
    if (main) printf "from :%d\n", main
    change(i)
    print ""
    main = i
  }
}' | git -C "$repo" fast-import --quiet
git -C "$repo" symbolic-ref HEAD refs/heads/main
total=$(git -C "$repo" rev-list --count main)
echo "   $total commits reachable from main"

now() { date +%s.%N; }
rate() { awk -v c="$1" -v s="$2" 'BEGIN { printf "%.0f", c / s }'; }
cache="$(git -C "$repo" rev-parse --absolute-git-dir)/assay-cache"

echo "== building the collector's example (release)"
cargo build --quiet --release --locked -p assay-collectors --example git_history

echo "== git log --numstat"
t0=$(now)
git -C "$repo" log --numstat main > /dev/null
t1=$(now)
git_seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')

# Cold: no blob scanned before, every added blob is read and scanned. Warm: the blob scans
# of the cold run are read from the cache in the git directory.
assay_run() {
  local line
  line=$(target/release/examples/git_history "$repo")
  echo "   $1: $line" >&2
  sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<< "$line"
}
echo "== assay git collector"
rm -rf "$cache"
cold_seconds=$(assay_run cold)
warm_seconds=$(assay_run warm)

git_rate=$(rate "$total" "$git_seconds")
echo
printf '%-34s %9s s %10s commits/s\n' "git log --numstat" "$git_seconds" "$git_rate"
for run in cold warm; do
  seconds_var="${run}_seconds"
  seconds="${!seconds_var}"
  printf '%-34s %9s s %10s commits/s   %.2fx git\n' "assay git collector, $run cache" \
    "$seconds" "$(rate "$total" "$seconds")" "$(awk -v a="$seconds" -v g="$git_seconds" 'BEGIN { print g / a }')"
done
