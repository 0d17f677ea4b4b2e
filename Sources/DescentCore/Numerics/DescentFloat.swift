// DescentFloat.swift — the floating-point types Descent computes in, and the `Lane` abstraction
// that lets one element-wise kernel run on a scalar (naive engine) or a SIMD vector (vectorized).
import Foundation

/// The precision of one evaluation.
public enum DType: String, CaseIterable, Sendable, Codable {
    case float64, float32

    /// The scalar type of this precision. Passed to a generic function (`run(dtype.scalarType)`
    /// with `func run<T: DescentFloat>(_: T.Type)`), Swift opens the existential; the callee then
    /// runs its unspecialised generic code, so hot paths switch on the dtype with concrete types
    /// instead (the optimizer families' steppers are specialised either way: `@_specialize`).
    public var scalarType: any DescentFloat.Type {
        switch self {
        case .float64: return Double.self
        case .float32: return Float.self
        }
    }
}

/// Float and Double: everything is written once, generic over this protocol, and run in both.
public protocol DescentFloat: BinaryFloatingPoint, SIMDScalar, Codable, Lane, Sendable where Scalar == Self {
    static var dtype: DType { get }
    static func cos(_ x: Self) -> Self
    static func sin(_ x: Self) -> Self
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func pow(_ x: Self, _ y: Self) -> Self
}

/// One lane of computation: a scalar, or a SIMD vector of scalars. Element-wise kernels are
/// written against this protocol only, so the same math runs in every engine.
public protocol Lane {
    associatedtype Scalar: DescentFloat
    init(repeating: Scalar)
    static func + (a: Self, b: Self) -> Self
    static func - (a: Self, b: Self) -> Self
    static func * (a: Self, b: Self) -> Self
    static func / (a: Self, b: Self) -> Self
    static prefix func - (a: Self) -> Self
    /// Correctly rounded square root.
    func squareRoot() -> Self
    /// Element-wise maximum that propagates NaN (like torch.maximum / jnp.maximum).
    static func maxNaN(_ a: Self, _ b: Self) -> Self
    /// Element-wise minimum that propagates NaN.
    static func minNaN(_ a: Self, _ b: Self) -> Self
    /// |x|.
    var absolute: Self { get }
    /// −1, 0 or +1 (NaN stays NaN), like torch.sign / jnp.sign.
    var signum: Self { get }
    /// `a` where x > 0, else `b` (per element; NaN is not > 0), like torch.where(x > 0, a, b).
    static func ifPositive(_ x: Self, _ a: Self, _ b: Self) -> Self
    /// `a` where x == 0 (±0), else `b` (NaN is not 0), like jnp.where(x == 0, a, b).
    static func ifZero(_ x: Self, _ a: Self, _ b: Self) -> Self
    /// Each element rounded to a 16-bit storage format and widened back (LowPrecision.swift).
    /// Low-precision runs are Float runs; a Double is rounded to Float first.
    func roundedToStorage(_ format: StorageFormat) -> Self
    /// a·b + c with one rounding per element (IEEE fusedMultiplyAdd), for the low-precision
    /// kernels of libraries whose loops fuse multiply-adds. The other kernels never call it.
    static func fusedMultiplyAdd(_ a: Self, _ b: Self, _ c: Self) -> Self
}

extension DescentFloat {
    @inlinable @inline(__always) public init(repeating s: Self) { self = s }
    @inlinable @inline(__always) public static func maxNaN(_ a: Self, _ b: Self) -> Self {
        a.isNaN || b.isNaN ? .nan : (a > b ? a : b)
    }
    @inlinable @inline(__always) public static func minNaN(_ a: Self, _ b: Self) -> Self {
        a.isNaN || b.isNaN ? .nan : (a < b ? a : b)
    }
    @inlinable @inline(__always) public var absolute: Self { Swift.abs(self) }
    @inlinable @inline(__always) public var signum: Self {
        self > 0 ? 1 : (self < 0 ? -1 : self)   // keeps ±0 and NaN
    }
    @inlinable @inline(__always) public static func ifPositive(_ x: Self, _ a: Self, _ b: Self) -> Self { x > 0 ? a : b }
    @inlinable @inline(__always) public static func ifZero(_ x: Self, _ a: Self, _ b: Self) -> Self { x == 0 ? a : b }
    @inlinable @inline(__always) public func roundedToStorage(_ format: StorageFormat) -> Self { Self(format.round(Float(self))) }
    @inlinable @inline(__always) public static func fusedMultiplyAdd(_ a: Self, _ b: Self, _ c: Self) -> Self { c.addingProduct(a, b) }
}

extension Double: DescentFloat {
    public static var dtype: DType { .float64 }
    @inlinable public static func cos(_ x: Double) -> Double { Foundation.cos(x) }
    @inlinable public static func sin(_ x: Double) -> Double { Foundation.sin(x) }
    @inlinable public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    @inlinable public static func log(_ x: Double) -> Double { Foundation.log(x) }
    @inlinable public static func pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
}

extension Float: DescentFloat {
    public static var dtype: DType { .float32 }
    @inlinable public static func cos(_ x: Float) -> Float { Foundation.cosf(x) }
    @inlinable public static func sin(_ x: Float) -> Float { Foundation.sinf(x) }
    @inlinable public static func exp(_ x: Float) -> Float { Foundation.expf(x) }
    @inlinable public static func log(_ x: Float) -> Float { Foundation.logf(x) }
    @inlinable public static func pow(_ x: Float, _ y: Float) -> Float { Foundation.powf(x, y) }
}
