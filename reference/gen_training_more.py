"""Golden fixtures for training cases (`kind: "training"`) of the optimizer families that
gen_training.py does not train: the rest of torch.optim, optax and optax.contrib, keras.optimizers,
transformers' Adafactor, prodigyopt, dadaptation, pytorch_optimizer and schedulefree.

The model, data sets, minibatches, initial parameters and the two library loops are
gen_training.py's (training_models.py through runners/torch.py and runners/optax.py); keras
cases take jax.value_and_grad of the same jax model (training_models.jax_loss) and hand the
gradients to the Keras optimizer's own `apply_gradients` on float64 keras.Variables, on the JAX
backend (runners/keras.py `train`, training_models.keras_train). Hyperparameters are chosen so
that every case's loss moves within its steps (a default lr of 1e-3 barely moves these models).
torch LBFGS and schedulefree's *Closure classes are stepped with `opt.step(closure)` (the loss
is the closure's first value: LBFGS's at the parameters, a Closure class's at y); optax
polyak_sgd, momo and momo_adam get the batch loss as `update(..., value=loss)`. Where a case
departs from gen_training's settings (fewer steps, a wider tolerance, a non-default knob that
keeps float32 runs near float64 ones), its description gives the measurement.

Not trained here, with the reason:
- torch.optim.Muon: it accepts 2-D parameters only ("Muon only supports 2D parameters whereas
  we found a parameter with size: torch.Size([8])"), and the MLP has biases;
- torch.optim.SparseAdam: the MLP's gradients are dense ("SparseAdam does not support dense
  gradients, please consider Adam instead" at the first step);
- optax.lbfgs: the loop optax documents (value_and_grad_from_state) reuses the line search's
  value and gradient, which belong to the previous step's minibatch.
- optax.noisy_sgd: its noise is drawn by jax.random (no case can replay the draws).
"""
from __future__ import annotations

import functools
import os
import sys

if not any(a.startswith("--keras-") and a.endswith("-worker") for a in sys.argv):
    os.environ["KERAS_BACKEND"] = "jax"   # as gen_keras.py: must precede `import keras`

import common  # noqa: E402
from common import Fixture  # noqa: E402
import gen_adafactor  # noqa: E402
import gen_training as gt  # noqa: E402
from runners import keras as keras_runner  # noqa: E402

FILES = common.Files()
T, D = 24, 20   # steps on the toy sets, on digits (as gen_training.py)
TORCH = gt.TORCH
OPTAX = gt.OPTAX
KERAS = "keras 3.15.1 (jax 0.10.2, x64)"
PO = "pytorch_optimizer 4.1.0 (torch 2.15.0)"
SF = "schedulefree 1.4.1 (torch 2.15.0)"
TRANSFORMERS = "transformers 5.23.0 (torch 2.15.0)"
PRODIGY = "prodigyopt 1.1.2 (torch 2.15.0)"
DADAPT = "dadaptation 3.2 (torch 2.15.0)"


def _cases(source, convention, rows):
    """Skeletons from rows (id, name, hyperparameters, data set, hidden sizes, activation,
    batch size, description[, options]): digits sets run D steps, toy sets T, unless the options
    give `steps`; options' `tolerance` replaces gen_training's (its reason is in the description)."""
    out = []
    for cid, name, hp, data, hidden, act, batch, desc, *options in rows:
        opt = options[0] if options else {}
        c = gt._skeleton(cid, source, convention, name, hp, data, hidden, act, batch,
                         opt.get("steps", D if data.startswith("digits") else T), description=desc)
        if "tolerance" in opt:
            c["tolerance"] = dict(opt["tolerance"])
        out.append(c)
    return out


