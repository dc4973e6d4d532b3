import Foundation
import Testing
import DataSets
import RecCore
import TensorCore

/// The named data sets' records, SHA-256 against FIPS 180-4's examples, MD5 against RFC 1321's
/// test suite, both against the system's `md5sum`/`sha256sum` on files of awkward lengths.
@Suite struct RegistryTests {
    @Test func everyNamedSetIsConsistent() {
        #expect(NamedDataSet.movieLens.map(\.name) == ["ml-100k", "ml-1m", "ml-10m", "ml-20m", "ml-25m", "ml-32m"])
        func isHex(_ text: String?, _ count: Int) -> Bool { text.map { $0.count == count && $0.allSatisfy { "0123456789abcdef".contains($0) } } ?? false }
        for set in NamedDataSet.movieLens {
            #expect(set.archiveName == set.name + ".zip")
            // Every named set is checked: its size and GroupLens's MD5 at least, so none takes the
            // "nothing recorded" warning path.
            #expect(set.size.map { $0 > 1_000_000 } == true, "\(set.name)")
            #expect(isHex(set.md5, 32), "\(set.name)")
            #expect(set.sha256 == nil || isHex(set.sha256, 64), "\(set.name)")
            let folder = set.ratingsEntry.split(separator: "/").first.map(String.init)
            #expect(set.readmeEntry?.split(separator: "/").first.map(String.init) == folder, "\(set.name): README beside the ratings")
            #expect(set.checkSummary.contains("MD5 \(set.md5 ?? "?")"), "\(set.name)")
            let expected: DataFormat = set.ratingsEntry.hasSuffix("u.data") ? .movielens100k
                : set.ratingsEntry.hasSuffix(".dat") ? .movielens1m : .movielens20m
            #expect(set.format == expected, "\(set.name)")
        }
        #expect(NamedDataSet.named("ml-10m")?.ratingsEntry == "ml-10M100K/ratings.dat")
        #expect(NamedDataSet.named("ml-20m")?.heldOutUsers == 10_000)
        #expect(NamedDataSet.named("ml-20m")?.task == TaskName("ranking"))
        #expect(NamedDataSet.named("ml-1m")?.task == TaskName("rating"))
        #expect(NamedDataSet.named("netflix") == nil && NamedDataSet.notFetchable.map(\.name) == ["netflix", "msd"])
    }

    @Test func storeFollowsTheEnvironment() throws {
        let store = try DataSetStore.standard(RuntimeOptions(environment: ["HOME": "/home/u",
                                                                          "AUTOENCODERZOO_DATA_MIRROR": "http://127.0.0.1:9"]))
        #expect(store.directory == "/home/u/.cache/autoencoderzoo" && store.baseURL == "http://127.0.0.1:9/")
        #expect(store.archivePath(of: try #require(NamedDataSet.named("ml-1m"))) == "/home/u/.cache/autoencoderzoo/ml-1m.zip")
        #expect(throws: DataSetError.noCacheDirectory) { try DataSetStore.standard(RuntimeOptions(environment: [:])) }
    }

    @Test func sha256KnownAnswers() {
        func digest(_ text: String, pieces: Int = 1) -> String {
            var hash = SHA256()
            let bytes = Array(text.utf8), step = max(1, bytes.count / pieces + 1)
            for start in stride(from: 0, to: bytes.count, by: step) { hash.update(Array(bytes[start..<min(bytes.count, start + step)])) }
            return hash.hexDigest()
        }
        #expect(digest("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let twoBlocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
        #expect(digest(twoBlocks) == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(digest(twoBlocks, pieces: 7) == digest(twoBlocks))
        #expect(digest(String(repeating: "a", count: 1_000_000), pieces: 13)
                == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test func md5KnownAnswers() {
        func digest(_ text: String, pieces: Int = 1) -> String {
            var hash = MD5()
            let bytes = Array(text.utf8), step = max(1, bytes.count / pieces + 1)
            for start in stride(from: 0, to: bytes.count, by: step) { hash.update(Array(bytes[start..<min(bytes.count, start + step)])) }
            return hash.hexDigest()
        }
        // RFC 1321, appendix A.5 ("test suite").
        let suite = [("", "d41d8cd98f00b204e9800998ecf8427e"), ("a", "0cc175b9c0f1b6a831c399e269772661"),
                     ("abc", "900150983cd24fb0d6963f7d28e17f72"), ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
                     ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
                     ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
                     (String(repeating: "1234567890", count: 8), "57edf4a22be3c955ac49da2e2107b67a")]
        for (text, expected) in suite {
            #expect(digest(text) == expected, "\"\(text)\"")
            #expect(digest(text, pieces: 5) == expected, "\"\(text)\" in pieces")
        }
        var twice = MD5()
        twice.update(Array("abc".utf8))
        #expect(twice.hexDigest() == twice.hexDigest(), "reading the digest leaves the state as it was")
        twice.update(Array("defghijklmnopqrstuvwxyz".utf8))
        #expect(twice.hexDigest() == "c3fcd3d76192e4007dfb496cca67e13b")
    }

    /// Random files of the lengths where padding changes (55/56 bytes: the length still fits in the
    /// block or not; 63/64/65 around a block) and a large one, against the system's tools.
    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/md5sum")
                   && FileManager.default.isExecutableFile(atPath: "/usr/bin/sha256sum"),
                   "needs /usr/bin/md5sum and /usr/bin/sha256sum"))
    func fileDigestsMatchTheSystemTools() throws {
        let folder = (NSTemporaryDirectory() as NSString).appendingPathComponent("DigestTests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var generator = SystemRandomNumberGenerator()
        for length in [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, (1 << 20) + 3] {
            let path = (folder as NSString).appendingPathComponent("\(length).bin")
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
            let digests = try FileDigests(ofFile: path)
            #expect(digests.size == length)
            #expect(digests.md5 == Self.tool("/usr/bin/md5sum", path), "\(length) bytes")
            #expect(digests.sha256 == Self.tool("/usr/bin/sha256sum", path), "\(length) bytes")
            #expect(try MD5.hexDigest(ofFile: path) == digests.md5 && SHA256.hexDigest(ofFile: path) == digests.sha256)
        }
    }

    /// The first field of `tool path`'s output.
    static func tool(_ executable: String, _ path: String) -> String? {
        let process = Process(), pipe = Pipe()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = [path]
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return nil }
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self).split(separator: " ").first.map(String.init)
    }
}
