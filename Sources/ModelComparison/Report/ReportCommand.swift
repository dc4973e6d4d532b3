import Foundation
import RecCore

/// The `Report` program, callable from tests: re-renders the `--report` page from a saved
/// results file (and its `FILE-significance.json` twin when present), without training.
public enum ReportCommand {
    /// The usage text printed by `--help`.
    public static let usage = """
        USAGE: swift run Report RESULTS.json [--significance FILE.json] [--output PAGE.html]

        Writes the page CompareModels --report writes, from a results file written by
        CompareModels --output: the results table, learning curves, metric bars with 95 %
        intervals, the paired-significance matrix, the data's histograms, the settings and the
        machine. One self-contained XHTML file: inline SVG and CSS, no scripts, nothing fetched.

        OPTIONS:
          --significance FILE.json  the paired tests (default: RESULTS-significance.json beside
                                    the results file, when it exists); a file of other models,
                                    seeds or test users is an error naming it
          --output PAGE.html        where to write the page (default: RESULTS.html beside the file)
          -h, --help                this text
        """

    /// Runs with `arguments` (no program name); prints to `output`, errors to `log`. Returns the
    /// exit status (0 success, 1 a file that cannot be used, 2 a usage error).
    public static func main(arguments: [String], output: (String) -> Void, log: (String) -> Void) -> Int32 {
        var resultsPath: String?, significancePath: String?, pagePath: String?
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            switch argument {
            case "-h", "--help": output(usage); return 0
            case "--significance", "--output":
                guard index + 1 < arguments.count, !arguments[index + 1].hasPrefix("--") else {
                    log("error: \(argument) needs a value (see --help)"); return 2
                }
                if argument == "--output" { pagePath = arguments[index + 1] } else { significancePath = arguments[index + 1] }
                index += 1
            default:
                guard !argument.hasPrefix("-"), resultsPath == nil else {
                    log("error: " + "unexpected argument '\(argument)' (see --help)".escapingControlCharacters); return 2
                }
                resultsPath = argument
            }
            index += 1
        }
        guard let resultsPath else { log("error: name a results file (see --help)"); return 2 }
        let page = pagePath ?? (resultsPath as NSString).deletingPathExtension + ".html"
        do {
            try ReportPage.load(results: resultsPath, significance: significancePath).write(to: page)
            output("wrote \(page.escapingControlCharacters)")
            return 0
        } catch {
            log("error: " + "\(error)".escapingControlCharacters)
            return 1
        }
    }
}

extension ReportPage {
    /// The page of the results file at `results`, with the paired tests of `significance` (default:
    /// its `-significance.json` twin, when it exists); a tests file of other models, seeds or test
    /// users throws naming it.
    public static func load(results: String, significance: String? = nil) throws -> ReportPage {
        let document = try ResultsDocument.read(results)
        let twin = ResultsFiles.significancePath(for: results)
        guard let path = significance ?? (FileManager.default.fileExists(atPath: twin) ? twin : nil) else {
            return ReportPage(document: document, significance: nil)
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ResultsFileError.unreadable(file: path, reason: error.localizedDescription)
        }
        let tests: PairedSignificance
        do { tests = try JSONDecoder().decode(PairedSignificance.self, from: data) } catch {
            throw ResultsFileError.malformed(file: path, reason: ResultsFileError.describe(error))
        }
        try check(tests, file: path, against: document, resultsFile: results)
        return ReportPage(document: document, significance: tests)
    }

    /// Throws unless every pair of `tests` names models and seeds of `document`, and (ranking) as many
    /// users as the results scored: a tests file of another run or another data set.
    static func check(_ tests: PairedSignificance, file: String, against document: ResultsDocument, resultsFile: String) throws {
        let runs = Dictionary(document.results.map { ($0.model, $0.runs) }, uniquingKeysWith: { first, _ in first })
        let countsUsers = TaskCatalog.standard.tasks.first { $0.name == document.task }?.evaluatedUnit == "users"
        for (index, pair) in tests.pairs.enumerated() {
            for model in [pair.first, pair.second] {
                guard let modelRuns = runs[model] else {
                    throw ResultsFileError.mismatched(file: file, reason: "pairs[\(index)] names model '\(model)', which \(resultsFile) does not hold")
                }
                guard let run = modelRuns.first(where: { $0.seed == pair.seed }) else {
                    throw ResultsFileError.mismatched(file: file, reason: "pairs[\(index)] is seed \(pair.seed), which \(resultsFile) has no run of \(model) for")
                }
                if countsUsers && run.evaluatedCount != pair.users {
                    throw ResultsFileError.mismatched(file: file, reason: "pairs[\(index)] tested \(pair.users) users; \(resultsFile) scored \(model) seed \(pair.seed) on \(run.evaluatedCount) (another data set or split?)")
                }
            }
        }
        guard runs[tests.best] != nil else {
            throw ResultsFileError.mismatched(file: file, reason: "best model '\(tests.best)' is not in \(resultsFile)")
        }
    }
}
