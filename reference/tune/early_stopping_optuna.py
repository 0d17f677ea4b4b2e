#!/usr/bin/env python3
"""early_stopping_optuna.py — the decisions Optuna's pruners take on the hand-made learning curves
of Tests/DescentTests/TuneTests.swift (EarlyStoppingTests), for `descent tune --early-stopping`.

MedianPruner() with its defaults, and SuccessiveHalvingPruner(min_resource=10, reduction_factor=3,
min_early_stopping_rate=0) — Descent's first rung is the first evaluation step, 10 in the tests.
Earlier trials report every value of their curve at steps 10, 20, 30, … (halving: through the
pruner, so their rung values are recorded as Optuna records them). Each line prints the test's
scenario and Optuna's decision; the Swift test expects the same ones.

  python reference/tune/early_stopping_optuna.py
"""
import optuna
from optuna.trial import TrialState, create_trial

optuna.logging.set_verbosity(optuna.logging.ERROR)


def median(peers, history, direction="minimize"):
    """peers: [(values, state)]; history: [(step, value)] of the running trial."""
    s = optuna.create_study(direction=direction, pruner=optuna.pruners.MedianPruner())
    for vals, state in peers:
        s.add_trial(create_trial(state=state, value=vals[-1] if state == TrialState.COMPLETE else None,
                                 intermediate_values={10 * (i + 1): v for i, v in enumerate(vals)}, params={}, distributions={}))
    t = s.ask()
    for step, v in history:
        t.report(v, step)
    return "stop" if t.should_prune() else "go on"


def halving(peers, history, direction="minimize"):
    pruner = optuna.pruners.SuccessiveHalvingPruner(min_resource=10, reduction_factor=3, min_early_stopping_rate=0)
    s = optuna.create_study(direction=direction, pruner=pruner)
    for vals in peers:
        t = s.ask()
        pruned = False
        for i, v in enumerate(vals):
            t.report(v, 10 * (i + 1))
            if t.should_prune():
                pruned = True
                break
        if pruned:
            s.tell(t, state=TrialState.PRUNED)
        else:
            s.tell(t, vals[-1])
    t = s.ask()
    for step, v in history:
        t.report(v, step)
        if t.should_prune():
            return f"stop at {step}"
    return "go on"


C, P = TrialState.COMPLETE, TrialState.PRUNED
five = [([v + 0.2, v], C) for v in [0.5, 0.6, 0.7, 0.8, 0.9]]
six = [([v], C) for v in [0.5, 0.6, 0.7, 0.8, 0.9, 0.95]]
print("median, best 0.75 vs median 0.7 of 5:", median(five, [(10, 0.9), (20, 0.75)]))
print("median, best so far 0.65:", median(five, [(10, 0.65), (20, 0.75)]))
print("median, equal to the median:", median(five, [(10, 0.9), (20, 0.7)]))
print("median, 4 finished trials:", median(five[:4], [(20, 9)]))
print("median, 4 finished + 1 pruned:", median(five[:4] + [([0.1, 0.1], P)], [(20, 9)]))
print("median, accuracy 0.74 vs 0.75:", median(six, [(10, 0.74)], "maximize"))
print("median, accuracy 0.76 vs 0.75:", median(six, [(10, 0.76)], "maximize"))
print("median, NaN:", median(six, [(10, float("nan"))]))
print("median, no earlier value at step 70:", median(six, [(70, 5)]))
peers = [[v, v, v] for v in [1.0, 2, 3, 4, 5]]
print("halving, 1.5 at rung 0 among 1..5:", halving(peers, [(10, 1.5)]))
print("halving, 2.5 at rung 0 among 1..5:", halving(peers, [(10, 2.5)]))
print("halving, 0.5 at rung 1 against one trial:", halving([[1, 1, 1]], [(10, 1), (20, 1), (30, 0.5)]))
print("halving, 1.5 at rung 1 against one trial:", halving([[1, 1, 1]], [(10, 1), (20, 1), (30, 1.5)]))
print("halving, accuracy 0.95 among 0.9, 0.8, 0.7:", halving([[0.9], [0.8], [0.7]], [(10, 0.95)], "maximize"))
print("halving, accuracy 0.85 among 0.9, 0.8, 0.7:", halving([[0.9], [0.8], [0.7]], [(10, 0.85)], "maximize"))
