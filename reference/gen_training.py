"""Golden fixtures for training cases (`kind: "training"`, fixture spec "Training case"): a small
MLP trained on data by a real optimizer, gradients by backpropagation in the real library.

- torch 2.15.0 (float64 default dtype): the model in torch.nn.functional (F.linear, activations,
  F.cross_entropy / F.mse_loss / F.binary_cross_entropy_with_logits), gradients by autograd
  (`loss.backward()`), optimizers from torch.optim, pytorch_optimizer, lion_pytorch and
  schedulefree (train mode), clipping by torch.nn.utils.clip_grad_norm_ (with its +1e-6).
- optax 0.2.8 (jax 0.10.2, x64): the same model in jax.numpy, gradients by jax.value_and_grad,
  optax losses, optax / optax.contrib optimizers (muon with its Adam fallback for the 1-D biases,
  schedule_free_*), optax.clip_by_global_norm chained in front.
- Both loops live in training_models.py, run through runners/torch.py and runners/optax.py (`train`),
  which the torch-style and optax adapters call too.

Data: small subsets of the 8x8 digits (scikit-learn 1.9.1 `load_digits`, features / 16; BSD-3
licensed, from the UCI optical recognition of handwritten digits data) and small deterministic
toy sets (numpy default_rng with fixed seeds, values rounded to 3 decimals): three Gaussian blobs
(3 classes), XOR of two coordinates (0/1), a smooth 3 -> 2 regression, and a set with inputs of
magnitude ~10^4 whose logits exceed 710 (e^710 overflows float64: a softmax without the max shift overflows there).
Minibatches: shuffled epochs with a short last batch. Each step records the batch rows, the lr
(when a schedule sets it), the batch loss BEFORE the step (`expected_loss`) and the parameters
after it. Initial parameters are torch nn.Linear's default init (U(+-1/sqrt(fan_in))) from a
fixed numpy seed; relu cases have one "dead" hidden unit (zero incoming weights and bias) whose
pre-activation is exactly 0, so relu'(0) = 1 shows.

Every case says in `description` what it is designed to catch.
"""
from __future__ import annotations

import functools

import numpy as np

import common
from common import Fixture
from runners import optax as optax_runner
from runners import torch as torch_runner

TOL = {"rtol": 1e-8, "atol": 1e-12}
TORCH = "torch 2.15.0"
OPTAX = "optax 0.2.8 (jax 0.10.2, x64)"
FILES = common.Files()


# --------------------------------------------------------------------------------------------- data

def _digits(n, seed, target):
    from sklearn.datasets import load_digits

    d = load_digits()
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(len(d.target), n, replace=False))
    X = d.data[idx] / 16.0
    y = d.target[idx]
    if target == "class":
        return X, y.astype(np.float64)
    if target == "binary":          # "is it a 0, 1, 2, 3 or 4"
        return X, (y < 5).astype(np.float64)
    return X, np.eye(10)[y]          # one-hot for mse


def _toy(name, n=90):
    rng = common.case_rng("toy/" + name)
    if name == "blobs":
        centers = np.array([[-1.0, 0.0], [1.0, 0.5], [0.0, -1.2]])
        y = rng.integers(0, 3, n)
        X = centers[y] + 0.6 * rng.standard_normal((n, 2))
        return np.round(X, 3), y.astype(np.float64)
    if name == "xor":
        X = np.round(rng.uniform(-1, 1, (n, 2)), 3)
        return X, (X[:, 0] * X[:, 1] > 0).astype(np.float64)
    if name == "regression":
        X = np.round(rng.uniform(-1.5, 1.5, (n, 3)), 3)
        Y = np.stack([np.sin(X[:, 0]) + X[:, 1] * X[:, 2], np.cos(X[:, 1]) - 0.5 * X[:, 0]], axis=1)
        return X, np.round(Y, 3)
    if name == "large":
        y = rng.integers(0, 3, n)
        centers = np.array([[-1.0, 0.2], [1.0, 0.8], [0.3, -1.0]])
        X = 6000.0 * (centers[y] + 0.5 * rng.standard_normal((n, 2)))
        return np.round(X, 1), y.astype(np.float64)
    raise ValueError(name)


