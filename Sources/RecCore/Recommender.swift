import Kernels
import TensorCore

/// What every zoo model answers, whatever its task: scores of items for users, given what is known
/// of them. A task asks in the form it evaluates (the ranking task: every item for held-out users'
/// histories; the rating task: the test pairs given the training ratings).
///
/// Models are reference types (training changes their parameters in place); answering is
/// deterministic (inference uses no randomness).
public protocol Recommender: AnyObject {
    /// Scores of every item for each row of `histories` (users × items, each row one user's known
    /// interactions) → [users, items]; higher is better.
    func scores(for histories: SparseMatrix) -> Matrix

    /// Scores at the stored positions of `queries` (users × items), in CSR order, for the users whose
    /// known interactions are the rows of `known` (the same shape).
    func scores(at queries: SparseMatrix, known: SparseMatrix) -> [Float]
}

extension Recommender {
    /// `scores(for:)` on blocks of 1,000 rows of `known`, gathered at the queries' positions (rows
    /// without queries are skipped).
    public func scores(at queries: SparseMatrix, known: SparseMatrix) -> [Float] {
        precondition(queries.rows == known.rows && queries.columns == known.columns,
                     "Recommender: queries \(queries.rows)×\(queries.columns), known \(known.rows)×\(known.columns)")
        var values: [Float] = []
        values.reserveCapacity(queries.nonZeroCount)
        for start in stride(from: 0, to: known.rows, by: 1_000) {
            let range = start..<min(known.rows, start + 1_000)
            let pattern = queries.rows(in: range)
            guard pattern.nonZeroCount > 0 else { continue }
            values.append(contentsOf: Kernels.gather(scores(for: known.rows(in: range)), at: pattern))
        }
        return values
    }

    /// The `count` best-scoring items for each history row, excluding the items already in it.
    public func recommend(for histories: SparseMatrix, count: Int) -> [[Int32]] {
        Kernels.topK(scores(for: histories), k: count, excluding: histories)
    }
}

/// The size of the data a model is built for: users (rows of the training matrix) and items.
public struct DataShape: Sendable, Equatable, Codable {
    /// Users: rows of the matrix the model trains on (ranking models do not depend on it).
    public var users: Int
    /// Items: columns.
    public var items: Int

    /// A shape of `users` × `items`.
    public init(users: Int, items: Int) {
        (self.users, self.items) = (users, items)
    }
}
