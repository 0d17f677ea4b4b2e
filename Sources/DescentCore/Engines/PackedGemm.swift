// PackedGemm.swift — the accelerated tables' matrix product: packed panels, cache blocking and a
// register tile (the GotoBLAS / BLIS structure), C ← α·op(A)·op(B) + β·C, row-major.
//
//   for each panel of NC columns of C (jc):
//     for each block of KC products (pc):            pack op(B)[pc.., jc..] as NR-column slivers
//                                                    (split across threads: ≥ 2 slivers each)
//       for each block of MC rows (ic, split across threads):
//                                                    pack op(A)[ic.., pc..] as MR-row slivers
//         for each sliver pair: the micro-kernel keeps an MR × NR tile of C in registers
//         (MR broadcasts of A × NR/W lanes of B per product) over the KC products.
// The first k-block starts the tile from zero, later ones from a scratch copy of the partial
// sums, and the last one writes α·acc + β·C (β = 0: α·acc + 0, C never read), the same final
// expression as naive. Every entry still sums its products in order l = 0, 1, …, k − 1.
//
// How the tile multiplies and adds is the arithmetic type M's choice (GemmArithmetic):
//   separate   acc + a·b, two roundings: every entry gets naive's operations in naive's order, so
//              the product is bit-identical to naive (the AVX2 table: 4 × 16 tile);
//   fused      one FMA, one rounding per product (the AVX-512 table: 8 × 32 floats / 8 × 16
//              doubles, 16 zmm accumulators). NOT bit-identical to naive: each entry differs from
//              the exact sum by at most γₖ·Σₗ|aᵢₗ·bₗⱼ| (γₖ = k·u/(1 − k·u), u = 2⁻²⁴ / 2⁻⁵³), as
//              naive's does, so |fused − naive| ≤ 2·γₖ·Σₗ|aᵢₗ·bₗⱼ| (EngineTests: GemmTests
//              assert it against naive for every transpose, tail, stride, thread count, dtype).
// The baseline table (DescentCore itself) keeps the row-by-row product (Vectorized.swift).
//
// Linker safety (Loops.swift): every generic here carries the accelerator module's Tag and
// arithmetic type, so the specialisations compiled there have names of that module's own.

/// How a packed-GEMM register tile multiplies and adds, and its shape.
public protocol GemmArithmetic: SendableMetatype {
    /// c + a·b (separately rounded, or fused).
    static func madd(_ c: SIMD16<Float>, _ a: SIMD16<Float>, _ b: SIMD16<Float>) -> SIMD16<Float>
    static func madd(_ c: SIMD8<Double>, _ a: SIMD8<Double>, _ b: SIMD8<Double>) -> SIMD8<Double>
    /// The tile: 8 rows × 2 lanes (16 accumulators) or 4 rows × 1 lane (4 accumulators).
    static var wideTile: Bool { get }
}

extension VectorizedEngine {
    /// The k-block (products kept in registers between scratch round trips), the row block and
    /// the column panel. KC·NR·sizeof(T) = 32 KiB: the B sliver stays in L1 across a row block.
    public static let gemmKC = 256, gemmMC = 128, gemmNC = 2048

    /// The packed, blocked product (see the file header).
    @inlinable
    public static func packedGemm<T: DescentFloat, Tag, M: GemmArithmetic>(_ p: GemmProblem<T>, tag: Tag.Type, arithmetic: M.Type) {
        guard p.m > 0, p.n > 0 else { return }
        PackedGemm<T, Tag, M>(p).run()
    }
}

extension VectorizedEngine {
@usableFromInline
struct PackedGemm<T: DescentFloat, Tag, M: GemmArithmetic>: @unchecked Sendable {
    @usableFromInline typealias V = SIMDLane<T>
    @usableFromInline let p: GemmProblem<T>
    @usableFromInline let mr: Int, lanes: Int, nr: Int, kc: Int
    /// Partial sums between k-blocks (m × n), when k > KC.
    @usableFromInline let scratch: Buffer<T>?

    @inlinable init(_ p: GemmProblem<T>) {
        self.p = p
        mr = M.wideTile ? 8 : 4
        lanes = M.wideTile ? 2 : 1
        nr = lanes * V.scalarCount
        kc = VectorizedEngine.gemmKC
        scratch = p.k > kc ? Buffer<T>(zeros: p.m * p.n) : nil
    }

