"""Golden fixtures for the field features (fixtures/FORMAT.md, "Field features") of the torch-style
conventions: torch.optim, pytorch_optimizer, schedulefree and lion_pytorch run in the loops a real
training script has — param groups, parameters without a gradient (p.grad = None), the optimizer's
state after every step, a state_dict saved and loaded mid-run, gradient accumulation, torch's
GradScaler skipping non-finite steps, an lr scheduler on the optimizer, empty and 0-d tensors.

Every case is run by runners/torch.py `replay_case`, the code the adapters answer with. Inputs come
from common.case_rng(case id): small tensors, common.discriminating_grads, 6–12 steps.
"""
import math

import common
from common import Fixture
from runners import torch as torch_runner

TOL = {"rtol": 1e-9, "atol": 1e-12}
TORCH = "torch 2.15.0"
PO = "pytorch_optimizer 4.1.0 (torch 2.15.0)"
SF = "schedulefree 1.4.1 (torch 2.15.0)"
LP = "lion-pytorch 0.2.5 (torch 2.15.0)"
SOURCE = {"torch": TORCH, "pytorch_optimizer": PO, "schedulefree": SF, "lion_pytorch": LP}
SOURCE.update({"prodigyopt": "prodigyopt 1.1.2 (torch 2.15.0)", "dadaptation": "dadaptation 3.2 (torch 2.15.0)"})
SEED = 20261123   # torch's global generator before each case (ScalableShampoo's power iteration)
FILES = common.Files()

S2 = [(3, 2), (2,)]
S4 = [(3, 2), (2,), (2, 2), (3,)]
EMPTY = [(3, 2), (0,), (0, 3), ()]
M2 = [(3, 2), (2, 3)]            # Muon: 2-D only
SOAP_SHAPES = [(3, 3), (2, 2), (3,)]
SHAMPOO_SHAPES = [(3, 2), (2, 3), (2,)]
NAN, INF = float("nan"), float("inf")

G2 = [{"params": [0, 2]}, {"params": [1, 3], "hyperparameters": {"weight_decay": 0.0}}]


def late(i, until):
    """Tensor i has no gradient before step `until` (it joins the graph late)."""
    return lambda t, j: j == i and t < until


def drop(i, ts):
    """Tensor i has no gradient at the steps `ts` (it drops out of the graph)."""
    return lambda t, j: j == i and t in ts


def all_null(ts):
    return lambda t, j: t in ts


def any_of(*fs):
    return lambda t, j: any(f(t, j) for f in fs)


def make_case(cid, conv, name, hp, desc, features, shapes=S2, n=8, groups=None, lrs=None, null=None,
              resume=None, accumulation=None, scaler=None, bad=None, schedule=None, state=True,
              problem=None, params=None, transforms=None, tol=TOL, scale=1.0):
    """One case: inputs from case_rng(cid), expected values (and state) from runners/torch.replay_case.
    `bad` is {(step, tensor, element): value} of non-finite gradient entries."""
    rng = common.case_rng(cid)
    if params is None:
        params = common.initial_params(rng, shapes)
    grads = None
    if problem is None:
        if name in ("SOAP", "Shampoo", "ScalableShampoo"):
            # One scale of gradients, as gen_matrix's: eigenbases of ill-conditioned statistics are
            # not determined (in LAPACK as in Descent), so per-element scales 1e-8..10 would make
            # the golden a choice among equally valid bases.
            import gen_matrix
            grads = gen_matrix._mixed_grads(rng, shapes, n)
        else:
            grads = common.discriminating_grads(rng, shapes, n)
        if scale != 1.0:
            grads = [[[x * scale for x in g] for g in step] for step in grads]
        for (t, i, e), v in (bad or {}).items():
            grads[t][i][e] = v
        if null is not None:
            grads = [[None if null(t, i) else g for i, g in enumerate(step)] for t, step in enumerate(grads)]
    feats = list(features)
    if state and "state" not in feats:
        feats.append("state")
    if bad and "non_finite" not in feats:
        feats.append("non_finite")
    order = ["param_groups", "missing_grads", "state", "resume", "accumulation", "non_finite",
             "schedule_in_optimizer", "empty_tensors"]
    feats = [f for f in order if f in feats]
    o = {"convention": conv, "name": name, "hyperparameters": hp}
    if groups is not None:
        o["param_groups"] = groups
    c = {"id": cid, "kind": "optimizer", "source": SOURCE[conv], "dtype": "float64", "description": desc,
         "features": feats, "optimizer": o}
    if transforms:
        c["grad_transforms"] = transforms
    if problem is not None:
        c["problem"] = problem
    c["params"] = params
    if resume is not None:
        c["resume"] = {"after_step": resume}
    if accumulation is not None:
        c["accumulation"] = {"steps": accumulation}
    if scaler is not None:
        c["non_finite"] = {"convention": "torch", "name": "GradScaler", "parameters": scaler}
    if schedule is not None:
        c["schedule"] = {"convention": "torch", **schedule}
    steps = []
    for t in range(n):
        s = {}
        if lrs is not None and lrs[t] is not None:
            s["lr"] = lrs[t]
        if grads is not None:
            s["grads"] = grads[t]
        steps.append(s)
    c["steps"] = steps
    c["tolerance"] = dict(tol)
    if name in ("Shampoo", "ScalableShampoo"):
        import gen_matrix
        c["tolerance_float32"] = dict(gen_matrix.SHAMPOO_TOL32)
        c["description"] += gen_matrix.SHAMPOO_TOL32_WHY
    expected, states = torch_runner.replay_case(c, seed=SEED, record_state=state)
    for t, s in enumerate(steps):
        s["expected"] = expected[t]
        if state:
            s["expected_state"] = states[t]
    _check(c)
    return c


def _check(c):
    """Sanity: the tags match the fields, NaN only where allowed, and a case's parameters move."""
    feats = c["features"]
    has_null = any(g is None for s in c["steps"] for g in s.get("grads") or [])
    assert ("missing_grads" in feats) == has_null, c["id"]
    assert ("param_groups" in feats) == ("param_groups" in c["optimizer"]), c["id"]
    assert ("resume" in feats) == ("resume" in c), c["id"]
    assert ("accumulation" in feats) == ("accumulation" in c), c["id"]
    assert ("schedule_in_optimizer" in feats) == ("schedule" in c), c["id"]
    assert ("non_finite" in feats) == ("non_finite" in c), c["id"]
    empty = any(0 in p["shape"] or p["shape"] == [] for p in c["params"])
    assert ("empty_tensors" in feats) == empty, c["id"]
    for s in c["steps"]:
        for e in s["expected"]:
            assert all(math.isfinite(x) for x in e), c["id"]
    assert c["steps"][-1]["expected"] != [p["values"] for p in c["params"]], c["id"]


def lr_list(base, n):
    return common.lr_sequence(base, n)


# ---------------------------------------------------------------------------------------------
# torch.optim


