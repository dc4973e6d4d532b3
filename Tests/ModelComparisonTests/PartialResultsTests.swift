import Foundation
import Testing
import RecCore
import TensorCore
@testable import ModelComparison
@testable import ZooCatalog

/// `--output` is rewritten after every (model, seed), so a run that fails or is stopped keeps what
/// finished; and every model is built before any trains, so a bad `--set` fails at once.
@Suite struct PartialResultsTests {
    /// A model that builds fine and fails in training.
    final class FailsInTraining: Recommender {
        struct Failure: Error, CustomStringConvertible { var description: String { "training failed on purpose" } }
        var parameterCount: Int { 1 }
        func fit(train: SparseMatrix, validation: HeldOutUsers?, progress: @escaping (EpochProgress) -> Void) throws -> FitSummary {
            throw Failure()
        }
        func scores(for histories: SparseMatrix) -> Matrix { Matrix(rows: histories.rows, columns: histories.columns) }
    }

    /// The rating twin of `FailsInTraining`.
    final class RatingFailsInTraining: RatingRecommender {
        var parameterCount: Int { 1 }
        func fit(train: SparseMatrix, validation: SparseMatrix?, progress: @escaping (EpochProgress) -> Void) throws -> FitSummary {
            throw FailsInTraining.Failure()
        }
        func predictions(at queries: SparseMatrix, known: SparseMatrix) -> [Float] { [Float](repeating: 3, count: queries.nonZeroCount) }
    }

    /// The standard zoo plus `fails-in-training` and `rating-fails-in-training`.
    static let zoo = ModelZoo(ModelZoo.standard.entries + [
        ModelEntry(name: "fails-in-training", summary: "test double") { _, _ in FailsInTraining() },
        ModelEntry(name: "rating-fails-in-training", summary: "test double") { _, _, _ in RatingFailsInTraining() },
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
                                   "--models", "mult-dae,fails-in-training", "--set", "mult-dae.hidden=8"])
        defer { result.cleanup() }
        #expect(result.status == 1)
        #expect(result.log.contains { $0.contains("error") && $0.contains("training failed on purpose") }, "\(result.log)")
        let saved = try JSONDecoder().decode([ModelResult].self, from: Data(contentsOf: URL(fileURLWithPath: result.json)))
        #expect(saved.map(\.model) == ["mult-dae"])
        #expect(saved.first?.runs.map(\.seed) == [1, 2])
        let csv = try String(contentsOfFile: ResultsFiles.csvPath(for: result.json), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 3)                 // header + one line per seed
    }

    @Test func aBadOptionForTheLastModelFailsBeforeAnyTraining() throws {
        let result = try Self.run(["--epochs", "1", "--heldout-users", "20", "--models", "mult-dae,mult-vae",
                                   "--set", "mult-dae.hidden=8", "--set", "mult-vae.dropout=7"])
        defer { result.cleanup() }
        #expect(result.status == 1)
        #expect(result.log.contains { $0.contains("error") && $0.contains("dropout") }, "\(result.log)")
        #expect(!result.log.contains { $0.contains("epoch 1/1") }, "\(result.log)")   // mult-dae never started
        #expect(!FileManager.default.fileExists(atPath: result.json))
    }

    @Test func aBadRatingOptionFailsBeforeAnyTraining() throws {
        let result = try Self.run(["--task", "rating", "--epochs", "1", "--models", "i-autorec,u-autorec",
                                   "--set", "i-autorec.hidden=4", "--set", "u-autorec.hidden=-3"])
        defer { result.cleanup() }
        #expect(result.status == 1)
        #expect(!result.log.contains { $0.contains("epoch 1/1") }, "\(result.log)")
        #expect(!FileManager.default.fileExists(atPath: result.json))
    }

    @Test func aRatingRunThatFailsLaterKeepsTheFinishedSeeds() throws {
        let result = try Self.run(["--task", "rating", "--epochs", "1", "--seeds", "2", "--quiet",
                                   "--models", "i-autorec,rating-fails-in-training",
                                   "--set", "i-autorec.hidden=4", "--set", "i-autorec.iterations=2"])
        defer { result.cleanup() }
        #expect(result.status == 1)
        let saved = try JSONDecoder().decode([RatingModelResult].self, from: Data(contentsOf: URL(fileURLWithPath: result.json)))
        #expect(saved.map(\.model) == ["i-autorec"] && saved.first?.runs.map(\.seed) == [1, 2])
    }

    @Test func theDoneLineReportsEveryMetric() throws {
        let result = try Self.run(["--epochs", "1", "--heldout-users", "20", "--models", "mult-dae", "--set", "mult-dae.hidden=8"])
        defer { result.cleanup() }
        #expect(result.status == 0)
        #expect(result.log.contains { $0.contains("done in") && $0.contains("NDCG@100") && $0.contains("Recall@20")
                                      && $0.contains("Recall@50") }, "\(result.log)")
    }
}