def torch_more():
    return "torch/training/more.json", f"torch.optim Adafactor, Rprop, ASGD, LBFGS training small MLPs ({TORCH}, float64).", _cases(TORCH, "torch", [
        ("torch/train/adafactor-tanh-ce-digits", "Adafactor", {"lr": 0.05}, "digits", [5], "tanh", 32,
         "torch Adafactor on digits (64 -> 5 tanh -> 10): W factored into row/col variances, the 1-D biases not; rho = min(lr, 1/sqrt(t))."),
        ("torch/train/adafactor-wd-relu-mse", "Adafactor", {"lr": 0.03, "beta2_decay": -0.5, "weight_decay": 0.01}, "regression", [6], "relu", 16,
         "Adafactor with decoupled weight decay and beta2_decay -0.5 on a relu regression MLP (dead unit: a zero row of W)."),
        ("torch/train/rprop-tanh-mse", "Rprop", {"lr": 0.01}, "regression", [6], "tanh", 16,
         "Rprop on minibatches: sign flips between batches shrink the step sizes (etas 0.5, 1.2)."),
        ("torch/train/rprop-etas-relu-ce", "Rprop", {"lr": 0.02, "etas": [0.3, 1.5], "step_sizes": [1e-4, 0.1]}, "blobs", [8], "relu", 16,
         "Rprop with its own etas and step-size bounds on a relu MLP: the dead unit's zero gradients leave its step sizes alone."),
        ("torch/train/asgd-t0-relu-ce", "ASGD", {"lr": 0.1, "lambd": 0.001, "t0": 8}, "blobs", [8], "relu", 16,
         "ASGD with t0 = 8: eta decays as lr/(1 + lambd lr t)^alpha; the parameters (not the average ax) are compared."),
        ("torch/train/lbfgs-tanh-ce-full-batch", "LBFGS", {"lr": 1, "max_iter": 1, "history_size": 3}, "blobs", [8], "tanh", 90,
         "torch LBFGS stepped with step(closure) on the whole blobs set (90 rows every step, so each step's objective is the "
         "same function): one iteration per step (max_iter 1), the two-loop recursion over a history of 3 kept across "
         "steps; expected_loss is the closure's value at the parameters. One iteration per step: with max_iter 4 the "
         "float32 run takes other tolerance_change exits (the library's own float32 run leaves its float64 one by 6%) "
         "and past ~15 steps, even at one iteration per step, float32's curvature pairs (y = g_new - g_old of a "
         "converging run) amplify its rounding beyond 1e-4 relative: 12 steps, fewer than gen_training's 20.",
         {"steps": 12}),
        ("torch/train/asgd-wd-sigmoid-bce", "ASGD", {"lr": 0.3, "alpha": 0.6, "weight_decay": 0.001}, "xor", [6], "sigmoid", 16,
         "ASGD with L2 weight decay and alpha 0.6 on a sigmoid MLP with BCE."),
    ])