@FILES.file("torch/features/param_groups.json")
def torch_param_groups():
    cases = [
        make_case("torch/features/param_groups/AdamW-no-decay-biases", "torch", "AdamW", {"lr": 0.01, "weight_decay": 0.1},
                  "AdamW with the biases in a weight_decay=0 group (the classic recipe): catches decaying every tensor with the "
                  "constructor's weight_decay, or a group's key not filled from the constructor (lr, betas).",
                  ["param_groups"], shapes=S4, groups=G2),
        make_case("torch/features/param_groups/Adam-group-lr-per-step", "torch", "Adam", {"lr": 0.01},
                  "Two groups with their own lr, and per-step lr lists (null: that group's own lr) and one plain number "
                  "(every group): catches one lr for all groups, a null taken as 0, or an override that sticks.",
                  ["param_groups"], shapes=S4,
                  groups=[{"params": [0, 1]}, {"params": [2, 3], "hyperparameters": {"lr": 0.05}}],
                  lrs=[None, [None, None], [0.005, None], [None, 0.1], 0.03, None, [0.02, 0.002], None]),
        make_case("torch/features/param_groups/SGD-momentum-per-group", "torch", "SGD", {"lr": 0.05, "momentum": 0.9},
                  "SGD groups with different momentum, nesterov and dampening: catches one momentum for every group.",
                  ["param_groups"], shapes=S4,
                  groups=[{"params": [0, 3], "hyperparameters": {"nesterov": True}},
                          {"params": [1, 2], "hyperparameters": {"momentum": 0.5, "dampening": 0.2, "weight_decay": 0.01}}]),
        make_case("torch/features/param_groups/Adam-betas-amsgrad-per-group", "torch", "Adam", {"lr": 0.02, "betas": [0.9, 0.999]},
                  "Adam groups with other betas and amsgrad in one group only: catches betas or amsgrad shared across groups "
                  "(max_exp_avg_sq exists for the amsgrad group's tensors only).",
                  ["param_groups"], shapes=S4,
                  groups=[{"params": [0, 1], "hyperparameters": {"betas": [0.5, 0.9], "amsgrad": True}}, {"params": [2, 3]}]),
        make_case("torch/features/param_groups/RMSprop-centered-group", "torch", "RMSprop", {"lr": 0.01, "alpha": 0.9},
                  "RMSprop with a centered group and a momentum group: catches group options applied to the wrong tensors.",
                  ["param_groups"], shapes=S4,
                  groups=[{"params": [0, 2], "hyperparameters": {"centered": True}},
                          {"params": [3, 1], "hyperparameters": {"momentum": 0.7, "lr": 0.005}}]),
        make_case("torch/features/param_groups/NAdam-momentum-decay-groups", "torch", "NAdam", {"lr": 0.02, "weight_decay": 0.05},
                  "NAdam groups with their own momentum_decay and decoupled weight decay: mu_product is per tensor and "
                  "follows its group's momentum_decay.",
                  ["param_groups"], shapes=S4,
                  groups=[{"params": [0, 1], "hyperparameters": {"momentum_decay": 0.01}},
                          {"params": [2, 3], "hyperparameters": {"decoupled_weight_decay": True}}]),
        make_case("torch/features/param_groups/Adagrad-lr-decay-groups", "torch", "Adagrad", {"lr": 0.1},
                  "Adagrad groups with different lr_decay and initial_accumulator_value: catches the constructor's value "
                  "used for every group's sum.",
                  ["param_groups"], shapes=S4,
                  groups=[{"params": [0, 3], "hyperparameters": {"lr_decay": 0.1}},
                          {"params": [1, 2], "hyperparameters": {"initial_accumulator_value": 0.5, "eps": 1e-6}}]),
        make_case("torch/features/param_groups/RAdam-Adadelta-style-groups", "torch", "RAdam", {"lr": 0.01, "weight_decay": 0.1},
                  "RAdam with a decoupled-decay group and a plain group, lr lists per step: catches decoupled_weight_decay "
                  "shared across groups.",
                  ["param_groups"], shapes=S4,
                  groups=[{"params": [1, 0], "hyperparameters": {"decoupled_weight_decay": True}}, {"params": [2, 3]}],
                  lrs=[None, None, [0.02, 0.005], [0.02, 0.005], None, None, [None, 0.05], None]),
        make_case("torch/features/param_groups/Adadelta-rho-groups", "torch", "Adadelta", {"lr": 1.0},
                  "Adadelta groups with their own rho and lr: catches one rho for every tensor.",
                  ["param_groups"], shapes=S4,
                  groups=[{"params": [0, 1], "hyperparameters": {"rho": 0.5}}, {"params": [2, 3], "hyperparameters": {"lr": 0.5}}]),
        make_case("torch/features/param_groups/Adamax-groups", "torch", "Adamax", {"lr": 0.02},
                  "Adamax with a weight-decay group: catches decay applied to the other group.",
                  ["param_groups"], shapes=S4,
                  groups=[{"params": [0, 1, 2], "hyperparameters": {"weight_decay": 0.2, "betas": [0.7, 0.9]}}, {"params": [3]}]),
        make_case("torch/features/param_groups/Muon-groups", "torch", "Muon", {"lr": 0.02, "weight_decay": 0.0},
                  "Muon with two 2-D tensors in groups with different lr and momentum (float64 Newton–Schulz): catches one "
                  "group's momentum or lr used for both.",
                  ["param_groups"], shapes=M2,
                  groups=[{"params": [0]}, {"params": [1], "hyperparameters": {"lr": 0.05, "momentum": 0.8, "nesterov": False}}]),
    ]
    return Fixture("torch/features/param_groups.json", "torch.optim with several param groups (torch 2.15.0).", cases)


@FILES.file("torch/features/missing_grads.json")
def torch_missing_grads():
    n = 9
    cases = [
        make_case("torch/features/missing_grads/Adam-late-tensor", "torch", "Adam", {"lr": 0.01},
                  "Tensor 1 gets its first gradient at step 5: torch creates its state then, so its first update is a "
                  "fresh bias-corrected step (step 1); catches a global step count or state created for tensors without "
                  "gradients.", ["missing_grads"], n=n, null=late(1, 4)),
        make_case("torch/features/missing_grads/AdamW-drops-out", "torch", "AdamW", {"lr": 0.01, "weight_decay": 0.1},
                  "Tensor 0 has no gradient at steps 4–5: AdamW does not decay it either and its step does not advance; "
                  "catches a None gradient taken as zero (which still decays and moves the moments).",
                  ["missing_grads"], n=n, null=drop(0, (3, 4))),
        make_case("torch/features/missing_grads/SGD-momentum-late-and-gap", "torch", "SGD",
                  {"lr": 0.05, "momentum": 0.9, "nesterov": True},
                  "Nesterov SGD with a tensor starting late and another with a gap: the momentum buffer starts at the first "
                  "gradient (buf = g) and is frozen in the gap; catches a buffer decayed while the tensor has no gradient.",
                  ["missing_grads"], n=n, null=any_of(late(1, 3), drop(0, (5,)))),
        make_case("torch/features/missing_grads/NAdam-late-mu-product", "torch", "NAdam", {"lr": 0.02},
                  "NAdam with a tensor starting at step 4: its mu_product and step start then; catches a shared "
                  "mu_product or step.", ["missing_grads"], n=n, null=late(0, 3)),
        make_case("torch/features/missing_grads/RAdam-late", "torch", "RAdam", {"lr": 0.05},
                  "RAdam with a late tensor: its own step decides when the rectified update starts (rho_t > 5); catches a "
                  "global step.", ["missing_grads"], n=n, null=late(1, 4)),
        make_case("torch/features/missing_grads/Adagrad-late", "torch", "Adagrad", {"lr": 0.1, "lr_decay": 0.05},
                  "Adagrad creates its state (step 0, sum = initial_accumulator_value) at construction: a tensor without "
                  "gradient keeps step 0 and its own lr_decay clock; catches a shared step.",
                  ["missing_grads"], n=n, null=late(1, 3)),
        make_case("torch/features/missing_grads/RMSprop-all-null-step", "torch", "RMSprop", {"lr": 0.01, "momentum": 0.5},
                  "A step where no tensor has a gradient: opt.step() changes nothing (parameters and state); catches a "
                  "step counted or a momentum applied without gradients.",
                  ["missing_grads"], n=n, null=any_of(all_null((3,)), drop(1, (6,)))),
        make_case("torch/features/missing_grads/Adamax-all-null", "torch", "Adamax", {"lr": 0.02},
                  "All-null steps at the start and in the middle: the state appears at the first gradient.",
                  ["missing_grads"], n=n, null=all_null((0, 4))),
        make_case("torch/features/missing_grads/Adadelta-gap", "torch", "Adadelta", {"lr": 1.0, "weight_decay": 0.01},
                  "Adadelta with a tensor missing mid-run: square_avg and acc_delta frozen; catches weight decay applied "
                  "to a tensor without gradient.", ["missing_grads"], n=n, null=drop(1, (2, 3, 4))),
        make_case("torch/features/missing_grads/Muon-gap", "torch", "Muon", {"lr": 0.02},
                  "Muon with one 2-D tensor missing for two steps: its momentum buffer and decoupled decay stop.",
                  ["missing_grads"], shapes=M2, n=n, null=drop(0, (2, 3))),
        make_case("torch/features/missing_grads/SGD-clip-skips-null", "torch", "SGD", {"lr": 0.1},
                  "clip_grad_norm_ with a tensor without gradient: the global norm is over the tensors that have one; "
                  "catches a None counted as zero in the wrong place or a crash.",
                  ["missing_grads"], n=n, null=drop(1, (1, 2, 5)), scale=0.5,
                  transforms=[{"convention": "torch", "name": "clip_grad_norm_", "parameters": {"max_norm": 1.0}}]),
    ]
    return Fixture("torch/features/missing_grads.json", "torch.optim with parameters that have no gradient (p.grad = None) on "
                   "some steps (torch 2.15.0).", cases)


