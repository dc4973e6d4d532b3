import Foundation
import Testing
import TensorCore
@testable import Kernels

/// Shapes for element-wise and row-wise kernels: degenerate, odd, and multi-chunk.
let oddShapes: [(Int, Int)] = [(0, 0), (0, 5), (3, 0), (1, 1), (17, 33), (130, 257), (3, 70_001)]

@Suite struct ElementwiseKernelTests {
    @Test(arguments: oddShapes.map { [$0.0, $0.1] })
    func arithmetic(shape: [Int]) {
        let a = Reference.matrix(shape[0], shape[1], seed: 1), b = Reference.matrix(shape[0], shape[1], seed: 2)
        let sum = Kernels.add(a, b), difference = Kernels.subtract(a, b), product = Kernels.multiply(a, b)
        var axpy = b
        Kernels.axpy(0.25, a, &axpy)
        var scaled = a
        Kernels.scale(&scaled, by: -3)
        for i in 0..<a.count {
            let x = a.storage[i], y = b.storage[i]
            #expect(sum.storage[i] == x + y && difference.storage[i] == x - y && product.storage[i] == x * y)
            #expect(axpy.storage[i] == y + 0.25 * x && scaled.storage[i] == -3 * x)
        }
        #expect(sum.rows == shape[0] && sum.columns == shape[1])
    }

    @Test(arguments: oddShapes.map { [$0.0, $0.1] })
    func biasRowsAndColumnSums(shape: [Int]) {
        let (rows, columns) = (shape[0], shape[1])
        let x = Reference.matrix(rows, columns, seed: 3), v = Reference.matrix(1, columns, seed: 4)
        var y = x
        Kernels.addRowVector(v, to: &y)
        for r in 0..<rows { for c in 0..<columns { #expect(y[r, c] == x[r, c] + v[0, c]) } }
        var g = Reference.matrix(1, columns, seed: 5)
        let start = g
        Kernels.addColumnSums(of: x, to: &g)
        let expected = [(0..<columns).map { c in Double(start[0, c]) + (0..<rows).reduce(0.0) { $0 + Double(x[$1, c]) } }]
        Reference.expectClose(g, expected, tolerance: 1e-5, scale: 1 + Double(rows).squareRoot())
    }

    @Test func randomDrawsAreSeededAndShaped() {
        var first = RandomGenerator(seed: 9), second = RandomGenerator(seed: 9)
        let a = Kernels.randomNormal(rows: 40, columns: 50, mean: 1, standardDeviation: 2, using: &first)
        let b = Kernels.randomNormal(rows: 40, columns: 50, mean: 1, standardDeviation: 2, using: &second)
        #expect(a == b)
        let mean = Kernels.sum(a) / 2000
        #expect(abs(mean - 1) < 0.2)
        let u = Kernels.randomUniform(rows: 30, columns: 30, low: -2, high: 3, using: &first)
        #expect(u.storage.allSatisfy { $0 >= -2 && $0 < 3 })
    }

    @Test func exponentialMatchesLibm() {
        // Dense sweep of the normal range plus the edges, where exp8 must flush, saturate or propagate.
        var inputs: [Float] = stride(from: -87.3, through: 88.7, by: 0.0137).map { Float($0) }
        inputs += [0, -0.0, 1e-8, -1e-8, 0.5 * Float(log(2.0)), -88, -100, 89, 1000, -.infinity, .infinity]
        let x = Matrix(rows: 1, columns: inputs.count, storage: inputs)
        let y = Kernels.exponential(x)
        var worst: Double = 0
        for (i, value) in inputs.enumerated() {
            let exact = Foundation.exp(Double(value))
            if value < Kernels.expLowerBound { #expect(y.storage[i] == 0); continue }
            if value > Kernels.expUpperBound { #expect(y.storage[i] == .infinity); continue }
            worst = max(worst, abs(Double(y.storage[i]) - exact) / exact)
        }
        #expect(worst < 1e-6, "worst relative error \(worst)")
        #expect(Kernels.exponential(Matrix([[.nan]])).storage[0].isNaN)
    }
}

@Suite struct TransposeKernelTests {
    @Test(arguments: [(1, 1), (17, 33), (33, 17), (64, 96), (0, 5)])
    func matchesTheNaiveTranspose(shape: (rows: Int, columns: Int)) {
        var rng = RandomGenerator(seed: 9)
        let x = Kernels.randomNormal(rows: shape.rows, columns: shape.columns, using: &rng)
        let y = Kernels.transpose(x)
        #expect(y.rows == shape.columns && y.columns == shape.rows)
        for r in 0..<shape.rows { for c in 0..<shape.columns { #expect(y[c, r] == x[r, c]) } }
    }

    @Test func scaleRowsMultipliesEachRowByItsFactor() {
        var x = Matrix([[1, 2], [3, 4], [5, 6]])
        Kernels.scaleRows(&x, by: [2, 0, -1])
        #expect(x == Matrix([[2, 4], [0, 0], [-5, -6]]))
        var empty = Matrix(rows: 0, columns: 3)
        Kernels.scaleRows(&empty, by: [])
        #expect(empty.count == 0)
    }

    /// Column blocks (AdamNormGrad per packed tensor): the scaling against a naive loop, each block's
    /// Σx² against a Double loop and bit for bit against `dot` of the block as its own matrix; one
    /// block is `dot(x, x)`. Odd widths, an empty matrix, and blocks of more than one thread's chunk.
    @Test(arguments: [[0, 6, 2], [1, 22, 2], [17, 66, 2], [4, 69, 3], [5, 60_000, 2], [9, 14, 1]])
    func columnBlocksAreScaledAndMeasuredOnTheirOwn(shape: [Int]) {
        let (rows, columns, blocks) = (shape[0], shape[1], shape[2])
        let x = Reference.matrix(rows, columns, seed: 71), width = columns / blocks
        let factors = (0..<blocks).map { Float($0 + 1) * -0.75 }
        var scaled = x
        Kernels.scaleColumnBlocks(&scaled, by: factors)
        let sums = Kernels.columnBlockSumsOfSquares(x, blocks: blocks)
        #expect(sums.count == blocks)
        for b in 0..<blocks {
            let range = (b * width)..<((b + 1) * width)
            var naive = 0.0, allScaled = true
            for r in 0..<rows {
                for c in range {
                    naive += Double(x[r, c]) * Double(x[r, c])
                    allScaled = allScaled && scaled[r, c] == x[r, c] * factors[b]
                }
            }
            #expect(allScaled, "block \(b)")
            #expect(abs(sums[b] - naive) <= 1e-12 * max(1, naive))
            let part = Kernels.columns(range, of: x)
            #expect(sums[b] == Kernels.dot(part, part))
        }
        if blocks == 1 { #expect(sums == [Kernels.dot(x, x)]) }
    }
}
