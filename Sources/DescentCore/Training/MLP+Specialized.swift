// MLP+Specialized.swift — entry points of MLP prespecialised for Float and Double.
//
// MLP<T> is generic; called from another module (the harness: `descent train`, `descent bench
// --model`), its methods would run as unspecialised generic code — every element operation of
// the activations, the loss and the gather through witness tables, an order of magnitude slower
// than the gemm they surround. These wrappers take the batch as [Int] (no opaque parameter) and
// are exported specialised for both precisions, so a caller in another module that knows T runs
// the specialised body.
extension MLP {
    /// `lossAndGradients(params:data:rows:into:)` with the batch as an array.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    @discardableResult
    public func lossAndGradients(params: [Buffer<T>], data: TrainingData<T>, batch: [Int], into grads: [Buffer<T>]) -> T {
        lossAndGradients(params: params, data: data, rows: batch, into: grads)
    }

    /// `loss(params:data:rows:)` with the batch as an array.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func loss(params: [Buffer<T>], data: TrainingData<T>, batch: [Int]) -> T {
        loss(params: params, data: data, rows: batch)
    }

    /// `evaluate(params:data:)` on every row.
    @_specialize(exported: true, where T == Float)
    @_specialize(exported: true, where T == Double)
    public func evaluateAll(params: [Buffer<T>], data: TrainingData<T>) -> Evaluation {
        evaluate(params: params, data: data)
    }
}
