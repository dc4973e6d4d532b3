import Foundation
import Testing
import ModelKit
import NeuralNet
import RecCore
import TensorCore
@testable import ModelComparison
@testable import ZooCatalog

/// `--output` is rewritten after every (model, seed), so a run that fails or is stopped keeps what
/// finished; and every model is built before any trains, so a bad `--set` fails at once.
@Suite struct PartialResultsTests {
    /// The catalog's first ranking model.
    static let ranking = CatalogPicks.first(.ranking)

    /// A model that builds fine and fails in training.
    final class FailsInTraining: ZooModel {
        struct Failure: Error, CustomStringConvertible { var description: String { "training failed on purpose" } }
        var parameters: [Parameter] { [] }
        func fit(_ request: FitRequest) throws -> TrainingHistory { throw Failure() }
        func scores(for histories: SparseMatrix) -> Matrix { Matrix(rows: histories.rows, columns: histories.columns) }
    }

    /// A model whose loss turns NaN in its second epoch.
    final class LossTurnsNaN: StepTrainedModel {
        let weight = Parameter(name: "w", value: Matrix([[1]]))
        var parameters: [Parameter] { [weight] }
        var recipe: TrainingRecipe { TrainingRecipe(epochs: 3, stepping: .miniBatch(batchSize: 50, optimizer: SGD(learningRate: 0.1))) }
        func makeTrainingContext() -> ForwardContext { ForwardContext(mode: .training, seed: 1) }
        func lossAndGradients(batch: SparseMatrix, step: TrainingStep, context: inout ForwardContext) -> Double {
            weight.gradient = Matrix([[0.1]])
            return step.epoch == 1 ? .nan : 1
        }
        func scores(for histories: SparseMatrix) -> Matrix { Matrix(rows: histories.rows, columns: histories.columns) }
    }

    /// The standard zoo plus `fails-in-training` (ranking) and `rating-fails-in-training`.
    static let zoo = ModelZoo(ModelZoo.standard.entries + [
        ModelEntry(name: "fails-in-training", summary: "test double", task: .ranking, parameterCount: { _, _ in 0 }) { _, _ in
            FailsInTraining()
        },
        ModelEntry(name: "rating-fails-in-training", summary: "test double", task: .rating, parameterCount: { _, _ in 0 }) { _, _ in
            FailsInTraining()
        },
        ModelEntry(name: "nan-in-epoch-2", summary: "test double", task: .ranking, parameterCount: { _, _ in 1 }) { _, _ in
            LossTurnsNaN()
        },
    ])

    /// Runs `arguments` + `--output` into a fresh path; returns the exit status, the log and the path.
    static func run(_ arguments: [String]) throws -> (status: Int32, log: [String], json: String, cleanup: () -> Void) {
        let data = try CompareModelsEndToEndTests.writeToyFile()
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("partial-\(UUID().uuidString).json").path
        var log: [String] = []
        let status = CompareModelsCommand.main(arguments: ["--data", data, "--format", "csv", "--output", json] + arguments,
                                               zoo: zoo, output: { _ in }, log: { log.append($0) })
        return (status, log, json, {
            for path in [data, json, ResultsFiles.csvPath(for: json)] { try? FileManager.default.removeItem(atPath: path) }
        })
    }

    @Test func aRunThatFailsLaterKeepsTheFinishedModelsAndSeeds() throws {
        let result = try Self.run(["--epochs", "1", "--heldout-users", "20", "--seeds", "2", "--quiet",
                                   "--models", "\(Self.ranking),fails-in-training"] + CatalogPicks.tiny([Self.ranking]))
        defer { result.cleanup() }
        #expect(result.status == 1)
        #expect(result.log.contains { $0.contains("error") && $0.contains("training failed on purpose") }, "\(result.log)")
        let saved = try ResultsDocument.read(result.json).results
        #expect(saved.map(\.model) == [Self.ranking])
        #expect(saved.first?.runs.map(\.seed) == [1, 2])
        let csv = try String(contentsOfFile: ResultsFiles.csvPath(for: result.json), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 3)                 // header + one line per seed
    }

