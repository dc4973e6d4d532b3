import Foundation
import Testing
import TensorCore
@testable import Kernels

@Suite struct ActivationKernelTests {
    static func reference(_ x: Double, _ activation: Activation) -> (value: Double, derivative: Double) {
        let lambda = Double(Activation.seluLambda), alpha = Double(Activation.seluAlpha)
        switch activation {
        case .identity: return (x, 1)
        case .tanh: return (tanh(x), 1 - tanh(x) * tanh(x))
        case .sigmoid: let s = 1 / (1 + exp(-x)); return (s, s * (1 - s))
        case .relu: return (max(0, x), x > 0 ? 1 : 0)
        case .selu: return x > 0 ? (lambda * x, lambda) : (lambda * alpha * expm1(x), lambda * alpha * exp(x))
        case .swish: let s = 1 / (1 + exp(-x)); return (x * s, s + x * s * (1 - s))
        }
    }

    @Test(arguments: Activation.allCases)
    func valuesAndDerivatives(activation: Activation) {
        var x = Reference.matrix(37, 1_001, seed: 41)          // 37 037 values: several chunks, odd tail
        Kernels.scale(&x, by: 12)
        x[0, 0] = 1e-5; x[0, 1] = -1e-5; x[0, 2] = 0; x[0, 3] = -100; x[0, 4] = 100
        let y = Kernels.activate(x, activation)
        let dy = Reference.matrix(37, 1_001, seed: 42)
        let dx = Kernels.activationBackward(dy, input: x, output: y, activation)
        var worstValue: Double = 0, worstDerivative: Double = 0
        for i in 0..<x.count {
            var (value, derivative) = Self.reference(Double(x.storage[i]), activation)
            // tanh and sigmoid differentiate through the stored Float output y (1 − y², y(1 − y)),
            // which cancels near saturation; the reference uses the same y, in Double.
            let output = Double(y.storage[i])
            if activation == .tanh { derivative = 1 - output * output }
            if activation == .sigmoid { derivative = output * (1 - output) }
            if activation == .selu && x.storage[i] <= 0 {
                derivative = output + Double(Activation.seluLambda * Activation.seluAlpha)
            }
            worstValue = max(worstValue, abs(Double(y.storage[i]) - value) / max(abs(value), 1e-30))
            let expected = Double(dy.storage[i]) * derivative
            worstDerivative = max(worstDerivative, abs(Double(dx.storage[i]) - expected) / (abs(expected) + 1e-6))
        }
        #expect(worstValue < 2e-6, "\(activation) worst relative value error \(worstValue)")
        #expect(worstDerivative < 1e-4, "\(activation) worst derivative error \(worstDerivative)")
    }

    @Test(arguments: Activation.allCases)
    func emptyInput(activation: Activation) {
        let x = Matrix(rows: 0, columns: 3)
        #expect(Kernels.activate(x, activation).count == 0)
        #expect(Kernels.activationBackward(x, input: x, output: x, activation).count == 0)
    }
}
