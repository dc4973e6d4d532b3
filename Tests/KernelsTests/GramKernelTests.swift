import Testing
import TensorCore
@testable import Kernels

/// The sparse Gram matrix and the diagonal operations of a closed-form item-item model, against
/// naive Double references.
@Suite struct GramKernelTests {
    static let shapes: [[Int]] = [[1, 1], [17, 33], [130, 257], [5, 40], [0, 4], [40, 0], [300, 9]]

    @Test(arguments: shapes)
    func sparseGramMatchesTheTransposeProduct(shape: [Int]) {
        let (rows, columns) = (shape[0], shape[1])
        let s = Reference.sparse(rows, columns, density: 0.15, seed: 61, emptyRow: rows > 1 ? 2 : nil)
        var g = Matrix(rows: columns, columns: columns, repeating: .nan)                 // old values are never read
        Kernels.sparseGram(s, into: &g)
        let dense = s.toDense()
        Reference.expectClose(g, Reference.gemm(dense, dense, transposeA: true, transposeB: false), tolerance: 1e-6, scale: 1,
                              "Sᵀ·S \(rows)×\(columns)")
    }

    @Test func sparseGramOfClicksIsExactAndSymmetric() {
        let s = Reference.sparse(211, 97, density: 0.3, seed: 62, emptyRow: 5).withValues(1)
        var g = Matrix(rows: 97, columns: 97)
        Kernels.sparseGram(s, into: &g)
        let expected = Reference.gemm(s.toDense(), s.toDense(), transposeA: true, transposeB: false)
        #expect((0..<97).allSatisfy { i in (0..<97).allSatisfy { j in Double(g[i, j]) == expected[i][j] && g[i, j] == g[j, i] } })
    }

    @Test func balancedRangesCoverEveryRowOnce() {
        for cost in [[], [5], [1, 1, 1, 1, 1, 1, 1], [100, 1, 1, 1, 1, 100, 1], Array(repeating: 3, count: 1000)] {
            for pieces in [1, 2, 8] {
                let ranges = Kernels.balancedRowRanges(cost: cost, pieces: pieces)
                #expect(ranges.flatMap { Array($0) } == Array(cost.indices), "\(cost.count) rows, \(pieces) pieces")
                #expect(ranges.allSatisfy { !$0.isEmpty })
            }
        }
    }

    @Test func diagonalShiftAndReciprocalColumnScaling() {
        var a = Reference.matrix(37, 37, seed: 63)
        Kernels.addToDiagonal(&a, 3)                                                      // diagonal in [2, 4): no zero
        let shifted = a
        Kernels.scaleColumnsByReciprocalDiagonal(&a, multiplier: -1, diagonal: 0)
        let expected = (0..<37).map { i in
            (0..<37).map { j in i == j ? 0 : -Double(shifted[i, j]) / Double(shifted[j, j]) }
        }
        Reference.expectClose(a, expected, tolerance: 1e-6, scale: 1e-3)
        let original = Reference.matrix(37, 37, seed: 63)
        #expect((0..<37).allSatisfy { shifted[$0, $0] == original[$0, $0] + 3 })
    }

    @Test func upperTriangleMirrorsIntoTheLower() {
        for n in [0, 1, 31, 32, 33, 70] {
            var a = Reference.matrix(n, n, seed: 64)
            let original = a
            Kernels.copyUpperTriangleToLower(&a)
            #expect((0..<n).allSatisfy { r in (0..<n).allSatisfy { c in a[r, c] == (c >= r ? original[r, c] : original[c, r]) } },
                    "n = \(n)")
        }
    }
}
