import FuzzSupport
import TensorCore
import RecCore

/// Fuzz target for the vae_cf split reader: the input holds the six files of a split folder
/// (`unique_sid.txt`, `train.csv`, `validation_tr.csv`, `validation_te.csv`, `test_tr.csv`,
/// `test_te.csv`) separated by `#|`. Every load must give a consistent split or a `DataError`.
@main struct FuzzVAECFSplit {
    static let files = ["unique_sid.txt", "train.csv", "validation_tr.csv", "validation_te.csv", "test_tr.csv", "test_te.csv"]

    /// Seeds: the LoaderTests and VAECFNumberingTests fixtures.
    static let seeds: [String: [UInt8]] = [
        "seed-loader": Array(["50\n60\n70\n", "uid,sid\n0,0\n0,2\n1,1\n", "uid,sid\n2,0\n2,1\n3,2\n", "uid,sid\n2,2\n",
                              "uid,sid\n4,1\n", "uid,sid\n4,0\n5,2\n"].joined(separator: "#|").utf8),
        "seed-numbering": Array(["50\n60\n70\n", "uid,sid\n1000000000,1\n9223372036854775807,0\n",
                                 "uid,sid\n10,0\n", "uid,sid\n10,1\n", "uid,sid\n20,1\n", "20,2\n"].joined(separator: "#|").utf8),
    ]

    static func main() {
        FuzzHarness.run(seeds: seeds) { data, size in
            FuzzVAECFSplit.fuzz(UnsafeBufferPointer(start: data, count: size))
            return 0
        }
    }

    static func fuzz(_ input: UnsafeBufferPointer<UInt8>) {
        let parts = FuzzHarness.split(input, separator: Array("#|".utf8), parts: files.count)
        for (index, name) in files.enumerated() {
            _ = FuzzHarness.write(index < parts.count ? parts[index] : UnsafeBufferPointer(start: nil, count: 0), named: name)
        }
        let split: StrongGeneralizationSplit
        do { split = try StrongGeneralizationSplit.loadVAECF(folder: FuzzHarness.scratch) } catch is DataError { return } catch {
            FuzzHarness.fail("untyped error \(error)")
        }
        check(split)
    }

    /// Dense ascending user numbering, disjoint parts, valid binary CSR matrices of the item count.
    static func check(_ split: StrongGeneralizationSplit) {
        func ascending(_ ids: [Int64]) -> Bool { zip(ids, ids.dropFirst()).allSatisfy { $0 < $1 } }
        let parts = [split.trainUserIDs, split.validation.userIDs, split.test.userIDs]
        guard parts.allSatisfy(ascending), Set(parts.joined()).count == parts.map(\.count).reduce(0, +),
              split.train.rows == split.trainUserIDs.count else {
            FuzzHarness.fail("user ids not ascending, or shared by two parts")
        }
        for matrix in [split.train, split.validation.foldIn, split.validation.target, split.test.foldIn, split.test.target] {
            guard matrix.columns == split.itemCount, matrix.values.allSatisfy({ $0 == 1 }) else {
                FuzzHarness.fail("a part with \(matrix.columns) columns for \(split.itemCount) items, or a value other than 1")
            }
            for row in 0..<matrix.rows {
                let columns = matrix.columns(inRow: row)
                guard zip(columns, columns.dropFirst()).allSatisfy({ $0 < $1 }),
                      columns.allSatisfy({ $0 >= 0 && Int($0) < matrix.columns }) else {
                    FuzzHarness.fail("row \(row): columns unsorted or out of range")
                }
            }
        }
    }
}
