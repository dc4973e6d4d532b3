import Foundation
import Testing
import Checkpoints
import ModelKit
import NeuralNet
import RecCore
import TensorCore
import TestSupport
@testable import ModelComparison
@testable import ZooCatalog

/// `CompareModels --resume-dir`: a run stopped after an epoch continues from its saved state to the
/// same figures as a run that never stopped; a finished run is only re-scored; state written for
/// other options or data is refused with the file and the difference named.
@Suite struct ResumeDirectoryTests {
    /// The standard zoo with `name` replaced by its `StopsAfter` twin (TestSupport).
    static func zoo(stopping name: String, after epochs: Int) throws -> ModelZoo {
        try ModelZoo.standard.stopping(name, after: epochs)
    }

    /// A toy ratings file and a folder path for the state files (not created).
    static func scratch() throws -> (data: String, folder: String) {
        (try CompareModelsEndToEndTests.writeToyFile(), temporary("resume-dir"))
    }

    static func remove(_ paths: String...) {
        for path in paths { try? FileManager.default.removeItem(atPath: path) }
    }

    static func temporary(_ stem: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(stem)-\(UUID().uuidString)").path
    }

    /// Runs CompareModels on `data`; returns the status, the log and the results written to a fresh JSON file.
    static func run(_ data: String, _ arguments: [String], zoo: ModelZoo = .standard) throws
        -> (status: Int32, log: [String], results: [ModelResult]) {
        let json = temporary("resume") + ".json"
        defer { for path in [json, ResultsFiles.csvPath(for: json)] { try? FileManager.default.removeItem(atPath: path) } }
        var log: [String] = []
        let status = CompareModelsCommand.main(arguments: ["--data", data, "--format", "csv", "--output", json] + arguments,
                                               zoo: zoo, output: { _ in }, log: { log.append($0) })
        let results = FileManager.default.fileExists(atPath: json)
            ? try ResultsDocument.read(json).results : []
        return (status, log, results)
    }

    /// Everything of a run but its seconds.
    static func figures(_ results: [ModelResult]) -> [[Double]] {
        results.flatMap(\.runs).map { run in
            run.metrics.keys.sorted().flatMap { [run.metrics[$0]!.mean, run.metrics[$0]!.standardError] }
                + [Double(run.bestEpoch), Double(run.evaluatedCount)]
        }
    }

    /// Every run's learning curve as (epoch, loss bits, validation metric bits): all but the seconds.
    static func curves(_ results: [ModelResult]) -> [[Point]] {
        results.flatMap(\.runs).map { run in
            run.curve.map { Point(epoch: $0.epoch, loss: $0.loss.bitPattern, validation: $0.validationMetric?.bitPattern) }
        }
    }

    struct Point: Equatable, CustomStringConvertible {
        var epoch: Int, loss: UInt64, validation: UInt64?
        var description: String { "\(epoch): \(Double(bitPattern: loss)), \(validation.map { Double(bitPattern: $0) } ?? .nan)" }
    }

    @Test func aStoppedRunContinuesToTheFiguresOfAnUninterruptedOne() throws {
        let (data, folder) = try Self.scratch()
        defer { Self.remove(data, folder) }
        let name = CatalogPicks.first(.ranking)
        let arguments = ["--epochs", "4", "--heldout-users", "20", "--models", name] + CatalogPicks.tiny([name])
        let straight = try Self.run(data, arguments + ["--quiet"])
        #expect(straight.status == 0, "\(straight.log)")

        let stopped = try Self.run(data, arguments + ["--resume-dir", folder], zoo: Self.zoo(stopping: name, after: 2))
        #expect(stopped.status == 1)
        #expect(stopped.log.contains { $0.contains("stopped on purpose") }, "\(stopped.log)")
        let file = folder + "/\(name)-seed1.training.safetensors"
        let saved = try Checkpoint.load(from: file)
        #expect(saved.training?.nextEpoch == 2 && saved.training?.epochReports.map(\.epoch) == [1, 2])

        // A copy of the state as a file written before epoch reports were kept (none in it).
        let oldFolder = folder + "-old"
        defer { Self.remove(oldFolder) }
        var old = saved
        old.training?.epochReports = []
        try FileManager.default.createDirectory(atPath: oldFolder, withIntermediateDirectories: true)
        try old.save(to: oldFolder + "/\(name)-seed1.training.safetensors")
        #expect(try Checkpoint.load(from: oldFolder + "/\(name)-seed1.training.safetensors").training?.epochReports == [])

        let continued = try Self.run(data, arguments + ["--resume-dir", folder])
        #expect(continued.status == 0, "\(continued.log)")
        #expect(continued.log.contains { $0.contains("continuing after epoch 2 from \(file)") }, "\(continued.log)")
        #expect(!continued.log.contains { $0.contains("epoch 1/4") || $0.contains("epoch 2/4") })
        #expect(continued.log.contains { $0.contains("epoch 4/4") })
        #expect(Self.figures(continued.results) == Self.figures(straight.results))
        #expect(!Self.figures(straight.results).isEmpty)
        // The learning curve of the results holds every epoch, the first two from the state file:
        // each loss and validation metric as the run that never stopped wrote it.
        #expect(Self.curves(straight.results).map { $0.map(\.epoch) } == [[1, 2, 3, 4]])
        #expect(Self.curves(continued.results) == Self.curves(straight.results))

        // The file without reports still resumes, to the same figures; its curve starts at the resume.
        let fromOld = try Self.run(data, arguments + ["--resume-dir", oldFolder])
        #expect(fromOld.status == 0, "\(fromOld.log)")
        #expect(Self.figures(fromOld.results) == Self.figures(straight.results))
        #expect(Self.curves(fromOld.results) == Self.curves(straight.results).map { Array($0.suffix(2)) })

        // Finished: scored again from the saved state, no epoch trained, the same figures, and
        // the training time of the earlier runs counted.
        let again = try Self.run(data, arguments + ["--resume-dir", folder])
        #expect(again.status == 0)
        #expect(again.log.contains { $0.contains("continuing after epoch 4") })
        #expect(!again.log.contains { $0.contains("/4  loss") }, "\(again.log)")
        #expect(Self.figures(again.results) == Self.figures(straight.results))
        #expect((again.results.first?.runs.first?.trainingSeconds ?? 0) > 0)
        #expect(Self.curves(again.results) == Self.curves(straight.results))
    }

