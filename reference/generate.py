"""Regenerate the golden fixtures: `python reference/generate.py [--only GEN ...] [--fixture PATH ...]`.

Every `gen_*.py` module in this folder declares the files it writes (`FILES`, a common.Files
registry); this script builds them in order and writes them under `fixtures/` (or --out). With no
selection it writes every file; `--only gen_adam_family` writes one generator's files,
`--fixture torch/Adam.json` one file (paths relative to fixtures/; both options repeat and
combine). `--list` prints every generator and its files. Deterministic: the same package versions
on the same machine give byte-identical files (see README.md, "Reproducing fixtures/").

Exit status: 0 when every selected file was written, 2 for an unknown generator or fixture name
(the message names it and the nearest valid name).
"""
import argparse
import difflib
import importlib
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(os.path.dirname(HERE), "fixtures")


def generator_names():
    return sorted(f[:-3] for f in os.listdir(HERE) if f.startswith("gen_") and f.endswith(".py"))


def registry():
    """[(generator, path)] of every file, in the order of a full run."""
    out = []
    for name in generator_names():
        out += [(name, path) for path in importlib.import_module(name).FILES.paths()]
    return out


def nearest(value, valid):
    """The valid name closest to a mistyped one, or None: the same but for case, else the closest of
    those containing it (gen_adam -> gen_adam_family), else the closest by difflib's ratio."""
    low = value.lower()
    same = [v for v in valid if v.lower() == low]
    if same:
        return same[0]
    containing = [v for v in valid if low in v.lower()]
    near = difflib.get_close_matches(value, containing or valid, n=1, cutoff=0.0 if containing else 0.6)
    return near[0] if near else None


def unknown(kind, value, valid):
    near = nearest(value, valid)
    hint = f" (did you mean {near!r}?)" if near else ""
    return f"generate.py: unknown {kind} {value!r}{hint}; `generate.py --list` lists them"


def fixture_path(value):
    """A --fixture value as a path relative to fixtures/ (a fixtures/… or absolute path is accepted)."""
    v = os.path.normpath(value)
    if os.path.isabs(v) and v.startswith(ROOT + os.sep):
        return os.path.relpath(v, ROOT)
    if v.startswith("fixtures" + os.sep):
        return v[len("fixtures" + os.sep):]
    return v


def select(files, only, fixtures):
    """The files to write, or exit 2 naming the first unknown generator or path."""
    if not only and not fixtures:
        return files
    generators = sorted({g for g, _ in files})
    paths = [p for _, p in files]
    errors = [unknown("generator", n, generators) for n in only if n not in generators]
    wanted = {fixture_path(f) for f in fixtures}
    errors += [unknown("fixture", f, paths) for f in fixtures if fixture_path(f) not in paths]
    if errors:
        for e in errors:
            print(e, file=sys.stderr)
        sys.exit(2)
    return [(g, p) for g, p in files if g in only or p in wanted]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--only", nargs="+", default=[], metavar="GEN", help="generator module names, e.g. gen_adam_family")
    ap.add_argument("--fixture", nargs="+", default=[], metavar="PATH", help="fixture files, e.g. torch/Adam.json")
    ap.add_argument("--out", default=ROOT, help="output folder (default: fixtures/)")
    ap.add_argument("--list", action="store_true", help="print every generator and the files it writes, and exit")
    args = ap.parse_args()
    sys.path.insert(0, HERE)
    import common

    files = registry()
    if args.list:
        for g, p in files:
            print(f"{g}\t{p}")
        return
    chosen = select(files, args.only, args.fixture)
    modules = {g: importlib.import_module(g) for g, _ in chosen}
    start = time.monotonic()
    for g, p in chosen:
        t0 = time.monotonic()
        fx = modules[g].FILES.build(p)
        common.write(fx, args.out)
        what = f"{len(fx.cases)} cases" if isinstance(fx, common.Fixture) else "data"
        print(f"{g}: {p} ({what}, {time.monotonic() - t0:.1f} s)", flush=True)
    print(f"wrote {len(chosen)} files under {args.out} in {time.monotonic() - start:.0f} s", flush=True)


if __name__ == "__main__":
    main()
