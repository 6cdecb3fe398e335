#!/usr/bin/env bash
# Opens the HTML report in headless Chromium and checks that every plot
# rendered, every chart carries its figures as a table, every link of the table
# of contents has its target and "At a glance" is there (the page's own
# load-time check sets <body data-rendered="ok">); that the rendered DOM has the
# At a glance table with a tie (≈★), its KAT and policy columns, and the
# contents; that the console logged no error; and saves screenshots (the whole
# page, and its top in a 1280×900 window).
#
#   ci/html-check.sh [OUT_DIR]        (default: target/html-check)
#
# Builds the report (with a fips-140-3 compliance matrix) from the result files tests/fixtures builds
# (written by a test into $CARGO_TARGET_DIR/tmp/fixtures) and the real runs in tests/data/results/.
# Without /usr/bin/chromium it prints SKIPPED and exits 0, or exits 1 when
# REQUIRE_CHROMIUM=1 or CI=true (.ci/run sets the first, CI services the second,
# so a missing browser cannot pass as a check).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/html-check}
chromium=${CHROMIUM:-/usr/bin/chromium}
if [ ! -x "$chromium" ]; then
  if [ "${REQUIRE_CHROMIUM:-0}" = 1 ] || [ "${CI:-}" = true ]; then
    echo "html-check: FAIL — $chromium not found and a browser is required here (apt-get install -y chromium)" >&2
    exit 1
  fi
  echo "html-check: SKIPPED — $chromium not found (apt-get install -y chromium)" >&2
  exit 0
fi
rm -rf "$out" && mkdir -p "$out" && out=$(cd "$out" && pwd)
data=tests/data/results
fixtures=${CARGO_TARGET_DIR:-target}/tmp/fixtures
cargo test --release --quiet --test report fixture_files_are_written_and_readable > /dev/null
cargo run --release --quiet -- report "$fixtures/fleet-a.json" "$fixtures/fleet-b.json" "$data/messaging-workload.json" \
  --kat "$data/kat-aes128-x25519.json" --policy fips-140-3 --html "$out/report" > "$out/report.txt"
page="file://$out/report/index.html"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
  --disable-component-update --disable-sync --user-data-dir="$profile" --enable-logging=stderr --v=0
  --virtual-time-budget=5000)
"$chromium" "${flags[@]}" --dump-dom "$page" > "$out/dom.html" 2> "$out/console.log"
"$chromium" "${flags[@]}" --window-size=1200,2400 --screenshot="$out/screenshot.png" "$page" 2>> "$out/console.log" > /dev/null
"$chromium" "${flags[@]}" --window-size=1280,900 --screenshot="$out/top.png" "$page" 2>> "$out/console.log" > /dev/null
expected=$(grep -o 'data-expected-charts="[0-9]*"' "$out/dom.html" | grep -o '[0-9]*' || true)
rendered=$(grep -o 'data-rendered="[^"]*"' "$out/dom.html" || true)
status=0
if [ "$rendered" != 'data-rendered="ok"' ]; then
  echo "html-check: FAIL — plots not rendered: ${rendered:-no verdict from the page script}" >&2
  status=1
fi
# The compliance matrix (--policy) is in the rendered DOM, with its tooltips.
if ! grep -q '<h2>Compliance: fips-140-3</h2>' "$out/dom.html" \
  || ! grep -q '<td class="c-not-allowed" title="not allowed ([^"]*Source: NIST SP 800-56A' "$out/dom.html"; then
  echo "html-check: FAIL — no compliance matrix (--policy fips-140-3) in the rendered page" >&2
  status=1
fi
# "At a glance" opens the page: its heading comes before the first machine's,
# the fixture's 16 KiB tie is shown as one (≈★, no plain ★), with KAT and policy columns.
glance=$(sed -n '/<h2 id="at-a-glance">/,/<h2 id="runner-a">/p' "$out/dom.html")
if [ -z "$glance" ] || ! grep -q '<td class="tie">aws-lc-rs, openssl ≈★</td>' <<< "$glance" \
  || ! grep -q '<th>KAT</th>' <<< "$glance" || ! grep -q '<th>fips-140-3</th>' <<< "$glance"; then
  echo "html-check: FAIL — no At a glance section (with the tie, KAT and policy columns) before the first machine" >&2
  status=1
fi
# Every link of the contents resolves to an element of the rendered page.
links=$(grep -o 'href="#[^"]*"' "$out/dom.html" | sed 's/href="#//; s/"$//' || true)
[ -n "$links" ] || { echo "html-check: FAIL — no table of contents" >&2; status=1; }
for id in $links; do
  grep -q " id=\"$id\"" "$out/dom.html" || { echo "html-check: FAIL — contents link #$id has no target" >&2; status=1; }
done
# Every chart has its figures as a table.
figures=$(grep -o '<figure class="chart">' "$out/dom.html" | wc -l)
tables=$(grep -o '<details class="data"><summary>' "$out/dom.html" | wc -l)
if [ "$figures" != "$tables" ] || [ "$figures" = 0 ]; then
  echo "html-check: FAIL — $figures charts but $tables data tables" >&2
  status=1
fi
# Chromium logs every console message of the page as an INFO:CONSOLE line without its level;
# the page itself writes nothing, so any console line (an error, an uncaught exception) fails,
# and so does a failed load (net::ERR_...).
if grep -E 'CONSOLE|Uncaught|net::ERR_' "$out/console.log" > "$out/console-errors.txt"; then
  echo "html-check: FAIL — console errors:" >&2
  cat "$out/console-errors.txt" >&2
  status=1
fi
if [ ! -s "$out/screenshot.png" ] || [ ! -s "$out/top.png" ]; then
  echo "html-check: FAIL — no screenshot written" >&2
  status=1
fi
[ $status = 0 ] && echo "html-check: ok — $expected plots rendered with their tables, At a glance and contents ($(wc -w <<< "$links") links) present, compliance matrix present, no console errors; screenshots $out/screenshot.png, $out/top.png"
exit $status
