import Foundation
import Testing
import TensorCore
@testable import Kernels

/// The fused Adam step (update + zeroed gradient + finiteness flag) against a naive Double
/// reference and against `adamUpdate`, bit for bit.
@Suite struct FusedAdamKernelTests {
    /// 1×1, 3×7 (scalar tail only), 5×13 (lanes and tail), 3×50,003 (> 2 chunks of 65,536: threads).
    static let shapes: [(rows: Int, columns: Int)] = [(1, 1), (3, 7), (5, 13), (3, 50_003)]

    /// The Adam formulas of `torch.optim.Adam` in Double, one element at a time, with the
    /// hyper-parameters as the kernel receives them (Float β₁ = 0.9, β₂ = 0.999 and their 1 − β).
    static func naiveAdam(theta: Double, g raw: Double, m: Double, v: Double, lr: Double, decay: Double,
                          step: Int) -> (theta: Double, m: Double, v: Double) {
        let beta1 = Double(Float(0.9)), beta2 = Double(Float(0.999))
        let g = raw + decay * theta
        let m1 = beta1 * m + Double(1 - Float(0.9)) * g, v1 = beta2 * v + Double(1 - Float(0.999)) * g * g
        let mHat = m1 / (1 - pow(beta1, Double(step))), vHat = v1 / (1 - pow(beta2, Double(step)))
        return (theta - lr * mHat / (vHat.squareRoot() + 1e-8), m1, v1)
    }

    @Test(arguments: shapes)
    func fusedAdamMatchesNaiveAndUnfusedAndZeroesTheGradient(shape: (rows: Int, columns: Int)) {
        let value = Reference.matrix(shape.rows, shape.columns, seed: 11)
        let gradient = Reference.matrix(shape.rows, shape.columns, seed: 12)
        var m = Reference.matrix(shape.rows, shape.columns, seed: 13)
        Kernels.scale(&m, by: 0.1)
        var v = Reference.matrix(shape.rows, shape.columns, seed: 14)
        v.storage = v.storage.map { $0 * $0 * 0.01 }
        // Unfused: adamUpdate, then the gradient is zeroed separately.
        var unfusedValue = value, unfusedM = m, unfusedV = v
        Kernels.adamUpdate(value: &unfusedValue, gradient: gradient, firstMoment: &unfusedM, secondMoment: &unfusedV,
                           learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.05, step: 3)
        var fusedValue = value, fusedGradient = gradient, fusedM = m, fusedV = v
        let finite = Kernels.adamUpdateZeroingGradient(
            value: &fusedValue, gradient: &fusedGradient, firstMoment: &fusedM, secondMoment: &fusedV,
            learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.05, step: 3)
        #expect(finite)
        #expect(fusedValue == unfusedValue && fusedM == unfusedM && fusedV == unfusedV)   // bit-identical
        #expect(fusedGradient.storage.allSatisfy { $0 == 0 })
        for i in stride(from: 0, to: value.count, by: max(1, value.count / 997)) {
            let expected = Self.naiveAdam(theta: Double(value.storage[i]), g: Double(gradient.storage[i]),
                                          m: Double(m.storage[i]), v: Double(v.storage[i]), lr: Double(Float(0.01)), decay: Double(Float(0.05)), step: 3)
            // Float arithmetic vs Double: relative 1e-5 of the moments, 1e-6 absolute on θ (|step| ≤ ~lr).
            #expect(abs(Double(fusedValue.storage[i]) - expected.theta) <= 1e-6 + 1e-6 * abs(expected.theta))
            #expect(abs(Double(fusedM.storage[i]) - expected.m) <= 1e-5 * max(1e-3, abs(expected.m)))
            #expect(abs(Double(fusedV.storage[i]) - expected.v) <= 1e-5 * max(1e-6, abs(expected.v)))
        }
    }

    /// AdamNormGrad's gradient scale s: the step equals Adam's on the gradient pre-multiplied by s
    /// (the same Float product), bit for bit, fused and unfused, in lanes, tails and both threads'
    /// chunks; against the naive Double formulas on s·∇.
    @Test(arguments: shapes)
    func gradientScaleEqualsAPreScaledGradient(shape: (rows: Int, columns: Int)) {
        let value = Reference.matrix(shape.rows, shape.columns, seed: 21)
        let gradient = Reference.matrix(shape.rows, shape.columns, seed: 22)
        let scale: Float = 0.37
        var prescaled = gradient
        prescaled.storage = gradient.storage.map { $0 * scale }
        let m0 = Matrix(rows: shape.rows, columns: shape.columns), v0 = m0
        var reference = value, referenceM = m0, referenceV = v0
        Kernels.adamUpdate(value: &reference, gradient: prescaled, firstMoment: &referenceM, secondMoment: &referenceV,
                           learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.05, step: 1)
        var scaled = value, scaledM = m0, scaledV = v0
        Kernels.adamUpdate(value: &scaled, gradient: gradient, firstMoment: &scaledM, secondMoment: &scaledV,
                           learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.05, step: 1,
                           gradientScale: scale)
        var fused = value, fusedGradient = gradient, fusedM = m0, fusedV = v0
        _ = Kernels.adamUpdateZeroingGradient(value: &fused, gradient: &fusedGradient, firstMoment: &fusedM, secondMoment: &fusedV,
                                              learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.05,
                                              step: 1, gradientScale: scale)
        #expect(scaled == reference && scaledM == referenceM && scaledV == referenceV)
        #expect(fused == reference && fusedM == referenceM && fusedV == referenceV)
        for i in stride(from: 0, to: value.count, by: max(1, value.count / 997)) {
            let expected = Self.naiveAdam(theta: Double(value.storage[i]), g: Double(gradient.storage[i]) * Double(scale),
                                          m: 0, v: 0, lr: Double(Float(0.01)), decay: Double(Float(0.05)), step: 1)
            #expect(abs(Double(scaled.storage[i]) - expected.theta) <= 1e-6 + 1e-6 * abs(expected.theta))
        }
        var unscaled = value, unscaledM = m0, unscaledV = v0
        Kernels.adamUpdate(value: &unscaled, gradient: gradient, firstMoment: &unscaledM, secondMoment: &unscaledV,
                           learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.05, step: 1)
        #expect(scaledM != unscaledM)                 // the scale reached the moments (θ at step 1 is nearly scale-free)
    }

    /// A NaN or ∞ anywhere (SIMD lanes, the scalar tail, the second thread's chunk) is reported.
    @Test(arguments: [0, 8, 150_008, 150_010], [Float.nan, .infinity, -.infinity])
    func fusedAdamReportsNonFiniteGradients(position: Int, bad: Float) {
        let count = 150_011
        var value = Matrix(rows: 1, columns: count), m = value, v = value
        var gradient = Matrix(rows: 1, columns: count, repeating: 0.5)
        gradient.storage[position] = bad
        let finite = Kernels.adamUpdateZeroingGradient(
            value: &value, gradient: &gradient, firstMoment: &m, secondMoment: &v,
            learningRate: 0.1, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0, step: 1)
        #expect(!finite)
        #expect(gradient.storage.allSatisfy { $0 == 0 })
    }
}
