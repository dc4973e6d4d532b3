import Foundation
import Testing
import TensorCore
@testable import Kernels

/// The in-place kernels of the training step, against naive references and against the allocating
/// kernels they replace (bit for bit where the arithmetic is the same).
@Suite struct InPlaceKernelTests {
    @Test(arguments: [(0, 4), (1, 1), (5, 9), (300, 301)])
    func fillRowsCopiesTheVectorIntoEveryRow(rows: Int, columns: Int) {
        var y = Matrix(rows: rows, columns: columns, repeating: .nan)
        let v = Reference.matrix(1, columns, seed: 3)
        Kernels.fillRows(&y, with: v)
        for r in 0..<rows { for c in 0..<columns { #expect(y[r, c] == v[0, c]) } }
    }

    @Test(arguments: [(1, 1), (4, 9), (17, 33), (40, 1_500)])
    func inPlaceMultinomialEqualsTheAllocatingKernel(rows: Int, columns: Int) {
        var rng = RandomGenerator(seed: 7)
        let logits = Kernels.randomNormal(rows: rows, columns: columns, standardDeviation: 3, using: &rng)
        let pattern = Reference.sparse(rows, columns, density: 0.2, seed: 8, emptyRow: rows > 1 ? 1 : nil)
        let targets = pattern.withValues(pattern.values.map { abs($0) + 1 })           // positive counts
        let (expectedLoss, expectedGradient) = Kernels.multinomialNegativeLogLikelihood(
            logits: logits, targets: targets, gradientScale: 0.25)
        var inPlace = logits
        let loss = Kernels.multinomialNegativeLogLikelihood(logitsToGradient: &inPlace, targets: targets, gradientScale: 0.25)
        #expect(loss == expectedLoss)
        #expect(inPlace == expectedGradient)
        // And against the definition in Double: dL/dl = scale·(softmax·Σx − x).
        var x = [[Double]](repeating: [Double](repeating: 0, count: columns), count: rows)
        for r in 0..<rows { for e in targets.range(ofRow: r) { x[r][Int(targets.columnIndices[e])] = Double(targets.values[e]) } }
        for r in 0..<rows {
            let row = (0..<columns).map { Double(logits[r, $0]) }
            let top = row.max() ?? 0
            let lse = top + log(row.map { exp($0 - top) }.reduce(0, +))
            let total = x[r].reduce(0, +)
            for c in 0..<columns {
                let expected = 0.25 * (exp(row[c] - lse) * total - x[r][c])
                #expect(abs(Double(inPlace[r, c]) - expected) <= 1e-5 * max(1, abs(expected)))
            }
        }
    }
}