def optax_more():
    return "optax/training/more.json", f"optax adafactor, adabelief, adan, fromage, novograd, optimistic_*, rprop, sign_sgd, signum, sm3, yogi, adamaxw, nadamw, polyak_sgd training small MLPs ({OPTAX}, float64).", _cases(OPTAX, "optax", [
        ("optax/train/adafactor-tanh-ce", "adafactor", {"learning_rate": 0.02}, "blobs", [8], "tanh", 16,
         "optax.adafactor at learning_rate 0.02: nothing factored (dims < 128), clipping by block RMS, parameter scale "
         "max(1e-3, RMS(w)). (The default learning_rate None steps by RMS(w) itself: on this model the loss climbs back "
         "and the trajectory turns chaotic.)"),
        ("optax/train/adafactor-factored-tanh-mse", "adafactor", {"learning_rate": 0.05, "min_dim_size_to_factor": 2}, "regression", [6], "tanh", 16,
         "optax.adafactor with min_dim_size_to_factor 2: the [6, 3] and [2, 6] weights factored into row and column "
         "statistics, the biases not. (On digits, whose border pixels are almost always 0, the factored statistics of "
         "those columns are ~eps 1e-30 and amplify gradient rounding; a dead relu unit underflows them in float32.)"),
        ("optax/train/adabelief-tanh-mse", "adabelief", {"learning_rate": 0.01}, "regression", [6], "tanh", 16,
         "optax.adabelief: the second moment is the EMA of (g - m)^2 with eps_root added into it."),
        ("optax/train/adan-relu-ce", "adan", {"learning_rate": 0.01, "weight_decay": 0.01}, "blobs", [8], "relu", 16,
         "optax.adan: the gradient difference between minibatches drives v; decoupled decay."),
        ("optax/train/fromage-sigmoid-bce", "fromage", {"learning_rate": 0.05}, "xor", [6], "sigmoid", 16,
         "optax.fromage: per-tensor norms of W and b, the 1/sqrt(1 + lr^2) shrink."),
        ("optax/train/novograd-tanh-ce", "novograd", {"learning_rate": 0.02, "weight_decay": 0.001}, "blobs", [8], "tanh", 16,
         "optax.novograd: per-tensor second moments from the squared gradient norm of each W and b."),
        ("optax/train/optimistic-gd-relu-mse", "optimistic_gradient_descent", {"learning_rate": 0.02}, "regression", [6], "relu", 16,
         "optax.optimistic_gradient_descent: 2g - g_prev, g_prev from the previous minibatch."),
        ("optax/train/optimistic-adam-tanh-bce", "optimistic_adam", {"learning_rate": 0.01}, "xor", [6], "tanh", 16,
         "optax.optimistic_adam (deprecated form: alpha = beta = learning_rate, the update not scaled by lr)."),
        ("optax/train/optimistic-adam-v2-sigmoid-ce", "optimistic_adam_v2", {"learning_rate": 0.01, "beta": 0.5}, "blobs", [8], "sigmoid", 16,
         "optax.optimistic_adam_v2 with beta 0.5 on Adam's direction."),
        ("optax/train/rprop-tanh-ce-digits", "rprop", {"learning_rate": 0.01}, "digits", [4], "tanh", 32,
         "optax.rprop on digits minibatches: step sizes per element, zeroed updates after a sign flip."),
        ("optax/train/sign-sgd-relu-ce", "sign_sgd", {"learning_rate": 0.005}, "blobs", [8], "relu", 16,
         "optax.sign_sgd: sign(g); the dead unit's zero gradients give sign 0 (no move)."),
        ("optax/train/signum-tanh-mse", "signum", {"learning_rate": 0.005}, "regression", [6], "tanh", 16,
         "optax.signum: sign of the EMA of the gradients."),
        ("optax/train/sm3-relu-bce", "sm3", {"learning_rate": 0.1}, "xor", [6], "relu", 16,
         "optax.sm3: row and column accumulators of each W, per element for the biases."),
        ("optax/train/yogi-sigmoid-ce-deep", "yogi", {"learning_rate": 0.02}, "blobs", [6, 5], "sigmoid", 16,
         "optax.yogi on a two-hidden-layer sigmoid MLP: additive second moment from 1e-6."),
        ("optax/train/adamaxw-relu-ce", "adamaxw", {"learning_rate": 0.02, "weight_decay": 0.05}, "blobs", [8], "relu", 16,
         "optax.adamaxw: adamax with decoupled decay x lr."),
        ("optax/train/nadamw-tanh-bce-digits", "nadamw", {"learning_rate": 0.01, "weight_decay": 0.05}, "digits-binary", [4], "tanh", 32,
         "optax.nadamw on digits (0-4 vs 5-9) with BCE."),
        ("optax/train/polyak-sgd-tanh-ce", "polyak_sgd", {"max_learning_rate": 0.5}, "blobs", [8], "tanh", 16,
         "optax.polyak_sgd: the step size (f(w) - f_min)/||g||^2 from the batch loss (update(..., value=loss)), capped at 0.5."),
    ])


