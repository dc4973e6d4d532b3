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

    /// The fixture's record: its own size, MD5 and SHA-256 unless others are given.
    static func fixtureSet(_ bytes: [UInt8] = archive, sha256: String? = nil, size: Int? = nil, md5: String? = nil) -> NamedDataSet {
        var digest = SHA256(), md5Digest = MD5()
        digest.update(bytes)
        md5Digest.update(bytes)
        return NamedDataSet(name: "ml-1m", archiveName: "ml-1m.zip", size: size ?? bytes.count, md5: md5 ?? md5Digest.hexDigest(),
                            sha256: sha256 ?? digest.hexDigest(), ratingsEntry: "ml-1m/ratings.dat", readmeEntry: "ml-1m/README",
                            format: .movielens1m, task: TaskName("rating"), protocolNote: "fixture", licence: "fixture licence line")
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
        // The fixture's README has no licence heading: the one-line summary, naming the README.
        #expect(log.all.contains("ml-1m licence: fixture licence line (read ml-1m/README in the archive: "
                                 + "ml-1m/README has no \"Usage License\" heading with text under it)"), "\(log.all)")
        #expect(log.all.contains { $0.hasPrefix("ml-1m: checked (\(Self.archive.count) bytes, MD5 \(set.md5 ?? "?"), SHA-256 \(set.sha256 ?? "?"), a zip holding") })
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
            guard case let DataSetError.offline(_, _, placeAt, size, md5, sha256) = error else { return false }
            return placeAt == store.archivePath(of: set) && size == set.size && md5 == set.md5 && sha256 == set.sha256
                && "\(error)".contains("(\(set.size ?? 0) bytes, MD5 \(set.md5 ?? "?"), SHA-256 \(set.sha256 ?? "?"))")
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

    /// Only where nothing is recorded (no named set: `RegistryTests` requires size and MD5 of each).
    @Test func unverifiedDigestWarnsWithTheDigestsObtained() throws {
        let server = try LoopbackHTTPServer(), cache = CacheFolder()
        defer { server.stop() }                                // also keeps it alive to the end
        server.serve("/ml-1m.zip", Self.archive)
        var set = Self.fixtureSet()
        let (md5, sha256) = (set.md5 ?? "", set.sha256 ?? "")
        (set.md5, set.sha256, set.size) = (nil, nil, nil)
        let log = Lines()
        _ = try Self.store(server, cache).resolve(set, log: log.append)
        #expect(log.all.contains("warning: ml-1m has no MD5 or SHA-256 recorded here; the download's are MD5 \(md5), "
                                 + "SHA-256 \(sha256) (\(Self.archive.count) bytes), not verified"), "\(log.all)")
    }

    /// As ml-10m and ml-32m were before a SHA-256 was found for them: size and GroupLens's MD5 only.
    @Test func md5OnlyEntryIsVerifiedAndCachedWithoutAWarning() throws {
        let server = try LoopbackHTTPServer(), cache = CacheFolder()
        defer { server.stop() }                                // also keeps it alive to the end
        server.serve("/ml-1m.zip", Self.archive)
        var set = Self.fixtureSet()
        set.sha256 = nil
        let log = Lines(), store = Self.store(server, cache)
        let path = try store.resolve(set, log: log.append)
        #expect(store.isCached(set))
        #expect(Array(try Data(contentsOf: URL(fileURLWithPath: path))) == Self.archive)
        #expect(log.all.contains("ml-1m: checked (\(Self.archive.count) bytes, MD5 \(set.md5 ?? "?"), a zip holding ml-1m/ratings.dat) "
                                 + "and cached as \(path)"), "\(log.all)")
        #expect(!log.all.contains { $0.hasPrefix("warning") })
    }

    @Test func wrongMD5IsRefusedNamingBothDigestsAndNotCached() throws {
        let server = try LoopbackHTTPServer(), cache = CacheFolder()
        defer { server.stop() }                                // also keeps it alive to the end
        server.serve("/ml-1m.zip", Self.archive)
        let store = Self.store(server, cache)
        let actual = Self.fixtureSet().md5 ?? ""
        var set = Self.fixtureSet(md5: "0123456789abcdef0123456789abcdef")
        set.sha256 = nil                                      // the MD5 alone must refuse it
        let partial = store.archivePath(of: set) + ".part"
        let expected = DataSetError.checksumMismatch(file: partial, what: "the MD5", expected: "0123456789abcdef0123456789abcdef", found: actual)
        #expect(throws: expected) { try store.resolve(set, log: { _ in }) }
        #expect("\(expected)" == "\(partial): the MD5 is \(actual), expected 0123456789abcdef0123456789abcdef; "
                + "the file was deleted, nothing was cached")
        #expect(!store.isCached(set))
        #expect(!FileManager.default.fileExists(atPath: partial), "the bad file is deleted")
        // A right MD5 with a wrong SHA-256 is refused too: every recorded digest is checked.
        let badSHA = Self.fixtureSet(sha256: String(repeating: "f", count: 64))
        #expect { try store.resolve(badSHA, log: { _ in }) } throws: { error in
            guard case let DataSetError.checksumMismatch(_, what, _, _) = error else { return false }
            return what == "the SHA-256"
        }
        #expect(!store.isCached(badSHA))
    }

    /// The licence shown after the first download is the usage-licence section of the archive's
    /// own README (synthetic text here), in plain-text and HTML layouts.
    @Test func licenceSectionOfTheArchiveReadmeIsShownAfterTheCheck() throws {
        let readme = "SUMMARY\n=======\n\nFixture summary.\n\nUSAGE LICENSE\n=============\n\nFixture rule one.\n"
            + "    * fixture rule two\n\nCITATION\n========\n\nNot shown.\n"
        let html = "<html><body><h2>Summary</h2><p>Not shown.</p><h2>Usage License</h2><p>HTML rule &amp; more.</p>"
            + "<ul><li>HTML item</li></ul><h2>Citation</h2><p>Not shown.</p></body></html>"
        for (entry, text, expected) in [("ml-1m/README", readme, ["Fixture rule one.", "    * fixture rule two"]),
                                        ("ml-1m/README.html", html, ["HTML rule & more.", "", "* HTML item"])] {
            let server = try LoopbackHTTPServer(), cache = CacheFolder()
            defer { server.stop() }                            // also keeps it alive to the end
            let bytes = FixtureZip.archive(["ml-1m/ratings.dat": Self.ratings, entry: text])
            server.serve("/ml-1m.zip", bytes)
            var set = Self.fixtureSet(bytes)
            set.readmeEntry = entry
            let log = Lines(), store = Self.store(server, cache)
            _ = try store.resolve(set, log: log.append)
            let lines = log.all
            let start = try #require(lines.firstIndex(of: "ml-1m licence, the usage-licence section of \(entry) in the archive:"), "\(lines)")
            let checked = try #require(lines.firstIndex { $0.hasPrefix("ml-1m: checked (") })
            #expect(checked < start, "the licence comes from the checked archive")
            #expect(Array(lines[(start + 1)...].prefix(expected.count)) == expected.map { "    " + $0 })
            #expect(lines[start + 1 + expected.count] == "ml-1m: MovieLens may not be redistributed: never copy it into a repository.")
            #expect(!lines.contains { $0.contains("Not shown") || $0.contains("fixture licence line") })
            // Not again on the cache hit.
            let second = Lines()
            _ = try store.resolve(set, log: second.append)
            #expect(!second.all.contains { $0.contains("licence") })
        }
    }

    /// A hand-placed file of the wrong size is named on every cache hit (not refused: it is the user's).
    @Test func cachedFileOfTheWrongSizeIsNamed() throws {
        let cache = CacheFolder()
        let store = DataSetStore(directory: cache.path, baseURL: "http://127.0.0.1:9/")
        let set = Self.fixtureSet(size: Self.archive.count + 5)
        try FileManager.default.createDirectory(atPath: cache.path, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: store.archivePath(of: set), contents: Data(Self.archive)))
        let log = Lines()
        #expect(try store.resolve(set, log: log.append) == store.archivePath(of: set))
        #expect(log.all.contains("warning: \(store.archivePath(of: set)) is \(Self.archive.count) bytes, GroupLens's ml-1m.zip is "
                                 + "\(Self.archive.count + 5): it is not that archive (a file in the cache is checked only when this program downloads it)"))
    }

    @Test func progressLineForATerminal() {
        #expect(DataSetStore.progressLine("ml-1m.zip", received: 2_958_774, total: 5_917_549)
                == "\rml-1m.zip [##############                ] 49% 3.0/5.9 MB")
        #expect(DataSetStore.progressLine("x.zip", received: 1_500_000, total: nil) == "\rx.zip: 1.5 MB")
    }
}