@FILES.file("torch/features/state.json")
def torch_state():
    specs = [
        ("Adam-amsgrad", "Adam", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.01},
         "Adam's step, exp_avg, exp_avg_sq and max_exp_avg_sq after every step."),
        ("AdamW", "AdamW", {"lr": 0.01, "betas": [0.8, 0.99]}, "AdamW's state: catches moments of the decayed gradient."),
        ("SGD-nesterov", "SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01},
         "SGD's momentum_buffer (buf = g at the first step, then momentum·buf + (1 − dampening)·g)."),
        ("SGD-dampening", "SGD", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3},
         "momentum_buffer with dampening: catches dampening applied at the first step."),
        ("NAdam", "NAdam", {"lr": 0.02}, "NAdam's mu_product (float64 like the parameters) and step."),
        ("RAdam", "RAdam", {"lr": 0.05}, "RAdam's step and moments."),
        ("Adagrad", "Adagrad", {"lr": 0.1, "initial_accumulator_value": 0.1}, "Adagrad's sum and step."),
        ("Adadelta", "Adadelta", {"lr": 1.0, "rho": 0.8}, "Adadelta's square_avg and acc_delta."),
        ("RMSprop-centered-momentum", "RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.6},
         "RMSprop's square_avg, grad_avg and momentum_buffer."),
        ("Adamax", "Adamax", {"lr": 0.02}, "Adamax's exp_avg and exp_inf."),
    ]
    cases = [make_case(f"torch/features/state/{sid}", "torch", name, hp, desc + " Catches a state that gives the same "
                       "parameters for a while but is stored under another convention (e.g. a bias-corrected moment).",
                       ["state"], n=7) for sid, name, hp, desc in specs]
    cases.append(make_case("torch/features/state/Muon", "torch", "Muon", {"lr": 0.02}, "Muon's momentum_buffer per 2-D tensor.",
                           ["state"], shapes=M2, n=7))
    return Fixture("torch/features/state.json", "torch.optim state after every step (expected_state, torch 2.15.0).", cases)


@FILES.file("torch/features/resume.json")
def torch_resume():
    problems = {name: (p, ps) for name, p, ps in common.standard_problems()}
    cases = [
        make_case("torch/features/resume/Adam", "torch", "Adam", {"lr": 0.01},
                  "Adam saved and loaded after step 4: catches a resumed optimizer that restarts its step (bias "
                  "correction) or its moments.", ["resume"], n=9, resume=4),
        make_case("torch/features/resume/AdamW-amsgrad-groups", "torch", "AdamW", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True},
                  "AdamW with amsgrad and a no-decay group, resumed after step 5: max_exp_avg_sq and the groups' "
                  "hyperparameters come back from the state_dict.", ["param_groups", "resume"], shapes=S4, n=9,
                  groups=G2, resume=5),
        make_case("torch/features/resume/NAdam", "torch", "NAdam", {"lr": 0.02, "momentum_decay": 0.01},
                  "NAdam resumed after step 3: mu_product must survive the checkpoint (recomputing it from the step "
                  "alone is right only by luck of rounding).", ["resume"], n=8, resume=3),
        make_case("torch/features/resume/RAdam", "torch", "RAdam", {"lr": 0.05, "decoupled_weight_decay": True, "weight_decay": 0.05},
                  "RAdam resumed after step 5, just before its rectification starts: catches a step count reset on load.",
                  ["resume"], n=10, resume=5),
        make_case("torch/features/resume/Adagrad", "torch", "Adagrad", {"lr": 0.1, "lr_decay": 0.02},
                  "Adagrad resumed: sum and step (its lr_decay clock) come back.", ["resume"], n=8, resume=4),
        make_case("torch/features/resume/SGD-momentum", "torch", "SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.1},
                  "SGD momentum resumed after step 2: catches a buffer re-initialised to the gradient (as at step 1).",
                  ["resume"], n=8, resume=2),
        make_case("torch/features/resume/RMSprop-lr-override", "torch", "RMSprop", {"lr": 0.01, "centered": True},
                  "RMSprop with per-step lrs across the resume point (the saved group lr is the step's override; the "
                  "next step sets its own).", ["resume"], n=8, resume=4, lrs=lr_list(0.01, 8)),
        make_case("torch/features/resume/Adam-late-tensor", "torch", "Adam", {"lr": 0.01},
                  "A tensor without state at the checkpoint (no gradient yet): it gets its first step after the resume.",
                  ["missing_grads", "resume"], n=9, resume=3, null=late(1, 5)),
        make_case("torch/features/resume/Muon", "torch", "Muon", {"lr": 0.02, "weight_decay": 0.05},
                  "Muon's momentum buffers through a checkpoint.", ["resume"], shapes=M2, n=8, resume=4),
        make_case("torch/features/resume/Adadelta", "torch", "Adadelta", {"lr": 1.0},
                  "Adadelta's square_avg and acc_delta through a checkpoint.", ["resume"], n=8, resume=6),
        make_case("torch/features/resume/Adamax", "torch", "Adamax", {"lr": 0.02},
                  "Adamax's exp_inf through a checkpoint.", ["resume"], n=8, resume=1),
    ]
    qp, qps = problems["quadratic"]
    rp, rps = problems["rosenbrock"]
    cases.append(make_case("torch/features/resume/LBFGS-quadratic", "torch", "LBFGS", {"lr": 0.5, "max_iter": 3, "history_size": 4},
                           "L-BFGS on a quadratic, resumed after step 3: its curvature pairs (old_dirs, old_stps), d, t, "
                           "H_diag and prev_flat_grad are in the state_dict; catches a resume that drops the history "
                           "(the next step would start as steepest descent).",
                           ["resume"], n=7, resume=3, problem=qp, params=qps, state=False))
    cases.append(make_case("torch/features/resume/LBFGS-rosenbrock-wolfe", "torch", "LBFGS",
                           {"lr": 1.0, "max_iter": 2, "history_size": 3, "line_search_fn": "strong_wolfe"},
                           "L-BFGS with strong Wolfe line search on Rosenbrock, resumed after step 4.",
                           ["resume"], n=8, resume=4, problem=rp, params=rps, state=False))
    return Fixture("torch/features/resume.json", "torch.optim state_dict saved (torch.save, weights_only load) and loaded "
                   "into a fresh optimizer mid-run (torch 2.15.0).", cases)


