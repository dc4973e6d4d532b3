import Foundation
import ModelComparison

/// `swift run -c release CompareModels --help`
let status = CompareModelsCommand.main(
    arguments: Array(CommandLine.arguments.dropFirst()),
    output: { print($0) },
    log: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
exit(status)
