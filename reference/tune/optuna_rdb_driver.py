"""Optuna with shared RDB storage (Optuna's own way of spreading trials over machines) using
`descent train --format json` as its objective. Start the same command on any number of machines
(or several times on one) against one storage URL; each process pulls trials from the shared study.

    /tmp/descent-ref/bin/python reference/tune/optuna_rdb_driver.py \
        --storage sqlite:///tune.db --study digits-adam --trials 20 \
        --descent .build/release/descent -- --data digits --optimizer torch/Adam --epochs 5

    # on other machines / terminals, the same command: they share the study through the storage
    # (sqlite is for one machine; use postgresql://… or mysql://… across machines)

The space is lr (log 1e-4…1e-1), betas[0] (0.8…0.99) and batch size (16, 32, 64, 128), as in the
issue's example; the objective is the final test loss of the descent-train/1 report (a diverged
run, NaN, is reported to Optuna as a failed trial). Arguments after `--` go to `descent train`.
"""
import argparse
import json
import math
import subprocess
import sys

import optuna


def main():
    argv = sys.argv[1:]
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--storage", required=True, help="RDB URL, e.g. sqlite:///tune.db or postgresql://user@host/db")
    p.add_argument("--study", default="descent")
    p.add_argument("--trials", type=int, default=20, help="trials this process runs")
    p.add_argument("--descent", default="descent", help="path of the descent executable")
    p.add_argument("--seed", type=int, default=None, help="TPE sampler seed (default: random, as usual with several workers)")
    a = p.parse_args(argv)

    study = optuna.create_study(study_name=a.study, storage=a.storage, load_if_exists=True, direction="minimize",
                                sampler=optuna.samplers.TPESampler(seed=a.seed))

    def objective(trial):
        lr = trial.suggest_float("lr", 1e-4, 1e-1, log=True)
        beta1 = trial.suggest_float("betas.0", 0.8, 0.99)
        batch = trial.suggest_categorical("batch_size", [16, 32, 64, 128])
        cmd = [a.descent, "train", "--format", "json", "--quiet", "--batch-size", str(batch),
               "--hp", f"lr={lr!r}", "--hp", f"betas={beta1!r},0.999"] + extra
        out = subprocess.run(cmd, capture_output=True, text=True)
        if out.returncode != 0:
            raise optuna.TrialPruned(f"descent train failed ({out.returncode}): {out.stderr.strip()[:200]}")
        report = json.loads(out.stdout)
        final = report.get("final", report)
        loss = final.get("test_loss")
        if isinstance(loss, str) or loss is None or not math.isfinite(loss):
            raise optuna.TrialPruned(f"test loss {loss!r} (diverged)")
        trial.set_user_attr("test_accuracy", final.get("test_accuracy"))
        return loss

    study.optimize(objective, n_trials=a.trials)
    best = study.best_trial
    print(json.dumps({"study": a.study, "trials": len(study.trials), "best": {"value": best.value, "params": best.params,
                                                                               "test_accuracy": best.user_attrs.get("test_accuracy")}}, indent=2))


if __name__ == "__main__":
    main()