@FILES.file("torch/features/accumulation.json")
def torch_accumulation():
    cases = [
        make_case("torch/features/accumulation/SGD-momentum-3", "torch", "SGD", {"lr": 0.05, "momentum": 0.9},
                  "Three micro-batches per update: p.grad is the sum (torch's backward accumulates), not the mean; "
                  "catches a mean or an update on every micro-step.", ["accumulation"], n=9, accumulation=3),
        make_case("torch/features/accumulation/Adam-4-lr", "torch", "Adam", {"lr": 0.01},
                  "Adam over 4 micro-batches with a per-step lr: the lr of an update is the one of the step it happens "
                  "on; step counts updates, not micro-batches.", ["accumulation"], n=12, accumulation=4,
                  lrs=[0.01, 0.01, 0.01, 0.02, 0.5, 0.5, 0.5, 0.005, 0.01, 0.01, 0.01, 0.03]),
        make_case("torch/features/accumulation/AdamW-2-groups", "torch", "AdamW", {"lr": 0.01, "weight_decay": 0.1},
                  "AdamW with a no-decay group, two micro-batches per update: decay happens once per update.",
                  ["param_groups", "accumulation"], shapes=S4, n=8, groups=G2, accumulation=2),
        make_case("torch/features/accumulation/RMSprop-3", "torch", "RMSprop", {"lr": 0.01},
                  "RMSprop on summed micro-batch gradients (the square of the sum, not the sum of squares).",
                  ["accumulation"], n=9, accumulation=3),
        make_case("torch/features/accumulation/Adagrad-2", "torch", "Adagrad", {"lr": 0.1},
                  "Adagrad, two micro-batches per update.", ["accumulation"], n=8, accumulation=2),
        make_case("torch/features/accumulation/NAdam-3-StepLR", "torch", "NAdam", {"lr": 0.02},
                  "NAdam with StepLR stepped once per update (not per micro-batch): catches a scheduler advanced on "
                  "every micro-step.", ["accumulation", "schedule_in_optimizer"], n=12, accumulation=3,
                  schedule={"name": "StepLR", "parameters": {"step_size": 2, "gamma": 0.5}}),
        make_case("torch/features/accumulation/Adam-GradScaler-2", "torch", "Adam", {"lr": 0.01},
                  "GradScaler with two micro-batches per update: a NaN in one micro-batch poisons the summed gradient and "
                  "the whole update is skipped (scale halves).", ["accumulation", "non_finite"], n=10, accumulation=2,
                  scaler={"init_scale": 1024.0, "growth_interval": 2}, bad={(4, 0, 1): NAN}),
    ]
    return Fixture("torch/features/accumulation.json", "torch.optim with gradient accumulation (summed micro-batch "
                   "gradients, step and zero_grad every k-th; torch 2.15.0).", cases)


BAD = {(2, 0, 1): NAN, (5, 1, 0): INF, (6, 0, 4): -INF}


@FILES.file("torch/features/non_finite.json")
def torch_non_finite():
    sc = {"init_scale": 1024.0, "growth_interval": 2}
    cases = [
        make_case("torch/features/non_finite/SGD-momentum", "torch", "SGD", {"lr": 0.05, "momentum": 0.9},
                  "GradScaler skips the steps with NaN (step 3), inf (step 6) and −inf (step 7) gradients: parameters and "
                  "momentum unchanged, scale halved, and it doubles after 2 clean steps; catches a NaN let into the buffer "
                  "or a step counted when skipped.", ["non_finite"], n=10, scaler=sc, bad=BAD),
        make_case("torch/features/non_finite/Adam", "torch", "Adam", {"lr": 0.01},
                  "Adam under GradScaler: a skipped step does not advance Adam's step (bias correction).",
                  ["non_finite"], n=10, scaler=sc, bad=BAD),
        make_case("torch/features/non_finite/AdamW-groups", "torch", "AdamW", {"lr": 0.01, "weight_decay": 0.1},
                  "AdamW with groups under GradScaler: one NaN anywhere skips every group (decay too).",
                  ["param_groups", "non_finite"], shapes=S4, groups=G2, n=10, scaler=sc, bad={(3, 3, 1): NAN, (4, 2, 0): INF}),
        make_case("torch/features/non_finite/Adam-StepLR", "torch", "Adam", {"lr": 0.02},
                  "GradScaler with StepLR: the scheduler steps even after a skipped optimizer step (the lr schedule counts "
                  "iterations, not updates); catches a scheduler frozen with the optimizer.",
                  ["non_finite", "schedule_in_optimizer"], n=10, scaler=sc, bad=BAD,
                  schedule={"name": "StepLR", "parameters": {"step_size": 2, "gamma": 0.7}}),
        make_case("torch/features/non_finite/NAdam-Cosine", "torch", "NAdam", {"lr": 0.02},
                  "NAdam under GradScaler with CosineAnnealingLR: schedule advances on skips, mu_product does not.",
                  ["non_finite", "schedule_in_optimizer"], n=10, scaler={"init_scale": 256.0, "growth_interval": 3, "growth_factor": 4.0, "backoff_factor": 0.25},
                  bad=BAD, schedule={"name": "CosineAnnealingLR", "parameters": {"T_max": 8, "eta_min": 0.001}}),
        make_case("torch/features/non_finite/Adagrad-growth", "torch", "Adagrad", {"lr": 0.1},
                  "GradScaler with growth_interval 1: the scale grows on every clean step, so gradients are scaled by "
                  "different powers of two; catches a missing unscale.", ["non_finite"], n=8,
                  scaler={"init_scale": 8.0, "growth_interval": 1}, bad={(4, 1, 1): NAN}),
        make_case("torch/features/non_finite/RMSprop-clip", "torch", "RMSprop", {"lr": 0.01},
                  "GradScaler with clip_grad_norm_ after scaler.unscale_(opt): the clip sees unscaled gradients; a NaN "
                  "step is still skipped.", ["non_finite"], n=9, scaler=sc, bad={(3, 0, 2): NAN},
                  transforms=[{"convention": "torch", "name": "clip_grad_norm_", "parameters": {"max_norm": 1.0}}]),
        make_case("torch/features/non_finite/Adam-missing", "torch", "Adam", {"lr": 0.01},
                  "GradScaler with a tensor without gradient: unscale and the inf check skip it.",
                  ["missing_grads", "non_finite"], n=9, scaler=sc, bad={(4, 0, 3): INF}, null=late(1, 3)),
    ]
    return Fixture("torch/features/non_finite.json", "torch.amp.GradScaler('cpu') skipping non-finite steps "
                   "(torch 2.15.0).", cases)


