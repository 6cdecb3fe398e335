#!/usr/bin/env bash
# What a dependency bump costs: `cryptobench ab` of two builds of this tree
# that differ only in one crate's locked version (docs/ab.md, "Gating a
# dependency bump").
#
#   1. checks every argument BEFORE building (and that the crate is in Cargo.lock);
#   2. copies the tree twice (the files git knows of, uncommitted edits included)
#      into a temporary directory; your Cargo.toml and Cargo.lock are never
#      written, and the copies are removed on every way out, Ctrl-C included;
#   3. in each copy locks the crate at its version (unless Cargo.lock already
#      does): `cargo update -p CRATE --precise VERSION`, and where Cargo.toml's
#      requirement refuses that version (`ring = "0.17.14"` refuses 0.17.8)
#      pins the requirement to `=VERSION` first; or, with --old-lock/--new-lock,
#      uses that lockfile;
#   4. builds both (--locked, one shared target dir, target/bump), each recording
#      the commit and its Cargo.lock's SHA-256, and keeps them, with the
#      lockfiles they used, in --out;
#   5. runs `cryptobench ab BASE NEW` (NEW's executable runs the comparison)
#      with the arguments after `--`.
#
# Exit codes: those of `ab`: 0 nothing regressed; 1 a regression; 2 bad usage,
# a failed lock or build, or nothing could be decided.
set -uo pipefail

usage() {
  cat <<'USAGE'
usage: ci/dependency-bump.sh --crate NAME --old VERSION --new VERSION [--out DIR] [-- AB_ARGS...]
       ci/dependency-bump.sh --old-lock FILE --new-lock FILE [--crate NAME] [--out DIR] [-- AB_ARGS...]
  --crate NAME        the dependency being bumped (as Cargo.lock names it), e.g. ring
  --old VERSION       the version BASE is built with, e.g. 0.17.8
  --new VERSION       the version NEW is built with, e.g. 0.17.14
  --old-lock FILE     instead of versions: the Cargo.lock BASE is built with
  --new-lock FILE     ... and the one NEW is built with (with --crate, Cargo.toml's
                      requirement is pinned to the version each lockfile has)
  --out DIR           where to keep base/ and new/ (executable and Cargo.lock), ab.json
                      and comparison.txt (default: cryptobench-bump)
  -- AB_ARGS...       `cryptobench ab` flags, e.g. -- --backend ring --algorithm aes-128-gcm,x25519
                      (default: $CRYPTOBENCH_AB_ARGS, else "--duration auto")
environment: CRYPTOBENCH_BUMP_BUILD_ARGS (extra `cargo build` flags for both builds,
             e.g. "--no-default-features --features ring"), CARGO_TARGET_DIR (default target/bump)
USAGE
}

die() { echo "error: $*" >&2; exit 2; }
abspath() { case "$1" in /*) printf '%s' "$1" ;; *) printf '%s/%s' "$PWD" "$1" ;; esac; }

# Prints MANIFEST with CRATE's version requirement pinned to =VERSION in every
# dependency table that names it: `crate = "req"`, `crate = { version = "req", … }`
# (on one line; also `alias = { package = "crate", … }`) and `[dependencies.crate]`
# tables' `version = "req"`. Exit 1 when no requirement was found.
pin_requirement() {
  awk -v crate="$2" -v version="$3" '
    function pin(line,   pre, post) {
      if (match(line, /version[ \t]*=[ \t]*"[^"]*"/)) {
        pre = substr(line, 1, RSTART - 1); post = substr(line, RSTART + RLENGTH)
        return pre "version = \"=" version "\"" post
      }
      return line
    }
    /^[ \t]*\[/ {
      header = $0; gsub(/[ \t]/, "", header)
      deps = (header ~ /dependencies\]$/)
      # [dependencies.crate], [target.X.dependencies.crate], also quoted
      table = (header ~ ("dependencies\\.\"?" crate "\"?\\]$"))
      print; next
    }
    table && /^[ \t]*version[ \t]*=/ { print pin($0); found = 1; next }
    deps {
      key = $0; sub(/^[ \t]*/, "", key); sub(/[ \t]*=.*/, "", key); gsub(/"/, "", key)
      named = (key == crate) || ($0 ~ ("package[ \t]*=[ \t]*\"" crate "\""))
      if (named && $0 ~ /=[ \t]*"[^"]*"[ \t]*(#.*)?$/ && key == crate) {
        sub(/=[ \t]*"[^"]*"/, "= \"=" version "\""); print; found = 1; next
      }
      if (named && $0 ~ /version[ \t]*=/) { print pin($0); found = 1; next }
    }
    { print }
    END { exit found ? 0 : 1 }
  ' "$1"
}

