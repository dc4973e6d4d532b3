import ModelKit
import NeuralNet
import RecCore
import TensorCore

/// The popularity ranking, the floor of every comparison: each item scored by how many training
/// users clicked it, the same for every user (seen items are excluded as for every model). Fitted
/// in closed form, in one pass over the clicks; deterministic.
public final class Popularity: ZooModel {
    /// The number of items.
    public let itemCount: Int
    /// The training click count of every item, [1, I] (a parameter so checkpoints store it).
    let counts: Parameter

    /// An unfitted model (every count 0) for `itemCount` items.
    public init(itemCount: Int) {
        precondition(itemCount > 0, "Popularity needs items, got \(itemCount)")
        self.itemCount = itemCount
        counts = Parameter(name: "counts", value: Matrix(rows: 1, columns: itemCount), decays: false)
    }

    /// [counts].
    public var parameters: [Parameter] { [counts] }

    /// Counts the users who clicked each item (a stored entry is a click, whatever its value), then
    /// reports one epoch, validated by the task's rule, and hands the state to `onEpochEnd`. A fit
    /// resumed from a state after that epoch keeps the restored counts.
    public func fit(_ request: FitRequest) throws -> TrainingHistory {
        let clock = ContinuousClock(), started = clock.now
        if (request.resume?.nextEpoch ?? 0) < 1 {
            counts.value = request.train.withValues(1).columnSums()
        }
        let metric = request.validation.map { $0.score(self) }
        return try request.finishOneEpochFit(validationMetric: metric, seconds: (clock.now - started).inSeconds)
    }

    /// Every history row gets the item counts.
    public func scores(for histories: SparseMatrix) -> Matrix {
        precondition(histories.columns == itemCount, "Popularity: histories have \(histories.columns) items, model has \(itemCount)")
        return counts.value.repeatedAsRows(histories.rows)
    }
}

extension Popularity {
    /// The zoo entry `popularity`.
    public static let zooEntry = ModelEntry(
        name: "popularity",
        summary: "Popularity: every item scored by its training click count (the floor of every comparison)",
        task: .ranking,
        parameterCount: { shape, options in
            try OptionReader(model: "popularity", options: options).finish()                      // no settings
            return shape.items
        }
    ) { shape, options in
        try OptionReader(model: "popularity", options: options).finish()
        return Popularity(itemCount: shape.items)
    }
}
