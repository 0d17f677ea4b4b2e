#!/usr/bin/env bash
# libFuzzer (swiftc -sanitize=fuzzer,address) over Descent's JSON reader, seeded from fixtures/.
#   .ci/fuzz/run.sh [RUNS]        (default 10000000 executions; the corpus grows in .build/fuzz/)
# A crash leaves crash-* in .build/fuzz/ and a non-zero exit; make it a regression test
# (Tests/DescentTests/FuzzRegressionTests.swift) before fixing it.
set -euo pipefail
cd "$(dirname "$0")/../.."
runs="${1:-10000000}"
out=.build/fuzz
mkdir -p "$out/corpus-json" "$out/seeds-json"
swiftc -sanitize=fuzzer,address -O -parse-as-library -module-name DescentJSONFuzz \
    Sources/DescentJSON/JSON.swift .ci/fuzz/JSONFuzz.swift -o "$out/json-fuzz" 2>&1 | grep -v "Cannot export local symbol" || true
# Seeds: every fixture, and every case of every fixture on its own (small inputs mutate faster).
python3 - "$out/seeds-json" <<'PY' 2>/dev/null || find fixtures -name '*.json' -exec cp {} "$out/seeds-json/" \;
import json, glob, os, sys
out = sys.argv[1]
for f in glob.glob("fixtures/**/*.json", recursive=True):
    d = json.load(open(f))
    for i, c in enumerate(d.get("cases", [])):
        t = json.dumps({"format": d.get("format"), "cases": [c]})
        if len(t) <= 4096:
            open(os.path.join(out, os.path.basename(f)[:-5] + f"-{i}.json"), "w").write(t)
PY
cd "$out"
start=$(date +%s)
./json-fuzz -runs="$runs" -max_len=4096 -print_final_stats=1 corpus-json seeds-json 2>&1 | tee json-fuzz.log | tail -25
echo "seconds: $(( $(date +%s) - start ))"
