"""Run an adapter over fixture cases through the adapter protocol and grade its answers, without
the Swift harness: `python reference/check_adapter.py CMD [PATH ...] [--case ID ...] [--replies FILE]`.

    /tmp/descent-ref/bin/python reference/check_adapter.py \
        "/tmp/descent-ref/bin/python reference/adapters/torch_adapter.py" fixtures/torch

Sends each case as `descent verify --adapter` does (fixtures/FORMAT.md, "Adapter protocol"): the
case without `expected`, `expected_lr`, `expected_momentum` and `expected_loss`, with `"length"`
for a schedule case, `"run_dtype": "float64"` and `"validation": true` on an `expected_error`
case, one JSON line each; reads one answer line per case. Grading is a plain approximation of the
harness's float64 policy: every number within atol + rtol·|expected| of the case's `tolerance`, an
`expected_error` case passes when the answer's `error` contains the expected message's number and
word tokens in order. Reports pass / fail / unsupported / error counts and the first failures;
exit 1 on any failure or error. A check of the reference adapters, not a replacement for
`descent verify`.
"""
from __future__ import annotations

import argparse
import glob
import json
import math
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURES = os.path.join(os.path.dirname(HERE), "fixtures")
STRIPPED = ("expected", "expected_lr", "expected_momentum", "expected_loss", "expected_state")


def cases_of(paths):
    files = []
    for p in paths or [FIXTURES]:
        files += sorted(glob.glob(os.path.join(p, "**", "*.json"), recursive=True)) if os.path.isdir(p) else [p]
    for f in files:
        with open(f) as fh:
            doc = json.load(fh)
        for c in doc["cases"]:
            yield f, c


def stripped(c):
    def strip(x):
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items() if k not in STRIPPED}
        if isinstance(x, list):
            return [strip(v) for v in x]
        return x

    s = strip(c)
    s.pop("expected_error", None)
    if c["kind"] == "schedule" and "expected_lr" in c:
        s["length"] = len(c["expected_lr"])
    s["run_dtype"] = "float64"
    if "expected_error" in c:
        s["validation"] = True
    return s


NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}


def close(got, want, tol):
    """The spec's comparison; an expected NaN / ±inf (the strings of a non_finite case) is matched
    by the same non-finite value."""
    if isinstance(want, list):
        return isinstance(got, list) and len(got) == len(want) and all(close(g, w, tol) for g, w in zip(got, want))
    got, want = NON_FINITE.get(got, got) if isinstance(got, str) else got, NON_FINITE.get(want, want) if isinstance(want, str) else want
    if not isinstance(got, (int, float)) or isinstance(got, bool) or not isinstance(want, (int, float)):
        return False
    if not math.isfinite(want):
        return math.isnan(got) if math.isnan(want) else got == want
    return abs(got - want) <= tol.get("atol", 0.0) + tol.get("rtol", 0.0) * abs(want)


TOKEN = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?![A-Za-z])|[A-Za-z_]+")


def tokens(text):
    out = []
    for t in TOKEN.findall(text):
        try:
            out.append(float(t))
        except ValueError:
            out.append(t)
    return out


def message_matches(got, want):
    have = tokens(got or "")
    i = 0
    for t in tokens(want):
        while i < len(have) and have[i] != t:
            i += 1
        if i == len(have):
            return False
        i += 1
    return True


def grade(c, a):
    """'pass', 'unsupported', 'error' or a failure message."""
    if "unsupported" in a:
        return "unsupported"
    if "expected_error" in c:
        return "pass" if message_matches(a.get("error"), c["expected_error"]) else \
            f"expected error {c['expected_error']!r}, got {a.get('error', a)!r}"
    if "error" in a:
        return "error"
    tol = c.get("tolerance") or {}
    if c["kind"] == "schedule":
        if not close(a.get("lr"), c["expected_lr"], tol):
            return "lr differs"
        if "expected_momentum" in c and not close(a.get("momentum"), c["expected_momentum"], tol):
            return "momentum differs"
        return "pass"
    steps = c.get("steps") or []
    params = a.get("params")
    if not isinstance(params, list) or len(params) != len(steps):
        return f"{len(params) if isinstance(params, list) else 'no'} parameter steps for {len(steps)}"
    for t, (s, p) in enumerate(zip(steps, params)):
        if c["kind"] == "training" and not close(a.get("loss", [None] * len(steps))[t], s["expected_loss"], tol):
            return f"loss differs at step {t + 1}"
        if not close(p, s["expected"], tol):
            return f"params differ at step {t + 1}"
    # expected_state: every name given, per tensor (null: not compared) or one number.
    states = a.get("state")
    for t, s in enumerate(steps):
        want = s.get("expected_state")
        if not want:
            continue
        if not isinstance(states, list) or len(states) != len(steps):
            return "unsupported"   # the parameters pass; no state given (the harness says the same)
        got = states[t] or {}
        for name, w in want.items():
            g = got.get(name)
            if isinstance(w, list):
                for i, wi in enumerate(w):
                    gi = g[i] if isinstance(g, list) and i < len(g) else None
                    if wi is None:
                        continue
                    if isinstance(wi, list) and not isinstance(gi, list) and len(wi) == 1:
                        wi = wi[0]
                    if isinstance(gi, list) and not isinstance(wi, list) and len(gi) == 1:
                        gi = gi[0]
                    if gi is None or not close(gi, wi, tol):
                        return f"state {name!r} of tensor {i} differs at step {t + 1}"
            elif g is None or not close(g, w, tol):
                return f"state {name!r} differs at step {t + 1}"
    return "pass"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("adapter", help="the adapter command, run by /bin/sh -c")
    ap.add_argument("paths", nargs="*", help="fixture files or folders (default: fixtures/)")
    ap.add_argument("--case", action="append", help="only the case with this id (repeatable)")
    ap.add_argument("--replies", help="also write every answer line to this file")
    args = ap.parse_args()
    cases = [(f, c) for f, c in cases_of(args.paths) if not args.case or c["id"] in args.case]
    if args.case:
        missing = sorted(set(args.case) - {c["id"] for _, c in cases})
        if missing:
            sys.exit(f"no case with id {', '.join(missing)}")
    proc = subprocess.Popen(["/bin/sh", "-c", args.adapter], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    counts, failures = {}, []
    replies = open(args.replies, "w") if args.replies else None
    for f, c in cases:
        proc.stdin.write(json.dumps(stripped(c)) + "\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        if not line:
            sys.exit(f"the adapter stopped answering at {c['id']}")
        if replies:
            replies.write(line)
        a = json.loads(line)
        verdict = "error" if a.get("id") != c["id"] else grade(c, a)
        key = verdict if verdict in ("pass", "unsupported", "error") else "fail"
        counts[key] = counts.get(key, 0) + 1
        if key in ("fail", "error"):
            failures.append(f"{c['id']} ({os.path.relpath(f)}): {verdict if key == 'fail' else a.get('error', a)}")
    proc.stdin.close()
    proc.wait()
    if replies:
        replies.close()
    print(", ".join(f"{k} {counts.get(k, 0)}" for k in ("pass", "fail", "unsupported", "error")) + f" of {len(cases)} cases")
    for line in failures[:20]:
        print("  " + line)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