    @inlinable func run() {
        let m = p.m, n = p.n, k = p.k
        if k == 0 {
            // α·0 + β·C, as naive.
            for i in 0..<m {
                let ci = p.c + i * p.ldc
                for j in 0..<n { ci[j] = p.alpha * T(0) + (p.beta == 0 ? 0 : p.beta * ci[j]) }
            }
            return
        }
        let nc = VectorizedEngine.gemmNC
        let threads = p.threads > 1 && m * n * k >= VectorizedEngine.gemmParallelThreshold ? min(p.threads, (m + mr - 1) / mr) : 1
        var jc = 0
        while jc < n {
            let ncur = min(nc, n - jc)
            let slivers = (ncur + nr - 1) / nr
            var pc = 0
            while pc < k {
                let kcur = min(kc, k - pc)
                let bp = UnsafeMutablePointer<T>.allocate(capacity: slivers * kcur * nr)
                defer { bp.deallocate() }
                if threads > 1 && slivers >= 2 * threads {
                    // The B panel packed by all the product's threads (slivers are independent
                    // copies), then the row blocks: two parallel regions, no change to any result.
                    let pack = PackB(g: self, bp: bp, jc: jc, ncur: ncur, pc: pc, kcur: kcur)
                    VectorizedEngine.split(slivers, into: threads) { lo, hi in pack.run(lo, hi) }
                } else {
                    packB(bp, jc: jc, ncur: ncur, pc: pc, kcur: kcur)
                }
                let job = Block(g: self, bp: UnsafePointer(bp), jc: jc, ncur: ncur, pc: pc, kcur: kcur,
                                first: pc == 0, last: pc + kcur == k)
                VectorizedEngine.split(m, into: threads, align: mr) { lo, hi in job.rows(lo, hi) }
                pc += kcur
            }
            jc += ncur
        }
        withExtendedLifetime(scratch) {}
    }

    /// op(B)[pc..<pc+kcur, jc..<jc+ncur] as slivers of nr columns: sliver s, product l at
    /// bp[(s·kcur + l)·nr ...] (zero-padded past n); `only` packs just those slivers.
    @inlinable func packB(_ bp: UnsafeMutablePointer<T>, jc: Int, ncur: Int, pc: Int, kcur: Int, only: Range<Int>? = nil) {
        let slivers = (ncur + nr - 1) / nr
        for s in only ?? 0..<slivers {
            let j0 = jc + s * nr, w = min(nr, jc + ncur - j0)
            var dst = bp + s * kcur * nr
            if w < nr { dst.update(repeating: 0, count: kcur * nr) }
            for l in pc..<(pc + kcur) {
                if p.transB {
                    for j in 0..<w { dst[j] = p.b[(j0 + j) * p.ldb + l] }
                } else {
                    let src = p.b + l * p.ldb + j0
                    for j in 0..<w { dst[j] = src[j] }
                }
                dst += nr
            }
        }
    }

    /// op(A)[i0..<i0+mcur, pc..<pc+kcur] as slivers of mr rows: sliver s, product l at
    /// ap[(s·kcur + l)·mr ...] (zero-padded past m).
    @inlinable func packA(_ ap: UnsafeMutablePointer<T>, i0: Int, mcur: Int, pc: Int, kcur: Int) {
        let slivers = (mcur + mr - 1) / mr
        for s in 0..<slivers {
            let r0 = i0 + s * mr, h = min(mr, i0 + mcur - r0)
            let dst = ap + s * kcur * mr
            if h < mr { (dst).update(repeating: 0, count: kcur * mr) }
            if p.transA {
                for l in 0..<kcur {
                    let src = p.a + (pc + l) * p.lda + r0
                    for r in 0..<h { dst[l * mr + r] = src[r] }
                }
            } else {
                // Contiguous writes, h row streams read.
                let src = p.a + r0 * p.lda + pc
                for l in 0..<kcur {
                    for r in 0..<h { dst[l * mr + r] = src[r * p.lda + l] }
                }
            }
        }
    }

    /// Packing slivers lo..<hi of one B panel, on one of the product's threads.
    @usableFromInline
    struct PackB: @unchecked Sendable {
        @usableFromInline let g: PackedGemm
        @usableFromInline let bp: UnsafeMutablePointer<T>
        @usableFromInline let jc: Int, ncur: Int, pc: Int, kcur: Int
        @inlinable init(g: PackedGemm, bp: UnsafeMutablePointer<T>, jc: Int, ncur: Int, pc: Int, kcur: Int) {
            self.g = g; self.bp = bp; self.jc = jc; self.ncur = ncur; self.pc = pc; self.kcur = kcur
        }
        @inlinable func run(_ lo: Int, _ hi: Int) { g.packB(bp, jc: jc, ncur: ncur, pc: pc, kcur: kcur, only: lo..<hi) }
    }

