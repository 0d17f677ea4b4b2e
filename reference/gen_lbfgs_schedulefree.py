"""Golden fixtures for L-BFGS (torch.optim.LBFGS, optax.lbfgs) and Schedule-Free optimizers
(optax.contrib.schedule_free_sgd / schedule_free_adamw, schedulefree.SGDScheduleFree /
AdamWScheduleFree).

- L-BFGS evaluates the objective several times per step, so its cases are closed-loop problems
  only (common.standard_problems()). The objective is the one the Swift harness uses: the
  gradient is common.problem_grad and the loss common.problem_loss.
    torch: `opt.step(closure)` where the closure sets p.grad = problem_grad(x) and returns
           problem_loss(x) — exactly what reference/adapters/torch_adapter.py does.
    optax: the loop of the optax docs' L-BFGS example, verbatim:
               value, grad = value_and_grad(params, state=opt_state)   # value_and_grad_from_state
               updates, opt_state = opt.update(grad, opt_state, params,
                                               value=value, grad=grad, value_fn=f)
               params = optax.apply_updates(params, updates)
           with `f` a jax function whose value is problem_loss's formula and whose gradient is
           pinned (jax.custom_vjp) to problem_grad's formula, so that the gradients the line
           search sees are the harness's, not autodiff's (which rounds differently).
- Schedule-Free replay cases use common.discriminating_grads; a per-step lr comes from
  optax.inject_hyperparams (optax) or param_group["lr"] (schedulefree). optax warmup cases are
  plain calls (no per-step lr): with a Python-float peak optax's warmup schedule is float32
  (int32 step counts), with an injected float64 peak only 1 − n/W is; Descent follows the
  plain call.
- optax's schedule_free returns (and apply_updates produces) the interpolated point
    y = b1·x + (1 − b1)·z, the point where gradients are evaluated; the fixtures compare y.
  schedulefree's optimizers hold y in the parameters in train mode; the fixtures compare y.

Every case says, in `description`, which implementation mistake it is designed to catch.
"""
from __future__ import annotations

import functools

import common
from common import Fixture
from runners import optax as optax_runner
from runners import torch as torch_runner

TOL = {"rtol": 1e-9, "atol": 1e-12}
SF_STEPS = 24
SHAPES = common.DEFAULT_SHAPES
CONSTRUCTOR_ERRORS = (ValueError, RuntimeError, TypeError)
FILES = common.Files()


def _problems():
    return {name: (problem, params) for name, problem, params in common.standard_problems()}


# ---------------------------------------------------------------------------------------------
# torch.optim.LBFGS


def run_torch_lbfgs(hp, params, problem, steps, lrs=None):
    """One fixture step = one opt.step(closure); the closure sets p.grad = problem_grad(x) and
    returns problem_loss(x) (runners/torch.py, as the torch adapter runs it)."""
    return torch_runner.replay("torch", "LBFGS", hp, params, steps, problem=problem, lrs=lrs)


