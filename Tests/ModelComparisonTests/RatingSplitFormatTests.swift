import Foundation
import Testing
import RecCore
@testable import ModelComparison
@testable import ZooCatalog

/// `CompareModels --format rating-split`: a given train/test folder instead of a random split.
@Suite struct RatingSplitFormatTests {
    /// A folder with `train.csv` and `test.csv` of low-rank toy ratings (60 users × 40 items, original
    /// ids offset), and one test rating of a user absent from train.
    static func writeFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rating-split-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        var train = ["user,item,rating"], test = ["user,item,rating"]
        for user in 0..<60 {
            for item in 0..<40 where (user * 7 + item * 3) % 5 < 2 {
                let line = "\(500 + user),\(10 + item),\(1 + (user % 3 + item % 3) % 5)"
                if (user + 2 * item) % 10 == 0 { test.append(line) } else { train.append(line) }
            }
        }
        test.append("9999,10,2")
        try (train.joined(separator: "\n") + "\n").write(toFile: folder + "/train.csv", atomically: true, encoding: .utf8)
        try (test.joined(separator: "\n") + "\n").write(toFile: folder + "/test.csv", atomically: true, encoding: .utf8)
        return folder
    }

    @Test func runsOnTheGivenTestSetForEverySeed() throws {
        let folder = try Self.writeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let testCount = try String(contentsOfFile: folder + "/test.csv", encoding: .utf8)
            .split(separator: "\n").count - 1
        let model = CatalogPicks.first(.rating)
        var options = try ComparisonOptions.parse(["--data", folder, "--format", "rating-split", "--models", model,
                                                   "--epochs", "1", "--seeds", "2", "--quiet"] + CatalogPicks.tiny([model]))
        #expect(options.format == .ratingSplit)
        #expect(try TaskCatalog.standard.task(for: options, zoo: .standard).name == .rating)
        let dataset = try RatingTask().load(options.dataRequest, log: { _ in })
        #expect(dataset.description.contains("given split") && dataset.description.contains("\(testCount) test"))
        #expect(dataset.splitNote == "given test set" && !dataset.isBuiltIn)
        let results = try ComparisonRunner(zoo: .standard, options: options, log: { _ in }).run(RatingTask(), on: dataset)
        #expect(results.count == 1 && results[0].runs.count == 2)
        for run in results[0].runs {
            #expect(run.evaluatedCount == testCount)
            #expect((run.counts["defaulted"] ?? 0) >= 1)   // the user seen only in test
            #expect(run.metric("rmse").mean.isFinite)
        }
        // The format is also guessed from a folder holding train.csv and test.csv, and implies the rating task.
        options.format = nil
        options.models = []
        #expect(try DataFormat.guess(folder) == .ratingSplit)
        #expect(try TaskCatalog.standard.task(for: options, zoo: .standard).name == .rating)
    }

    @Test func theCommandPrintsATableAndNamesBadFiles() throws {
        let folder = try Self.writeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var output: [String] = [], log: [String] = []
        let model = CatalogPicks.second(.rating)
        let status = CompareModelsCommand.main(
            arguments: ["--data", folder, "--format", "rating-split", "--models", model, "--epochs", "1", "--quiet"]
                + CatalogPicks.tiny([model]),
            output: { output.append($0) }, log: { log.append($0) })
        #expect(status == 0, "log: \(log.joined(separator: "\n"))")
        #expect(output.joined().contains("given test set") && output.joined().contains(model))

        try FileManager.default.removeItem(atPath: folder + "/test.csv")
        log = []
        let missing = CompareModelsCommand.main(arguments: ["--data", folder, "--format", "rating-split"],
                                                output: { _ in }, log: { log.append($0) })
        #expect(missing == 1)
        #expect(log.last?.contains("missing test.csv") == true, "log: \(log)")
    }

    @Test func validationFractionZeroTrainsOnAllOfTrainAndKeepsTheLastEpoch() throws {
        let folder = try Self.writeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let model = CatalogPicks.first(.rating)
        let options = try ComparisonOptions.parse(["--data", folder, "--models", model, "--epochs", "2",
                                                   "--validation-fraction", "0", "--quiet"] + CatalogPicks.tiny([model]))
        #expect(options.validationFraction == 0)
        let dataset = try RatingTask().load(options.dataRequest, log: { _ in })
        #expect(dataset.description.contains("validation 0% of train"))
        let given = try GivenRatingSplit.load(folder: folder, validationFraction: 0)
        #expect(try dataset.split(1).train == given.train && dataset.split(1).validation.nonZeroCount == 0)
        #expect(RatingTask().validation(on: try dataset.split(1)) == nil)
        let run = try ComparisonRunner(zoo: .standard, options: options, log: { _ in }).run(RatingTask(), on: dataset)[0].runs[0]
        #expect(run.bestValidationMetric == nil && run.bestEpoch == 2 && run.metric("rmse").mean.isFinite)
    }

    @Test(arguments: ["1", "-0.1", "abc"])
    func validationFractionOutsideZeroToOneIsRejected(text: String) {
        #expect(throws: ComparisonError.invalidValue(flag: "--validation-fraction", value: text, expected: "a number in [0, 1)")) {
            try ComparisonOptions.parse(["--validation-fraction", text])
        }
    }

    @Test func helpDescribesTheFormat() {
        let usage = ComparisonOptions.usage(modelNames: ["model-a"])
        #expect(usage.contains("rating-split") && usage.contains("validation.csv") && usage.contains("--validation-fraction"))
    }
}
