import Foundation
import Testing
@testable import RecCore

/// Issue 20, finding 2: the time span of a file is computed without overflow, whatever the two
/// extreme timestamps are, on every reading path (tab and `::` files, gzip).
@Suite struct UntrustedTimestampTests {
    static let extremes = [("u.data", "1\t1\t5\t-9223372036854775808\n1\t2\t5\t1\n"),
                           ("ratings.dat", "1::1::5::-9223372036854775808\n1::2::5::1\n"),
                           ("ratings.dat", "1::1::5::9223372036854775807\n1::2::5::-9223372036854775808\n")]

    @Test(arguments: 0..<3, [false, true])
    func extremeTimestampsAreARangeErrorNotACrash(index: Int, gzip: Bool) throws {
        let folder = FixtureFolder()
        let (name, text) = Self.extremes[index]
        let path = gzip ? try folder.writeGzip(name + ".gz", text) : folder.write(name, text)
        #expect {
            try Interactions.loadMovieLens(path: path)
        } throws: { error in
            guard case let DataError.timestampRangeTooWide(file, minimum, maximum) = error else { return false }
            return file == path && minimum == Int64.min && maximum > minimum
        }
    }

    @Test func aSpanOfExactlyTwoToThe32MinusOneSecondsStillLoads() throws {
        let folder = FixtureFolder()
        let path = folder.write("u.data", "1\t1\t5\t-10\n1\t2\t5\t\(Int64(UInt32.max) - 10)\n")
        let table = try Interactions.loadMovieLens(path: path)
        #expect(table.timestamps == [-10, Int64(UInt32.max) - 10])
    }
}
