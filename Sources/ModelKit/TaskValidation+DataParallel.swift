import NeuralNet
import RecCore

extension TaskValidation {
    /// The metric of `model`. With a data-parallel `group` and a rule that scores users one at a
    /// time (`partialScore`), member r scores validation users r·V/N ..< (r+1)·V/N and the
    /// members add their sums and counts, so each scores 1/N of the users and all get the same
    /// value (`finish` of the totals). Alone, or for a rule without `partialScore`, it scores every user.
    ///
    /// With `parts` (the trainer's reproducible mode) the users are cut into `parts` blocks whatever
    /// the group: each member scores its blocks (`BatchShard.rows(of: parts, …)`), the blocks' sums
    /// are gathered and added in block order, alone as in a group, so the metric has the same bits
    /// on any number of members up to `parts`.
    public func score(_ model: any Recommender, splitOver group: (any DataParallelGroup)?, parts: Int? = nil) throws -> Double {
        if let parts, let partialScore {
            let mine = BatchShard.rows(of: parts, rank: group?.rank ?? 0, size: group?.size ?? 1)
            let blocks = mine.map { block in partialScore(model, BatchShard.rows(of: rowCount, rank: block, size: parts)) }
            let local = blocks.flatMap { [$0.sum, Double($0.count)] }
            let all = try group.map { try $0.allGather(values: local).flatMap { $0 } } ?? local
            var (sum, count) = (0.0, 0.0)
            for block in stride(from: 0, to: all.count, by: 2) { (sum, count) = (sum + all[block], count + all[block + 1]) }
            return finish(sum, Int(count))
        }
        guard let group, group.size > 1, let partialScore else { return score(model) }
        let part = partialScore(model, BatchShard.rows(of: rowCount, rank: group.rank, size: group.size))
        var totals = [part.sum, Double(part.count)]
        try group.allReduceSum(&totals)
        return finish(totals[0], Int(totals[1]))
    }
}
