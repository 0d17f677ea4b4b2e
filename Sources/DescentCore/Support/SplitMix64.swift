// SplitMix64.swift — the one deterministic generator of the package: initialisations, batch orders,
// the closed-form checks' data and the tuners' draws all come from a seed through it.

/// splitmix64 (Steele, Lea & Flood 2014): state += 0x9E3779B97F4A7C15, then two xor-shift-multiply
/// rounds. Small, fast, and the same sequence on every platform, so an initialisation or a batch
/// order is reproducible from its seed alone.
public struct SplitMix64: Sendable, RandomNumberGenerator {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1): the top 53 bits of `next()` times 2⁻⁵³.
    public mutating func unit() -> Double { Double(next() >> 11) * 0x1p-53 }

    /// Uniform in [lo, hi): lo + (hi − lo)·unit().
    public mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * unit() }

    /// An integer in 0..<n: next() mod n (the modulo bias is below 2⁻⁴⁰ for the n used here).
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// A random permutation of 0..<n (Fisher–Yates from the top: for i = n−1 … 1 swap i with below(i+1)).
    public mutating func permutation(_ n: Int) -> [Int] {
        var p = Array(0..<n)
        var i = n - 1
        while i > 0 {
            p.swapAt(i, below(i + 1))
            i -= 1
        }
        return p
    }

    /// One epoch's minibatches over `count` rows: a permutation (or 0..<count in order when
    /// `shuffle` is false) cut into batches of `batchSize`; the last batch is short when
    /// batchSize does not divide count (torch DataLoader with drop_last=False).
    public mutating func epochBatches(count: Int, batchSize: Int, shuffle: Bool = true) -> [[Int]] {
        precondition(batchSize >= 1)
        let order = shuffle ? permutation(count) : Array(0..<count)
        return stride(from: 0, to: count, by: batchSize).map { Array(order[$0..<min($0 + batchSize, count)]) }
    }

    /// Magnitude in [lo, hi) with a random sign (the sign from the low bit of one draw, then the
    /// magnitude from the next).
    public mutating func signed(_ lo: Double, _ hi: Double) -> Double {
        (next() & 1 == 0 ? 1 : -1) * uniform(lo, hi)
    }

    /// n draws of `signed(lo, hi)`.
    public mutating func vector(_ n: Int, _ lo: Double, _ hi: Double) -> [Double] { (0..<n).map { _ in signed(lo, hi) } }
}
