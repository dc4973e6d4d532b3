import Foundation
import Testing
import TensorCore
@testable import Kernels

/// Naive Double-precision references and comparison helpers shared by the kernel tests.
enum Reference {
    /// A seeded random matrix with entries in [−1, 1).
    static func matrix(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix {
        var rng = RandomGenerator(seed: seed)
        return Kernels.randomUniform(rows: rows, columns: columns, low: -1, high: 1, using: &rng)
    }

    /// A seeded random CSR matrix with about `density` of its entries set; row `emptyRow` (if any) is empty.
    static func sparse(_ rows: Int, _ columns: Int, density: Double, seed: UInt64, emptyRow: Int? = nil) -> SparseMatrix {
        var rng = RandomGenerator(seed: seed)
        var triplets: [(row: Int, column: Int, value: Float)] = []
        for r in 0..<rows where r != emptyRow {
            for c in 0..<columns where Double(rng.nextUniform()) < density {
                triplets.append((r, c, rng.nextUniform() * 2 - 1))
            }
        }
        return SparseMatrix(rows: rows, columns: columns, triplets: triplets)
    }

    /// op(A)·op(B) by the triple loop in Double.
    static func gemm(_ a: Matrix, _ b: Matrix, transposeA: Bool, transposeB: Bool) -> [[Double]] {
        let m = transposeA ? a.columns : a.rows, k = transposeA ? a.rows : a.columns
        let n = transposeB ? b.rows : b.columns
        var c = [[Double]](repeating: [Double](repeating: 0, count: n), count: m)
        for i in 0..<m {
            for j in 0..<n {
                var total: Double = 0
                for p in 0..<k {
                    let x = transposeA ? a[p, i] : a[i, p], y = transposeB ? b[j, p] : b[p, j]
                    total += Double(x) * Double(y)
                }
                c[i][j] = total
            }
        }
        return c
    }

    /// Expects |actual − expected| ≤ tolerance·(scale + |expected|) element-wise.
    static func expectClose(_ actual: Matrix, _ expected: [[Double]], tolerance: Double = 1e-5, scale: Double = 1,
                            _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(actual.rows == expected.count, "\(comment) rows", sourceLocation: sourceLocation)
        var worst: Double = 0, worstAt = (0, 0)
        for r in 0..<min(actual.rows, expected.count) {
            #expect(actual.columns == expected[r].count, "\(comment) columns", sourceLocation: sourceLocation)
            for c in 0..<min(actual.columns, expected[r].count) {
                let error = abs(Double(actual[r, c]) - expected[r][c]) / (scale + abs(expected[r][c]))
                if !(error <= worst) { worst = error; worstAt = (r, c) }
            }
        }
        #expect(worst <= tolerance, "\(comment): worst relative error \(worst) at \(worstAt)",
                sourceLocation: sourceLocation)
    }

    /// The matrix as nested Double rows.
    static func nested(_ x: Matrix) -> [[Double]] {
        (0..<x.rows).map { r in (0..<x.columns).map { Double(x[r, $0]) } }
    }
}
