import Testing
import TensorCore
@testable import Kernels

/// Naive Double references for the rating kernels on odd shapes (1×1, 17×33, empty rows, no entries,
/// hidden widths that exercise the 16-wide SIMD body, the 8-wide block and the scalar tail).
@Suite struct SampledProductKernelTests {
    static let shapes: [(rows: Int, columns: Int, hidden: Int)] = [(1, 1, 1), (3, 5, 2), (17, 33, 9), (4, 0, 3), (5, 6, 0),
                                                                    (6, 7, 37), (5, 9, 29), (3, 4, 500)]   // SIMD body, 8-block, tail

    static func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-4 * max(1, abs(a), abs(b)) }

    @Test(arguments: shapes)
    func sampledProductMatchesDenseProduct(shape: (rows: Int, columns: Int, hidden: Int)) {
        let left = NeuralKernelsTests.dense(shape.rows, shape.hidden, seed: 1)
        let right = NeuralKernelsTests.dense(shape.columns, shape.hidden, seed: 2)
        let pattern = NeuralKernelsTests.sparse(shape.rows, shape.columns, seed: 3)
        let values = Kernels.sampledProduct(left: left, right: right, at: pattern)
        #expect(values.count == pattern.nonZeroCount)
        for r in 0..<pattern.rows {
            for e in pattern.range(ofRow: r) {
                let c = Int(pattern.columnIndices[e])
                let expected = (0..<shape.hidden).reduce(0.0) { $0 + Double(left[r, $1]) * Double(right[c, $1]) }
                #expect(Self.close(Double(values[e]), expected))
            }
        }
    }

    @Test(arguments: shapes)
    func biasColumnSumsGatherAndTransposeOrder(shape: (rows: Int, columns: Int, hidden: Int)) {
        let pattern = NeuralKernelsTests.sparse(shape.rows, shape.columns, seed: 4)
        let bias = NeuralKernelsTests.dense(1, shape.columns, seed: 5)
        var values = pattern.values
        Kernels.addColumnBias(bias, to: &values, at: pattern)
        var sums = Matrix(rows: 1, columns: shape.columns)
        Kernels.addSparseColumnSums(of: pattern, to: &sums)
        let dense = NeuralKernelsTests.dense(pattern)
        for c in 0..<shape.columns {
            #expect(Self.close(Double(sums[0, c]), (0..<shape.rows).reduce(0.0) { $0 + dense[$1][c] }))
        }
        let x = NeuralKernelsTests.dense(shape.rows, shape.columns, seed: 6)
        let gathered = Kernels.gather(x, at: pattern)
        for r in 0..<pattern.rows {
            for e in pattern.range(ofRow: r) {
                let c = Int(pattern.columnIndices[e])
                #expect(values[e] == pattern.values[e] + bias[0, c])
                #expect(gathered[e] == x[r, c])
            }
        }
        // Values laid out in the transpose's order come back to the pattern's order.
        let order = Kernels.transposeOrder(pattern)
        #expect(Kernels.scatter(pattern.transposed().values, to: order, count: pattern.nonZeroCount) == pattern.values)
    }

    @Test func squaredErrorAndGradient() {
        let (loss, gradient) = Kernels.squaredError(predictions: [1, 2.5, 4], targets: [2, 2.5, 1], gradientScale: 0.5)
        #expect(loss == 10)
        #expect(gradient == [-1, 0, 3])
    }

    @Test func rpropGrowsShrinksAndSkipsAFlip() {
        var value = Matrix([[1, 1, 1]])
        var previous = Matrix([[0, 2, 2]])
        var steps = Matrix([[0.1, 0.1, 0.1]])
        // Entry 0: first step (sign only); 1: same sign → step ×1.2; 2: flip → step ×0.5, no move, g stored as 0.
        Kernels.rpropUpdate(value: &value, gradient: Matrix([[3, 1, -1]]), previousGradient: &previous,
                            stepSizes: &steps, etaMinus: 0.5, etaPlus: 1.2, minimumStep: 1e-6, maximumStep: 50)
        #expect(abs(value[0, 0] - 0.9) < 1e-6 && abs(value[0, 1] - 0.88) < 1e-6 && value[0, 2] == 1)
        #expect(abs(steps[0, 1] - 0.12) < 1e-6 && abs(steps[0, 2] - 0.05) < 1e-6)
        #expect(previous == Matrix([[3, 1, 0]]))
    }

    /// CSRᵀ × dense done one block of G's columns at a time (forced small, odd widths) matches the
    /// naive product and is bitwise equal to the unblocked pass (same summation order).
    @Test(arguments: [[17, 33, 9, 1], [17, 33, 9, 4], [130, 257, 67, 13], [130, 257, 67, 16], [9, 1000, 600, 392], [1, 1, 1, 1]])
    func columnBlockedSparseProducts(shape: [Int]) {
        let (rows, items, hidden, width) = (shape[0], shape[1], shape[2], shape[3])
        let s = Reference.sparse(rows, items, density: 0.2, seed: 61, emptyRow: rows > 1 ? 1 : nil)
        let dRows = Reference.matrix(rows, hidden, seed: 63), start = Reference.matrix(items, hidden, seed: 64)
        var g = start, unblocked = start
        Kernels.sparseTransposeDenseProduct(s, dRows, alpha: 0.5, accumulatingInto: &g, blockWidth: width)
        Kernels.sparseTransposeDenseProduct(s, dRows, alpha: 0.5, accumulatingInto: &unblocked, blockWidth: hidden)
        let product = Reference.gemm(s.toDense(), dRows, transposeA: true, transposeB: false)
        let expected = (0..<items).map { i in (0..<hidden).map { j in Double(start[i, j]) + 0.5 * product[i][j] } }
        Reference.expectClose(g, expected, tolerance: 1e-5, scale: 2)
        #expect(g == unblocked)
    }

    @Test func columnBlockWidthKeepsABlockWithinTheCacheBudget() {
        #expect(Kernels.columnBlockWidth(rows: 6040, columns: 500) == 64)      // ML-1M I-AutoRec V, W
        #expect(Kernels.columnBlockWidth(rows: 100, columns: 500) == 500)      // fits: one block
        #expect(Kernels.columnBlockWidth(rows: 3706, columns: 500) == 104)     // U-AutoRec
        #expect(Kernels.columnBlockWidth(rows: 10_000_000, columns: 64) == 16) // never below 16
        #expect(Kernels.columnBlockWidth(rows: 5, columns: 0) == 1)
    }
}
