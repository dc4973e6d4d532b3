import DataSets
import Foundation
import Kernels
import ModelKit
import NeuralNet
import RecCore
import ZooCatalog

/// The whole `CompareModels` program, callable from tests: parses `arguments`, runs, prints.
public enum CompareModelsCommand {
    /// Runs with `arguments` (no program name); writes the table to `output` and progress and
    /// errors to `log`. Returns the process exit status (0 success, 1 run error, 2 usage error).
    /// `dataSets` gives the store named data sets are fetched into (tests pass a loopback mirror).
    /// `terminal`, given when stderr is a terminal, writes text as it is there: the line of the
    /// running epoch is drawn with it (see `EpochProgressLine`).
    public static func main(arguments: [String], zoo: ModelZoo = .standard, tasks: TaskCatalog = .standard,
                            dataSets: () throws -> DataSetStore = { try DataSetStore.standard() },
                            output: @escaping (String) -> Void, log: @escaping (String) -> Void,
                            terminal: ((String) -> Void)? = nil,
                            environment: [String: String] = ProcessInfo.processInfo.environment) -> Int32 {
        DataParallelRun.run(environment: environment, output: output, log: log, terminal: terminal) { group, output, log, terminal in
            run(arguments: arguments, zoo: zoo, tasks: tasks, dataSets: dataSets, output: output, log: log, terminal: terminal,
                dataParallel: group)
        }
    }

    /// `main` on one process, or as one member of `dataParallel` (its streams already chosen).
    static func run(arguments: [String], zoo: ModelZoo, tasks: TaskCatalog, dataSets: () throws -> DataSetStore,
                    output: (String) -> Void, log: @escaping (String) -> Void, terminal: ((String) -> Void)?,
                    dataParallel: (any DataParallelGroup)?) -> Int32 {
        let started = Date()
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
        if let file = options.configPath {
            log("options from \(file.escapingControlCharacters)" + (options.recorded?.program.map { " (written by \($0))" } ?? ""))
            if let program = options.recorded?.program, program != .current {
                log("note: this is \(ProgramInfo.current); numbers may differ where the two versions differ")
            }
        }
        log(Kernels.productPrecisionDescription(options.precision ?? Kernels.defaultProductPrecision))
        if let parts = options.reproducibleShards {                      // every rank reads the same options
            let ranks = dataParallel?.size ?? 1
            guard ranks <= parts else {                                   // alike on every rank: rank 0 says it
                if (dataParallel?.rank ?? 0) == 0 {
                    log("error: --reproducible \(parts) cuts every batch into \(parts) parts, fewer than the \(ranks) ranks: give --reproducible \(ranks) or more")
                }
                return 2
            }
            log("reproducible: every batch in \(parts) parts, added exactly (the same numbers alone and on up to \(parts) ranks, any threads)")
        }
        do {
            var asGiven = options                     // a named data set stays a name, not a cache path
            let task = try MemberFailures.together(dataParallel) {        // a rank that fails here stops every rank
                try NamedDataOptions.resolve(&options, store: dataSets, log: log)
                return try tasks.task(for: options, zoo: zoo)
            }
            asGiven.task = task.name
            try execute(task, options: options, configuration: asGiven.configuration(), zoo: zoo, started: started,
                        output: output, log: log, terminal: terminal, dataParallel: dataParallel)
            return 0
        } catch {
            log("error: " + "\(error)".escapingControlCharacters)
            return 1
        }
    }

