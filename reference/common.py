"""Shared helpers for the golden-fixture generators (format `descent-fixture/1`).

Every generator module `gen_*.py` in this folder declares the files it writes in `FILES`, a
`Files` registry of fixture path -> builder (a function returning that file's `Fixture`);
`generate.py` builds and writes them. Output is deterministic: fixed seeds (`case_rng`), fixed key
order (`optimizer_case`, `training_case`), floats written with Python's shortest round-trip repr.
Running a case in a library is the runners' job (`runners/`).
"""
from __future__ import annotations

import json
import math
import os
import zlib
from dataclasses import dataclass, field

import numpy as np

FORMAT = "descent-fixture/1"


@dataclass
class Fixture:
    path: str                    # relative to fixtures/, e.g. "torch/Adam.json"
    description: str
    cases: list = field(default_factory=list)


@dataclass
class TextFile:
    """A file of fixtures/ that is not descent-fixture/1 cases (fixtures/data/*.txt), written as is."""
    path: str
    text: str


class Files:
    """The files a generator writes: fixture path (relative to fixtures/) -> builder, a function of
    no arguments that returns that file's `Fixture` (or `TextFile`). Each file is built on its own,
    so `generate.py --fixture PATH` builds only PATH; the order of registration is the order of a
    full run.

        FILES = common.Files()

        @FILES.file("torch/Adam.json")
        def torch_adam():
            return Fixture("torch/Adam.json", "...", cases)

        FILES.add("torch/SGD.json", functools.partial(torch_fixture, "SGD"))
    """

    def __init__(self):
        self._builders = {}

    def add(self, path, build):
        if path in self._builders:
            raise ValueError(f"{path} is declared twice")
        self._builders[path] = build
        return build

    def file(self, path):
        return lambda build: self.add(path, build)

    def paths(self):
        return list(self._builders)

    def build(self, path):
        fx = self._builders[path]()
        if fx.path != path:
            raise ValueError(f"the builder of {path} returned {fx.path}")
        return fx

    def build_all(self):
        return [self.build(p) for p in self._builders]


# Set while a case tagged "non_finite" is written: its NaN / ±inf become the spec's strings.
_NON_FINITE_OK = [False]


def _check_finite(x, where):
    if isinstance(x, (float, np.floating)) and not math.isfinite(x) and not _NON_FINITE_OK[0]:
        raise ValueError(f"non-finite number in {where} (only a case with \"non_finite\" in its features may hold one)")


def _dump(v, indent, out, where="$"):
    pad = "  " * indent
    if isinstance(v, dict) and not _NON_FINITE_OK[0] and "non_finite" in (v.get("features") or []) and "id" in v:
        _NON_FINITE_OK[0] = True
        try:
            return _dump(v, indent, out, where)
        finally:
            _NON_FINITE_OK[0] = False
    if isinstance(v, dict):
        if not v:
            out.append("{}")
            return
        out.append("{\n")
        items = list(v.items())
        for i, (k, x) in enumerate(items):
            out.append(pad + "  " + json.dumps(k) + ": ")
            _dump(x, indent + 1, out, f"{where}.{k}")
            out.append(",\n" if i + 1 < len(items) else "\n")
        out.append(pad + "}")
    elif isinstance(v, (list, tuple)):
        if all(not isinstance(x, (dict, list, tuple)) for x in v):
            for x in v:
                _check_finite(x, where)
            out.append("[" + ", ".join(_scalar(x) for x in v) + "]")
        elif all(isinstance(x, (list, tuple)) and all(not isinstance(y, (dict, list, tuple)) for y in x) for x in v):
            # a list of flat tensors: one per line
            out.append("[\n")
            for i, x in enumerate(v):
                for y in x:
                    _check_finite(y, where)
                out.append(pad + "  [" + ", ".join(_scalar(y) for y in x) + "]")
                out.append(",\n" if i + 1 < len(v) else "\n")
            out.append(pad + "]")
        else:
            out.append("[\n")
            for i, x in enumerate(v):
                out.append(pad + "  ")
                _dump(x, indent + 1, out, f"{where}[{i}]")
                out.append(",\n" if i + 1 < len(v) else "\n")
            out.append(pad + "]")
    else:
        _check_finite(v, where)
        out.append(_scalar(v))


def _scalar(x):
    if isinstance(x, bool) or x is None or isinstance(x, str):
        return json.dumps(x)
    if isinstance(x, (int, np.integer)):
        return str(int(x))
    x = float(x)
    if not math.isfinite(x):
        if not _NON_FINITE_OK[0]:
            raise ValueError("NaN/Infinity cannot be written to a fixture")
        return json.dumps("NaN" if math.isnan(x) else ("Infinity" if x > 0 else "-Infinity"))
    return repr(x)


