import Foundation
import Kernels
import RecCore
import ZooCatalog

/// The whole `CompareModels` program, callable from tests: parses `arguments`, runs, prints.
public enum CompareModelsCommand {
    /// Runs with `arguments` (no program name); writes the table to `output` and progress and
    /// errors to `log`. Returns the process exit status (0 success, 1 run error, 2 usage error).
    public static func main(arguments: [String], zoo: ModelZoo = .standard,
                            output: (String) -> Void, log: @escaping (String) -> Void) -> Int32 {
        log(Kernels.backendDescription)
        let options: ComparisonOptions
        do {
            options = try ComparisonOptions.parse(arguments)
        } catch {
            log("error: \(error)")
            return 2
        }
        if options.showHelp {
            output(ComparisonOptions.usage(modelNames: zoo.names))
            return 0
        }
        do {
            if try RatingComparison.task(for: options, zoo: zoo) == .rating {
                try RatingComparison(zoo: zoo, options: options, log: log).execute(output: output)
                return 0
            }
            let runner = ComparisonRunner(zoo: zoo, options: options, log: log)
            _ = try runner.selectedEntries()
            let data: ComparisonData
            if let path = options.dataPath {
                log("loading \(path) …")
                data = try ComparisonData.load(path: path, format: options.format, heldOutUsers: options.heldOutUsers)
            } else {
                data = ComparisonData.builtIn(heldOutUsers: options.heldOutUsers)
            }
            log("data: \(data.description)")
            // --output is rewritten after every (model, seed): a long run that is stopped keeps what finished.
            let save: ([ModelResult]) throws -> Void = { results in
                guard let path = options.outputPath else { return }
                try ResultsFiles.write(json: ResultsTable.json(results), csv: ResultsTable.csv(results), to: path)
            }
            let results = try runner.run(on: data, builtIn: options.dataPath == nil, afterEachRun: save)
            output(ResultsTable.render(results, dataDescription: data.description))
            try save(results)
            if let path = options.outputPath { log("wrote \(path) and \(ResultsFiles.csvPath(for: path))") }
            return 0
        } catch {
            log("error: \(error)")
            return 1
        }
    }
}

/// Where `--output` goes: FILE.json and the CSV beside it, each replaced atomically, so that a
/// reader (or a run stopped while writing) never sees half a file.
enum ResultsFiles {
    /// FILE.csv for FILE.json (any extension is replaced).
    static func csvPath(for path: String) -> String { (path as NSString).deletingPathExtension + ".csv" }

    /// Writes both files.
    static func write(json: Data, csv: String, to path: String) throws {
        try json.write(to: URL(fileURLWithPath: path), options: .atomic)
        try csv.write(toFile: csvPath(for: path), atomically: true, encoding: .utf8)
    }
}