@FILES.file("torch/features/schedule_in_optimizer.json")
def torch_schedule():
    n = 10
    cases = [
        make_case("torch/features/schedule/Adam-StepLR", "torch", "Adam", {"lr": 0.02},
                  "StepLR built on the optimizer, stepped after each opt.step(): catches the schedule evaluated one step "
                  "early or late.", ["schedule_in_optimizer"], n=n,
                  schedule={"name": "StepLR", "parameters": {"step_size": 3, "gamma": 0.5}}),
        make_case("torch/features/schedule/SGD-momentum-Cosine", "torch", "SGD", {"lr": 0.1, "momentum": 0.9},
                  "CosineAnnealingLR on momentum SGD (torch's recursive cosine form).", ["schedule_in_optimizer"], n=n,
                  schedule={"name": "CosineAnnealingLR", "parameters": {"T_max": 6, "eta_min": 0.01}}),
        make_case("torch/features/schedule/AdamW-LinearLR", "torch", "AdamW", {"lr": 0.01, "weight_decay": 0.1},
                  "LinearLR warmup on AdamW: the decay uses the scheduled lr (lr·weight_decay).", ["schedule_in_optimizer"], n=n,
                  schedule={"name": "LinearLR", "parameters": {"start_factor": 0.2, "total_iters": 4}}),
        make_case("torch/features/schedule/Adam-OneCycleLR", "torch", "Adam", {"lr": 0.01},
                  "OneCycleLR on Adam also cycles betas[0] (cycle_momentum): catches a schedule that only sets the lr.",
                  ["schedule_in_optimizer"], n=n,
                  schedule={"name": "OneCycleLR", "parameters": {"max_lr": 0.05, "total_steps": 12}}),
        make_case("torch/features/schedule/SGD-OneCycleLR-momentum", "torch", "SGD", {"lr": 0.01, "momentum": 0.9},
                  "OneCycleLR on momentum SGD cycles momentum between base_momentum and max_momentum.",
                  ["schedule_in_optimizer"], n=n,
                  schedule={"name": "OneCycleLR", "parameters": {"max_lr": 0.2, "total_steps": 11, "anneal_strategy": "linear"}}),
        make_case("torch/features/schedule/Adam-groups-ExponentialLR", "torch", "Adam", {"lr": 0.01},
                  "ExponentialLR over two groups: each group is scheduled from its own initial lr.",
                  ["param_groups", "schedule_in_optimizer"], shapes=S4, n=n,
                  groups=[{"params": [0, 1]}, {"params": [2, 3], "hyperparameters": {"lr": 0.05}}],
                  schedule={"name": "ExponentialLR", "parameters": {"gamma": 0.8}}),
        make_case("torch/features/schedule/SGD-StepLR-before", "torch", "SGD", {"lr": 0.1, "momentum": 0.5},
                  "sched.step() before opt.step() (the legacy order torch warns about): the schedule is shifted by one; "
                  "catches the stepping field ignored.", ["schedule_in_optimizer"], n=n,
                  schedule={"name": "StepLR", "parameters": {"step_size": 2, "gamma": 0.5}, "stepping": "before_optimizer"}),
        make_case("torch/features/schedule/RMSprop-MultiStepLR", "torch", "RMSprop", {"lr": 0.01},
                  "MultiStepLR on RMSprop.", ["schedule_in_optimizer"], n=n,
                  schedule={"name": "MultiStepLR", "parameters": {"milestones": [2, 5], "gamma": 0.3}}),
        make_case("torch/features/schedule/Muon-Cosine", "torch", "Muon", {"lr": 0.02},
                  "CosineAnnealingLR on Muon (the adjusted lr follows the scheduled one).", ["schedule_in_optimizer"],
                  shapes=M2, n=n, schedule={"name": "CosineAnnealingLR", "parameters": {"T_max": 10}}),
    ]
    return Fixture("torch/features/schedule_in_optimizer.json", "torch.optim.lr_scheduler built on the optimizer of a replay "
                   "(torch 2.15.0).", cases)


@FILES.file("torch/features/empty_tensors.json")
def torch_empty():
    specs = [
        ("SGD-momentum", "SGD", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01}),
        ("Adam", "Adam", {"lr": 0.01}),
        ("AdamW-amsgrad", "AdamW", {"lr": 0.01, "amsgrad": True}),
        ("NAdam", "NAdam", {"lr": 0.02}),
        ("RAdam", "RAdam", {"lr": 0.05}),
        ("Adagrad", "Adagrad", {"lr": 0.1}),
        ("RMSprop-centered", "RMSprop", {"lr": 0.01, "centered": True}),
        ("Adadelta", "Adadelta", {"lr": 1.0}),
        ("Adamax", "Adamax", {"lr": 0.02}),
    ]
    cases = [make_case(f"torch/features/empty_tensors/{sid}", "torch", name, hp,
                       "Tensors of shape [0] and [0, 3] (no values) and a 0-d tensor next to a [3, 2] one: catches a crash "
                       "or a division by the element count on empty tensors, and a 0-d tensor read as shape [1] "
                       "(its state is a list of one number; step is a number).", ["empty_tensors"], shapes=EMPTY, n=6)
             for sid, name, hp in specs]
    cases.append(make_case("torch/features/empty_tensors/SGD-clip", "torch", "SGD", {"lr": 0.1},
                           "clip_grad_norm_ over empty and 0-d tensors: the empty ones add nothing to the norm.",
                           ["empty_tensors"], shapes=EMPTY, n=6, state=False,
                           transforms=[{"convention": "torch", "name": "clip_grad_norm_", "parameters": {"max_norm": 0.5}}]))
    return Fixture("torch/features/empty_tensors.json", "torch.optim with empty ([0], [0, 3]) and 0-d tensors "
                   "(torch 2.15.0).", cases)


# ---------------------------------------------------------------------------------------------
# pytorch_optimizer, schedulefree, lion_pytorch


@FILES.file("pytorch_optimizer/features/features.json")
def po_features():
    cv = "pytorch_optimizer"
    cases = [
        make_case("pytorch_optimizer/features/Lamb-no-decay-group", cv, "Lamb", {"lr": 0.01, "weight_decay": 0.1},
                  "Lamb with the biases in a weight_decay=0 group: the trust ratio per tensor, the decay per group; the "
                  "group's step is a group key.", ["param_groups"], shapes=S4, groups=G2),
        make_case("pytorch_optimizer/features/Lamb-late-group-step", cv, "Lamb", {"lr": 0.01},
                  "pytorch_optimizer counts step in the param group (group['step'] += 1 on every step(), with or without "
                  "gradients): a tensor whose first gradient comes at step 5 is bias-corrected with step 5, unlike "
                  "torch.optim; catches a per-tensor step.", ["missing_grads"], n=9, null=late(1, 4)),
        make_case("pytorch_optimizer/features/LARS-groups-gap", cv, "LARS", {"lr": 0.05, "momentum": 0.9, "weight_decay": 0.01},
                  "LARS with a group without decay and a tensor missing mid-run.", ["param_groups", "missing_grads"],
                  shapes=S4, n=9, groups=G2, null=drop(0, (3, 4))),
        make_case("pytorch_optimizer/features/Lion-group-lr-lists", cv, "Lion", {"lr": 0.001, "weight_decay": 0.1},
                  "Lion with per-group lr and per-step per-group lr lists.", ["param_groups"], shapes=S4,
                  groups=[{"params": [0, 1]}, {"params": [2, 3], "hyperparameters": {"lr": 0.003, "betas": [0.95, 0.98]}}],
                  lrs=[None, [0.002, None], None, 0.0005, [None, 0.01], None, None, [0.001, 0.001]]),
        make_case("pytorch_optimizer/features/Lamb-resume", cv, "Lamb", {"lr": 0.01, "weight_decay": 0.01},
                  "Lamb resumed after step 4: the group's step comes back with the param_groups of the state_dict.",
                  ["resume"], n=8, resume=4),
        make_case("pytorch_optimizer/features/SOAP-resume", cv, "SOAP", {"lr": 0.01, "precondition_frequency": 2},
                  "SOAP resumed after step 4: the eigenbases Q and the statistics GG (lists of tensors) go through the "
                  "checkpoint (float64 QR patch); catches a resume that recomputes the bases.", ["resume"],
                  shapes=SOAP_SHAPES, n=8, resume=4, state=False),
        make_case("pytorch_optimizer/features/Shampoo-resume-gap", cv, "Shampoo", {"lr": 0.05, "momentum": 0.3},
                  "Shampoo resumed after step 3 with a tensor missing at steps 5–6: its pre_cond_* statistics freeze.",
                  ["missing_grads", "resume"], shapes=SHAMPOO_SHAPES, n=8, resume=3, null=drop(0, (4, 5)), state=False),
        make_case("pytorch_optimizer/features/ScalableShampoo-groups-gap", cv, "ScalableShampoo",
                  {"lr": 0.02, "shape_interpretation": False, "start_preconditioning_step": 3,
                   "preconditioning_compute_steps": 2, "use_svd": True},
                  "ScalableShampoo with groups of other lr and a missing tensor: the group step advances for every tensor "
                  "of the group.", ["param_groups", "missing_grads"], shapes=SHAMPOO_SHAPES, n=8,
                  groups=[{"params": [0, 2]}, {"params": [1], "hyperparameters": {"lr": 0.05}}],
                  null=drop(2, (3, 4)), state=False),
        make_case("pytorch_optimizer/features/Lamb-accumulation", cv, "Lamb", {"lr": 0.01},
                  "Lamb over summed micro-batch gradients, 3 per update.", ["accumulation"], n=9, accumulation=3),
        make_case("pytorch_optimizer/features/Lion-GradScaler", cv, "Lion", {"lr": 0.001},
                  "Lion under GradScaler: skipped steps do not advance the group step.", ["non_finite"], n=10,
                  scaler={"init_scale": 1024.0, "growth_interval": 2}, bad=BAD),
        make_case("pytorch_optimizer/features/LARS-StepLR", cv, "LARS", {"lr": 0.1, "momentum": 0.9},
                  "StepLR on LARS.", ["schedule_in_optimizer"], n=9,
                  schedule={"name": "StepLR", "parameters": {"step_size": 3, "gamma": 0.5}}),
        make_case("pytorch_optimizer/features/Lion-empty", cv, "Lion", {"lr": 0.001, "weight_decay": 0.1},
                  "Lion with empty and 0-d tensors.", ["empty_tensors"], shapes=EMPTY, n=6),
    ]
    return Fixture("pytorch_optimizer/features/features.json", "pytorch_optimizer 4.1.0 optimizers with the field features.", cases)


