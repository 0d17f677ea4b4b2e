#!/usr/bin/env python3
"""bench_torch.py — torch CPU optimizer steps, timed the way `descent bench` times Descent's.

Writes the same "descent-bench/1" JSON that `descent bench --format json` writes, so
`descent bench --include torch.json` puts these rows next to Descent's implementations.

Method (the same as Sources/DescentHarness/Bench/Bench.swift):
  * one tensor of `size` parameters; the parameter, its gradient (p.grad, fixed for the whole
    run) and the optimizer with its state are allocated and filled before timing;
  * inner = ceil(2**18 / size) steps per sample, 2·inner untimed warm-up steps (the first step
    allocates the state), then K timed samples; min_ns and median_ns per step over the samples;
  * bytes_per_param = (3 + 2·k)·itemsize with k the optimizer's state tensors as long as the
    parameter (read from optimizer.state: Adam/AdamW exp_avg, exp_avg_sq → 28 B in float32;
    SGD+momentum momentum_buffer → 20; SGD → 12); gbps = bytes_per_param·size / min_ns;
  * fraction_of_triad = gbps / triad GB/s measured in this run at the same thread count, by a
    STREAM-style probe with torch (copy c=a, scale b=q·c, add c=a+b, triad a=b+q·c as single
    out= kernels on float64 arrays of 4× the last-level cache, ≥ 2**22 elements; best of K after
    one warm-up; 16/16/24/24 bytes per element, no write-allocate traffic) — the accounting of
    Descent's probe (Bench/Bandwidth.swift).
Paths: "torch-forloop" (foreach=False), "torch-foreach" (foreach=True), "torch-fused"
(fused=True; torch has fused CPU kernels for Adam, AdamW and SGD). Threads: torch.set_num_threads.

  python reference/bench/bench_torch.py --size 16M --threads 1,2 --repeat 5 --output torch.json

--shapes gpt2|resnet50|bert-base|vit-b-16|FILE times a real model's parameter list instead (model_shapes.py,
the lists of `descent bench --shapes`): one optimizer over all the model's tensors, each with its
fixed p.grad; size = the total parameter count; rows carry "shapes" and "tensors".
"""
import argparse
import json
import math
import os
import platform
import sys
import time

OPTIMIZERS = ["torch/Adam", "torch/AdamW", "torch/SGD", "torch/SGD+momentum"]
PATHS = ["torch-forloop", "torch-foreach", "torch-fused"]


# ---- shared with bench_optax.py ---------------------------------------------------------------

def parse_size(s):
    t = s.strip().upper()
    mult = 1 << 10 if t.endswith("K") else 1 << 20 if t.endswith("M") else 1
    v = int(t[:-1] if mult != 1 else t)
    if v <= 0:
        raise ValueError(f"--size: '{s}' is not a positive count")
    return v * mult


def parse_list(values, conv):
    out = []
    for v in values:
        out += [conv(x) for x in v.split(",") if x.strip()]
    return out


def caches():
    out = {}
    base = "/sys/devices/system/cpu/cpu0/cache"
    for i in range(8):
        d = f"{base}/index{i}"
        try:
            level = open(f"{d}/level").read().strip()
            typ = open(f"{d}/type").read().strip()
            size = open(f"{d}/size").read().strip()
        except OSError:
            continue
        out[f"L{level}{'d' if typ == 'Data' else 'i' if typ == 'Instruction' else ''}"] = size
    return out


def cache_bytes(s):
    t = s.upper().strip()
    mult = 1 << 10 if t.endswith("K") else 1 << 20 if t.endswith("M") else 1 << 30 if t.endswith("G") else 1
    return int(t.rstrip("KMGB").strip()) * mult


