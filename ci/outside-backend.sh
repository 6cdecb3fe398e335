#!/usr/bin/env bash
# The outside-crate promise, checked as a user would meet it: copy
# examples/outside-backend out of the repository, point its cryptobench
# dependency at this checkout by absolute path, build it, and check that
#   - `list` names the `outside` backend beside the built-in ones,
#   - `kat --backend outside` exits 0 having run more than 0 tests,
#   - a short `run` has rows for it, and `ab` drives its binary as BASE and NEW,
#   - `compliance` reports the module fact the backend carries.
#
#   ci/outside-backend.sh
#
# Shares this checkout's target directory and lockfile, so a warm tree
# rebuilds only the example (seconds); cold, it is one build of cryptobench.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/outside-backend.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
cp -r examples/outside-backend "$tmp/"
cp Cargo.lock "$tmp/outside-backend/"
crate="$tmp/outside-backend"
sed -i "s|^cryptobench = { path = \"../..\" }|cryptobench = { path = \"$root\" }|" "$crate/Cargo.toml"
grep -q "path = \"$root\"" "$crate/Cargo.toml" || { echo "outside-backend: FAIL — could not point the copy at $root" >&2; exit 1; }

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
# Run by a test, this inherits cargo's CARGO_PKG_*/CARGO_MANIFEST_DIR; ring's
# build script watches them, so passing them on reruns it and recompiles the
# library here and again in the next ordinary build (as ci/layouts.sh).
# shellcheck disable=SC2046 # variable names, one a line
unset $(compgen -e | grep -E '^(CARGO_(PKG|MANIFEST|CRATE|BIN|CFG)_.*|CARGO_PRIMARY_PACKAGE|CARGO_TARGET_TMPDIR|OUT_DIR)$')
# The repository's release profile (Cargo.toml), so the copy reuses its artifacts.
export CARGO_PROFILE_RELEASE_DEBUG=line-tables-only
(cd "$crate" && cargo build --release --quiet)
bin="$CARGO_TARGET_DIR/release/outside-backend"

fail() { echo "outside-backend: FAIL — $*" >&2; exit 1; }
"$bin" list --format json >"$tmp/list.json" || fail "list exited $?"
grep -q '"outside"' "$tmp/list.json" || fail "list does not name the outside backend"
"$bin" kat --backend outside --format json >"$tmp/kat.json" || fail "kat --backend outside exited $?"
tests=$(grep -m1 -o '"pass": *[0-9]*' "$tmp/kat.json" | awk -F: '{print $2 + 0}')
[ "$tests" -gt 0 ] || fail "kat --backend outside passed no test"
"$bin" run --quick --backend outside,ring --algorithm chacha20-poly1305 --sizes 1350 --threads 1 \
  --format json --output "$tmp/run.json" >/dev/null 2>&1 || fail "run exited $?"
grep -q '"backend": *"outside"' "$tmp/run.json" || fail "run has no row for outside"
"$bin" compliance --policy fips-140-3 --backend outside --algorithm chacha20-poly1305 >"$tmp/compliance.txt" 2>&1 ||
  fail "compliance exited $?"
grep -q "outside (orion .*): not validated (orion has no CMVP-validated build)" "$tmp/compliance.txt" ||
  fail "compliance does not report the module fact outside carries: $(grep -m1 'outside (' "$tmp/compliance.txt")"
# ab drives two copies of the binary through the worker protocol: a decided
# cell must be "unchanged" (exit 0); a cell too noisy to decide here (exit 2,
# INCONCLUSIVE) still shows the protocol worked, and is said so.
ab_rc=0
"$bin" ab "$bin" "$bin" --backend outside --algorithm chacha20-poly1305 --sizes 1350 --threads 1 \
  --copies 1 --duration 40ms --rounds 10 >"$tmp/ab.txt" 2>&1 || ab_rc=$?
grep -q "outside ChaCha20-Poly1305 seal" "$tmp/ab.txt" || fail "ab measured no outside cell: $(tail -3 "$tmp/ab.txt")"
case $ab_rc in
  0) ab="ab A/A passed" ;;
  2) grep -q "INCONCLUSIVE" "$tmp/ab.txt" || fail "ab exited 2: $(tail -3 "$tmp/ab.txt")"
     ab="ab A/A measured its cell through the worker protocol but was too noisy to decide here" ;;
  *) fail "ab A/A of the outside binary exited $ab_rc: $(tail -3 "$tmp/ab.txt")" ;;
esac
echo "outside-backend: ok — list names outside, kat passed $tests tests, run has its rows, compliance reads its module fact, $ab"
