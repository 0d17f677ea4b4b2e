// IntegerPower.swift — x**n the way XLA computes a float raised to an integer array.
//
// optax's step counts are int32 arrays, so `b2 ** count` (bias corrections, RAdam's ρₜ) is a
// float raised to an integer array. Run eagerly (as optax's update functions are when called
// without jax.jit, and as reference/ runs them), jax computes it by binary exponentiation
// (square-and-multiply), not libm's pow; under jax.jit the same expression matched libm's pow in
// every case tried (jax 0.10.2, x64). The two differ by an ulp now and then (b = 1 − 4.3e-9,
// n = 10, 13), which is invisible in 1 − bⁿ for ordinary betas but not where the library amplifies
// it: RAdam's ρₜ = ρ∞ − 2t·bᵗ/(1 − bᵗ) with b close to 1, where Descent follows the eager result.

/// `x` to the power `n` (n ≥ 0) by square-and-multiply, bit for bit as XLA's integer pow.
@inlinable
public func xlaIntegerPow(_ x: Double, _ n: Int) -> Double {
    precondition(n >= 0, "xlaIntegerPow: negative exponent")
    var acc = 1.0, base = x, k = n
    while k > 0 {
        if k & 1 == 1 { acc *= base }
        k >>= 1
        if k > 0 { base *= base }
    }
    return acc
}