    /// One (jc, pc) block for a thread's rows.
    @usableFromInline
    struct Block: @unchecked Sendable {
        @usableFromInline let g: PackedGemm
        @usableFromInline let bp: UnsafePointer<T>
        @usableFromInline let jc: Int, ncur: Int, pc: Int, kcur: Int
        @usableFromInline let first: Bool, last: Bool

        @inlinable init(g: PackedGemm, bp: UnsafePointer<T>, jc: Int, ncur: Int, pc: Int, kcur: Int, first: Bool, last: Bool) {
            self.g = g; self.bp = bp; self.jc = jc; self.ncur = ncur; self.pc = pc; self.kcur = kcur
            self.first = first; self.last = last
        }

        @inlinable func rows(_ lo: Int, _ hi: Int) {
            let mr = g.mr, nr = g.nr
            let mc = VectorizedEngine.gemmMC
            let ap = UnsafeMutablePointer<T>.allocate(capacity: ((min(mc, hi - lo) + mr - 1) / mr) * mr * kcur)
            let tile = UnsafeMutablePointer<T>.allocate(capacity: mr * nr)
            defer { ap.deallocate(); tile.deallocate() }
            var ic = lo
            while ic < hi {
                let mcur = min(mc, hi - ic)
                g.packA(ap, i0: ic, mcur: mcur, pc: pc, kcur: kcur)
                let slivers = (ncur + nr - 1) / nr
                for s in 0..<slivers {
                    let j0 = jc + s * nr, w = min(nr, jc + ncur - j0)
                    let b = bp + s * kcur * nr
                    var r = 0
                    while r < mcur {
                        let h = min(mr, mcur - r)
                        let a = UnsafePointer(ap + (r / mr) * kcur * mr)
                        if g.lanes == 2 {
                            g.tile8x2(a, b, kcur, i: ic + r, j: j0, h: h, w: w, first: first, last: last, tile: tile)
                        } else {
                            g.tile4x1(a, b, kcur, i: ic + r, j: j0, h: h, w: w, first: first, last: last, tile: tile)
                        }
                        r += mr
                    }
                }
                ic += mcur
            }
        }
    }

    @inlinable @inline(__always) func madd(_ c: V, _ a: V, _ b: V) -> V {
        V.isFloat ? V(M.madd(c.f, a.f, b.f)) : V(M.madd(c.d, a.d, b.d))
    }

    /// Where the tile's partial sums live between k-blocks: the scratch (k > KC) or, on the
    /// first block of a one-block product, nowhere.
    @inlinable @inline(__always) func partial(_ i: Int, _ j: Int) -> UnsafeMutablePointer<T> {
        scratch!.pointer + i * p.n + j
    }

    /// Finishes a tile whose accumulators were stored to `tile` (row r at tile + r·nr): a
    /// partial tile (h < mr or w < nr), element by element.
    @inlinable func finishEdge(_ tile: UnsafeMutablePointer<T>, i: Int, j: Int, h: Int, w: Int, last: Bool) {
        for r in 0..<h {
            let t = tile + r * nr
            if last {
                let ci = p.c + (i + r) * p.ldc + j
                for x in 0..<w { ci[x] = p.alpha * t[x] + (p.beta == 0 ? 0 : p.beta * ci[x]) }
            } else {
                let s = partial(i + r, j)
                for x in 0..<w { s[x] = t[x] }
            }
        }
    }

    /// Loads a partial tile's running sums into `tile` (zeros elsewhere).
    @inlinable func startEdge(_ tile: UnsafeMutablePointer<T>, i: Int, j: Int, h: Int, w: Int) {
        tile.update(repeating: 0, count: mr * nr)
        for r in 0..<h {
            let s = partial(i + r, j)
            for x in 0..<w { tile[r * nr + x] = s[x] }
        }
    }

    /// One full row of a tile: α·acc + β·C into C, or acc into the scratch.
    @inlinable @inline(__always) func finishRow(_ acc: V, _ i: Int, _ j: Int, last: Bool) {
        if last {
            let c = p.c + i * p.ldc + j
            let av = V(repeating: p.alpha) * acc
            (p.beta == 0 ? av + V(repeating: 0) : av + V(repeating: p.beta) * V.load(c)).store(c)
        } else {
            acc.store(partial(i, j))
        }
    }

    @inlinable @inline(__always) func startRow(_ i: Int, _ j: Int, first: Bool) -> V {
        first ? V(repeating: 0) : V.load(partial(i, j))
    }

