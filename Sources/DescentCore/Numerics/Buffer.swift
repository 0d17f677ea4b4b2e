// Buffer.swift — contiguous, 64-byte aligned storage for one tensor (parameters, gradients,
// optimizer state). Engines read and write through `pointer`; nothing is copied per step.
import Foundation

public final class Buffer<T: DescentFloat>: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<T>

    /// `count` zeros.
    public init(zeros count: Int) {
        precondition(count >= 0)
        self.count = count
        let bytes = max(count, 1) * MemoryLayout<T>.stride
        var raw: UnsafeMutableRawPointer?
        let alignment = bytes >= 1 << 21 ? 1 << 21 : 64
        guard posix_memalign(&raw, alignment, bytes) == 0, let raw else { fatalError("out of memory for \(count) values") }
        #if os(Linux)
        if bytes >= 1 << 21 { _ = madvise(raw, bytes, 14 /* MADV_HUGEPAGE */) }
        #endif
        pointer = raw.bindMemory(to: T.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
    }

    public convenience init(repeating value: T, count: Int) {
        self.init(zeros: count)
        pointer.update(repeating: value, count: count)
    }

    public convenience init(_ values: [T]) {
        self.init(zeros: values.count)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { pointer.update(from: base, count: values.count) }
        }
    }

    /// Converts float64 values (as fixtures hold them) to this buffer's precision.
    public convenience init(converting values: [Double]) {
        self.init(zeros: values.count)
        for i in 0..<values.count { pointer[i] = T(values[i]) }
    }

    deinit { free(pointer) }

    @inlinable public subscript(i: Int) -> T {
        get { pointer[i] }
        set { pointer[i] = newValue }
    }

    public var array: [T] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
    public var doubles: [Double] { (0..<count).map { Double(pointer[$0]) } }

    public func copy(from other: Buffer<T>) {
        precondition(other.count == count)
        pointer.update(from: other.pointer, count: count)
    }

    public func clone() -> Buffer<T> {
        let b = Buffer<T>(zeros: count)
        b.copy(from: self)
        return b
    }

    public func fill(_ value: T) { pointer.update(repeating: value, count: count) }

    /// Bytes this buffer holds (for the optimizer-memory table).
    public var bytes: Int { count * MemoryLayout<T>.stride }
}
