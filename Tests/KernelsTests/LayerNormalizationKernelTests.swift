import Foundation
import Testing
import TensorCore
@testable import Kernels

/// `layerNormalization` and its backward against a naive Double implementation of torch's
/// LayerNorm (biased variance), on odd shapes.
@Suite struct LayerNormalizationKernelTests {
    /// y, x̂, 1/√(var+ε), dx, dg, db written directly from the formulas, in Double.
    static func reference(_ x: [[Double]], gain: [Double], bias: [Double], epsilon: Double, dy: [[Double]])
        -> (y: [[Double]], xHat: [[Double]], dx: [[Double]], dGain: [Double], dBias: [Double]) {
        let columns = gain.count
        var y = x, xHat = x, dx = x
        var dGain = [Double](repeating: 0, count: columns), dBias = dGain
        for r in x.indices {
            let mean = x[r].reduce(0, +) / Double(columns)
            let variance = x[r].map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(columns)
            let s = 1 / (variance + epsilon).squareRoot()
            for c in 0..<columns {
                xHat[r][c] = (x[r][c] - mean) * s
                y[r][c] = gain[c] * xHat[r][c] + bias[c]
                dGain[c] += dy[r][c] * xHat[r][c]
                dBias[c] += dy[r][c]
            }
            // dx_c = Σ_k dy_k g_k ∂x̂_k/∂x_c with ∂x̂_k/∂x_c = s(δ_kc − 1/C) − s x̂_k x̂_c / C
            for c in 0..<columns {
                var total = 0.0
                for k in 0..<columns {
                    let delta = k == c ? 1.0 : 0.0
                    total += dy[r][k] * gain[k] * (s * (delta - 1 / Double(columns)) - s * xHat[r][k] * xHat[r][c] / Double(columns))
                }
                dx[r][c] = total
            }
        }
        return (y, xHat, dx, dGain, dBias)
    }

    @Test(arguments: [[1, 1], [3, 5], [17, 33], [4, 600], [0, 7]])
    func matchesTheNaiveReference(shape: [Int]) {
        let (rows, columns) = (shape[0], shape[1])
        var x = Reference.matrix(rows, columns, seed: 71)
        Kernels.scale(&x, by: 3)
        let gain = Reference.matrix(1, columns, seed: 72), bias = Reference.matrix(1, columns, seed: 73)
        let dy = Reference.matrix(rows, columns, seed: 74)
        for epsilon in [Float(0.1), 1e-5] {
            let result = Kernels.layerNormalization(x, gain: gain, bias: bias, epsilon: epsilon)
            var dGain = Matrix(rows: 1, columns: columns, repeating: 0.5), dBias = Matrix(rows: 1, columns: columns, repeating: -0.25)
            let dx = Kernels.layerNormalizationBackward(dy, normalized: result.normalized,
                                                        inverseStandardDeviations: result.inverseStandardDeviations,
                                                        gain: gain, gainGradient: &dGain, biasGradient: &dBias)
            let expected = Self.reference(Reference.nested(x), gain: Reference.nested(gain)[0], bias: Reference.nested(bias)[0],
                                          epsilon: Double(epsilon), dy: Reference.nested(dy))
            Reference.expectClose(result.output, expected.y, tolerance: 2e-5, "y ε=\(epsilon)")
            Reference.expectClose(result.normalized, expected.xHat, tolerance: 2e-5, "x̂ ε=\(epsilon)")
            Reference.expectClose(dx, expected.dx, tolerance: 5e-5, "dx ε=\(epsilon)")
            // The parameter gradients accumulate onto what was there (0.5 and −0.25).
            Reference.expectClose(dGain, [expected.dGain.map { $0 + 0.5 }], tolerance: 2e-5, "dg ε=\(epsilon)")
            Reference.expectClose(dBias, [expected.dBias.map { $0 - 0.25 }], tolerance: 2e-5, "db ε=\(epsilon)")
        }
    }

    @Test func aConstantRowNormalisesToZeroWithoutNaN() {
        let x = Matrix([[2, 2, 2, 2]]), gain = Matrix([[1, 2, 3, 4]]), bias = Matrix([[0.5, 0.5, 0.5, 0.5]])
        let result = Kernels.layerNormalization(x, gain: gain, bias: bias, epsilon: 0.1)
        #expect(result.output.storage == [0.5, 0.5, 0.5, 0.5])
        #expect(abs(result.inverseStandardDeviations[0] - Float(1 / 0.1.squareRoot())) < 1e-6)
    }
}