# The versions of CRATE a lockfile locks, one a line.
locked_versions() {
  awk -v crate="$2" '
    /^name = / { name = $3; gsub(/"/, "", name); next }
    /^version = / && name == crate { v = $3; gsub(/"/, "", v); print v }
    /^$/ { name = "" }
  ' "$1"
}

crate="" old="" new="" old_lock="" new_lock="" out=cryptobench-bump
ab_args=() have_ab_args=""
while [ $# -gt 0 ]; do
  case "$1" in
    --crate) crate=${2:?--crate needs a crate name, e.g. --crate ring}; shift 2 ;;
    --old) old=${2:?--old needs a version, e.g. --old 0.17.8}; shift 2 ;;
    --new) new=${2:?--new needs a version, e.g. --new 0.17.14}; shift 2 ;;
    --old-lock) old_lock=$(abspath "${2:?--old-lock needs a Cargo.lock file}"); shift 2 ;;
    --new-lock) new_lock=$(abspath "${2:?--new-lock needs a Cargo.lock file}"); shift 2 ;;
    --out) out=${2:?--out needs a directory}; shift 2 ;;
    --pin-requirement) # for tests: print MANIFEST with CRATE pinned to =VERSION
      [ $# -eq 4 ] || die "--pin-requirement needs MANIFEST CRATE VERSION"
      pin_requirement "$2" "$3" "$4"; exit $? ;;
    --) shift; ab_args=("$@"); have_ab_args=1; break ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$1' (\`ab\` flags go after --; see --help)" ;;
  esac
done

# Everything checked before anything is copied or built.
root=$(git rev-parse --show-toplevel 2>/dev/null || pwd)
[ -f "$root/Cargo.toml" ] || die "no Cargo.toml in $root (run this from the cryptobench tree)"
[ -f "$root/Cargo.lock" ] || die "no Cargo.lock in $root (run \`cargo generate-lockfile\` first)"
semver='^[0-9]+[.][0-9]+[.][0-9]+([-+][0-9A-Za-z.+-]+)?$'
if [ -n "$old_lock$new_lock" ]; then
  [ -n "$old$new" ] && die "--old/--new: give versions or lockfiles (--old-lock/--new-lock), not both"
  [ -n "$old_lock" ] || die "--old-lock: missing (give the Cargo.lock BASE is built with)"
  [ -n "$new_lock" ] || die "--new-lock: missing (give the Cargo.lock NEW is built with)"
  for f in "$old_lock" "$new_lock"; do
    { [ -f "$f" ] && [ -r "$f" ]; } || die "--old-lock/--new-lock: cannot read $f"
    grep -q '^\[\[package\]\]' "$f" || die "--old-lock/--new-lock: $f is not a Cargo.lock (no [[package]])"
  done
  cmp -s "$old_lock" "$new_lock" && die "--new-lock: $new_lock is the same as --old-lock (nothing to compare)"
else
  [ -n "$crate" ] || die "--crate: missing (give the dependency to bump, e.g. --crate ring)"
  [ -n "$old" ] || die "--old: missing (give the version BASE is built with, e.g. --old 0.17.8)"
  [ -n "$new" ] || die "--new: missing (give the version NEW is built with, e.g. --new 0.17.14)"
  [[ "$old" =~ $semver ]] || die "--old: '$old' is not a version (MAJOR.MINOR.PATCH, e.g. 0.17.8)"
  [[ "$new" =~ $semver ]] || die "--new: '$new' is not a version (MAJOR.MINOR.PATCH, e.g. 0.17.14)"
  [ "$old" != "$new" ] || die "--new: $new is the same as --old (nothing to compare)"
fi
if [ -n "$crate" ]; then
  [[ "$crate" =~ ^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$ ]] || die "--crate: '$crate' is not a crate name (letters, digits, - and _)"
  [ -n "$(locked_versions "$root/Cargo.lock" "$crate")" ] ||
    die "--crate: '$crate' is not in Cargo.lock (\`cargo tree --prefix none\` lists the crates this tree uses)"
  for f in "$old_lock" "$new_lock"; do
    [ -z "$f" ] || [ "$(locked_versions "$f" "$crate" | wc -l)" -eq 1 ] ||
      die "--crate: $f locks '$crate' at $(locked_versions "$f" "$crate" | wc -l) versions, not 1"
  done
