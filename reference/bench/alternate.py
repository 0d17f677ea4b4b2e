#!/usr/bin/env python3
"""alternate.py — Descent and torch on the same model shapes, alternately, in one sitting.

The machine's cores are shared, so a Descent run and a torch run minutes apart can see very
different loads. This script runs them in turns — Descent, torch, Descent, torch, … `--rounds`
times — each turn a full `descent bench --shapes M --format json` or `bench_torch.py --shapes M`
process with `--repeat` samples, and keeps, per row, the best time over all rounds (min_ns) and
the median of the rounds' best times (median_ns). It writes

  OUT/descent.json, OUT/torch.json   descent-bench/1 files of those merged rows (for --include)
  OUT/alternate.md                   the side-by-side table: torch time ÷ Descent time per model
                                     and thread count (best over rounds, and each round's ratio)

  python reference/bench/alternate.py --descent .build/release/descent --shapes gpt2 --shapes resnet50 \\
      --threads 1,2 --rounds 6 --repeat 5 --out /tmp/sitting
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def run_json(argv, path):
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(path) as f:
        return json.load(f)


def key(r):
    return (r["optimizer"], r["implementation"], r["dtype"], r.get("shapes"), r["threads"])


def merge(docs):
    """Rows of all rounds: min of min_ns, median of the rounds' min_ns (as median_ns)."""
    rows = {}
    for d in docs:
        for r in d["results"]:
            rows.setdefault(key(r), []).append(r)
    out = []
    for k, rs in rows.items():
        best = min(rs, key=lambda r: r["min_ns"])
        x = dict(best)
        mins = [r["min_ns"] for r in rs]
        x["median_ns"] = round(max(statistics.median(mins), best["min_ns"]), 1)
        x["rounds"] = len(rs)
        out.append(x)
    return out


def write(doc, path):
    tmp = f"{path}.tmp{os.getpid()}"
    with open(tmp, "w") as f:
        f.write(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--descent", default=".build/release/descent")
    ap.add_argument("--shapes", action="append", default=[])
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--optimizer", default="torch/Adam")
    ap.add_argument("--implementation", default="vectorized", help="Descent implementation(s), comma list")
    ap.add_argument("--torch", default="torch-fused", help="torch path(s), comma list")
    ap.add_argument("--dtype", default="float32")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--probe-count", type=int, default=1 << 23)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    shapes = args.shapes or ["gpt2", "resnet50"]
    d_argv = [args.descent, "bench", "--optimizer", args.optimizer, "--dtype", args.dtype, "--repeat", str(args.repeat),
              "--probe-count", str(args.probe_count), "--format", "json"]
    for i in args.implementation.split(","):
        d_argv += ["--implementation", i]
    for t in args.threads.split(","):
        d_argv += ["--threads", t]
    t_argv = [sys.executable, os.path.join(HERE, "bench_torch.py"), "--optimizer", args.optimizer, "--implementation", args.torch,
              "--dtype", args.dtype, "--threads", args.threads, "--repeat", str(args.repeat), "--probe-count", str(args.probe_count)]
    for s in shapes:
        d_argv += ["--shapes", s]
        t_argv += ["--shapes", s]
    ddocs, tdocs, log = [], [], []
    for rnd in range(args.rounds):
        for who, argv, docs in (("descent", d_argv, ddocs), ("torch", t_argv, tdocs)):
            path = os.path.join(args.out, f"round{rnd}-{who}.json")
            t0 = time.time()
            docs.append(run_json(argv + ["--output", path], path))
            load = open("/proc/loadavg").read().split()[0]
            log.append(f"round {rnd} {who}: {time.time() - t0:.0f} s, load average {load}")
            print(log[-1], file=sys.stderr)
    d = {"format": "descent-bench/1", "machine": ddocs[-1]["machine"], "bandwidth": ddocs[-1]["bandwidth"], "results": merge(ddocs)}
    t = {"format": "descent-bench/1", "machine": tdocs[-1]["machine"], "bandwidth": tdocs[-1]["bandwidth"], "results": merge(tdocs)}
    write(d, os.path.join(args.out, "descent.json"))
    write(t, os.path.join(args.out, "torch.json"))
    # The side-by-side table.
    lines = ["| model | threads | Descent | best ms (median of rounds) | torch | best ms (median of rounds) | torch ÷ Descent (best) | per round (torch ÷ Descent) |",
             "| --- | ---: | --- | ---: | --- | ---: | ---: | --- |"]
    for dr in d["results"]:
        for tr in t["results"]:
            if tr.get("shapes") != dr.get("shapes") or tr["threads"] != dr["threads"] or tr["dtype"] != dr["dtype"]:
                continue
            per = []
            for a, b in zip(ddocs, tdocs):
                x = [r for r in a["results"] if key(r) == key(dr)]
                y = [r for r in b["results"] if key(r) == key(tr)]
                if x and y:
                    per.append(y[0]["min_ns"] / x[0]["min_ns"])
            lines.append(f"| {dr.get('shapes')} ({dr.get('tensors')} tensors) | {dr['threads']} | {dr['implementation']} "
                         f"| {dr['min_ns'] / 1e6:.2f} ({dr['median_ns'] / 1e6:.2f}) | {tr['implementation']} "
                         f"| {tr['min_ns'] / 1e6:.2f} ({tr['median_ns'] / 1e6:.2f}) | {tr['min_ns'] / dr['min_ns']:.2f}× "
                         f"| {' '.join(f'{p:.2f}' for p in per)} |")
    md = "\n".join(lines) + "\n\nRounds (Descent, then torch, alternately):\n\n" + "\n".join(f"- {x}" for x in log) + "\n"
    with open(os.path.join(args.out, "alternate.md"), "w") as f:
        f.write(md)
    print(md)


if __name__ == "__main__":
    main()
