"""Golden fixtures for pre-step gradient transforms (`grad_transforms`, a Descent extension):
torch.nn.utils.clip_grad_norm_ / clip_grad_value_ before torch optimizers, and
optax.clip_by_global_norm / optax.clip chained before optax optimizers.

The gradients are scaled so that clipping is active on some steps and inactive on others
(the global norm crosses max_norm), and they span several tensors, so a per-tensor norm in
place of the global one, a missing 1e-6 (torch), or a clip applied after the step all show.
"""
import numpy as np

import common
from common import Fixture, flat
from runners import optax as optax_runner
from runners import torch as torch_runner

STEPS = 24
TOL = {"rtol": 1e-9, "atol": 1e-12}
FILES = common.Files()


def grads(seed):
    rng = np.random.default_rng(seed)
    shapes = common.DEFAULT_SHAPES
    gs = common.discriminating_grads(rng, shapes, STEPS)
    # Global norms that cross 1.0 up and down: scale each step by a factor from 0.05 to 20.
    factors = 10.0 ** np.linspace(-1.3, 1.3, STEPS)
    rng.shuffle(factors)
    out = []
    for step, f in zip(gs, factors):
        total = np.sqrt(sum(np.sum(np.square(g)) for g in step)) or 1.0
        out.append([flat(np.asarray(g) * (f / total)) for g in step])
    return rng, shapes, out


@FILES.file("torch/transforms/clipping.json")
def torch_cases():
    cases = []
    specs = [
        ("SGD", {"lr": 0.1}, {"name": "clip_grad_norm_", "parameters": {"max_norm": 1.0}},
         "Global-norm clipping before SGD: catches per-tensor norms, a missing +1e-6, or clipping skipped."),
        ("Adam", {"lr": 0.01}, {"name": "clip_grad_norm_", "parameters": {"max_norm": 0.5, "norm_type": 2.0}},
         "Clipping before Adam: Adam is scale-invariant per element only after warm-up, so a wrong clip shows early."),
        ("SGD", {"lr": 0.1, "momentum": 0.9}, {"name": "clip_grad_norm_", "parameters": {"max_norm": 1.0, "norm_type": "inf"}},
         "Infinity-norm clipping: catches treating norm_type='inf' as 2."),
        ("SGD", {"lr": 0.1}, {"name": "clip_grad_value_", "parameters": {"clip_value": 0.05}},
         "Value clipping: catches clipping the norm instead of each element."),
    ]
    for i, (name, hp, t, desc) in enumerate(specs):
        rng, shapes, gs = grads(100 + i)
        params = common.initial_params(rng, shapes)
        transforms = [{"convention": "torch", **t}]
        expected = torch_runner.replay("torch", name, hp, params, len(gs), grads=gs, transforms=transforms)
        steps = [{"grads": g, "expected": e} for g, e in zip(gs, expected)]
        cases.append({
            "id": f"torch/{t['name']}/{name}-{i}", "kind": "optimizer", "source": "torch 2.15.0", "dtype": "float64",
            "description": desc,
            "optimizer": {"convention": "torch", "name": name, "hyperparameters": hp},
            "grad_transforms": transforms,
            "params": params, "steps": steps, "tolerance": TOL,
        })
    return Fixture("torch/transforms/clipping.json", "torch.nn.utils clipping before torch.optim steps (torch 2.15.0).", cases)


@FILES.file("optax/transforms/clipping.json")
def optax_cases():
    cases = []
    specs = [
        ("sgd", {"learning_rate": 0.1}, {"name": "clip_by_global_norm", "parameters": {"max_norm": 1.0}},
         "Global-norm clipping chained before sgd: catches per-tensor norms or torch's +1e-6."),
        ("adam", {"learning_rate": 0.01}, {"name": "clip_by_global_norm", "parameters": {"max_norm": 0.5}},
         "Clipping chained before adam."),
        ("sgd", {"learning_rate": 0.1, "momentum": 0.9}, {"name": "clip", "parameters": {"max_delta": 0.05}},
         "Element-wise clipping before momentum sgd: catches clipping after the trace."),
    ]
    for i, (name, hp, t, desc) in enumerate(specs):
        rng, shapes, gs = grads(200 + i)
        params = common.initial_params(rng, shapes)
        transforms = [{"convention": "optax", **t}]
        expected = optax_runner.replay(name, hp, params, len(gs), grads=gs, transforms=transforms)
        steps = [{"grads": g, "expected": e} for g, e in zip(gs, expected)]
        cases.append({
            "id": f"optax/{t['name']}/{name}-{i}", "kind": "optimizer", "source": "optax 0.2.8", "dtype": "float64",
            "description": desc,
            "optimizer": {"convention": "optax", "name": name, "hyperparameters": hp},
            "grad_transforms": transforms,
            "params": params, "steps": steps, "tolerance": TOL,
        })
    return Fixture("optax/transforms/clipping.json", "optax clipping chained before optax optimizers (optax 0.2.8, jax x64).", cases)


def generate():
    return FILES.build_all()
