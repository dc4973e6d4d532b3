// Recommend: top-K items from a checkpoint for known users (by id) and new users (by item ids).
import Foundation
import RecCore
import Recommendation
import ZooCatalog

let command = RecommendCommand(zoo: .standard, output: { print($0) }, warn: { message in
    FileHandle.standardError.write(Data((message + "\n").utf8))
})
do {
    try command.run(Array(CommandLine.arguments.dropFirst()))
} catch {
    FileHandle.standardError.write(Data(("error: " + "\(error)".escapingControlCharacters + "\n").utf8))
    exit(1)
}
