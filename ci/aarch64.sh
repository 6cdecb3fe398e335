#!/usr/bin/env bash
# aarch64, checked for correctness under emulation (docs/aarch64.md).
#
# Cross-builds cryptobench (release, default features: all six backends) for
# aarch64-unknown-linux-gnu and runs it under qemu-user with several emulated
# CPUs: `list`, `kat` (every built-in set, every backend) and `audit diff`.
# For each run it prints the AT_HWCAP the emulated process sees and, per
# backend, which code the run actually entered (from qemu's log of translated
# code: the functions that executed AES, PMULL, SHA3 or SVE instructions, and
# the NEON or portable functions entered). It fails on a kat failure, an
# unexplained diff disagreement, a count that differs between CPU models, or
# a dispatch that contradicts the rule stated below.
# Never benchmarks: timings under emulation mean nothing.
#
#   ci/aarch64.sh            (target dir: $AARCH64_TARGET_DIR, default target/aarch64)
#   AARCH64_DIFF_SEED=N      fixes the seed of `audit diff` (default: random, printed)
set -Eeuo pipefail
trap 'echo "ci/aarch64.sh: FAIL: line $LINENO: $BASH_COMMAND" >&2' ERR
cd "$(dirname "$0")/.."

TARGET=aarch64-unknown-linux-gnu
SYSROOT=/usr/aarch64-linux-gnu
export CARGO_TARGET_DIR=${AARCH64_TARGET_DIR:-target/aarch64}
BACKENDS=(ring aws-lc-rs openssl RustCrypto graviola libcrux)

