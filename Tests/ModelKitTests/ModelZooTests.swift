import Testing
import NeuralNet
import RecCore
import TensorCore
@testable import ModelKit

/// Scores items by how often the training users clicked them: a closed-form test double of the
/// zoo contract (its own `fit`, no step), with validation scored once by the task's rule.
private final class CountingRecommender: ZooModel {
    let counts: Parameter
    init(itemCount: Int) { counts = Parameter(name: "counts", value: Matrix(rows: 1, columns: itemCount)) }
    var parameters: [Parameter] { [counts] }
    func fit(_ request: FitRequest) throws -> TrainingHistory {
        for column in request.train.columnIndices { counts.value.storage[Int(column)] += 1 }
        let report = EpochReport(epoch: 1, epochCount: 1, loss: 0, validationMetric: request.validation.map { $0.score(self) },
                                 seconds: 0)
        request.progress(report)
        return TrainingHistory(epochs: [report], bestEpoch: 1, bestValidationMetric: report.validationMetric)
    }
    func scores(for histories: SparseMatrix) -> Matrix {
        Matrix(rows: histories.rows, columns: counts.value.columns,
               storage: (0..<histories.rows).flatMap { _ in counts.value.storage })
    }
}

@Suite struct ModelZooTests {
    static let zoo = ModelZoo([
        ModelEntry(name: "counting", summary: "test double", task: .ranking, parameterCount: { shape, _ in shape.items }) { shape, _ in
            CountingRecommender(itemCount: shape.items)
        },
        ModelEntry(name: "other", summary: "test double", task: .rating, parameterCount: { shape, _ in shape.items }) { shape, _ in
            CountingRecommender(itemCount: shape.items)
        },
    ])

    @Test func unknownNameListsKnownNames() {
        #expect(throws: ModelZooError.unknownModel("countng", known: ["counting", "other"])) {
            try Self.zoo.entry(named: "countng")
        }
        let message = ModelZooError.unknownModel("countng", known: ["counting", "other"]).description
        #expect(message.contains("counting, other"))
    }

    @Test func recommendExcludesSeenItems() throws {
        let model = try Self.zoo.entry(named: "counting").make(DataShape(users: 3, items: 4), ModelOptions())
        let train = SparseMatrix(dense: Matrix([[1, 1, 0, 0], [1, 0, 1, 0], [1, 0, 0, 0]]))
        var reports: [EpochReport] = []
        let fitted = try model.fit(FitRequest(train: train, progress: { reports.append($0) }))
        #expect(fitted.bestEpoch == 1 && reports.count == 1 && model.parameterCount == 4)
        let history = SparseMatrix(dense: Matrix([[1, 0, 0, 0], [0, 0, 0, 0]]))
        let top = model.recommend(for: history, count: 2)
        #expect(top[0] == [1, 2])        // item 0 is most popular but already seen
        #expect(top[1] == [0, 1])
        // The default `scores(at:known:)` gathers the dense scores at the queried positions.
        let queries = SparseMatrix(dense: Matrix([[0, 1, 0, 1], [0, 0, 0, 0], [1, 0, 0, 0]]))
        #expect(model.scores(at: queries, known: train) == [1, 0, 3])
    }

    @Test func entriesKeepTheirTask() throws {
        #expect(try Self.zoo.entry(named: "counting").task == .ranking)
        #expect(try Self.zoo.entry(named: "other").task == .rating)
        #expect(ModelZooError.wrongTask(model: "other", task: .rating).description.contains("--task rating"))
    }

    @Test func parameterCountsOverflowIntoATypedError() throws {
        var count = ParameterCount(model: "m")
        try count.dense(3, 4)
        try count.chain([4, 5, 2])
        #expect(count.total == 3 * 4 + 4 + 4 * 5 + 5 + 5 * 2 + 2)
        #expect(throws: ModelZooError.self) { try count.tensor(1 << 40, 1 << 40) }
        #expect(throws: ModelZooError.self) { try count.tensor(-1, 2) }
        var reader = OptionReader(model: "m", options: ModelOptions(overrides: ["hidden": "9223372036854775807", "n": "1099511627777"]))
        #expect(throws: ModelZooError.self) { _ = try reader.intList("hidden", default: [1]) }
        #expect(throws: ModelZooError.self) { _ = try reader.int("n", default: 1) }
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

@Suite struct ModelNameTests {
    @Test func namesMatchInAnyCase() throws {
        #expect(try ModelZooTests.zoo.entry(named: "Counting").name == "counting")
        #expect(try ModelZooTests.zoo.entry(named: "OTHER").name == "other")
    }

    @Test func aNearMissSuggestsTheClosestName() {
        let error = ModelZooError.unknownModel("Countign", known: ["counting", "other"])
        #expect(error.description == "unknown model 'Countign'; did you mean 'counting'? Known models: counting, other")
        // Far from every name: no suggestion, only the list.
        #expect(ModelZooError.unknownModel("transformer", known: ["counting", "other"]).description
                == "unknown model 'transformer'; known models: counting, other")
        #expect(NameMatching.closest(to: "MultVAE", in: ["mult-vae", "mult-dae", "ease"]) == "mult-vae")
    }

    @Test func editDistanceCountsInsertionsDeletionsAndSubstitutions() {
        #expect(NameMatching.editDistance("kitten", "sitting") == 3)
        #expect(NameMatching.editDistance("", "abc") == 3 && NameMatching.editDistance("abc", "") == 3)
        #expect(NameMatching.editDistance("Mult-VAE", "mult-vae") == 0)
        #expect(NameMatching.editDistance("ease", "eaes") == 2)
    }
}