DATASETS = {
    # name: (loader, loss, output width)
    "blobs": (lambda: _toy("blobs"), "cross_entropy"),
    "xor": (lambda: _toy("xor"), "binary_cross_entropy"),
    "regression": (lambda: _toy("regression"), "mse"),
    "large": (lambda: _toy("large"), "cross_entropy"),
    "digits": (lambda: _digits(120, 20261126, "class"), "cross_entropy"),
    "digits-binary": (lambda: _digits(120, 20261127, "binary"), "binary_cross_entropy"),
    "digits-onehot": (lambda: _digits(100, 20261128, "onehot"), "mse"),
}


def _batches(key, n, batch, steps):
    rng = common.case_rng("batches/" + key)
    out = []
    while len(out) < steps:
        order = rng.permutation(n)
        out += [order[i:i + batch].tolist() for i in range(0, n, batch)]
    return out[:steps]


def _init(key, sizes, dead_unit):
    """nn.Linear's default init, U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for W and b, numpy-seeded."""
    rng = common.case_rng("init/" + key)
    params = []
    for l in range(1, len(sizes)):
        k = 1.0 / np.sqrt(sizes[l - 1])
        W = rng.uniform(-k, k, (sizes[l], sizes[l - 1]))
        b = rng.uniform(-k, k, sizes[l])
        if dead_unit and l == 1 and len(sizes) > 2:
            W[0, :] = 0.0
            b[0] = 0.0
        params += [W, b]
    return [{"shape": list(p.shape), "values": common.flat(p)} for p in params]


def _skeleton(cid, source, convention, name, hp, dataset, hidden, activation, batch, steps, lrs=None,
              transforms=None, description=""):
    """The case without expected values (what an adapter receives), ready for a library loop."""
    X, y = DATASETS[dataset][0]()
    loss = DATASETS[dataset][1]
    out = 1 if loss == "binary_cross_entropy" else (y.shape[1] if y.ndim == 2 else int(y.max()) + 1)
    if dataset == "blobs" or dataset == "large":
        out = 3
    if dataset == "digits":
        out = 10
    sizes = [X.shape[1], *hidden, out]
    model = {"type": "mlp", "sizes": sizes, "activation": activation, "loss": loss}
    if len(sizes) == 2:
        del model["activation"]
    data = {"inputs": {"shape": list(X.shape), "values": common.flat(X)},
            "targets": {"shape": list(y.shape), "values": common.flat(y)}}
    params = _init(cid, sizes, dead_unit=activation == "relu")
    bs = _batches(cid, X.shape[0], batch, steps)
    st = []
    for t, b in enumerate(bs):
        s = {"batch": b}
        if lrs is not None:
            s["lr"] = float(lrs[t])
        st.append(s)
    opt = {"convention": convention, "name": name, "hyperparameters": hp}
    return common.training_case(cid, source, opt, model, data, params, st, description, TOL, transforms)


def _fill(case, losses, params):
    for s, l, p in zip(case["steps"], losses, params):
        s["expected_loss"] = l
        s["expected"] = p
    # key order of the spec: batch, lr, expected_loss, expected
    case["steps"] = [{k: s[k] for k in ("batch", "lr", "expected_loss", "expected") if k in s} for s in case["steps"]]
    return case


# --------------------------------------------------------------------------------------------- torch-style libraries

def run_torch_style(case):
    """A torch-style training case filled in with the losses and parameters of runners/torch.py."""
    return _fill(case, *torch_runner.train(case))


def torch_schedule_lrs(base, steps, make):
    """The lr in force at each optimizer step under a torch scheduler (`make(opt)`)."""
    import torch

    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([p], lr=base)
    sched = make(opt)
    lrs = []
    for _ in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        p.grad = torch.zeros_like(p)
        opt.step()
        sched.step()
    return lrs