def dumps(fixture: Fixture) -> str:
    ids = [c["id"] for c in fixture.cases]
    dup = {i for i in ids if ids.count(i) > 1}
    if dup:
        raise ValueError(f"{fixture.path}: duplicate case ids {sorted(dup)}")
    out = []
    _dump({"format": FORMAT, "description": fixture.description, "cases": fixture.cases}, 0, out)
    return "".join(out) + "\n"


def write(fixture, root: str):
    """Writes a `Fixture` (or a `TextFile`) under `root`, atomically."""
    path = os.path.join(root, fixture.path)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    text = fixture.text if isinstance(fixture, TextFile) else dumps(fixture)
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)


def flat(a) -> list:
    """A tensor/array as a flat list of Python floats (row-major)."""
    return [float(x) for x in np.asarray(a, dtype=np.float64).reshape(-1)]


# ---------------------------------------------------------------------------------------------
# Discriminating inputs


def case_rng(key: str) -> np.random.Generator:
    """The random generator of one case (or data set, batch order, ...): PCG64 seeded with the
    CRC-32 of `key`, usually the case id, so a case's inputs do not depend on the cases before it."""
    return np.random.default_rng(zlib.crc32(key.encode()))


def discriminating_grads(rng: np.random.Generator, shapes, steps: int, zero_frac=0.1, dead_frac=0.08,
                         log10_scale=(-8, 1)):
    """Gradients whose magnitudes span 1e-8..10 with exact zeros.

    - Each element has its own scale 10**U(-8, 1), so eps placement (inside/outside the root,
      eps_root) changes results visibly on the small ones.
    - About `zero_frac` of the entries are exactly 0 at any step, and `dead_frac` of the elements
      are 0 at every step (their state stays 0: sqrt(0 + eps) vs sqrt(0) + eps shows).
    - Signs vary per step, so sign/maximize mistakes show.
    - log10_scale sets the range of those per-element scales (one-scale gradients: (-2, 0.5)).
    Returns a list over steps of a list over tensors of flat float lists.
    """
    scales = [10.0 ** rng.uniform(*log10_scale, size=int(np.prod(s))) for s in shapes]
    dead = [rng.random(int(np.prod(s))) < dead_frac for s in shapes]
    out = []
    for _ in range(steps):
        step = []
        for sc, dd in zip(scales, dead):
            g = sc * rng.standard_normal(sc.shape) * (1.0 + 0.3 * rng.random(sc.shape))
            g[rng.random(sc.shape) < zero_frac] = 0.0
            g[dd] = 0.0
            step.append(flat(g))
        out.append(step)
    return out


def initial_params(rng: np.random.Generator, shapes):
    """Parameters of order 1 with a few exact zeros."""
    ps = []
    for s in shapes:
        p = rng.uniform(-2, 2, size=int(np.prod(s)))
        p[rng.random(p.shape) < 0.05] = 0.0
        ps.append({"shape": list(s), "values": flat(p)})
    return ps


DEFAULT_SHAPES = [(3, 4), (5,), (2, 1, 3)]


def lr_sequence(base: float, steps: int):
    """A learning rate that changes mid-trajectory: base, then ×0.5, then ×1.7, then ×0.1."""
    out = []
    for t in range(steps):
        if t < steps // 4:
            out.append(base)
        elif t < steps // 2:
            out.append(base * 0.5)
        elif t < 3 * steps // 4:
            out.append(base * 1.7)
        else:
            out.append(base * 0.1)
    return out


# ---------------------------------------------------------------------------------------------
# Closed-loop problems (the formulas the Swift harness uses, in float64)


def problem_grad(problem: dict, x: np.ndarray) -> np.ndarray:
    name = problem["name"]
    if name == "quadratic":
        d = len(problem["b"])
        A = np.array(problem["A"], dtype=np.float64).reshape(d, d)
        return A @ x - np.array(problem["b"], dtype=np.float64)
    if name == "rosenbrock":
        a, b = float(problem["a"]), float(problem["b"])
        return np.array([-2.0 * (a - x[0]) - 4.0 * b * x[0] * (x[1] - x[0] ** 2), 2.0 * b * (x[1] - x[0] ** 2)])
    if name == "ridge":
        n, d = problem["n"], problem["d"]
        X = np.array(problem["X"], dtype=np.float64).reshape(n, d)
        y = np.array(problem["y"], dtype=np.float64)
        return -2.0 * X.T @ (y - X @ x) + 2.0 * problem["lambda"] * x
    raise ValueError(name)


