import Foundation
import Testing
import TensorCore
@testable import RecCore

/// Issue 20, finding 6: values outside a format's documented scale are errors with their line;
/// duplicates are counted; negative ids follow the format's rule; a header is never a data row.
@Suite struct DataPolicyTests {
    @Test(arguments: ["-1", "0", "6", "1e19", "5.5", "3.3", "NaN", "inf", "-inf"])
    func ratingsOffTheMovieLensScaleAreErrors(value: String) throws {
        let folder = FixtureFolder()
        for (name, line) in [("ratings.dat", "7::2::\(value)::100"), ("ratings.csv", "7,2,\(value),100")] {
            let header = name == "ratings.csv" ? "userId,movieId,rating,timestamp\n" : ""
            let path = folder.write(name, header + (name == "ratings.csv" ? "1,2,3.5,100\n" : "1::2::3::100\n") + line + "\n")
            let number = name == "ratings.csv" ? 3 : 2
            #expect {
                try Interactions.loadMovieLens(path: path)
            } throws: { error in
                switch error as? DataError {
                case let .valueOutOfRange(file, errorLine, text, column, shown, _):
                    return file == path && errorLine == number && text == line && column == "rating" && shown == value
                case let .invalidRating(file, errorLine, text, shown):   // NaN and infinities are not numbers at all
                    return file == path && errorLine == number && text == line && shown == value
                default:
                    return false
                }
            }
        }
    }

    @Test func uDataHoldsWholeStarsOnly() throws {
        let folder = FixtureFolder()
        let path = folder.write("u.data", "1\t2\t3\t4\n1\t3\t4.5\t4\n")
        #expect(throws: DataError.valueOutOfRange(file: path, line: 2, text: "1\t3\t4.5\t4", column: "rating", value: "4.5",
                                                  allowed: RatingScale.wholeStars.description)) {
            try Interactions.loadMovieLens(path: path)
        }
    }

    @Test func halfStarsAndTheGenericScaleLoad() throws {
        let folder = FixtureFolder()
        let movieLens = try Interactions.loadMovieLens(path: folder.write("ratings.dat", "1::2::0.5::4\n1::3::5::4\n"))
        #expect(movieLens.ratings.values == [0.5, 5])
        let generic = try Interactions.load(path: folder.write("plays.csv", "1,2,-3.25\n1,3,350000\n"),
                                            format: DelimitedFormat(delimiter: ",", timestampColumn: nil))
        #expect(generic.ratings.values == [-3.25, 350_000])
    }

    @Test func genericCSVRejectsMagnitudesBeyondOneBillion() throws {
        let folder = FixtureFolder()
        let path = folder.write("r.csv", "1,2,3\n1,3,1e19\n")
        #expect(throws: DataError.valueOutOfRange(file: path, line: 2, text: "1,3,1e19", column: "rating", value: "1e19",
                                                  allowed: RatingScale.generic.description)) {
            try Interactions.load(path: path, format: DelimitedFormat(delimiter: ",", timestampColumn: nil))
        }
    }

    @Test(arguments: [1, 3])
    func theParallelPathChecksTheScaleToo(segments: Int) throws {
        let folder = FixtureFolder()
        var lines = ["userId,movieId,rating,timestamp"]
        for k in 0..<200 { lines.append("\(k % 7 + 1),\(k + 1),\(k % 5 + 1),\(k)") }
        lines.append("3,9999,6,1")
        let path = folder.write("ratings.csv", lines.joined(separator: "\n"))
        #expect(throws: DataError.valueOutOfRange(file: path, line: 202, text: "3,9999,6,1", column: "rating", value: "6",
                                                  allowed: RatingScale.halfStars.description)) {
            try Interactions.load(path: path, format: .movieLensCSV, segments: segments)
        }
    }

    @Test func negativeIdsAreErrorsInMovieLensAndNetflixFiles() throws {
        let folder = FixtureFolder()
        let path = folder.write("u.data", "1\t2\t3\t4\n-5\t2\t3\t4\n")
        #expect(throws: DataError.valueOutOfRange(file: path, line: 2, text: "-5\t2\t3\t4", column: "user id", value: "-5",
                                                  allowed: "non-negative integers")) {
            try Interactions.loadMovieLens(path: path)
        }
        let netflix = folder.write("mv_0000001.txt", "1:\n5,3,2005-01-01\n-2:\n6,3,2005-01-01\n")
        #expect(throws: DataError.valueOutOfRange(file: netflix, line: 3, text: "-2:", column: "movie id", value: "-2",
                                                  allowed: "non-negative integers")) {
            try Interactions.loadNetflix(path: netflix)
        }
    }

    @Test func duplicateRowsAreCountedOnBothPaths() throws {
        let folder = FixtureFolder()
        let text = "1\t5\t2\t300\n1\t5\t4\t100\n2\t5\t1\t10\n1\t5\t3\t300\n2\t6\t1\t10\n"
        let plain = try Interactions.loadMovieLens(path: folder.write("u.data", text))
        let gzip = try Interactions.loadMovieLens(path: try folder.writeGzip("u1.base.gz", text))
        #expect(plain.count == 3 && plain.duplicateCount == 2)
        #expect(gzip == plain)
        #expect(DuplicatePolicy.keepLast.summary(droppedRows: plain.duplicateCount)
                == "2 duplicate (user, item) rows dropped (keep-last)")
    }

    @Test func duplicatePoliciesHaveCommandLineNames() {
        #expect(DuplicatePolicy.allCases.map(\.argument) == ["keep-last", "keep-first", "reject"])
        #expect(DuplicatePolicy.allCases.allSatisfy { DuplicatePolicy(argument: $0.argument) == $0 })
        #expect(DuplicatePolicy(argument: "last") == nil)
    }

    @Test(arguments: [1, 2])
    func aHeaderlessCSVKeepsItsFirstRow(segments: Int) throws {
        let folder = FixtureFolder()
        let format = DelimitedFormat(delimiter: ",", hasHeader: true, ratingColumn: 2, timestampColumn: nil)
        let path = folder.write("r.csv", "\n1,10,4\n2,20,3\n")
        let table = try Interactions.load(path: path, format: format, segments: segments)
        #expect(table.count == 2 && table.userIDs == [1, 2])
        let withHeader = folder.write("h.csv", "user,item,rating\n1,10,4\n2,20,3\n")
        #expect(try Interactions.load(path: withHeader, format: format, segments: segments) == table)
        let gzip = try folder.writeGzip("r.csv.gz", "1,10,4\n2,20,3\n")
        #expect(try Interactions.load(path: gzip, format: format) == table)
    }

    @Test func aFirstRowWithOneBadIdIsReportedNotSkipped() throws {
        let folder = FixtureFolder()
        let path = folder.write("r.csv", "1,x10,4\n2,20,3\n")
        #expect(throws: DataError.invalidIdentifier(file: path, line: 1, text: "1,x10,4", value: "x10")) {
            try Interactions.load(path: path, format: DelimitedFormat(delimiter: ",", hasHeader: true, timestampColumn: nil))
        }
    }
}
