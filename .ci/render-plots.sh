#!/usr/bin/env bash
# Renders every SVG under a results folder in headless Chromium (Debian's `chromium`), as a reader's
# browser would, into PNG screenshots: `.ci/render-plots.sh [RESULTS_DIR] [OUT_DIR]` (defaults
# results/ and /tmp/descent-plots). Each picture is rendered at the size its SVG declares. Exit
# status 1 when Chromium fails on a file or writes an empty picture, 2 when Chromium is missing
# (apt-get install chromium). Not part of .ci/run, which does not install a browser.
set -euo pipefail
results="${1:-results}"
out="${2:-/tmp/descent-plots}"
browser="$(command -v chromium || command -v chromium-browser || true)"
if [ -z "$browser" ]; then echo "render-plots: no chromium (apt-get install chromium)" >&2; exit 2; fi
mkdir -p "$out"
shopt -s nullglob
status=0
n=0
for svg in "$results"/*.svg "$results"/local/*.svg; do
  name="$(basename "$svg" .svg)"
  w="$(grep -o -m1 'width="[0-9.]*"' "$svg" | head -1 | tr -dc '0-9.')"
  h="$(grep -o -m1 'height="[0-9.]*"' "$svg" | head -1 | tr -dc '0-9.')"
  png="$out/$name.png"
  rm -f "$png"
  timeout 60 "$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size="${w%.*},${h%.*}" --screenshot="$png" "file://$(cd "$(dirname "$svg")" && pwd)/$(basename "$svg")" >/dev/null 2>&1 || true
  if [ ! -s "$png" ]; then echo "render-plots: $svg: no picture" >&2; status=1; continue; fi
  n=$((n + 1))
done
echo "render-plots: $n pictures in $out/"
exit $status
