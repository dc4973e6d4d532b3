import Testing
import Kernels
import TensorCore
@testable import RecCore
@testable import ZooCatalog

/// Runs on every rating entry of the catalog: trains on toy ratings, the loss falls, predictions are
/// finite and the evaluation clips them to the rating range, the same seed gives identical predictions.
@Suite struct RatingZooConformanceTests {
    static let ratingNames = ModelZoo.standard.entries.filter { $0.task == .rating }.map(\.name)

    /// 60 users × 40 items of low-rank ratings in 1…5, ~40% observed, split 90/10 by `RatingSplit.random`.
    static let split: RatingSplit = {
        var rng = RandomGenerator(seed: 3)
        let users = Kernels.randomNormal(rows: 60, columns: 3, using: &rng)
        let items = Kernels.randomNormal(rows: 40, columns: 3, using: &rng)
        let affinity = Kernels.gemm(users, items, transposeB: true)
        var triplets: [(row: Int, column: Int, value: Float)] = []
        for u in 0..<60 { for i in 0..<40 where rng.nextUniform() < 0.4 {
            triplets.append((u, i, min(5, max(1, (3 + 0.8 * affinity[u, i]).rounded()))))
        } }
        let interactions = Interactions(ratings: SparseMatrix(rows: 60, columns: 40, triplets: triplets),
                                        userIDs: (0..<60).map(Int64.init), itemIDs: (0..<40).map(Int64.init))
        return RatingSplit.random(interactions, testFraction: 0.1, validationFraction: 0.1, seed: 4)
    }()

    static let smallOverrides: [String: [String: String]] = [
        "i-autorec": ["hidden": "8"],
        "u-autorec": ["hidden": "8"],
        "deep-ae": ["hidden": "8,4", "batch": "16", "dropout": "0.2", "lr": "0.05"],
    ]

    static func make(_ name: String, seed: UInt64 = 11) throws -> any RatingRecommender {
        let entry = try ModelZoo.standard.entry(named: name)
        let options = ModelOptions(seed: seed, epochs: 6, overrides: smallOverrides[name] ?? [:])
        let make = try #require(entry.makeRating)
        return try make(split.train.rows, split.train.columns, options)
    }

    @Test func catalogHasTheRatingModels() {
        #expect(Self.ratingNames == ["i-autorec", "u-autorec", "deep-ae"])
        #expect(throws: ModelZooError.wrongTask(model: "i-autorec", task: .rating)) {
            _ = try ModelZoo.standard.entry(named: "i-autorec").make(10, ModelOptions())
        }
    }

    @Test(arguments: ratingNames)
    func trainsAndPredictsInRange(name: String) throws {
        let model = try Self.make(name)
        var losses: [Double] = []
        let summary = try model.fit(train: Self.split.train, validation: Self.split.validation) { losses.append($0.loss) }
        #expect(summary.epochs.count == 6)
        #expect(summary.epochs.allSatisfy { $0.validationMetric?.isFinite == true })
        #expect(losses.allSatisfy { $0.isFinite })
        #expect(losses.last! < losses.first!, "\(name): loss did not fall: \(losses)")
        let predictions = model.predictions(at: Self.split.test, known: Self.split.train)
        #expect(predictions.count == Self.split.test.nonZeroCount)
        #expect(predictions.allSatisfy { $0.isFinite })
        let report = RatingEvaluation.evaluate(model, test: Self.split.test, train: Self.split.train)
        #expect(report.rmse.isFinite && report.rmse <= 4 && report.mae <= report.rmse)
        #expect(report.count == Self.split.test.nonZeroCount)
    }

    @Test(arguments: ratingNames)
    func sameSeedSamePredictions(name: String) throws {
        let first = try Self.make(name), second = try Self.make(name), other = try Self.make(name, seed: 12)
        for model in [first, second, other] { _ = try model.fit(train: Self.split.train, validation: nil) { _ in } }
        let test = Self.split.test, train = Self.split.train
        #expect(first.predictions(at: test, known: train) == second.predictions(at: test, known: train))
        #expect(first.predictions(at: test, known: train) != other.predictions(at: test, known: train))
    }
}