    /// A non-finite loss stops the run with the model's name and the epoch and batch counted from 1
    /// (as the progress lines count), and the models that finished are still printed.
    @Test func aNonFiniteLossNamesTheModelAndTheEpochAndKeepsTheTable() throws {
        let data = try CompareModelsEndToEndTests.writeToyFile()
        defer { try? FileManager.default.removeItem(atPath: data) }
        var output: [String] = [], log: [String] = []
        let status = CompareModelsCommand.main(
            arguments: ["--data", data, "--format", "csv", "--heldout-users", "20", "--epochs", "1",
                        "--models", "\(Self.ranking),nan-in-epoch-2"] + CatalogPicks.tiny([Self.ranking]),
            zoo: Self.zoo, output: { output.append($0) }, log: { log.append($0) })
        #expect(status == 1)
        #expect(log.last?.contains("training nan-in-epoch-2 failed: non-finite loss nan in epoch 2, batch 1") == true, "\(log)")
        #expect(output.joined(separator: "\n").contains(" \(Self.ranking) "), "\(output)")
    }

    @Test func aBadOptionForTheLastModelFailsBeforeAnyTraining() throws {
        let result = try Self.run(["--epochs", "1", "--heldout-users", "20",
                                   "--models", "\(Self.ranking),\(CatalogPicks.second(.ranking))",
                                   "--set", "\(CatalogPicks.second(.ranking)).no-such-option=7"] + CatalogPicks.tiny([Self.ranking]))
        defer { result.cleanup() }
        #expect(result.status == 1)
        #expect(result.log.contains { $0.contains("error") && $0.contains("no-such-option") }, "\(result.log)")
        #expect(!result.log.contains { $0.contains("epoch 1/1") }, "\(result.log)")   // the first model never started
        #expect(!FileManager.default.fileExists(atPath: result.json))
    }

    @Test func aBadRatingOptionFailsBeforeAnyTraining() throws {
        let (first, second) = (CatalogPicks.first(.rating), CatalogPicks.second(.rating))
        let result = try Self.run(["--task", "rating", "--epochs", "1", "--models", "\(first),\(second)",
                                   "--set", "\(second).no-such-option=-3"] + CatalogPicks.tiny([first]))
        defer { result.cleanup() }
        #expect(result.status == 1)
        #expect(!result.log.contains { $0.contains("epoch 1/1") }, "\(result.log)")
        #expect(!FileManager.default.fileExists(atPath: result.json))
    }

    @Test func aRatingRunThatFailsLaterKeepsTheFinishedSeeds() throws {
        let rating = CatalogPicks.first(.rating)
        var output: [String] = []
        let data = try CompareModelsEndToEndTests.writeToyFile()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let json = FileManager.default.temporaryDirectory.appendingPathComponent("partial-\(UUID().uuidString).json").path
        defer { for path in [json, ResultsFiles.csvPath(for: json)] { try? FileManager.default.removeItem(atPath: path) } }
        let status = CompareModelsCommand.main(
            arguments: ["--data", data, "--format", "csv", "--output", json, "--task", "rating", "--epochs", "1", "--seeds", "2",
                        "--quiet", "--models", "\(rating),rating-fails-in-training"] + CatalogPicks.tiny([rating]),
            zoo: Self.zoo, output: { output.append($0) }, log: { _ in })
        #expect(status == 1)
        let saved = try ResultsDocument.read(json).results
        #expect(saved.map(\.model) == [rating] && saved.first?.runs.map(\.seed) == [1, 2])
        // The finished model's table is still printed.
        #expect(output.joined(separator: "\n").contains(" \(rating) "), "\(output)")
    }

    @Test func theDoneLineReportsEveryMetric() throws {
        let result = try Self.run(["--epochs", "1", "--heldout-users", "20", "--models", Self.ranking] + CatalogPicks.tiny([Self.ranking]))
        defer { result.cleanup() }
        #expect(result.status == 0)
        #expect(result.log.contains { $0.contains("done in") && $0.contains("NDCG@100") && $0.contains("Recall@20")
                                      && $0.contains("Recall@50") }, "\(result.log)")
    }
}
