import Foundation
import Testing
import RecCore
import TestSupport
@testable import ModelComparison

/// A results file is an experiment file: `--config results.json` runs the same experiment with the
/// same numbers, and refuses data whose fingerprint differs from the one it recorded.
@Suite struct ResultsRerunTests {
    /// Runs the program; returns its status and log.
    static func run(_ arguments: [String]) -> (status: Int32, log: [String]) {
        var log: [String] = []
        let status = CompareModelsCommand.main(arguments: arguments, output: { _ in }, log: { log.append($0) })
        return (status, log)
    }

    static func temporary(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
    }

    @Test func aResultsFileRunsItsExperimentAgainWithTheSameNumbers() throws {
        let data = try ToyData.writeRatingsFile()
        let (first, second) = (Self.temporary("first") + ".json", Self.temporary("second") + ".json")
        defer {
            for path in [data, first, second] + [first, second].flatMap({ [ResultsFiles.csvPath(for: $0)] }) {
                try? FileManager.default.removeItem(atPath: path)
            }
        }
        let models = [CatalogPicks.first(.ranking)]
        let original = Self.run(["--data", data, "--format", "csv", "--epochs", "2", "--heldout-users", "20", "--seed", "5",
                                 "--models", models.joined(separator: ","), "--output", first] + CatalogPicks.tiny(models))
        #expect(original.status == 0, "\(original.log)")
        let recorded = try ResultsDocument.read(first)
        #expect(recorded.program == .current)
        #expect(recorded.dataFingerprint?.sha256 == (try SHA256Check.digest(of: data)))
        #expect(recorded.configuration?["epochs"] == .integer("2") && recorded.configuration?["seed"] == .integer("5"))
        #expect(recorded.configuration?["task"] == .string("ranking") && recorded.configuration?["output"] == nil)

        let again = Self.run(["--config", first, "--output", second])
        #expect(again.status == 0, "\(again.log)")
        #expect(again.log.contains { $0.contains("as \(first) recorded") && $0.contains(recorded.dataFingerprint?.sha256 ?? "?") })
        let repeated = try ResultsDocument.read(second)
        #expect(repeated.configuration == recorded.configuration && repeated.dataFingerprint == recorded.dataFingerprint)
        #expect(repeated.results.map(\.model) == recorded.results.map(\.model))
        for (old, new) in zip(recorded.results, repeated.results) {
            #expect(old.runs.map(\.metrics) == new.runs.map(\.metrics) && old.runs.map(\.bestEpoch) == new.runs.map(\.bestEpoch))
            #expect(old.runs.map { $0.curve.map(\.loss) } == new.runs.map { $0.curve.map(\.loss) })
        }

        // The same file with one more rating: one error naming the file and both fingerprints.
        let oldDigest = recorded.dataFingerprint?.sha256 ?? "?"
        try (String(contentsOfFile: data, encoding: .utf8) + "\n1,100,5").write(toFile: data, atomically: true, encoding: .utf8)
        let newDigest = try SHA256Check.digest(of: data)
        let changed = Self.run(["--config", first, "--output", second])
        #expect(changed.status == 1)
        let error = changed.log.last ?? ""
        #expect(error.hasPrefix("error: the data differ from those \(first)") && error.contains("\(data): sha256 \(newDigest) now, \(oldDigest) recorded"),
                "\(error)")
        #expect(changed.log.filter { $0.hasPrefix("error:") }.count == 1 && !changed.log.contains { $0.contains("epoch 1/") })
        let accepted = Self.run(["--config", first, "--output", second, "--accept-other-data"])
        #expect(accepted.status == 0 && accepted.log.contains { $0.hasPrefix("warning: the data differ") && $0.contains(newDigest) })
    }

    @Test func aFolderIsFingerprintedFileByFileAndTheBuiltInDataByItsSettings() throws {
        let folder = Self.temporary("split")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (name, text) in [("train.csv", "1,2,5\n"), ("test.csv", "1,3,4\n"), ("notes.md", "not data")] {
            try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8)
        }
        let before = try DataFingerprint.of(path: folder, task: RatingTask())
        #expect(before.inputs.map { ($0.name as NSString).lastPathComponent } == ["test.csv", "train.csv"])
        try "1,3,5\n".write(toFile: folder + "/test.csv", atomically: true, encoding: .utf8)
        try "changed".write(toFile: folder + "/notes.md", atomically: true, encoding: .utf8)
        let after = try DataFingerprint.of(path: folder, task: RatingTask())
        let differences = after.differences(from: before)
        #expect(differences.count == 1 && differences[0].hasPrefix(folder + "/test.csv: sha256 \(after.inputs[0].sha256) now, \(before.inputs[0].sha256) recorded"),
                "\(differences)")
        #expect(after.inputs[1] == before.inputs[1] && after.differences(from: after).isEmpty)

        let ranking = try DataFingerprint.of(path: nil, task: RankingTask())
        #expect(ranking == (try DataFingerprint.of(path: nil, task: RankingTask())))
        #expect(ranking.inputs[0].name.contains("SyntheticClicks(") && ranking.sha256.count == 64)
        #expect(ranking.sha256 != (try DataFingerprint.of(path: nil, task: RatingTask())).sha256)
    }

    @Test func aDocumentWithoutTheNewFieldsStillReads() throws {
        let text = """
            {"format": 2, "task": "ranking", "data": "x", "results": [],
             "environment": {"cpu": "c", "cores": 1, "operatingSystem": "o", "kernels": "k", "started": "s", "seconds": 1}}
            """
        let path = Self.temporary("old") + ".json"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let document = try ResultsDocument.read(path)
        #expect(document.configuration == nil && document.program == nil && document.dataFingerprint == nil)
    }
}

/// The reference digest of a file, by the system's `sha256sum` where there is one, else by the
/// package's own (the DataSets tests check that one against the published vectors).
enum SHA256Check {
    static func digest(of path: String) throws -> String {
        if let digest = try system(path) { return digest }
        return try DataFingerprint.of(path: path, task: RankingTask()).sha256
    }

    static func system(_ path: String) throws -> String? {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum") else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self).split(separator: " ").first.map(String.init)
    }
}