# (id suffix, problem, hyperparameters, steps, per-step lr factor list or None, description)
TORCH_LBFGS = [
    ("defaults-quadratic", "quadratic", {}, 20, None,
     "All defaults (lr 1, max_iter 20, max_eval 25, history 100, no line search) on the quadratic: "
     "catches wrong defaults, a first step that is not min(1, 1/‖g‖₁)·lr along −g, and a missing "
     "re-evaluation of the gradient after each fixed step."),
    ("fixed-step-rosenbrock", "rosenbrock", {"lr": 0.05, "max_iter": 3, "history_size": 4}, 24, None,
     "Fixed steps (no line search), 3 iterations per step on Rosenbrock: catches the direction "
     "carried across step() calls (d, t, old_dirs kept in state), H_diag = s'y/y'y, and the "
     "two-loop recursion order."),
    ("strong-wolfe-quadratic", "quadratic", {"line_search_fn": "strong_wolfe", "max_iter": 1, "history_size": 10}, 20, None,
     "Strong-Wolfe line search, one iteration per step on the quadratic: catches the line search "
     "(cubic interpolation, bracketing) and the exact-line-search CG equivalence."),
    ("strong-wolfe-rosenbrock", "rosenbrock", {"line_search_fn": "strong_wolfe", "max_iter": 2, "history_size": 5}, 24, None,
     "Strong-Wolfe on Rosenbrock, 2 iterations per step: catches a skipped curvature test "
     "(|g'd| ≤ −c2·g₀'d), a wrong zoom update (old high becomes new low when g'd·(high−low) ≥ 0) "
     "and the insufficient-progress rule of the zoom phase."),
    ("history-1-rosenbrock", "rosenbrock", {"line_search_fn": "strong_wolfe", "max_iter": 2, "history_size": 1}, 24, None,
     "history_size 1: catches a history kept one pair too long (or too short) — with one pair "
     "the direction differs from history 2 from the third iteration on."),
    ("history-2-ridge", "ridge", {"line_search_fn": "strong_wolfe", "max_iter": 1, "history_size": 2}, 20, None,
     "history_size 2 on the 5-dimensional ridge problem (more dimensions than pairs): catches "
     "an off-by-one in the pop-oldest rule and the order of the pairs in the two loops."),
    ("max-eval-ridge", "ridge", {"lr": 10.0, "line_search_fn": "strong_wolfe", "max_iter": 4, "max_eval": 5}, 20, None,
     "max_eval 5 with 4 iterations per step and lr 10 (every line search needs a second "
     "evaluation): catches the line search's max_ls = max_eval − evaluations so far and the "
     "max_eval stop between iterations."),
    ("tolerance-change-quadratic", "quadratic", {"max_iter": 5, "lr": 0.1, "tolerance_change": 1e-2}, 20, None,
     "tolerance_change 1e-2: catches a missing |loss − prev_loss| < tolerance_change stop "
     "(the iterations within a step stop early once the loss settles)."),
    ("tolerance-grad-quadratic", "quadratic", {"line_search_fn": "strong_wolfe", "max_iter": 2, "tolerance_grad": 1e-3}, 20, None,
     "tolerance_grad 1e-3: catches a missing first-order optimality stop (max |g| ≤ "
     "tolerance_grad returns before any iteration, leaving the parameters untouched)."),
    ("lr-schedule-rosenbrock", "rosenbrock", {"lr": 0.5, "line_search_fn": "strong_wolfe", "max_iter": 2, "history_size": 3}, 24, "vary",
     "lr changed between steps (param_group['lr']): catches ignoring the per-step lr as the line "
     "search's initial step (t = lr after the first iteration)."),
    ("maximize-quadratic", "quadratic", {"lr": 0.2, "max_iter": 2, "history_size": 3, "maximize": True}, 20, None,
     "maximize on a convex quadratic with fixed steps: catches a missing sign flip of the "
     "gradient and the loss (the iterates walk away from the minimum)."),
]


# Measured, not guessed: Descent's float64 run differs from the library's by a few ulps per dot
# product (summation order); the Rosenbrock valley amplifies that along the trajectory (a smooth
# ×10 per few steps, no jump — a logic error moves the iterates by 1e-3 or more at once). In
# float32 the trajectories are rounded 2⁻²⁴ per operation and the line searches take other
# branches; float32 tolerances are set at about 10× the measured float32 deviation.
ROSEN64 = " Tolerance: Rosenbrock amplifies ulp-level differences in dot-product order smoothly along the trajectory (measured ≤ {} relative by the last step); a wrong knob moves the iterates by ≥ 1e-3."
F32 = " tolerance_float32: {} (measured float32 deviation ×10): in float32 the line search sees other rounding and the curved valley amplifies it."
TOL_OVERRIDES = {
    "torch/LBFGS/strong-wolfe-rosenbrock": (None, {"rtol": 0.1, "atol": 1e-3}),
    "torch/LBFGS/history-1-rosenbrock": ({"rtol": 1e-7, "atol": 1e-12}, {"rtol": 0.5, "atol": 1e-2}),
    "torch/LBFGS/history-2-ridge": (None, {"rtol": 3e-3, "atol": 1e-4}),
    "torch/LBFGS/max-eval-ridge": (None, {"rtol": 5e-2, "atol": 1e-3}),
    "torch/LBFGS/lr-schedule-rosenbrock": (None, {"rtol": 5e-3, "atol": 1e-4}),
    "optax/lbfgs/defaults-rosenbrock": ({"rtol": 1e-6, "atol": 1e-12}, {"rtol": 1.0, "atol": 0.5}),
    "optax/lbfgs/no-scale-init-rosenbrock": (None, {"rtol": 0.1, "atol": 1e-3}),
    "optax/lbfgs/defaults-ridge": (None, {"rtol": 2e-3, "atol": 1e-4}),
    "optax/lbfgs/memory-2-ridge": (None, {"rtol": 1e-2, "atol": 1e-4}),
    "optax/lbfgs/memory-1-quadratic": (None, {"rtol": 2e-3, "atol": 1e-4}),
    # float32: the loss differences this line search compares (a step of 0.005 of the L-BFGS step)
    # are at float32's rounding level, so float32 takes other safe steps; only the region is checked.
    "optax/lbfgs/tiny-learning-rate-ridge": (None, {"rtol": 1.0, "atol": 0.1}),
    "schedulefree/SGDScheduleFree/problem-quadratic": (None, {"rtol": 5e-3, "atol": 1e-5}),
}


