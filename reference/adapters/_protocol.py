"""Shared plumbing for Descent adapters: the line protocol, NaN-safe numbers, closed-loop problems.

An adapter reads one JSON case per line on stdin and answers one JSON line on stdout
(see the adapter protocol in the fixture spec and the README's "Verify your own optimizer").
Importing this module puts reference/ on sys.path, so the library adapters reach the runners
(`from runners import torch as torch_runner`) that the generators use.
"""
import contextlib
import json
import math
import os
import sys
import traceback

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from common import problem_grad  # noqa: E402  (the same formulas the Swift harness uses)


def number(x):
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    return x


def numbers(values):
    return [number(v) for v in values]


def trajectory(steps):
    """The runners' parameters after each step as the protocol's `params` (NaN-safe)."""
    return [[numbers(t) for t in step] for step in steps]


def training_answer(losses, params):
    return {"loss": numbers(losses), "params": trajectory(params)}


def serve(handle):
    """Answers every case line with `handle(case) -> dict` (without the id)."""
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        case = json.loads(line)
        cid = case.get("id")
        try:
            # A library that prints (dadaptation's DAdaptAdan with log_every) must not write into the answers.
            with contextlib.redirect_stdout(sys.stderr):
                answer = handle(case)
        except Exception as e:  # the library rejected the call: its own message
            answer = {"error": f"{type(e).__name__}: {e}" if not isinstance(e, ValueError) else str(e)}
            if os.environ.get("DESCENT_ADAPTER_TRACE"):
                traceback.print_exc()
        answer = {"id": cid, **answer}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


__all__ = ["number", "numbers", "trajectory", "training_answer", "serve", "problem_grad"]
