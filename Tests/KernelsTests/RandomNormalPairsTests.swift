import Foundation
import Testing
import TensorCore
@testable import Kernels

/// `randomNormalPairs` against a naive Box–Muller written here from the same generator stream,
/// and its first two moments.
@Suite struct RandomNormalPairsTests {
    @Test(arguments: [(0, 3), (1, 1), (3, 5), (4, 6)])   // empty, one, odd and even counts
    func matchesNaivePairedBoxMuller(rows: Int, columns: Int) {
        var rng = RandomGenerator(seed: 21)
        let x = Kernels.randomNormalPairs(rows: rows, columns: columns, mean: 0.5, standardDeviation: 2, using: &rng)
        var reference = RandomGenerator(seed: 21)
        var expected: [Double] = []
        while expected.count < rows * columns {
            let u1 = (Double(reference.next() >> 11) + 1) / 9_007_199_254_740_992
            let u2 = Double(reference.next() >> 11) / 9_007_199_254_740_992
            let r = (-2 * log(u1)).squareRoot()
            expected += [r * cos(2 * Double.pi * u2), r * sin(2 * Double.pi * u2)]
        }
        for i in 0..<(rows * columns) {
            // Float rounding of r·cos / r·sin, then of 0.5 + 2·z: 1e-6 relative to |value| + 1.
            let value = 0.5 + 2 * expected[i]
            #expect(abs(Double(x.storage[i]) - value) <= 1e-6 * (1 + abs(value)))
        }
        #expect(rng == reference)                                   // two draws per pair, no more
        var first = RandomGenerator(seed: 21)
        if rows * columns > 0 {
            #expect(x.storage[0] == Kernels.randomNormal(rows: 1, columns: 1, mean: 0.5, standardDeviation: 2,
                                                         using: &first).storage[0])
        }
    }

    @Test func momentsAndPairCorrelation() {
        var rng = RandomGenerator(seed: 22)
        let n = 200_000
        let x = Kernels.randomNormalPairs(rows: 1, columns: n, using: &rng)
        let values = x.storage.map(Double.init)
        let mean = values.reduce(0, +) / Double(n)
        let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(n)
        var correlation = 0.0
        for p in stride(from: 0, to: n, by: 2) { correlation += values[p] * values[p + 1] }
        correlation /= Double(n / 2)
        // 5 standard errors: mean 1/√n, variance √(2/n), pair product 1/√(n/2).
        #expect(abs(mean) < 5 / Double(n).squareRoot())
        #expect(abs(variance - 1) < 5 * (2 / Double(n)).squareRoot())
        #expect(abs(correlation) < 5 / Double(n / 2).squareRoot())
    }
}
