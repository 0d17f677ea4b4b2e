"""What each library exports: the optimizer and schedule names of the pinned versions, listed by
introspection of the libraries themselves.

Writes fixtures/data/library-names.txt with `python reference/generate.py --only
gen_library_names` (JSON, named .txt like the other data files, because fixture discovery reads
every .json under fixtures/ as a fixture). `descent list --coverage` compares it with Descent's
registry (Sources/DescentCore/Conventions/) to print, per library, what is covered and what is
not, and why (the README's coverage table is that output).

The lists, per library (a name is the one a fixture's `optimizer.name` / `schedule.name` uses):
- torch: the `torch.optim.Optimizer` subclasses in `torch.optim.__all__`; the schedulers in
  `torch.optim.lr_scheduler.__all__` except the base class, and `swa_utils.SWALR`; other:
  `swa_utils.AveragedModel`.
- optax: the functions of `optax._src.alias` exported at the top level (with the partials
  `nadam`, `nadamw`); the public functions of
  `optax.schedules` (not `inject_hyperparams`, which wraps an optimizer); other: the
  optimizers of `optax.contrib` (its functions other than `scale_by_*` building blocks and
  utilities that are not optimizers), named `contrib.<name>`, and `optax.ema`.
- keras: the `keras.optimizers.Optimizer` subclasses in `keras.optimizers` (wrappers under other);
  the `LearningRateSchedule` subclasses in `keras.optimizers.schedules`.
- pytorch_optimizer: the classes of `get_supported_optimizers()` defined in pytorch_optimizer
  itself (the registry also lists torch.optim's own, which the torch convention covers); the
  names of `get_supported_lr_schedulers()`.
- lion_pytorch: `Lion`. schedulefree: its optimizer classes. prodigyopt: its optimizer classes
  (`Prodigy`).
- transformers: the `torch.optim.Optimizer` subclasses of `transformers.optimization` (other: the
  placeholder `LayerWiseDummyOptimizer`); its `get_*` schedule functions (other: `get_scheduler`,
  which dispatches to them by name).
- dadaptation: its optimizer classes.
- bitsandbytes: the `torch.optim.Optimizer` subclasses exported by `bitsandbytes.optim`.
"""
import functools
import inspect
import json
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "jax")

import common

PATH = "data/library-names.txt"

# optax.contrib functions that are not optimizers a user calls on their own.
OPTAX_CONTRIB_NOT_OPTIMIZERS = {
    "differentially_private_aggregate", "hutchinson_estimator_diag_hessian", "mechanize", "normalize",
    "reduce_on_plateau", "sam", "schedule_free_eval_params", "split_real_and_imaginary",
}


def torch_names():
    import torch
    import torch.optim as optim
    from torch.optim import lr_scheduler, swa_utils
    opt = sorted(n for n in optim.__all__
                 if inspect.isclass(getattr(optim, n)) and issubclass(getattr(optim, n), optim.Optimizer)
                 and n != "Optimizer")
    sched = sorted([n for n in lr_scheduler.__all__ if n != "LRScheduler"] + ["SWALR"])
    return {"version": torch.__version__, "optimizers": opt, "schedules": sched, "other": ["AveragedModel"]}


def optax_names():
    import optax
    from optax._src import alias
    def optimizer(n):
        o = getattr(alias, n)
        if getattr(optax, n, None) is not o:
            return False
        if isinstance(o, functools.partial):   # nadam, nadamw: partials of adam, adamw
            return o.func.__module__ == "optax._src.alias"
        return inspect.isfunction(o) and o.__module__ == "optax._src.alias"
    opt = sorted(n for n in dir(alias) if not n.startswith("_") and optimizer(n))
    sched = sorted(n for n in dir(optax.schedules) if not n.startswith("_")
                   and inspect.isfunction(getattr(optax.schedules, n)) and not n.startswith("inject"))
    contrib = sorted("contrib." + n for n in dir(optax.contrib)
                     if not n.startswith("_") and inspect.isfunction(getattr(optax.contrib, n))
                     and not n.startswith("scale_by_") and n not in OPTAX_CONTRIB_NOT_OPTIMIZERS)
    return {"version": optax.__version__, "optimizers": opt, "schedules": sched, "other": contrib + ["ema"]}


