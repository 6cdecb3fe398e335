#!/usr/bin/env bash
# Do recommend's margin intervals hold across runs?
#
# Runs PAIRS back-to-back pairs of `cryptobench recommend` (each run measures
# its own cells) and counts the pairs whose two 95 % margin intervals overlap:
# the margin of run A's leader over run A's runner-up, and the same two
# backends' margin in run B (inverted when B ranks them the other way round;
# not comparable, and counted as a miss, when B does not rank them next to
# each other). It also counts every adjacent pair the two runs share. Goal:
# the top margin overlaps in at least 19 of 20 pairs.
#
# Exit codes: 0 the goal (95 % of pairs) was met; 1 it was not; 2 bad usage.
set -uo pipefail

usage() {
  cat <<'USAGE'
usage: ci/interval-overlap.sh [--pairs N] [--cryptobench PATH] [--out DIR] [-- RECOMMEND-ARGS...]
  --pairs N            back-to-back pairs to run, 1..=200 (default 20)
  --cryptobench PATH   the binary (default: target/release/cryptobench, built if missing)
  --out DIR            keep each run's JSON here (default: a temporary directory)
  RECOMMEND-ARGS       replace the default set:
                       --workload tls --kex-group x25519 --require aes-128-gcm,chacha20-poly1305
USAGE
}

pairs=20 bin="" out=""
args=(--workload tls --kex-group x25519 --require aes-128-gcm,chacha20-poly1305)
while [ $# -gt 0 ]; do
  case "$1" in
    --pairs) pairs=${2:?--pairs needs a number}; shift 2 ;;
    --cryptobench) bin=${2:?--cryptobench needs a path}; shift 2 ;;
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    --) shift; args=("$@"); break ;;
    -h|--help) usage; exit 0 ;;
    *) echo "interval-overlap.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
case "$pairs" in
  ''|*[!0-9]*) echo "--pairs: '$pairs' is not a whole number (fix: 1..=200)" >&2; exit 2 ;;
esac
if [ "$pairs" -lt 1 ] || [ "$pairs" -gt 200 ]; then
  echo "--pairs: $pairs is outside 1..=200" >&2; exit 2
fi
if [ -z "$bin" ]; then
  bin=target/release/cryptobench
  [ -x "$bin" ] || cargo build --release -q || exit 2
fi
[ -x "$bin" ] || { echo "--cryptobench: $bin is not an executable" >&2; exit 2; }
if [ -z "$out" ]; then
  out=$(mktemp -d)
else
  mkdir -p "$out" || { echo "--out: cannot create $out" >&2; exit 2; }
fi
out=$(cd "$out" && pwd)

echo "interval-overlap: $pairs pairs of: cryptobench recommend ${args[*]}" >&2
uptime >&2
for i in $(seq 1 "$pairs"); do
  for side in a b; do
    if ! "$bin" recommend "${args[@]}" --format json >"$out/$i$side.json" 2>"$out/$i$side.err"; then
      echo "run $i$side failed: $(tail -n 1 "$out/$i$side.err")" >&2
      exit 2
    fi
  done
done
uptime >&2

python3 - "$out" "$pairs" <<'PY'
import json, sys

out, pairs = sys.argv[1], int(sys.argv[2])

def margins(run):
    """(leader, runner-up) -> (lo, hi) of the leader's margin in %, for adjacent ranks."""
    r = run["ranking"]
    return {(x["backend"], y["backend"]): tuple(x["margin"]["percent_ci95"])
            for x, y in zip(r, r[1:]) if x["margin"] and x["margin"]["percent_ci95"]}

def invert(ci):
    lo, hi = ci
    return (100 * (100 / (100 + hi) - 1), 100 * (100 / (100 + lo) - 1))

def overlap(a, b):
    return a[0] <= b[1] and b[0] <= a[1]

top_hits = shared = shared_hits = 0
for i in range(1, pairs + 1):
    a = margins(json.load(open(f"{out}/{i}a.json")))
    b = margins(json.load(open(f"{out}/{i}b.json")))
    first = json.load(open(f"{out}/{i}a.json"))["ranking"][:2]
    key = tuple(x["backend"] for x in first)
    ca = a.get(key)
    cb = b.get(key) or (invert(b[key[::-1]]) if key[::-1] in b else None)
    hit = ca is not None and cb is not None and overlap(ca, cb)
    top_hits += hit
    fmt = lambda c: "not adjacent in B" if c is None else f"{c[0]:+.1f} … {c[1]:+.1f} %"
    print(f"pair {i:3}: {key[0]} over {key[1]}: A {fmt(ca)}, B {fmt(cb)} -> {'overlap' if hit else 'NO OVERLAP'}")
    for k, c in a.items():
        other = b.get(k) or (invert(b[k[::-1]]) if k[::-1] in b else None)
        if other is not None:
            shared += 1
            shared_hits += overlap(c, other)
print(f"top margin intervals overlap in {top_hits} of {pairs} pairs; "
      f"all adjacent margins both runs share: {shared_hits} of {shared}")
sys.exit(0 if top_hits >= 0.95 * pairs else 1)
PY
