#!/usr/bin/env bash
# cryptobench regression gate for any CI system.
#
# Default (paired, docs/ab.md):
#   1. checks every path argument (resolved to an absolute path) BEFORE building;
#   2. builds HEAD (target/) and the merge-base of HEAD and --base-ref in a git
#      worktree (its own target dir, target/gate-base), unless given binaries;
#   3. runs the known-answer audit on HEAD's build;
#   4. runs `cryptobench ab BASE NEW` (both builds side by side, pinned, paired)
#      and writes a Markdown summary for a pull-request comment.
# Sequential (--metric instructions, or --base-result/--new-result files): the
# older gate, a sweep per build then `compare` (instruction counts by default:
# deterministic, but valgrind hides AVX-512/VAES/ADX, so it measures other paths).
# To gate a dependency bump (one crate at two versions, same tree) instead of
# a branch: ci/dependency-bump.sh (docs/ab.md, "Gating a dependency bump").
#
# Exit codes: 0 nothing regressed and every KAT passed; 1 a regression or a
# KAT failure; 2 bad usage or bad input, or nothing could be decided.
set -uo pipefail

usage() {
  cat <<'USAGE'
usage: ci/regression-gate.sh [--base-ref REF] [--metric ab|instructions|wall-time]
                             [--base-cryptobench PATH] [--cryptobench PATH]
                             [--base-result FILE] [--new-result FILE]
                             [--out DIR] [--threshold PCT] [--force]
  --base-ref REF            branch to compare against (default: origin/main); its merge-base with HEAD is built
  --metric M                ab (default: paired run of both builds), or instructions / wall-time (sequential sweeps + compare)
  --base-cryptobench PATH   the base build's binary (skips building the merge-base)
  --cryptobench PATH        the current tree's binary (default: cargo build --release)
  --base-result FILE        sequential: use this result file as the base instead of a sweep
  --new-result FILE         sequential: use this result file as the new side instead of a sweep
  --out DIR                 where to write summary.md, comparison.md, kat.md, ab.json or base/new.json (default: cryptobench-gate)
  --threshold PCT           regression threshold (default: ab 3, instructions 1, wall time 5)
  --force                   sequential: compare even if machines or backend versions differ
environment: CRYPTOBENCH_AB_ARGS (`ab` flags, default "--duration auto": the setting ci/gate-proof.sh proved),
             CRYPTOBENCH_GATE_ARGS (sequential sweep flags, default "--metric instructions"),
             CRYPTOBENCH_KAT_ARGS (kat flags, default none)
USAGE
}

die() { echo "error: $*" >&2; exit 2; }
# An absolute path, so nothing depends on the directory a later step runs in.
abspath() { case "$1" in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$PWD" "$1" ;; esac; }

base_ref=origin/main metric=ab base_bin="" bin="" base_result="" new_result=""
out=cryptobench-gate threshold="" force=""
while [ $# -gt 0 ]; do
  case "$1" in
    --base-ref) base_ref=${2:?--base-ref needs a value}; shift 2 ;;
    --metric) metric=${2:?--metric needs ab, instructions or wall-time}; shift 2 ;;
    --base-cryptobench) base_bin=$(abspath "${2:?--base-cryptobench needs a path}"); shift 2 ;;
    --cryptobench) bin=$(abspath "${2:?--cryptobench needs a path}"); shift 2 ;;
    --base-result) base_result=$(abspath "${2:?--base-result needs a file}"); shift 2 ;;
    --new-result) new_result=$(abspath "${2:?--new-result needs a file}"); shift 2 ;;
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    --threshold) threshold=${2:?--threshold needs a percentage}; shift 2 ;;
    --force) force=--force; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
  esac
done

# Everything checked before anything is built.
out=$(abspath "$out")
mkdir -p "$out" 2>/dev/null || die "--out: cannot create $out"
probe=$(mktemp "$out/.gate-probe.XXXXXX" 2>/dev/null) || die "--out: $out is not writable"
rm -f "$probe"
case "$metric" in
  ab|instructions|wall-time) ;;
  *) die "--metric: '$metric' is not ab, instructions or wall-time" ;;
esac
[ -n "$base_result$new_result" ] && [ "$metric" = ab ] && metric=files
for f in "$base_result" "$new_result"; do
  [ -z "$f" ] || [ -r "$f" ] || die "--base-result/--new-result: cannot read $f"
done
for b in "$bin" "$base_bin"; do
  [ -z "$b" ] || [ -x "$b" ] || die "--cryptobench/--base-cryptobench: $b is not an executable"
