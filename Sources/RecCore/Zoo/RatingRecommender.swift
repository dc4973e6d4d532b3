import TensorCore

/// A rating-prediction model (AutoRec, the deep SELU autoencoder): trained on observed ratings of
/// a users × items matrix, it predicts ratings at any (user, item) positions.
///
/// Models are reference types: `fit` changes their parameters in place.
public protocol RatingRecommender: AnyObject {
    /// The number of trainable scalars.
    var parameterCount: Int { get }

    /// Trains on the ratings of `train` (users × items). When `validation` (same shape) is given,
    /// scores its RMSE after each epoch, with `train` as the known ratings, and keeps the best
    /// epoch's parameters (lowest RMSE). `progress` is called after every epoch.
    func fit(train: SparseMatrix, validation: SparseMatrix?,
             progress: @escaping (EpochProgress) -> Void) throws -> FitSummary

    /// Raw (unclipped) predictions at every stored position of `queries` (users × items), in CSR
    /// order, when the known ratings are `known` (users × items, the model's input; normally the
    /// training matrix). Deterministic: inference uses no randomness.
    func predictions(at queries: SparseMatrix, known: SparseMatrix) -> [Float]
}

extension RatingEvaluation {
    /// RMSE and MAE of `model` on the ratings of `test`, with `train` as the known ratings:
    /// predictions are clipped to `range`, and a rating whose user or item has no training rating
    /// is predicted as `defaultRating` (3 in AutoRec).
    public static func evaluate(_ model: some RatingRecommender, test: SparseMatrix, train: SparseMatrix,
                                range: ClosedRange<Float> = 1...5,
                                defaultRating: Float = autoRecDefaultRating) -> RatingReport {
        precondition(test.rows == train.rows && test.columns == train.columns,
                     "RatingEvaluation: test \(test.rows)×\(test.columns), train \(train.rows)×\(train.columns)")
        var predictions = model.predictions(at: test, known: train)
        precondition(predictions.count == test.nonZeroCount,
                     "RatingEvaluation: \(predictions.count) predictions for \(test.nonZeroCount) ratings")
        var itemSeen = [Bool](repeating: false, count: train.columns)
        for column in train.columnIndices { itemSeen[Int(column)] = true }
        var defaulted = 0
        for user in 0..<test.rows {
            let userSeen = train.count(inRow: user) > 0
            for position in test.range(ofRow: user) where !(userSeen && itemSeen[Int(test.columnIndices[position])]) {
                predictions[position] = defaultRating
                defaulted += 1
            }
        }
        return errors(predictions: predictions, targets: test.values, range: range, defaultedCount: defaulted)
    }
}