fi
out=$(abspath "$out")
mkdir -p "$out" 2>/dev/null || die "--out: cannot create $out"
probe=$(mktemp "$out/.bump-probe.XXXXXX" 2>/dev/null) || die "--out: $out is not writable"
rm -f "$probe"
[ -n "$have_ab_args" ] || read -r -a ab_args <<< "${CRYPTOBENCH_AB_ARGS---duration auto}"
read -r -a build_args <<< "${CRYPTOBENCH_BUMP_BUILD_ARGS:-}"
target=${CARGO_TARGET_DIR:-$root/target/bump}
commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
[ "$commit" != unknown ] && ! git -C "$root" diff --quiet HEAD 2>/dev/null && commit="$commit-dirty"

# The copies live in one temporary directory, removed on every path out.
tmp=""
cleanup() { [ -n "$tmp" ] && rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
tmp=$(mktemp -d "${TMPDIR:-/tmp}/cryptobench-bump.XXXXXX") || die "cannot create a temporary directory"

# copy_tree DIR: the files of $root that git tracks or would track (without git, all but target/ and .git).
copy_tree() {
  mkdir -p "$1"
  if git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
    (cd "$root" && git ls-files -z --cached --others --exclude-standard |
      while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
      tar --null -T - -cf -) | tar -xf - -C "$1"
  else
    (cd "$root" && tar --exclude=./target --exclude=./.git -cf - .) | tar -xf - -C "$1"
  fi
}

# build SIDE VERSION LOCK: copies, locks and builds one side into $out/SIDE/.
build() {
  local side=$1 version=$2 lock=$3 src="$tmp/$1" label
  label=$(echo "$side" | tr '[:lower:]' '[:upper:]')
  copy_tree "$src" || die "$label: copying the tree into $src failed"
  if [ -n "$lock" ]; then
    cp "$lock" "$src/Cargo.lock"
    [ -n "$crate" ] && version=$(locked_versions "$lock" "$crate")
    # The lockfile's version may be one Cargo.toml refuses: pin the requirement to it.
    if [ -n "$crate" ]; then
      pin_requirement "$root/Cargo.toml" "$crate" "$version" > "$src/Cargo.toml" || cp "$root/Cargo.toml" "$src/Cargo.toml"
    fi
  elif [ "$(locked_versions "$src/Cargo.lock" "$crate")" = "$version" ]; then
    # Already locked there: the lockfile as it is (`cargo update` may re-resolve
    # other entries, e.g. a wasm-only dependency, and this side would differ).
    echo "$label: Cargo.lock already locks $crate at $version" >&2
  else
    echo "$label: locking $crate at $version" >&2
    if ! (cd "$src" && cargo update --quiet -p "$crate" --precise "$version" 2> "$tmp/update.err"); then
      # `ring = "0.17.14"` refuses 0.17.8: pin the requirement, then lock again.
      pin_requirement "$root/Cargo.toml" "$crate" "$version" > "$src/Cargo.toml" ||
        { cat "$tmp/update.err" >&2; die "$label: cargo cannot lock $crate at $version, and Cargo.toml names no requirement of $crate to pin (a dependency's dependency: bump its parent)"; }
      echo "$label: Cargo.toml's requirement refuses $version; pinned to =$version" >&2
      (cd "$src" && cargo update --quiet -p "$crate" --precise "$version") ||
        die "$label: cargo cannot lock $crate at $version (its output above)"
    fi
    locked_versions "$src/Cargo.lock" "$crate" | grep -qx "$version" ||
      die "$label: Cargo.lock does not lock $crate at $version after \`cargo update\`"
  fi
  echo "$label: building (${crate:+$crate ${version:-?}, }commit $commit, target dir $target)" >&2
  # shellcheck disable=SC2068 # build_args is a list of flags, empty by default
  (cd "$src" && CARGO_TARGET_DIR="$target" CRYPTOBENCH_GIT_COMMIT="$commit" \
    cargo build --release --locked --quiet ${build_args[@]+"${build_args[@]}"}) ||
    die "$label: the build failed (cargo's output above)${lock:+; a lockfile Cargo.toml refuses needs --crate}"
  mkdir -p "$out/$side"
  { cp "$target/release/cryptobench" "$out/$side/cryptobench.tmp" &&
    mv "$out/$side/cryptobench.tmp" "$out/$side/cryptobench" &&
    cp "$src/Cargo.lock" "$out/$side/Cargo.lock"; } || die "$label: cannot copy the build into $out/$side"
  rm -rf "$src"
}

build base "$old" "$old_lock"
build new "$new" "$new_lock"
cleanup; tmp=""

rm -f "$out/ab.json"  # this directory is the script's own; a new run replaces it
"$out/new/cryptobench" ab "$out/base/cryptobench" "$out/new/cryptobench" \
  ${ab_args[@]+"${ab_args[@]}"} --output "$out/ab.json" | tee "$out/comparison.txt"
exit "${PIPESTATUS[0]}"
