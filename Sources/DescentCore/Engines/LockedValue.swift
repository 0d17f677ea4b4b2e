// LockedValue.swift — a value shared between threads behind a lock: a process-wide setting read
// by engines on any thread and set, rarely, on another (the installed loop table, the parallel
// threshold), or the results that concurrent workers fill in.
import Foundation

/// A value behind a lock.
public final class LockedValue<Value>: @unchecked Sendable {
    private var value: Value
    private let lock = NSLock()

    public init(_ value: Value) { self.value = value }

    /// The current value.
    public var get: Value {
        lock.lock(); defer { lock.unlock() }
        return value
    }

    /// Replaces the value.
    public func set(_ newValue: Value) {
        lock.lock(); defer { lock.unlock() }
        value = newValue
    }

    /// Changes the value in place, under the lock.
    public func update(_ change: (inout Value) -> Void) {
        lock.lock(); defer { lock.unlock() }
        change(&value)
    }
}
