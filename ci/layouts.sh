#!/usr/bin/env bash
# K layout variants of this tree's cryptobench: the same code, its functions
# placed in another order by each, so a benchmark can treat placement as noise
# to sample rather than a fixed bias (docs/ab.md, "Layout-randomised A/B").
#
#   ci/layouts.sh OUTDIR K [SEED]      (K in 1..=64, SEED default 1)
#
# Builds the tree once (`cargo build`), then links the binary again per seed
# with lld's `--shuffle-sections='*=SEED'` (seeds SEED..SEED+K-1) and copies
# each result to OUTDIR/cryptobench-SEED. Per seed only the binary crate is
# rebuilt (src/main.rs and the link: under a second here); the library and
# every dependency are reused. rustc >= 1.90 links x86_64 Linux with its own
# rust-lld already; older toolchains need lld on PATH (Debian: apt-get install lld).
#
# What cargo does, as checked: `cargo rustc -- ARGS` folds ARGS into the
# binary's hash, so each seed's link lands in its own
# target/<profile>/deps/cryptobench-<hash> (110 MB here), hard-linked to
# target/<profile>/cryptobench. The script copies it out, deletes that file,
# and at exit puts back the target/<profile>/cryptobench it found. The build
# relinked is the ordinary one: `cargo test`'s copy of the binary is another
# build of the library (dev-dependencies add serde and curve25519-dalek features).
#
# OUTDIR: created if missing; an empty directory is used; a directory this
# script made (it holds .layouts, the manifest, or .layouts.tmp from a failed
# run, and nothing but cryptobench-* besides) is emptied and refilled; anything
# else is refused. .layouts lists seed, text bytes, SHA-256 and file per variant.
#
# Environment: CRYPTOBENCH_LAYOUT_PROFILE (cargo profile, default release),
# CRYPTOBENCH_LAYOUT_CARGO_ARGS (more cargo arguments, e.g. "--features rustls"),
# CARGO_TARGET_DIR as cargo reads it.
#   ci/layouts.sh --check   exits 0 when this toolchain can link with section
#                           shuffling, else 2 with the reason (what tests/layouts.rs asks).
# Exit codes: 0 built; 1 a build failed or two variants came out identical;
# 2 bad arguments, a refused OUTDIR, or no linker that can shuffle.
set -euo pipefail
here=$PWD
cd "$(dirname "$0")/.."

