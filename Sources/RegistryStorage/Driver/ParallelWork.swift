import Foundation
import Synchronization

/// Runs a loop's iterations in parallel: on the machine's cores for work that computes, or on
/// `width` threads for work that waits on the network (each thread takes the next index).
/// The first error is thrown once every started iteration has finished; none starts after it.
enum ParallelWork {
    static func perform(_ count: Int, width: Int, _ body: @Sendable (Int) throws(StorageError) -> Void) throws(StorageError) {
        let state = State()
        if width <= 0 || count <= 1 {
            DispatchQueue.concurrentPerform(iterations: count) { index in state.run(index, body) }
        } else {
            withoutActuallyEscaping(body) { body in
                // The threads reach `body` through the box only, and it is emptied before this
                // returns: no thread keeps the (not really escaping) closure alive.
                let work = Work(body)
                let group = DispatchGroup()
                for _ in 0..<min(width, count) {
                    group.enter()
                    Thread.detachNewThread {
                        while let index = state.take(below: count), let body = work.body.withLock({ $0 }) {
                            state.run(index, body)
                        }
                        group.leave()
                    }
                }
                group.wait()
                work.body.withLock { $0 = nil }
            }
        }
        if let error = state.failure.withLock({ $0 }) { throw error }
    }

    private final class Work: Sendable {
        let body: Mutex<(@Sendable (Int) throws(StorageError) -> Void)?>
        init(_ body: @escaping @Sendable (Int) throws(StorageError) -> Void) { self.body = Mutex(body) }
    }

    private final class State: Sendable {
        let failure = Mutex<StorageError?>(nil)
        let next = Atomic<Int>(0)

        func take(below count: Int) -> Int? {
            guard failure.withLock({ $0 == nil }) else { return nil }
            let index = next.add(1, ordering: .relaxed).oldValue
            return index < count ? index : nil
        }

        func run(_ index: Int, _ body: (Int) throws(StorageError) -> Void) {
            guard failure.withLock({ $0 == nil }) else { return }
            do throws(StorageError) {
                try body(index)
            } catch {
                failure.withLock { if $0 == nil { $0 = error } }
            }
        }
    }
}
