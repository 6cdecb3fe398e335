#!/usr/bin/env bash
# cryptobench regression gate for any CI system.
#
# 1. Runs the known-answer audit on the current tree.
# 2. Gets the base results: a file you give (--base-result), or else it builds
#    the merge-base of HEAD and --base-ref in a git worktree and runs the same
#    sweep there.
# 3. Runs the sweep on the current tree (default: --metric instructions, the
#    deterministic metric; set CRYPTOBENCH_GATE_ARGS to change it), unless
#    --new-result gives the file.
# 4. Compares and writes a Markdown summary (for a pull-request comment).
#
# Exit codes: 0 nothing regressed and every KAT passed; 1 a regression or a
# KAT failure; 2 bad usage or bad input (missing/truncated/wrong-schema file).
set -uo pipefail

usage() {
  cat <<'USAGE'
usage: ci/regression-gate.sh [--base-ref REF] [--base-result FILE] [--new-result FILE]
                             [--cryptobench PATH] [--out DIR] [--threshold PCT] [--force]
  --base-ref REF       branch to compare against (default: origin/main); its merge-base with HEAD is built
  --base-result FILE   use this result file as the base instead of building the merge-base
  --new-result FILE    use this result file as the new side instead of running the sweep
  --cryptobench PATH   cryptobench binary for the current tree (default: cargo build --release)
  --out DIR            where to write kat.md, comparison.md, summary.md, base.json, new.json (default: cryptobench-gate)
  --threshold PCT      regression threshold (default: 1 for instructions, 5 for wall time)
  --force              compare even if machines or backend versions differ (a backend upgrade PR)
environment: CRYPTOBENCH_GATE_ARGS (sweep flags, default "--metric instructions"),
             CRYPTOBENCH_KAT_ARGS (kat flags, default none)
USAGE
}

base_ref=origin/main base_result="" new_result="" bin="" out=cryptobench-gate threshold="" force=""
while [ $# -gt 0 ]; do
  case "$1" in
    --base-ref) base_ref=${2:?--base-ref needs a value}; shift 2 ;;
    --base-result) base_result=${2:?--base-result needs a file}; shift 2 ;;
    --new-result) new_result=${2:?--new-result needs a file}; shift 2 ;;
    --cryptobench) bin=${2:?--cryptobench needs a path}; shift 2 ;;
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    --threshold) threshold=${2:?--threshold needs a percentage}; shift 2 ;;
    --force) force=--force; shift ;;
    -h|--help) usage; exit 0 ;;
    *) echo "error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

sweep_args=${CRYPTOBENCH_GATE_ARGS:---metric instructions}
mkdir -p "$out" || { echo "error: --out: cannot create $out" >&2; exit 2; }

if [ -z "$bin" ]; then
  cargo build --release --quiet || { echo "error: build failed" >&2; exit 2; }
  bin=$(pwd)/target/release/cryptobench
fi
[ -x "$bin" ] || { echo "error: --cryptobench: $bin is not an executable" >&2; exit 2; }

# 1. Known-answer audit.
# shellcheck disable=SC2086
"$bin" kat ${CRYPTOBENCH_KAT_ARGS:-} --format markdown > "$out/kat.md"
kat=$?
[ $kat -eq 2 ] && { echo "error: kat: bad usage (see $out/kat.md)" >&2; exit 2; }

# 2. Base results.
if [ -n "$base_result" ]; then
  [ -f "$base_result" ] || { echo "error: --base-result: no such file $base_result" >&2; exit 2; }
  cp "$base_result" "$out/base.json"
else
  mb=$(git merge-base HEAD "$base_ref") || { echo "error: --base-ref: no merge-base with $base_ref (fetch it, or pass --base-result)" >&2; exit 2; }
  wt=$(mktemp -d)
  git worktree add --detach "$wt" "$mb" >/dev/null || exit 2
  rm -f "$out/base.json"  # a complete result is replaced only with --force (docs/limits.md)
  # shellcheck disable=SC2086
  (cd "$wt" && cargo build --release --quiet && ./target/release/cryptobench run $sweep_args --output "$OLDPWD/$out/base.json" > /dev/null)
  status=$?
  git worktree remove --force "$wt"
  [ $status -eq 0 ] || { echo "error: the base sweep at $mb failed" >&2; exit 2; }
fi

# 3. New results.
if [ -n "$new_result" ]; then
  [ -f "$new_result" ] || { echo "error: --new-result: no such file $new_result" >&2; exit 2; }
  cp "$new_result" "$out/new.json"
else
  rm -f "$out/new.json"  # a complete result is replaced only with --force (docs/limits.md)
  # shellcheck disable=SC2086
  "$bin" run $sweep_args --output "$out/new.json" > /dev/null || { echo "error: the sweep failed" >&2; exit 2; }
fi

# 4. Compare.
# shellcheck disable=SC2086
"$bin" compare "$out/base.json" "$out/new.json" --format markdown ${threshold:+--threshold "$threshold"} $force > "$out/comparison.md"
cmp=$?
[ $cmp -eq 2 ] && exit 2

{
  cat "$out/comparison.md"
  echo
  if [ $kat -eq 0 ]; then echo "Known-answer audit: every test passed."; else
    echo "Known-answer audit: **FAILED** (details below)."; echo; cat "$out/kat.md"; fi
} > "$out/summary.md"
cat "$out/summary.md"

[ $kat -ne 0 ] || [ $cmp -ne 0 ] && exit 1
exit 0
