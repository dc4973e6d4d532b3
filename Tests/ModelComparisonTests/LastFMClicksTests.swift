import Foundation
import Testing
import RecCore
import TestSupport
@testable import ModelComparison

/// Real implicit data through `CompareModels` (issue 26 part 5): Last.fm's user–artist plays
/// (HetRec 2011, 1,892 users, 17,632 artists), converted here to a `user,item` file with no
/// rating column, give a table with no option other than the data and a short run.
@Suite struct LastFMClicksTests {
    static let packageRoot: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }   // Tests/ModelComparisonTests/<file> → root
        return url.path
    }()

    /// `user_artists.dat.gz` of the shared data folder, or nil (with the reason printed).
    static func source() -> String? {
        guard let folder = RecCore.dataDirectory(packageRoot: packageRoot) else {
            print("Last.fm test skipped: no data folder (set \(RecCore.dataDirectoryVariable) or provide ../shared/data)")
            return nil
        }
        let path = (folder as NSString).appendingPathComponent("lastfm-hetrec2011-2k/user_artists.dat.gz")
        guard FileManager.default.fileExists(atPath: path) else {
            print("Last.fm test skipped: \(path) is absent")
            return nil
        }
        return path
    }

    /// Before: "clicks.csv:2: missing column 3 (rating)" and exit 1.
    @Test(.enabled(if: source() != nil, "needs ../shared/data/lastfm-hetrec2011-2k/user_artists.dat.gz"))
    func lastFMPlaysWithoutRatingsGiveATable() throws {
        let source = try #require(Self.source())
        // `userID \t artistID \t weight` with a header; the play counts are dropped: clicks only.
        let plays = try Interactions.load(path: source, format: DelimitedFormat(delimiter: "\t", hasHeader: true,
                                                                                 ratingColumn: nil, timestampColumn: nil, fieldCount: 3))
        #expect(plays.userCount == 1_892 && plays.itemCount == 17_632 && plays.count == 92_834)
        var lines = ["user,item"]
        for row in 0..<plays.ratings.rows {
            for column in plays.ratings.columns(inRow: row) { lines.append("\(plays.userIDs[row]),\(plays.itemIDs[Int(column)])") }
        }
        let folder = try ToyData.temporaryFolder("lastfm-clicks")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/user_artists.csv"
        try lines.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)

        let models = [CatalogPicks.first(.ranking)]
        var output: [String] = [], log: [String] = []
        let status = CompareModelsCommand.main(arguments: ["--data", path, "--epochs", "1", "--quiet",
                                                           "--models", models.joined(separator: ",")] + CatalogPicks.tiny(models)
                                                           + ["--set", "\(models[0]).batch=500"],   // few updates: quick in debug builds
                                               output: { output.append($0) }, log: { log.append($0) })
        #expect(status == 0, "log: \(log.joined(separator: "\n"))")
        let data = log.first { $0.hasPrefix("data: ") } ?? ""
        #expect(data.contains("(strong generalisation, no rating column: every row is a click): "), "\(data)")
        let table = output.joined(separator: "\n")
        for name in models { #expect(table.contains(" \(name) "), "table lacks \(name):\n\(table)") }
        #expect(table.contains("NDCG@100"))
        print("Last.fm clicks: \(data)\n\(table)")
    }
}
