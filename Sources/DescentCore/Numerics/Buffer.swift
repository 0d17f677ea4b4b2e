// Buffer.swift — contiguous, 64-byte aligned storage for one tensor (parameters, gradients,
// optimizer state). Engines read and write through `pointer`; nothing is copied per step.
import Foundation

private let bufferHugePages = ProcessInfo.processInfo.environment["DESCENT_HUGEPAGES"] != "0"

public final class Buffer<T: DescentFloat>: @unchecked Sendable {
    public let count: Int
    public let pointer: UnsafeMutablePointer<T>

    /// Whether buffers of 2 MiB and more are 2 MiB-aligned and advised MADV_HUGEPAGE (Linux,
    /// transparent huge pages in `madvise` mode): one TLB entry per 2 MiB instead of 512.
    /// DESCENT_HUGEPAGES=0 turns it off (64-byte alignment, no advice) to measure the difference.
    public static var hugePages: Bool { bufferHugePages }

    /// `count` zeros.
    public init(zeros count: Int) {
        precondition(count >= 0)
        self.count = count
        let bytes = max(count, 1) * MemoryLayout<T>.stride
        var raw: UnsafeMutableRawPointer?
        let huge = bytes >= 1 << 21 && bufferHugePages
        guard posix_memalign(&raw, huge ? 1 << 21 : 64, bytes) == 0, let raw else { fatalError("out of memory for \(count) values") }
        #if os(Linux)
        if huge { _ = madvise(raw, bytes, 14 /* MADV_HUGEPAGE */) }
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
