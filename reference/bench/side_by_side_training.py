#!/usr/bin/env python3
"""side_by_side_training.py — Descent's training step against torch's, and vectorized against naive,
measured alternately in one sitting; writes results/bench-training.md.

Each round runs, one after the other:
  descent bench --model M --batch-size B --optimizer torch/Adam --implementation blas --dtype float32 --threads 1,2
  python reference/bench/bench_torch_training.py --model M --batch-size B --threads 1,2
  descent bench --model M ... --implementation naive --implementation vectorized --threads 1
so a busy moment of the (shared) machine hits both sides of a ratio alike. Per round the ratio is
taken on the min and on the median step time; the report gives every round and the min / median
of the per-round ratios. Needs a release build (`swift build -c release`) and the reference venv.

  /tmp/descent-ref/bin/python reference/bench/side_by_side_training.py --rounds 3
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))


def run(cmd):
    print("$ " + " ".join(cmd), file=sys.stderr)
    subprocess.run(cmd, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def rows(path):
    with open(path) as f:
        return json.load(f)["training"]


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--model", default="mlp:64,256,256,10")
    p.add_argument("--batch-size", default="128")
    p.add_argument("--repeat", default="15")
    p.add_argument("--descent", default=os.path.join(ROOT, ".build/release/descent"))
    p.add_argument("--output", default=os.path.join(ROOT, "results/bench-training.md"))
    p.add_argument("--tmp", default="/tmp/descent-side-by-side")
    a = p.parse_args()
    os.makedirs(a.tmp, exist_ok=True)
    common = ["--model", a.model, "--activation", "relu", "--batch-size", a.batch_size, "--optimizer", "torch/Adam",
              "--dtype", "float32", "--repeat", a.repeat, "--format", "json"]
    with open("/proc/loadavg") as f:
        load_start = f.read().split()[0]
    rounds = []
    for i in range(a.rounds):
        d, t, v = (os.path.join(a.tmp, f"{k}-{i}.json") for k in ("descent", "torch", "vec"))
        run([a.descent, "bench"] + common + ["--implementation", "blas", "--threads", "1,2", "--output", d])
        run([sys.executable, os.path.join(HERE, "bench_torch_training.py"), "--model", a.model, "--batch-size", a.batch_size,
             "--threads", "1,2", "--repeat", a.repeat, "--output", t])
        run([a.descent, "bench"] + common + ["--implementation", "naive", "--implementation", "vectorized", "--threads", "1",
                                              "--repeat", "5", "--output", v])
        rounds.append((rows(d), rows(t), rows(v)))
    with open("/proc/loadavg") as f:
        load_end = f.read().split()[0]

    def pick(rs, impl, threads):
        return next(r for r in rs if r["implementation"] == impl and r["threads"] == threads)

    out = ["# Training-step speed: Descent (blas) vs torch, vectorized vs naive", ""]
    out.append(f"One step of {a.model} relu, batch {a.batch_size}, float32: forward, F.cross_entropy, backward, Adam "
               "(Descent: every product through the engine's gemm, `torch/Adam` stepper; torch: nn.Linear, "
               "F.cross_entropy, backward, Adam(fused=True)). Measured alternately in one sitting "
               f"({a.rounds} rounds), by `reference/bench/side_by_side_training.py --rounds {a.rounds}`.")
    out.append("")
    out.append(f"**Load on the machine** (other processes inflate medians): 1-minute load average {load_start} at the "
               f"start, {load_end} at the end. Medians are inflated by other processes; the min is the cleaner reading. "
               "Ratios are per round (both sides measured within seconds of each other), then min / median over rounds.")
    out.append("")
    out.append(f"OpenBLAS core: OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(unset: OpenBLAS detects the core itself)')}.")
    out.append("")
    out.append("| round | threads | Descent blas ms/step (min / median) | torch ms/step (min / median) | torch ÷ Descent (min) | torch ÷ Descent (median) | Descent GFLOP/s | of BLAS GEMM |")
    out.append("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    ratios = {1: ([], []), 2: ([], [])}
    for i, (d, t, _) in enumerate(rounds):
        for th in (1, 2):
            x, y = pick(d, "blas", th), pick(t, "torch-fused", th)
            rmin, rmed = y["min_ms_per_step"] / x["min_ms_per_step"], y["ms_per_step"] / x["ms_per_step"]
            ratios[th][0].append(rmin)
            ratios[th][1].append(rmed)
            frac = x.get("fraction_of_gemm")
            out.append(f"| {i + 1} | {th} | {x['min_ms_per_step']:.3f} / {x['ms_per_step']:.3f} | {y['min_ms_per_step']:.3f} / "
                       f"{y['ms_per_step']:.3f} | {rmin:.2f}× | {rmed:.2f}× | {x['gflops']:.1f} | "
                       + (f"{100 * frac:.0f} %" if frac is not None else "—") + " |")
    out.append("")
    for th in (1, 2):
        mins, meds = ratios[th]
        out.append(f"- {th} thread{'s' if th > 1 else ''}: torch time ÷ Descent time, on the min: min {min(mins):.2f}×, "
                   f"median {statistics.median(mins):.2f}×; on the median: min {min(meds):.2f}×, median {statistics.median(meds):.2f}× "
                   "(> 1: Descent's step is faster).")
    out.append("")
    out.append("| round | naive ms/step (min / median) | vectorized ms/step (min / median) | naive ÷ vectorized (min) | naive ÷ vectorized (median) |")
    out.append("| ---: | ---: | ---: | ---: | ---: |")
    vr = ([], [])
    for i, (_, _, v) in enumerate(rounds):
        n, z = pick(v, "naive", 1), pick(v, "vectorized", 1)
        a1, a2 = n["min_ms_per_step"] / z["min_ms_per_step"], n["ms_per_step"] / z["ms_per_step"]
        vr[0].append(a1)
        vr[1].append(a2)
        out.append(f"| {i + 1} | {n['min_ms_per_step']:.3f} / {n['ms_per_step']:.3f} | {z['min_ms_per_step']:.3f} / "
                   f"{z['ms_per_step']:.3f} | {a1:.1f}× | {a2:.1f}× |")
    out.append("")
    out.append(f"- vectorized vs naive (1 thread): on the min: min {min(vr[0]):.1f}×, median {statistics.median(vr[0]):.1f}×; "
               f"on the median: min {min(vr[1]):.1f}×, median {statistics.median(vr[1]):.1f}× (target ≥ 5×).")
    out.append("")
    m = json.load(open(os.path.join(a.tmp, "descent-0.json")))["machine"]
    tm = json.load(open(os.path.join(a.tmp, "torch-0.json")))["machine"]
    out.append(f"Machine: {m.get('cpu')}, {m.get('cores')} cores, vector loops {m.get('vector_loops')}, BLAS "
               f"{(m.get('blas') or {}).get('version')}; {tm.get('library')}. Raw files: {a.tmp}/ (descent-*.json, torch-*.json, vec-*.json), "
               f"written {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.")
    text = "\n".join(out) + "\n"
    tmp = a.output + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, a.output)
    print(text)


if __name__ == "__main__":
    main()
