"""One runner per library: the code that runs a case in the real library and records what it did.

- `runners.torch` — torch.optim, torch.optim.lr_scheduler, torch.nn.utils clipping, and the
  torch-style packages with the same step() API: pytorch_optimizer, lion_pytorch, schedulefree
  (train mode).
- `runners.optax` — optax and optax.contrib (jax x64), optax schedules, optax.lbfgs.
- `runners.keras` — keras.optimizers and keras.optimizers.schedules in float64 (the backend is the
  caller's: KERAS_BACKEND must be set before Keras is imported).

The generators (`gen_*.py`) and the adapters (`adapters/*_adapter.py`) both call these, so a golden
and an adapter's answer come from the same code. Shared conventions:

- `params` is the fixture form, a list of {"shape", "values"}; the result of a replay is a list over
  steps of a list over tensors of flat float lists (the parameters after each step).
- `grads` is a list over steps of a list over tensors of flat gradient lists, or None with a
  closed-loop `problem` (common.problem_grad at the current parameters).
- `lrs` is None or the lr of every step; a None entry (or a missing list) means the constructor's
  lr: an override holds for its step only.
- Nothing heavy is imported at import time: each runner imports its library when first called.

These modules live in the `runners` package on purpose: `runners/torch.py` imports the real
`torch`, so reference/runners itself must never be put on sys.path (reference/ is).
"""


def replay_inputs(case):
    """(steps, grads, problem, lrs) of an optimizer case, as the runners take them."""
    steps = case.get("steps") or []
    problem = case.get("problem")
    grads = None if problem is not None else [s["grads"] for s in steps]
    lrs = [s.get("lr") for s in steps]
    return len(steps), grads, problem, (lrs if any(lr is not None for lr in lrs) else None)


def replay_hessians(case):
    """The Hessian estimate handed to every step (`steps[k].hessian`, FORMAT.md: None on a step without
    one), or None when no step gives one."""
    steps = case.get("steps") or []
    hs = [s.get("hessian") for s in steps]
    return hs if any(h is not None for h in hs) else None


def replay_values(case):
    """The objective's value of every step (`steps[k].value`, FORMAT.md), or None when no step gives one."""
    steps = case.get("steps") or []
    values = [s.get("value") for s in steps]
    return values if any(v is not None for v in values) else None
