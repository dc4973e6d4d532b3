import Testing
import TensorCore
@testable import RecCore

/// Scores items by how often the training users clicked them (a test double for the zoo API).
private final class CountingRecommender: Recommender {
    var counts: Matrix
    init(itemCount: Int) { counts = Matrix(rows: 1, columns: itemCount) }
    var parameterCount: Int { counts.count }
    func fit(train: SparseMatrix, validation: HeldOutUsers?,
             progress: @escaping (EpochProgress) -> Void) throws -> FitSummary {
        for column in train.columnIndices { counts.storage[Int(column)] += 1 }
        let report = EpochProgress(epoch: 1, epochCount: 1, loss: 0, validationMetric: nil, seconds: 0)
        progress(report)
        return FitSummary(bestEpoch: 1, bestValidationMetric: nil, epochs: [report])
    }
    func scores(for histories: SparseMatrix) -> Matrix {
        Matrix(rows: histories.rows, columns: counts.columns,
               storage: (0..<histories.rows).flatMap { _ in counts.storage })
    }
}

@Suite struct ModelZooTests {
    static let zoo = ModelZoo([
        ModelEntry(name: "counting", summary: "test double") { items, _ in CountingRecommender(itemCount: items) },
        ModelEntry(name: "other", summary: "test double") { items, _ in CountingRecommender(itemCount: items) },
    ])

    @Test func unknownNameListsKnownNames() {
        #expect(throws: ModelZooError.unknownModel("countng", known: ["counting", "other"])) {
            try Self.zoo.entry(named: "countng")
        }
        let message = ModelZooError.unknownModel("countng", known: ["counting", "other"]).description
        #expect(message.contains("counting, other"))
    }

    @Test func recommendExcludesSeenItems() throws {
        let model = try Self.zoo.entry(named: "counting").make(4, ModelOptions())
        let train = SparseMatrix(dense: Matrix([[1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 0, 0]]))
        _ = try model.fit(train: train, validation: nil) { _ in }
        let history = SparseMatrix(dense: Matrix([[1, 0, 0, 0], [0, 0, 0, 0]]))
        let top = model.recommend(for: history, count: 2)
        #expect(top[0] == [1, 2])        // item 0 is most popular but already seen
        #expect(top[1] == [0, 1])
    }

    @Test func optionReaderParsesAndRejects() throws {
        var reader = OptionReader(model: "m", options: ModelOptions(overrides: ["dropout": "0.2", "dims": "600,200"]))
        #expect(try reader.double("dropout", default: 0.5) == 0.2)
        #expect(try reader.intList("dims", default: [1]) == [600, 200])
        #expect(try reader.int("epochs", default: 3) == 3)
        try reader.finish()

        var typo = OptionReader(model: "m", options: ModelOptions(overrides: ["dropuot": "0.2"]))
        _ = try typo.double("dropout", default: 0.5)
        #expect(throws: ModelZooError.self) { try typo.finish() }

        var bad = OptionReader(model: "m", options: ModelOptions(overrides: ["dropout": "nan"]))
        #expect(throws: ModelZooError.self) { _ = try bad.double("dropout", default: 0.5) }

        var ranges = OptionReader(model: "m", options: ModelOptions(overrides: ["dropout": "1", "lr": "0", "lambda": "-1"]))
        #expect(throws: ModelZooError.invalidOption(model: "m", key: "dropout", value: "1.0", expected: "a number in [0.0, 1.0)")) {
            _ = try ranges.double("dropout", default: 0.5, in: 0..<1)
        }
        #expect(throws: ModelZooError.self) { _ = try ranges.positive("lr", default: 1e-3) }
        #expect(throws: ModelZooError.self) { _ = try ranges.nonNegative("lambda", default: 0.01) }
        var fine = OptionReader(model: "m", options: ModelOptions(overrides: ["dropout": "0"]))
        #expect(try fine.double("dropout", default: 0.5, in: 0..<1) == 0)
    }
}
