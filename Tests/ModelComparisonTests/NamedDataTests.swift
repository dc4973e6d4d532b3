import DataSets
import Foundation
import Testing
import RecCore
import TestSupport
@testable import ModelComparison

/// `--data NAME` and `--list-data` (issue 26 parts 1 and 4), with the cache in a temporary folder
/// and the "network" a loopback server that is either empty or gone.
@Suite struct NamedDataTests {
    static func run(_ arguments: [String], store: DataSetStore) -> (status: Int32, table: String, log: [String]) {
        var output: [String] = [], log: [String] = []
        let status = CompareModelsCommand.main(arguments: arguments, dataSets: { store }, output: { output.append($0) },
                                               log: { log.append($0) })
        return (status, output.joined(separator: "\n"), log)
    }

    static func cache() throws -> String { try ToyData.temporaryFolder("named-data-tests") }

    /// An ML-1M-shaped fixture (synthetic ratings) in GroupLens's layout.
    static func fixtureArchive() -> [UInt8] {
        let lines = (0..<1_200).map { "\($0 % 60 + 1)::\($0 * 13 % 80 + 1)::\($0 % 5 + 1)::\(978_300_000 + $0)" }
        return FixtureZip.archive(["ml-1m/ratings.dat": lines.joined(separator: "\n") + "\n", "ml-1m/README": "fixture\n"])
    }

    @Test func listShowsEverySetItsLicenceAndWhetherItIsCached() throws {
        let folder = try Self.cache()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = DataSetStore(directory: folder, baseURL: "http://127.0.0.1:9/")
        #expect(FileManager.default.createFile(atPath: store.archivePath(of: try #require(NamedDataSet.named("ml-1m"))),
                                       contents: Data(Self.fixtureArchive())))
        let result = Self.run(["--list-data"], store: store)
        #expect(result.status == 0)
        for set in NamedDataSet.movieLens { #expect(result.table.contains("  \(set.name)  "), "\(set.name)") }
        #expect(result.table.contains("ml-1m  ml-1m/ratings.dat (movielens-1m); cached: \(folder)/ml-1m.zip"))
        #expect(result.table.contains("ml-20m  ml-20m/ratings.csv (movielens-20m); not cached"))
        #expect(result.table.contains("GroupLens usage licence"))
        // Which digests each download is checked against.
        #expect(result.table.contains("download checked against: 65566137 bytes, MD5 ce571fd55effeba0271552578f2648bd (GroupLens's ml-10m.zip.md5), "
                                      + "SHA-256 813c411ccb6122564edfe752e7f80c4dcc5aa25fa94c93622f6877a7ba252862, then a zip holding ml-10M100K/ratings.dat"))
        #expect(!result.table.contains("no digest recorded"))
        #expect(result.table.contains("netflix") && result.table.contains("mv_*.txt"))
    }

    /// A hand-placed archive (offline first) is used with the set's protocol: ML-1M is AutoRec's rating task.
    @Test func namedSetReadsTheCachedArchiveWithItsProtocol() throws {
        let folder = try Self.cache()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let store = DataSetStore(directory: folder, baseURL: "http://127.0.0.1:9/")
        let archive = store.archivePath(of: try #require(NamedDataSet.named("ml-1m")))
        #expect(FileManager.default.createFile(atPath: archive, contents: Data(Self.fixtureArchive())))
        let model = CatalogPicks.first(.rating)
        let result = Self.run(["--data", "ml-1m", "--epochs", "1", "--quiet", "--models", model] + CatalogPicks.tiny([model]),
                              store: store)
        #expect(result.status == 0, "\(result.log.joined(separator: "\n"))")
        #expect(result.log.contains("ml-1m: using the cached \(archive)"))
        #expect(result.log.contains { $0.hasPrefix("ml-1m: task rating: random 90/10") })
        #expect(result.log.contains { $0.hasPrefix("data: ") && $0.contains("60 users") }, "\(result.log)")
        #expect(result.table.contains("RMSE") && result.table.contains(model))
    }

    @Test func offlineSaysWhereToPutTheArchive() throws {
        let folder = try Self.cache()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try LoopbackHTTPServer()
        var store = DataSetStore(directory: folder, baseURL: server.baseURL)
        store.timeout = 5
        server.stop()
        let result = Self.run(["--data", "ml-20m", "--quiet"], store: store)
        #expect(result.status == 1)
        let error = result.log.last ?? ""
        #expect(error.contains("put it at \(folder)/ml-20m.zip (198702078 bytes, MD5 cd245b17a1ae2cc31bb14903e1204af3, SHA-256 96f243c3"), "\(error)")
    }

    @Test func netflixCannotBeFetchedAndSaysWhichLayout() throws {
        let result = Self.run(["--data", "netflix"], store: DataSetStore(directory: "/nonexistent", baseURL: "http://127.0.0.1:9/"))
        #expect(result.status == 1)
        #expect(result.log.last?.contains("netflix cannot be fetched") == true && result.log.last?.contains("mv_*.txt") == true)
    }
}