done
[ -n "$threshold" ] && { [[ "$threshold" =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--threshold: '$threshold' is not a percentage"; }

# The merge-base is built only when a base binary is needed and not given:
# `ab` needs one; a sequential gate needs one unless --base-result is given.
need_base_build=""
if [ -z "$base_bin" ]; then
  if [ "$metric" = ab ] || [ -z "$base_result" ]; then need_base_build=1; fi
fi
mb=""
if [ -n "$need_base_build" ]; then
  mb=$(git merge-base HEAD "$base_ref" 2>/dev/null) || die "--base-ref: no merge-base with $base_ref (fetch it, or pass --base-cryptobench / --base-result)"
fi
root=$(git rev-parse --show-toplevel 2>/dev/null || pwd)

if [ -z "$bin" ]; then
  CRYPTOBENCH_GIT_COMMIT=$(git rev-parse --short HEAD 2>/dev/null || echo unknown) \
    cargo build --release --quiet || die "build failed"
  bin=${CARGO_TARGET_DIR:-$root/target}/release/cryptobench
fi
[ -x "$bin" ] || die "--cryptobench: $bin is not an executable"

# Builds the merge-base in a worktree with its own target dir and sets
# base_bin (in this shell, not a subshell, so the trap sees the worktree).
# The worktree is removed on every path out, an interrupted one included.
wt=""
cleanup() { [ -n "$wt" ] && { git worktree remove --force "$wt" 2>/dev/null; rm -rf "$wt"; }; }
trap cleanup EXIT
trap 'exit 130' INT TERM
build_base() {
  local target="$root/target/gate-base"
  [ -n "$mb" ] || return 1
  wt=$(mktemp -d)
  git worktree add --detach "$wt" "$mb" >/dev/null 2>&1 || return 1
  (cd "$wt" && CARGO_TARGET_DIR="$target" CRYPTOBENCH_GIT_COMMIT=$(git rev-parse --short HEAD) cargo build --release --quiet >&2)
  local status=$?
  cleanup; wt=""
  [ $status -eq 0 ] && base_bin="$target/release/cryptobench"
}

# 1. Known-answer audit.
# shellcheck disable=SC2086
"$bin" kat ${CRYPTOBENCH_KAT_ARGS:-} --format markdown > "$out/kat.md"
kat=$?
[ $kat -eq 2 ] && die "kat: bad usage (see $out/kat.md)"

# 2. The comparison.
if [ "$metric" = ab ]; then
  if [ -z "$base_bin" ]; then build_base || die "the base build at ${mb:-?} failed"; fi
  rm -f "$out/ab.json"  # this directory is the gate's own; a new run replaces it
  # shellcheck disable=SC2086
  "$bin" ab "$base_bin" "$bin" ${CRYPTOBENCH_AB_ARGS---duration auto} ${threshold:+--threshold "$threshold"} \
    --format markdown --output "$out/ab.json" > "$out/comparison.md"
  cmp=$?
else
  sweep_args=${CRYPTOBENCH_GATE_ARGS:---metric $metric}
  [ "$metric" = files ] && sweep_args=${CRYPTOBENCH_GATE_ARGS:---metric instructions}
  if [ -n "$base_result" ]; then
    cp "$base_result" "$out/base.json"
  else
    if [ -z "$base_bin" ]; then build_base || die "the base build at ${mb:-?} failed"; fi
    rm -f "$out/base.json"  # a complete result is replaced only with --force (docs/limits.md)
    # shellcheck disable=SC2086
    "$base_bin" run $sweep_args --output "$out/base.json" > /dev/null || die "the base sweep failed"
  fi
  if [ -n "$new_result" ]; then
    cp "$new_result" "$out/new.json"
  else
    rm -f "$out/new.json"
    # shellcheck disable=SC2086
    "$bin" run $sweep_args --output "$out/new.json" > /dev/null || die "the sweep failed"
  fi
  # shellcheck disable=SC2086
  "$bin" compare "$out/base.json" "$out/new.json" --format markdown ${threshold:+--threshold "$threshold"} $force > "$out/comparison.md"
  cmp=$?
fi
[ $cmp -eq 2 ] && { cat "$out/comparison.md"; exit 2; }

{
  cat "$out/comparison.md"
  echo
  # `kat` exits 0 only when tests ran and none failed (nothing checked is exit 1).
  if [ $kat -eq 0 ]; then echo "Known-answer audit: passed (every test that ran; counts in kat.md)."; else
    echo "Known-answer audit: **FAILED** (details below)."; echo; cat "$out/kat.md"; fi
} > "$out/summary.md"
cat "$out/summary.md"

[ $kat -ne 0 ] || [ $cmp -ne 0 ] && exit 1
exit 0