def _tolerances(cid, desc):
    t64, t32 = TOL_OVERRIDES.get(cid, (None, None))
    if t64 is not None:
        desc += ROSEN64.format(t64["rtol"] / 10)
    if t32 is not None:
        desc += F32.format(t32)
    return t64, t32, desc


@FILES.file("torch/problems/LBFGS.json")
def torch_lbfgs_fixture():
    probs = _problems()
    cases = []
    for suffix, pname, hp, steps, lr_mode, desc in TORCH_LBFGS:
        problem, params = probs[pname]
        lrs = None
        if lr_mode == "vary":
            lrs = common.lr_sequence(hp["lr"], steps)
        exp = run_torch_lbfgs(hp, params, problem, steps, lrs)
        cid = f"torch/LBFGS/{suffix}"
        t64, t32, desc = _tolerances(cid, desc + f" Problem: {pname}.")
        cases.append(common.optimizer_case(cid, "torch 2.15.0", "torch", "LBFGS", hp, params,
                                           common.trajectory_steps(exp, [None] * steps, lrs or [None] * steps),
                                           desc, t64 or TOL, problem=problem, tolerance_float32=t32))
    cases += torch_lbfgs_error_cases()
    return Fixture("torch/problems/LBFGS.json",
                   "torch.optim.LBFGS (torch 2.15.0) on the standard closed-loop problems. One fixture step "
                   "is one opt.step(closure) call (up to max_iter L-BFGS iterations); the closure sets "
                   "p.grad = problem_grad(x) and returns problem_loss(x).", cases)


# ---------------------------------------------------------------------------------------------
# optax.lbfgs


def run_optax_lbfgs(hp, params, problem, steps):
    """The optax docs' L-BFGS loop (see the module docstring; runners/optax.py)."""
    return optax_runner.lbfgs(hp, params, problem, steps)


OPTAX_LBFGS = [
    ("defaults-quadratic", "quadratic", {}, 20,
     "All defaults (memory 10, scaled initial preconditioner, zoom line search with 20 steps, "
     "initial guess 1): catches a first step not capped at 1/‖g‖ and a wrong zoom line search."),
    ("defaults-rosenbrock", "rosenbrock", {}, 24,
     "Defaults on Rosenbrock: the zoom line search has to bracket and zoom (cubic, then quadratic, "
     "then bisection), so a wrong interpolation rule, a skipped curvature test or Armijo's "
     "approximate variant (Hager–Zhang) left out shows."),
    ("defaults-ridge", "ridge", {}, 20,
     "Defaults on the 5-dimensional ridge problem: catches the L-BFGS two-loop recursion "
     "(memory slots written at (count − 1) mod m, scanned newest first)."),
    ("memory-1-quadratic", "quadratic", {"memory_size": 1}, 20,
     "memory_size 1: catches a memory one pair too long (the oldest pair must be overwritten)."),
    ("memory-2-ridge", "ridge", {"memory_size": 2}, 20,
     "memory_size 2 on the 5-dimensional ridge problem: catches an off-by-one in the circular "
     "memory index."),
    ("no-scale-init-rosenbrock", "rosenbrock", {"scale_init_precond": False}, 24,
     "scale_init_precond False: catches γ = s'y/y'y (or the capped 1/‖g‖ first step) applied "
     "when it is off — the initial preconditioner is the identity."),
    ("tiny-learning-rate-ridge", "ridge", {"learning_rate": 1e-8}, 20,
     "learning_rate 1e-8: the direction is 1e-8 of the L-BFGS step, so the interval search doubles "
     "the stepsize from 1 (up to 2^19) until max_linesearch_steps (20) runs out and takes the safe "
     "step; catches "
     "a wrong step limit (e.g. 19 or 10) and a failure that does not fall back to the safe step."),
    ("learning-rate-quadratic", "quadratic", {"learning_rate": 0.5, "memory_size": 3}, 20,
     "learning_rate 0.5: the direction is scaled by −0.5 before the line search, which then "
     "starts from stepsize 1 — catches applying the lr after the line search or ignoring it."),
]