def optax_contrib():
    return "optax/training/contrib.json", f"optax.contrib ademamix, simplified_ademamix, adopt, prodigy, dadapt_adamw, cocob, dog, dowg, madgrad, acprop, momo, momo_adam training small MLPs ({OPTAX}, float64).", _cases(OPTAX, "optax", [
        ("optax/train/ademamix-relu-ce", "ademamix", {"learning_rate": 0.005}, "blobs", [8], "relu", 16,
         "optax.contrib.ademamix: fast and slow EMAs (the slow one not bias-corrected), alpha 5."),
        ("optax/train/simplified-ademamix-tanh-mse", "simplified_ademamix", {"learning_rate": 0.001, "alpha": 2.0}, "regression", [6], "tanh", 16,
         "optax.contrib.simplified_ademamix: an accumulator m <- b1 m + g, alpha 2 on the raw gradient."),
        ("optax/train/adopt-sigmoid-bce", "adopt", {"learning_rate": 0.02}, "xor", [6], "sigmoid", 16,
         "optax.contrib.adopt: the first step only sets v (the parameters stay), then clipped normalised steps."),
        ("optax/train/prodigy-tanh-ce", "prodigy", {"estim_lr0": 1e-3}, "blobs", [8], "tanh", 16,
         "optax.contrib.prodigy (learning_rate 1) from estim_lr0 1e-3: the distance estimate grows over the steps. (From "
         "the default 1e-6 the early x0 - x are below float32's resolution, and a float32 run leaves the float64 one.)"),
        ("optax/train/dadapt-adamw-relu-mse", "dadapt_adamw", {}, "regression", [6], "relu", 16,
         "optax.contrib.dadapt_adamw defaults: D-Adaptation's estimate over every tensor."),
        ("optax/train/cocob-tanh-ce", "cocob", {}, "blobs", [8], "tanh", 16,
         "optax.contrib.cocob defaults: coin betting per element, no lr."),
        ("optax/train/dog-relu-bce", "dog", {}, "xor", [6], "relu", 16,
         "optax.contrib.dog: eta = max(r_eps, ||x - x0||)/sqrt(sum ||g||^2), one norm over every tensor."),
        ("optax/train/dowg-sigmoid-ce", "dowg", {}, "blobs", [8], "sigmoid", 16,
         "optax.contrib.dowg defaults."),
        ("optax/train/madgrad-tanh-ce-digits", "madgrad", {"learning_rate": 0.01}, "digits", [4], "tanh", 32,
         "optax.contrib.madgrad on digits: dual averaging with the cube root."),
        ("optax/train/acprop-relu-ce", "acprop", {"learning_rate": 0.01}, "blobs", [8], "relu", 16,
         "optax.contrib.acprop: AdaBelief's asynchronous form (the old s)."),
        ("optax/train/momo-tanh-mse", "momo", {}, "regression", [6], "tanh", 16,
         "optax.contrib.momo defaults: the Polyak-type step from the batch loss (update(..., value=loss)), capped at learning_rate 1."),
        ("optax/train/momo-adam-relu-ce", "momo_adam", {"learning_rate": 0.05}, "blobs", [8], "relu", 16,
         "optax.contrib.momo_adam: Adam's preconditioner with the step from the batch loss."),
    ])


def keras_training():
    return "keras/training/training.json", f"keras.optimizers training small MLPs: gradients of the jax model, the optimizer's apply_gradients ({KERAS}, float64).", _cases(KERAS, "keras", [
        ("keras/train/adam-tanh-ce-digits", "Adam", {"learning_rate": 0.01}, "digits", [5], "tanh", 32,
         "keras Adam (epsilon hat: eps added to sqrt(v), lr scaled by the bias corrections) on digits."),
        ("keras/train/adamw-relu-ce", "AdamW", {"learning_rate": 0.02, "weight_decay": 0.05}, "blobs", [8], "relu", 16,
         "keras AdamW: w <- w - w lambda lr before the Adam step."),
        ("keras/train/sgd-nesterov-tanh-mse", "SGD", {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}, "regression", [6], "tanh", 16,
         "keras SGD with Nesterov momentum (lr inside the buffer)."),
        ("keras/train/rmsprop-centered-sigmoid-ce", "RMSprop", {"learning_rate": 0.01, "centered": True, "momentum": 0.5}, "blobs", [8], "sigmoid", 16,
         "keras RMSprop centered with momentum (epsilon inside the root, lr inside the buffer)."),
        ("keras/train/adagrad-relu-bce", "Adagrad", {"learning_rate": 0.1}, "xor", [6], "relu", 16,
         "keras Adagrad (initial accumulator 0.1, epsilon inside the root) on a relu MLP (dead unit)."),
        ("keras/train/adadelta-tanh-ce", "Adadelta", {"learning_rate": 1.0}, "blobs", [8], "tanh", 16,
         "keras Adadelta at lr 1 (rho 0.95, epsilon 1e-7)."),
        ("keras/train/adamax-relu-mse", "Adamax", {"learning_rate": 0.02}, "regression", [6], "relu", 16,
         "keras Adamax (epsilon outside the max)."),
        ("keras/train/nadam-sigmoid-bce-digits", "Nadam", {"learning_rate": 0.01}, "digits-binary", [4], "sigmoid", 32,
         "keras Nadam (its momentum schedule and u_product) on digits with BCE."),
        ("keras/train/ftrl-tanh-ce", "Ftrl", {"learning_rate": 0.2, "l2_regularization_strength": 0.001}, "blobs", [8], "tanh", 16,
         "keras Ftrl (FTRL-proximal, initial accumulator 0.1) with L2 regularization."),
        ("keras/train/lion-relu-ce", "Lion", {"learning_rate": 0.003}, "blobs", [8], "relu", 16,
         "keras Lion (sign updates)."),
        ("keras/train/lamb-tanh-mse", "Lamb", {"learning_rate": 0.01}, "regression", [6], "tanh", 16,
         "keras Lamb: trust ratios per tensor."),
        ("keras/train/adafactor-tanh-mse", "Adafactor", {"learning_rate": 0.05}, "regression", [6], "tanh", 16,
         "keras Adafactor: row/col factors of the weights, epsilon_1 added to g^2, clip_threshold 1. (Not on digits: its "
         "always-0 border pixels leave factored statistics of ~1e-30 that amplify gradient rounding.) Tolerance "
         "gen_adafactor.py's KERAS_TOL: Keras takes every mean in float32 (keras.ops.mean), reproduced but not XLA's "
         "summation order.",
         {"tolerance": gen_adafactor.KERAS_TOL}),
        ("keras/train/muon-tanh-ce-deep", "Muon", {"learning_rate": 0.02}, "blobs", [8, 6], "tanh", 16,
         "keras Muon: Newton-Schulz on the 2-D weights, its AdamW on the biases. Tolerance rtol 1e-5 as gen_keras.py's "
         "Muon cases: Keras takes the Frobenius norm of Newton-Schulz's input in float32 on every backend.",
         {"tolerance": {"rtol": 1e-5, "atol": 1e-9}}),
        ("keras/train/schedule-free-adamw-sigmoid-bce", "ScheduleFreeAdamW", {"learning_rate": 0.02}, "xor", [6], "sigmoid", 16,
         "keras ScheduleFreeAdamW (its own form: uniform averaging weights) on a sigmoid MLP."),
    ])


