"""The MLP of the fixture spec's "Training case", in torch and in jax, and its two training loops,
run by runners/torch.py and runners/optax.py (`train`) for gen_training.py and the adapters alike
(so a golden and an adapter compute the same model the same way).

Model (course notation): sizes [d0, ..., dL]; a(l) = W(l) z(l-1) + b(l) with W(l) of shape
[d_l, d_{l-1}] (nn.Linear layout); z(l) = act(a(l)) for hidden layers; the last layer is linear.
params = [W1, b1, W2, b2, ...]. Losses on the logits a(L):
  cross_entropy         torch F.cross_entropy / optax softmax_cross_entropy_with_integer_labels(...).mean()
  mse                   torch F.mse_loss / jnp.mean(optax.squared_error(...))
  binary_cross_entropy  torch F.binary_cross_entropy_with_logits / optax sigmoid_binary_cross_entropy(...).mean()
"""
import numpy as np


def arrays(case):
    """(spec, X [N, d0], y) as float64 numpy arrays from a training case."""
    m, d = case["model"], case["data"]
    X = np.array(d["inputs"]["values"], dtype=np.float64).reshape(d["inputs"]["shape"])
    y = np.array(d["targets"]["values"], dtype=np.float64).reshape(d["targets"]["shape"])
    return m, X, y


def check_model(m):
    """None when the model is one this module runs, else the reason (answered `unsupported`)."""
    if m.get("type") != "mlp":
        return f"model type {m.get('type')!r} is not implemented"
    if m.get("activation") not in (None, "sigmoid", "tanh", "relu"):
        return f"activation {m.get('activation')!r} is not implemented"
    if m.get("loss") not in ("cross_entropy", "mse", "binary_cross_entropy"):
        return f"loss {m.get('loss')!r} is not implemented"
    return None


# --------------------------------------------------------------------------------------------- torch

def torch_loss(m, ps, X, y):
    import torch
    import torch.nn.functional as F

    act = {"sigmoid": torch.sigmoid, "tanh": torch.tanh, "relu": F.relu}.get(m.get("activation"))
    z = X
    layers = len(ps) // 2
    for l in range(layers):
        z = F.linear(z, ps[2 * l], ps[2 * l + 1])
        if l < layers - 1:
            z = act(z)
    if m["loss"] == "cross_entropy":
        return F.cross_entropy(z, y.long())
    if m["loss"] == "mse":
        return F.mse_loss(z, y)
    return F.binary_cross_entropy_with_logits(z[:, 0], y)


def takes_closure(opt):
    """torch.optim.LBFGS (it re-evaluates the objective) and schedulefree's *Closure classes (their
    parameters hold x; they move them to y, call the closure there and move back): stepped with
    `opt.step(closure)`."""
    import torch

    return isinstance(opt, torch.optim.LBFGS) or (type(opt).__module__.startswith("schedulefree")
                                                  and type(opt).__name__.endswith("Closure"))


def torch_train(case, opt, ps, clip=None, on_step=None):
    """The training loop: per step set the lr (an override holds for its step only), zero the
    grads, loss = the batch loss at the current parameters, backward, `clip(ps)`, opt.step().
    An optimizer that `takes_closure` gets these as its closure, `opt.step(closure)`; the loss is
    then what step returns (the closure's first value: LBFGS's at the parameters, a *Closure
    class's at y). Returns (losses, params after each step)."""
    import torch

    m, X, y = arrays(case)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    base = [g["lr"] for g in opt.param_groups]
    losses, out = [], []
    for s in case["steps"]:
        for g, b in zip(opt.param_groups, base):
            g["lr"] = s["lr"] if s.get("lr") is not None else b
        rows = torch.tensor(s["batch"], dtype=torch.long)

        def closure(rows=rows):
            opt.zero_grad()
            loss = torch_loss(m, ps, Xt[rows], yt[rows])
            loss.backward()
            if clip is not None:
                clip(ps)
            return loss

        if takes_closure(opt):
            loss = opt.step(closure)
        else:
            loss = closure()
            opt.step()
        losses.append(float(loss.detach()))
        out.append([p.detach().numpy().reshape(-1).tolist() for p in ps])
    return losses, out


