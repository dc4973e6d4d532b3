import Testing
import Kernels
import ModelKit
import RecCore
import ZooCatalog
@testable import ModelComparison

@Suite struct ComparisonOptionsTests {
    @Test func parsesEveryFlag() throws {
        let options = try ComparisonOptions.parse([
            "--data", "/tmp/x", "--format", "vae-cf-split", "--models", "model-a,model-b", "--epochs", "5",
            "--seeds", "3", "--seed", "7", "--heldout-users", "600", "--output", "r.json",
            "--set", "model-a.dropout=0.2", "--quiet",
        ])
        #expect(options.dataPath == "/tmp/x")
        #expect(options.format == .vaeCFSplit)
        #expect(options.models == ["model-a", "model-b"])
        #expect(options.epochs == 5 && options.seeds == 3 && options.firstSeed == 7)
        #expect(options.heldOutUsers == 600 && options.outputPath == "r.json" && options.quiet)
        #expect(options.overrides == ["model-a": ["dropout": "0.2"]])
    }

    @Test func precisionIsFp32OrBf16() throws {
        #expect(try ComparisonOptions.parse([]).precision == nil)
        #expect(try ComparisonOptions.parse(["--precision", "bf16"]).precision == .bfloat16)
        #expect(try ComparisonOptions.parse(["--precision", "fp32"]).precision == .float32)
        #expect(throws: ComparisonError.invalidValue(flag: "--precision", value: "fp16", expected: "fp32 or bf16")) {
            try ComparisonOptions.parse(["--precision", "fp16"])
        }
    }

    @Test func reproducibleTakesAPositiveNumberOfParts() throws {
        #expect(try ComparisonOptions.parse([]).reproducibleShards == nil)
        #expect(try ComparisonOptions.parse(["--reproducible", "12"]).reproducibleShards == 12)
        #expect(throws: ComparisonError.invalidValue(flag: "--reproducible", value: "0", expected: "a positive integer")) {
            try ComparisonOptions.parse(["--reproducible", "0"])
        }
        #expect(ComparisonOptions.usage(modelNames: ["m"], tasks: ["ranking"]).contains("--reproducible K"))
    }

    @Test(arguments: [
        (["--epochs"], ComparisonError.missingValue(flag: "--epochs")),
        (["--epochs", "0"], ComparisonError.invalidValue(flag: "--epochs", value: "0", expected: "a positive integer")),
        (["--bogus"], ComparisonError.unknownArgument("--bogus")),
        (["--set", "dropout=1"], ComparisonError.invalidValue(flag: "--set", value: "dropout=1", expected: "MODEL.KEY=VALUE")),
        (["--output", "r.json", "--per-user", "r.csv"],
         ComparisonError.invalidValue(flag: "--per-user", value: "r.csv", expected: "a file other than those --output r.json writes")),
        (["--per-user"], ComparisonError.missingValue(flag: "--per-user")),
    ])
    func rejectsBadArguments(arguments: [String], expected: ComparisonError) {
        #expect(throws: expected) { try ComparisonOptions.parse(arguments) }
    }

    static let table = ResultsTable(RankingTask())

    static func run(ndcg: Double, seed: UInt64 = 1, recall: Double = 0.3) -> SeedRun {
        SeedRun(seed: seed, metrics: ["recall20": .init(mean: recall, standardError: 0.01), "recall50": .init(mean: 0.4, standardError: 0.01),
                                      "ndcg100": .init(mean: ndcg, standardError: 0.01)],
                bestEpoch: 3, bestValidationMetric: nil, trainingSeconds: 1.5, evaluatedCount: 100)
    }

    @Test func tableMarksBestAndListsEveryModel() {
        let results = [ModelResult(model: "a", task: .ranking, parameterCount: 1234567, runs: [Self.run(ndcg: 0.2)]),
                       ModelResult(model: "b", task: .ranking, parameterCount: 10, runs: [Self.run(ndcg: 0.3)])]
        let table = Self.table.render(results, dataDescription: "toy")
        #expect(table.contains("1,234,567") && table.contains("mean ± standard error over test users"))
        let rowB = table.split(separator: "\n").first { $0.contains(" b ") }
        #expect(rowB?.hasPrefix("*") == true)
        #expect(Self.table.csv(results).split(separator: "\n").count == 3)
    }

    /// Lower is better for an error metric: the smallest RMSE is marked, and a missing standard
    /// error is not printed.
    @Test func aRatingTableMarksTheLowestError() {
        let run = { (rmse: Double) in
            SeedRun(seed: 1, metrics: ["rmse": .init(mean: rmse, standardError: .nan), "mae": .init(mean: 0.7, standardError: .nan)],
                    bestEpoch: 2, bestValidationMetric: rmse, trainingSeconds: 1, evaluatedCount: 50, counts: ["defaulted": 3])
        }
        let results = [ModelResult(model: "a", task: .rating, parameterCount: 5, runs: [run(0.9)]),
                       ModelResult(model: "b", task: .rating, parameterCount: 5, runs: [run(0.85)])]
        let table = ResultsTable(RatingTask())
        let text = table.render(results, dataDescription: "toy", splitNote: "random 90/10 split per seed")
        #expect(text.split(separator: "\n").first { $0.contains(" b ") }?.hasPrefix("*") == true)
        #expect(text.contains("0.8500") && !text.contains("nan") && text.contains("* best RMSE"))
        let csv = table.csv(results)
        #expect(csv.hasPrefix("model,seed,rmse,rmse_se,mae,mae_se,best_epoch,train_seconds,test_ratings,parameters,defaulted\n"))
        #expect(csv.contains("b,1,0.85,nan,0.7,nan,2,1.0,50,5,3"))
    }

    @Test func seedSpreadIsSampleStandardDeviation() {
        let runs = [0.1, 0.2, 0.3].map { Self.run(ndcg: 0, recall: $0) }
        let summary = ModelResult(model: "m", task: .ranking, parameterCount: 0, runs: runs).summary("recall20")
        #expect(abs(summary.mean - 0.2) < 1e-12)
        #expect(abs(summary.standardError - 0.1) < 1e-12)
        #expect(Self.table.render([ModelResult(model: "m", task: .ranking, parameterCount: 0, runs: runs)], dataDescription: "toy")
                    .contains("mean ± s.d. over 3 seeds"))
    }
}

@Suite struct TaskChoiceTests {
    @Test func taskFlagAndAutomaticChoice() throws {
        #expect(try ComparisonOptions.parse(["--task", "rating"]).task == .rating)
        #expect(throws: ComparisonError.invalidValue(flag: "--task", value: "both", expected: "ranking or rating")) {
            try ComparisonOptions.parse(["--task", "both"])
        }
        let catalog = TaskCatalog.standard
        var options = ComparisonOptions()
        #expect(try catalog.task(for: options, zoo: .standard).name == .ranking)
        options.models = CatalogPicks.names(.rating)
        #expect(try catalog.task(for: options, zoo: .standard).name == .rating)
        options.models = [CatalogPicks.first(.rating), CatalogPicks.first(.ranking)]
        #expect(try catalog.task(for: options, zoo: .standard).name == .ranking)
        options.models = []
        options.format = .ratingSplit
        #expect(try catalog.task(for: options, zoo: .standard).name == .rating)
        options.format = .vaeCFSplit
        options.models = CatalogPicks.names(.rating)
        #expect(try catalog.task(for: options, zoo: .standard).name == .ranking)
    }
}
