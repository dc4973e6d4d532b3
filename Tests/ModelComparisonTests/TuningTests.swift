import Foundation
import Testing
import ModelKit
import RecCore
import TestSupport
import ZooCatalog
@testable import ModelComparison

/// `--tune`: the test part is never read while tuning (its reads are counted, and a poisoned test
/// part gives the same search), a search stopped in the middle continues from its log to the same
/// choice as one that never stopped, and a log of another search is refused naming its file and line.
@Suite(.serialized) struct TuningTests {
    /// The ranking task with every read of a split's test part counted, each read recording how
    /// many trials the log held at that moment.
    final class SpyTask: Task, @unchecked Sendable {
        let inner = RankingTask()
        let logPath: String
        private(set) var testReads: [Int] = []
        init(logPath: String) { self.logPath = logPath }

        var name: TaskName { inner.name }
        var summary: String { inner.summary }
        var metrics: [MetricDefinition] { inner.metrics }
        var validationMetric: MetricDefinition { inner.validationMetric }
        var perUserMetric: MetricDefinition { inner.perUserMetric }
        var evaluatedUnit: String { inner.evaluatedUnit }
        var tableNote: String? { inner.tableNote }
        var builtInDataSettings: String { inner.builtInDataSettings }
        func load(_ request: DataRequest, log: (String) -> Void) throws -> TaskDataset<StrongGeneralizationSplit> {
            try inner.load(request, log: log)
        }
        func validation(on split: StrongGeneralizationSplit) -> TaskValidation? { inner.validation(on: split) }
        func evaluate(_ model: any Recommender, on split: StrongGeneralizationSplit) -> TaskReport {
            let lines = (try? String(contentsOfFile: logPath, encoding: .utf8))?.split(separator: "\n").count ?? 0
            testReads.append(lines)
            return inner.evaluate(model, on: split)
        }
    }

    /// The toy clicks with their test part replaced by the training users' first rows (any value
    /// read from it during tuning would change what tuning sees).
    static let poisoned: StrongGeneralizationSplit = {
        let split = ToyData.clicks
        let rows = split.train.rows(in: 0..<split.test.userCount)
        let poison = HeldOutUsers(foldIn: rows, target: rows.withValues(1), userIDs: split.test.userIDs)
        return StrongGeneralizationSplit(train: split.train, trainUserIDs: split.trainUserIDs, validation: split.validation,
                                         test: poison, itemIDs: split.itemIDs)
    }()

    static let model = CatalogPicks.first(.ranking)

    /// Options of a tuned run of the first ranking entry with its tiny settings, logging to `logPath`.
    static func options(logPath: String, trials: Int = 5, seeds: Int = 2) throws -> ComparisonOptions {
        var arguments = ["--models", model, "--epochs", "7", "--seeds", "\(seeds)", "--tune", "\(trials)", "--tune-log", logPath]
        arguments += CatalogPicks.tiny([model])
        return try ComparisonOptions.parse(arguments)
    }

    static func dataset(_ split: StrongGeneralizationSplit) -> TaskDataset<StrongGeneralizationSplit> {
        TaskDataset(description: "toy clicks", splitNote: nil, isBuiltIn: false) { _ in split }
    }

    /// The log's trials without their seconds (the only field that differs between equal searches).
    static func trials(_ path: String) throws -> [TrialRecord] {
        try TuningLog(path: path).read().map { line in
            var record = line.record
            record.seconds = 0
            return record
        }
    }

    static func temporary(_ stem: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(stem)-\(UUID().uuidString).jsonl").path
    }

    @Test func theTestPartIsNeverReadWhileTuning() throws {
        let (clean, dirty) = (Self.temporary("tune-clean"), Self.temporary("tune-poisoned"))
        defer { for path in [clean, dirty] { try? FileManager.default.removeItem(atPath: path) } }
        var results: [[ModelResult]] = []
        for (path, split) in [(clean, ToyData.clicks), (dirty, Self.poisoned)] {
            let task = SpyTask(logPath: path)
            let runner = ComparisonRunner(zoo: .standard, options: try Self.options(logPath: path), log: { _ in })
            results.append(try runner.run(task, on: Self.dataset(split)))
            // The test part was read once per seed, each time after the whole search was in the log.
            #expect(task.testReads == [5, 5], "test reads with the log's trial count at each: \(task.testReads)")
        }
        // The same trials, values and choice whatever the test part holds; the test figures differ.
        #expect(try Self.trials(clean) == Self.trials(dirty))
        #expect(results[0][0].tunedSettings == results[1][0].tunedSettings && results[0][0].tunedSettings != nil)
        #expect(results[0][0].runs.map(\.metrics) != results[1][0].runs.map(\.metrics))
        #expect(results[0][0].runs.allSatisfy { $0.tunedSettings == results[0][0].tunedSettings })
    }