def probe_count():
    """Descent's default probe length: 4× the last-level cache in float64 elements, ≥ 2**22."""
    llc = max((cache_bytes(v) for v in caches().values()), default=32 << 20)
    return max(1 << 22, 4 * llc // 8)


def machine(extra):
    model, flags = "unknown", set()
    try:
        for line in open("/proc/cpuinfo"):
            k, _, v = line.partition(":")
            k, v = k.strip(), v.strip()
            if k == "model name" and model == "unknown":
                model = v
            if k in ("flags", "Features") and not flags:
                flags = set(v.split())
    except OSError:
        pass
    isa = "AVX-512" if "avx512f" in flags else "AVX2" if "avx2" in flags else "AVX" if "avx" in flags else "SSE2"
    try:
        load = open("/proc/loadavg").read().split()[0]
    except OSError:
        load = "unknown"
    m = {
        "cpu": model,
        "cores": os.cpu_count(),
        "caches": caches(),
        "isa": isa,
        "features": [f for f in ["sse2", "avx", "avx2", "fma", "avx512f"] if f in flags],
        "os": f"{platform.system()} {platform.release()}",
        "build": f"python {platform.python_version()}",
        "load_average": load,
    }
    m.update(extra)
    return m


def r(x, digits):
    return round(x, digits)


def row(optimizer, implementation, dtype, size, threads, samples, bytes_per_param, triad):
    samples = sorted(samples)
    mn, med = samples[0], samples[len(samples) // 2]
    gbps = bytes_per_param * size / mn
    return {
        "optimizer": optimizer, "implementation": implementation, "dtype": dtype, "size": size,
        "threads": threads, "min_ns": r(mn, 1), "median_ns": r(med, 1),
        "ns_per_param": r(mn / size, 5), "bytes_per_param": bytes_per_param, "gbps": r(gbps, 3),
        "fraction_of_triad": r(gbps / triad, 4) if triad else None,
    }


def inner_steps(size):
    return max(1, -(-(1 << 18) // size))


def time_samples(step, size, repeats, sync=lambda: None):
    """2·inner warm-up steps, then `repeats` samples of `inner` steps; ns per step."""
    inner = inner_steps(size)
    for _ in range(2 * inner):
        step()
    sync()
    out = []
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter_ns()
        for _ in range(inner):
            step()
        sync()
        out.append((time.perf_counter_ns() - t0) / inner)
    return out


def write(doc, path):
    text = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if path in (None, "-"):
        sys.stdout.write(text)
        return
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, path)   # whole, or not at all
    print(f"wrote {path}", file=sys.stderr)


def common_args(p, sizes="4K,64K,1M,16M"):
    p.add_argument("--size", action="append", default=[], help=f"parameters per tensor, K/M suffixes, comma lists (default {sizes})")
    p.add_argument("--threads", action="append", default=[], help="thread counts, comma lists (default 1,2)")
    p.add_argument("--repeat", type=int, default=10, help="timed samples per result (default 10)")
    p.add_argument("--probe-count", type=int, default=None, help="bandwidth probe elements (default 4× LLC)")
    p.add_argument("--output", default=None, help="write the JSON here (atomically); default stdout")


def fill(n, seed=12345):
    """Parameters in [-1, 1); gradients ±[0.1, 1) (no zeros, no subnormals)."""
    import numpy as np
    rng = np.random.default_rng(seed)
    u = rng.random(n)
    sign = np.where(rng.random(n) < 0.5, 1.0, -1.0)
    return u * 2 - 1, (0.1 + 0.9 * u) * sign


# ---- torch ------------------------------------------------------------------------------------

def torch_bandwidth(threads, count, repeats):
    import torch
    a = torch.ones(count, dtype=torch.float64)
    b = torch.full((count,), 2.0, dtype=torch.float64)
    c = torch.zeros(count, dtype=torch.float64)
    q = 3.0
    kernels = [
        lambda: c.copy_(a),                          # copy  c = a        16 B
        lambda: torch.mul(c, q, out=b),              # scale b = q·c      16 B
        lambda: torch.add(a, b, out=c),              # add   c = a + b    24 B
        lambda: torch.add(b, c, alpha=q, out=a),     # triad a = b + q·c  24 B
    ]
    nbytes = [16, 16, 24, 24]
    out = {}
    for t in threads:
        torch.set_num_threads(t)
        best = [math.inf] * 4
        for rep in range(repeats + 1):
            for k in range(4):
                t0 = time.perf_counter_ns()
                kernels[k]()
                dt = time.perf_counter_ns() - t0
                if rep > 0:
                    best[k] = min(best[k], dt)
        gb = [nbytes[k] * count / best[k] for k in range(4)]
        out[str(t)] = {"copy": r(gb[0], 3), "scale": r(gb[1], 3), "add": r(gb[2], 3), "triad": r(gb[3], 3)}
    return out


def make_optimizer(torch, name, path, p):
    p = p if isinstance(p, list) else [p]
    kw = {"foreach": False} if path == "torch-forloop" else {"foreach": True} if path == "torch-foreach" else {"fused": True}
    if name == "torch/Adam":
        return torch.optim.Adam(p, **kw)                      # lr 1e-3 (Descent: torch defaults)
    if name == "torch/AdamW":
        return torch.optim.AdamW(p, **kw)                     # lr 1e-3, weight_decay 1e-2
    if name == "torch/SGD":
        return torch.optim.SGD(p, lr=0.01, **kw)
    if name == "torch/SGD+momentum":
        return torch.optim.SGD(p, lr=0.01, momentum=0.9, **kw)
    raise ValueError(name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--optimizer", action="append", default=[], help=f"comma lists of {', '.join(OPTIMIZERS)} (default all)")
    ap.add_argument("--implementation", action="append", default=[], help=f"comma lists of {', '.join(PATHS)} (default all)")
    ap.add_argument("--dtype", action="append", default=[], help="float32, float64 (default float32)")
    ap.add_argument("--shapes", action="append", default=[], help="gpt2, resnet50, bert-base, vit-b-16 or a file of shapes (repeatable)")
    common_args(ap)
    args = ap.parse_args()
    import numpy as np
    import torch

    optimizers = parse_list(args.optimizer, str) or OPTIMIZERS
    paths = parse_list(args.implementation, str) or PATHS
    dtypes = parse_list(args.dtype, str) or ["float32"]
    sizes = parse_list(args.size, parse_size) or [1 << 12, 1 << 16, 1 << 20, 1 << 24]
    if args.shapes:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from model_shapes import load, numel
        models = [load(m) for m in args.shapes]
        workloads = [(sum(numel(x) for x in m[1]), m) for m in models]
    else:
        workloads = [(size, None) for size in sizes]
    threads = parse_list(args.threads, int) or [1, 2]
    for o in optimizers:
        if o not in OPTIMIZERS:
            ap.error(f"unknown optimizer {o!r}")
    for pth in paths:
        if pth not in PATHS:
            ap.error(f"unknown implementation {pth!r}")
    count = args.probe_count or probe_count()
    probe_threads = sorted(set([1] + threads))
    print(f"bandwidth probe (threads {probe_threads}, {count} float64 elements)", file=sys.stderr)
    bandwidth = torch_bandwidth(probe_threads, count, 5)
    mach = machine({
        "library": f"torch {torch.__version__}",
        "source": "torch",
        "threads_control": "torch.set_num_threads(T) before each result (ATen intra-op OpenMP pool); "
                           f"parallel backend: {torch.__config__.parallel_info().splitlines()[-1].strip()}",
        "triad_probe": f"torch, same process: out= kernels on float64 arrays of {count} elements at each thread count "
                       "(copy c.copy_(a), scale torch.mul(c, q, out=b), add torch.add(a, b, out=c), "
                       "triad torch.add(b, c, alpha=q, out=a)); best of 5 after a warm-up; 16/16/24/24 B per element, "
                       "no write-allocate traffic, as Descent's probe",
        "gradients": "p.grad set once before timing, never reallocated",
    })
    results = []
    torch_dtype = {"float32": torch.float32, "float64": torch.float64}
    for name in optimizers:
        for dtype in dtypes:
            for path in paths:
                for t in threads:
                    torch.set_num_threads(t)
                    for size, model in workloads:
                        if model is None:
                            pv, gv = fill(size)
                            p = torch.tensor(pv, dtype=torch_dtype[dtype])
                            p.grad = torch.tensor(gv, dtype=torch_dtype[dtype])
                            plist = [p]
                        else:
                            pv, gv = fill(size)
                            plist, at = [], 0
                            for shape in model[1]:
                                n = numel(shape)
                                q = torch.tensor(pv[at:at + n], dtype=torch_dtype[dtype]).reshape(shape)
                                q.grad = torch.tensor(gv[at:at + n], dtype=torch_dtype[dtype]).reshape(shape)
                                plist.append(q)
                                at += n
                            p = plist[0]
                        try:
                            opt = make_optimizer(torch, name, path, plist)
                            with torch.no_grad():
                                samples = time_samples(opt.step, size, args.repeat)
                        except RuntimeError as e:     # a path torch does not support here
                            print(f"{name} {path} {dtype}: not run: {e}", file=sys.stderr)
                            break
                        st = opt.state[p]
                        k = sum(1 for v in st.values() if torch.is_tensor(v) and v.numel() == p.numel())
                        bpp = (3 + 2 * k) * p.element_size()
                        x = row(name, path, dtype, size, t, samples, bpp, bandwidth[str(t)]["triad"])
                        if model is not None:
                            x["shapes"], x["tensors"] = model[0], len(model[1])
                        results.append(x)
                        print(f"{name} {path} {dtype} {model[0] if model else 'n=' + str(size)} t={t}: {x['ns_per_param']:.3f} ns/param, "
                              f"{x['gbps']:.1f} GB/s ({100 * (x['fraction_of_triad'] or 0):.0f}% of triad)", file=sys.stderr)
                        del opt, p, plist
    torch.set_num_threads(os.cpu_count() or 1)
    write({"format": "descent-bench/1", "machine": mach, "bandwidth": bandwidth, "results": results}, args.output)


if __name__ == "__main__":
    main()