def transformers_training():
    return "transformers/training/training.json", f"transformers Adafactor training small MLPs ({TRANSFORMERS}, float64).", _cases(TRANSFORMERS, "transformers", [
        ("transformers/train/adafactor-relative-step-tanh-ce-digits", "Adafactor", {}, "digits", [5], "tanh", 32,
         "transformers Adafactor defaults: relative step min(1e-2, 1/sqrt(t)), scale_parameter, factored weights."),
        ("transformers/train/adafactor-lr-momentum-relu-ce", "Adafactor",
         {"lr": 0.01, "relative_step": False, "scale_parameter": False, "beta1": 0.9, "weight_decay": 0.01}, "blobs", [8], "relu", 16,
         "transformers Adafactor with an explicit lr, beta1 momentum and weight decay."),
    ])


def prodigy_training():
    return "prodigyopt/training/training.json", f"prodigyopt Prodigy training small MLPs ({PRODIGY}, float64).", _cases(PRODIGY, "prodigyopt", [
        ("prodigyopt/train/prodigy-d0-relu-ce", "Prodigy", {"d0": 1e-3, "betas": [0.9, 0.99]}, "blobs", [8], "relu", 16,
         "prodigyopt Prodigy (lr 1) from d0 1e-3: d grows with the minibatches' gradients. At the default d0 1e-6 the early "
         "x0 - x are below float32's resolution at |x| ~ 0.3, so the library's own float32 run leaves its float64 one by up to 70%."),
        ("prodigyopt/train/prodigy-wd-safeguard-relu-mse", "Prodigy",
         {"weight_decay": 0.01, "safeguard_warmup": True, "use_bias_correction": True}, "regression", [6], "relu", 16,
         "Prodigy with decoupled decay, safeguard_warmup and bias correction."),
    ])


