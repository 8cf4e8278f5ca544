#!/usr/bin/env bash
# Times assay's git collector beside `git log --numstat` on one generated history.
#
#   bench/git-history.sh [COMMITS]     (default 100000)
#
# Writes a `git fast-import` stream for COMMITS commits (every tenth one a pull-request merge
# whose second parent is a topic-branch commit; every commit changes one of 2,000 files, every
# hundredth a CI workflow), imports it into a fresh repository, then reads the whole history
# with both tools and prints commits per second for each and their ratio. Needs git and a
# Rust toolchain; builds the collector's example binary in release mode.
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

echo "== git log --numstat"
t0=$(now)
git -C "$repo" log --numstat main > /dev/null
t1=$(now)
git_seconds=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')

echo "== assay git collector (release build)"
cargo build --quiet --release -p assay-collectors --example git_history
line=$(target/release/examples/git_history "$repo")
echo "   $line"
assay_seconds=$(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' <<< "$line")

git_rate=$(rate "$total" "$git_seconds")
assay_rate=$(rate "$total" "$assay_seconds")
echo
printf '%-28s %10s s %12s commits/s\n' "git log --numstat" "$git_seconds" "$git_rate"
printf '%-28s %10s s %12s commits/s\n' "assay git collector" "$assay_seconds" "$assay_rate"
awk -v a="$assay_seconds" -v g="$git_seconds" 'BEGIN { printf "assay / git time ratio: %.2f\n", a / g }'