@FILES.file("optax/problems/lbfgs.json")
def optax_lbfgs_fixture():
    probs = _problems()
    cases = []
    for suffix, pname, hp, steps, desc in OPTAX_LBFGS:
        problem, params = probs[pname]
        exp = run_optax_lbfgs(hp, params, problem, steps)
        cid = f"optax/lbfgs/{suffix}"
        t64, t32, desc = _tolerances(cid, desc + f" Problem: {pname}.")
        cases.append(common.optimizer_case(cid, "optax 0.2.8", "optax", "lbfgs", hp, params,
                                           common.trajectory_steps(exp, [None] * steps, [None] * steps),
                                           desc, t64 or TOL, problem=problem, tolerance_float32=t32))
    cases += optax_lbfgs_error_cases()
    return Fixture("optax/problems/lbfgs.json",
                   "optax.lbfgs (optax 0.2.8, jax x64) on the standard closed-loop problems, run as the "
                   "optax docs' L-BFGS example: value, grad = optax.value_and_grad_from_state(f)(params, "
                   "state=opt_state); updates, opt_state = opt.update(grad, opt_state, params, value=value, "
                   "grad=grad, value_fn=f); params = optax.apply_updates(params, updates). One fixture step "
                   "is one such update. f's value is problem_loss's formula and its gradient is pinned "
                   "(jax.custom_vjp) to problem_grad's formula.", cases)


# ---------------------------------------------------------------------------------------------
# Schedule-Free: optax.contrib


def run_optax_sf(name, hp, params, grads_or_problem, lrs):
    optax_runner.setup()
    import optax

    problem = grads_or_problem if isinstance(grads_or_problem, dict) else None
    return optax_runner.replay(getattr(optax.contrib, name), hp, params, len(lrs),
                               grads=None if problem else grads_or_problem, problem=problem, lrs=lrs)


Y = " Compares y = b1·x + (1 − b1)·z, the params optax returns (not x, not z)."

