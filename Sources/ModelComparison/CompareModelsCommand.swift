import DataSets
import Foundation
import Kernels
import ModelKit
import RecCore
import ZooCatalog

/// The whole `CompareModels` program, callable from tests: parses `arguments`, runs, prints.
public enum CompareModelsCommand {
    /// Runs with `arguments` (no program name); writes the table to `output` and progress and
    /// errors to `log`. Returns the process exit status (0 success, 1 run error, 2 usage error).
    /// `dataSets` gives the store named data sets are fetched into (tests pass a loopback mirror).
    public static func main(arguments: [String], zoo: ModelZoo = .standard, tasks: TaskCatalog = .standard,
                            dataSets: () throws -> DataSetStore = { try DataSetStore.standard() },
                            output: (String) -> Void, log: @escaping (String) -> Void) -> Int32 {
        log(Kernels.backendDescription)
        var options: ComparisonOptions
        do {
            options = try ComparisonOptions.parse(arguments, tasks: tasks.names)
        } catch {
            log("error: " + "\(error)".escapingControlCharacters)
            return 2
        }
        if options.showHelp {
            output(ComparisonOptions.usage(modelNames: zoo.names, tasks: tasks.names))
            return 0
        }
        if options.listData {
            output(NamedDataOptions.listing(store: try? dataSets()))
            return 0
        }
        do {
            try NamedDataOptions.resolve(&options, store: dataSets, log: log)
            try execute(try tasks.task(for: options, zoo: zoo), options: options, zoo: zoo, output: output, log: log)
            return 0
        } catch {
            log("error: " + "\(error)".escapingControlCharacters)
            return 1
        }
    }

    /// Loads `task`'s data, runs every model and seed, prints the table and writes `--output`.
    /// When a run fails, the table of the runs that finished is printed before the error is thrown.
    static func execute<T: Task>(_ task: T, options: ComparisonOptions, zoo: ModelZoo, output: (String) -> Void,
                                 log: @escaping (String) -> Void) throws {
        let runner = ComparisonRunner(zoo: zoo, options: options, log: log)
        _ = try runner.selectedEntries(for: task.name)              // a bad --models fails before loading data
        let dataset = try task.load(options.dataRequest, log: log)
        log("data: " + dataset.description.escapingControlCharacters)
        let table = ResultsTable(task)
        var finished: [ModelResult] = []
        var wroteSignificance = false
        // --output is rewritten after every (model, seed): a long run that is stopped keeps what finished.
        let save: ([ModelResult]) throws -> Void = { results in
            finished = results
            if let path = options.perUserPath, let metric = table.perUserMetric {
                try PairedSignificance.perUserCSV(results, metric: metric).write(toFile: path, atomically: true, encoding: .utf8)
            }
            guard let path = options.outputPath else { return }
            try ResultsFiles.write(json: table.json(results), csv: table.csv(results), to: path)
            if let significance = table.significance(results) {
                try ResultsFiles.write(json: significance.json(), csv: significance.csv(), to: ResultsFiles.significancePath(for: path))
                wroteSignificance = true
            }
        }
        do {
            let results = try runner.run(task, on: dataset, afterEachRun: save)
            output(table.render(results, dataDescription: dataset.description, splitNote: dataset.splitNote))
            try save(results)
        } catch {
            if !finished.isEmpty {
                output(table.render(finished, dataDescription: dataset.description, splitNote: dataset.splitNote))
                log("the table above holds the runs that finished before the error below")
            }
            throw error
        }
        if let path = options.outputPath {
            log("wrote \(path.escapingControlCharacters) and \(ResultsFiles.csvPath(for: path).escapingControlCharacters)")
            let significance = ResultsFiles.significancePath(for: path)
            if wroteSignificance {
                log("wrote the paired tests to \(significance.escapingControlCharacters) and \(ResultsFiles.csvPath(for: significance).escapingControlCharacters)")
            }
        }
        if let path = options.perUserPath { log("wrote per-user figures to \(path.escapingControlCharacters)") }
    }
}

/// Where `--output` goes: FILE.json and the CSV beside it, each replaced atomically, so that a
/// reader (or a run stopped while writing) never sees half a file.
enum ResultsFiles {
    /// FILE.csv for FILE.json (any extension is replaced).
    static func csvPath(for path: String) -> String { (path as NSString).deletingPathExtension + ".csv" }

    /// FILE-significance.json for FILE.json: the paired tests, with their CSV twin beside it.
    static func significancePath(for path: String) -> String { (path as NSString).deletingPathExtension + "-significance.json" }

    /// FILE-tuning.jsonl for FILE.json: the default log of `--tune`'s trials.
    static func tuningLogPath(for path: String) -> String { (path as NSString).deletingPathExtension + "-tuning.jsonl" }

    /// Writes both files.
    static func write(json: Data, csv: String, to path: String) throws {
        try json.write(to: URL(fileURLWithPath: path), options: .atomic)
        try csv.write(toFile: csvPath(for: path), atomically: true, encoding: .utf8)
    }
}
