// MultiTensor.swift — one element-wise pass over a model's whole parameter list.
//
// A model is a list of tensors of very different sizes (GPT-2 small: 148 tensors, ResNet-50:
// 161, 143 of them under 512K elements). Threading one tensor at a time leaves every tensor below
// the parallel threshold on one core. `Engine.map(_:_:_:_:)` over lists instead runs ONE parallel
// region per step: the tensors are laid end to end in a virtual index space (each starting on a
// 64-element boundary, so no two threads write the same cache line), the space is cut into
// equal pieces, and the pool's threads (WorkerPool.swift) claim pieces; a piece may cover the
// end of one tensor and the start of the next. The work split is size-balanced: every element
// of one pass costs the same bytes (p, g and the same slots).
//
// Results are bit-identical to `naive` and to a tensor-by-tensor loop: each element gets the
// same kernel, the same IEEE operations, whichever thread and piece runs it.
//
// Whether to split: when the whole list's work (elements × (1 + slots)) reaches the engine's
// parallel threshold (Vectorized.swift), the same measure as for one tensor.

extension Engine {
    /// Runs `kernel` over every element of every tensor: `slots[s][i]` is slot s of tensor i.
    @inlinable
    public func map<K: ElementwiseKernel>(_ kernel: K, _ params: [Buffer<K.Scalar>], _ grads: [Buffer<K.Scalar>],
                                          _ slots: [[Buffer<K.Scalar>]]) {
        map(perTensor: { _ in kernel }, params, grads, slots)
    }

    /// As above, with tensor i's kernel given by `kernel(i)` (a per-tensor decay mask, …).
    @inlinable
    public func map<K: ElementwiseKernel>(perTensor kernel: (Int) -> K, _ params: [Buffer<K.Scalar>],
                                          _ grads: [Buffer<K.Scalar>], _ slots: [[Buffer<K.Scalar>]]) {
        precondition(grads.count == params.count && slots.allSatisfy { $0.count == params.count }, "engine.map: mismatched lists")
        switch kind {
        case .naive:
            for i in params.indices { NaiveEngine.map(kernel(i), params[i], grads[i], slots.map { $0[i] }) }
        case .vectorized, .blas:
            VectorizedEngine.mapList(kernel, params, grads, slots, threads: threads, loops: loops)
        }
    }
}

extension VectorizedEngine {
    /// How many pieces per thread a list pass is cut into: more pieces even out a core that
    /// another process slows down, at a few hundred nanoseconds per piece.
    nonisolated(unsafe) public static var piecesPerThread = 4

    /// One tensor of a list pass: its kernel and pointers, its length and where it starts in the
    /// virtual index space.
    @usableFromInline
    struct ListItem<K: ElementwiseKernel> {
        @usableFromInline let kernel: K
        @usableFromInline let bases: Bases<K.Scalar>
        @usableFromInline let count: Int
        @usableFromInline let start: Int
        @inlinable init(kernel: K, bases: Bases<K.Scalar>, count: Int, start: Int) {
            self.kernel = kernel; self.bases = bases; self.count = count; self.start = start
        }
    }

    /// The list pass (see the file header).
    @inlinable
    public static func mapList<K: ElementwiseKernel>(_ kernel: (Int) -> K, _ params: [Buffer<K.Scalar>], _ grads: [Buffer<K.Scalar>],
                                                     _ slots: [[Buffer<K.Scalar>]], threads: Int, loops: LoopChoice = .installed) {
        let wide = loops.table?.loop(for: K.self)
        let body: Accelerator.Loop<K> = wide ?? { k, b, lo, hi in run(k, b, lo, hi) }
        var items: [ListItem<K>] = []
        items.reserveCapacity(params.count)
        var start = 0, work = 0
        for i in params.indices {
            let k = kernel(i)
            let p = params[i]
            precondition(grads[i].count == p.count && slots.count == k.slotCount && slots.allSatisfy { $0[i].count == p.count },
                         "engine.map: mismatched buffers for tensor \(i)")
            items.append(ListItem(kernel: k, bases: Bases(p, grads[i], slots.map { $0[i] }), count: p.count, start: start))
            start += (p.count + 63) & ~63
            work += p.count * (1 + k.slotCount)
        }
        if threads <= 1 || work < parallelThreshold(accelerated: wide != nil) {
            for it in items { body(it.kernel, it.bases, 0, it.count) }
            return
        }
        let total = start
        let pieces = max(1, min(threads * piecesPerThread, total / 64))
        let step = ((total + pieces - 1) / pieces + 63) & ~63
        let pass = ListPass(items: items, body: body)
        WorkerPool.shared.run(chunks: (total + step - 1) / step, threads: threads) { c in pass.run(c * step, min(total, c * step + step)) }
    }

    @usableFromInline
    struct ListPass<K: ElementwiseKernel>: @unchecked Sendable {
        @usableFromInline let items: [ListItem<K>]
        @usableFromInline let body: Accelerator.Loop<K>
        @inlinable init(items: [ListItem<K>], body: @escaping Accelerator.Loop<K>) { self.items = items; self.body = body }

        /// Virtual indices lo..<hi: the parts of the tensors that fall there.
        @inlinable func run(_ lo: Int, _ hi: Int) {
            // The last tensor starting at or before lo.
            var a = 0, b = items.count - 1
            while a < b {
                let mid = (a + b + 1) / 2
                if items[mid].start <= lo { a = mid } else { b = mid - 1 }
            }
            var i = a
            while i < items.count, items[i].start < hi {
                let it = items[i]
                let from = max(lo, it.start) - it.start, to = min(hi - it.start, it.count)
                if from < to { body(it.kernel, it.bases, from, to) }
                i += 1
            }
        }
    }
}
