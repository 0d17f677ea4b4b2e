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

STEPS = 24
TOL = {"rtol": 1e-9, "atol": 1e-12}


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


def torch_cases():
    import torch

    torch.set_default_dtype(torch.float64)
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
        ps = [torch.tensor(p["values"]).reshape(p["shape"]).requires_grad_(True) for p in params]
        opt = getattr(torch.optim, name)(ps, **hp)
        fn = getattr(torch.nn.utils, t["name"])
        steps = []
        for g in gs:
            for p, gg in zip(ps, g):
                p.grad = torch.tensor(gg).reshape(p.shape)
            kw = dict(t["parameters"])
            if kw.get("norm_type") == "inf":
                kw["norm_type"] = float("inf")
            fn(ps, **kw)
            opt.step()
            steps.append({"grads": g, "expected": [flat(p.detach().numpy()) for p in ps]})
        cases.append({
            "id": f"torch/{t['name']}/{name}-{i}", "kind": "optimizer", "source": "torch 2.15.0", "dtype": "float64",
            "description": desc,
            "optimizer": {"convention": "torch", "name": name, "hyperparameters": hp},
            "grad_transforms": [{"convention": "torch", **t}],
            "params": params, "steps": steps, "tolerance": TOL,
        })
    return Fixture("torch/transforms/clipping.json", "torch.nn.utils clipping before torch.optim steps (torch 2.15.0).", cases)


def optax_cases():
    import jax

    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    import optax

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
        ps = [jnp.asarray(np.array(p["values"]).reshape(p["shape"])) for p in params]
        opt = optax.chain(getattr(optax, t["name"])(**t["parameters"]), getattr(optax, name)(**hp))
        state = opt.init(ps)
        steps = []
        for g in gs:
            gj = [jnp.asarray(np.array(gg).reshape(p.shape)) for gg, p in zip(g, ps)]
            updates, state = opt.update(gj, state, ps)
            ps = optax.apply_updates(ps, updates)
            steps.append({"grads": g, "expected": [flat(np.asarray(p)) for p in ps]})
        cases.append({
            "id": f"optax/{t['name']}/{name}-{i}", "kind": "optimizer", "source": "optax 0.2.8", "dtype": "float64",
            "description": desc,
            "optimizer": {"convention": "optax", "name": name, "hyperparameters": hp},
            "grad_transforms": [{"convention": "optax", **t}],
            "params": params, "steps": steps, "tolerance": TOL,
        })
    return Fixture("optax/transforms/clipping.json", "optax clipping chained before optax optimizers (optax 0.2.8, jax x64).", cases)


def generate():
    return [torch_cases(), optax_cases()]
