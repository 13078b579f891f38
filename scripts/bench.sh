#!/usr/bin/env bash
# Times `aimsc check` on generated repositories of 1,000 and 10,000
# documents. Uses hyperfine when installed (apt-get install hyperfine),
# otherwise the best of five runs. See docs/benchmark.md.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
export AIMSC="$PWD/target/release/aimsc"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for n in ${SIZES:-1000 10000}; do
  python3 scripts/gen_repo.py "$n" "$work/repo-$n"
  "$AIMSC" check "$work/repo-$n" --today 2026-12-01 >/dev/null || { echo "generated repository does not check clean" >&2; exit 1; }
  if command -v hyperfine >/dev/null; then
    hyperfine --warmup 1 --runs 10 "$AIMSC check $work/repo-$n --today 2026-12-01" --export-markdown "$work/$n.md" >/dev/null
    echo "check, $n documents:"; cat "$work/$n.md"
  else
    best=999999
    for _ in 1 2 3 4 5; do
      start=$(date +%s%N)
      "$AIMSC" check "$work/repo-$n" --today 2026-12-01 >/dev/null
      ms=$(( ($(date +%s%N) - start) / 1000000 ))
      (( ms < best )) && best=$ms
    done
    echo "check, $n documents: best of 5 = ${best} ms"
  fi
done
