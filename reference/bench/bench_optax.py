#!/usr/bin/env python3
"""bench_optax.py — optax optimizer steps on the XLA CPU backend, timed the way `descent bench` is.

Writes "descent-bench/1" JSON (implementation "optax-jit") for `descent bench --include`.

The step is what an optax user compiles: one jitted function doing `opt.update` and
`optax.apply_updates`, with the parameters and the optimizer state donated
(`jax.jit(step, donate_argnums=(0, 1))`), so XLA updates them in place instead of allocating new
buffers each step; the gradient is a fixed argument, allocated before timing. float32.
Timing, warm-up (the first calls also compile), bytes_per_param ((3 + 2·k)·4 with k the state
leaves as long as the parameter: adam/adamw mu, nu → 28 B; sgd+momentum trace → 20; sgd → 12),
min/median: as bench_torch.py and Descent's Bench.swift. Each sample ends with
block_until_ready (jax dispatches asynchronously).

Threads. XLA's CPU client sizes its thread pools when jax starts and jax has no run-time knob
for them, so each thread count T runs in its own child process that, BEFORE importing jax,
  * pins itself to T cores with os.sched_setaffinity (threads created later inherit it; XLA
    sizes its pools from the cores it may use), and
  * for T=1 sets XLA_FLAGS=--xla_cpu_multi_thread_eigen=false (no multi-threaded Eigen
    kernels).
So "threads" here means: the process may use T cores. Whether XLA actually splits one
elementwise fusion across them is XLA's decision (recorded by the 1- vs 2-thread rows).
The bandwidth probe runs in the same child, in jax: scale b=q·c, add c=a+b, triad a=b+q·c as
jitted functions whose output buffer is a donated input (so XLA writes in place), float32 arrays
with the bytes of Descent's float64 arrays (float64 would need jax_enable_x64, which changes the
dtypes optax computes with); copy is left out (XLA forwards an unchanged input instead of copying).

  python reference/bench/bench_optax.py --size 16M --threads 1,2 --repeat 5 --output optax.json
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_torch import common_args, fill, machine, parse_list, parse_size, probe_count, r, row, time_samples, write  # noqa: E402

OPTIMIZERS = ["optax/adam", "optax/adamw", "optax/sgd", "optax/sgd+momentum"]


def make(optax, name):
    if name == "optax/adam":
        return optax.adam(1e-3)
    if name == "optax/adamw":
        return optax.adamw(1e-3)                   # optax default weight_decay 1e-4
    if name == "optax/sgd":
        return optax.sgd(0.01)
    if name == "optax/sgd+momentum":
        return optax.sgd(0.01, momentum=0.9)
    raise ValueError(name)


def jax_bandwidth(jax, jnp, count, repeats):
    # float32 arrays of 2·count elements: the bytes of Descent's float64 arrays, without turning on
    # jax_enable_x64 (which would change the dtypes optax computes with in the float32 steps).
    q, n = 3.0, 2 * count
    a = jnp.ones(n, dtype=jnp.float32)
    b = jnp.full(n, 2.0, dtype=jnp.float32)
    c = jnp.zeros(n, dtype=jnp.float32)
    # Each kernel writes its result into its donated first argument (the array it overwrites).
    # dynamic_update_slice keeps that argument in the jaxpr: an unused argument would be pruned and
    # its donation dropped, and XLA would allocate (and page-fault) a fresh output every call.
    dus = jax.lax.dynamic_update_slice
    scale = jax.jit(lambda b_, c_: dus(b_, q * c_, (0,)), donate_argnums=0)             # b = q·c      8 B
    add = jax.jit(lambda c_, a_, b_: dus(c_, a_ + b_, (0,)), donate_argnums=0)          # c = a + b    12 B
    triad = jax.jit(lambda a_, b_, c_: dus(a_, b_ + q * c_, (0,)), donate_argnums=0)    # a = b + q·c  12 B
    best = {"scale": math.inf, "add": math.inf, "triad": math.inf}
    for rep in range(repeats + 1):
        t0 = time.perf_counter_ns(); b = scale(b, c); b.block_until_ready(); dt = time.perf_counter_ns() - t0
        if rep: best["scale"] = min(best["scale"], dt)
        t0 = time.perf_counter_ns(); c = add(c, a, b); c.block_until_ready(); dt = time.perf_counter_ns() - t0
        if rep: best["add"] = min(best["add"], dt)
        t0 = time.perf_counter_ns(); a = triad(a, b, c); a.block_until_ready(); dt = time.perf_counter_ns() - t0
        if rep: best["triad"] = min(best["triad"], dt)
    nbytes = {"scale": 8, "add": 12, "triad": 12}
    return {"copy": None, **{k: r(nbytes[k] * n / best[k], 3) for k in best}}


def child(args, threads):
    os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:threads])
    if threads == 1:
        os.environ["XLA_FLAGS"] = (os.environ.get("XLA_FLAGS", "") + " --xla_cpu_multi_thread_eigen=false").strip()
    import jax
    jax.config.update("jax_platforms", "cpu")
    import jax.numpy as jnp
    import optax
    import warnings
    warnings.simplefilter("error", UserWarning)      # "donated buffers were not usable" must not pass
    count = args.probe_count or probe_count()
    bw = jax_bandwidth(jax, jnp, count, 5)
    results = []
    for name in parse_list(args.optimizer, str) or OPTIMIZERS:
        opt = make(optax, name)

        def step(params, state, grads):
            updates, state = opt.update(grads, state, params)
            return optax.apply_updates(params, updates), state

        jstep = jax.jit(step, donate_argnums=(0, 1))
        if args.shapes:
            from model_shapes import load, numel
            models = [load(m) for m in args.shapes]
            workloads = [(sum(numel(x) for x in m[1]), m) for m in models]
        else:
            workloads = [(size, None) for size in parse_list(args.size, parse_size) or [1 << 12, 1 << 16, 1 << 20, 1 << 24]]
        for size, model in workloads:
            pv, gv = fill(size)
            if model is None:
                box = {"p": jnp.asarray(pv, dtype=jnp.float32)}
                g = jnp.asarray(gv, dtype=jnp.float32)
            else:
                # The model's parameters as a list of arrays (a pytree), as a model's params are.
                ps, gs, at = [], [], 0
                for shape in model[1]:
                    n = numel(shape)
                    ps.append(jnp.asarray(pv[at:at + n], dtype=jnp.float32).reshape(shape))
                    gs.append(jnp.asarray(gv[at:at + n], dtype=jnp.float32).reshape(shape))
                    at += n
                box, g = {"p": ps}, gs
            box["s"] = opt.init(box["p"])

            def one():
                box["p"], box["s"] = jstep(box["p"], box["s"], g)

            samples = time_samples(one, size, args.repeat, sync=lambda: jax.block_until_ready((box["p"], box["s"])))
            leaves = jax.tree_util.tree_leaves(box["s"])
            k = sum(getattr(x, "size", 0) for x in leaves if getattr(x, "size", 0) > 1) // size
            x = row(name, "optax-jit", "float32", size, threads, samples, (3 + 2 * k) * 4, bw["triad"])
            if model is not None:
                x["shapes"], x["tensors"] = model[0], len(model[1])
            results.append(x)
            print(f"{name} optax-jit float32 n={size} t={threads}: {x['ns_per_param']:.3f} ns/param, "
                  f"{x['gbps']:.1f} GB/s ({100 * (x['fraction_of_triad'] or 0):.0f}% of triad)", file=sys.stderr)
            del box, g
    json.dump({"bandwidth": bw, "results": results, "count": count, "jax": jax.__version__, "optax": optax.__version__,
               "devices": str(jax.devices()), "xla_flags": os.environ.get("XLA_FLAGS", ""),
               "affinity": sorted(os.sched_getaffinity(0))}, sys.stdout)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--optimizer", action="append", default=[], help=f"comma lists of {', '.join(OPTIMIZERS)} (default all)")
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--shapes", action="append", default=[], help="gpt2, resnet50, bert-base, vit-b-16 or a file of shapes (model_shapes.py)")
    common_args(ap)
    args = ap.parse_args()
    for o in parse_list(args.optimizer, str):
        if o not in OPTIMIZERS:
            ap.error(f"unknown optimizer {o!r}")
    if args.child is not None:
        child(args, args.child)
        return
    threads = parse_list(args.threads, int) or [1, 2]
    ncpu = len(os.sched_getaffinity(0))
    bandwidth, results, info = {}, [], {}
    for t in sorted(set([1] + threads)):
        if t > ncpu:
            print(f"threads {t}: only {ncpu} cores available; not run", file=sys.stderr)
            continue
        print(f"threads {t}: child process", file=sys.stderr)
        argv = [sys.executable, os.path.abspath(__file__), "--child", str(t), "--repeat", str(args.repeat)]
        for s in args.size:
            argv += ["--size", s]
        for s in args.shapes:
            argv += ["--shapes", s]
        for o in args.optimizer:
            argv += ["--optimizer", o]
        if args.probe_count:
            argv += ["--probe-count", str(args.probe_count)]
        out = subprocess.run(argv, check=True, stdout=subprocess.PIPE, text=True).stdout
        doc = json.loads(out)
        bandwidth[str(t)] = doc["bandwidth"]
        if t in threads:
            results += doc["results"]
        info[t] = doc
    any_info = next(iter(info.values()))
    mach = machine({
        "library": f"optax {any_info['optax']}, jax {any_info['jax']} ({any_info['devices']})",
        "source": "optax",
        "threads_control": "one child process per thread count T, pinned to T cores with os.sched_setaffinity before "
                           "jax starts, XLA_FLAGS " + "; ".join(f"T={t}: '{d['xla_flags']}'" for t, d in info.items())
                           + ". jax has no run-time thread knob; whether XLA splits an elementwise fusion over the cores is its choice",
        "triad_probe": f"jax, same child process as the rows of that thread count: jitted scale b=q·c, add c=a+b, triad a=b+q·c "
                       f"with the overwritten array donated (in-place output), float32 arrays of {2 * any_info['count']} elements "
                       f"(the bytes of Descent's {any_info['count']} float64 elements, without jax_enable_x64, which would change "
                       "optax's arithmetic in the float32 steps); "
                       "best of 5 after a warm-up; 8/12/12 B per element, no write-allocate traffic, as Descent's probe; "
                       "copy not measured (XLA forwards an unchanged input)",
        "step": "jax.jit(update + apply_updates, donate_argnums=(0, 1)) (params and state donated), float32, gradient fixed",
    })
    write({"format": "descent-bench/1", "machine": mach, "bandwidth": bandwidth, "results": results}, args.output)


if __name__ == "__main__":
    main()
