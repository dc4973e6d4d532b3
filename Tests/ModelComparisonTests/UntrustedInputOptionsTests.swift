import Foundation
import Testing
import RecCore
import TestSupport
@testable import ModelComparison

/// What a ratings file or a path can bring into `CompareModels`' output: duplicate pairs follow
/// `--duplicates` and are counted, and control characters never reach the terminal raw.
@Suite struct UntrustedInputOptionsTests {
    /// The toy ratings file with its first rating repeated on the last line.
    static func fileWithADuplicate() throws -> String {
        let path = try ToyData.writeRatingsFile()
        let lines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n")
        try (lines.joined(separator: "\n") + "\n" + lines[1] + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func duplicatesArePoliciedAndCounted() throws {
        let path = try Self.fileWithADuplicate()
        defer { try? FileManager.default.removeItem(atPath: path) }
        let model = CatalogPicks.first(.rating)
        let base = ["--data", path, "--format", "csv", "--task", "rating", "--epochs", "1", "--models", model, "--quiet"]
            + CatalogPicks.tiny([model])
        var log: [String] = []
        #expect(CompareModelsCommand.main(arguments: base, output: { _ in }, log: { log.append($0) }) == 0)
        #expect(log.contains { $0.contains("1 duplicate (user, item) row dropped (keep-last)") }, "\(log)")
        log = []
        #expect(CompareModelsCommand.main(arguments: base + ["--duplicates", "reject"], output: { _ in }, log: { log.append($0) }) == 1)
        #expect(log.last?.contains(path) == true, "\(log)")
        #expect(throws: ComparisonError.invalidValue(flag: "--duplicates", value: "drop", expected: "keep-last, keep-first, reject")) {
            _ = try ComparisonOptions.parse(["--duplicates", "drop"])
        }
        #expect(try ComparisonOptions.parse(["--duplicates", "keep-first"]).dataRequest.duplicates == .keepFirst)
    }

    @Test func controlCharactersInAPathAreEscapedInLogsAndTables() throws {
        let source = try ToyData.writeRatingsFile()
        let folder = try ToyData.temporaryFolder("escape")
        defer { for path in [source, folder] { try? FileManager.default.removeItem(atPath: path) } }
        let path = folder + "/bad\u{1B}[31mname.csv"
        try FileManager.default.moveItem(atPath: source, toPath: path)
        let model = CatalogPicks.first(.rating)
        var output: [String] = [], log: [String] = []
        let status = CompareModelsCommand.main(
            arguments: ["--data", path, "--format", "csv", "--task", "rating", "--epochs", "1", "--models", model, "--quiet"]
                + CatalogPicks.tiny([model]), output: { output.append($0) }, log: { log.append($0) })
        #expect(status == 0, "\(log)")
        for line in output + log { #expect(!line.contains("\u{1B}"), "raw ESC in: \(line.debugDescription)") }
        #expect(output.joined().contains("bad"))
        // An error about a missing file with a control character in its name is escaped too.
        log = []
        #expect(CompareModelsCommand.main(arguments: ["--data", folder + "/no\u{7}file.csv"], output: { _ in },
                                          log: { log.append($0) }) == 1)
        #expect(log.last.map { !$0.contains("\u{7}") && $0.contains("no") } == true, "\(log)")
    }
}
