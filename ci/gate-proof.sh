#!/usr/bin/env bash
# The proof of the paired gate (docs/ab.md): how often `cryptobench ab`
# alarms on identical code, and how often it finds a seeded slowdown.
#
# Builds the plain binary (target/) and the seeded one (feature
# seeded-slowdown, its own target dir target/seeded) once, then runs N times:
#   aa     BASE = NEW = plain                         (must exit 0)
#   busy   the same while a CPU-bound loop runs pinned on another CPU (must exit 0)
#   seeded BASE = plain, NEW = seeded with CRYPTOBENCH_SEEDED_SLOWDOWN=ring
#          (+3 % at 1350 B, 16 KiB and key exchange, +10 % at 16 B: must exit 1,
#          flagging ring's cells and no other)
# and tallies exit codes, run times, flagged and improved cells into OUT/summary.md.
# Timing on shared machines is noisy: run it on a quiet machine, not in cargo test.
set -uo pipefail

runs=20 busy_runs=10 first=1 out=gate-proof slowed=ring experiments="aa busy seeded" aa_base="" aa_new=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=${2:?}; shift 2 ;;
    --busy-runs) busy_runs=${2:?}; shift 2 ;;
    --first) first=${2:?}; shift 2 ;;
    --out) out=${2:?}; shift 2 ;;
    --slowed) slowed=${2:?}; shift 2 ;;
    --only) experiments=${2:?}; shift 2 ;;
    --sides) aa_base=${2:?--sides needs BASE and NEW}; aa_new=${3:?--sides needs BASE and NEW}; shift 3 ;;
    -h|--help) echo "usage: ci/gate-proof.sh [--runs N] [--busy-runs N] [--first SEED] [--out DIR] [--slowed BACKEND] [--only 'aa busy seeded'] [--sides BASE NEW] [-- ab flags]"
      echo "  --sides BASE NEW   the A/A experiments' two sides instead of the plain build twice: e.g. two layout"
      echo "                     directories of one source (ci/layouts.sh), the layout A/A of docs/ab.md"
      exit 0 ;;
    --) shift; break ;;
    *) echo "error: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
ab_args=("$@")
case "$out" in /*) ;; *) out=$PWD/$out ;; esac
mkdir -p "$out" && touch "$out/.probe" && rm -f "$out/.probe" || { echo "error: --out: $out is not writable" >&2; exit 2; }
[[ "$runs$busy_runs$first" =~ ^[0-9]+$ ]] || { echo "error: --runs/--busy-runs/--first need whole numbers" >&2; exit 2; }

root=$(git rev-parse --show-toplevel 2>/dev/null || pwd)
cd "$root" || exit 2
cargo build --release --quiet || { echo "error: build failed" >&2; exit 2; }
# The seeded build (a second target directory, a full build the first time)
# only when an experiment uses it.
if [[ " $experiments " == *" seeded "* ]]; then
  CARGO_TARGET_DIR=$root/target/seeded cargo build --release --quiet --features seeded-slowdown \
    || { echo "error: seeded build failed" >&2; exit 2; }
fi
plain=${CARGO_TARGET_DIR:-$root/target}/release/cryptobench
for side in "$aa_base" "$aa_new"; do
  [ -z "$side" ] || [ -e "$side" ] || { echo "error: --sides: $side does not exist" >&2; exit 2; }
done
aa_base=${aa_base:-$plain} aa_new=${aa_new:-$plain}
seeded_bin=$root/target/seeded/release/cryptobench
# The seeded side is the seeded binary itself, not a wrapper script, so that
# `ab` can copy it (docs/ab.md, "Copies"); the slowdown is switched on by the
# environment, which the plain BASE ignores (the feature is not built in).

# The CPU `ab` pins to by default is the last one; the neighbour takes the first.
busy_cpu=$(taskset -pc $$ 2>/dev/null | sed 's/.*: //; s/[-,].*//')

# One run: exit code, seconds, flagged cells (regressed or lost), into the tally.
one() {
  local name=$1 i=$2 new=$3 slow=${4:-} base=${5:-$plain} t0=$SECONDS code secs
  CRYPTOBENCH_SEEDED_SLOWDOWN=$slow "$plain" ab "$base" "$new" --format json --output "$out/$name-$i.json" --seed "$i" "${ab_args[@]}" \
    > /dev/null 2>> "$out/$name.log"
  code=$?
  secs=$((SECONDS - t0))
  flagged=$(python3 - "$out/$name-$i.json" <<'PY'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
except Exception:
    print("no-report"); sys.exit()
bad = [f"{c['backend']} {c['algorithm']} {c['operation']} {c['size']}" for c in r["cells"]
       if c["verdict"] == "regressed" or any(s == "NEW" for s, _ in c.get("failed", []))]
inc = sum(c["verdict"] == "inconclusive" for c in r["cells"])
# Improved cells do not fail a gate, but in a proof every one is a finding too
# (a real difference between the two builds, or a false alarm).
imp = [f"{c['backend']} {c['algorithm']} {c['operation']} {c['size']}" for c in r["cells"]
       if c["verdict"] == "improved"]
print(f"{len(r['cells'])} cells, {inc} inconclusive, flagged: " + ("; ".join(bad) or "none")
      + "; improved: " + ("; ".join(imp) or "none"))
PY
)
  echo "| $name | $i | $code | $secs s | $flagged |" >> "$out/runs.md"
  echo "$name $i: exit $code, $secs s, $flagged" >&2
}

echo "| experiment | run | exit | time | cells |" > "$out/runs.md"
echo "|---|---|---|---|---|" >> "$out/runs.md"
for e in $experiments; do
  case "$e" in
    aa) for i in $(seq "$first" $((first + runs - 1))); do one aa "$i" "$aa_new" "" "$aa_base"; done ;;
    busy)
      taskset -c "${busy_cpu:-0}" sh -c 'while :; do :; done' &
      hog=$!
      for i in $(seq "$first" $((first + busy_runs - 1))); do one busy "$i" "$aa_new" "" "$aa_base"; done
      kill "$hog" ;;
    seeded) for i in $(seq "$first" $((first + runs - 1))); do one seeded "$i" "$seeded_bin" "$slowed"; done ;;
    *) echo "error: --only: unknown experiment '$e'" >&2; exit 2 ;;
  esac
done

{
  echo "## cryptobench ab: gate proof ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, slowed: $slowed)"
  echo
  for e in $experiments; do
    n=$(grep -c "^| $e |" "$out/runs.md")
    ones=$(grep "^| $e |" "$out/runs.md" | awk -F'|' '$4+0==1' | wc -l)
    zeros=$(grep "^| $e |" "$out/runs.md" | awk -F'|' '$4+0==0' | wc -l)
    echo "- $e: $n runs, exit 0 in $zeros, exit 1 in $ones"
  done
  echo
  cat "$out/runs.md"
} > "$out/summary.md"
cat "$out/summary.md"
