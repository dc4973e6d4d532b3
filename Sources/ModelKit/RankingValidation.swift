import Kernels
import RecCore
import TensorCore

/// The validation metric used for model selection during training.
public enum RankingValidation {
    /// Mean NDCG@cutoff over users with at least one held-out item, fold-in items masked
    /// (RecCore's evaluation, the vae_cf definition).
    public static func meanNDCG(_ model: some Recommender, on users: HeldOutUsers, cutoff: Int,
                                batchSize: Int = 2_000) -> Double {
        let report = RankingEvaluation.evaluate(foldIn: users.foldIn, target: users.target, cutoffs: [cutoff],
                                                batchSize: batchSize) { model.scores(for: $0) }
        return report.ndcg(at: cutoff)?.mean ?? .nan
    }
}
