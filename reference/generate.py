"""Regenerate every golden fixture: `python reference/generate.py [--only NAME ...]`.

Runs each `gen_*.py` module in this folder (gen_training.py: the training cases; or only those named) and writes its fixtures under
`fixtures/`. Deterministic: the same package versions give byte-identical files.
"""
import argparse
import importlib
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(os.path.dirname(HERE), "fixtures")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--only", nargs="*", help="generator module names, e.g. gen_adam")
    ap.add_argument("--out", default=ROOT, help="output folder (default: fixtures/)")
    args = ap.parse_args()
    sys.path.insert(0, HERE)
    import common  # noqa: F401

    names = sorted(f[:-3] for f in os.listdir(HERE) if f.startswith("gen_") and f.endswith(".py"))
    if args.only:
        names = [n for n in names if n in args.only]
    for name in names:
        mod = importlib.import_module(name)
        fixtures = mod.generate()
        for fx in fixtures:
            common.write(fx, args.out)
            print(f"{name}: {fx.path} ({len(fx.cases)} cases)")


if __name__ == "__main__":
    main()
