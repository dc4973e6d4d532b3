import Foundation
import Testing
import TensorCore
@testable import RecCore

@Suite struct LoaderTests {
    @Test func movieLens100KTabFile() throws {
        let folder = FixtureFolder()
        let path = folder.write("u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n\n22\t377\t1\t878887116\n196\t51\t2\t880606923\n")
        let table = try Interactions.loadMovieLens(path: path)
        #expect(table.userIDs == [22, 186, 196])
        #expect(table.itemIDs == [51, 242, 302, 377])
        #expect(table.count == 4)
        let user196 = try #require(table.userIndex(of: 196))
        #expect(Array(table.ratings.columns(inRow: user196)) == [0, 1])   // items 51, 242
        #expect(Array(table.ratings.values(inRow: user196)) == [2, 3])
        #expect(table.timestamp(atStorageIndex: table.ratings.rowPointers[user196]) == 880606923)
        #expect(table.timestampOrigin == 878887116)
        #expect(table.userIndex(of: 7) == nil)
    }

    @Test func movieLensDatDoubleColonFile() throws {
        let folder = FixtureFolder()
        let path = folder.write("ratings.dat", "1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413")
        let table = try Interactions.loadMovieLens(path: path)
        #expect(table.userCount == 2 && table.itemCount == 2 && table.count == 3)
        #expect(table.ratings.toDense() == Matrix([[3, 5], [0, 4]]))
    }

    @Test func movieLensCSVWithHeaderAndCRLF() throws {
        let folder = FixtureFolder()
        let path = folder.write("ratings.csv", "userId,movieId,rating,timestamp\r\n1,2,3.5,1112486027\r\n1,29,3.5,1112484676\r\n2,2,4.0,974820889\r\n")
        let table = try Interactions.loadMovieLens(path: path)
        #expect(table.ratings.toDense() == Matrix([[3.5, 3.5], [4, 0]]))
        #expect(table.timestamps == [1112486027, 1112484676, 974820889])
    }

    @Test func genericImplicitSemicolonFileWithReorderedColumns() throws {
        let folder = FixtureFolder()
        // item;user — no rating, no timestamp, extra trailing column allowed.
        let path = folder.write("clicks.txt", "10;1;x\n11;1;y\n10;2;z\n")
        let format = DelimitedFormat(delimiter: ";", userColumn: 1, itemColumn: 0, ratingColumn: nil,
                                     timestampColumn: nil, implicitRating: 1)
        let table = try Interactions.load(path: path, format: format)
        #expect(table.ratings.toDense() == Matrix([[1, 1], [1, 0]]))
        #expect(!table.hasTimestamps)
    }

    @Test func largeAndNegativeIdentifiersUseTheDictionaryPath() throws {
        let folder = FixtureFolder()
        let path = folder.write("big.csv", "9000000000,-5,1\n-3,70000000,2\n9000000000,70000000,3\n")
        let table = try Interactions.load(path: path, format: DelimitedFormat(delimiter: ",", timestampColumn: nil))
        #expect(table.userIDs == [-3, 9_000_000_000])
        #expect(table.itemIDs == [-5, 70_000_000])
        #expect(table.ratings.toDense() == Matrix([[0, 2], [1, 3]]))
    }

    @Test func unorderedItemsWithinAUserAreSorted() throws {
        let folder = FixtureFolder()
        let path = folder.write("u.data", "1\t30\t1\t5\n1\t10\t2\t6\n1\t20\t3\t7\n")
        let table = try Interactions.loadMovieLens(path: path)
        #expect(Array(table.ratings.columns(inRow: 0)) == [0, 1, 2])
        #expect(Array(table.ratings.values(inRow: 0)) == [2, 3, 1])
        #expect(table.timestamps == [6, 7, 5])
    }

    @Test func gzipFileReadsLikeThePlainOne() throws {
        let folder = FixtureFolder()
        var text = ""
        for user in 1...300 { for item in stride(from: user % 7 + 1, to: 400, by: 13) { text += "\(user)\t\(item)\t\(item % 5 + 1)\t\(user * 1000 + item)\n" } }
        let plain = try Interactions.loadMovieLens(path: folder.write("u.data", text))
        let compressed = try Interactions.loadMovieLens(path: try folder.writeGzip("gz/u.data.gz", text))
        #expect(plain == compressed)
        #expect(plain.count > 5000)
    }

    @Test func concatenatedGzipMembersAreAllRead() throws {
        let folder = FixtureFolder()
        let bytes = try FixtureFolder.gzip(Array("1\t1\t5\t1\n".utf8)) + FixtureFolder.gzip(Array("2\t2\t4\t2\n".utf8))
        let table = try Interactions.loadMovieLens(path: folder.write("u.data.gz", bytes: bytes))
        #expect(table.count == 2)
    }