@FILES.file("pytorch_optimizer/features/came_ranger.json")
def po_came_ranger_features():
    cv = "pytorch_optimizer"
    cases = [
        make_case("pytorch_optimizer/features/Ranger-late-tensor", cv, "Ranger", {"lr": 0.01, "k": 3},
                  "Ranger with a tensor whose first gradient comes at step 5: its slow_buffer is cloned then (init_group "
                  "makes its state at its first gradient), its bias corrections and its lookahead syncs follow the group's "
                  "step (steps 6 and 9); catches the late tensor's slow weights never taken (left at zero when the group's "
                  "clock is restored into it) and a per-tensor step.",
                  ["missing_grads"], n=10, null=late(1, 4)),
        make_case("pytorch_optimizer/features/Ranger-groups-gap", cv, "Ranger", {"lr": 0.01, "k": 2},
                  "Ranger with a group of another lr and alpha and a tensor missing at steps 4 and 6 (a sync step: the "
                  "tensor without a gradient is not synced).", ["param_groups", "missing_grads"], shapes=S4, n=9,
                  groups=[{"params": [0, 2]}, {"params": [1, 3], "hyperparameters": {"lr": 0.05, "alpha": 0.8}}],
                  null=drop(0, (3, 5))),
        make_case("pytorch_optimizer/features/Ranger-resume", cv, "Ranger", {"lr": 0.01, "k": 3},
                  "Ranger resumed after step 4: slow_buffer and the group's step go through the checkpoint.",
                  ["resume"], n=9, resume=4),
        make_case("pytorch_optimizer/features/CAME-groups-late", cv, "CAME", {"lr": 0.01},
                  "CAME with a group of another lr and a tensor starting late (its factored statistics made at its first "
                  "gradient); no state compared (the factored rows and columns are not parameter-shaped).",
                  ["param_groups", "missing_grads"], shapes=S4, n=8,
                  groups=[{"params": [0, 1]}, {"params": [2, 3], "hyperparameters": {"lr": 0.05}}],
                  null=late(2, 3), state=False),
        make_case("pytorch_optimizer/features/Ranger21-resume", cv, "Ranger21", {"num_iterations": 10, "lr": 0.01},
                  "Ranger21 resumed after step 4: the momenta, the variances and lookahead_params go through the "
                  "checkpoint.", ["resume"], n=9, resume=4),
    ]
    return Fixture("pytorch_optimizer/features/came_ranger.json", "pytorch_optimizer 4.1.0 CAME, Ranger and Ranger21 with "
                   "the field features.", cases)


# prodigyopt's and pytorch_optimizer's Prodigy keep ONE d over every group's tensors that have a gradient;
# Descent's field runner steps them as one stepper over all groups (GroupedStepper). A group at lr 0 — the
# only other lr prodigyopt allows — is accepted by the library, which validates the constructor's lr only.
PRODIGY_TOL32 = {"rtol": 1e-3, "atol": 1e-7}
PRODIGY_TOL32_WHY = (" Float32: the numerator ⟨g, p0 − w⟩ is a difference of order-1 weights that moved by about d·lr, so "
                     "float32 weights (torch's too) carry ~1e-4 of its value as rounding; tolerance_float32 rtol 1e-3.")


def prodigy_f32(cases):
    """The float32 tolerance of Prodigy's field cases (its d_numerator and d in expected_state)."""
    for c in cases:
        c["tolerance_float32"] = dict(PRODIGY_TOL32)
        c["description"] += PRODIGY_TOL32_WHY
    return cases


ONE_D = ("the library keeps ONE d over every group's tensors that have a gradient (the sums over all of them, the "
         "first group's d, betas, lr bound)")


@FILES.file("prodigyopt/features/features.json")
def prodigyopt_features():
    cv = "prodigyopt"
    cases = [
        make_case("prodigyopt/features/Prodigy-no-decay-group", cv, "Prodigy", {"weight_decay": 0.1, "d0": 1e-3},
                  "Prodigy with the biases in a weight_decay=0 group: " + ONE_D + "; the decay and eps per group; "
                  "catches a d per group.", ["param_groups"], shapes=S4, groups=G2),
        make_case("prodigyopt/features/Prodigy-null-grads", cv, "Prodigy", {"d0": 1e-3, "weight_decay": 0.05, "decouple": True},
                  "Tensor 1 has no gradient before step 3 and tensor 0 none at steps 5–6: `if p.grad is None: continue` "
                  "leaves them out of the sums and the step, and p0 is taken at a tensor's first gradient.",
                  ["missing_grads"], shapes=S4, n=9, null=any_of(late(1, 2), drop(0, (4, 5)))),
        make_case("prodigyopt/features/Prodigy-frozen-group", cv, "Prodigy", {"weight_decay": 0.1, "d0": 1e-3},
                  "A group at lr 0 (the only other lr prodigyopt allows): left out of the sums and the EMAs, yet its "
                  "decoupled decay is applied with the step's dlr = d·max lr, and its Adam step (of m = 0) moves nothing.",
                  ["param_groups"], shapes=S4, groups=[{"params": [0, 3]}, {"params": [1, 2], "hyperparameters": {"lr": 0.0}}]),
        make_case("prodigyopt/features/Prodigy-group-knobs", cv, "Prodigy", {"d0": 1e-3, "betas": [0.9, 0.99]},
                  "The second group gives its own betas, d0, eps, safeguard_warmup and slice_p: the library reads betas "
                  "(and β₃, bias correction, d_coef, growth_rate, decouple) from the first group only, d0 per group in "
                  "the sums' d/d0 and the last group's d0 in `d == d0`, eps, safeguard_warmup and slice_p per group.",
                  ["param_groups"], shapes=[(3, 2), (2,), (4, 2), (3,)],
                  groups=[{"params": [0, 1]}, {"params": [2, 3], "hyperparameters": {
                      "betas": [0.5, 0.9], "d0": 1e-2, "eps": 1e-4, "safeguard_warmup": True, "slice_p": 2}}],
                  state=False),
        make_case("prodigyopt/features/Prodigy-group-lr-zero-at-times", cv, "Prodigy", {"d0": 1e-3, "lr": 0.5},
                  "A scheduler sets the second group's lr to 0 at some steps and back: per-step lrs of the groups; the "
                  "step's lr is their largest.", ["param_groups"], shapes=S4, groups=G2, n=8,
                  lrs=[[0.5, 0.5], [0.5, 0.0], [0.4, 0.0], [0.4, 0.4], [0.3, 0.3], [0.3, 0.0], [0.2, 0.2], [0.2, 0.2]]),
    ]
    return Fixture("prodigyopt/features/features.json", "prodigyopt.Prodigy with the field features.", prodigy_f32(cases))


