import Foundation
import Testing
import TestSupport
@testable import Recommendation

/// Ids that line up (issue 26 part 6): a batch written in another id space (a vae_cf split's row
/// numbers instead of the ids its checkpoint speaks) stops with an error instead of exit 0 and a
/// warning per line; a few unknown ids still pass; each JSON line says which request it answers.
/// The toy checkpoint's items have ids 10·i + 7, so row numbers 0…59 are mostly unknown, as 567 of
/// the 600 lines of the batch in the issue were.
@Suite struct BatchIdsTests {
    /// Writes `lines` as a batch file in `folder`; returns its path.
    static func batch(_ lines: [String], in folder: String) throws -> String {
        let path = folder + "/requests.txt"
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The message of the error `body` throws, or nil when it throws none.
    static func error(_ body: () throws -> Void) -> String? {
        do { try body(); return nil } catch { return "\(error)" }
    }

    /// Before: every line printed, one warning per line, no error (exit 0).
    @Test func aBatchOfRowNumbersStopsWithAnErrorNamingTheFirstUnknownLine() throws {
        let folder = try ToyCheckpoint.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let checkpoint = try ToyCheckpoint.ranking(in: folder)
        let rows = (0..<50).map { "\($0),\($0 + 1),\($0 + 2)" }       // column numbers, not item ids
        let path = try Self.batch(["# row numbers"] + rows, in: folder)
        var printed: [String] = []
        let message = Self.error {
            printed = try ToyCheckpoint.run(["--checkpoint", checkpoint, "--batch", path, "--format", "jsonl"]).output
        }
        let expected = "\(path):2: unknown item ids: 0, 1, 2; 50 of the 50 request lines read so far name item ids the checkpoint does not know (more than 1 %)"
        #expect(message?.hasPrefix(expected) == true && message?.contains("unique_sid.txt") == true
                && message?.contains("--lenient") == true, "\(message ?? "no error; printed \(printed.count) lines")")

        let lenient = try ToyCheckpoint.run(["--checkpoint", checkpoint, "--batch", path, "--format", "jsonl", "--lenient"])
        #expect(lenient.output.count == 50 && lenient.warnings.count == 50)
        #expect(lenient.warnings.first == "warning: \(path):2: unknown item ids ignored: 0, 1, 2")
        let both = Self.error { _ = try ToyCheckpoint.run(["--checkpoint", checkpoint, "--batch", path, "--lenient", "--strict"]) }
        #expect(both == "--strict/--lenient 'both given': expected at most one")
    }

    /// One unknown line in 200 (0.5 %) is a warning, not an error; 3 in 200 (1.5 %) is an error.
    @Test func aFewUnknownIdsPassAndMoreThanOnePercentFail() throws {
        let folder = try ToyCheckpoint.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let checkpoint = try ToyCheckpoint.ranking(in: folder)
        var lines = (0..<200).map { "\(10 * ($0 % 60) + 7)" }
        lines[120] = "17,99999"
        let path = try Self.batch(lines, in: folder)
        let few = try ToyCheckpoint.run(["--checkpoint", checkpoint, "--batch", path, "--format", "jsonl"])
        #expect(few.output.count == 200 && few.warnings == ["warning: \(path):121: unknown item ids ignored: 99999"])
        lines[130] = "88888"
        lines[140] = "77777"
        let more = try Self.batch(lines, in: folder)
        let message = Self.error { _ = try ToyCheckpoint.run(["--checkpoint", checkpoint, "--batch", more]) }
        #expect(message?.hasPrefix("\(more):121: unknown item ids: 99999; 3 of the 200 request lines") == true, "\(message ?? "no error")")
    }

    /// Before: a JSON line of a new user's items carried no way to tell which request it answered.
    @Test func everyJSONLineNamesItsRequestLine() throws {
        let folder = try ToyCheckpoint.folder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let checkpoint = try ToyCheckpoint.ranking(in: folder)
        let user = ToyCheckpoint.split.trainUserIDs[1]
        let path = try Self.batch(["# first", "7,17", "", "user:\(user)", "27"], in: folder)
        let output = try ToyCheckpoint.run(["--checkpoint", checkpoint, "--batch", path, "--format", "jsonl", "--batch-size", "2"]).output
        let objects = try output.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(objects.map { $0["line"] as? Int } == [2, 4, 5])
        #expect(objects[1]["user"] as? Int == Int(user) && objects[0]["user"] == nil)
        let single = try ToyCheckpoint.run(["--checkpoint", checkpoint, "--items", "7", "--format", "jsonl"]).output
        #expect(single.count == 1 && single[0].contains("\"line\":1"))
    }
}