def dadaptation_training():
    return "dadaptation/training/training.json", f"dadaptation DAdaptAdam, DAdaptSGD, DAdaptAdaGrad, DAdaptLion, DAdaptAdan training small MLPs ({DADAPT}, float64).", _cases(DADAPT, "dadaptation", [
        ("dadaptation/train/dadapt-adam-tanh-ce", "DAdaptAdam", {"lr": 0.3}, "blobs", [8], "tanh", 16,
         "DAdaptAdam (d0 1e-6) at lr 0.3 (at lr 1 the loss overshoots from 0.45 back to 2.5)."),
        ("dadaptation/train/dadapt-sgd-relu-mse", "DAdaptSGD", {"momentum": 0.9}, "regression", [6], "relu", 16, "DAdaptSGD with momentum 0.9."),
        ("dadaptation/train/dadapt-adagrad-sigmoid-bce", "DAdaptAdaGrad", {}, "xor", [6], "sigmoid", 16, "DAdaptAdaGrad defaults."),
        ("dadaptation/train/dadapt-lion-tanh-ce", "DAdaptLion", {}, "blobs", [8], "tanh", 16, "DAdaptLion defaults."),
        ("dadaptation/train/dadapt-adan-relu-ce", "DAdaptAdan", {}, "blobs", [8], "relu", 16, "DAdaptAdan defaults."),
    ])


def pytorch_optimizer_more():
    return "pytorch_optimizer/training/more.json", f"pytorch_optimizer ADOPT, AdEMAMix, SimplifiedAdEMAMix, Prodigy, Yogi, AdaBelief, Adan, MADGRAD, StableAdamW, Tiger training small MLPs ({PO}, float64).", _cases(PO, "pytorch_optimizer", [
        ("pytorch_optimizer/train/adopt-tanh-ce", "ADOPT", {"lr": 0.01}, "blobs", [8], "tanh", 16, "ADOPT: the first step only sets v, then normalised, clipped steps."),
        ("pytorch_optimizer/train/ademamix-relu-ce", "AdEMAMix", {"lr": 0.005}, "blobs", [8], "relu", 16, "AdEMAMix: fast and slow EMAs, alpha 5."),
        ("pytorch_optimizer/train/simplified-ademamix-tanh-mse", "SimplifiedAdEMAMix", {"lr": 0.001, "alpha": 2.0}, "regression", [6], "tanh", 16,
         "SimplifiedAdEMAMix with alpha 2."),
        ("pytorch_optimizer/train/prodigy-d0-relu-ce", "Prodigy", {"d0": 1e-3, "betas": [0.9, 0.99]}, "blobs", [8], "relu", 16,
         "pytorch_optimizer Prodigy from d0 1e-3 (at the default 1e-6 the early x0 - x are below float32's resolution: the library's own float32 run leaves its float64 one by 1%)."),
        ("pytorch_optimizer/train/yogi-relu-mse", "Yogi", {"lr": 0.02}, "regression", [6], "relu", 16, "Yogi's additive second moment."),
        ("pytorch_optimizer/train/adabelief-tanh-ce-digits", "AdaBelief", {"lr": 0.01}, "digits", [4], "tanh", 32, "AdaBelief on digits."),
        ("pytorch_optimizer/train/adan-relu-ce", "Adan", {"lr": 0.01, "weight_decay": 0.01}, "blobs", [8], "relu", 16, "Adan with weight decay."),
        ("pytorch_optimizer/train/madgrad-sigmoid-ce", "MADGRAD", {"lr": 0.01}, "blobs", [8], "sigmoid", 16, "MADGRAD: dual averaging with the cube root."),
        ("pytorch_optimizer/train/stableadamw-tanh-bce", "StableAdamW", {"lr": 0.01}, "xor", [6], "tanh", 16, "StableAdamW: per-tensor lr clipped by the RMS of g^2/v."),
        ("pytorch_optimizer/train/tiger-relu-ce", "Tiger", {"lr": 0.003}, "blobs", [8], "relu", 16, "Tiger: one-beta Lion with decoupled decay 0.01."),
    ])