def torch_groups():
    """{path: (description, cases without expected values)} of torch.optim."""
    import torch

    torch.set_default_dtype(torch.float64)
    S = torch.optim.lr_scheduler
    T, D = 24, 20   # steps on toy sets, on digits
    clip = [{"convention": "torch", "name": "clip_grad_norm_", "parameters": {"max_norm": 0.5}}]
    cos = torch_schedule_lrs(0.2, D, lambda o: S.CosineAnnealingLR(o, T_max=D, eta_min=0.01))
    warm = torch_schedule_lrs(0.01, T, lambda o: S.LinearLR(o, start_factor=0.1, total_iters=6))
    sk = _skeleton
    groups = {
        "torch/training/sgd.json": ("torch.optim SGD group training small MLPs", [
            sk("torch/train/sgd-sigmoid-mse", TORCH, "torch", "SGD", {"lr": 0.5}, "regression", [6], "sigmoid", 16, T,
               description="Plain SGD on a sigmoid MLP with mse: catches mse averaged over the batch only (not the outputs), sigma' dropped, a wrong sigmoid'."),
            sk("torch/train/sgd-nesterov-relu-ce", TORCH, "torch", "SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True},
               "blobs", [8], "relu", 16, T,
               description="Nesterov momentum, relu with a dead unit (relu'(0) = 1 moves it), cross-entropy; short last batch (90 = 5x16 + 10)."),
            sk("torch/train/sgd-dampening-wd-tanh-bce", TORCH, "torch", "SGD",
               {"lr": 0.2, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.001}, "xor", [6], "tanh", 16, T,
               description="Momentum with dampening and L2 weight decay on a tanh MLP with BCE on the logit: catches a loss summed over the batch, a bias gradient from the first example."),
            sk("torch/train/sgd-momentum-cosine-digits", TORCH, "torch", "SGD", {"lr": 0.2, "momentum": 0.9}, "digits", [4],
               "relu", 32, D, lrs=cos,
               description="Digits (64 -> 4 relu -> 10), per-step lr from CosineAnnealingLR(T_max=20, eta_min=0.01), batches of 32 with a short last one (120 = 3x32 + 24)."),
        ]),
        "torch/training/adaptive.json": ("torch.optim Adagrad, RMSprop, Adadelta training small MLPs", [
            sk("torch/train/adagrad-tanh-ce", TORCH, "torch", "Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.1, "lr_decay": 0.01},
               "blobs", [8], "tanh", 16, T, description="Adagrad with lr_decay and an initial accumulator on a tanh MLP."),
            sk("torch/train/rmsprop-centered-momentum-relu-mse", TORCH, "torch", "RMSprop",
               {"lr": 0.01, "alpha": 0.9, "momentum": 0.5, "centered": True}, "regression", [6], "relu", 16, T,
               description="Centered RMSprop with momentum, relu (dead unit) regression with mse."),
            sk("torch/train/rmsprop-sigmoid-bce", TORCH, "torch", "RMSprop", {"lr": 0.01}, "xor", [6], "sigmoid", 16, T,
               description="RMSprop defaults (alpha 0.99, eps 1e-8) on a sigmoid MLP with BCE."),
            sk("torch/train/adadelta-sigmoid-ce-deep", TORCH, "torch", "Adadelta", {"lr": 1.0, "rho": 0.9},
               "blobs", [6, 5], "sigmoid", 16, T, description="Adadelta on a two-hidden-layer sigmoid MLP (backprop through two sigma')."),
        ]),
        "torch/training/adam.json": ("torch.optim Adam group training small MLPs", [
            sk("torch/train/adam-tanh-ce-digits", TORCH, "torch", "Adam", {"lr": 0.01}, "digits", [5], "tanh", 32, D,
               description="Adam on digits (64 -> 5 tanh -> 10) with cross-entropy, short last batch."),
            sk("torch/train/adamw-relu-ce-clip", TORCH, "torch", "AdamW", {"lr": 0.02, "weight_decay": 0.1}, "blobs", [8], "relu", 16, T,
               transforms=clip,
               description="AdamW after clip_grad_norm_(max_norm=0.5) over all tensors together (with its +1e-6): clipping is active on some steps."),
            sk("torch/train/amsgrad-tanh-mse", TORCH, "torch", "Adam", {"lr": 0.01, "amsgrad": True, "betas": [0.8, 0.99]},
               "regression", [6], "tanh", 16, T, description="AMSGrad (Adam amsgrad=True) on a tanh regression MLP."),
            sk("torch/train/adamax-relu-bce", TORCH, "torch", "Adamax", {"lr": 0.02}, "xor", [6], "relu", 16, T,
               description="Adamax on a relu MLP (dead unit) with BCE."),
            sk("torch/train/nadam-sigmoid-ce-deep", TORCH, "torch", "NAdam", {"lr": 0.01}, "blobs", [6, 5], "sigmoid", 16, T,
               description="NAdam (mu_product state) on a two-hidden-layer sigmoid MLP."),
            sk("torch/train/radam-sigmoid-bce-digits", TORCH, "torch", "RAdam", {"lr": 0.01}, "digits-binary", [4], "sigmoid", 32, D,
               description="RAdam on digits (0-4 vs 5-9) with BCE: the first steps are unrectified, later ones rectified."),
            sk("torch/train/adam-relu-ce-large-logits", TORCH, "torch", "Adam", {"lr": 0.01}, "large", [5], "relu", 16, T, lrs=warm,
               description="Inputs of magnitude ~10^4: logits exceed 710 (e^710 overflows float64), so a softmax without the max shift overflows; lr warms up (LinearLR start_factor=0.1 over 6 steps)."),
            sk("torch/train/adam-softmax-regression-mse-digits", TORCH, "torch", "Adam", {"lr": 0.005}, "digits-onehot", [], None, 25, D,
               description="No hidden layer (sizes [64, 10]): linear regression on one-hot targets with mse; catches the Wt layout."),
        ]),
    }
    return {path: (desc + f" ({TORCH}, float64).", cases) for path, (desc, cases) in groups.items()}


