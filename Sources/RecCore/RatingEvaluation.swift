import TensorCore

/// Root-mean-square and mean absolute error of rating predictions.
public struct RatingReport: Sendable, Equatable {
    /// √(mean of squared errors).
    public let rmse: Double
    /// Mean of absolute errors.
    public let mae: Double
    /// Σ of squared errors (`rmse`² × `count` before rounding): what data-parallel parts add up.
    public let squaredErrorSum: Double
    /// Number of ratings scored.
    public let count: Int
    /// How many predictions used `defaultRating` because the user or item had no training rating.
    public let defaultedCount: Int
}

/// Scores rating predictions: every prediction is clipped to the rating range first, and a rating
/// whose user or item has no training rating is predicted as `defaultRating` (AutoRec's code
/// predicts 3 for such unseen users and items).
public enum RatingEvaluation {
    /// The default prediction for unseen users or items in AutoRec (Sedhain et al. 2015): 3.
    public static let autoRecDefaultRating: Float = 3

    /// RMSE and MAE of `predictions` against `targets` after clipping predictions to `range`.
    public static func errors(predictions: [Float], targets: [Float], range: ClosedRange<Float> = 1...5,
                              defaultedCount: Int = 0) -> RatingReport {
        precondition(predictions.count == targets.count,
                     "RatingEvaluation: \(predictions.count) predictions for \(targets.count) targets")
        var squared = 0.0, absolute = 0.0
        for (prediction, target) in zip(predictions, targets) {
            let error = Double(min(max(prediction, range.lowerBound), range.upperBound) - target)
            squared += error * error
            absolute += abs(error)
        }
        let n = Double(targets.count)
        return RatingReport(rmse: (squared / n).squareRoot(), mae: absolute / n, squaredErrorSum: squared, count: targets.count,
                            defaultedCount: defaultedCount)
    }

    /// Every row's mean squared error over its stored ratings in `test`, with `predictions` aligned to
    /// `test`'s stored values and clipped to `range` as `errors` does; rows without ratings are left
    /// out (`rows` names the ones kept, ascending).
    public static func meanSquaredErrorPerRow(predictions: [Float], test: SparseMatrix,
                                              range: ClosedRange<Float> = 1...5) -> (rows: [Int], values: [Double]) {
        precondition(predictions.count == test.nonZeroCount,
                     "RatingEvaluation: \(predictions.count) predictions for \(test.nonZeroCount) ratings")
        var rows: [Int] = [], values: [Double] = []
        for row in 0..<test.rows where test.count(inRow: row) > 0 {
            var squared = 0.0
            for position in test.range(ofRow: row) {
                let error = Double(min(max(predictions[position], range.lowerBound), range.upperBound) - test.values[position])
                squared += error * error
            }
            rows.append(row)
            values.append(squared / Double(test.count(inRow: row)))
        }
        return (rows, values)
    }

    /// Evaluates the ratings stored in `test`, asking `predict` for dense predictions of consecutive
    /// user rows (batch × items); users or items without any rating in `train` get `defaultRating`.
    public static func evaluate(test: SparseMatrix, train: SparseMatrix, range: ClosedRange<Float> = 1...5,
                                defaultRating: Float = autoRecDefaultRating, batchSize: Int = 1000,
                                predict: (Range<Int>) throws -> Matrix) rethrows -> RatingReport {
        precondition(test.rows == train.rows && test.columns == train.columns,
                     "RatingEvaluation: test \(test.rows)×\(test.columns), train \(train.rows)×\(train.columns)")
        var itemSeen = [Bool](repeating: false, count: train.columns)
        for column in train.columnIndices { itemSeen[Int(column)] = true }
        var predictions: [Float] = [], targets: [Float] = []
        predictions.reserveCapacity(test.nonZeroCount)
        targets.reserveCapacity(test.nonZeroCount)
        var defaulted = 0
        var start = 0
        while start < test.rows {
            let rows = start..<min(test.rows, start + batchSize)
            start = rows.upperBound
            let needed = rows.contains { test.count(inRow: $0) > 0 }
            guard needed else { continue }
            let batch = try predict(rows)
            precondition(batch.rows == rows.count && batch.columns == test.columns,
                         "RatingEvaluation: predictor returned \(batch.shapeDescription) for \(rows.count)×\(test.columns)")
            for (offset, user) in rows.enumerated() {
                let userSeen = train.count(inRow: user) > 0
                for position in test.range(ofRow: user) {
                    let item = Int(test.columnIndices[position])
                    targets.append(test.values[position])
                    if userSeen && itemSeen[item] {
                        predictions.append(batch[offset, item])
                    } else {
                        predictions.append(defaultRating)
                        defaulted += 1
                    }
                }
            }
        }
        return errors(predictions: predictions, targets: targets, range: range, defaultedCount: defaulted)
    }
}
