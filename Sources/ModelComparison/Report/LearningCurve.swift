import RecCore

/// A model's learning curves over its seeds, epoch by epoch: the mean, lowest and highest training
/// loss and validation metric of the seeds that trained that epoch (seeds may cover different
/// epochs: early stopping, or a run resumed from a training state written before epoch reports were
/// kept, which records only the epochs from its resume).
enum LearningCurve {
    /// The training loss per epoch (epochs whose loss is not finite in every seed are left out).
    static func loss(_ result: ModelResult) -> [SVGLineChart.Point] {
        points(result) { $0.loss.isFinite ? $0.loss : nil }
    }

    /// The validation metric per epoch (epochs without validation left out).
    static func validation(_ result: ModelResult) -> [SVGLineChart.Point] {
        points(result) { point in point.validationMetric.flatMap { $0.isFinite ? $0 : nil } }
    }

    /// For each epoch, the mean, lowest and highest of `value` over the runs that have one there.
    static func points(_ result: ModelResult, _ value: (EpochPoint) -> Double?) -> [SVGLineChart.Point] {
        var byEpoch: [Int: [Double]] = [:]
        for run in result.runs {
            for point in run.curve { if let y = value(point) { byEpoch[point.epoch, default: []].append(y) } }
        }
        return byEpoch.keys.sorted().compactMap { epoch in
            guard let values = byEpoch[epoch], let low = values.min(), let high = values.max() else { return nil }
            return SVGLineChart.Point(x: Double(epoch), mean: Descriptive.mean(values), low: low, high: high)
        }
    }
}
