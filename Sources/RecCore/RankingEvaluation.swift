import Kernels
import TensorCore

/// Scores held-out users as the vae_cf code does: fold-in items are masked, each row's top-K is
/// taken by `Kernels.topK` (ties go to the lower item index), and metrics are averaged over the
/// users with at least one target item.
public enum RankingEvaluation {
    /// Evaluates a full score matrix (users × items) against `target`, masking `foldIn`.
    public static func evaluate(scores: Matrix, foldIn: SparseMatrix, target: SparseMatrix,
                                cutoffs: [Int] = [20, 50, 100]) -> RankingReport {
        precondition(scores.rows == target.rows && scores.columns == target.columns,
                     "RankingEvaluation: scores \(scores.shapeDescription), target \(target.rows)×\(target.columns)")
        return evaluate(foldIn: foldIn, target: target, cutoffs: cutoffs, batchSize: max(1, scores.rows)) { _ in scores }
    }

    /// Evaluates a model given as a closure from a batch of fold-in rows to its scores
    /// (batch × items), called on consecutive batches of `batchSize` users.
    public static func evaluate(foldIn: SparseMatrix, target: SparseMatrix, cutoffs: [Int] = [20, 50, 100],
                                batchSize: Int = 500,
                                score: (SparseMatrix) throws -> Matrix) rethrows -> RankingReport {
        precondition(foldIn.rows == target.rows && foldIn.columns == target.columns,
                     "RankingEvaluation: fold-in \(foldIn.rows)×\(foldIn.columns), target \(target.rows)×\(target.columns)")
        precondition(!cutoffs.isEmpty && cutoffs.allSatisfy { $0 > 0 }, "RankingEvaluation: cut-offs must be positive, got \(cutoffs)")
        precondition(batchSize > 0, "RankingEvaluation: batch size must be positive, got \(batchSize)")
        let largest = cutoffs.max() ?? 1
        var users: [Int] = []
        var values = [[Double]](repeating: [], count: cutoffs.count * 4)
        var recommended = [Set<Int32>](repeating: [], count: cutoffs.count)
        var start = 0
        while start < foldIn.rows {
            let range = start..<min(foldIn.rows, start + batchSize)
            let batch = foldIn.rows(in: range)
            let scores = try score(batch)
            precondition(scores.rows == range.count && scores.columns == foldIn.columns,
                         "RankingEvaluation: scorer returned \(scores.shapeDescription) for a \(range.count)×\(foldIn.columns) batch")
            let top = Kernels.topK(scores, k: largest, excluding: batch)
            for (offset, row) in range.enumerated() {
                let relevant = Set(target.columns(inRow: row))
                guard !relevant.isEmpty else { continue }
                users.append(row)
                let ranked = top[offset]
                for (index, k) in cutoffs.enumerated() {
                    values[index * 4].append(RankingMetrics.recall(ranked: ranked, relevant: relevant, k: k) ?? 0)
                    values[index * 4 + 1].append(RankingMetrics.ndcg(ranked: ranked, relevant: relevant, k: k) ?? 0)
                    values[index * 4 + 2].append(RankingMetrics.precision(ranked: ranked, relevant: relevant, k: k) ?? 0)
                    values[index * 4 + 3].append(RankingMetrics.hitRate(ranked: ranked, relevant: relevant, k: k) ?? 0)
                    recommended[index].formUnion(ranked.prefix(k))
                }
            }
            start = range.upperBound
        }
        var metrics: [MetricSummary] = []
        var coverage: [Int: Double] = [:]
        for (index, k) in cutoffs.enumerated() {
            for (offset, name) in ["Recall", "NDCG", "Precision", "HitRate"].enumerated() {
                metrics.append(MetricSummary(name: "\(name)@\(k)", values: values[index * 4 + offset]))
            }
            coverage[k] = foldIn.columns == 0 ? 0 : Double(recommended[index].count) / Double(foldIn.columns)
        }
        return RankingReport(cutoffs: cutoffs, users: users, metrics: metrics, coverage: coverage)
    }
}
