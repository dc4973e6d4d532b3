import Foundation
import Testing
import ModelKit
import RecCore
import TensorCore
import TestSupport
@testable import ModelComparison
@testable import ZooCatalog

/// Runs the whole `CompareModels` program on a toy ratings file and reads its table.
@Suite struct CompareModelsEndToEndTests {
    /// A toy CSV (`user,item,rating` with header), as `TestSupport` writes it.
    static func writeToyFile() throws -> String { try ToyData.writeRatingsFile() }

    @Test func printsATableListingEveryModel() throws {
        let path = try Self.writeToyFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let jsonPath = path.replacingOccurrences(of: ".csv", with: "-results.json")
        defer {                                   // the results, and the paired tests written beside them
            for written in [jsonPath, ResultsFiles.significancePath(for: jsonPath)] {
                try? FileManager.default.removeItem(atPath: written)
                try? FileManager.default.removeItem(atPath: ResultsFiles.csvPath(for: written))
            }
        }
        var output: [String] = [], log: [String] = []
        let status = CompareModelsCommand.main(
            arguments: ["--data", path, "--format", "csv", "--epochs", "2", "--heldout-users", "20",
                        "--output", jsonPath] + CatalogPicks.tiny(CatalogPicks.names(.ranking)),
            output: { output.append($0) }, log: { log.append($0) })
        #expect(status == 0, "log: \(log.joined(separator: "\n"))")
        #expect(log.first?.hasPrefix("kernels:") == true)
        #expect(log.contains { $0.contains("epoch 2/2") && $0.contains("val NDCG@100") })
        let table = output.joined(separator: "\n")
        for name in CatalogPicks.names(.ranking) {
            #expect(table.contains(" \(name) "), "table lacks \(name):\n\(table)")
        }
        #expect(table.contains("Recall@20") && table.contains("NDCG@100") && table.contains("* best"))
        let document = try ResultsDocument.read(jsonPath)
        #expect(document.format == ResultsDocument.currentFormat && document.task == .ranking)
        #expect(document.environment.kernels == log.first && document.environment.seconds > 0)
        #expect(document.data.contains("users"), "\(document.data)")
        let json = document.results
        #expect(json.map(\.model) == CatalogPicks.names(.ranking))
        // Every gradient-trained run records its two epochs; a closed-form one at least one.
        #expect(json.allSatisfy { result in
            let curve = result.runs[0].curve
            return !curve.isEmpty && curve.count <= 2 && curve.map(\.epoch) == Array(1...curve.count)
                && curve.allSatisfy { $0.validationMetric != nil && $0.seconds >= 0 }
        }, "\(json.map { ($0.model, $0.runs[0].curve) })")
        #expect(json.contains { $0.runs[0].curve.count == 2 && $0.runs[0].curve.allSatisfy { $0.loss.isFinite } })
        #expect(json.allSatisfy { $0.task == .ranking && $0.runs.count == 1 && $0.runs[0].evaluatedCount > 0
                                  && $0.runs[0].metric("ndcg100").mean > 0 })
        let csv = try String(contentsOfFile: jsonPath.replacingOccurrences(of: ".json", with: ".csv"), encoding: .utf8)
        #expect(csv.hasPrefix("model,seed,recall20,recall20_se,recall50,recall50_se,ndcg100,ndcg100_se,best_epoch,train_seconds,test_users,parameters\n"))
    }

    @Test func ratingTaskPrintsATableListingEveryRatingModel() throws {
        let path = try Self.writeToyFile()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let small = CatalogPicks.tiny(CatalogPicks.names(.rating))
        var output: [String] = [], log: [String] = []
        let status = CompareModelsCommand.main(
            arguments: ["--data", path, "--format", "csv", "--task", "rating", "--epochs", "2"] + small,
            output: { output.append($0) }, log: { log.append($0) })
        #expect(status == 0, "log: \(log.joined(separator: "\n"))")
        let table = output.joined(separator: "\n")
        #expect(table.contains("RMSE") && table.contains("MAE"))
        #expect(log.contains { $0.contains("epoch 2/2") && $0.contains("val RMSE") })
        for name in CatalogPicks.names(.rating) {
            #expect(table.contains(" \(name) "), "table lacks \(name):\n\(table)")
        }
    }

    @Test func unknownModelIsAnErrorListingKnownNames() {
        var log: [String] = []
        let known = CatalogPicks.first(.ranking)
        let status = CompareModelsCommand.main(arguments: ["--models", known + "x"], output: { _ in },
                                               log: { log.append($0) })
        #expect(status == 1)
        #expect(log.last?.contains("unknown model '\(known)x'") == true)
        #expect(log.last?.contains(known) == true)
    }

    @Test func aModelOfAnotherTaskNamesItsTask() {
        var log: [String] = []
        let rating = CatalogPicks.first(.rating)
        let status = CompareModelsCommand.main(arguments: ["--task", "ranking", "--models", rating], output: { _ in },
                                               log: { log.append($0) })
        #expect(status == 1)
        #expect(log.last?.contains("'\(rating)' is a rating model; use it with --task rating") == true, "\(log)")
    }

    @Test func missingFileNamesIt() {
        var log: [String] = []
        let status = CompareModelsCommand.main(arguments: ["--data", "/nonexistent/ratings.csv"], output: { _ in },
                                               log: { log.append($0) })
        #expect(status == 1)
        #expect(log.last?.contains("/nonexistent/ratings.csv") == true)
    }

    @Test func helpListsModelsAndFormats() {
        var output: [String] = []
        let status = CompareModelsCommand.main(arguments: ["--help"], output: { output.append($0) }, log: { _ in })
        #expect(status == 0)
        #expect(output.joined().contains(CatalogPicks.first(.ranking)) && output.joined().contains("vae-cf-split"))
        #expect(output.joined().contains("--task ranking|rating"))
    }
}
