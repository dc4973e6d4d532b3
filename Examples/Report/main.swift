import Foundation
import ModelComparison

/// `swift run Report results.json`: the CompareModels --report page again, from a results file.
let status = ReportCommand.main(
    arguments: Array(CommandLine.arguments.dropFirst()),
    output: { print($0) },
    log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
exit(status)