# ---- timing -----------------------------------------------------------------
now_us() { echo "${EPOCHREALTIME//[!0-9]/}"; }
fmt_s() { printf '%d.%ds' $(($1 / 1000000)) $(($1 / 100000 % 10)); }
T0=$(now_us)
STEPS=()
step_name=""
step_t0=0
step_index=0
step() {
  step_name=$1
  step_t0=$(now_us)
  step_index=${#STEPS[@]}
  echo
  echo "== $step_name"
}
step_done() { # the step's line goes before any sub-step lines added since step()
  local d=$(($(now_us) - step_t0))
  local line
  line=$(printf '  %-60s %s' "$step_name" "$(fmt_s "$d")")
  STEPS=("${STEPS[@]:0:step_index}" "$line" "${STEPS[@]:step_index}")
}
report_times() {
  local rc=$?
  if [ ${#STEPS[@]} -gt 0 ]; then
    echo
    echo "== times (wall clock)"
    printf '%s\n' "${STEPS[@]}"
    printf '  %-60s %s\n' "total" "$(fmt_s $(($(now_us) - T0)))"
  fi
  if [ -n "${BG_PID:-}" ]; then # a failure while audit diff ran in the background
    pkill -P "$BG_PID" 2>/dev/null || true
    kill "$BG_PID" 2>/dev/null || true
  fi
  [ -n "${WORK:-}" ] && rm -rf "$WORK"
  exit "$rc"
}
trap report_times EXIT

fail() {
  echo "ci/aarch64.sh: FAIL: $*" >&2
  exit 1
}

# ---- 1. toolchain and packages ---------------------------------------------
t_toolchain=$(now_us)
if ! rustup target list --installed 2>/dev/null | grep -qx "$TARGET"; then
  if ! err=$(timeout 300 rustup target add "$TARGET" 2>&1); then
    echo "ci/aarch64.sh: skipped: rustup cannot fetch the $TARGET target ($(echo "$err" | tail -n 1))"
    exit 0
  fi
fi
step "toolchain and packages"
step_t0=$t_toolchain
need=()
command -v aarch64-linux-gnu-gcc >/dev/null || need+=(gcc-aarch64-linux-gnu)
[ -e "$SYSROOT/lib/ld-linux-aarch64.so.1" ] || need+=(libc6-dev-arm64-cross)
# Debian's qemu-user ships the dynamic /usr/bin/qemu-aarch64 (qemu-user-static: qemu-aarch64-static).
command -v qemu-aarch64 >/dev/null || need+=(qemu-user)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
fi
qemu-aarch64 --version | head -n 1
aarch64-linux-gnu-gcc --version | head -n 1
rustc --version
echo "host: $(nproc) cores,$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2-)"
step_done

# ---- 2. cross-build ---------------------------------------------------------
step "cross-build (release, all six backends)"
export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
export CC_aarch64_unknown_linux_gnu=aarch64-linux-gnu-gcc
export AR_aarch64_unknown_linux_gnu=aarch64-linux-gnu-ar
# ring and aws-lc-sys build their C and assembly with the cc crate; openssl-src
# runs OpenSSL's Configure (linux-aarch64) with the same CC and AR. No C++ is compiled.
cargo build --release --target "$TARGET" --bin cryptobench
BIN=$CARGO_TARGET_DIR/$TARGET/release/cryptobench
step_done

LOGS=$CARGO_TARGET_DIR/logs
mkdir -p "$LOGS"
WORK=$(mktemp -d "$CARGO_TARGET_DIR/qemu-log.XXXXXX")
QEMU=(qemu-aarch64 -L "$SYSROOT")

# ---- 3. list ----------------------------------------------------------------
step "list (-cpu max)"
"${QEMU[@]}" -cpu max "$BIN" list >"$LOGS/list.txt"
sed -n '/^Unsupported, and why/q;p' "$LOGS/list.txt"
for b in "${BACKENDS[@]}"; do
  grep -q "^│ $b " "$LOGS/list.txt" || fail "backend $b is not compiled in (list)"
done
# The capability matrix must be the x86-64 one committed in docs/capabilities.md.
"${QEMU[@]}" -cpu max "$BIN" list --format markdown >"$LOGS/list.md"
if sed -n '/^<!-- BEGIN generated/,/^<!-- END generated/{//!p}' docs/capabilities.md | diff -u - "$LOGS/list.md" >"$LOGS/list.diff"; then
  echo "list --format markdown: identical to docs/capabilities.md (the x86-64 output)"
else
  cat "$LOGS/list.diff"
  fail "the aarch64 capability matrix differs from docs/capabilities.md (x86-64)"
fi
step_done

# ---- dispatch rules (from each library's source; what the per-run lines check) ---
cat <<'EOF'

== dispatch rules (read from the library sources; checked against what ran below)
  ring        getauxval(AT_HWCAP): AES and PMULL -> aes_hw + gcm clmul (PMULL); else vpaes + gcm_neon. No override.
  aws-lc-rs   AWS-LC: getauxval -> OPENSSL_armcap_P, then env OPENSSL_armcap replaces/masks it. AES -> aes_hw,
              PMULL -> gcm_v8, NEON only -> vpaes + gcm_neon, 0 -> aes_nohw + gcm_nohw (portable C).
  openssl     OpenSSL 3.6: getauxval -> OPENSSL_armcap_P; env OPENSSL_armcap replaces it. AES -> aes_v8 (+ the
              aes_gcm_*_kernel with PMULL), NEON only -> vpaes/bsaes + gcm_neon, 0 -> AES_encrypt (C) + gcm_4bit.
  RustCrypto  cpufeatures (getauxval): "aes" (HWCAP AES or PMULL) -> aes aarch64_aes + polyval PMULL; else aes soft
              fixslice + polyval soft. chacha20: NEON (compile time). keccak (ml-kem): "sha3" -> aarch64_sha3, else soft.
  graviola    is_aarch64_feature_detected: needs neon, aes, pmull and sha2, else every entry point would panic:
              cryptobench then reports the backend unsupported (0 tests). SHA3 instructions (keccak) when present.
  libcrux     libcrux-platform getauxval: AES -> AES-GCM neon (AES instructions), else portable. ML-KEM: NEON
              vector code is compiled in on aarch64 (no runtime choice). No override.
EOF

# ---- helpers for the runs ---------------------------------------------------
# Linux arch/arm64/include/uapi/asm/hwcap.h: the bits that matter here.
HWCAP_NAMES="0:fp 1:asimd 3:aes 4:pmull 5:sha1 6:sha2 7:crc32 8:atomics 17:sha3 18:sm3 19:sm4 20:asimddp 21:sha512 22:sve 24:dit"
HWCAP2_NAMES="1:sve2 2:sveaes 3:svepmull 5:svesha3 16:rng"
decode() { # HEX NAMES: the named bits that are set
  local v=$((16#${1#0x})) out="" pair
  for pair in $2; do
    (((v >> ${pair%%:*}) & 1)) && out+=" ${pair#*:}"
  done
  echo "${out# }"
}
has_cap() { [[ " $1 " == *" $2 "* ]]; }
offered() { # BACKEND LIST_OUTPUT: "yes" when the capability matrix has a ✓ in its column
  awk -F'│' -v b="$1" '
    /^Capability matrix/ { m = 1; next }
    m && !col && /^│ algorithm / { for (i = 2; i < NF; i++) { x = $i; gsub(/ /, "", x); if (x == b) col = i }; next }
    m && col && /^│/ && $col ~ /✓/ { print "yes"; exit }
    m && /^╰/ && col { exit }' "$2"
}
why_not() { # BACKEND LIST_OUTPUT: the first reason `list` gives for an unsupported algorithm
  awk -F'│' -v b="$1" '/^Unsupported, and why/ { u = 1 } u && $2 ~ "^ " b " " { gsub(/^ +| +$/, "", $4); print $4; exit }' "$2"
}

# From qemu's -d in_asm log (each block of code translated because execution
# reached it, under its symbol; unnamed code, i.e. libc and ld.so, is skipped):
# the functions that executed AES (AESE/AESD/AESMC/AESIMC), PMULL with 64-bit
# lanes (the crypto extension; 8-bit PMULL is plain NEON), SHA3 (EOR3/BCAX/
# RAX1/XAR) or SVE instructions, matched on the instruction word (qemu 7.2's
# disassembler prints SHA3 and SVE as .byte); for SVE, how many blocks of the
# function were translated (a length check alone is one or two). mawk-compatible.
# shellcheck disable=SC2016 # an awk program
CLASSIFY='
BEGIN { for (i = 0; i < 16; i++) hv[substr("0123456789abcdef", i + 1, 1)] = i }
function bits(w, hi, lo) { return int(w / 2 ^ lo) % 2 ^ (hi - lo + 1) }
/^IN:/ { sym = substr($0, 5); syms[sym] = 1; blocks[sym]++; next }
/^0x/ && sym != "" {
  h = $2; w = 0
  for (i = 1; i <= 8; i++) w = w * 16 + hv[substr(h, i, 1)]
  k = ""; top = bits(w, 31, 21)
  if (top == 625 && bits(w, 20, 16) == 8 && bits(w, 15, 14) == 1 && bits(w, 11, 10) == 2) k = "AES"
  else if (bits(w, 31, 31) == 0 && bits(w, 29, 21) == 119 && bits(w, 15, 10) == 56) k = "PMULL"
  else if (((top == 1648 || top == 1649) && bits(w, 15, 15) == 0) || (top == 1651 && bits(w, 15, 10) == 35) || bits(w, 31, 23) == 413) k = "SHA3"
  else if (bits(w, 28, 25) == 2) k = "SVE"
  if (k != "" && !((k, sym) in seen)) { seen[k, sym] = 1; if (k != "SVE") print k "\t" sym }
}
END { for (s in syms) if (s != "") { print "SYM\t" s; if (("SVE", s) in seen) print "SVE\t" s " (" blocks[s] " blocks)" } }'
# The names, within the symbols entered, of NEON or portable implementations
# (the crypto-extension ones are shown by the instructions above). libcrux_sha3
# is left out: the harness itself uses it for the CCTV ML-KEM sets.
SOFT_RE='vpaes|bsaes|aes_nohw|AES_encrypt|aes::backends::soft|libcrux_aes::platform::portable|(ossl_)?gcm_(init|gmult|ghash)_(neon|nohw|4bit)|polyval::backend::soft|ChaCha20_(neon|512_neon|ctr32_nohw)|chacha20::backends::(neon|soft)|poly1305_blocks_neon|keccak::backends::soft|KeccakF1600_hw|ml_kem::vector::(neon|portable)|graviola::low::generic::[a-z0-9_]+'
shorten() { # demangled names -> short, unique, comma-separated, at most ${1:-5}
  sed -E 's/::h[0-9a-f]{16}( |$)/\1/; s/^(ring_core_[0-9_]+__|aws_lc_[0-9_]+_)//
    s/^core\[[0-9a-f]+\]::core_arch::.*::(v[a-z0-9_]+)$/intrinsic \1/
    s/^<([^ ]*::[^ ]*) as [^>]*>::/\1::/; s/^<[^ ]* as ([^>]*)>::/\1::/
    s/<[^<>]*>//g; s/<[^<>]*>//g; s/::::/::/g' |
    awk '!s[$0]++' | awk -v max="${1:-5}" 'NR <= max { printf "%s%s", (NR > 1 ? ", " : ""), $0 } END { if (NR > max) printf " (+%d)", NR - max; if (NR == 0) printf "none" }'
}

declare -A COUNTS # [backend] = the counts seen under -cpu max
RUN_SUMMARY=()
SEED=${AARCH64_DIFF_SEED:-$(od -An -N8 -tu8 /dev/urandom | tr -d ' ')}

# run NAME CPU ENV BACKENDS DESCRIPTION
run() {
  local name=$1 cpu=$2 env=$3 backends=$4 what=$5
  local qflags=(-cpu "$cpu") b
  if [ -n "$env" ]; then qflags+=(-E "$env"); else qflags+=(-U OPENSSL_armcap); fi
  step "run $name (-cpu $cpu${env:+, $env})"
  echo "   $what"
  # audit diff runs alongside kat (qemu-user is single-threaded; the machine has 2 cores).
  local dlog=$LOGS/diff-$name.txt dres=$WORK/diff-$name.res
  (
    t=$(now_us) rc=0
    "${QEMU[@]}" "${qflags[@]}" "$BIN" audit diff --seed "$SEED" >"$dlog" 2>&1 || rc=$?
    echo "$rc $(($(now_us) - t))" >"$dres"
  ) &
  BG_PID=$!
  local kat_t0
  kat_t0=$(now_us)
  local aux hw hw2 caps caps2
  aux=$("${QEMU[@]}" "${qflags[@]}" -E LD_SHOW_AUXV=1 "$BIN" --version)
  hw=$(awk '$1 == "AT_HWCAP:" { print $2 }' <<<"$aux")
  hw2=$(awk '$1 == "AT_HWCAP2:" { print $2 }' <<<"$aux")
  caps=$(decode "$hw" "$HWCAP_NAMES")
  caps2=$(decode "$hw2" "$HWCAP2_NAMES")
  echo "   AT_HWCAP 0x${hw#0x}: $caps | AT_HWCAP2 $hw2: ${caps2:-(none of sve2 sveaes svepmull svesha3 rng)}"
  local crypto=no forced=no
  has_cap "$caps" aes && has_cap "$caps" pmull && crypto=yes
  [[ "$env" == OPENSSL_armcap=0 ]] && forced=yes
  local tot_pass=0 tot_fail=0 tot_uns=0 tot_n=0
  local list=$LOGS/list-$name.txt
  "${QEMU[@]}" "${qflags[@]}" "$BIN" list >"$list"
  IFS=, read -ra bs <<<"$backends"
  for b in "${bs[@]}"; do
    # kat refuses a backend that offers nothing (exit 2): graviola on a CPU without AES/PMULL/SHA2.
    if [ "$(offered "$b" "$list")" != yes ]; then
      local why
      why=$(why_not "$b" "$list")
      printf '   %-10s     0 tests: not run: %s\n' "$b" "$why"
      { [ "$b" = graviola ] && [ "$crypto" = no ]; } || fail "run $name: $b offers no algorithm on this CPU ($why)"
      continue
    fi
    local log=$LOGS/kat-$name-$b.txt asm=$WORK/asm.log rc=0
    "${QEMU[@]}" "${qflags[@]}" -d in_asm -D "$asm" "$BIN" kat --backend "$b" >"$log" 2>&1 || rc=$?
    local total
    total=$(grep '^Total: ' "$log" || true)
    if [ "$rc" -ne 0 ] || [ -z "$total" ]; then
      tail -n 30 "$log"
      fail "run $name: kat --backend $b exited $rc"
    fi
    # Total: N tests: P pass, F fail, U unsupported, D divergence (A accepted, R rejected)
    local n p f u d
    read -r n p f u d < <(sed -E 's/^Total: ([0-9]+) tests: ([0-9]+) pass, ([0-9]+) fail, ([0-9]+) unsupported, ([0-9]+) divergence.*/\1 \2 \3 \4 \5/' <<<"$total")
    tot_n=$((tot_n + n)) tot_pass=$((tot_pass + p)) tot_fail=$((tot_fail + f)) tot_uns=$((tot_uns + u))
    printf '   %-10s %5d tests: %5d pass, %d fail, %4d unsupported, %4d divergence\n' "$b" "$n" "$p" "$f" "$u" "$d"
    [ "$f" -eq 0 ] || { awk -F'│' '$6 + 0 > 0' "$log" | head -n 20; fail "run $name: $b: $f kat failures ($log)"; }
    # Same counts on every CPU model.
    local key="$n $p $f $u $d"
    if [ "$name" = max ]; then
      COUNTS[$b]=$key
    elif [ -n "${COUNTS[$b]:-}" ] && [ "${COUNTS[$b]}" != "$key" ]; then
      fail "run $name: $b counts ($key) differ from -cpu max (${COUNTS[$b]})"
    fi
    # What ran.
    local cls aes pmull sha3 sve soft
    cls=$(awk "$CLASSIFY" "$asm" | aarch64-linux-gnu-c++filt)
    rm -f "$asm"
    aes=$(awk -F'\t' '$1 == "AES" { print $2 }' <<<"$cls" | shorten)
    pmull=$(awk -F'\t' '$1 == "PMULL" { print $2 }' <<<"$cls" | shorten)
    sha3=$(awk -F'\t' '$1 == "SHA3" { print $2 }' <<<"$cls" | shorten)
    sve=$(awk -F'\t' '$1 == "SVE" { print $2 }' <<<"$cls" | shorten)
    soft=$(awk -F'\t' '$1 == "SYM" { print $2 }' <<<"$cls" | { grep -oE "$SOFT_RE" || true; } |
      sed -E 's/gcm_(init|gmult|ghash)_/gcm_*_/' | sort -u | shorten 12)
    echo "              AES instructions in:   $aes"
    echo "              PMULL (64-bit) in:     $pmull"
    [ "$sha3" = none ] || echo "              SHA3 instructions in:  $sha3"
    [ "$sve" = none ] || echo "              SVE instructions in:   $sve"
    echo "              NEON/portable code:    $soft"
    # Check the rule: hardware AES and PMULL exactly when HWCAP has them (and nothing forced them off).
    local want=$crypto got_aes=yes got_pmull=yes
    [ "$forced" = yes ] && { [ "$b" = openssl ] || [ "$b" = aws-lc-rs ]; } && want=no
    [ "$aes" = none ] && got_aes=no
    [ "$pmull" = none ] && got_pmull=no
    if [ "$got_aes" != "$want" ] || [ "$got_pmull" != "$want" ]; then
      fail "run $name: $b: AES instructions $got_aes, PMULL $got_pmull; its dispatch rule says $want"
    fi
  done
  printf '   %-10s %5d tests: %5d pass, %d fail, %4d unsupported\n' "total" "$tot_n" "$tot_pass" "$tot_fail" "$tot_uns"
  local kat_us=$(($(now_us) - kat_t0))
  wait "$BG_PID" || true
  BG_PID=""
  local drc=1 dus=0 last
  [ -s "$dres" ] && read -r drc dus <"$dres"
  last=$(grep -E '^[0-9]+ cases' "$dlog" | tail -n 1 || true)
  echo "   audit diff: $last"
  if [ "$drc" -ne 0 ] || [[ "$last" != *", 0 unexplained" ]]; then
    tail -n 40 "$dlog"
    fail "run $name: audit diff exited $drc ($dlog)"
  fi
  STEPS+=("$(printf '  %-60s %s' "  kat, ${#bs[@]} backend(s)" "$(fmt_s "$kat_us")")")
  STEPS+=("$(printf '  %-60s %s' "  audit diff (alongside kat)" "$(fmt_s "$dus")")")
  step_done
  RUN_SUMMARY+=("$(printf '  %-13s kat %5d tests, %d fail; diff: %s' "$name" "$tot_n" "$tot_fail" "${last##*: }")")
}

echo
echo "audit diff seed: $SEED (AARCH64_DIFF_SEED=$SEED reruns the same cases)"

# ---- 4. the runs --------------------------------------------------------------
run max max,sve-default-vector-length=16 "" "$(IFS=,; echo "${BACKENDS[*]}")" \
  "qemu's max CPU: every extension qemu 7.2 implements (AES, PMULL, SHA1/2/3/512, SVE2, ...), SVE vectors of 128 bits (as on Neoverse N2/V2) rather than qemu's default 512, so that OpenSSL's SVE ChaCha20 loop runs on the kat inputs"
run max-armcap0 max,sve-default-vector-length=16 OPENSSL_armcap=0 openssl,aws-lc-rs \
  "max, with OPENSSL_armcap=0: OpenSSL and AWS-LC forced to their portable C code (no NEON, AES, PMULL); the other backends ignore it, so only these two run kat (diff: all)"
run cortex-a53 cortex-a53 "" "$(IFS=,; echo "${BACKENDS[*]}")" \
  "Cortex-A53 (Armv8.0) with the crypto extension: AES, PMULL, SHA1, SHA2; no SHA3, SHA512 or SVE"
run a72-nocrypto cortex-a72,neon=off,vfp=off "" "$(IFS=,; echo "${BACKENDS[*]}")" \
  "Cortex-A72 without the crypto extension (as in a Raspberry Pi 4): neon=off,vfp=off is qemu 7.2's only switch that clears AES/PMULL/SHA (no aes=off property); qemu-user still executes FP/AdvSIMD and reports fp+asimd in HWCAP, AES/PMULL instructions raise SIGILL"

echo
echo "== summary"
printf '%s\n' "${RUN_SUMMARY[@]}"
echo "  benchmarks (\`run\`) are never run under emulation"
echo "aarch64: all runs passed"
