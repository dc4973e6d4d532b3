import NeuralNet
import RecCore

extension Task {
    /// `evaluate(model, on: split)`. With a data-parallel `group` and a task whose test scoring
    /// splits (`testScoring`), member r scores test rows r·T/N ..< (r+1)·T/N, the members gather
    /// every part in rank order (which is row order), and each builds the report from the whole:
    /// the per-user values, the table's means and the paired tests' inputs are those one process
    /// gets. Alone, or for a task without `testScoring`, every member scores the whole test part.
    public func evaluate(_ model: any Recommender, on split: Split, splitOver group: (any DataParallelGroup)?) throws -> TaskReport {
        guard let group, group.size > 1, let scoring = testScoring(model, on: split) else { return evaluate(model, on: split) }
        let part = scoring.part(BatchShard.rows(of: scoring.rowCount, rank: group.rank, size: group.size))
        return scoring.report(try group.allGather(values: part).flatMap { $0 })
    }
}
