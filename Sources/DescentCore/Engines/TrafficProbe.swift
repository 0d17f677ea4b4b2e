// TrafficProbe.swift — the kernel of `descent bench`'s same-traffic memory probe.
//
// For an optimizer whose fused pass reads p, g and k state buffers and writes p and the k state
// buffers (SGD k = 0, SGD+momentum 1, Adam 2, AMSGrad 3), the probe runs the same pass shape on
// buffers of the same sizes with trivial arithmetic: p ← p + g, sᵢ ← sᵢ + g. It goes through the
// same `Engine.map` (one tensor or a whole parameter list), so it uses the same loops (the
// widest installed), the same parallel threshold and the same split across threads as the
// optimizer's step: the time it takes is what moving that optimizer's bytes costs on this
// machine, at this size and thread count. Bench.swift divides it by the step's time
// (`of_memory_limit`).
//
// The bench fills g with zeros (p and the slots with ones) so values never change and no
// subnormal or infinity can appear; the adds still read and write every byte.

/// p ← p + g and sᵢ ← sᵢ + g for `slotCount` slots (0…4): an optimizer's memory traffic with
/// trivial arithmetic.
public struct TrafficProbeKernel<Scalar: DescentFloat>: ElementwiseKernel {
    @usableFromInline let slots: Int
    /// A probe over `slots` state buffers (clamped to 0…4).
    @inlinable public init(slots: Int) { self.slots = min(4, max(0, slots)) }
    @inlinable public var slotCount: Int { slots }

    @inlinable @inline(__always)
    public func apply<L: Lane>(_ p: inout L, _ g: L, _ s: inout Slots<L>) where L.Scalar == Scalar {
        p = p + g
        s.s0 = s.s0 + g
        s.s1 = s.s1 + g
        s.s2 = s.s2 + g
        s.s3 = s.s3 + g
    }
}