def keras_names():
    import keras
    base = keras.optimizers.Optimizer
    wrappers = {"LossScaleOptimizer", "MultiOptimizer", "OptimizerMap"}
    classes = [n for n in dir(keras.optimizers) if not n.startswith("_")
               and inspect.isclass(getattr(keras.optimizers, n)) and issubclass(getattr(keras.optimizers, n), base)
               and n != "Optimizer"]
    s = keras.optimizers.schedules
    sched = sorted(n for n in dir(s) if inspect.isclass(getattr(s, n))
                   and issubclass(getattr(s, n), s.LearningRateSchedule) and n != "LearningRateSchedule")
    return {"version": keras.__version__, "optimizers": sorted(set(classes) - wrappers),
            "schedules": sched, "other": sorted(set(classes) & wrappers)}


def pytorch_optimizer_names():
    import pytorch_optimizer as po
    from importlib.metadata import version
    classes = {po.load_optimizer(n) for n in po.get_supported_optimizers()}
    opt = sorted(c.__name__ for c in classes if c.__module__.startswith("pytorch_optimizer"))
    return {"version": version("pytorch_optimizer"), "optimizers": opt,
            "schedules": sorted(po.get_supported_lr_schedulers()), "other": []}


def lion_pytorch_names():
    from importlib.metadata import version
    return {"version": version("lion-pytorch"), "optimizers": ["Lion"], "schedules": [], "other": []}


def prodigyopt_names():
    import prodigyopt
    import torch
    from importlib.metadata import version
    opt = sorted(n for n in dir(prodigyopt) if not n.startswith("_") and inspect.isclass(getattr(prodigyopt, n))
                 and issubclass(getattr(prodigyopt, n), torch.optim.Optimizer))
    return {"version": version("prodigyopt"), "optimizers": opt, "schedules": [], "other": []}


def schedulefree_names():
    import schedulefree
    import torch
    from importlib.metadata import version
    opt = sorted(n for n in dir(schedulefree) if not n.startswith("_") and inspect.isclass(getattr(schedulefree, n))
                 and issubclass(getattr(schedulefree, n), torch.optim.Optimizer))
    return {"version": version("schedulefree"), "optimizers": opt, "schedules": [], "other": []}


def dadaptation_names():
    import dadaptation
    import torch
    from importlib.metadata import version
    opt = sorted(n for n in dir(dadaptation) if not n.startswith("_") and inspect.isclass(getattr(dadaptation, n))
                 and issubclass(getattr(dadaptation, n), torch.optim.Optimizer))
    return {"version": version("dadaptation"), "optimizers": opt, "schedules": [], "other": []}


def bitsandbytes_names():
    import bitsandbytes.optim as bo
    import torch
    from importlib.metadata import version
    opt = sorted(n for n in dir(bo) if not n.startswith("_") and inspect.isclass(getattr(bo, n))
                 and issubclass(getattr(bo, n), torch.optim.Optimizer))
    return {"version": version("bitsandbytes"), "optimizers": opt, "schedules": [], "other": []}


def transformers_names():
    import inspect as i
    import torch
    import transformers
    from transformers import optimization as o
    classes = sorted(n for n in dir(o) if i.isclass(getattr(o, n)) and issubclass(getattr(o, n), torch.optim.Optimizer)
                     and getattr(o, n).__module__.startswith("transformers"))
    sched = sorted(n for n in dir(o) if n.startswith("get_") and i.isfunction(getattr(o, n)) and n != "get_scheduler")
    dummy = {"LayerWiseDummyOptimizer"}
    return {"version": transformers.__version__, "optimizers": sorted(set(classes) - dummy), "schedules": sched,
            "other": sorted(set(classes) & dummy) + ["get_scheduler"]}


def build() -> "common.TextFile":
    doc = {
        "format": "descent-library-names/1",
        "generator": "reference/gen_library_names.py",
        "rules": __doc__.split("\n\n")[2].strip(),
        "libraries": {
            "torch": torch_names(),
            "optax": optax_names(),
            "keras": keras_names(),
            "pytorch_optimizer": pytorch_optimizer_names(),
            "lion_pytorch": lion_pytorch_names(),
            "schedulefree": schedulefree_names(),
            "transformers": transformers_names(),
            "prodigyopt": prodigyopt_names(),
            "dadaptation": dadaptation_names(),
            "bitsandbytes": bitsandbytes_names(),
        },
    }
    return common.TextFile(PATH, json.dumps(doc, indent=1, sort_keys=True) + "\n")


FILES = common.Files()
FILES.add(PATH, build)


if __name__ == "__main__":
    sys.exit("run it as: python reference/generate.py --only gen_library_names")
