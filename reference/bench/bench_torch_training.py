#!/usr/bin/env python3
"""bench_torch_training.py — one MLP training step in torch, timed the way `descent bench --model` times Descent's.

The step: nn.Sequential(nn.Linear(d0, d1), ReLU, …, nn.Linear(d_{L-1}, d_L)); logits = model(x);
loss = F.cross_entropy(logits, y); opt.zero_grad(set_to_none=False); loss.backward(); opt.step()
with torch.optim.Adam(fused=True) (default hyperparameters). One fixed batch (inputs uniform in
[0, 1), targets 0, 1, 2, … cycling), float32 by default, torch.set_num_threads(threads).

Method (the same as Sources/DescentHarness/Bench/TrainingBench.swift): 3 untimed warm-up steps,
`inner` steps per sample so a sample lasts >= 20 ms, `repeat` samples; ms_per_step = the median
sample / inner, min_ms_per_step = the best. flops_per_step counts the same matrix products
Descent's engine runs (forward 2·B·d_in·d_out per layer, ∂W 2·B·d_in·d_out per layer, ∂X for
every layer but the first), i.e. what a BLAS-bound step has to do; gflops = flops / min time;
fraction_of_gemm = gflops / torch.mm's rate on n×n float matrices (n = the widest layer) at the
same thread count, best of 7.

Writes "descent-bench/1" with the rows in "training" (machine.source = "torch"), for
`descent bench --model … --include FILE`:

  python reference/bench/bench_torch_training.py --model mlp:64,256,256,10 --batch-size 128 \
      --threads 1,2 --output /tmp/torch-training.json
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_torch import machine, write  # noqa: E402

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402


def flops_per_step(sizes, batch):
    total = 0
    for i in range(1, len(sizes)):
        mnk = batch * sizes[i - 1] * sizes[i]
        total += 2 * mnk          # forward
        total += 2 * mnk          # dL/dW
        if i > 1:
            total += 2 * mnk      # dL/dX (not for the input layer)
    return total


def gemm_rate(n, dtype):
    a = torch.full((n, n), 0.5, dtype=dtype)
    b = torch.full((n, n), 0.25, dtype=dtype)
    c = torch.empty((n, n), dtype=dtype)
    calls = max(1, (1 << 27) // (n * n * n))
    torch.mm(a, b, out=c)
    best = float("inf")
    for _ in range(7):
        t0 = time.perf_counter_ns()
        for _ in range(calls):
            torch.mm(a, b, out=c)
        best = min(best, (time.perf_counter_ns() - t0) / calls)
    return 2 * n ** 3 / best


def measure(sizes, batch, dtype, threads, repeats):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    layers = []
    for i in range(1, len(sizes)):
        layers.append(nn.Linear(sizes[i - 1], sizes[i], dtype=dtype))
        if i < len(sizes) - 1:
            layers.append(nn.ReLU())
    model = nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), fused=True)
    x = torch.rand(batch, sizes[0], dtype=dtype)
    y = torch.arange(batch) % sizes[-1]

    def step():
        opt.zero_grad(set_to_none=False)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        opt.step()

    t0 = time.perf_counter_ns()
    for _ in range(3):
        step()
    warm = (time.perf_counter_ns() - t0) / 3
    inner = max(1, -(-int(20e6) // max(int(warm), 1)))
    samples = []
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter_ns()
        for _ in range(inner):
            step()
        samples.append((time.perf_counter_ns() - t0) / inner)
    samples.sort()
    return samples[0], samples[len(samples) // 2]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", default="mlp:64,256,256,10")
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    p.add_argument("--threads", default="1", help="comma list, e.g. 1,2")
    p.add_argument("--repeat", type=int, default=15)
    p.add_argument("--output", default="-")
    a = p.parse_args()
    if not a.model.startswith("mlp:"):
        sys.exit("--model: expected mlp:D0,D1,...,DL")
    sizes = [int(s) for s in a.model[4:].split(",")]
    dtype = getattr(torch, a.dtype)
    rows, gemm = [], []
    flops = flops_per_step(sizes, a.batch_size)
    n = max(sizes)
    for t in [int(s) for s in a.threads.split(",") if s.strip()]:
        mn, med = measure(sizes, a.batch_size, dtype, t, a.repeat)
        rate = gemm_rate(n, dtype)
        gemm.append({"dtype": a.dtype, "n": n, "threads": t, "gflops": round(rate, 3)})
        gflops = flops / mn
        rows.append({
            "model": a.model, "activation": "relu", "loss": "cross_entropy", "batch_size": a.batch_size,
            "optimizer": "torch/Adam", "implementation": "torch-fused", "dtype": a.dtype, "threads": t,
            "ms_per_step": round(med / 1e6, 5), "min_ms_per_step": round(mn / 1e6, 5),
            "flops_per_step": flops, "gflops": round(gflops, 3), "fraction_of_gemm": round(gflops / rate, 4), "gemm_n": n,
        })
        print(f"torch {a.model} t={t}: {med / 1e6:.3f} ms/step (min {mn / 1e6:.3f}), {gflops:.2f} GFLOP/s", file=sys.stderr)
    doc = {
        "format": "descent-bench/1",
        "machine": machine({"source": "torch", "library": f"torch {torch.__version__}",
                            "step": "nn.Linear + ReLU, F.cross_entropy, backward, Adam(fused=True)"}),
        "bandwidth": {},
        "results": [],
        "training": rows,
        "gemm": gemm,
    }
    write(doc, a.output)


if __name__ == "__main__":
    main()
