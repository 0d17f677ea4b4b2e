// GradientTransforms.swift — pre-step gradient transforms a case can carry (`grad_transforms`):
// global-norm and value clipping as torch and optax compute them. They wrap any optimizer
// family: the transformed family clips the gradients, then steps the inner optimizer.
//
//   torch.nn.utils.clip_grad_norm_(max_norm, norm_type=2):
//       n = ‖(‖g₁‖ₚ, …, ‖g_k‖ₚ)‖ₚ ;  c = min(max_norm / (n + 1e-6), 1) ;  gᵢ ← c·gᵢ   (always multiplied)
//   torch.nn.utils.clip_grad_value_(clip_value):  gᵢ ← clamp(gᵢ, −clip_value, clip_value)
//   optax.clip_by_global_norm(max_norm):
//       n = √(Σ g²) ;  gᵢ ← gᵢ if n < max_norm, else (gᵢ / n)·max_norm
//   optax.clip(max_delta):  gᵢ ← clip(gᵢ, −max_delta, max_delta)
import DescentJSON

/// One pre-step transform of the gradients (all tensors at once: norms can span tensors).
public protocol GradientTransform: Sendable {
    var summary: String { get }
    func apply<T: DescentFloat>(_ grads: [Buffer<T>], engine: Engine)
}

public struct TorchClipGradNorm: GradientTransform {
    public var maxNorm: Double
    /// 2 by default; `.infinity` for the max norm.
    public var normType: Double
    /// torch adds 1e-6 to the total norm in the divisor (0 only in a known-wrong variant).
    public var epsilon = 1e-6
    public var summary: String { "torch clip_grad_norm_(max_norm=\(maxNorm), norm_type=\(normType))" + (epsilon == 1e-6 ? "" : " [+\(epsilon) in the divisor]") }

    public func apply<T: DescentFloat>(_ grads: [Buffer<T>], engine: Engine) {
        var norms: [T] = []
        for g in grads { norms.append(Self.norm(g, normType, engine: engine)) }
        let total = Self.norm(Buffer(norms), normType, engine: engine)
        let coef = T(maxNorm) / (total + T(epsilon))
        let clamped = T.minNaN(coef, 1)            // torch.clamp(max=1) keeps NaN
        for g in grads { engine.scal(clamped, g) }
    }

    static func norm<T: DescentFloat>(_ x: Buffer<T>, _ p: Double, engine: Engine) -> T {
        if p == 2 { return engine.norm(x) }
        if p.isInfinite {
            var m = T(0)
            for i in 0..<x.count { m = T.maxNaN(m, x[i].magnitude) }
            return m
        }
        var s = T(0)
        for i in 0..<x.count { s += T.pow(x[i].magnitude, T(p)) }
        return T.pow(s, T(1 / p))
    }
}

/// Element-wise clamp to [−c, c], propagating NaN.
public struct ClampKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline var bound: Scalar
    @inlinable public var slotCount: Int { 0 }
    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        p = L.minNaN(L.maxNaN(p, L(repeating: -bound)), L(repeating: bound))
    }
}

public struct ClipValue: GradientTransform {
    public var bound: Double
    public var library: String
    public var summary: String { "\(library) clip to ±\(bound)" }

    public func apply<T: DescentFloat>(_ grads: [Buffer<T>], engine: Engine) {
        // The kernel updates its first operand in place; the gradient operand is unused.
        for g in grads { engine.map(ClampKernel(bound: T(bound)), g, g, []) }
    }
}

public struct OptaxClipByGlobalNorm: GradientTransform {
    public var maxNorm: Double
    public var summary: String { "optax clip_by_global_norm(max_norm=\(maxNorm))" }

    public func apply<T: DescentFloat>(_ grads: [Buffer<T>], engine: Engine) {
        var sq = T(0)
        for g in grads { sq += engine.dot(g, g) }
        let n = sq.squareRoot()
        if n < T(maxNorm) { return }
        // (t / n)·max_norm, element by element, as optax writes it.
        for g in grads {
            for i in 0..<g.count { g[i] = (g[i] / n) * T(maxNorm) }
        }
    }
}

// MARK: - Building transforms from a case