# (suffix, hyperparameters, vary lr, description)
OPTAX_SF = {
    "schedule_free_sgd": [
        ("defaults", {}, False,
         "All defaults (learning_rate 1, b1 0.9, weight_lr_power 2, no warmup, no decay): catches "
         "comparing x or z instead of y, and x not rebuilt as (y − (1 − b1)·z_old)/b1 each step."),
        ("lr-schedule", {"learning_rate": 0.1}, True,
         "learning_rate changed mid-run (inject_hyperparams): catches a wrong averaging weight "
         "c = max_lr^2 / Σ max_lr^2 (max_lr is the running maximum, not the current lr)."),
        ("warmup", {"learning_rate": 0.2, "warmup_steps": 6}, False,
         "warmup_steps 6: the SGD step uses the warmup schedule at count 0, 1, … while the averaging "
         "weight uses it at step_count 1, 2, …; catches warmup ignored or both counted alike."),
        ("warmup-b1", {"learning_rate": 0.2, "warmup_steps": 5, "b1": 0.8}, False,
         "warmup 5 with b1 0.8: catches a warmup computed as count/steps·peak in float64 instead of "
         "optax's (0 − peak)·(1 − count/steps) + peak, which is float32 (int32 counts) — the peak "
         "itself is float32-rounded after warmup."),
        ("warmup-zero", {"learning_rate": 0.2, "warmup_steps": 0}, False,
         "warmup_steps 0 is a linear schedule with no transition steps: optax holds it at its "
         "init_value 0, so the parameters never move; catches treating 0 as 'no warmup'."),
        ("weight-decay", {"learning_rate": 0.1, "weight_decay": 0.05}, True,
         "weight_decay 0.05: g + λ·y (decay on y, the current params) scaled by the lr; catches "
         "decay on x or z, or decay not scaled by the lr."),
        ("b1-power", {"learning_rate": 0.3, "b1": 0.5, "weight_lr_power": 1.0}, True,
         "b1 0.5, weight_lr_power 1: catches a hard-coded 0.9 interpolation or a squared weight."),
    ],
    "schedule_free_adamw": [
        ("defaults", {}, False,
         "All defaults (learning_rate 0.0025, b1 0.9, b2 0.999, eps 1e-8, no decay): catches "
         "comparing x instead of y and scale_by_rms's 1/(√v̂ + eps)·g order."),
        ("lr-schedule", {"learning_rate": 0.05}, True,
         "learning_rate changed mid-run: catches a wrong averaging weight (running max of lr)."),
        ("warmup", {"learning_rate": 0.05, "warmup_steps": 8}, False,
         "warmup_steps 8: catches warmup ignored and the off-by-one between "
         "the base optimizer's count (from 0) and the weight's step_count (from 1)."),
        ("weight-decay", {"learning_rate": 0.02, "weight_decay": 0.1, "b2": 0.99, "eps": 1e-3}, True,
         "weight_decay 0.1 added to the normalised update before the lr, large eps outside the root: "
         "catches decay added before the normalisation, eps inside the root, b2 misused."),
        ("b1-power", {"learning_rate": 0.03, "b1": 0.95, "weight_lr_power": 0.0}, True,
         "weight_lr_power 0: every step weighs 1 (plain running average); catches the power ignored."),
    ],
}


@FILES.file("optax/schedule_free.json")
def optax_sf_fixture():
    cases = []
    for name, entries in OPTAX_SF.items():
        for suffix, hp, vary, desc in entries:
            cid = f"optax/{name}/{suffix}"
            rng = common.case_rng(cid)
            params = common.initial_params(rng, SHAPES)
            grads = common.discriminating_grads(rng, SHAPES, SF_STEPS)
            lrs = common.lr_sequence(hp["learning_rate"], SF_STEPS) if vary else [None] * SF_STEPS
            exp = run_optax_sf(name, hp, params, grads, lrs)
            cases.append(common.optimizer_case(cid, "optax 0.2.8", "optax", name, hp, params,
                                               common.trajectory_steps(exp, grads, lrs), desc + Y, TOL))
    return Fixture("optax/schedule_free.json",
                   "optax.contrib.schedule_free_sgd / schedule_free_adamw (optax 0.2.8, jax x64). The "
                   "params optax returns (and apply_updates produces) are y = b1·x + (1 − b1)·z, the point "
                   "where the next gradient is taken; x is rebuilt each step as (y − (1 − b1)·z)/b1, "
                   "z ← z + base update, x ← (1 − c)·x + c·z with c = max_lr^p / Σ max_lr^p; expected "
                   "values are y after apply_updates. A per-step lr is injected with inject_hyperparams "
                   "(every other argument static).", cases)


OPTAX_SF_PROBLEMS = [
    ("schedule_free_sgd", "problem-quadratic", "quadratic", {"learning_rate": 0.05, "warmup_steps": 3}, 24,
     "Schedule-Free SGD in a closed loop: the gradient is taken at y, so comparing or stepping "
     "from x compounds."),
    ("schedule_free_sgd", "problem-ridge", "ridge", {"learning_rate": 0.02, "weight_decay": 0.01}, 24,
     "Schedule-Free SGD with decay on the ridge problem, gradient at y."),
    ("schedule_free_adamw", "problem-rosenbrock", "rosenbrock", {"learning_rate": 0.05, "warmup_steps": 4}, 24,
     "Schedule-Free AdamW with warmup on Rosenbrock, gradient at y."),
]


