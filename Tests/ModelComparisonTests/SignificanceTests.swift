import Foundation
import Testing
import RecCore
import TestSupport
@testable import ModelComparison

/// The paired tests as `CompareModels` runs them: the table's marks, the significance files and
/// `--per-user`, for both tasks through the one runner.
@Suite struct SignificanceTests {
    static func run(seed: UInt64 = 1, perUser: [Double], mean: Double? = nil, key: String = "ndcg100") -> SeedRun {
        SeedRun(seed: seed, metrics: [key: .init(mean: mean ?? perUser.reduce(0, +) / Double(perUser.count), standardError: 0.01)],
                bestEpoch: 1, bestValidationMetric: nil, trainingSeconds: 1, evaluatedCount: perUser.count,
                perUserValues: perUser, perUserIDs: (0..<perUser.count).map { Int64(100 + $0) })
    }

    /// 40 users: b is a plus a small shift, so a is clearly worse; c equals b on most users, so it
    /// is not significantly worse than b.
    @Test func marksOnlyTheModelsNotSignificantlyWorseThanTheBest() throws {
        let b = (0..<40).map { 0.2 + 0.01 * Double($0 % 17) }
        let a = b.enumerated().map { $0.element - 0.05 - 0.001 * Double($0.offset % 3) }
        let c = b.enumerated().map { $0.offset == 3 ? $0.element - 0.01 : $0.offset == 9 ? $0.element + 0.005 : $0.element }
        let results = [ModelResult(model: "a", task: .ranking, parameterCount: 1, runs: [Self.run(perUser: a)]),
                       ModelResult(model: "b", task: .ranking, parameterCount: 1, runs: [Self.run(perUser: b)]),
                       ModelResult(model: "c", task: .ranking, parameterCount: 1, runs: [Self.run(perUser: c)])]
        let table = ResultsTable(RankingTask())
        let significance = try #require(table.significance(results))
        #expect(significance.best == "b" && significance.notSignificantlyWorse == ["c"])
        #expect(significance.pairs.map { "\($0.first)-\($0.second)" } == ["a-b", "a-c", "b-c"])
        // Holm over the three pairs, recomputed from the raw p-values.
        #expect(significance.pairs.map(\.tTestPHolm) == PairedTests.holm(significance.pairs.map(\.tTestP)))
        #expect(significance.pairs.map(\.wilcoxonP) == [PairedTests.wilcoxon(a, b).pValue, PairedTests.wilcoxon(a, c).pValue,
                                                        PairedTests.wilcoxon(b, c).pValue])
        let text = table.render(results, dataDescription: "toy")
        let marks = Dictionary(uniqueKeysWithValues: text.split(separator: "\n").compactMap { line -> (String, String)? in
            let cells = line.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            if cells.count > 1, ["a", "b", "c"].contains(cells[1]) { return (cells[1], cells[0]) }
            if let first = cells.first, ["a", "b", "c"].contains(first) { return (first, "") }
            return nil
        })
        #expect(marks == ["a": "", "b": "*", "c": "="], "\(text)")
        #expect(text.contains("= not significantly worse than *: paired t-test on per-user NDCG@100, Holm-corrected over 3 pairs"))
    }

    /// With several seeds a model is marked when one seed's test does not reject; pairs and Holm are per seed.
    @Test func withSeveralSeedsOneSeedWithoutSignificanceMarks() throws {
        let b = (0..<40).map { 0.2 + 0.01 * Double($0 % 17) }
        let worse = b.enumerated().map { $0.element - 0.05 - 0.001 * Double($0.offset % 3) }
        let close = b.enumerated().map { $0.offset == 3 ? $0.element - 0.01 : $0.element }
        let results = [ModelResult(model: "a", task: .ranking, parameterCount: 1,
                                   runs: [Self.run(seed: 1, perUser: worse), Self.run(seed: 2, perUser: close)]),
                       ModelResult(model: "b", task: .ranking, parameterCount: 1,
                                   runs: [Self.run(seed: 1, perUser: b), Self.run(seed: 2, perUser: b)]),
                       ModelResult(model: "c", task: .ranking, parameterCount: 1,
                                   runs: [Self.run(seed: 1, perUser: worse), Self.run(seed: 2, perUser: worse)])]
        let significance = try #require(ResultsTable(RankingTask()).significance(results))
        #expect(significance.pairs.map(\.seed) == [1, 1, 1, 2, 2, 2])
        #expect(significance.best == "b" && significance.notSignificantlyWorse == ["a"])
        // Seed 1's a and c are identical: that pair's p is NaN (as SciPy's) and stays NaN after Holm.
        let seedOne = significance.pairs.prefix(3)
        #expect(seedOne.map(\.tTestPHolm.bitPattern) == PairedTests.holm(seedOne.map(\.tTestP)).map(\.bitPattern))
        #expect(seedOne.map(\.tTestP.isNaN) == [false, true, false])
    }

    @Test func noTestsWithoutPerUserFiguresOrWithOneModel() {
        let bare = SeedRun(seed: 1, metrics: ["ndcg100": .init(mean: 0.3, standardError: 0.01)], bestEpoch: 1,
                           bestValidationMetric: nil, trainingSeconds: 1, evaluatedCount: 5)
        let table = ResultsTable(RankingTask())
        #expect(table.significance([ModelResult(model: "a", task: .ranking, parameterCount: 1, runs: [bare]),
                                    ModelResult(model: "b", task: .ranking, parameterCount: 1, runs: [bare])]) == nil)
        #expect(table.significance([ModelResult(model: "a", task: .ranking, parameterCount: 1,
                                                runs: [Self.run(perUser: [0.1, 0.2, 0.3])])]) == nil)
        // Results read back from JSON carry no per-user figures (they are not written there).
        let run = Self.run(perUser: [0.1, 0.2])
        let json = try? JSONEncoder().encode(run)
        #expect(json.map { String(decoding: $0, as: UTF8.self).contains("perUser") } == false)
    }

    /// Both tasks end to end: the per-user file has one line per (model, user), its values give the
    /// p-values in the significance files, and the ranking file's mean per-user NDCG@100 is the table's.
    @Test(arguments: [TaskName.ranking, TaskName.rating])
    func writesPerUserFiguresAndPValuesThatAgree(task: TaskName) throws {
        let data = try ToyData.writeRatingsFile()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("signif-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder); try? FileManager.default.removeItem(atPath: data) }
        let models = Array(CatalogPicks.names(task).prefix(2))
        var output: [String] = [], log: [String] = []
        let status = CompareModelsCommand.main(
            arguments: ["--data", data, "--format", "csv", "--task", task.rawValue, "--epochs", "2", "--heldout-users", "20",
                        "--models", models.map { $0.uppercased() }.joined(separator: ","), "--quiet",
                        "--output", folder + "/r.json", "--per-user", folder + "/users.csv"] + CatalogPicks.tiny(models),
            output: { output.append($0) }, log: { log.append($0) })
        #expect(status == 0, "\(log.joined(separator: "\n"))")
        let metric = task == .ranking ? "ndcg100" : "user_mse"
        let lines = try String(contentsOfFile: folder + "/users.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines.first == "model,seed,user,\(metric)")
        var values: [String: [Double]] = [:], users: [String: [String]] = [:]
        for line in lines.dropFirst() {
            let cells = line.split(separator: ",").map(String.init)
            values[cells[0], default: []].append(try #require(Double(cells[3])))
            users[cells[0], default: []].append(cells[2])
        }
        #expect(Set(values.keys) == Set(models) && users[models[0]] == users[models[1]])
        let results = try ResultsDocument.read(folder + "/r.json").results
        if task == .ranking {
            for result in results {
                let perUser = try #require(values[result.model])
                #expect(perUser.count == result.runs[0].evaluatedCount)
                #expect(abs(perUser.reduce(0, +) / Double(perUser.count) - result.runs[0].metric("ndcg100").mean) < 1e-12)
            }
        }
        let significance = try JSONDecoder().decode(PairedSignificance.self,
                                                    from: Data(contentsOf: URL(fileURLWithPath: folder + "/r-significance.json")))
        let pair = try #require(significance.pairs.first)
        #expect(significance.pairs.count == 1 && pair.first == models[0] && pair.second == models[1] && significance.metric.key == metric)
        let first = try #require(values[models[0]]), second = try #require(values[models[1]])
        #expect(pair.users == first.count)
        #expect(abs(pair.tTestP - PairedTests.tTest(first, second).pValue) < 1e-12 || pair.tTestP.isNaN)
        #expect(abs(pair.wilcoxonP - PairedTests.wilcoxon(first, second).pValue) < 1e-12 || pair.wilcoxonP.isNaN)
        let csv = try String(contentsOfFile: folder + "/r-significance.csv", encoding: .utf8).split(separator: "\n")
        #expect(csv.count == 2 && csv[0].hasPrefix("seed,first,second,metric,users,mean_difference,t_test_p,t_test_p_holm"))
        #expect(output.joined().contains("= not significantly worse than *"))
    }
}
