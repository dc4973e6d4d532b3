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
            let results = try runner.run(on: data, builtIn: options.dataPath == nil)
            output(ResultsTable.render(results, dataDescription: data.description))
            if let path = options.outputPath {
                try ResultsTable.json(results).write(to: URL(fileURLWithPath: path))
                let csvPath = (path as NSString).deletingPathExtension + ".csv"
                try ResultsTable.csv(results).write(toFile: csvPath, atomically: true, encoding: .utf8)
                log("wrote \(path) and \(csvPath)")
            }
            return 0
        } catch {
            log("error: \(error)")
            return 1
        }
    }
}
