"""Low-precision goldens: torch.optim Adam, AdamW and SGD on bfloat16 and float16 parameters, on
the three CPU paths (`foreach=False`, `foreach=True`, `fused=True`), written to
fixtures/torch/lowp/{Adam,AdamW,SGD}.json (`python reference/generate.py --only gen_lowp_torch`).

Each case names its path in `low_precision` (fixtures/FORMAT.md, "Low precision"). Parameters and
gradients are float32 draws rounded to the dtype, so every value in the files is exactly a value of
the dtype; tensors have fewer than 16 elements, where ATen runs its scalar CPU loops on every
machine. The expected values are torch's own, read back from the bf16/fp16 tensors after every
`opt.step()`.

Every case is also replayed by `emulate` below, a numpy transcription of FORMAT.md's per-path
tables (float32 arithmetic, rounding to the dtype at the path's op boundaries, multiply-adds fused
where ATen's scalar loops fuse them); generation fails unless torch and the tables agree bit for bit
(a NaN matching any NaN), so the tables are checked on every value written.
"""
from __future__ import annotations

import functools

import ml_dtypes
import numpy as np

import common
from common import Fixture

SOURCE = "torch 2.15.0"
STEPS = 5
SHAPES = [[3, 4], [3]]
PATHS = ("for_loop", "foreach", "fused")
DTYPES = {"bfloat16": ml_dtypes.bfloat16, "float16": np.float16}
FILES = common.Files()
F = np.float32

CASES = {
    "Adam": [
        ("defaults", {"lr": 0.01}, "standard",
         "Adam's defaults at lr 0.01: catches the path's op order (per-op rounding on for_loop/foreach, one rounding at the end on fused) and eps taken as float32 where the path rounds it to the dtype."),
        ("betas-l2", {"lr": 0.05, "betas": [0.3, 0.95], "eps": 1e-3, "weight_decay": 0.1}, "standard",
         "beta1 = 0.3 (torch's lerp takes its second branch, 1 − w ≥ 0.5) and L2 decay added to the gradient (alpha rounded to the dtype, then the product rounded): catches lerp as a + w(b − a) and decay in float32."),
        ("zero-grad-eps", {"lr": 0.01}, "underflow",
         "Some gradients are 0 or tiny, so v is 0 (float16: (1 − β2)·g² underflows): with eps = 1e-8 rounded to float16 (0) the for_loop and foreach denominators are 0 and give NaN/±inf, where fused adds eps in float32 and stays finite. Catches eps kept in float32 on a per-op path and the reverse."),
    ],
    "AdamW": [
        ("defaults", {"lr": 0.01}, "standard",
         "AdamW's default decay 0.01 at lr 0.01: lr·λ = 1e-4 ≤ 2⁻⁹, so bfloat16 foreach rounds 1 − lr·λ to 1 and the decay does nothing, and the for-loop's rounded w·(1 − lr·λ) is w for most values. Catches decay applied in float32 where torch loses it to rounding."),
        ("decay-visible", {"lr": 0.02, "weight_decay": 0.5, "betas": [0.8, 0.99]}, "standard",
         "lr·λ = 0.01, large enough to change w in every dtype: catches decay dropped (or lost to rounding where torch keeps it)."),
        ("zero-grad-eps", {"lr": 0.01, "weight_decay": 0.1}, "underflow",
         "Zero and tiny gradients with decoupled decay: the float16 eps underflow (NaN/±inf on for_loop/foreach, finite on fused) after a decay step."),
    ],
    "SGD": [
        ("plain", {"lr": 0.01}, "standard",
         "Plain SGD: the per-op paths round −lr to the dtype (alpha of add_) and the product before the add, fused multiplies by lr in float32 in one multiply-add: catches the wrong path's arithmetic."),
        ("momentum", {"lr": 0.05, "momentum": 0.9}, "standard",
         "Momentum: foreach multiplies the buffer by momentum rounded to the dtype, for_loop by its float32 value, fused keeps the unrounded buffer for the step: catches each path's buffer arithmetic."),
        ("dampening-l2", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.1}, "standard",
         "Dampening and L2 decay: 1 − dampening and the decay as alphas rounded to the dtype on the per-op paths."),
        ("nesterov", {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.01}, "standard",
         "Nesterov with weight decay: the look-ahead add of momentum·buf (alpha rounded on per-op paths, a fused multiply-add on fused)."),
    ],
}