@FILES.file("optax/problems/schedule_free.json")
def optax_sf_problem_fixture():
    probs = _problems()
    cases = []
    for name, suffix, pname, hp, steps, desc in OPTAX_SF_PROBLEMS:
        problem, params = probs[pname]
        exp = run_optax_sf(name, hp, params, problem, [None] * steps)
        cid = f"optax/{name}/{suffix}"
        cases.append(common.optimizer_case(cid, "optax 0.2.8", "optax", name, hp, params,
                                           common.trajectory_steps(exp, [None] * steps, [None] * steps),
                                           desc + Y + f" Problem: {pname}.", TOL, problem=problem))
    return Fixture("optax/problems/schedule_free.json",
                   "optax.contrib schedule_free_* (optax 0.2.8) on the standard closed-loop problems; the "
                   "gradient of each step is problem_grad at the params optax holds (y).", cases)


# ---------------------------------------------------------------------------------------------
# Schedule-Free: the schedulefree package


def run_sf(name, hp, params, grads_or_problem, lrs):
    """schedulefree.<name> in train mode (the parameters are y)."""
    problem = grads_or_problem if isinstance(grads_or_problem, dict) else None
    return torch_runner.replay("schedulefree", name, hp, params, len(lrs), grads=None if problem else grads_or_problem,
                               problem=problem, lrs=lrs)


YT = " Expected values are the parameters in train mode (y)."

SF = {
    "SGDScheduleFree": [
        ("defaults", {}, False,
         "All defaults (lr 1, momentum 0.9, no warmup, r 0, weight_lr_power 2): catches comparing x "
         "(eval mode) instead of y and a wrong y update y ← lerp(y, z, c) + lr·(β(1−c) − 1)·g."),
        ("lr-schedule", {"lr": 0.1}, True,
         "lr changed mid-run through param_group['lr']: catches a wrong averaging weight "
         "c = lr_max^2/Σ lr_max^2 (lr_max is the running maximum)."),
        ("warmup", {"lr": 0.2, "warmup_steps": 7}, True,
         "warmup_steps 7: lr·(k+1)/warmup for k < warmup; catches warmup ignored or off by one."),
        ("weight-decay", {"lr": 0.1, "weight_decay": 0.05, "momentum": 0.8}, True,
         "weight_decay 0.05 added to the gradient at y (before the lerp): catches decay on z or x."),
        ("r-power", {"lr": 0.1, "r": 1.0, "weight_lr_power": 1.0, "momentum": 0.5}, True,
         "r 1, weight_lr_power 1: weight (k+1)^r·lr_max^p; catches r ignored or k counted from 0."),
    ],
    "AdamWScheduleFree": [
        ("defaults", {}, False,
         "All defaults (lr 0.0025, betas (0.9, 0.999), eps 1e-8): catches comparing x instead of y "
         "and the bias correction 1 − β₂^(k+1)."),
        ("lr-schedule", {"lr": 0.05}, True,
         "lr changed mid-run: catches a wrong averaging weight."),
        ("warmup", {"lr": 0.05, "warmup_steps": 6, "betas": [0.8, 0.99]}, True,
         "warmup_steps 6 and other betas: catches warmup ignored and beta1 used where beta2 belongs."),
        ("weight-decay", {"lr": 0.02, "weight_decay": 0.1, "eps": 1e-3}, True,
         "weight_decay 0.1 added after the normalisation (g/(√v̂ + eps) + λ·y), large eps: catches "
         "decay inside the moments and eps inside the root."),
        ("r-power", {"lr": 0.03, "r": 2.0, "weight_lr_power": 0.0}, True,
         "r 2, weight_lr_power 0: polynomial averaging weights (k+1)^2; catches r ignored."),
    ],
    "RAdamScheduleFree": [
        ("defaults", {}, False,
         "All defaults (lr 0.0025, betas (0.9, 0.999), eps 1e-8, silent_sgd_phase True): RAdam's rectification "
         "rho_t = rho_inf - 2t·β₂ᵗ/(1 − β₂ᵗ) is at most 4 for the first 4 steps (4.996 at step 5), where the step's lr is 0 (the "
         "parameters do not move, the averaging weight is 0, and only exp_avg_sq advances), then lr·rect with "
         "rect = √((ρ−4)(ρ−2)ρ∞/((ρ∞−4)(ρ∞−2)ρ)); catches the rectification dropped (AdamW Schedule-Free), "
         "the threshold taken as 5 (RAdam's torch form), and the silent phase ignored."),
        ("sgd-phase", {"lr": 0.01, "silent_sgd_phase": False}, False,
         "silent_sgd_phase False: during the first 4 steps the step is plain SGD on the raw gradient at the full "
         "lr (rect 1), after them Adam's normalised step; catches the silent phase kept, and the gradient "
         "normalised in the SGD phase."),
        ("lr-schedule", {"lr": 0.02, "betas": [0.8, 0.99]}, True,
         "lr changed mid-run through param_group['lr'] and β₂ 0.99 (ρ∞ 199): the rectified lr enters lr_max and "
         "the averaging weight; catches the weight from the unrectified lr, and β₁ used where β₂ belongs."),
        ("weight-decay", {"lr": 0.02, "weight_decay": 0.1, "eps": 1e-3, "silent_sgd_phase": False}, True,
         "weight_decay 0.1 added at y after the normalisation (and to the raw gradient in the SGD phase), large "
         "eps: catches decay inside the moments and eps inside the root."),
        ("r-power", {"lr": 0.03, "r": 1.0, "weight_lr_power": 1.0, "foreach": False}, True,
         "r 1, weight_lr_power 1 on the for-loop path (foreach False): weight t^r·lr_max^p; catches r ignored."),
    ],
}

