import Foundation
import Testing
import RecCore
import TestSupport
@testable import ModelComparison

/// Implicit data as users have it (issue 26 part 5): a `user,item` file is clicks, `--min-rating`
/// sets which ratings count as clicks, and a split that keeps too few users names that option.
@Suite struct ClickFileTests {
    /// Runs `CompareModels` in-process; returns the exit status, the table and the log.
    static func run(_ arguments: [String]) -> (status: Int32, table: String, log: [String]) {
        var output: [String] = [], log: [String] = []
        let status = CompareModelsCommand.main(arguments: arguments, output: { output.append($0) }, log: { log.append($0) })
        return (status, output.joined(separator: "\n"), log)
    }

    /// The toy clicks of `ToyData.writeRatingsFile` as `header` + `user,item` lines, or with `rating` as a third column.
    static func writeClicks(header: String = "user,item", rating: String? = nil) throws -> String {
        let clicks = SyntheticClicks(userCount: 160, itemCount: 60, clusterCount: 3, clicksPerUser: 10, seed: 3).generate()
        var lines = [header]
        for user in 0..<clicks.rows {
            for item in clicks.columns(inRow: user) { lines.append("\(user + 1),\(item + 100)" + (rating.map { ",\($0)" } ?? "")) }
        }
        let path = try ToyData.temporaryFolder("click-file-tests") + "/clicks.csv"
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    static let model = [CatalogPicks.first(.ranking)]
    static let quick = ["--epochs", "1", "--quiet", "--models", model[0]] + CatalogPicks.tiny(model)

    /// Before: "missing column 3 (rating)" and exit 1.
    @Test func aTwoColumnFileIsClicksWithoutAnyOption() throws {
        let path = try Self.writeClicks()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let result = Self.run(["--data", path] + Self.quick)
        #expect(result.status == 0, "log: \(result.log.joined(separator: "\n"))")
        let data = result.log.first { $0.hasPrefix("data: ") } ?? ""
        #expect(data.contains("(strong generalisation, no rating column: every row is a click): 128 train users"), "\(data)")
        #expect(result.table.contains(" \(Self.model[0]) "), "\(result.table)")
        // A third field on a later line of a click file is named, not silently read.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let added = text.split(separator: "\n").count + 1
        try (text + "\n9,101,5\n").write(toFile: path, atomically: true, encoding: .utf8)
        let mixed = Self.run(["--data", path] + Self.quick)
        #expect(mixed.status == 1 && mixed.log.last?.contains("clicks.csv:\(added): ") == true
                && mixed.log.last?.contains("expected 2 fields separated by \",\", found 3") == true, "\(mixed.log)")
    }

    /// Before: `--min-rating` was an unknown argument (exit 2) and the threshold was always 3.5.
    @Test func minRatingSetsTheThresholdAndTheDataLineShowsIt() throws {
        let path = try ToyData.writeRatingsFile()    // ratings 4 or 5
        defer { try? FileManager.default.removeItem(atPath: path) }
        let standard = Self.run(["--data", path, "--format", "csv", "--heldout-users", "20"] + Self.quick)
        #expect(standard.log.contains { $0.contains("(strong generalisation, --min-rating 3.5: ratings > 3.5 are clicks): 120 train users") },
                "\(standard.log)")
        let fives = Self.run(["--data", path, "--format", "csv", "--heldout-users", "20", "--min-rating", "4"] + Self.quick)
        #expect(fives.status == 0, "\(fives.log)")
        let data = fives.log.first { $0.hasPrefix("data: ") } ?? ""
        #expect(data.contains("(strong generalisation, --min-rating 4: ratings > 4 are clicks): "), "\(data)")
        #expect(data != standard.log.first { $0.hasPrefix("data: ") }, "the threshold changed nothing: \(data)")
        let bad = Self.run(["--data", path, "--min-rating", "high"] + Self.quick)
        #expect(bad.status == 2 && bad.log.last == "error: --min-rating high: expected a finite number or none")
        let rating = Self.run(["--data", path, "--task", "rating", "--min-rating", "4", "--epochs", "1"])
        #expect(rating.status == 1 && rating.log.last?.contains("--min-rating 4: expected --task ranking") == true, "\(rating.log)")
    }

    /// Before: "--heldout-users 1: expected fewer than half of the 0 users with ≥ 5 ratings > 3.5",
    /// naming an option the user never passed and not the one that helps.
    @Test func ratingsAllOneNameMinRatingNotHeldOutUsers() throws {
        let path = try Self.writeClicks(header: "user,item,rating", rating: "1")
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        let result = Self.run(["--data", path] + Self.quick)
        let error = result.log.last ?? ""
        #expect(result.status == 1 && !error.contains("--heldout-users"), "\(error)")
        #expect(error.contains("0 users have ≥ 5 clicks (ratings > 3.5)") && error.contains("pass --min-rating none"), "\(error)")
        let everyRow = Self.run(["--data", path, "--min-rating", "none"] + Self.quick)
        #expect(everyRow.status == 0 && everyRow.log.contains { $0.contains("--min-rating none: every row is a click): 128 train users") },
                "\(everyRow.log)")
        // A click file asked for a rating task is refused, naming the task.
        let clicks = try Self.writeClicks()
        defer { try? FileManager.default.removeItem(atPath: (clicks as NSString).deletingLastPathComponent) }
        let rating = Self.run(["--data", clicks, "--task", "rating", "--epochs", "1"])
        #expect(rating.status == 1 && rating.log.last?.contains("--task rating: expected a file with a rating column") == true,
                "\(rating.log)")
    }
}
