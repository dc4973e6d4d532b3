import Foundation
import Testing
@testable import RecCore

/// Every kind of bad input gives a typed error naming the file, the line and the offending text.
@Suite struct BadInputTests {
    static let header = "userId,movieId,rating,timestamp\n"

    @Test func malformedLineWithTooManyFields() throws {
        let folder = FixtureFolder()
        let path = folder.write("ratings.csv", Self.header + "1,2,3.5,100\n1,3,4,100,extra\n")
        #expect(throws: DataError.malformedLine(file: path, line: 3, text: "1,3,4,100,extra",
                                                reason: "expected 4 fields separated by \",\", found 5")) {
            try Interactions.loadMovieLens(path: path)
        }
    }

    @Test(arguments: ["abc", "NaN", "nan", "inf", "4..5", "", "1e999"])
    func nonNumericOrNonFiniteRating(value: String) throws {
        let folder = FixtureFolder()
        let path = folder.write("ratings.csv", Self.header + "1,2,3.5,100\n2,2,\(value),100\n")
        #expect(throws: DataError.invalidRating(file: path, line: 3, text: "2,2,\(value),100", value: value)) {
            try Interactions.loadMovieLens(path: path)
        }
    }

    @Test(arguments: ["", "userId,movieId,rating,timestamp\n", "\n\n  \n"])
    func emptyFile(content: String) throws {
        let folder = FixtureFolder()
        let path = folder.write("ratings.csv", content)
        #expect(throws: DataError.emptyFile(file: path)) { try Interactions.loadMovieLens(path: path) }
    }

    @Test func missingColumn() throws {
        let folder = FixtureFolder()
        let path = folder.write("u.data", "1\t2\t3\t4\n5\t6\t7\n")
        #expect(throws: DataError.missingColumn(file: path, line: 2, text: "5\t6\t7", column: "4 (timestamp)",
                                                fieldsFound: 3)) {
            try Interactions.loadMovieLens(path: path)
        }
    }

    @Test func wrongDelimiter() throws {
        let folder = FixtureFolder()
        let path = folder.write("u.data", "1,2,3,4\n")
        #expect(throws: DataError.wrongDelimiter(file: path, line: 1, text: "1,2,3,4", expected: "tab", found: "\",\"")) {
            try Interactions.loadMovieLens(path: path)
        }
    }

    @Test func wrongDelimiterInHeader() throws {
        let folder = FixtureFolder()
        let path = folder.write("ratings.csv", "userId;movieId;rating;timestamp\n1;2;3;4\n")
        #expect(throws: DataError.wrongDelimiter(file: path, line: 1, text: "userId;movieId;rating;timestamp",
                                                 expected: "\",\"", found: "\";\"")) {
            try Interactions.loadMovieLens(path: path)
        }
    }

    @Test func nonIntegerIdentifier() throws {
        let folder = FixtureFolder()
        let path = folder.write("ratings.dat", "1::2::3::4\nalice::2::3::4\n")
        #expect(throws: DataError.invalidIdentifier(file: path, line: 2, text: "alice::2::3::4", value: "alice")) {
            try Interactions.loadMovieLens(path: path)
        }
    }

    @Test func invalidTimestamp() throws {
        let folder = FixtureFolder()
        let path = folder.write("ratings.dat", "1::2::3::2005-13-01\n")
        #expect(throws: DataError.invalidTimestamp(file: path, line: 1, text: "1::2::3::2005-13-01", value: "2005-13-01")) {
            try Interactions.loadMovieLens(path: path)
        }
    }

    @Test func truncatedGzip() throws {
        let folder = FixtureFolder()
        var text = ""
        for line in 1...20_000 { text += "\(line % 97)\t\(line)\t\(line % 5 + 1)\t\(line)\n" }
        let full = try FixtureFolder.gzip(Array(text.utf8))
        let path = folder.write("u.data.gz", bytes: Array(full[0..<(full.count / 2)]))
        do {
            _ = try Interactions.loadMovieLens(path: path)
            Issue.record("a truncated gzip file loaded without error")
        } catch let DataError.truncatedGzip(file, line, _) {
            #expect(file == path)
            #expect(line > 1 && line < 20_000)
        }
    }

    @Test func corruptGzip() throws {
        let folder = FixtureFolder()
        var bytes = try FixtureFolder.gzip(Array("1\t2\t3\t4\n".utf8))
        for index in 10..<min(bytes.count - 8, 16) { bytes[index] ^= 0xFF }
        let path = folder.write("u.data.gz", bytes: bytes)
        #expect {
            try Interactions.loadMovieLens(path: path)
        } throws: { error in
            guard case let DataError.corruptGzip(file, line, _) = error else { return false }
            return file == path && line == 1
        }
    }

    @Test func netflixRatingBeforeMovieLine() throws {
        let folder = FixtureFolder()
        let path = folder.write("mv_0000001.txt", "1488844,3,2005-09-06\n")
        #expect(throws: DataError.malformedLine(file: path, line: 1, text: "1488844,3,2005-09-06",
                                                reason: "rating line before any \"MovieID:\" line")) {
            try Interactions.loadNetflix(path: path)
        }
    }

    @Test func missingFile() throws {
        #expect(throws: DataError.cannotOpen(file: "/nonexistent/u.data", reason: "No such file or directory")) {
            try Interactions.loadMovieLens(path: "/nonexistent/u.data")
        }
    }

    @Test func messagesNameFileLineAndText() {
        let error = DataError.invalidRating(file: "r.csv", line: 7, text: "1,2,x,3", value: "x")
        #expect(error.description == "r.csv:7: rating \"x\" is not a finite number in \"1,2,x,3\"")
    }
}
