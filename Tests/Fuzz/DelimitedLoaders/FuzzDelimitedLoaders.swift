import FuzzSupport
import TensorCore
#if FUZZING
@testable import RecCore
#else
import RecCore
#endif

/// Fuzz target for the delimited loaders (MovieLens tab, `::` and CSV, gzip, Netflix, generic
/// CSV/semicolon files with each duplicate policy). The first input byte picks the format, the
/// rest is the file. Every load must give a consistent table or a `DataError`; built for fuzzing,
/// the parallel path (1 and 3 segments) must also agree exactly with the line-by-line path.
@main struct FuzzDelimitedLoaders {
    struct Case {
        let file: String
        /// The layout, when the file goes through `Interactions.load(path:format:)`.
        let format: DelimitedFormat?
        let load: @Sendable (String) throws -> Interactions
    }

    static let cases: [Case] = {
        func delimited(_ file: String, _ format: DelimitedFormat) -> Case {
            Case(file: file, format: format) { try Interactions.load(path: $0, format: format) }
        }
        return [
            delimited("u.data", .movieLens100K),
            delimited("ratings.dat", .movieLensDat),
            delimited("ratings.csv", .movieLensCSV),
            Case(file: "u.data.gz", format: nil) { try Interactions.loadMovieLens(path: $0) },
            Case(file: "mv_0000001.txt", format: nil) { try Interactions.loadNetflix(path: $0) },
            delimited("r.csv", DelimitedFormat(delimiter: ",", hasHeader: true, ratingColumn: 2, timestampColumn: nil)),
            delimited("c.txt", DelimitedFormat(delimiter: ";", userColumn: 1, itemColumn: 0, ratingColumn: nil,
                                               timestampColumn: nil)),
            delimited("k.tsv", DelimitedFormat(delimiter: "\t", duplicates: .keepFirst)),
            delimited("j.csv", DelimitedFormat(delimiter: ",", hasHeader: true, ratingColumn: 2, timestampColumn: nil,
                                               duplicates: .reject)),
        ]
    }()

    /// Seeds: the shapes of the RecCoreTests fixtures, one per case (first byte = case).
    static let seeds: [String: [UInt8]] = {
        let texts = [
            "1\t30\t1\t5\n1\t10\t2\t6\n1\t20\t3\t7\n2\t10\t5\t881250949\n",
            "1::2::3::978300760\n1::3::4::978302109\n2::2::5::978301968\n",
            "userId,movieId,rating,timestamp\r\n1,2,3.5,1112486027\r\n1,29,3.5,1112484676\r\n7,2,4,100\r\n",
            "",
            "1:\n1488844,3,2005-09-06\n822109,5,2005-05-13\n2:\n1488844,4,2005-09-07\n",
            "user,item,rating\n1,10,4\n2,20,3\n1,10,5\n",
            "10;1;x\n11;1;y\n10;2;z\n",
            "1\t5\t2\t300\n1\t5\t4\t100\n2\t5\t1\t10\n1\t5\t3\t300\n",
            "1,2,3\n1,3,4\n2,2,5\n",
        ]
        var seeds: [String: [UInt8]] = [:]
        for (index, text) in texts.enumerated() where !text.isEmpty { seeds["seed-\(index)"] = [UInt8(index)] + Array(text.utf8) }
        // A valid gzip member of "1\t2\t3\t4\n5\t6\t2\t9\n" (Python's gzip.compress, mtime 0), for the .gz case.
        seeds["seed-3"] = [3, 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x03, 0x33, 0xe4, 0x34, 0xe2, 0x34,
                           0xe6, 0x34, 0xe1, 0x32, 0xe5, 0x34, 0x03, 0xb2, 0x2c, 0xb9, 0x00, 0x1e, 0x81, 0x7c, 0xd8,
                           0x10, 0x00, 0x00, 0x00]
        return seeds
    }()

    static func main() {
        FuzzHarness.run(seeds: seeds) { data, size in
            FuzzDelimitedLoaders.fuzz(UnsafeBufferPointer(start: data, count: size))
            return 0
        }
    }

    static func fuzz(_ input: UnsafeBufferPointer<UInt8>) {
        guard let selector = input.first else { return }
        let chosen = cases[Int(selector) % cases.count]
        let path = FuzzHarness.write(UnsafeBufferPointer(rebasing: input.dropFirst()), named: chosen.file)
        let result = outcome { try chosen.load(path) }
        if case let .success(table) = result { check(table, scale: chosen.format?.ratingScale) }
        #if FUZZING
        if let format = chosen.format {
            for segments in [1, 3] {
                let parallel = outcome { try Interactions.load(path: path, format: format, segments: segments) }
                let sequential = outcome {
                    try Interactions.assemble(timed: format.timestampColumn != nil, policy: format.duplicates, label: path) {
                        try Interactions.scanDelimited(path: path, format: format, $0)
                    }
                }
                if parallel != sequential { FuzzHarness.fail("\(segments) segments: \(parallel) but line by line \(sequential)") }
            }
        }
        #endif
    }

    /// The table, or the `DataError`; any other error stops the fuzzer.
    static func outcome(_ load: () throws -> Interactions) -> Result<Interactions, DataError> {
        do { return .success(try load()) } catch let error as DataError { return .failure(error) } catch {
            FuzzHarness.fail("untyped error \(error)")
        }
    }

    /// What every loaded table promises: ascending distinct ids, a valid CSR matrix, ratings on the scale.
    static func check(_ table: Interactions, scale: RatingScale?) {
        let matrix = table.ratings
        guard zip(table.userIDs, table.userIDs.dropFirst()).allSatisfy({ $0 < $1 }),
              zip(table.itemIDs, table.itemIDs.dropFirst()).allSatisfy({ $0 < $1 }),
              matrix.rows == table.userIDs.count, matrix.columns == table.itemIDs.count,
              matrix.rowPointers.first == 0, matrix.rowPointers.last == matrix.columnIndices.count,
              matrix.values.count == matrix.columnIndices.count, table.duplicateCount >= 0,
              (table.timestampOffsets?.count ?? matrix.nonZeroCount) == matrix.nonZeroCount else {
            FuzzHarness.fail("inconsistent table \(table.userIDs.count)×\(table.itemIDs.count)")
        }
        for row in 0..<matrix.rows {
            let columns = matrix.columns(inRow: row)
            guard !columns.isEmpty, zip(columns, columns.dropFirst()).allSatisfy({ $0 < $1 }),
                  columns.allSatisfy({ $0 >= 0 && Int($0) < matrix.columns }) else {
                FuzzHarness.fail("row \(row) of the CSR matrix is empty, unsorted or out of range")
            }
        }
        if let scale, !matrix.values.allSatisfy({ scale.contains($0) }) { FuzzHarness.fail("a rating off the scale \(scale)") }
    }
}