    @Test func aStoppedSearchContinuesToTheSameChoice() throws {
        let (whole, stopped) = (Self.temporary("tune-whole"), Self.temporary("tune-stopped"))
        defer { for path in [whole, stopped] { try? FileManager.default.removeItem(atPath: path) } }
        let uninterrupted = try ComparisonRunner(zoo: .standard, options: try Self.options(logPath: whole, seeds: 1), log: { _ in })
            .run(RankingTask(), on: Self.dataset(ToyData.clicks))
        // As a process killed while writing its third trial: two whole lines and half of the third.
        let lines = try String(contentsOfFile: whole, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 5)
        try (lines[0...1].joined(separator: "\n") + "\n" + lines[2].prefix(40)).write(toFile: stopped, atomically: true, encoding: .utf8)
        var log: [String] = []
        let continued = try ComparisonRunner(zoo: .standard, options: try Self.options(logPath: stopped, seeds: 1),
                                             log: { log.append($0) })
            .run(RankingTask(), on: Self.dataset(ToyData.clicks))
        #expect(log.contains { $0.contains("line 3: a trial cut short") }, "\(log)")
        #expect(log.filter { $0.contains("from \(stopped) line") }.count == 2)
        #expect(try Self.trials(stopped) == Self.trials(whole))
        #expect(continued == uninterrupted.map { result in
            var result = result
            result.runs = result.runs.map { run in
                var run = run
                run.trainingSeconds = continued[0].runs[0].trainingSeconds
                // Seconds differ between runs; the curve's losses and metrics must not.
                run.curve = zip(run.curve, continued[0].runs[0].curve).map { point, other in
                    var point = point
                    point.seconds = other.seconds
                    return point
                }
                return run
            }
            return result
        })
    }

    @Test func aLogOfAnotherSearchIsRefusedNamingFileAndLine() throws {
        let path = Self.temporary("tune-other")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let runner = ComparisonRunner(zoo: .standard, options: try Self.options(logPath: path, trials: 2, seeds: 1), log: { _ in })
        _ = try runner.run(RankingTask(), on: Self.dataset(ToyData.clicks))
        let other = TaskDataset<StrongGeneralizationSplit>(description: "other clicks", splitNote: nil, isBuiltIn: false) { _ in
            ToyData.clicks
        }
        do {
            _ = try runner.run(RankingTask(), on: other)
            Issue.record("a log of another data set was continued")
        } catch let error as TuningLogError {
            #expect(error.description.hasPrefix("\(path) line 1: a trial of '\(Self.model)' from another search (data:"), "\(error)")
        }
        // Another space: the same data, a dimension replaced.
        var options = try Self.options(logPath: path, trials: 2, seeds: 1)
        options.tuneSpaces = [Self.model: ["lr": "log:0.001...0.01"]]
        #expect(throws: TuningLogError.self) {
            try ComparisonRunner(zoo: .standard, options: options, log: { _ in }).run(RankingTask(), on: Self.dataset(ToyData.clicks))
        }
        // A line that is not a trial, before the last one.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try ("{\"model\": 3}\n" + text).write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try runner.run(RankingTask(), on: Self.dataset(ToyData.clicks))
            Issue.record("a broken line was accepted")
        } catch let error as TuningLogError {
            #expect(error == .unreadableLine(file: path, line: 1, reason: "'model' has the wrong type"), "\(error)")
        }
    }

    @Test func badSpacesOnTheCommandLineAreOneErrorEachNamingTheKey() throws {
        let data = try CompareModelsEndToEndTests.writeToyFile()
        defer { try? FileManager.default.removeItem(atPath: data) }
        let cases = [("nosuch=1...2", "unknown setting 'nosuch'"), ("lr=0.01...0.001", "the range of 'lr' is empty"),
                     ("lr=log:a...b", "'lr=log:a...b' cannot be read")]
        for (space, expected) in cases {
            var log: [String] = []
            let status = CompareModelsCommand.main(
                arguments: ["--data", data, "--format", "csv", "--heldout-users", "20", "--models", Self.model, "--tune", "2",
                            "--tune-log", Self.temporary("never-written"), "--tune-space", "\(Self.model).\(space)"],
                output: { _ in }, log: { log.append($0) })
            let errors = log.filter { $0.hasPrefix("error:") }
            #expect(status == 1 && errors.count == 1 && errors[0].contains(expected), "\(space): \(log)")
        }
        var log: [String] = []
        #expect(CompareModelsCommand.main(arguments: ["--tune-space", "\(Self.model).lr=1...2"], output: { _ in },
                                          log: { log.append($0) }) == 2)
        #expect(log.contains { $0.contains("--tune N with it") })
    }

    @Test func tunedSettingsAreWrittenOnlyWhenTuned() throws {
        let run = SeedRun(seed: 1, metrics: [:], bestEpoch: 1, bestValidationMetric: nil, trainingSeconds: 0, evaluatedCount: 0)
        let plain = String(decoding: try JSONEncoder().encode(ModelResult(model: "m", task: .ranking, parameterCount: 1, runs: [run])),
                           as: UTF8.self)
        #expect(!plain.contains("tunedSettings"))
        var tunedRun = run
        tunedRun.tunedSettings = ["lr": "0.002"]
        let tuned = ModelResult(model: "m", task: .ranking, parameterCount: 1, runs: [tunedRun], tunedSettings: ["lr": "0.002"])
        let text = String(decoding: try JSONEncoder().encode(tuned), as: UTF8.self)
        #expect(text.components(separatedBy: "\"tunedSettings\":{\"lr\":\"0.002\"}").count == 3, "\(text)")
        #expect(try JSONDecoder().decode(ModelResult.self, from: Data(text.utf8)) == tuned)
    }

    @Test func theGraceIsAnOptionOfTheRuleAndOfTheLog() throws {
        #expect(try ComparisonOptions.parse(["--tune", "3"]).tuneGraceEpochs == nil)
        #expect(MedianStoppingRule().grace(epochCount: 200) == 40 && MedianStoppingRule().grace(epochCount: 7) == 5)
        #expect(MedianStoppingRule(graceEpochs: 2).grace(epochCount: 200) == 2)
        #expect(MedianStoppingRule(graceEpochs: 5).description
                == "median stopping rule: from epoch 5, against at least 3 earlier trials")   // the logs of BENCHMARKS §13
        #expect(try ComparisonOptions.parse(["--tune", "3", "--tune-grace", "20"]).tuneGraceEpochs == 20)
        #expect(throws: ComparisonError.invalidValue(flag: "--tune-grace", value: "0", expected: "a positive integer")) {
            try ComparisonOptions.parse(["--tune", "3", "--tune-grace", "0"])
        }
        #expect(MedianStoppingRule(graceEpochs: 20).description != MedianStoppingRule().description)
        // A 40-epoch trial far behind three others may stop from epoch 8 (a fifth), not at epoch 6.
        let ahead = Array(repeating: Array(repeating: Double?(0.5), count: 9), count: 3)
        #expect(!MedianStoppingRule().shouldStop(Array(repeating: 0.1, count: 6), earlier: ahead, higherIsBetter: true, epochCount: 40))
        #expect(MedianStoppingRule().shouldStop(Array(repeating: 0.1, count: 8), earlier: ahead, higherIsBetter: true, epochCount: 40))
    }

    @Test func theMedianRuleStopsOnlyTrialsBehindTheMedianAfterItsGrace() {
        let rule = MedianStoppingRule(minimumTrials: 3, graceEpochs: 2)
        let earlier: [[Double?]] = [[0.1, 0.3, 0.4], [0.2, 0.25, 0.5], [0.1, 0.2], [0.3]]
        // Epoch 2: the earlier bests are 0.3, 0.25, 0.2 (median 0.25).
        #expect(rule.shouldStop([0.1, 0.2], earlier: earlier, higherIsBetter: true, epochCount: 9))
        #expect(!rule.shouldStop([0.1, 0.26], earlier: earlier, higherIsBetter: true, epochCount: 9))
        #expect(!rule.shouldStop([0.0], earlier: earlier, higherIsBetter: true, epochCount: 9))              // within the grace
        #expect(!rule.shouldStop([0.0, 0.0, 0.0], earlier: earlier, higherIsBetter: true, epochCount: 9))    // two reached epoch 3
        #expect(rule.shouldStop([nil, nil], earlier: earlier, higherIsBetter: true, epochCount: 9))          // nothing finite
        // Lower is better (RMSE): bests 0.9, 0.95, 1.0 → median 0.95.
        let rmse: [[Double?]] = [[1.0, 0.9], [0.95, 0.97], [1.1, 1.0]]
        #expect(rule.shouldStop([1.0, 0.96], earlier: rmse, higherIsBetter: false, epochCount: 9))
        #expect(!rule.shouldStop([1.0, 0.94], earlier: rmse, higherIsBetter: false, epochCount: 9))
    }
}
