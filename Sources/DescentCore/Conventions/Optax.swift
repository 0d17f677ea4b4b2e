// Optax.swift — optax's aliases and schedules: function names, keyword arguments and defaults of
// optax 0.2.8, verbatim.
import DescentJSON

public struct OptaxConvention: Convention {
    public init() {}
    public var name: String { "optax" }
}
