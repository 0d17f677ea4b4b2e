// WorkerPool.swift — the vectorized engine's persistent threads: one parallel region costs a
// few microseconds instead of a DispatchQueue.concurrentPerform wake-up.
//
// `run(chunks:body:)` publishes one job (a body over chunk indices 0..<chunks); the calling
// thread and the pool's workers claim chunks from a shared ticket until none is left, and the
// call returns when every chunk has finished. Workers that find no job spin for
// `spinNanoseconds` (DESCENT_SPIN_US, default 100 µs) checking the ticket, then sleep on a
// condition variable; a new job wakes sleepers. Steps issued back to back (a training loop's
// optimizer step after its backward pass) find the workers still spinning.
//
// The ticket packs (generation, chunk count, next chunk) into one atomic word, so a worker that
// read a stale job can never claim a chunk of a newer one (its compare-and-swap fails on the
// generation), and a job's body outlives every chunk claimed from it (the caller waits for all
// of them to finish). One job at a time: a caller that finds the pool busy (another thread's
// step, or a nested region) runs its chunks through DispatchQueue.concurrentPerform instead.
import Dispatch
import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

public final class WorkerPool: @unchecked Sendable {
    /// The pool every engine shares.
    public static let shared = WorkerPool()

    /// How long an idle worker spins before it sleeps.
    nonisolated(unsafe) public static var spinNanoseconds: UInt64 = {
        if let s = ProcessInfo.processInfo.environment["DESCENT_SPIN_US"], let v = UInt64(s) { return v * 1000 }
        return 100_000
    }()

    // ticket = generation << 32 | chunks << 16 | next
    private let ticket = Atomic<Int>(0)
    private let finished = Atomic<Int>(0)
    private let sleepers = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    /// The current job's body, as an opaque pointer to a `Job` (published before the ticket).
    private let job = Atomic<Int>(0)
    private var workerCount = 0
    private let growLock = Mutex<Void>(())
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let cond: UnsafeMutablePointer<pthread_cond_t>

    private final class Job {
        let body: (Int) -> Void
        init(_ body: @escaping (Int) -> Void) { self.body = body }
    }

    init() {
        mutex = .allocate(capacity: 1)
        cond = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(cond, nil)
    }

    /// Workers started so far (the pool grows to `threads − 1` on demand).
    public var workers: Int { growLock.withLock { _ in workerCount } }

    /// Runs body(0), …, body(chunks − 1) on up to `threads` threads (the caller's included) and
    /// returns when all have finished. chunks ≤ 65535.
    public func run(chunks: Int, threads: Int, _ body: @escaping (Int) -> Void) {
        if chunks <= 0 { return }
        if chunks == 1 || threads <= 1 { for c in 0..<chunks { body(c) }; return }
        precondition(chunks < 1 << 16, "WorkerPool.run: too many chunks")
        guard busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            // Busy (another caller, or a region inside a region): the system's pool instead.
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: chunks) { c in box.value(c) }
            return
        }
        grow(to: threads - 1)
        let j = Job(body)
        withExtendedLifetime(j) {
            finished.store(0, ordering: .relaxed)
            job.store(Int(bitPattern: Unmanaged.passUnretained(j).toOpaque()), ordering: .relaxed)
            let generation = (ticket.load(ordering: .relaxed) >> 32) &+ 1
            ticket.store(generation << 32 | chunks << 16, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(cond)
                pthread_mutex_unlock(mutex)
            }
            work(generation: generation)
            while finished.load(ordering: .acquiring) < chunks {}
        }
        busy.store(false, ordering: .releasing)
    }

    /// Claims and runs chunks of job `generation` until none is left. The job object is read
    /// only after a claim succeeds: then it is alive (its caller waits for that chunk).
    private func work(generation: Int) {
        var t = ticket.load(ordering: .acquiring)
        while t >> 32 == generation {
            let chunks = (t >> 16) & 0xFFFF, next = t & 0xFFFF
            if next >= chunks { return }
            let (done, seen) = ticket.compareExchange(expected: t, desired: t &+ 1, ordering: .acquiringAndReleasing)
            if done {
                let raw = job.load(ordering: .acquiring)
                Unmanaged<Job>.fromOpaque(UnsafeRawPointer(bitPattern: raw)!)._withUnsafeGuaranteedRef { $0.body(next) }
                finished.add(1, ordering: .releasing)
                t = t &+ 1
            } else {
                t = seen
            }
        }
    }

    private func grow(to n: Int) {
        growLock.withLock { _ in
            while workerCount < n {
                workerCount += 1
                let t = Thread { [unowned self] in self.workerLoop() }
                t.name = "descent-worker-\(workerCount)"
                t.start()
            }
        }
    }

    private func workerLoop() {
        var seen = ticket.load(ordering: .acquiring) >> 32
        while true {
            var t = ticket.load(ordering: .acquiring)
            if t >> 32 == seen {
                // Spin, then sleep until a new generation is published.
                let deadline = DispatchTime.now().uptimeNanoseconds &+ WorkerPool.spinNanoseconds
                var spins = 0
                while t >> 32 == seen {
                    spins &+= 1
                    if spins & 255 == 0, DispatchTime.now().uptimeNanoseconds > deadline { break }
                    t = ticket.load(ordering: .acquiring)
                }
                if t >> 32 == seen {
                    pthread_mutex_lock(mutex)
                    sleepers.add(1, ordering: .sequentiallyConsistent)
                    while ticket.load(ordering: .sequentiallyConsistent) >> 32 == seen { pthread_cond_wait(cond, mutex) }
                    sleepers.subtract(1, ordering: .sequentiallyConsistent)
                    pthread_mutex_unlock(mutex)
                    t = ticket.load(ordering: .acquiring)
                }
            }
            seen = t >> 32
            work(generation: seen)
        }
    }
}

/// A value sent across threads whose safety the caller guarantees.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