# The closure classes: the same algorithms stepped with step(closure), parameters holding x. The
# train-mode cases' settings, with descriptions of what the closure form changes.
XT = (" The closure class: the parameters hold x (the average) between steps and the gradient is taken at y; "
      "catches comparing y (the train-mode classes' parameters), and lr_max started at −1.")
for _base in ("SGDScheduleFree", "AdamWScheduleFree", "RAdamScheduleFree"):
    SF[_base + "Closure"] = [(suffix, hp, vary, desc + XT) for suffix, hp, vary, desc in SF[_base]
                             if not (_base == "RAdamScheduleFree" and "foreach" in hp)]

# The paper and reference classes: the train-mode cases' settings (their parameters are y too).
PT = (" AdamWScheduleFreePaper: the step's lr is lr·√(1 − β₂ᵗ) (also in lr_max and the weights) and v is not "
      "bias-corrected; catches the train-mode class's bias correction.")
RT = (" The reference class keeps x as a tensor and updates z, x, y in that order (AdamW: its decay z ← z − lr·λ·y "
      "before the normalised step); catches the decay added to the normalised step instead.")
SF["AdamWScheduleFreePaper"] = [(a, hp, v, d + PT) for a, hp, v, d in SF["AdamWScheduleFree"]]
SF["SGDScheduleFreeReference"] = [(a, hp, v, d + RT) for a, hp, v, d in SF["SGDScheduleFree"]]
SF["AdamWScheduleFreeReference"] = [(a, hp, v, d + RT) for a, hp, v, d in SF["AdamWScheduleFree"]] + [
    ("decay-at-z", {"lr": 0.02, "weight_decay": 0.1, "decay_at_z": True}, True,
     "decay_at_z True: the decay z ← z − lr·λ·z taken at z instead of y; catches decay_at_z ignored." + RT)]
SF_PROBLEMS = [
    ("SGDScheduleFree", "problem-quadratic", "quadratic", {"lr": 0.05, "warmup_steps": 3}, 24,
     "Schedule-Free SGD in a closed loop: the gradient is taken at y."),
    ("SGDScheduleFree", "problem-ridge", "ridge", {"lr": 0.02, "weight_decay": 0.01}, 24,
     "Schedule-Free SGD with decay on the ridge problem."),
    ("AdamWScheduleFree", "problem-rosenbrock", "rosenbrock", {"lr": 0.05, "warmup_steps": 4}, 24,
     "Schedule-Free AdamW with warmup on Rosenbrock."),
]


