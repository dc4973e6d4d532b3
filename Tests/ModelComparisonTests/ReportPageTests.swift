import Foundation
import Testing
import RecCore
import TensorCore
import TestSupport
@testable import ModelComparison

/// `--report` and the `Report` program: the page parses as XML, every number it shows equals the
/// results file (recomputed by `ReportPageChecker`), and the program re-renders the same page.
@Suite struct ReportPageTests {
    static func temporary(_ stem: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(stem)-\(UUID().uuidString)").path
    }

    /// Checks `page` against `resultsPath` and its significance twin; returns the checker.
    @discardableResult
    static func expectFaithful(_ page: String, resultsPath: String, significancePath: String?) throws -> ReportPageChecker? {
        let (checker, error) = ReportPageChecker.parse(page)
        #expect(error == nil, "the page is not well-formed XML: \(error ?? "")")
        guard let checker else { return nil }
        let results = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: resultsPath)))
        let significance = try significancePath.map { try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: $0))) }
        let problems = checker.mismatches(results: results, significance: significance)
        #expect(problems.isEmpty, "\(problems.count) shown values differ from the files:\n\(problems.prefix(20).joined(separator: "\n"))")
        #expect(checker.unmarkedDigits.isEmpty, "digits shown without a source: \(checker.unmarkedDigits.prefix(20))")
        for fetchOrRun in ["<script", "src=", "href=", "url(", "@import", "<link"] {
            #expect(!page.contains(fetchOrRun), "the page holds \(fetchOrRun): it must fetch and run nothing")
        }
        return checker
    }

    /// A tuned run's page shows each tuned key's value in every seed, each equal to the file's.
    @Test func aTunedRunsPageShowsTheChosenSettings() throws {
        let folder = Self.temporary("report-tuned")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (json, html) = (folder + "/results.json", folder + "/page.html")
        let ratings = try ToyData.writeRatingsFile()
        defer { try? FileManager.default.removeItem(atPath: ratings) }
        let model = CatalogPicks.first(.ranking)
        var log: [String] = []
        let status = CompareModelsCommand.main(
            arguments: ["--data", ratings, "--format", "csv", "--heldout-users", "20", "--epochs", "2", "--seeds", "2",
                        "--quiet", "--models", model, "--tune", "2", "--output", json, "--report", html] + CatalogPicks.tiny([model]),
            output: { _ in }, log: { log.append($0) })
        #expect(status == 0, "log: \(log.joined(separator: "\n"))")
        let tuned = try #require(try ResultsDocument.read(json).results.first?.runs.first?.tunedSettings)
        #expect(!tuned.isEmpty)
        let checker = try Self.expectFaithful(try String(contentsOfFile: html, encoding: .utf8), resultsPath: json, significancePath: nil)
        let sources = Set(checker?.shown.map(\.source) ?? [])
        for key in tuned.keys {
            for run in 0..<2 {
                #expect(sources.contains("results[0].runs[\(run)].tunedSettings.\(key)"), "the page lacks \(key) of run \(run)")
            }
        }
    }

    @Test func compareModelsReportShowsExactlyTheResultsAndReportRerendersIt() throws {
        let folder = Self.temporary("report")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let (json, html) = (folder + "/results.json", folder + "/page.html")
        let ratings = try ToyData.writeRatingsFile()
        defer { try? FileManager.default.removeItem(atPath: ratings) }
        let models = Array(CatalogPicks.names(.ranking).prefix(3))
        var log: [String] = []
        let status = CompareModelsCommand.main(
            arguments: ["--data", ratings, "--format", "csv", "--heldout-users", "20", "--epochs", "2", "--seeds", "2",
                        "--quiet", "--models", models.joined(separator: ","),
                        "--output", json, "--report", html] + CatalogPicks.tiny(models),
            output: { _ in }, log: { log.append($0) })
        #expect(status == 0, "log: \(log.joined(separator: "\n"))")
        #expect(log.contains { $0.hasPrefix("wrote the report to ") })
        let page = try String(contentsOfFile: html, encoding: .utf8)
        let significance = ResultsFiles.significancePath(for: json)
        let checker = try Self.expectFaithful(page, resultsPath: json, significancePath: significance)
        let sources = Set(checker?.shown.map(\.source) ?? [])
        // What the page must show: every model's metrics with intervals, the tests, the data, the machine.
        for index in models.indices {
            for key in ["recall20", "recall50", "ndcg100"] {
                for statistic in ["mean", "sd", "ci95low", "ci95high"] {
                    let source = statistic.hasPrefix("ci95") ? "\(statistic)(results[\(index)].\(key))"
                        : "\(statistic)(results[\(index)].runs[*].metrics.\(key).mean)"
                    let shown = sources.contains(source)
                    #expect(shown, "the page lacks \(source)")
                }
            }
        }
        let summary = try #require(try ResultsDocument.read(json).dataSummary)
        // Each histogram from its first non-empty bin.
        let firstUserBin = summary.interactionsPerUser.firstIndex { $0.count > 0 } ?? -1
        let firstItemBin = summary.interactionsPerItem.firstIndex { $0.count > 0 } ?? -1
        for source in ["dataSummary.users", "dataSummary.items", "dataSummary.density",
                       "dataSummary.interactionsPerUser[\(firstUserBin)].count", "dataSummary.interactionsPerUser[\(summary.interactionsPerUser.count - 1)].upper",
                       "dataSummary.interactionsPerItem[\(firstItemBin)].count", "environment.cpu", "environment.kernels", "environment.seconds",
                       "significance:pairs[0].tTestPHolm", "significance:pairs[0].wilcoxonPHolm", "data",
                       "program.version", "dataFingerprint.sha256", "configuration.seeds", "configuration.models[0]"] {
            let shown = sources.contains(source)
            #expect(shown, "the page lacks \(source)")
        }
        // Learning curves: a validation chart with a line and a band per model, a loss chart per trained model.
        #expect((checker?.elementCounts["svg"] ?? 0) >= 3 + 2 + 2)
        #expect((checker?.elementCounts["polyline"] ?? 0) >= models.count)
        #expect(summary.users > 0 && summary.users == summary.interactionsPerUser.reduce(0) { $0 + $1.count })
        #expect(summary.items == summary.interactionsPerItem.reduce(0) { $0 + $1.count })
        #expect(summary.interactions > 0 && abs(summary.density - Double(summary.interactions) / Double(summary.users * summary.items)) < 1e-15)

        // The Report program makes the same page from the files alone.
        var output: [String] = [], errors: [String] = []
        let again = folder + "/again.html"
        #expect(ReportCommand.main(arguments: [json, "--output", again], output: { output.append($0) }, log: { errors.append($0) }) == 0,
                "\(errors)")
        #expect(try String(contentsOfFile: again, encoding: .utf8) == page)
    }

    @Test func aSignificanceFileOfOtherResultsIsOneErrorNamingIt() throws {
        let folder = Self.temporary("report-mismatch")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let run = SeedRun(seed: 1, metrics: ["ndcg100": MeanWithError(mean: 0.4, standardError: 0.01)], bestEpoch: 1,
                          bestValidationMetric: 0.4, trainingSeconds: 1, evaluatedCount: 600)
        let document = ResultsDocument(task: .ranking, data: "ml-1m", environment: .unknown,
                                       results: ["a", "b"].map { ModelResult(model: $0, task: .ranking, parameterCount: 1, runs: [run]) })
        let json = folder + "/results.json"
        try document.json().write(to: URL(fileURLWithPath: json))
        func tests(users: Int, second: String) -> String {
            """
            {"metric": {"name": "NDCG@100", "key": "ndcg100", "higherIsBetter": true}, "alpha": 0.05, "best": "a",
             "notSignificantlyWorse": [], "pairs": [{"seed": 1, "first": "a", "second": "\(second)", "users": \(users),
             "meanDifference": 0.1, "tTestP": 0.01, "tTestPHolm": 0.01, "wilcoxonP": 0.02, "wilcoxonPHolm": 0.02,
             "wilcoxonMethod": "asymptotic"}]}
            """
        }
        let twin = ResultsFiles.significancePath(for: json)
        try tests(users: 600, second: "b").write(toFile: twin, atomically: true, encoding: .utf8)
        #expect(throws: Never.self) { try ReportPage.load(results: json) }
        for (users, second, words) in [(500, "b", "tested 500 users"), (600, "c", "names model 'c'")] {
            try tests(users: users, second: second).write(toFile: twin, atomically: true, encoding: .utf8)
            var errors: [String] = []
            #expect(ReportCommand.main(arguments: [json], output: { _ in }, log: { errors.append($0) }) == 1)
            #expect(errors.count == 1 && errors[0].contains(twin) && errors[0].contains(words), "\(errors)")
        }
        try "{\"format\": 2, \"task\": 3}".write(toFile: json, atomically: true, encoding: .utf8)
        var errors: [String] = []
        #expect(ReportCommand.main(arguments: [json], output: { _ in }, log: { errors.append($0) }) == 1)
        #expect(errors.count == 1 && errors[0].contains(json), "\(errors)")
        #expect(ReportCommand.main(arguments: [], output: { _ in }, log: { _ in }) == 2)
        var help: [String] = []
        #expect(ReportCommand.main(arguments: ["--help"], output: { help.append($0) }, log: { _ in }) == 0)
        #expect(help.first?.contains("USAGE: swift run Report") == true)
    }

    @Test func namesFromTheFileAreEscapedAndAnOldFileStillRenders() throws {
        let run = SeedRun(seed: 3, metrics: ["rmse": MeanWithError(mean: 0.9, standardError: .nan),
                                            "mae": MeanWithError(mean: 0.7, standardError: .nan)], bestEpoch: 2,
                          bestValidationMetric: nil, trainingSeconds: 1.5, evaluatedCount: 10,
                          curve: [EpochPoint(epoch: 1, loss: .nan, validationMetric: nil, seconds: 1)])
        let hostile = "<b>&amp;\"x'\u{1}</b>"
        let document = ResultsDocument(task: .rating, data: "file <&> 12", environment: .unknown,
                                       results: [ModelResult(model: hostile, task: .rating, parameterCount: 12_345, runs: [run])])
        let page = ReportPage(document: document, significance: nil).render()
        #expect(!page.contains("<b>") && page.contains("&lt;b&gt;&amp;amp;&quot;x&#39;\u{FFFD}&lt;/b&gt;"))
        let folder = Self.temporary("report-old")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let json = folder + "/results.json"
        try document.json().write(to: URL(fileURLWithPath: json))
        let checker = try Self.expectFaithful(page, resultsPath: json, significancePath: nil)
        #expect(checker?.shown.contains { $0.source == "results[0].model" && $0.text == hostile.replacingOccurrences(of: "\u{1}", with: "\u{FFFD}") } == true)
        #expect(page.contains("holds no data summary") && page.contains("No paired tests"))
    }

    /// The page of a saved run (e.g. the five-model ML-1M run of Documentation/Report.md), checked
    /// when AUTOENCODERZOO_REPORT_RESULTS names its results.json.
    static let savedResults = ProcessInfo.processInfo.environment["AUTOENCODERZOO_REPORT_RESULTS"]

    @Test(.enabled(if: savedResults != nil, "AUTOENCODERZOO_REPORT_RESULTS not set: skipping the page of a saved run"))
    func aSavedRunsPageShowsExactlyItsResults() throws {
        let json = try #require(Self.savedResults)
        let page = try ReportPage.load(results: json).render()
        let twin = ResultsFiles.significancePath(for: json)
        let checker = try Self.expectFaithful(page, resultsPath: json,
                                              significancePath: FileManager.default.fileExists(atPath: twin) ? twin : nil)
        print("checked \(checker?.shown.count ?? 0) shown values of the page of \(json)")
    }
}

