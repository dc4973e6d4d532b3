import Foundation
import Testing
import TensorCore
@testable import Kernels

/// The vectorised SGD step and its fused variant (update + zeroed gradient + finiteness flag)
/// against the scalar formulas of `torch.optim.SGD`, bit for bit in Float.
@Suite struct FusedSGDKernelTests {
    /// 1×1, 3×7 (scalar tail only), 5×13 (lanes and tail), 3×50,003 (> 2 chunks of 65,536: threads).
    static let shapes: [(rows: Int, columns: Int)] = [(1, 1), (3, 7), (5, 13), (3, 50_003)]

    @Test(arguments: shapes)
    func sgdStepsMatchTheScalarFormulaAndTheFusedOneZeroesTheGradient(shape: (rows: Int, columns: Int)) {
        let value = Reference.matrix(shape.rows, shape.columns, seed: 21)
        let gradient = Reference.matrix(shape.rows, shape.columns, seed: 22)
        let velocity = Reference.matrix(shape.rows, shape.columns, seed: 23)
        let (lr, mu, decay): (Float, Float, Float) = (0.005, 0.9, 0.01)
        // The scalar reference, element by element in the kernel's order of operations.
        var expectedValue = value.storage, expectedVelocity = velocity.storage
        for i in 0..<value.count {
            let g = gradient.storage[i] + decay * value.storage[i]
            let b = mu * velocity.storage[i] + g
            expectedVelocity[i] = b
            expectedValue[i] = value.storage[i] - lr * b
        }
        var plainValue = value, plainVelocity = velocity
        Kernels.sgdUpdate(value: &plainValue, gradient: gradient, velocity: &plainVelocity,
                          learningRate: lr, momentum: mu, weightDecay: decay)
        #expect(plainValue.storage == expectedValue && plainVelocity.storage == expectedVelocity)
        var fusedValue = value, fusedVelocity = velocity, fusedGradient = gradient
        let finite = Kernels.sgdUpdateZeroingGradient(value: &fusedValue, gradient: &fusedGradient, velocity: &fusedVelocity,
                                                      learningRate: lr, momentum: mu, weightDecay: decay)
        #expect(finite)
        #expect(fusedValue == plainValue && fusedVelocity == plainVelocity)
        #expect(fusedGradient.storage.allSatisfy { $0 == 0 })
    }

    /// A NaN or ∞ anywhere (SIMD lanes, the scalar tail, the second thread's chunk) is reported.
    @Test(arguments: [0, 8, 150_008, 150_010], [Float.nan, .infinity, -.infinity])
    func fusedSGDReportsNonFiniteGradients(position: Int, bad: Float) {
        let count = 150_011
        var value = Matrix(rows: 1, columns: count), velocity = value
        var gradient = Matrix(rows: 1, columns: count, repeating: 0.5)
        gradient.storage[position] = bad
        let finite = Kernels.sgdUpdateZeroingGradient(value: &value, gradient: &gradient, velocity: &velocity,
                                                      learningRate: 0.1, momentum: 0.9, weightDecay: 0)
        #expect(!finite)
        #expect(gradient.storage.allSatisfy { $0 == 0 })
    }
}
