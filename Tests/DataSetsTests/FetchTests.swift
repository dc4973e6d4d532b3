import Foundation
import Testing
import DataSets
import RecCore
import TestSupport

/// The fetcher against a loopback HTTP server serving a fixture archive in GroupLens's layout.
@Suite struct FetchTests {
    static let ratings = (0..<300).map { "\($0 % 23 + 1)::\($0 * 11 % 97 + 1)::\($0 % 5 + 1)::\(978_300_000 + $0)" }
        .joined(separator: "\n") + "\n"
    static let archive = FixtureZip.archive(["ml-1m/ratings.dat": ratings, "ml-1m/movies.dat": "1::Toy Story (1995)::Animation\n",
                                             "ml-1m/README": "fixture, not MovieLens\n"])

    /// A temporary cache folder, removed with the value.
    final class CacheFolder {
        let path = (NSTemporaryDirectory() as NSString).appendingPathComponent("DataSetsTests-\(UUID().uuidString)")
        deinit { try? FileManager.default.removeItem(atPath: path) }
    }

    static func fixtureSet(_ bytes: [UInt8] = archive, sha256: String? = nil, size: Int? = nil) -> NamedDataSet {
        var digest = SHA256()
        digest.update(bytes)
        return NamedDataSet(name: "ml-1m", archiveName: "ml-1m.zip", size: size ?? bytes.count, sha256: sha256 ?? digest.hexDigest(),
                            ratingsEntry: "ml-1m/ratings.dat", format: .movielens1m, task: TaskName("rating"),
                            protocolNote: "fixture", licence: "fixture licence line")
    }

