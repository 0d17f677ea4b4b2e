"""Optuna's default sampler (TPE, optuna==5.0.0 pinned in reference/requirements.txt) on the test
functions, at the budget and seeds `descent tune --compare-strategies` uses; writes the same
`descent-tune-compare/1` JSON so both appear in one table:

    /tmp/descent-ref/bin/python reference/tune/optuna_compare.py --trials 40 --seeds 10 \
        --functions branin,hartmann6 --output results/tune-optuna-tpe.json
    descent tune --compare-strategies --trials 40 --seeds 10 --reference results/tune-optuna-tpe.json

Each seed is one study with `optuna.samplers.TPESampler(seed=seed)` (the default sampler with its
default settings), minimising f over the function's standard domain (uniform floats)."""
import argparse
import json
import math
import os
import sys

import optuna

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import functions  # noqa: E402


def run(name, dim, trials, seed):
    d, domain, optimum, f = functions.get(name, dim)
    sampler = optuna.samplers.TPESampler(seed=seed)
    study = optuna.create_study(direction="minimize", sampler=sampler)

    def objective(trial):
        return f([trial.suggest_float(f"x{i + 1}", lo, hi) for i, (lo, hi) in enumerate(domain)])

    study.optimize(objective, n_trials=trials)
    best, curve = math.inf, []
    for t in study.trials:
        best = min(best, t.value)
        curve.append(best - optimum)
    return d, optimum, curve


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--functions", default="branin,hartmann6")
    p.add_argument("--dim", type=int, default=None, help="dimension of the scalable functions")
    p.add_argument("--trials", type=int, default=40)
    p.add_argument("--seeds", type=int, default=10)
    p.add_argument("--output", required=True)
    a = p.parse_args()
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    seeds = list(range(a.seeds))
    out = []
    for name in a.functions.split(","):
        curves = []
        for s in seeds:
            d, optimum, c = run(name, a.dim, a.trials, s)
            curves.append(c)
        finals = [c[-1] for c in curves]
        med = sorted(finals)
        m = med[len(med) // 2] if len(med) % 2 else (med[len(med) // 2 - 1] + med[len(med) // 2]) / 2
        curve_med = []
        for i in range(a.trials):
            col = sorted(c[i] for c in curves)
            n = len(col)
            curve_med.append(col[n // 2] if n % 2 else (col[n // 2 - 1] + col[n // 2]) / 2)
        out.append({"function": name, "dim": d, "optimum": optimum, "strategies": [{
            "strategy": "optuna-tpe", "source": f"optuna {optuna.__version__} TPESampler(seed=s) defaults",
            "seeds": seeds, "final_regret": finals, "median_final_regret": m,
            "median_regret_so_far": curve_med, "regret_so_far": curves}]})
        print(f"{name}: optuna TPE median final regret {m:.4g} over {len(seeds)} seeds", file=sys.stderr)
    doc = {"format": "descent-tune-compare/1", "trials": a.trials, "seeds": seeds, "functions": out}
    tmp = a.output + ".tmp"
    os.makedirs(os.path.dirname(os.path.abspath(a.output)), exist_ok=True)
    with open(tmp, "w") as fh:
        json.dump(doc, fh, indent=2)
        fh.write("\n")
    os.replace(tmp, a.output)


if __name__ == "__main__":
    main()