# GaLore is not trained here: its projector is the library's float32 LAPACK SVD, so a golden needs a
# tolerance measured against an exact SVD (as gen_galore.py does for its replay cases); not done yet.
def pytorch_optimizer_recent():
    return "pytorch_optimizer/training/recent.json", f"pytorch_optimizer CAME, Ranger and Ranger21 training small MLPs ({PO}, float64).", _cases(PO, "pytorch_optimizer", [
        ("pytorch_optimizer/train/came-tanh-ce", "CAME", {"lr": 0.002}, "blobs", [8], "tanh", 16,
         "CAME: factored second moment of the weight matrices (biases unfactored), update clipping, confidence."),
        ("pytorch_optimizer/train/ranger-relu-ce", "Ranger", {"lr": 0.01, "k": 4}, "blobs", [8], "relu", 16,
         "Ranger: RAdam (its first steps up the gradient at the defaults) inside centralization and a k = 4 Lookahead."),
        ("pytorch_optimizer/train/ranger21-tanh-mse", "Ranger21", {"lr": 0.01, "num_iterations": 30}, "regression", [6], "tanh", 16,
         "Ranger21 over 30 iterations: warmup, warmdown, alternating momenta, Lookahead."),
    ])


def schedulefree_more():
    return "schedulefree/training/more.json", f"schedulefree RAdamScheduleFree, AdamWScheduleFreePaper, the Reference and the Closure classes training small MLPs, train-mode parameters ({SF}, float64).", _cases(SF, "schedulefree", [
        ("schedulefree/train/radam-sf-tanh-ce", "RAdamScheduleFree", {"lr": 0.02}, "blobs", [8], "tanh", 16,
         "RAdamScheduleFree: no step while rho_t <= 4 (silent_sgd_phase), then rectified steps."),
        ("schedulefree/train/adamw-sf-paper-relu-mse", "AdamWScheduleFreePaper", {"lr": 0.02, "weight_decay": 0.01}, "regression", [6], "relu", 16,
         "AdamWScheduleFreePaper: the lr scaled by sqrt(1 - beta2^t), no bias correction of v."),
        ("schedulefree/train/sgd-sf-reference-sigmoid-bce", "SGDScheduleFreeReference", {"lr": 0.2}, "xor", [6], "sigmoid", 16,
         "SGDScheduleFreeReference: x, y and z kept as tensors, the gradient at y."),
        ("schedulefree/train/adamw-sf-reference-tanh-ce", "AdamWScheduleFreeReference", {"lr": 0.02, "weight_decay": 0.01}, "blobs", [8], "tanh", 16,
         "AdamWScheduleFreeReference with decay."),
        ("schedulefree/train/sgd-sf-closure-tanh-mse", "SGDScheduleFreeClosure", {"lr": 0.1, "warmup_steps": 5}, "regression", [6], "tanh", 16,
         "SGDScheduleFreeClosure stepped with step(closure): the parameters hold x between steps, the closure's loss "
         "and gradient are taken at y (expected_loss is the loss at y); catches the gradient taken at x."),
        ("schedulefree/train/adamw-sf-closure-relu-ce", "AdamWScheduleFreeClosure", {"lr": 0.02, "weight_decay": 0.01}, "blobs", [8], "relu", 16,
         "AdamWScheduleFreeClosure: parameters hold x, loss and gradient at y."),
        ("schedulefree/train/radam-sf-closure-sigmoid-ce", "RAdamScheduleFreeClosure", {"lr": 0.02}, "blobs", [8], "sigmoid", 16,
         "RAdamScheduleFreeClosure: parameters hold x, loss and gradient at y, RAdam's rectification."),
    ])


def run_keras_case(case):
    return gt._fill(case, *keras_runner.train(case))


def _build(groups, run):
    path, desc, cases = groups()
    return Fixture(path, desc, [run(c) for c in cases])


# The file list is fixed here so that listing it imports no library.
for _path, _groups, _run in (
        ("torch/training/more.json", torch_more, gt.run_torch_style),
        ("optax/training/more.json", optax_more, gt.run_optax_case),
        ("optax/training/contrib.json", optax_contrib, gt.run_optax_case),
        ("keras/training/training.json", keras_training, run_keras_case),
        ("transformers/training/training.json", transformers_training, gt.run_torch_style),
        ("prodigyopt/training/training.json", prodigy_training, gt.run_torch_style),
        ("dadaptation/training/training.json", dadaptation_training, gt.run_torch_style),
        ("pytorch_optimizer/training/more.json", pytorch_optimizer_more, gt.run_torch_style),
        ("pytorch_optimizer/training/recent.json", pytorch_optimizer_recent, gt.run_torch_style),
        ("schedulefree/training/more.json", schedulefree_more, gt.run_torch_style)):
    FILES.add(_path, functools.partial(_build, _groups, _run))


def generate():
    return FILES.build_all()