public enum GradientTransforms {
    /// Builds one transform from `{ "convention", "name", "parameters" }`.
    public static func make(_ json: JSON, field: String) throws -> any GradientTransform {
        guard json.objectValue != nil else { throw DescentError.invalidInput(field: field, message: "expected an object {convention, name, parameters}") }
        guard let convention = json["convention"]?.stringValue else { throw DescentError.invalidInput(field: "\(field).convention", message: "missing") }
        guard let name = json["name"]?.stringValue else { throw DescentError.invalidInput(field: "\(field).name", message: "missing") }
        var h = try Hyperparameters(json["parameters"], callee: "\(convention).\(name)", field: "\(field).parameters")
        let t: any GradientTransform
        switch (convention, name) {
        case ("torch", "clip_grad_norm_"), ("torch", "clip_grad_norm"):
            guard let maxNorm = try h.optionalDouble("max_norm") else {
                throw h.invalid("max_norm", "clip_grad_norm_() missing 1 required positional argument: 'max_norm'")
            }
            var p = 2.0
            if let s = try? h.string("norm_type", default: nil), ["inf", "Infinity"].contains(s) { p = .infinity } else {
                p = try h.double("norm_type", default: 2)
            }
            if try h.bool("error_if_nonfinite", default: false) {
                throw DescentError.unsupported("clip_grad_norm_(error_if_nonfinite=True) raises on non-finite norms; not modelled")
            }
            try h.ignore("foreach")
            t = TorchClipGradNorm(maxNorm: maxNorm, normType: p)
        case ("torch", "clip_grad_value_"):
            guard let v = try h.optionalDouble("clip_value") else {
                throw h.invalid("clip_value", "clip_grad_value_() missing 1 required positional argument: 'clip_value'")
            }
            try h.ignore("foreach")
            t = ClipValue(bound: v, library: "torch clip_grad_value_")
        case ("optax", "clip_by_global_norm"):
            guard let m = try h.optionalDouble("max_norm") else {
                throw h.invalid("max_norm", "clip_by_global_norm() missing 1 required positional argument: 'max_norm'")
            }
            t = OptaxClipByGlobalNorm(maxNorm: m)
        case ("optax", "clip"):
            guard let m = try h.optionalDouble("max_delta") else {
                throw h.invalid("max_delta", "clip() missing 1 required positional argument: 'max_delta'")
            }
            t = ClipValue(bound: m, library: "optax clip")
        default:
            throw DescentError.unsupported("gradient transform \(convention).\(name) is not implemented in Descent")
        }
        try h.finish()
        return t
    }
}

// MARK: - Wrapping a family

/// An optimizer family whose gradients pass through `transforms` first.
public struct TransformedFamily: OptimizerFamily {
    public var inner: any OptimizerFamily
    public var transforms: [any GradientTransform]

    public init(inner: any OptimizerFamily, transforms: [any GradientTransform]) {
        self.inner = inner
        self.transforms = transforms
    }

    public var familyName: String { inner.familyName }
    public var summary: String { transforms.map(\.summary).joined(separator: " → ") + " → " + inner.summary }

    @_specialize(where T == Double) @_specialize(where T == Float)
    public func makeStepper<T: DescentFloat>(_: T.Type, shapes: [[Int]], engine: Engine) throws -> StepperBox<T> {
        StepperBox(TransformedStepper(try inner.makeStepper(T.self, shapes: shapes, engine: engine), transforms, engine))
    }
}

final class TransformedStepper<T: DescentFloat>: Stepper {
    let inner: StepperBox<T>
    let transforms: [any GradientTransform]
    let engine: Engine

    init(_ inner: StepperBox<T>, _ transforms: [any GradientTransform], _ engine: Engine) {
        self.inner = inner
        self.transforms = transforms
        self.engine = engine
    }

    func transformed(_ grads: [Buffer<T>]) -> [Buffer<T>] {
        let g = grads.map { $0.clone() }
        for t in transforms { t.apply(g, engine: engine) }
        return g
    }

    func step(params: [Buffer<T>], grads: [Buffer<T>], lr: Double) {
        inner.step(params, transformed(grads), lr)
    }

    func step(params: [Buffer<T>], objective: Objective<T>, lr: Double) {
        inner.stepObjective(params, { p in let r = objective(p); return (r.loss, self.transformed(r.grads)) }, lr)
    }

    var needsObjective: Bool { inner.needsObjective }
    var takesValue: Bool { inner.takesValue }
    var takesHessian: Bool { inner.takesHessian }
    var hessianDue: Bool { inner.hessianDue() }
    func step(params: [Buffer<T>], grads: [Buffer<T>], hessian: [Buffer<T>], lr: Double) {
        inner.stepHessian(params, transformed(grads), hessian, lr)
    }
    var state: [(name: String, buffers: [Buffer<T>])] { inner.state() }
}

extension TransformedStepper {
    func save() -> StepperState { inner.save() }
    func load(_ saved: StepperState) throws { try inner.load(saved) }
}