    /// The 8 × 2-lane tile (16 accumulators).
    @inlinable func tile8x2(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ kc: Int, i: Int, j: Int, h: Int, w: Int,
                            first: Bool, last: Bool, tile: UnsafeMutablePointer<T>) {
        let W = V.scalarCount
        let full = h == 8 && w == nr
        if !full && !first { startEdge(tile, i: i, j: j, h: h, w: w) }
        func start(_ r: Int, _ x: Int) -> V {
            if full { return startRow(i + r, j + x * W, first: first) }
            return first ? V(repeating: 0) : V.load(tile + r * nr + x * W)
        }
        var c00 = start(0, 0), c01 = start(0, 1), c10 = start(1, 0), c11 = start(1, 1)
        var c20 = start(2, 0), c21 = start(2, 1), c30 = start(3, 0), c31 = start(3, 1)
        var c40 = start(4, 0), c41 = start(4, 1), c50 = start(5, 0), c51 = start(5, 1)
        var c60 = start(6, 0), c61 = start(6, 1), c70 = start(7, 0), c71 = start(7, 1)
        var pa = a, pb = b
        for _ in 0..<kc {
            let b0 = V.load(pb), b1 = V.load(pb + W)
            var x = V(repeating: pa[0]); c00 = madd(c00, x, b0); c01 = madd(c01, x, b1)
            x = V(repeating: pa[1]); c10 = madd(c10, x, b0); c11 = madd(c11, x, b1)
            x = V(repeating: pa[2]); c20 = madd(c20, x, b0); c21 = madd(c21, x, b1)
            x = V(repeating: pa[3]); c30 = madd(c30, x, b0); c31 = madd(c31, x, b1)
            x = V(repeating: pa[4]); c40 = madd(c40, x, b0); c41 = madd(c41, x, b1)
            x = V(repeating: pa[5]); c50 = madd(c50, x, b0); c51 = madd(c51, x, b1)
            x = V(repeating: pa[6]); c60 = madd(c60, x, b0); c61 = madd(c61, x, b1)
            x = V(repeating: pa[7]); c70 = madd(c70, x, b0); c71 = madd(c71, x, b1)
            pa += 8; pb += 2 * W
        }
        if full {
            finishRow(c00, i, j, last: last); finishRow(c01, i, j + W, last: last)
            finishRow(c10, i + 1, j, last: last); finishRow(c11, i + 1, j + W, last: last)
            finishRow(c20, i + 2, j, last: last); finishRow(c21, i + 2, j + W, last: last)
            finishRow(c30, i + 3, j, last: last); finishRow(c31, i + 3, j + W, last: last)
            finishRow(c40, i + 4, j, last: last); finishRow(c41, i + 4, j + W, last: last)
            finishRow(c50, i + 5, j, last: last); finishRow(c51, i + 5, j + W, last: last)
            finishRow(c60, i + 6, j, last: last); finishRow(c61, i + 6, j + W, last: last)
            finishRow(c70, i + 7, j, last: last); finishRow(c71, i + 7, j + W, last: last)
            return
        }
        let accs = [c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51, c60, c61, c70, c71]
        for r in 0..<8 { accs[2 * r].store(tile + r * nr); accs[2 * r + 1].store(tile + r * nr + W) }
        finishEdge(tile, i: i, j: j, h: h, w: w, last: last)
    }

    /// The 4 × 1-lane tile (4 accumulators).
    @inlinable func tile4x1(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, _ kc: Int, i: Int, j: Int, h: Int, w: Int,
                            first: Bool, last: Bool, tile: UnsafeMutablePointer<T>) {
        let full = h == 4 && w == nr
        if !full && !first { startEdge(tile, i: i, j: j, h: h, w: w) }
        func start(_ r: Int) -> V {
            if full { return startRow(i + r, j, first: first) }
            return first ? V(repeating: 0) : V.load(tile + r * nr)
        }
        var c0 = start(0), c1 = start(1), c2 = start(2), c3 = start(3)
        var pa = a, pb = b
        for _ in 0..<kc {
            let b0 = V.load(pb)
            c0 = madd(c0, V(repeating: pa[0]), b0)
            c1 = madd(c1, V(repeating: pa[1]), b0)
            c2 = madd(c2, V(repeating: pa[2]), b0)
            c3 = madd(c3, V(repeating: pa[3]), b0)
            pa += 4; pb += nr
        }
        if full {
            finishRow(c0, i, j, last: last); finishRow(c1, i + 1, j, last: last)
            finishRow(c2, i + 2, j, last: last); finishRow(c3, i + 3, j, last: last)
            return
        }
        c0.store(tile); c1.store(tile + nr); c2.store(tile + 2 * nr); c3.store(tile + 3 * nr)
        finishEdge(tile, i: i, j: j, h: h, w: w, last: last)
    }
}
}
