import Foundation
import Testing
import DataSets
import RecCore
import TensorCore

/// The named data sets' records, and SHA-256 against FIPS 180-4's examples.
@Suite struct RegistryTests {
    @Test func everyNamedSetIsConsistent() {
        #expect(NamedDataSet.movieLens.map(\.name) == ["ml-100k", "ml-1m", "ml-10m", "ml-20m", "ml-25m", "ml-32m"])
        for set in NamedDataSet.movieLens {
            #expect(set.archiveName == set.name + ".zip")
            if let digest = set.sha256 {
                #expect(digest.count == 64 && digest.allSatisfy { "0123456789abcdef".contains($0) }, "\(set.name)")
                #expect(set.size != nil, "\(set.name): a recorded digest comes with its size")
            }
            let expected: DataFormat = set.ratingsEntry.hasSuffix("u.data") ? .movielens100k
                : set.ratingsEntry.hasSuffix(".dat") ? .movielens1m : .movielens20m
            #expect(set.format == expected, "\(set.name)")
        }
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
}
