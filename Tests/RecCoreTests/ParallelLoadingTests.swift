import Foundation
import Testing
@testable import RecCore

/// The parallel loader (segments cut at line boundaries) gives exactly what the line-by-line
/// reader gives: the same table, the same duplicate decisions, the same errors and line numbers.
@Suite struct ParallelLoadingTests {
    static let format = DelimitedFormat(delimiter: ",", hasHeader: true, fieldCount: 4)

    /// A deterministic file: unsorted items, repeated pairs with equal and different timestamps,
    /// blank lines and CRLF endings.
    static func text() -> String {
        var text = "\n userId,movieId,rating,timestamp\r\n"
        var state: UInt64 = 12345
        for line in 0..<3000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let user = Int(state >> 33) % 97 + 1, item = Int(state >> 45) % 61 + 3
            let rating = ["1", "2.5", "4.0", "3.5", "5", "0.5"][Int(state >> 20) % 6]
            let time = 1_000_000 + Int(state >> 50) % 7
            text += "\(user),\(item),\(rating),\(time)" + (line % 11 == 0 ? "\r\n" : "\n")
            if line % 97 == 0 { text += "\n" }
        }
        return text
    }

    static func sequential(_ path: String, _ format: DelimitedFormat) throws -> Interactions {
        try Interactions.assemble(timed: format.timestampColumn != nil, policy: format.duplicates, label: path) { visit in
            try Interactions.scanDelimited(path: path, format: format, visit)
        }
    }

    @Test(arguments: [1, 2, 3, 7, 16, 200], [DuplicatePolicy.keepLast, .keepFirst])
    func sameTableAsLineByLine(segments: Int, policy: DuplicatePolicy) throws {
        let folder = FixtureFolder()
        let path = folder.write("ratings.csv", Self.text())
        var format = Self.format
        format.duplicates = policy
        let parallel = try Interactions.load(path: path, format: format, segments: segments)
        let reference = try Self.sequential(path, format)
        #expect(parallel == reference)
        #expect(parallel.count < 3000)  // the file holds repeated pairs, resolved by the policy
    }

    @Test(arguments: [1, 2, 5, 40])
    func firstBadLineIsNamedWithItsFileLineNumber(segments: Int) throws {
        let folder = FixtureFolder()
        var lines = ["userId,movieId,rating,timestamp"]
        for k in 0..<400 { lines.append("\(k % 13 + 1),\(k + 1),3.5,\(1000 + k)") }
        lines[250] = "7,8,four,1000"   // file line 251
        lines[390] = "7,8,9"           // a later, different error
        let path = folder.write("ratings.csv", lines.joined(separator: "\n") + "\n")
        #expect(throws: DataError.invalidRating(file: path, line: 251, text: "7,8,four,1000", value: "four")) {
            try Interactions.load(path: path, format: Self.format, segments: segments)
        }
    }

    @Test(arguments: [1, 3, 9])
    func rejectedDuplicateNamesBothLinesAcrossSegments(segments: Int) throws {
        let folder = FixtureFolder()
        var lines = ["userId,movieId,rating,timestamp", "5,77,4,100"]
        for k in 0..<300 { lines.append("\(k % 13 + 1),\(k + 1),3.5,\(1000 + k)") }
        lines.append("5,77,2,200")     // file line 303 repeats line 2
        let path = folder.write("ratings.csv", lines.joined(separator: "\n"))
        var format = Self.format
        format.duplicates = .reject
        #expect(throws: DataError.duplicateInteraction(file: path, line: 303, text: "5,77,2,200", firstLine: 2)) {
            try Interactions.load(path: path, format: format, segments: segments)
        }
    }

    @Test func identifiersBeyondThirtyTwoBitsUseTheGeneralPath() throws {
        let folder = FixtureFolder()
        let path = folder.write("ratings.csv", "u,i,r,t\n5000000000,2,3,10\n-4,2,1,11\n7,9,2,-5\n")
        guard case .needsGeneralPath = try Interactions.loadInParallel(path: path, format: Self.format, segments: 2) else {
            Issue.record("expected the general path")
            return
        }
        let table = try Interactions.load(path: path, format: Self.format)
        #expect(table.userIDs == [-4, 7, 5_000_000_000])
        #expect(table.timestamps == [11, -5, 10])
    }

    @Test(arguments: [1, 4])
    func headerAndBlankLinesOnlyIsAnEmptyFile(segments: Int) throws {
        let folder = FixtureFolder()
        let path = folder.write("ratings.csv", "userId,movieId,rating,timestamp\n\n  \n\n")
        #expect(throws: DataError.emptyFile(file: path)) {
            try Interactions.load(path: path, format: Self.format, segments: segments)
        }
    }

    @Test(arguments: ["4.5", "3.5", "0.1", "2.675", "1e-3", "-0.25", "123456789.123", "0.30000001192092896",
                      "1.17549435e-38", "3.4028235e38", "16777217", "0.000000000123", "5.", ".5", "+2.5"])
    func ratingsRoundExactlyLikeTheStandardLibrary(text: String) throws {
        let parsed = Array(text.utf8).withUnsafeBufferPointer { FieldParsing.number($0) }
        #expect(parsed == Float(text))
    }

    @Test(arguments: ["1,2,3.5,100", "1,2,4,100", "1,2,.5,1", "1,2,5.,1", "1,2,0.1234567,1", "1,2,12345678,1",
                      "1,2,4.0000001,7", " 1,2,3,4", "1,2,3,4,", "1,2,3", "-1,2,3,4", "1,2,3,2001-01-01", "1,2,1e3,4",
                      "1,,3,4", "1,2,3.5.1,4", "1,2,nan,4", "", "1234567890123456789,2,3,4", "007,08,09.50,010"])
    func fastParseAgreesWithTheGeneralParser(line: String) {
        let parser = DelimitedLineParser(format: Self.format, path: "f.csv")
        #expect(parser.allowsFastParse)
        Array(line.utf8).withUnsafeBufferPointer { bytes in
            guard let fast = parser.parseFast(bytes) else { return }
            let general = try? parser.parse(bytes, number: 1)
            #expect(general.map { [$0.user, $0.item, $0.timestamp] } == [fast.user, fast.item, fast.timestamp])
            #expect(general?.rating == fast.rating)
        }
    }
}

/// Found by the delimited-loader fuzz target: a header that ends the file left a data range of 0
/// bytes, and cutting it into several segments put a bound before the previous one (a trap).
@Suite struct SegmentBoundsTests {
    @Test(arguments: [1, 3, 8])
    func aFileThatIsOnlyAHeaderCutIntoSegmentsIsEmpty(segments: Int) throws {
        let folder = FixtureFolder()
        let path = folder.write("r.csv", "user,item,rating")
        #expect(throws: DataError.emptyFile(file: path)) {
            try Interactions.load(path: path, format: DelimitedFormat(delimiter: ",", hasHeader: true, timestampColumn: nil),
                                  segments: segments)
        }
    }

    @Test(arguments: [2, 5, 16])
    func moreSegmentsThanDataBytesStillReadEveryLine(segments: Int) throws {
        let folder = FixtureFolder()
        let path = folder.write("r.csv", "user,item,rating\n1,2,3")
        let table = try Interactions.load(path: path, format: DelimitedFormat(delimiter: ",", hasHeader: true, timestampColumn: nil),
                                          segments: segments)
        #expect(table.count == 1 && table.userIDs == [1])
    }
}
