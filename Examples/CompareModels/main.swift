import Foundation
import ModelComparison

/// `swift run -c release CompareModels --help`
let standardError = FileHandle.standardError
let status = CompareModelsCommand.main(
    arguments: Array(CommandLine.arguments.dropFirst()),
    output: { print($0) },
    log: { standardError.write(Data(($0 + "\n").utf8)) },
    // On a terminal, the line of the running epoch is redrawn in place; piped or redirected, only
    // the plain lines are written.
    terminal: isatty(2) != 0 ? { standardError.write(Data($0.utf8)) } : nil)
exit(status)