    @Test func stateFromOtherOptionsIsRefusedNamingTheDifference() throws {
        let (data, folder) = try Self.scratch()
        defer { Self.remove(data, folder) }
        let name = CatalogPicks.first(.ranking)
        let arguments = ["--heldout-users", "20", "--models", name, "--set", "\(name).batch=40", "--quiet", "--resume-dir", folder]
        #expect(try Self.run(data, arguments + ["--epochs", "1"]).status == 0)
        let file = folder + "/\(name)-seed1.training.safetensors"
        let epochs = try Self.run(data, arguments + ["--epochs", "2"])
        #expect(epochs.status == 1)
        #expect(epochs.log.contains { $0.contains(file) && $0.contains("epochs: 1 there, 2 now") }, "\(epochs.log)")
        let set = try Self.run(data, arguments + ["--epochs", "1", "--set", "\(name).batch=30"])
        #expect(set.log.contains { $0.contains("--set values: batch=40 there, batch=30 now") }, "\(set.log)")
        let users = try Self.run(data, arguments + ["--epochs", "1", "--heldout-users", "30"])
        #expect(users.status == 1)
        #expect(users.log.contains { $0.contains(file) && ($0.contains("training data") || $0.contains("items:")) }, "\(users.log)")
    }

    /// A state whose counts no run of these options could have written (beyond the epochs, negative)
    /// is refused naming the file and the field: it crashed, or trained extra epochs, before.
    @Test(arguments: [99, -2])
    func aStateBeyondThePlanIsRefusedNamingTheFileAndField(nextEpoch: Int) throws {
        let (data, folder) = try Self.scratch()
        defer { Self.remove(data, folder) }
        let name = CatalogPicks.first(.ranking)
        let arguments = ["--epochs", "2", "--heldout-users", "20", "--models", name, "--quiet", "--resume-dir", folder]
            + CatalogPicks.tiny([name])
        #expect(try Self.run(data, arguments).status == 0)
        let file = folder + "/\(name)-seed1.training.safetensors"
        var saved = try Checkpoint.load(from: file)
        saved.training?.nextEpoch = nextEpoch
        saved.training?.epochReports = []      // else the reports, numbered to epoch 2, are refused first
        try saved.save(to: file)
        let refused = try Self.run(data, arguments)
        #expect(refused.status == 1)
        #expect(refused.log.contains { $0.contains(file) && $0.contains("training.next_epoch") && $0.contains("\(nextEpoch)") },
                "\(refused.log)")
    }

    /// A state file whose epoch reports do not fit it (one too many, a non-finite loss) is refused
    /// naming the file, the field and the value.
    @Test(arguments: ["count", "loss"])
    func inconsistentEpochReportsAreRefusedNamingTheFileAndField(broken: String) throws {
        let (data, folder) = try Self.scratch()
        defer { Self.remove(data, folder) }
        let name = CatalogPicks.first(.ranking)
        let arguments = ["--epochs", "2", "--heldout-users", "20", "--models", name, "--quiet", "--resume-dir", folder]
            + CatalogPicks.tiny([name])
        #expect(try Self.run(data, arguments, zoo: Self.zoo(stopping: name, after: 1)).status == 1)
        let file = folder + "/\(name)-seed1.training.safetensors"
        var saved = try Checkpoint.load(from: file)
        var reports = try #require(saved.training?.epochReports)
        #expect(reports.map(\.epoch) == [1])
        let (field, value): (String, String)
        if broken == "count" {
            reports.append(reports[0])
            (field, value) = ("training.epoch_reports.epoch", "2 reports")
        } else {
            reports[0].loss = .infinity
            (field, value) = ("training.epoch_reports.loss[0]", "(inf)")
        }
        saved.training?.epochReports = reports
        try saved.save(to: file)
        let refused = try Self.run(data, arguments)
        #expect(refused.status == 1)
        #expect(refused.log.contains { $0.contains(file) && $0.contains("'\(field)'") && $0.contains(value) }, "\(refused.log)")
    }

    @Test func aFinishedRatingRunIsOnlyRescored() throws {
        let (data, folder) = try Self.scratch()
        defer { Self.remove(data, folder) }
        let name = CatalogPicks.first(.rating)
        let arguments = ["--task", "rating", "--epochs", "2", "--models", name, "--resume-dir", folder] + CatalogPicks.tiny([name])
        var first: [String] = [], second: [String] = []
        #expect(CompareModelsCommand.main(arguments: ["--data", data, "--format", "csv"] + arguments,
                                          output: { first.append($0) }, log: { _ in }) == 0)
        #expect(CompareModelsCommand.main(arguments: ["--data", data, "--format", "csv"] + arguments,
                                          output: { second.append($0) }, log: { second.append($0) }) == 0)
        #expect(second.contains { $0.contains("continuing after epoch 2") }, "\(second)")
        #expect(!second.contains { $0.contains("epoch 1/2") })
        let rmse = { (lines: [String]) in lines.first { $0.contains(" \(name) ") }?.split(separator: " ").dropFirst(2).first }
        #expect(rmse(first) != nil && rmse(first) == rmse(second), "\(first)\n\(second)")
    }
}
