import Kernels
import RecCore
import TensorCore

/// The validation metric used for model selection during training.
public enum RankingValidation {
    /// Mean NDCG@cutoff over users with at least one held-out item, fold-in items excluded.
    public static func meanNDCG(_ model: some Recommender, on users: HeldOutUsers, cutoff: Int) -> Double {
        let scores = model.scores(for: users.foldIn)
        let top = Kernels.topK(scores, k: cutoff, excluding: users.foldIn)
        return RankingMetrics.meanNDCG(top: top, heldOut: users.heldOut, cutoff: cutoff)
    }
}
