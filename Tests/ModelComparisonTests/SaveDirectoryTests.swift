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
        for (models, task) in [("mult-dae", "ranking"), ("i-autorec", "rating")] {
            let code = CompareModelsCommand.main(
                arguments: ["--data", path, "--format", "csv", "--epochs", "1", "--heldout-users", "20", "--seeds", "2",
                            "--models", models, "--task", task, "--save-dir", folder, "--quiet",
                            "--set", "mult-dae.hidden=8", "--set", "i-autorec.hidden=4", "--set", "i-autorec.iterations=2"],
                output: { _ in }, log: { log.append($0) })
            #expect(code == 0, "\(log.joined(separator: "\n"))")
        }
        for name in ["mult-dae-seed1", "mult-dae-seed2", "i-autorec-seed1", "i-autorec-seed2"] {
            let checkpoint = try Checkpoint.load(from: folder + "/\(name).safetensors")
            #expect(name.hasPrefix(checkpoint.model))
            #expect(checkpoint.history != nil && !checkpoint.itemIDs.isEmpty)
            _ = try checkpoint.makeModel(zoo: .standard)
        }
    }
}