def sf_fixture(name):
    cases = []
    for suffix, hp, vary, desc in SF[name]:
        cid = f"schedulefree/{name}/{suffix}"
        rng = common.case_rng(cid)
        params = common.initial_params(rng, SHAPES)
        grads = common.discriminating_grads(rng, SHAPES, SF_STEPS)
        lrs = common.lr_sequence(hp["lr"], SF_STEPS) if vary else [None] * SF_STEPS
        exp = run_sf(name, hp, params, grads, lrs)
        cases.append(common.optimizer_case(cid, "schedulefree 1.4.1", "schedulefree", name, hp, params,
                                           common.trajectory_steps(exp, grads, lrs), desc + YT, TOL))
    cases += sf_error_cases(name)
    return Fixture(f"schedulefree/{name}.json",
                   f"schedulefree.{name} (schedulefree 1.4.1 on torch 2.15.0, float64), in train mode: "
                   "the expected values are the parameters as held in train mode (y). A per-step lr "
                   "is set through param_group['lr'].", cases)


for _name in SF:
    FILES.add(f"schedulefree/{_name}.json", functools.partial(sf_fixture, _name))


@FILES.file("schedulefree/problems/schedule_free.json")
def sf_problem_fixture():
    probs = _problems()
    cases = []
    for name, suffix, pname, hp, steps, desc in SF_PROBLEMS:
        problem, params = probs[pname]
        exp = run_sf(name, hp, params, problem, [None] * steps)
        cid = f"schedulefree/{name}/{suffix}"
        t64, t32, desc = _tolerances(cid, desc + YT + f" Problem: {pname}.")
        cases.append(common.optimizer_case(cid, "schedulefree 1.4.1", "schedulefree", name, hp, params,
                                           common.trajectory_steps(exp, [None] * steps, [None] * steps),
                                           desc, t64 or TOL, problem=problem, tolerance_float32=t32))
    return Fixture("schedulefree/problems/schedule_free.json",
                   "schedulefree 1.4.1 optimizers on the standard closed-loop problems (gradient at y).", cases)


# ---------------------------------------------------------------------------------------------
# Argument validation


def _error_case(cid, source, conv, name, hp, message, description):
    if message is None:
        raise AssertionError(f"{cid}: the library accepted {hp}")
    return common.optimizer_case(cid, source, conv, name, hp, [{"shape": [2], "values": [0.5, -1.5]}], None,
                                 description, TOL, error=message)


def sf_error_cases(name):
    def E(tag, hp, desc):
        return _error_case(f"schedulefree/{name}/{tag}", "schedulefree 1.4.1", "schedulefree", name, hp,
                           torch_runner.constructor_error("schedulefree", name, hp, catch=CONSTRUCTOR_ERRORS), desc)

    if name not in ("SGDScheduleFree", "SGDScheduleFreeClosure", "SGDScheduleFreeReference"):
        return []   # AdamWScheduleFree validates nothing
    return [
        E("invalid-lr", {"lr": -0.5}, "Negative lr is rejected with the package's message."),
        E("invalid-weight-decay", {"weight_decay": -0.1}, "Negative weight_decay is rejected."),
        E("invalid-momentum", {"momentum": 1.0}, "momentum must be in (0, 1), exclusive at both ends."),
        E("invalid-momentum-zero", {"momentum": 0}, "momentum 0 is rejected too (printed as an int)."),
    ]


def torch_lbfgs_error_cases():
    return [
        _error_case("torch/LBFGS/invalid-lr", "torch 2.15.0", "torch", "LBFGS", {"lr": -1.0},
                    torch_runner.constructor_error("torch", "LBFGS", {"lr": -1.0}, catch=CONSTRUCTOR_ERRORS),
                    "Negative lr is rejected with torch's message."),
    ]


def optax_lbfgs_error_cases():
    return [
        _error_case("optax/lbfgs/invalid-memory-size", "optax 0.2.8", "optax", "lbfgs", {"memory_size": 0},
                    optax_runner.call_error("lbfgs", {"memory_size": 0}, catch=CONSTRUCTOR_ERRORS),
                    "memory_size 0 is rejected by scale_by_lbfgs."),
    ]


def generate():
    return FILES.build_all()