/// The data summary the report's Data section is drawn from, and the `--report` flag.
@Suite struct DataSummaryTests {
    @Test func countsAndBinsOfAHandMadeMatrix() {
        // Users with 1, 3 and 4 clicks over 5 items; item 4 never clicked.
        let train = SparseMatrix(rows: 3, columns: 5, triplets: [(0, 0, 1), (1, 0, 1), (1, 1, 1), (1, 2, 1),
                                                                 (2, 0, 1), (2, 1, 1), (2, 2, 1), (2, 3, 1)])
        let summary = DataSummary(train: train)
        #expect(summary.users == 3 && summary.items == 5 && summary.interactions == 8)
        #expect(summary.density == 8.0 / 15.0)
        #expect(summary.interactionsPerUser == [HistogramBin(lower: 1, upper: 1, count: 1), HistogramBin(lower: 2, upper: 3, count: 1),
                                                HistogramBin(lower: 4, upper: 7, count: 1)])
        // Items: 3, 2, 2, 1 and 0 clicks.
        #expect(summary.interactionsPerItem == [HistogramBin(lower: 0, upper: 0, count: 1), HistogramBin(lower: 1, upper: 1, count: 1),
                                                HistogramBin(lower: 2, upper: 3, count: 3)])
        #expect(DataSummary(train: .empty(rows: 0, columns: 0)).density == 0)
    }

    @Test func reportMustNotOverwriteAnotherOutput() throws {
        #expect(try ComparisonOptions.parse(["--report", "r.html"]).reportPath == "r.html")
        for taken in ["out.json", "out.csv", "out-significance.json", "pu.csv"] {
            #expect(throws: ComparisonError.self) {
                try ComparisonOptions.parse(["--output", "out.json", "--per-user", "pu.csv", "--report", taken])
            }
        }
        #expect(throws: ComparisonError.missingValue(flag: "--report")) { try ComparisonOptions.parse(["--report"]) }
    }
}
