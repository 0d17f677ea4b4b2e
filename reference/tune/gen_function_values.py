"""Writes fixtures/data/tune-functions.txt: each test function at its known minimiser and at random
points of its domain, computed by reference/tune/functions.py (an independent implementation),
for the Swift test suite (TuneTests). Deterministic: numpy's PCG64 with a fixed seed.

    /tmp/descent-ref/bin/python reference/tune/gen_function_values.py [--out DIR]

(`reference/generate.py --fixture data/tune-functions.txt` writes the same file.)"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import functions  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "fixtures")
PATH = "data/tune-functions.txt"   # JSON, but not *.json: the verifier reads every *.json under fixtures/ as a fixture

ARGMIN = {"branin": [np.pi, 2.275], "hartmann6": [0.20169, 0.150011, 0.476874, 0.275332, 0.311652, 0.6573],
          "hartmann3": [0.114614, 0.555649, 0.852547], "goldstein-price": [0, -1],
          "six-hump-camel": [0.0898420131003, -0.7126564030207]}


def function_values():
    rng = np.random.default_rng(20261126)
    out = []
    for name in functions.NAMES:
        for dim in ([2, 5] if name != "michalewicz" else [2, 5]) if name in ("rosenbrock", "ackley", "levy", "sphere", "styblinski-tang", "rastrigin", "dixon-price", "zakharov", "griewank", "michalewicz") else [None]:
            d, domain, optimum, f = functions.get(name, dim)
            pts = [[float(rng.uniform(lo, hi)) for lo, hi in domain] for _ in range(5)]
            if name in ARGMIN:
                pts.append([float(v) for v in ARGMIN[name]])
            out.append({"function": name, "dim": d, "optimum": optimum,
                        "points": [{"x": p, "value": float(f(p))} for p in pts]})
    return out


def text():
    doc = {"format": "descent-tune-functions/1", "source": "reference/tune/functions.py (numpy " + np.__version__ + ")",
           "functions": function_values()}
    return json.dumps(doc, indent=1) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=ROOT, help="fixtures folder (default: fixtures/)")
    args = ap.parse_args()
    path = os.path.join(args.out, PATH)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    t = text()
    with open(path + ".tmp", "w") as fh:
        fh.write(t)
    os.replace(path + ".tmp", path)
    print(f"wrote {path}: {len(json.loads(t)['functions'])} functions")


if __name__ == "__main__":
    main()
