import TensorCore

extension Kernels {
    /// The `k` highest-scoring columns of every row, best first, skipping the columns stored in the
    /// matching row of `excluded` (items the user has already seen). Ties break towards the lower
    /// column index, so results are deterministic. Rows with fewer than `k` eligible columns return
    /// all of them.
    public static func topK(_ scores: Matrix, k: Int, excluding excluded: SparseMatrix? = nil) -> [[Int32]] {
        precondition(k >= 0, "topK: k must be non-negative, got \(k)")
        if let excluded {
            precondition(excluded.rows == scores.rows && excluded.columns == scores.columns,
                         "topK: scores \(scores.shapeDescription), exclusions \(excluded.rows)×\(excluded.columns)")
        }
        var result = [[Int32]](repeating: [], count: scores.rows)
        for r in 0..<scores.rows {
            var skip = Set<Int32>()
            if let excluded { skip = Set(excluded.columns(inRow: r)) }
            var candidates: [(score: Float, column: Int32)] = []
            for c in 0..<scores.columns where !skip.contains(Int32(c)) {
                candidates.append((scores.storage[r * scores.columns + c], Int32(c)))
            }
            candidates.sort { $0.score > $1.score || ($0.score == $1.score && $0.column < $1.column) }
            result[r] = candidates.prefix(k).map { $0.column }
        }
        return result
    }
}