    /// Loads `task`'s data (after checking its fingerprint against the one a `--config` results
    /// file recorded), runs every model and seed, prints the table and writes `--output` with
    /// `configuration`. When a run fails, the table of the runs that finished is printed before the
    /// error is thrown.
    static func execute<T: Task>(_ task: T, options: ComparisonOptions, configuration: [String: ConfigurationValue]? = nil,
                                 zoo: ModelZoo, started: Date = Date(), output: (String) -> Void,
                                 log: @escaping (String) -> Void, terminal: ((String) -> Void)? = nil,
                                 dataParallel: (any DataParallelGroup)? = nil) throws {
        let runner = ComparisonRunner(zoo: zoo, options: options, log: log, terminal: terminal, dataParallel: dataParallel)
        // A rank that cannot load its data stops every rank here, with its error on rank 0.
        let (fingerprint, dataset, digest) = try MemberFailures.together(dataParallel) {
            _ = try runner.selectedEntries(for: task.name)          // a bad --models fails before loading data
            let fingerprint = try checkedFingerprint(task, options: options, log: log)
            let dataset = try task.load(options.dataRequest, log: log)
            log("data: " + dataset.description.escapingControlCharacters)
            let digest = dataParallel == nil ? nil : try fingerprint ?? DataFingerprint.of(path: options.dataPath, task: task)
            return (fingerprint, dataset, digest)
        }
        if let group = dataParallel, let digest {                     // every rank: the same data and options
            try group.requireAgreement(on: DataParallelRun.agreementText(configuration: configuration ?? options.configuration(),
                                                                         dataDescription: dataset.description,
                                                                         dataDigest: digest.sha256),
                                       what: "data and options")
        }
        let table = ResultsTable(task)
        // The report's data section: the first seed's training matrix (splitting once more costs
        // far less than training; the runner keeps its own splits).
        let dataSummary = options.outputPath == nil && options.reportPath == nil ? nil
            : DataSummary(train: try dataset.split(options.firstSeed).train)
        var finished: [ModelResult] = []
        var wroteSignificance = false
        // --output is rewritten after every (model, seed): a long run that is stopped keeps what finished.
        let save: ([ModelResult]) throws -> Void = { results in try MemberFailures.together(dataParallel) {
            finished = results                                        // (a write failing on rank 0 stops every rank)
            guard (dataParallel?.rank ?? 0) == 0 else { return }          // rank 0 alone writes files
            if let path = options.perUserPath, let metric = table.perUserMetric {
                try PairedSignificance.perUserCSV(results, metric: metric).write(toFile: path, atomically: true, encoding: .utf8)
            }
            guard options.outputPath != nil || options.reportPath != nil else { return }
            let document = ResultsDocument(task: task.name, data: dataset.description,
                                           environment: .current(started: started, kernels: Kernels.backendDescription),
                                           results: results, configuration: configuration ?? options.configuration(),
                                           program: .current, dataFingerprint: fingerprint, dataSummary: dataSummary)
            let significance = table.significance(results)
            if let path = options.outputPath {
                try ResultsFiles.write(json: document.json(), csv: table.csv(results), to: path)
                if let significance {
                    try ResultsFiles.write(json: significance.json(), csv: significance.csv(), to: ResultsFiles.significancePath(for: path))
                    wroteSignificance = true
                }
            }
            if let path = options.reportPath {
                try ReportPage(document: document, significance: significance).write(to: path)
            }
        } }
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
        if let path = options.reportPath { log("wrote the report to \(path.escapingControlCharacters)") }
        if let path = options.perUserPath { log("wrote per-user figures to \(path.escapingControlCharacters)") }
    }

    /// The data's fingerprint, when `--output` records it or a `--config` results file recorded
    /// one; data that differ from the recorded ones are an error naming each file and both digests
    /// (a warning with `--accept-other-data`).
    static func checkedFingerprint(_ task: some Task, options: ComparisonOptions, log: (String) -> Void) throws -> DataFingerprint? {
        let recorded = options.recorded?.dataFingerprint
        guard options.outputPath != nil || recorded != nil else { return nil }
        let now = try DataFingerprint.of(path: options.dataPath, task: task)
        guard let recorded, let file = options.configPath else { return now }
        let differences = now.differences(from: recorded)
        if differences.isEmpty {
            log("data: sha256 \(now.sha256), as \(file.escapingControlCharacters) recorded")
        } else if options.acceptsOtherData {
            log(("warning: the data differ from those \(file) recorded (--accept-other-data): "
                 + differences.joined(separator: "; ")).escapingControlCharacters)
        } else {
            throw ComparisonError.otherData(file: file, differences: differences)
        }
        return now
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
