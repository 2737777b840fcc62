/// Runs work over many items with a bounded number of tasks in flight, so memory and load stay
/// proportional to the bound, not to the number of items. Used by the registry walker, the
/// health checker and apply alike.
public enum BoundedConcurrency {
    /// `transform` over `items` with at most `limit` in flight; the outputs in the items' order.
    /// The first error cancels the rest and is thrown.
    public static func map<Item: Sendable, Output: Sendable, Failure: Error>(
        _ items: [Item], limit: Int, _ transform: @escaping @Sendable (Item) async throws(Failure) -> Output
    ) async throws(Failure) -> [Output] {
        let outcome: Result<[Output], Failure> = await withTaskGroup(of: (Int, Result<Output, Failure>).self) { group in
            var results = [Output?](repeating: nil, count: items.count)
            var next = 0
            func schedule() {
                guard next < items.count else { return }
                let index = next
                let item = items[index]
                next += 1
                group.addTask {
                    do throws(Failure) {
                        return (index, .success(try await transform(item)))
                    } catch {
                        return (index, .failure(error))
                    }
                }
            }
            for _ in 0..<min(max(1, limit), items.count) { schedule() }
            while let (index, result) = await group.next() {
                switch result {
                case .success(let output):
                    results[index] = output
                    schedule()
                case .failure(let error):
                    group.cancelAll()
                    return .failure(error)
                }
            }
            // Sized once: at 100,000 items a growing copy would briefly hold twice the outputs.
            var outputs: [Output] = []
            outputs.reserveCapacity(items.count)
            for case let output? in results { outputs.append(output) }
            return .success(outputs)
        }
        return try outcome.get()
    }
}
