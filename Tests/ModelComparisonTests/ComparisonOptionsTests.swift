import Testing
import RecCore
import ZooCatalog
@testable import ModelComparison

@Suite struct ComparisonOptionsTests {
    @Test func parsesEveryFlag() throws {
        let options = try ComparisonOptions.parse([
            "--data", "/tmp/x", "--format", "vae-cf-split", "--models", "mult-vae,mult-dae", "--epochs", "5",
            "--seeds", "3", "--seed", "7", "--heldout-users", "600", "--output", "r.json",
            "--set", "mult-vae.dropout=0.2", "--quiet",
        ])
        #expect(options.dataPath == "/tmp/x")
        #expect(options.format == .vaeCFSplit)
        #expect(options.models == ["mult-vae", "mult-dae"])
        #expect(options.epochs == 5 && options.seeds == 3 && options.firstSeed == 7)
        #expect(options.heldOutUsers == 600 && options.outputPath == "r.json" && options.quiet)
        #expect(options.overrides == ["mult-vae": ["dropout": "0.2"]])
    }

    @Test(arguments: [
        (["--epochs"], ComparisonError.missingValue(flag: "--epochs")),
        (["--epochs", "0"], ComparisonError.invalidValue(flag: "--epochs", value: "0", expected: "a positive integer")),
        (["--bogus"], ComparisonError.unknownArgument("--bogus")),
        (["--set", "dropout=1"], ComparisonError.invalidValue(flag: "--set", value: "dropout=1", expected: "MODEL.KEY=VALUE")),
    ])
    func rejectsBadArguments(arguments: [String], expected: ComparisonError) {
        #expect(throws: expected) { try ComparisonOptions.parse(arguments) }
    }

    @Test func tableMarksBestAndListsEveryModel() {
        let run = { (ndcg: Double) in
            SeedRun(seed: 1, recall20: .init(mean: 0.3, standardError: 0.01), recall50: .init(mean: 0.4, standardError: 0.01),
                    ndcg100: .init(mean: ndcg, standardError: 0.01), bestEpoch: 3, trainingSeconds: 1.5, testUsers: 100)
        }
        let results = [ModelResult(model: "a", parameterCount: 1234567, runs: [run(0.2)]),
                       ModelResult(model: "b", parameterCount: 10, runs: [run(0.3)])]
        let table = ResultsTable.render(results, dataDescription: "toy")
        #expect(table.contains("1,234,567"))
        let rowB = table.split(separator: "\n").first { $0.contains(" b ") }
        #expect(rowB?.hasPrefix("*") == true)
        #expect(ResultsTable.csv(results).split(separator: "\n").count == 3)
    }

    @Test func seedSpreadIsSampleStandardDeviation() {
        let runs = [0.1, 0.2, 0.3].map { value in
            SeedRun(seed: 1, recall20: .init(mean: value, standardError: 0), recall50: .init(mean: 0, standardError: 0),
                    ndcg100: .init(mean: 0, standardError: 0), bestEpoch: 1, trainingSeconds: 1, testUsers: 1)
        }
        let summary = ModelResult(model: "m", parameterCount: 0, runs: runs).summary(\.recall20)
        #expect(abs(summary.mean - 0.2) < 1e-12)
        #expect(abs(summary.standardError - 0.1) < 1e-12)
    }
}

@Suite struct RatingTaskOptionsTests {
    @Test func taskFlagAndAutomaticChoice() throws {
        #expect(try ComparisonOptions.parse(["--task", "rating"]).task == .rating)
        #expect(throws: ComparisonError.invalidValue(flag: "--task", value: "both", expected: "ranking or rating")) {
            try ComparisonOptions.parse(["--task", "both"])
        }
        var options = ComparisonOptions()
        #expect(try RatingComparison.task(for: options, zoo: .standard) == .ranking)
        options.models = ["i-autorec", "deep-ae"]
        #expect(try RatingComparison.task(for: options, zoo: .standard) == .rating)
        options.models = ["i-autorec", "mult-dae"]
        #expect(try RatingComparison.task(for: options, zoo: .standard) == .ranking)
    }
}