# --- the per-path tables of FORMAT.md, in numpy (float32 arithmetic) -------------------------

def _fma(a, b, c):
    """a·b + c rounded once to float32 (a·b is exact in float64; the sum's double rounding is far
    rarer than the checks would notice, and a false alarm would only stop the generator)."""
    return (np.asarray(a, np.float64) * np.asarray(b, np.float64) + np.asarray(c, np.float64)).astype(F)


def _lerp(a, b, w):
    return _fma(w, b - a, a) if abs(w) < 0.5 else _fma(-(b - a), F(1) - w, b)


def emulate(name, hp, path, nd, params, grads):
    """The parameters after every step, by FORMAT.md's tables; torch's defaults filled in."""
    R = lambda x: np.asarray(x, F).astype(nd).astype(F)      # round to the dtype
    D = lambda s: F(nd(s))                                    # a scalar rounded to the dtype
    foreach, fused = path == "foreach", path == "fused"
    lr = hp["lr"]
    np.seterr(all="ignore")   # NaN and ±inf are data here
    ws = [np.asarray(p, F) for p in params]
    st = [{} for _ in ws]
    out = []
    for k, gs in enumerate(grads):
        for i, g in enumerate(gs):
            w, g, s = ws[i], np.asarray(g, F), st[i]
            if name in ("Adam", "AdamW"):
                b1, b2 = hp.get("betas", [0.9, 0.999])
                eps = hp.get("eps", 1e-8)
                lam = hp.get("weight_decay", 0.01 if name == "AdamW" else 0.0)
                m, v = s.get("m", np.zeros_like(w)), s.get("v", np.zeros_like(w))
                t = float(k + 1)
                bc1, bc2 = 1 - b1 ** t, 1 - b2 ** t
                step = lr / bc1
                if fused:
                    if lam != 0:
                        if name == "AdamW": w = w * F(1 - lr * lam)
                        else: g = _fma(w, F(lam), g)
                    m = _lerp(m, g, F(1 - b1))
                    v = _fma(v, F(b2), (F(1 - b2) * g) * g)
                    w = w - (F(step) * m) / (np.sqrt(v) / F(np.sqrt(bc2)) + F(eps))
                    w, m, v = R(w), R(m), R(v)
                else:
                    if lam != 0:
                        if name == "AdamW": w = R(w * (D if foreach else F)(1 - lr * lam))
                        else: g = R(g + R(D(lam) * w))
                    m = R(_lerp(m, g, F(1 - b1)))
                    v = R(v * (D if foreach else F)(b2))
                    v = R(_fma(F(1 - b2) * g, g, v))
                    den = R(R(R(np.sqrt(v)) / F(bc2 ** 0.5)) + D(eps))
                    w = R(w + (F(-step) * m) / den)
                s["m"], s["v"] = m, v
            else:
                mu, tau = hp.get("momentum", 0.0), hp.get("dampening", 0.0)
                lam, nesterov = hp.get("weight_decay", 0.0), hp.get("nesterov", False)
                if fused:
                    if lam != 0: g = _fma(w, F(lam), g)
                    if mu != 0:
                        buf = g if "buf" not in s else _fma(s["buf"], F(mu), g * F(1 - tau))
                        s["buf"] = R(buf)
                        g = _fma(buf, F(mu), g) if nesterov else buf
                    w = R(_fma(-g, F(lr), w))
                else:
                    if lam != 0: g = R(g + R(D(lam) * w))
                    if mu != 0:
                        if "buf" not in s:
                            buf = g.copy()
                        else:
                            buf = R(s["buf"] * (D if foreach else F)(mu))
                            buf = R(buf + R(D(1 - tau) * g))
                        s["buf"] = buf
                        g = R(g + R(D(mu) * buf)) if nesterov else buf
                    w = R(w + R(D(-lr) * g))
            ws[i] = w
        out.append([w.copy() for w in ws])
    return out


# --- torch ------------------------------------------------------------------------------------

