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
        return QueryBlocks.values(at: queries, known: known) { rows, pattern in
            Kernels.gather(scores(for: rows), at: pattern)
        }
    }

    /// The `count` best-scoring items for each history row, excluding the items already in it.
    public func recommend(for histories: SparseMatrix, count: Int) -> [[Int32]] {
        Kernels.topK(scores(for: histories), k: count, excluding: histories)
    }
}

/// Answers at the stored positions of a query pattern, computed a block of rows at a time.
public enum QueryBlocks {
    /// `answer(rows, pattern)` for consecutive blocks of `blockSize` rows of `known` and the same
    /// rows of `queries`, concatenated in CSR order; blocks without queries are skipped.
    public static func values(at queries: SparseMatrix, known: SparseMatrix, blockSize: Int = 1_000,
                              _ answer: (_ rows: SparseMatrix, _ pattern: SparseMatrix) -> [Float]) -> [Float] {
        var values: [Float] = []
        values.reserveCapacity(queries.nonZeroCount)
        for start in stride(from: 0, to: known.rows, by: blockSize) {
            let range = start..<min(known.rows, start + blockSize)
            let pattern = queries.rows(in: range)
            guard pattern.nonZeroCount > 0 else { continue }
            values.append(contentsOf: answer(known.rows(in: range), pattern))
        }
        return values
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
