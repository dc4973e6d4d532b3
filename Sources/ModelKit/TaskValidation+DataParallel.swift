import NeuralNet
import RecCore

extension TaskValidation {
    /// The metric of `model`. With a data-parallel `group` and a rule that scores users one at a
    /// time (`partialScore`), member r scores validation users r·V/N ..< (r+1)·V/N and the
    /// members add their sums and counts, so each scores 1/N of the users and all get the same
    /// value (`finish` of the totals). Alone, or for a rule without `partialScore`, it scores every user.
    public func score(_ model: any Recommender, splitOver group: (any DataParallelGroup)?) throws -> Double {
        guard let group, group.size > 1, let partialScore else { return score(model) }
        let part = partialScore(model, BatchShard.rows(of: rowCount, rank: group.rank, size: group.size))
        var totals = [part.sum, Double(part.count)]
        try group.allReduceSum(&totals)
        return finish(totals[0], Int(totals[1]))
    }
}