die() { echo "ci/layouts.sh: $*" >&2; exit 2; }
fail() { echo "ci/layouts.sh: FAIL — $*" >&2; exit 1; }
abspath() { case "$1" in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$here" "$1" ;; esac; }
shuffle_args() { printf '%s\n' -C link-arg=-fuse-ld=lld -C "link-arg=-Wl,--shuffle-sections=*=$1"; }

# Links an empty program the way cargo will link the binary: succeeds only
# where rustc's linker is lld (bundled or on PATH) and takes --shuffle-sections.
can_shuffle() {
  local probe
  probe=$(mktemp -d "${TMPDIR:-/tmp}/layouts-probe.XXXXXX")
  echo 'fn main() {}' >"$probe/main.rs"
  local args; mapfile -t args < <(shuffle_args 1)
  if rustc --edition 2021 "${args[@]}" -o "$probe/main" "$probe/main.rs" 2>"$probe/err"; then
    rm -rf "$probe"; return 0
  fi
  reason=$(grep -m1 -E 'error|cannot|unknown|unrecognized' "$probe/err" || head -n1 "$probe/err")
  rm -rf "$probe"; return 1
}

no_lld() {
  die "no linker here can shuffle sections (${reason:-the test link failed}): install lld (apt-get install -y lld)"
}

if [ "${1:-}" = --check ]; then
  can_shuffle || no_lld
  echo "ci/layouts.sh: this toolchain links with lld and shuffles sections"
  exit 0
fi
case "${1:-}" in -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;; esac
if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  die "expected OUTDIR K [SEED], got $# arguments: e.g. ci/layouts.sh layouts 8"
fi
out=$(abspath "$1") k=$2 seed=${3:-1}
if ! [[ $k =~ ^[0-9]{1,3}$ ]] || [ $((10#$k)) -lt 1 ] || [ $((10#$k)) -gt 64 ]; then
  die "K '$k' must be a whole number of layouts in 1..=64: e.g. 8"
fi
# lld reads seed 0 as "pick a random seed": not reproducible, so refused.
if ! [[ $seed =~ ^[0-9]{1,10}$ ]] || [ $((10#$seed)) -lt 1 ] || [ $((10#$seed)) -gt 1000000000 ]; then
  die "SEED '$seed' must be a whole number in 1..=1000000000 (lld takes 0 as random): e.g. 1"
fi
k=$((10#$k)) seed=$((10#$seed))

# The OUTDIR policy above; checked before anything is built.
if [ -e "$out" ] && [ ! -d "$out" ]; then
  die "OUTDIR '$out' is a file, not a directory: pick a new or empty directory"
fi
if [ -d "$out" ] && [ -n "$(ls -A "$out")" ]; then
  [ -f "$out/.layouts" ] || [ -f "$out/.layouts.tmp" ] ||
    die "OUTDIR '$out' is not empty and holds no .layouts (not made by ci/layouts.sh): pick a new or empty directory"
  others=$(find "$out" -mindepth 1 -maxdepth 1 ! -name '.layouts' ! -name '.layouts.tmp' ! -name 'cryptobench-*' -printf '%f ')
  [ -z "$others" ] ||
    die "OUTDIR '$out' holds files ci/layouts.sh did not make ($others): move them or pick another directory"
fi

# Run from inside cargo (a test, `cargo run`), the environment carries the
# caller's CARGO_PKG_NAME, CARGO_MANIFEST_DIR and the like. Build scripts watch
# some of them (ring's does, with rerun-if-env-changed), so cargo would rerun
# them and recompile the library: the caller's variables are not ours.
# shellcheck disable=SC2046 # variable names, one a line
unset $(compgen -e | grep -E '^(CARGO_(PKG|MANIFEST|CRATE|BIN|CFG)_.*|CARGO_PRIMARY_PACKAGE|CARGO_TARGET_TMPDIR|OUT_DIR)$')

can_shuffle || no_lld
profile=${CRYPTOBENCH_LAYOUT_PROFILE:-release}
read -r -a extra <<<"${CRYPTOBENCH_LAYOUT_CARGO_ARGS:-}"
cargo_bin=(--profile "$profile" --bin cryptobench "${extra[@]}")

# Builds (plain, or with rustc ARGS) and prints the uplifted executable's path.
build() {
  local sub=$1; shift
  cargo "$sub" "${cargo_bin[@]}" --message-format=json-render-diagnostics "$@" |
    sed -n 's/^{"reason":"compiler-artifact".*"executable":"\([^"]*\)".*/\1/p'
}

# target/<profile>/cryptobench is left as found: each relink replaces it, so
# the binary there now (cargo test's own, say) is kept by a hard link and put
# back at exit; when there was none, the ordinary build is put there.
target=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
case "$profile" in dev | test) pdir=debug ;; bench) pdir=release ;; *) pdir=$profile ;; esac
bin="$target/$pdir/cryptobench" keep=""
if [ -f "$bin" ]; then keep="$bin.layouts-keep.$$" && ln -f "$bin" "$keep"; fi
put_back() {
  if [ -n "$keep" ]; then mv -f "$keep" "$bin"; else build build >/dev/null || true; fi
}
trap put_back EXIT
trap 'exit 130' INT TERM PIPE

plain=$(build build) || fail "cargo build ${cargo_bin[*]} failed"
[ "$plain" = "$bin" ] || fail "cargo put the executable at '$plain', not '$bin'"
plain_dep=$(find "$(dirname "$plain")/deps" -maxdepth 1 -samefile "$plain")

mkdir -p "$out"
find "$out" -mindepth 1 -maxdepth 1 \( -name '.layouts' -o -name '.layouts.tmp' -o -name 'cryptobench-*' \) -delete
{
  echo "# ci/layouts.sh: $k layouts (lld --shuffle-sections='*=SEED'), seeds $seed..$((seed + k - 1))"
  echo "# source $(git rev-parse HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD 2>/dev/null || echo ' (dirty)'), $(rustc --version), profile $profile"
  echo "# seed text_bytes sha256 file"
} >"$out/.layouts.tmp"
for ((s = seed; s < seed + k; s++)); do
  mapfile -t args < <(shuffle_args "$s")
  exe=$(build rustc -- "${args[@]}") || fail "relinking with seed $s failed"
  dest="$out/cryptobench-$s"
  cp "$exe" "$dest"
  dep=$(find "$(dirname "$exe")/deps" -maxdepth 1 -samefile "$exe")
  [ -n "$dep" ] && [ "$dep" != "$plain_dep" ] && rm -f "$dep"
  text=$(size "$dest" | awk 'NR == 2 { print $1 }')
  sum=$(sha256sum "$dest" | cut -d' ' -f1)
  echo "$s $text $sum cryptobench-$s" >>"$out/.layouts.tmp"
  printf 'seed %-4s text %s bytes  sha256 %s  %s\n' "$s" "$text" "$sum" "$dest"
done
mv "$out/.layouts.tmp" "$out/.layouts"

# Variants that came out identical were not shuffled: no layouts to sample.
dups=$(grep -v '^#' "$out/.layouts" | awk '{ print $3 }' | sort | uniq -d)
[ -z "$dups" ] || fail "variants share a SHA-256 ($dups): the link did not shuffle"
echo "ci/layouts.sh: $k layouts in $out (manifest $out/.layouts)"
