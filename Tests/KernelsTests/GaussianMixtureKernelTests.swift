import Testing
import Foundation
import TensorCore
@testable import Kernels

/// Naive Double references for the VampPrior kernels (mixture log-density and its gradients,
/// Gaussian log-density gradients, clamping), on odd shapes including empty batches.
@Suite struct GaussianMixtureKernelTests {
    /// (B, K, Z): batch rows, mixture components, latent width.
    static let shapes: [(batch: Int, components: Int, latent: Int)] = [(1, 1, 1), (3, 5, 2), (17, 33, 9), (0, 4, 3), (2, 1, 4), (6, 7, 27), (9, 3, 16)]

    static func dense(_ rows: Int, _ columns: Int, seed: UInt64, scale: Float = 1) -> Matrix {
        var rng = RandomGenerator(seed: seed)
        return Kernels.randomNormal(rows: rows, columns: columns, standardDeviation: scale, using: &rng)
    }

    static func close(_ a: Double, _ b: Double, _ tolerance: Double = 1e-4) -> Bool {
        abs(a - b) <= tolerance * max(1, abs(a), abs(b))
    }

    /// a_bk = log N(z_b; μ_k, σ_k²) in Double, straight from the formula.
    static func naiveTable(_ z: Matrix, _ means: Matrix, _ logVariances: Matrix) -> [[Double]] {
        (0..<z.rows).map { b in
            (0..<means.rows).map { k in
                var total = 0.0
                for j in 0..<z.columns {
                    let lv = Double(logVariances[k, j]), d = Double(z[b, j]) - Double(means[k, j])
                    total += log(2 * Double.pi) + lv + d * d / exp(lv)
                }
                return -0.5 * total
            }
        }
    }

    @Test(arguments: shapes)
    func mixtureLogDensityMatchesNaiveLogSumExp(shape: (batch: Int, components: Int, latent: Int)) {
        let z = Self.dense(shape.batch, shape.latent, seed: 1)
        let means = Self.dense(shape.components, shape.latent, seed: 2)
        let logVariances = Self.dense(shape.components, shape.latent, seed: 3, scale: 0.7)
        let (logDensity, responsibilities) = Kernels.gaussianMixtureLogDensity(sample: z, means: means, logVariances: logVariances)
        let table = Self.naiveTable(z, means, logVariances)
        #expect(logDensity.count == shape.batch)
        #expect(responsibilities.rows == shape.batch && responsibilities.columns == shape.components)
        for b in 0..<shape.batch {
            let total = table[b].map { exp($0) }.reduce(0, +)
            #expect(Self.close(logDensity[b], log(total / Double(shape.components))))     // log (1/K) Σ_k N(z; μ_k, σ_k²)
            for k in 0..<shape.components {
                #expect(Self.close(Double(responsibilities[b, k]), exp(table[b][k]) / total))
            }
        }
    }

    @Test(arguments: shapes)
    func mixtureBackwardMatchesNaiveFormulas(shape: (batch: Int, components: Int, latent: Int)) {
        let z = Self.dense(shape.batch, shape.latent, seed: 4)
        let means = Self.dense(shape.components, shape.latent, seed: 5)
        let logVariances = Self.dense(shape.components, shape.latent, seed: 6, scale: 0.7)
        let (_, r) = Kernels.gaussianMixtureLogDensity(sample: z, means: means, logVariances: logVariances)
        let scale: Float = -0.3
        let g = Kernels.gaussianMixtureLogDensityBackward(sample: z, means: means, logVariances: logVariances,
                                                          responsibilities: r, scale: scale)
        #expect(g.sample.rows == shape.batch && g.means.rows == shape.components && g.logVariances.columns == shape.latent)
        for j in 0..<shape.latent {
            for b in 0..<shape.batch {
                var expected = 0.0
                for k in 0..<shape.components {
                    expected += Double(r[b, k]) * (Double(means[k, j]) - Double(z[b, j])) / exp(Double(logVariances[k, j]))
                }
                #expect(Self.close(Double(g.sample[b, j]), Double(scale) * expected))
            }
            for k in 0..<shape.components {
                var mean = 0.0, logVariance = 0.0
                for b in 0..<shape.batch {
                    let d = Double(z[b, j]) - Double(means[k, j]), precision = exp(-Double(logVariances[k, j]))
                    mean += Double(r[b, k]) * d * precision
                    logVariance += Double(r[b, k]) * 0.5 * (d * d * precision - 1)
                }
                #expect(Self.close(Double(g.means[k, j]), Double(scale) * mean))
                #expect(Self.close(Double(g.logVariances[k, j]), Double(scale) * logVariance))
            }
        }
    }

    @Test func mixtureIsStableFarFromEveryComponent() {
        let z = Matrix([[300, -300]])
        let means = Matrix([[0, 0], [1, 1]])
        let logVariances = Matrix([[-12, -12], [-12, -12]])                     // σ² ≈ 6e-6: a ≈ −1e10
        let (logDensity, r) = Kernels.gaussianMixtureLogDensity(sample: z, means: means, logVariances: logVariances)
        #expect(logDensity[0].isFinite && logDensity[0] < -1e9)
        #expect(Kernels.allFinite(r))
        #expect(Self.close(Double(r[0, 0] + r[0, 1]), 1))
    }

    @Test(arguments: [(1, 1), (3, 5), (17, 33), (4, 0)])
    func gaussianLogDensityBackwardMatchesNaive(rows: Int, columns: Int) {
        let z = Self.dense(rows, columns, seed: 7), mean = Self.dense(rows, columns, seed: 8)
        let logVariance = Self.dense(rows, columns, seed: 9, scale: 0.5)
        let g = Kernels.diagonalGaussianLogDensityBackward(sample: z, mean: mean, logVariance: logVariance, scale: 0.25)
        for r in 0..<rows {
            for c in 0..<columns {
                let d = Double(z[r, c]) - Double(mean[r, c]), precision = exp(-Double(logVariance[r, c]))
                #expect(Self.close(Double(g.sample[r, c]), -0.25 * d * precision))
                #expect(Self.close(Double(g.mean[r, c]), 0.25 * d * precision))
                #expect(Self.close(Double(g.logVariance[r, c]), 0.25 * 0.5 * (d * d * precision - 1)))
            }
        }
    }

    @Test func clampAndItsBackwardOnAColumnRange() {
        let x = Matrix([[-20, 0.5, -20, 7], [3, 9, 4, -12]])
        let y = Kernels.clamp(x, low: -12, high: 4, columns: 2..<4)
        #expect(y == Matrix([[-20, 0.5, -12, 4], [3, 9, 4, -12]]))
        let dx = Kernels.clampBackward(Matrix(rows: 2, columns: 4, repeating: 1), input: x, low: -12, high: 4, columns: 2..<4)
        #expect(dx == Matrix([[1, 1, 0, 0], [1, 1, 0, 0]]))               // zero outside and at the bounds
        #expect(Kernels.clamp(x, low: 0, high: 1) == Matrix([[0, 0.5, 0, 1], [1, 1, 1, 0]]))
        #expect(Kernels.clampBackward(x, input: Matrix([[0.5, 2, -1, 0.1], [1, 0, 0.9, 0.2]]), low: 0, high: 1)
                == Matrix([[-20, 0, 0, 7], [0, 0, 4, -12]]))
    }

    @Test func meanDifferenceIsTheAverageGap() {
        #expect(Kernels.meanDifference([3, 5, -1], [1, 1, 1]) == 4.0 / 3)
        #expect(Kernels.meanDifference([], []) == 0)
    }
}
