import Foundation
import Testing
import TensorCore
@testable import Kernels

/// `coordinatewiseGaussianMixtureLogDensity` against the direct formula log Σ_k w_k N(z; m_k, σ²_k)
/// per coordinate, summed per row (no log-sum-exp), and its ∂/∂z against Σ_k w_k N_k·slope_k / Σ_k w_k N_k.
@Suite struct CoordinatewiseMixtureKernelTests {
    @Test(arguments: [[1, 1], [3, 5], [17, 33], [0, 4]])
    func matchesTheDirectFormula(shape: [Int]) {
        let (rows, columns) = (shape[0], shape[1])
        var z = Reference.matrix(rows, columns, seed: 81)
        Kernels.scale(&z, by: 3)
        // One row-wise component (a posterior) and two shared rows [1, Z], as RecVAE's prior.
        let rowMean = Reference.matrix(rows, columns, seed: 82), rowLogVariance = Reference.matrix(rows, columns, seed: 83)
        let sharedMean = Reference.matrix(1, columns, seed: 84), sharedLogVariance = Matrix(rows: 1, columns: columns)
        let wide = Matrix(rows: 1, columns: columns, repeating: 10)
        let weights = [0.15, 0.75, 0.1]
        let result = Kernels.coordinatewiseGaussianMixtureLogDensity(
            sample: z, means: [sharedMean, rowMean, sharedMean], logVariances: [sharedLogVariance, rowLogVariance, wide],
            logWeights: weights.map { log($0) })
        #expect(result.rows.count == rows && result.sampleGradient.rows == rows && result.sampleGradient.columns == columns)
        var expectedGradient = [[Double]](repeating: [Double](repeating: 0, count: columns), count: rows)
        for r in 0..<rows {
            var expectedRow = 0.0
            for c in 0..<columns {
                let x = Double(z[r, c])
                let parameters = [(Double(sharedMean[0, c]), 0.0), (Double(rowMean[r, c]), Double(rowLogVariance[r, c])),
                                  (Double(sharedMean[0, c]), 10.0)]
                var density = 0.0, slope = 0.0
                for (k, (mu, logVar)) in parameters.enumerated() {
                    let variance = exp(logVar)
                    let n = exp(-(x - mu) * (x - mu) / (2 * variance)) / (2 * Double.pi * variance).squareRoot()
                    density += weights[k] * n
                    slope += weights[k] * n * (-(x - mu) / variance)
                }
                expectedRow += log(density)
                expectedGradient[r][c] = slope / density
            }
            #expect(abs(result.rows[r] - expectedRow) <= 1e-9 * max(1, abs(expectedRow)), "row \(r): \(result.rows[r]) vs \(expectedRow)")
        }
        Reference.expectClose(result.sampleGradient, expectedGradient, tolerance: 1e-6, "∂/∂z")
    }

    @Test func farSamplesStayFiniteThroughTheWideComponent() {
        // z = 60: the unit components underflow in a direct sum; log-sum-exp keeps the wide one.
        let z = Matrix([[60, -60]]), zero = Matrix(rows: 1, columns: 2)
        let result = Kernels.coordinatewiseGaussianMixtureLogDensity(
            sample: z, means: [zero, zero], logVariances: [zero, Matrix(rows: 1, columns: 2, repeating: 10)],
            logWeights: [log(0.9), log(0.1)])
        let wide = log(0.1) - 0.5 * (log(2 * Double.pi) + 10 + 3600 * exp(-10.0))
        #expect(abs(result.rows[0] - 2 * wide) < 1e-6)
        #expect(abs(Double(result.sampleGradient[0, 0]) + 60 * exp(-10.0)) < 1e-6)
        #expect(abs(Double(result.sampleGradient[0, 1]) - 60 * exp(-10.0)) < 1e-6)
    }
}