    @Test func netflixTrainingSetFolder() throws {
        let folder = FixtureFolder()
        folder.write("training_set/mv_0000001.txt", "1:\n1488844,3,2005-09-06\n822109,5,2005-05-13\n")
        try folder.writeGzip("training_set/mv_0000002.txt.gz", "2:\n1488844,4,2005-09-07\n")
        let table = try Interactions.loadNetflix(path: (folder.path as NSString).appendingPathComponent("training_set"))
        #expect(table.userIDs == [822109, 1488844])
        #expect(table.itemIDs == [1, 2])
        #expect(table.ratings.toDense() == Matrix([[5, 0], [3, 4]]))
        // 2005-05-13 is day 12,916 after 1970-01-01.
        let expected: Int64 = 12_916 * 86_400
        #expect(table.timestamp(atStorageIndex: 0) == expected)
    }

    @Test func bytesHeldStayUnderSixteenPerInteraction() throws {
        let folder = FixtureFolder()
        var text = ""
        for user in 1...50 { for item in 1...200 { text += "\(user)\t\(item)\t3\t\(item)\n" } }
        let table = try Interactions.loadMovieLens(path: folder.write("u.data", text))
        #expect(Double(table.bytesHeld) / Double(table.count) <= 16)
    }

    @Test func vaeCFSplitFolder() throws {
        let folder = FixtureFolder()
        folder.write("vae/unique_sid.txt", "50\n60\n70\n")
        try folder.writeGzip("vae/train.csv.gz", "uid,sid\n0,0\n0,2\n1,1\n")
        folder.write("vae/validation_tr.csv", "uid,sid\n2,0\n2,1\n3,2\n")
        folder.write("vae/validation_te.csv", "uid,sid\n2,2\n")
        folder.write("vae/test_tr.csv", "uid,sid\n4,1\n")
        folder.write("vae/test_te.csv", "uid,sid\n4,0\n5,2\n")
        let split = try StrongGeneralizationSplit.loadVAECF(folder: (folder.path as NSString).appendingPathComponent("vae"))
        #expect(split.itemIDs == [50, 60, 70])
        #expect(split.train.toDense() == Matrix([[1, 0, 1], [0, 1, 0]]))
        #expect(split.validation.foldIn.toDense() == Matrix([[1, 1, 0], [0, 0, 1]]))
        #expect(split.validation.target.toDense() == Matrix([[0, 0, 1], [0, 0, 0]]))
        #expect(split.test.userIDs == [4, 5])
        #expect(split.test.target.toDense() == Matrix([[1, 0, 0], [0, 0, 1]]))
    }

    @Test func vaeCFFolderMissingAFileIsAnError() throws {
        let folder = FixtureFolder()
        folder.write("vae/unique_sid.txt", "50\n")
        #expect(throws: DataError.invalidSplitFolder(folder: (folder.path as NSString).appendingPathComponent("vae"),
                                                     reason: "missing train.csv (or train.csv.gz)")) {
            try StrongGeneralizationSplit.loadVAECF(folder: (folder.path as NSString).appendingPathComponent("vae"))
        }
    }
}

@Suite struct DuplicatePolicyTests {
    static let text = "1\t5\t2\t300\n1\t5\t4\t100\n2\t5\t1\t10\n1\t5\t3\t300\n"

    @Test(arguments: [(DuplicatePolicy.keepLast, Float(3)), (.keepFirst, 4)])
    func policyChoosesTheEntry(policy: DuplicatePolicy, expected: Float) throws {
        let folder = FixtureFolder()
        let path = folder.write("u.data", Self.text)
        let table = try Interactions.loadMovieLens(path: path, duplicates: policy)
        #expect(table.count == 2)
        #expect(table.ratings.values(inRow: 0).first == expected)
    }

    @Test func withoutTimestampsTheLaterLineWins() throws {
        let folder = FixtureFolder()
        let path = folder.write("r.csv", "1,5,2\n1,5,4\n")
        let table = try Interactions.load(path: path, format: DelimitedFormat(delimiter: ",", timestampColumn: nil))
        #expect(table.ratings.values == [4])
    }

    @Test func rejectNamesBothLines() throws {
        let folder = FixtureFolder()
        let path = folder.write("u.data", Self.text)
        #expect(throws: DataError.duplicateInteraction(file: path, line: 2, text: "1\t5\t4\t100", firstLine: 1)) {
            try Interactions.loadMovieLens(path: path, duplicates: .reject)
        }
    }
}