    static func store(_ server: LoopbackHTTPServer, _ cache: CacheFolder) -> DataSetStore {
        var store = DataSetStore(directory: cache.path, baseURL: server.baseURL)
        store.timeout = 10
        return store
    }

    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var values: [String] = []
        func append(_ line: String) { lock.withLock { values.append(line) } }
        var all: [String] { lock.withLock { values } }
    }

    @Test func fetchShowsProgressChecksAndCachesThenHitsTheCache() throws {
        let server = try LoopbackHTTPServer(), cache = CacheFolder()
        defer { server.stop() }                                // also keeps it alive to the end
        server.serve("/ml-1m.zip", Self.archive)
        var store = Self.store(server, cache)
        let progress = Lines()
        store.progress = { name, received, total in progress.append("\(name) \(received) \(total.map(String.init) ?? "?")") }
        let log = Lines()
        let set = Self.fixtureSet()
        #expect(!store.isCached(set))
        let path = try store.resolve(set, log: log.append)
        #expect(path == store.archivePath(of: set))
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == Self.archive)
        #expect(progress.all.last == "ml-1m.zip \(Self.archive.count) \(Self.archive.count)")
        #expect(log.all.contains { $0.contains("licence: fixture licence line") })
        #expect(!FileManager.default.fileExists(atPath: path + ".part"))
        let table = try Interactions.load(archivePath: path, entry: set.ratingsEntry, format: .movieLensDat)
        #expect(table.userIDs.count == 23)
        // Second run: the cache answers, the server sees no new request, no licence again.
        let second = Lines()
        #expect(try store.resolve(set, log: second.append) == path)
        #expect(server.requests.count == 1)
        #expect(second.all.contains { $0.contains("using the cached") } && !second.all.contains { $0.contains("licence") })
        #expect(store.isCached(set))
    }

    @Test func interruptedTransferResumesWithARangeRequest() throws {
        let server = try LoopbackHTTPServer(), cache = CacheFolder()
        defer { server.stop() }                                // also keeps it alive to the end
        server.serve("/ml-1m.zip", Self.archive)
        server.breakNextResponse(after: 1_000)
        let store = Self.store(server, cache), set = Self.fixtureSet()
        #expect {
            try store.resolve(set, log: { _ in })
        } throws: { error in
            guard case let DataSetError.interrupted(_, received, _, partial) = error else { return false }
            return received == 1_000 && partial == store.archivePath(of: set) + ".part"
        }
        #expect(!store.isCached(set), "a partial download is never in the cache")
        let path = try store.resolve(set, log: { _ in })
        #expect(server.requests.map(\.range) == [nil, "bytes=1000-"])
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == Self.archive)
    }

    /// A run stopped after the last byte but before the checks: the server answers 416, the file is checked and cached.
    @Test func completePartialFileIsCheckedNotFetchedAgain() throws {
        let server = try LoopbackHTTPServer(), cache = CacheFolder()
        defer { server.stop() }                                // also keeps it alive to the end
        server.serve("/ml-1m.zip", Self.archive)
        let store = Self.store(server, cache), set = Self.fixtureSet()
        try FileManager.default.createDirectory(atPath: cache.path, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: store.archivePath(of: set) + ".part", contents: Data(Self.archive)))
        let path = try store.resolve(set, log: { _ in })
        #expect(server.requests.map(\.range) == ["bytes=\(Self.archive.count)-"])
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == Self.archive)
    }

    @Test func wrongChecksumOrSizeIsRefusedAndNotCached() throws {
        let server = try LoopbackHTTPServer(), cache = CacheFolder()
        defer { server.stop() }                                // also keeps it alive to the end
        server.serve("/ml-1m.zip", Self.archive)
        let store = Self.store(server, cache)
        let badDigest = Self.fixtureSet(sha256: String(repeating: "0", count: 64))
        #expect {
            try store.resolve(badDigest, log: { _ in })
        } throws: { error in
            guard case let DataSetError.checksumMismatch(_, what, _, found) = error else { return false }
            return what == "the SHA-256" && found == Self.fixtureSet().sha256
        }
        #expect(!store.isCached(badDigest))
        #expect(!FileManager.default.fileExists(atPath: store.archivePath(of: badDigest) + ".part"), "the bad file is deleted")
        let badSize = Self.fixtureSet(size: Self.archive.count + 1)
        #expect(throws: DataSetError.checksumMismatch(file: store.archivePath(of: badSize) + ".part", what: "the size",
                                                     expected: "\(Self.archive.count + 1) bytes", found: "\(Self.archive.count) bytes")) {
            try store.resolve(badSize, log: { _ in })
        }
        #expect(!store.isCached(badSize))
    }

    @Test func corruptZipIsRefusedAndNotCached() throws {
        let server = try LoopbackHTTPServer(), cache = CacheFolder()
        defer { server.stop() }                                // also keeps it alive to the end
        var broken = Self.archive
        broken.removeLast(10)                                  // the end record is cut off
        server.serve("/ml-1m.zip", broken)
        let store = Self.store(server, cache), set = Self.fixtureSet(broken)
        #expect {
            try store.resolve(set, log: { _ in })
        } throws: { error in
            guard case let DataSetError.corruptDownload(_, reason) = error else { return false }
            return reason.contains("corrupt zip archive")
        }
        #expect(!store.isCached(set))
        let noRatings = FixtureZip.archive(["ml-1m/README": "no ratings here\n"])
        server.serve("/ml-1m.zip", noRatings)
        #expect(throws: DataSetError.corruptDownload(file: store.archivePath(of: set) + ".part", reason: "no ml-1m/ratings.dat in the archive")) {
            try store.resolve(Self.fixtureSet(noRatings), log: { _ in })
        }
        #expect(!store.isCached(set))
    }

    @Test func unreachableServerSaysWhereToPutTheFileByHand() throws {
        let server = try LoopbackHTTPServer(), cache = CacheFolder()
        defer { server.stop() }                                // also keeps it alive to the end
        let store = Self.store(server, cache), set = Self.fixtureSet()
        server.stop()                                          // nothing listens on the port now
        #expect {
            try store.resolve(set, log: { _ in })
        } throws: { error in
            guard case let DataSetError.offline(_, _, placeAt, size, sha256) = error else { return false }
            return placeAt == store.archivePath(of: set) && size == set.size && sha256 == set.sha256
                && "\(error)".contains("put it at \(store.archivePath(of: set))")
        }
    }

    @Test func missingFileIsAnHTTPError() throws {
        let server = try LoopbackHTTPServer(), cache = CacheFolder()
        defer { server.stop() }                                // also keeps it alive to the end
        let store = Self.store(server, cache)
        #expect(throws: DataSetError.httpStatus(url: server.baseURL + "ml-1m.zip", status: 404)) {
            try store.resolve(Self.fixtureSet(), log: { _ in })
        }
    }

    @Test func unverifiedDigestWarnsWithTheDigestObtained() throws {
        let server = try LoopbackHTTPServer(), cache = CacheFolder()
        defer { server.stop() }                                // also keeps it alive to the end
        server.serve("/ml-1m.zip", Self.archive)
        var set = Self.fixtureSet()
        let digest = set.sha256 ?? ""
        (set.sha256, set.size) = (nil, nil)
        let log = Lines()
        _ = try Self.store(server, cache).resolve(set, log: log.append)
        #expect(log.all.contains { $0.hasPrefix("warning: ml-1m has no published SHA-256") && $0.contains(digest) })
    }

    @Test func progressLineForATerminal() {
        #expect(DataSetStore.progressLine("ml-1m.zip", received: 2_958_774, total: 5_917_549)
                == "\rml-1m.zip [##############                ] 49% 3.0/5.9 MB")
        #expect(DataSetStore.progressLine("x.zip", received: 1_500_000, total: nil) == "\rx.zip: 1.5 MB")
    }
}
