#!/usr/bin/env python3
"""A third-party-style library for trying the diagnosis (not a conformance adapter): torch-style names, its own maths.
- RAdam: eps added to sqrt(v_hat) (optax's form) in a torch-style RAdam
- RMSprop: square_avg starts at 1 (optax initial_scale), eps inside the root, lr inside the momentum buffer
- Adam: bias corrections computed in float32
- Adagrad: rejects lr_decay (an error on a trajectory case)
- validation cases: rejected in its own words
"""
import json, math, sys
import numpy as np
import os
ODD = os.environ.get('DESCENT_EXAMPLE_ODD') == '1'

def radam(case, hp):
    if any(hp.get(k) for k in ("decoupled_weight_decay", "maximize", "foreach")): return None
    lr0, (b1, b2), eps, wd = hp.get("lr", 1e-3), hp.get("betas", (0.9, 0.999)), hp.get("eps", 1e-8), hp.get("weight_decay", 0.0)
    ps = [list(p["values"]) for p in case["params"]]
    m = [[0.0]*len(p) for p in ps]; v = [[0.0]*len(p) for p in ps]
    rho_inf = 2/(1-b2) - 1
    out = []
    for t, s in enumerate(case["steps"], start=1):
        lr = s.get("lr", lr0)
        bc1, bc2 = 1 - b1**t, 1 - b2**t
        rho = rho_inf - 2*t*b2**t/bc2
        for i, gs in enumerate(s["grads"]):
            for j, g in enumerate(gs):
                g = g + wd*ps[i][j]
                m[i][j] = b1*m[i][j] + (1-b1)*g
                v[i][j] = b2*v[i][j] + (1-b2)*g*g
                mhat = m[i][j]/bc1
                if rho > 5:
                    r = math.sqrt((rho-4)*(rho-2)*rho_inf/((rho_inf-4)*(rho_inf-2)*rho))
                    ps[i][j] -= lr*r*mhat/(math.sqrt(v[i][j]/bc2) + eps)
                else:
                    ps[i][j] -= lr*mhat
        out.append([list(p) for p in ps])
    return out

def rmsprop(case, hp):
    if any(hp.get(k) for k in ("centered", "maximize", "capturable")): return None
    lr0, a, eps, wd, mom = hp.get("lr", 1e-2), hp.get("alpha", 0.99), hp.get("eps", 1e-8), hp.get("weight_decay", 0.0), hp.get("momentum", 0.0)
    ps = [list(p["values"]) for p in case["params"]]
    sq = [[1.0]*len(p) for p in ps]; buf = [[0.0]*len(p) for p in ps]
    out = []
    for s in case["steps"]:
        lr = s.get("lr", lr0)
        for i, gs in enumerate(s["grads"]):
            for j, g in enumerate(gs):
                g = g + wd*ps[i][j]
                sq[i][j] = a*sq[i][j] + (1-a)*g*g
                u = g/math.sqrt(sq[i][j] + eps)
                if mom:
                    buf[i][j] = mom*buf[i][j] + lr*u
                    ps[i][j] -= buf[i][j]
                else:
                    ps[i][j] -= lr*u
        out.append([list(p) for p in ps])
    return out

def adam(case, hp):
    if any(hp.get(k) for k in ("amsgrad", "maximize", "decoupled_weight_decay")): return None
    lr0, (b1, b2), eps, wd = hp.get("lr", 1e-3), hp.get("betas", (0.9, 0.999)), hp.get("eps", 1e-8), hp.get("weight_decay", 0.0)
    if ODD: b1, b2 = 0.85, 0.9991   # on no grid: nothing reproduces it (the search's worst case)
    ps = [list(p["values"]) for p in case["params"]]
    m = [[0.0]*len(p) for p in ps]; v = [[0.0]*len(p) for p in ps]
    out = []
    for t, s in enumerate(case["steps"], start=1):
        lr = s.get("lr", lr0)
        bc1 = float(np.float32(1) - np.float32(b1)**np.float32(t))
        bc2s = float(np.sqrt(np.float32(1) - np.float32(b2)**np.float32(t)))
        for i, gs in enumerate(s["grads"]):
            for j, g in enumerate(gs):
                g = g + wd*ps[i][j]
                m[i][j] = b1*m[i][j] + (1-b1)*g
                v[i][j] = b2*v[i][j] + (1-b2)*g*g
                ps[i][j] -= lr/bc1*m[i][j]/(math.sqrt(v[i][j])/bc2s + eps)
        out.append([list(p) for p in ps])
    return out

def adagrad(case, hp):
    if hp.get("lr_decay"): raise ValueError("lr_decay is not supported")
    return None

for line in sys.stdin:
    case = json.loads(line)
    opt = case.get("optimizer") or {}
    key = (opt.get("convention"), opt.get("name"))
    hp = opt.get("hyperparameters") or {}
    answer = {"id": case["id"]}
    if case.get("validation"):
        answer["error"] = "bad argument for %s" % opt.get("name")
    else:
        run = {("torch", "RAdam"): radam, ("torch", "RMSprop"): rmsprop, ("torch", "Adam"): adam, ("torch", "Adagrad"): adagrad}.get(key)
        try:
            params = None
            if run and case.get("kind") == "optimizer" and not case.get("problem") and not case.get("grad_transforms") and case.get("steps") \
               and not any(k in case for k in ("param_groups", "features", "resume")):
                params = run(case, hp)
            if params is None: answer["unsupported"] = "not implemented"
            else: answer["params"] = params
        except ValueError as e:
            answer["error"] = str(e)
    print(json.dumps(answer), flush=True)