@FILES.file("pytorch_optimizer/features/prodigy.json")
def po_prodigy_features():
    cv = "pytorch_optimizer"
    cases = [
        make_case("pytorch_optimizer/features/Prodigy-groups", cv, "Prodigy", {"d0": 1e-3, "weight_decay": 0.1, "lr": 1.0},
                  "pytorch_optimizer.Prodigy keeps ONE d over all groups: the first group's lr, betas, β₃, d0 (in every "
                  "group's d/d0) and bias correction; the last group's d_coef, d0 (in `d == d0`), d_max and growth_rate; "
                  "weight_decay, weight_decouple, eps and safeguard_warmup per group. The second group's lr is not used.",
                  ["param_groups"], shapes=S4,
                  groups=[{"params": [0, 2]}, {"params": [1, 3], "hyperparameters": {
                      "weight_decay": 0.0, "eps": 1e-4, "lr": 0.3, "d0": 1e-2, "safeguard_warmup": True, "d_coef": 0.5}}]),
        make_case("pytorch_optimizer/features/Prodigy-null-grads", cv, "Prodigy", {"d0": 1e-3, "weight_decay": 0.05, "bias_correction": True},
                  "Tensor 1 has no gradient before step 3 and tensor 0 none at steps 5–6: left out of the sums and the "
                  "step (p0 taken at a tensor's first gradient); the group step advances every step.",
                  ["missing_grads"], shapes=S4, n=9, null=any_of(late(1, 2), drop(0, (4, 5)))),
    ]
    return Fixture("pytorch_optimizer/features/prodigy.json", "pytorch_optimizer.Prodigy with param groups and None gradients.", prodigy_f32(cases))


@FILES.file("dadaptation/features/features.json")
def dadaptation_features():
    cv = "dadaptation"
    gap = any_of(late(1, 2), drop(0, (4, 5)))
    cases = [
        make_case("dadaptation/features/DAdaptAdam-groups", cv, "DAdaptAdam", {"weight_decay": 0.1, "d0": 1e-3},
                  "DAdaptAdam with a weight_decay=0 group of other eps: " + ONE_D + "; catches a d per group.",
                  ["param_groups"], shapes=S4, groups=[{"params": [0, 2]}, {"params": [1, 3], "hyperparameters": {"weight_decay": 0.0, "eps": 1e-3}}]),
        make_case("dadaptation/features/DAdaptAdam-null-grads", cv, "DAdaptAdam", {"d0": 1e-3, "decouple": True, "weight_decay": 0.05},
                  "Tensors without a gradient at some steps: skipped in the sums and in the step.", ["missing_grads"],
                  shapes=S4, n=9, null=gap),
        make_case("dadaptation/features/DAdaptAdam-frozen-group", cv, "DAdaptAdam", {"d0": 1e-3, "weight_decay": 0.1, "decouple": True},
                  "A group at lr 0 (the only other lr dadaptation allows): out of the sums and the moments, yet its "
                  "decoupled decay is applied with the step's dlr = d·max lr.",
                  ["param_groups"], shapes=S4, groups=[{"params": [0, 3]}, {"params": [1, 2], "hyperparameters": {"lr": 0.0}}]),
        make_case("dadaptation/features/DAdaptAdam-layer-scale", cv, "DAdaptAdam", {"d0": 1e-3, "weight_decay": 0.1, "decouple": True},
                  "The second group sets layer_scale 0.3 (a group key, not a constructor argument: the library's advice "
                  "for per-layer lrs): its numerator, exp_avg and ‖s‖₁ terms are scaled by r, its decoupled decay is not.",
                  ["param_groups"], shapes=S4, groups=[{"params": [0, 2]}, {"params": [1, 3], "hyperparameters": {"layer_scale": 0.3}}]),
        make_case("dadaptation/features/DAdaptAdam-group-decouple", cv, "DAdaptAdam", {"d0": 1e-3, "weight_decay": 0.1},
                  "The second group says decouple=True and its own betas: the library reads decouple and betas from the "
                  "first group only, so its weight_decay stays coupled (added to g).",
                  ["param_groups"], shapes=S4, groups=[{"params": [0, 2]}, {"params": [1, 3], "hyperparameters": {
                      "decouple": True, "betas": [0.5, 0.9], "weight_decay": 0.2}}]),
        make_case("dadaptation/features/DAdaptSGD-groups", cv, "DAdaptSGD", {"d0": 1e-3, "momentum": 0.5},
                  "DAdaptSGD with a group of its own weight_decay and momentum: the library reads weight_decay, momentum "
                  "and growth_rate from the first group for every group, so they change nothing; g0 over every group's "
                  "tensors at the first step.",
                  ["param_groups"], shapes=S4, groups=[{"params": [0, 2]}, {"params": [1, 3], "hyperparameters": {"weight_decay": 0.1, "momentum": 0.9}}]),
        make_case("dadaptation/features/DAdaptSGD-null-grads", cv, "DAdaptSGD", {"d0": 1e-3, "weight_decay": 0.05},
                  "DAdaptSGD with a tensor joining late (x0 and z are its value at its first gradient, g0 from the first "
                  "step's tensors only) and one dropping out (no move, no sum).",
                  ["missing_grads"], shapes=S4, n=9, null=gap),
        make_case("dadaptation/features/DAdaptSGD-frozen-group", cv, "DAdaptSGD", {"d0": 1e-3, "momentum": 0.5},
                  "A group at lr 0: left out of g0, the sums and s, yet its weights still move to the momentum's mix of "
                  "w and z = x0 − s.",
                  ["param_groups"], shapes=S4, groups=[{"params": [0, 3]}, {"params": [1, 2], "hyperparameters": {"lr": 0.0}}]),
        make_case("dadaptation/features/DAdaptLion-groups-null", cv, "DAdaptLion", {"d0": 1e-3},
                  "DAdaptLion with a group of its own weight_decay and missing gradients.", ["param_groups", "missing_grads"],
                  shapes=S4, n=9, null=gap, groups=[{"params": [0, 2]}, {"params": [1, 3], "hyperparameters": {"weight_decay": 0.2}}]),
        make_case("dadaptation/features/DAdaptLion-frozen-group", cv, "DAdaptLion", {"d0": 1e-3, "weight_decay": 0.1},
                  "A group at lr 0: DAdaptLion has no lr gate, so it steps, decays and feeds the sums at dlr = d·(the "
                  "largest lr) like the others.",
                  ["param_groups"], shapes=S4, groups=[{"params": [0, 3]}, {"params": [1, 2], "hyperparameters": {"lr": 0.0}}]),
        make_case("dadaptation/features/DAdaptAdaGrad-groups-null", cv, "DAdaptAdaGrad", {"d0": 1e-3, "momentum": 0.5},
                  "DAdaptAdaGrad with a group of other eps and weight_decay, a tensor joining late (x0 taken at its first "
                  "gradient) and one dropping out: lr and momentum of the first group only.",
                  ["param_groups", "missing_grads"], shapes=S4, n=9, null=gap,
                  groups=[{"params": [0, 1]}, {"params": [2, 3], "hyperparameters": {"eps": 1e-3, "weight_decay": 0.1}}]),
        make_case("dadaptation/features/DAdaptAdan-groups-null", cv, "DAdaptAdan", {"d0": 1e-3},
                  "DAdaptAdan with a weight_decay=0 group and missing gradients (pre_grad set at a tensor's first step): "
                  "betas, no_prox and lr of the first group only.", ["param_groups", "missing_grads"], shapes=S4, n=9,
                  null=gap, groups=[{"params": [0, 2]}, {"params": [1, 3], "hyperparameters": {"weight_decay": 0.0}}]),
        make_case("dadaptation/features/DAdaptAdan-group-lr", cv, "DAdaptAdan", {"d0": 1e-3, "lr": 0.5},
                  "DAdaptAdan steps every group at the first group's lr: the second group's lr 0.0 and eps are read "
                  "(eps per group) but its lr is not.",
                  ["param_groups"], shapes=S4, groups=[{"params": [0, 3]}, {"params": [1, 2], "hyperparameters": {"lr": 0.0, "eps": 1e-3}}]),
        make_case("dadaptation/features/DAdaptAdaGrad-group-lr", cv, "DAdaptAdaGrad", {"d0": 1e-3, "lr": 0.5},
                  "DAdaptAdaGrad steps every group at the first group's lr and momentum: the second group's lr and "
                  "momentum change nothing, its weight_decay does.",
                  ["param_groups"], shapes=S4, groups=[{"params": [0, 3]}, {"params": [1, 2], "hyperparameters": {"lr": 2.0, "momentum": 0.9, "weight_decay": 0.1}}]),
    ]
    return Fixture("dadaptation/features/features.json", "dadaptation's optimizers with the field features.", cases)