def other_torch_style_groups():
    """{path: (description, cases without expected values)} of the other torch-style libraries."""
    T = 24
    sk = _skeleton
    po = "pytorch_optimizer 4.1.0 (torch 2.15.0)"
    return {
        "pytorch_optimizer/training/training.json": (f"pytorch_optimizer Lamb, LARS, Lion training small MLPs ({po}, float64).", [
            sk("pytorch_optimizer/train/lamb-tanh-ce", po, "pytorch_optimizer", "Lamb", {"lr": 0.01, "weight_decay": 0.01},
               "blobs", [8], "tanh", 16, T, description="Lamb: per-tensor trust ratios over W and b of each layer."),
            sk("pytorch_optimizer/train/lars-relu-mse", po, "pytorch_optimizer", "LARS", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.001},
               "regression", [6], "relu", 16, T, description="LARS: trust ratio from the weight and gradient norms per tensor."),
            sk("pytorch_optimizer/train/lion-tanh-bce", po, "pytorch_optimizer", "Lion", {"lr": 0.003, "weight_decay": 0.01},
               "xor", [6], "tanh", 16, T, description="Lion (sign updates) with decoupled weight decay."),
        ]),
        "lion_pytorch/training/training.json": ("lion-pytorch Lion training a small MLP (lion-pytorch 0.2.5, torch 2.15.0, float64).", [
            sk("lion_pytorch/train/lion-relu-ce", "lion-pytorch 0.2.5 (torch 2.15.0)", "lion_pytorch", "Lion",
               {"lr": 0.003, "betas": [0.9, 0.99], "weight_decay": 0.1}, "blobs", [8], "relu", 16, T,
               description="lion-pytorch Lion with weight decay on a relu MLP (dead unit)."),
        ]),
        "schedulefree/training/training.json": ("schedulefree SGD/AdamW ScheduleFree training small MLPs, train-mode parameters (schedulefree 1.4.1, torch 2.15.0, float64).", [
            sk("schedulefree/train/sgd-sf-tanh-mse", "schedulefree 1.4.1 (torch 2.15.0)", "schedulefree", "SGDScheduleFree",
               {"lr": 0.1, "warmup_steps": 5}, "regression", [6], "tanh", 16, T,
               description="SGDScheduleFree with warmup: the parameters are y (train mode), the gradients are taken at y."),
            sk("schedulefree/train/adamw-sf-relu-ce", "schedulefree 1.4.1 (torch 2.15.0)", "schedulefree", "AdamWScheduleFree",
               {"lr": 0.02, "weight_decay": 0.01}, "blobs", [8], "relu", 16, T,
               description="AdamWScheduleFree on a relu MLP (dead unit)."),
        ]),
    }