def problem_loss(problem: dict, x: np.ndarray) -> float:
    name = problem["name"]
    if name == "quadratic":
        d = len(problem["b"])
        A = np.array(problem["A"], dtype=np.float64).reshape(d, d)
        return float(0.5 * x @ A @ x - np.array(problem["b"]) @ x)
    if name == "rosenbrock":
        a, b = float(problem["a"]), float(problem["b"])
        return float((a - x[0]) ** 2 + b * (x[1] - x[0] ** 2) ** 2)
    if name == "ridge":
        n, d = problem["n"], problem["d"]
        X = np.array(problem["X"], dtype=np.float64).reshape(n, d)
        y = np.array(problem["y"], dtype=np.float64)
        r = y - X @ x
        return float(r @ r + problem["lambda"] * x @ x)
    raise ValueError(name)


def standard_problems():
    """The three closed-loop problems used across conventions, with their starting points."""
    rng = np.random.default_rng(20261123)
    d = 4
    M = rng.standard_normal((d, d))
    A = M @ M.T + 0.5 * np.eye(d)
    b = rng.standard_normal(d)
    quadratic = {"name": "quadratic", "A": flat(A), "b": flat(b)}
    rosen = {"name": "rosenbrock", "a": 1.0, "b": 100.0}
    n, dd = 3, 5  # n < d: X'X is singular, X'X + lambda I is not
    X = rng.standard_normal((n, dd))
    y = rng.standard_normal(n)
    ridge = {"name": "ridge", "X": flat(X), "n": n, "d": dd, "y": flat(y), "lambda": 0.1}
    return [
        ("quadratic", quadratic, [{"shape": [d], "values": flat(rng.uniform(-1, 1, d))}]),
        ("rosenbrock", rosen, [{"shape": [2], "values": [-1.2, 1.0]}]),
        ("ridge", ridge, [{"shape": [dd], "values": flat(rng.uniform(-1, 1, dd))}]),
    ]


# ---------------------------------------------------------------------------------------------
# Case assembly (one place for the key order every generator writes)


def trajectory_steps(expected, grads=None, lrs=None):
    """Steps of an optimizer case: optional `lr`, `grads` (replay cases), then `expected`."""
    out = []
    for t, e in enumerate(expected):
        s = {}
        if lrs is not None and lrs[t] is not None:
            s["lr"] = lrs[t]
        if grads is not None and grads[t] is not None:
            s["grads"] = grads[t]
        s["expected"] = e
        out.append(s)
    return out


def optimizer_case(case_id, source, convention, name, hp, params, steps, description, tolerance,
                   problem=None, tolerance_float32=None, error=None, dtype="float64"):
    """An optimizer case in the fixture spec's key order; with `error` (the library's message), an
    argument-validation case: `expected_error` in the place of `steps`. `dtype` is the precision the
    expected values were computed in (float32: bitsandbytes)."""
    c = {
        "id": case_id,
        "kind": "optimizer",
        "source": source,
        "dtype": dtype,
        "description": description,
        "optimizer": {"convention": convention, "name": name, "hyperparameters": hp},
    }
    if problem is not None:
        c["problem"] = problem
    c["params"] = params
    if error is not None:
        c["expected_error"] = error
    else:
        c["steps"] = steps
    c["tolerance"] = dict(tolerance)
    if tolerance_float32 is not None:
        c["tolerance_float32"] = dict(tolerance_float32)
    return c


def error_cases(convention, name, errors, source, tolerance, call_error):
    """Argument-validation cases of `convention`/`name`: for each (tag, hyperparameters, description)
    of `errors`, the case `<convention>/<name>/<tag>` whose expected_error is the library's message
    (`call_error(name, hyperparameters)`, which must not be None: the call is rejected) on one
    2-vector drawn from the case's rng."""
    out = []
    for tag, hp, desc in errors:
        cid = f"{convention}/{name}/{tag}"
        message = call_error(name, hp)
        assert message is not None, f"{convention}.{name}({hp}) was accepted"
        out.append(optimizer_case(cid, source, convention, name, hp, initial_params(case_rng(cid), [(2,)]),
                                  None, desc, tolerance, error=message))
    return out


def training_case(case_id, source, optimizer, model, data, params, steps, description, tolerance, transforms=None):
    """A training case in the fixture spec's key order (`optimizer` is {convention, name,
    hyperparameters}; `steps` the per-step dicts, expected values filled in later)."""
    c = {"id": case_id, "kind": "training", "source": source, "dtype": "float64", "description": description,
         "model": model, "data": data, "params": params, "optimizer": optimizer}
    if transforms:
        c["grad_transforms"] = transforms
    c["steps"] = steps
    c["tolerance"] = dict(tolerance)
    return c
