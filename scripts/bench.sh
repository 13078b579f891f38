#!/usr/bin/env bash
# Speed of aimsc on generated repositories (see docs/benchmark.md):
#   `aimsc check` and `aimsc build` at 1,000 and 10,000 documents, and
#   `mdbook build` of the same Markdown side by side, as a ratio.
# Each figure is the best of five runs. mdbook is taken from PATH (cargo
# install mdbook); without it the comparison is skipped and says so.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
export AIMSC="$PWD/target/release/aimsc"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Prints the best wall-clock time of a command in milliseconds, over RUNS runs (default 5).
best_ms() {
  local best=999999999 start ms
  for _ in $(seq "${RUNS:-5}"); do
    start=$(date +%s%N)
    "$@" >/dev/null 2>&1
    ms=$(( ($(date +%s%N) - start) / 1000000 ))
    (( ms < best )) && best=$ms
  done
  echo "$best"
}

# The same Markdown as an mdBook: every document is a chapter.
make_book() {
  local repo=$1 book=$2
  mkdir -p "$book/src"
  printf '[book]\ntitle = "Benchmark"\n[output.html]\nsearch.enable = true\n' > "$book/book.toml"
  {
    echo "# Summary"
    echo
    for f in "$repo"/docs/*.md "$repo"/*.md; do
      cp "$f" "$book/src/"
      echo "- [$(basename "$f" .md)]($(basename "$f"))"
    done
  } > "$book/src/SUMMARY.md"
}

printf '| documents | aimsc check | aimsc build | mdbook build | build ratio (mdbook / aimsc) |\n|---:|---:|---:|---:|---:|\n'
for n in ${SIZES:-1000 10000}; do
  repo="$work/repo-$n"
  python3 scripts/gen_repo.py "$n" "$repo"
  "$AIMSC" check "$repo" --today 2026-12-01 >/dev/null || { echo "generated repository does not check clean" >&2; exit 1; }
  check=$(best_ms "$AIMSC" check "$repo" --today 2026-12-01)
  build=$(best_ms "$AIMSC" build "$repo" --out "$work/site-$n" --today 2026-12-01)
  if command -v mdbook >/dev/null; then
    make_book "$repo" "$work/book-$n"
    # mdbook writes the whole table of contents into every page, so large books are slow: one run.
    mdbook_ms=$(RUNS=$(( n >= 10000 ? 1 : 5 )) best_ms mdbook build "$work/book-$n")
    ratio=$(python3 -c "print(f'{$mdbook_ms / max($build, 1):.1f}x')")
  else
    mdbook_ms="(no mdbook)"; ratio="-"
  fi
  printf '| %s | %s ms | %s ms | %s ms | %s |\n' "$n" "$check" "$build" "$mdbook_ms" "$ratio"
done