# --------------------------------------------------------------------------------------------- optax

def run_optax_case(case):
    """An optax training case filled in with the losses and parameters of runners/optax.py."""
    return _fill(case, *optax_runner.train(case))


def optax_groups():
    """{path: (description, cases without expected values)} of optax."""
    import jax

    jax.config.update("jax_enable_x64", True)
    import optax

    T, D = 24, 20
    sk = _skeleton
    clip = [{"convention": "optax", "name": "clip_by_global_norm", "parameters": {"max_norm": 0.5}}]
    cos = [float(optax.cosine_decay_schedule(0.5, T, alpha=0.1)(t)) for t in range(T)]
    warm = [float(optax.warmup_cosine_decay_schedule(0.0, 0.02, 5, T, end_value=0.002)(t)) for t in range(T)]
    groups = {
        "optax/training/sgd.json": ("optax sgd, adagrad, rmsprop, adadelta training small MLPs", [
            sk("optax/train/sgd-nesterov-tanh-ce", OPTAX, "optax", "sgd", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True},
               "blobs", [8], "tanh", 16, T, description="optax.sgd with Nesterov momentum (optax's trace form)."),
            sk("optax/train/sgd-cosine-sigmoid-mse", OPTAX, "optax", "sgd", {"learning_rate": cos[0]}, "regression", [6], "sigmoid", 16, T,
               lrs=cos, description="Plain optax.sgd with the lr of cosine_decay_schedule(0.5, 24, alpha=0.1) injected per step."),
            sk("optax/train/adagrad-relu-bce", OPTAX, "optax", "adagrad", {"learning_rate": 0.1}, "xor", [6], "relu", 16, T,
               description="optax.adagrad (initial accumulator 0.1, eps 1e-7) on a relu MLP (dead unit)."),
            sk("optax/train/rmsprop-centered-momentum-sigmoid-ce", OPTAX, "optax", "rmsprop",
               {"learning_rate": 0.01, "decay": 0.9, "centered": True, "momentum": 0.5}, "blobs", [6, 5], "sigmoid", 16, T,
               description="Centered optax.rmsprop with momentum on a two-hidden-layer sigmoid MLP."),
            sk("optax/train/adadelta-tanh-mse", OPTAX, "optax", "adadelta", {"learning_rate": 1.0, "rho": 0.9}, "regression", [6], "tanh", 16, T,
               description="optax.adadelta on a tanh regression MLP."),
        ]),
        "optax/training/adam.json": ("optax Adam group training small MLPs", [
            sk("optax/train/adam-relu-ce-digits-clip", OPTAX, "optax", "adam", {"learning_rate": 0.01}, "digits", [4], "relu", 32, D,
               transforms=clip, description="optax.adam after clip_by_global_norm(0.5) on digits (64 -> 4 relu -> 10), short last batch."),
            sk("optax/train/adamw-relu-ce", OPTAX, "optax", "adamw", {"learning_rate": 0.02, "weight_decay": 0.05}, "blobs", [8], "relu", 16, T,
               description="optax.adamw (decoupled decay x lr) on a relu MLP (dead unit)."),
            sk("optax/train/amsgrad-tanh-bce", OPTAX, "optax", "amsgrad", {"learning_rate": 0.01}, "xor", [6], "tanh", 16, T,
               description="optax.amsgrad on a tanh MLP with BCE."),
            sk("optax/train/adamax-relu-mse", OPTAX, "optax", "adamax", {"learning_rate": 0.02}, "regression", [6], "relu", 16, T,
               description="optax.adamax on a relu regression MLP."),
            sk("optax/train/nadam-tanh-ce", OPTAX, "optax", "nadam", {"learning_rate": 0.01}, "blobs", [8], "tanh", 16, T,
               description="optax.nadam on a tanh MLP."),
            sk("optax/train/radam-sigmoid-bce-digits", OPTAX, "optax", "radam", {"learning_rate": 0.01}, "digits-binary", [4], "sigmoid", 32, D,
               description="optax.radam on digits (0-4 vs 5-9) with BCE."),
            sk("optax/train/adam-warmup-cosine-large-logits", OPTAX, "optax", "adam", {"learning_rate": warm[0]}, "large", [5], "relu", 16, T,
               lrs=warm, description="Logits beyond 710 (a softmax without the max shift overflows); lr from warmup_cosine_decay_schedule injected per step."),
        ]),
        "optax/training/other.json": ("optax lion, lamb, lars, contrib.muon, contrib.schedule_free training small MLPs", [
            sk("optax/train/lion-relu-ce", OPTAX, "optax", "lion", {"learning_rate": 0.003, "weight_decay": 0.01}, "blobs", [8], "relu", 16, T,
               description="optax.lion on a relu MLP (dead unit)."),
            sk("optax/train/lamb-tanh-mse", OPTAX, "optax", "lamb", {"learning_rate": 0.01}, "regression", [6], "tanh", 16, T,
               description="optax.lamb: trust ratios per tensor."),
            sk("optax/train/lars-tanh-ce", OPTAX, "optax", "lars", {"learning_rate": 0.3}, "blobs", [8], "tanh", 16, T,
               description="optax.lars: trust ratios per tensor, momentum 0.9."),
            sk("optax/train/muon-relu-ce-deep", OPTAX, "optax", "muon", {"learning_rate": 0.02}, "blobs", [8, 6], "relu", 16, T,
               description="optax.contrib.muon: Newton-Schulz on the 2-D weights, its Adam fallback on the 1-D biases."),
            sk("optax/train/schedule-free-adamw-relu-bce", OPTAX, "optax", "schedule_free_adamw", {"learning_rate": 0.02}, "xor", [6], "relu", 16, T,
               description="optax.contrib.schedule_free_adamw: params are y, where gradients are taken."),
            sk("optax/train/schedule-free-sgd-sigmoid-ce", OPTAX, "optax", "schedule_free_sgd", {"learning_rate": 0.2}, "blobs", [8], "sigmoid", 16, T,
               description="optax.contrib.schedule_free_sgd on a sigmoid MLP."),
        ]),
    }
    return {path: (desc + f" ({OPTAX}, float64).", cases) for path, (desc, cases) in groups.items()}


def build(groups, path, run):
    """One file of `groups()` (the skeletons of the others are cheap and dropped), each case run."""
    g = groups()
    undeclared = sorted(set(g) - set(FILES.paths()))
    if undeclared:
        raise ValueError(f"gen_training.py writes {undeclared} without declaring them in FILES")
    desc, cases = g[path]
    return Fixture(path, desc, [run(c) for c in cases])


# The file lists are fixed here so that listing them imports no library.
for _path in ("torch/training/sgd.json", "torch/training/adaptive.json", "torch/training/adam.json"):
    FILES.add(_path, functools.partial(build, torch_groups, _path, run_torch_style))
for _path in ("pytorch_optimizer/training/training.json", "lion_pytorch/training/training.json",
              "schedulefree/training/training.json"):
    FILES.add(_path, functools.partial(build, other_torch_style_groups, _path, run_torch_style))
for _path in ("optax/training/sgd.json", "optax/training/adam.json", "optax/training/other.json"):
    FILES.add(_path, functools.partial(build, optax_groups, _path, run_optax_case))


def generate():
    return FILES.build_all()
