import RecCore
import TensorCore
/// NDCG@K for model selection (binary relevance, ideal DCG over min(|held-out|, K)); replaced by
/// RecCore's metrics module once it lands.
enum RankingMetrics {
    static func meanNDCG(top: [[Int32]], heldOut: SparseMatrix, cutoff: Int) -> Double {
        var total = 0.0; var n = 0
        for r in 0..<heldOut.rows {
            let held = Set(heldOut.columns(inRow: r))
            if held.isEmpty { continue }
            var dcg = 0.0
            for (rank, item) in top[r].prefix(cutoff).enumerated() where held.contains(item) { dcg += 1 / log2(Double(rank + 2)) }
            var idcg = 0.0
            for rank in 0..<min(held.count, cutoff) { idcg += 1 / log2(Double(rank + 2)) }
            total += dcg / idcg; n += 1
        }
        return n > 0 ? total / Double(n) : 0
    }
}
import Foundation