def run_torch(name, hp, path, dtype_name, params, grads):
    import torch

    tdt = {"bfloat16": torch.bfloat16, "float16": torch.float16}[dtype_name]
    ps = [torch.nn.Parameter(torch.tensor(p, dtype=torch.float32).to(tdt)) for p in params]
    kw = common_kwargs(hp)
    kw.update({"for_loop": {"foreach": False}, "foreach": {"foreach": True}, "fused": {"fused": True}}[path])
    opt = getattr(torch.optim, name)(ps, **kw)
    out = []
    for gs in grads:
        for p, g in zip(ps, gs):
            p.grad = torch.tensor(g, dtype=torch.float32).to(tdt)
        opt.step()
        out.append([p.detach().to(torch.float32).numpy().astype(np.float64) for p in ps])
    return out


def common_kwargs(hp):
    return {k: (tuple(v) if k == "betas" else v) for k, v in hp.items()}


def _inputs(case_id, kind, nd):
    rng = common.case_rng(case_id)
    R = lambda x: np.asarray(x, F).astype(nd).astype(np.float64)
    params = [R(rng.standard_normal(int(np.prod(s)))) for s in SHAPES]
    grads = []
    for _ in range(STEPS):
        gs = [R(0.1 * rng.standard_normal(int(np.prod(s)))) for s in SHAPES]
        if kind == "underflow":
            gs[0][0] = 0.0                       # v stays 0
            gs[0][1] = R(1e-3 * np.sign(gs[0][1] or 1.0))   # float16: (1 − β2)·g² underflows
            gs[1][0] = 0.0
        grads.append(gs)
    return params, grads


def _json_values(xs):
    """Floats as JSON numbers; NaN and infinities as the spec's strings (allowed in low_precision cases)."""
    return [float(x) if np.isfinite(x) else ("NaN" if np.isnan(x) else ("Infinity" if x > 0 else "-Infinity")) for x in xs]


def _same(a, b, nd):
    a, b = np.asarray(a, F), np.asarray(b, F)
    return bool(np.all((a.astype(nd).view(np.uint16) == b.astype(nd).view(np.uint16)) | (np.isnan(a) & np.isnan(b))))


def build(name):
    cases = []
    for dtype_name, nd in DTYPES.items():
        for tag, hp, kind, description in CASES[name]:
            for path in PATHS:
                case_id = f"torch/lowp/{name}/{dtype_name}-{path}-{tag}"
                params, grads = _inputs(f"lowp/{name}/{tag}", kind, nd)
                got = run_torch(name, hp, path, dtype_name, params, grads)
                want = emulate(name, hp, path, nd, params, grads)
                for k, (g, w) in enumerate(zip(got, want)):
                    for i in range(len(g)):
                        if not _same(g[i], w[i], nd):
                            raise AssertionError(f"{case_id}: step {k + 1} tensor {i}: torch and FORMAT.md's table disagree")
                case = {
                    "id": case_id, "kind": "optimizer", "source": SOURCE, "dtype": dtype_name,
                    "description": description,
                    "low_precision": {"param_dtype": dtype_name, "state_dtype": dtype_name, "path": path},
                    "optimizer": {"convention": "torch", "name": name, "hyperparameters": hp},
                    "params": [{"shape": s, "values": _json_values(p)} for s, p in zip(SHAPES, params)],
                    "steps": [{"grads": [_json_values(g) for g in gs], "expected": [_json_values(e) for e in es]}
                              for gs, es in zip(grads, got)],
                    "tolerance": {"rtol": 0, "atol": 0},
                    "tolerance_ulps": 0,
                }
                cases.append(case)
    return Fixture(f"torch/lowp/{name}.json",
                   f"torch.optim.{name} ({SOURCE}, CPU) on bfloat16 and float16 parameters, on each of its three paths "
                   "(foreach=False, foreach=True, fused=True); generated by reference/gen_lowp_torch.py. "
                   "Spec: fixtures/FORMAT.md, \"Low precision\".", cases)


for _name in CASES:
    FILES.add(f"torch/lowp/{_name}.json", functools.partial(build, _name))


if __name__ == "__main__":
    import sys
    sys.exit("run it as: python reference/generate.py --only gen_lowp_torch")
