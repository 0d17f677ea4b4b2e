// PytorchOptimizer+Schedules.swift — the pytorch_optimizer convention's schedules: the names of
// `pytorch_optimizer.load_lr_scheduler(name)` (pytorch-optimizer 4.1.0, lr_scheduler/__init__.py)
// that return torch.optim.lr_scheduler's own classes, so each is the torch entry itself, with
// torch's keywords, defaults and errors. Its own schedulers (chebyshev, cosine, linear, poly,
// proportion, rex, cosine_annealing_with_warmup, warmup_stable_decay) are not implemented yet.

/// (load_lr_scheduler name, the torch.optim.lr_scheduler class it returns), in the library's order.
private let torchClassesOfPytorchOptimizer: [(name: String, torch: String)] = [
    ("constant", "ConstantLR"), ("step", "StepLR"), ("multi_step", "MultiStepLR"), ("cyclic", "CyclicLR"),
    ("multiplicative", "MultiplicativeLR"), ("one_cycle", "OneCycleLR"), ("cosine_annealing", "CosineAnnealingLR"),
    ("cosine_annealing_with_warm_restart", "CosineAnnealingWarmRestarts"),
]

let pytorchOptimizerSchedules: [ScheduleEntry] = torchClassesOfPytorchOptimizer.compactMap { pair in
    guard let torch = torchSchedules.first(where: { $0.name == pair.torch }) else { return nil }
    return ScheduleEntry(pair.name, "torch.optim.lr_scheduler.\(pair.torch) itself (what load_lr_scheduler('\(pair.name)') returns)") { h, context in
        try torch.build(&h, context)
    }
}