@FILES.file("schedulefree/features/features.json")
def sf_features():
    cv = "schedulefree"
    cases = [
        make_case("schedulefree/features/AdamW-groups", cv, "AdamWScheduleFree", {"lr": 0.01, "weight_decay": 0.1, "warmup_steps": 2},
                  "AdamWScheduleFree with a no-decay group of another lr: k, weight_sum and lr_max are per group "
                  "(written for each tensor of the group).", ["param_groups"], shapes=S4,
                  groups=[{"params": [0, 2]}, {"params": [1, 3], "hyperparameters": {"weight_decay": 0.0, "lr": 0.02}}]),
        make_case("schedulefree/features/SGD-groups-lr-lists", cv, "SGDScheduleFree", {"lr": 0.1, "momentum": 0.9},
                  "SGDScheduleFree with per-group lr lists: each group's lr_max and weight_sum follow its own lrs.",
                  ["param_groups"], shapes=S4, groups=[{"params": [0, 1]}, {"params": [2, 3], "hyperparameters": {"momentum": 0.5}}],
                  lrs=[None, [0.2, None], None, [None, 0.05], 0.3, None, None, [0.01, 0.4]]),
        make_case("schedulefree/features/AdamW-late-all-null", cv, "AdamWScheduleFree", {"lr": 0.01},
                  "A tensor starting late and an all-null step: the group's k, weight_sum and lr_max advance on every "
                  "step() (even without gradients), so the late tensor's first step uses the group's k and the "
                  "averaging weight ckp1 of that k; catches a per-tensor k.", ["missing_grads"], n=9,
                  null=any_of(late(1, 3), all_null((5,)))),
        make_case("schedulefree/features/SGD-gap", cv, "SGDScheduleFree", {"lr": 0.1, "warmup_steps": 3},
                  "SGDScheduleFree with a tensor missing mid-run: its z and y freeze while the group's k advances.",
                  ["missing_grads"], n=9, null=drop(0, (2, 3))),
        make_case("schedulefree/features/AdamW-resume", cv, "AdamWScheduleFree", {"lr": 0.01, "warmup_steps": 3},
                  "AdamWScheduleFree resumed after step 4 (fresh optimizer, train(), load_state_dict): k, weight_sum and "
                  "lr_max come back in the param_groups, z and exp_avg_sq in the state.", ["resume"], n=9, resume=4),
        make_case("schedulefree/features/SGD-resume-groups", cv, "SGDScheduleFree", {"lr": 0.1},
                  "SGDScheduleFree with two groups resumed after step 3.", ["param_groups", "resume"], shapes=S4, n=8,
                  groups=[{"params": [0, 3]}, {"params": [1, 2], "hyperparameters": {"lr": 0.05}}], resume=3),
        make_case("schedulefree/features/AdamW-accumulation", cv, "AdamWScheduleFree", {"lr": 0.01},
                  "AdamWScheduleFree over summed micro-batches, 2 per update: k counts updates.", ["accumulation"],
                  n=8, accumulation=2),
        make_case("schedulefree/features/AdamW-GradScaler", cv, "AdamWScheduleFree", {"lr": 0.01},
                  "AdamWScheduleFree under GradScaler: a skipped step does not advance k (opt.step() is not called).",
                  ["non_finite"], n=10, scaler={"init_scale": 1024.0, "growth_interval": 2}, bad=BAD),
        make_case("schedulefree/features/SGD-LinearLR", cv, "SGDScheduleFree", {"lr": 0.1},
                  "A LinearLR scheduler on SGDScheduleFree sets group['lr']: lr_max is the max of the scheduled lrs.",
                  ["schedule_in_optimizer"], n=8,
                  schedule={"name": "LinearLR", "parameters": {"start_factor": 0.25, "total_iters": 5}}),
        make_case("schedulefree/features/AdamW-empty", cv, "AdamWScheduleFree", {"lr": 0.01, "weight_decay": 0.01},
                  "AdamWScheduleFree with empty and 0-d tensors.", ["empty_tensors"], shapes=EMPTY, n=6),
    ]
    return Fixture("schedulefree/features/features.json", "schedulefree 1.4.1 optimizers (train mode) with the field features.", cases)


@FILES.file("lion_pytorch/features/features.json")
def lp_features():
    cv = "lion_pytorch"
    cases = [
        make_case("lion_pytorch/features/Lion-groups", cv, "Lion", {"lr": 0.001, "weight_decay": 0.1},
                  "lion-pytorch Lion with a no-decay group.", ["param_groups"], shapes=S4, groups=G2),
        make_case("lion_pytorch/features/Lion-late", cv, "Lion", {"lr": 0.001},
                  "A tensor starting late: exp_avg starts at zero at its first gradient.", ["missing_grads"], n=8,
                  null=late(0, 3)),
        make_case("lion_pytorch/features/Lion-resume", cv, "Lion", {"lr": 0.001, "betas": [0.95, 0.98]},
                  "exp_avg through a checkpoint.", ["resume"], n=8, resume=4),
        make_case("lion_pytorch/features/Lion-empty", cv, "Lion", {"lr": 0.001},
                  "Empty and 0-d tensors.", ["empty_tensors"], shapes=EMPTY, n=6),
    ]
    return Fixture("lion_pytorch/features/features.json", "lion-pytorch 0.2.5 Lion with the field features.", cases)


def generate():
    return FILES.build_all()
