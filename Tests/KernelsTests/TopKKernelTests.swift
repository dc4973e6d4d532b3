import Testing
import TensorCore
@testable import Kernels

@Suite struct TopKKernelTests {
    /// The reference: full sort by (score desc, column asc) after removing exclusions; NaN lowest.
    static func reference(_ scores: Matrix, k: Int, excluded: SparseMatrix?) -> [[Int32]] {
        (0..<scores.rows).map { r in
            let skip = Set(excluded?.columns(inRow: r) ?? [])
            let candidates = (0..<scores.columns).filter { !skip.contains(Int32($0)) }.map { c in
                (score: scores[r, c].isNaN ? -Float.infinity : scores[r, c], nan: scores[r, c].isNaN, column: Int32(c))
            }
            let sorted = candidates.sorted {
                $0.score != $1.score ? $0.score > $1.score : ($0.nan != $1.nan ? $1.nan : $0.column < $1.column)
            }
            return sorted.prefix(k).map(\.column)
        }
    }

    @Test(arguments: [[1, 1, 1], [17, 33, 5], [130, 257, 20], [4, 10, 0], [3, 5, 9], [0, 6, 2], [2, 0, 3]])
    func matchesTheFullSort(shape: [Int]) {
        let (rows, columns, k) = (shape[0], shape[1], shape[2])
        var scores = Reference.matrix(rows, columns, seed: 61)
        // Coarse rounding creates many ties; a few NaN and ±∞ entries test the ordering edges.
        scores = Matrix(rows: rows, columns: columns, storage: scores.storage.map { ($0 * 4).rounded() })
        if rows > 0 && columns > 3 { scores[0, 1] = .nan; scores[0, 2] = .infinity; scores[0, 3] = -.infinity }
        let excluded = Reference.sparse(rows, columns, density: 0.3, seed: 62, emptyRow: 0)
        #expect(Kernels.topK(scores, k: k, excluding: excluded) == Self.reference(scores, k: k, excluded: excluded))
        #expect(Kernels.topK(scores, k: k) == Self.reference(scores, k: k, excluded: nil))
    }

    @Test func tiesBreakTowardLowerColumns() {
        let scores = Matrix([[1, 3, 3, 2, 3]])
        #expect(Kernels.topK(scores, k: 2) == [[1, 2]])
        #expect(Kernels.topK(scores, k: 4) == [[1, 2, 4, 3]])
        let seen = SparseMatrix(rows: 1, columns: 5, triplets: [(0, 2, 1)])
        #expect(Kernels.topK(scores, k: 3, excluding: seen) == [[1, 4, 3]])
    }
}
