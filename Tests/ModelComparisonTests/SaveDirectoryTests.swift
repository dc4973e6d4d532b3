import Foundation
import Testing
import RecCore
import Checkpoints
@testable import ModelComparison
@testable import ZooCatalog

/// `CompareModels --save-dir`: one loadable checkpoint per model and seed, scoring as the trained model did.
@Suite struct SaveDirectoryTests {
    @Test func writesOneCheckpointPerModelAndSeed() throws {
        let path = try CompareModelsEndToEndTests.writeToyFile()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("save-dir-\(UUID().uuidString)").path
        defer {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: folder)
        }
        var log: [String] = []
        let models = [(CatalogPicks.first(.ranking), TaskName.ranking), (CatalogPicks.first(.rating), TaskName.rating)]
        for (model, task) in models {
            let code = CompareModelsCommand.main(
                arguments: ["--data", path, "--format", "csv", "--epochs", "1", "--heldout-users", "20", "--seeds", "2",
                            "--models", model, "--task", task.rawValue, "--save-dir", folder, "--quiet"] + CatalogPicks.tiny([model]),
                output: { _ in }, log: { log.append($0) })
            #expect(code == 0, "\(log.joined(separator: "\n"))")
        }
        for (model, task) in models {
            for seed in 1...2 {
                let checkpoint = try Checkpoint.load(from: folder + "/\(model)-seed\(seed).safetensors")
                #expect(checkpoint.model == model && checkpoint.task == task && checkpoint.options.seed == UInt64(seed))
                #expect(checkpoint.history != nil && !checkpoint.itemIDs.isEmpty)
                _ = try checkpoint.makeModel(zoo: .standard)
            }
        }
    }
}
