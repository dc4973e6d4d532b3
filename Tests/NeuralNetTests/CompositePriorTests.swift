import Foundation
import Testing
import TensorCore
import Kernels
@testable import NeuralNet

/// `CompositePrior` on hand-computed cases (its gradients are in `GradientCases+CompositePrior`).
@Suite struct CompositePriorTests {
    @Test func logDensityAtTheCommonMeanIsTheWeightedSumOfPeaks() {
        // z = 0 with the previous posterior N(0, 1): p(0) = (3/20 + 3/4)·φ(0) + 1/10·φ(0)·e^{−5} per coordinate.
        let z = Matrix(rows: 2, columns: 3)
        let (rows, dz) = CompositePrior.recVAE.logDensity(of: z, previousMean: Matrix(rows: 2, columns: 3),
                                                           previousLogVariance: Matrix(rows: 2, columns: 3))
        let peak = 1 / (2 * Double.pi).squareRoot()
        let expected = 3 * log((3.0 / 20 + 3.0 / 4) * peak + 1.0 / 10 * peak * exp(-5.0))
        #expect(rows.allSatisfy { abs($0 - expected) < 1e-12 })
        #expect(dz.storage.allSatisfy { $0 == 0 })                           // every component peaks at 0
    }

    @Test func eachUsersKLIsWeightedByItsOwnWeight() {
        var context = ForwardContext(mode: .training, seed: 3)
        let posterior = GaussianPosterior(mean: Matrix([[0.3, -1], [2, 0.5]]), logVariance: Matrix([[-0.5, 0.2], [0.1, -1]]),
                                          context: &context)
        let previousMean = Matrix([[0.1, 0.4], [-0.3, 1]]), previousLogVariance = Matrix([[0, -0.2], [0.3, 0.1]])
        func value(_ weights: [Double]) -> Divergence {
            CompositePrior.recVAE.divergence(from: posterior, previousMean: previousMean,
                                             previousLogVariance: previousLogVariance, rowWeights: weights)
        }
        // With weights (2, 0) and (0, 2) the mean over two users is each user's own KL.
        let first = value([2, 0]).value, second = value([0, 2]).value
        let mixed = value([0.7, 3.1])
        #expect(abs(mixed.value - (0.7 * first + 3.1 * second) / 2) < 1e-9)
        // A user of weight 0 gets no gradient.
        let onlySecond = value([0, 2])
        #expect(onlySecond.mean[0, 0] == 0 && onlySecond.logVariance[0, 1] == 0 && onlySecond.sample[0, 1] == 0)
        #expect(onlySecond.mean[1, 0] != 0)
    }
}