# --------------------------------------------------------------------------------------------- jax / optax

def jax_loss(m, ps, X, y):
    import jax
    import jax.numpy as jnp
    import optax

    act = {"sigmoid": jax.nn.sigmoid, "tanh": jnp.tanh, "relu": jax.nn.relu}.get(m.get("activation"))
    z = X
    layers = len(ps) // 2
    for l in range(layers):
        z = z @ ps[2 * l].T + ps[2 * l + 1]
        if l < layers - 1:
            z = act(z)
    if m["loss"] == "cross_entropy":
        return optax.softmax_cross_entropy_with_integer_labels(z, y.astype(jnp.int32)).mean()
    if m["loss"] == "mse":
        return jnp.mean(optax.squared_error(z, y))
    return optax.sigmoid_binary_cross_entropy(z[:, 0], y).mean()


def optax_train(case, opt, injected, base_lr, transforms_chained, takes_value=False):
    """jax.value_and_grad of the batch loss, then opt.update / apply_updates. With `injected`,
    opt was built by inject_hyperparams and a step's lr is set in its hyperparams (the inner
    state when clipping transforms are chained in front). With `takes_value` (polyak_sgd, momo,
    momo_adam) the batch loss goes to the update as `value=`. Returns (losses, params after each step)."""
    import jax
    import jax.numpy as jnp
    import optax

    m, X, y = arrays(case)
    ps = [jnp.asarray(np.array(p["values"], dtype=np.float64).reshape(p["shape"])) for p in case["params"]]
    state = opt.init(ps)
    # jit: XLA compiles the loss/gradient and the update once per batch shape (op-by-op dispatch
    # of Muon's Newton-Schulz takes minutes); same float64 operations.
    vg = jax.jit(jax.value_and_grad(lambda p, xb, yb: jax_loss(m, p, xb, yb)))
    update = jax.jit(opt.update)
    losses, out = [], []
    for s in case["steps"]:
        if injected:
            lr = s["lr"] if s.get("lr") is not None else base_lr
            inner = state[-1] if transforms_chained else state
            inner.hyperparams["learning_rate"] = jnp.asarray(lr, dtype=jnp.float64)
        rows = np.array(s["batch"], dtype=np.int64)
        loss, g = vg(ps, jnp.asarray(X[rows]), jnp.asarray(y[rows]))
        updates, state = update(g, state, ps, value=loss) if takes_value else update(g, state, ps)
        ps = optax.apply_updates(ps, updates)
        losses.append(float(loss))
        out.append([np.asarray(p).reshape(-1).tolist() for p in ps])
    return losses, out


# --------------------------------------------------------------------------------------------- keras (JAX backend)

def keras_train(case, opt, vs, keras):
    """The jax loop's gradients (jax.value_and_grad of jax_loss at the variables' values), then the
    Keras optimizer's own `apply_gradients` on the keras.Variables `vs`. A step's lr is assigned to
    `optimizer.learning_rate` for that step only (the constructor's value is assigned back on the
    next step without one), as runners/keras.py's replay does. Returns (losses, params after each step)."""
    import jax
    import jax.numpy as jnp

    m, X, y = arrays(case)
    vg = jax.jit(jax.value_and_grad(lambda p, xb, yb: jax_loss(m, p, xb, yb)))
    base, overridden = None, False
    losses, out = [], []
    for s in case["steps"]:
        if s.get("lr") is not None:
            if base is None:
                base = float(np.asarray(opt.learning_rate))
            opt.learning_rate = s["lr"]
            overridden = True
        elif overridden:
            opt.learning_rate = base
            overridden = False
        rows = np.array(s["batch"], dtype=np.int64)
        ps = [jnp.asarray(np.asarray(v)) for v in vs]
        loss, g = vg(ps, jnp.asarray(X[rows]), jnp.asarray(y[rows]))
        opt.apply_gradients([(keras.ops.convert_to_tensor(gi), v) for gi, v in zip(g, vs)])
        losses.append(float(loss))
        out.append([np.asarray(v).reshape(-1).tolist() for v in vs])
    return losses, out
