import Testing
import TensorCore
@testable import Kernels

/// The described sparse-layer gradient (`SparseTransposeProductGradient`) and the optimizer steps
/// that compute it block by block: against the eager kernel bit for bit, against a naive Double
/// product, and for NaN/∞ reporting.
@Suite struct GradientSourceKernelTests {
    /// [users, items, hidden]: one block; tails of 8 lanes (13); several blocks and tasks on both
    /// threads (5,000 items × 40 → blocks of 1,638 rows); items without clicks; an empty batch row.
    static let cases: [[Int]] = [[1, 1, 1], [17, 33, 13], [40, 5_000, 40], [9, 3_001, 24], [6, 50, 0]]

    @Test(arguments: cases)
    func writtenRowsEqualTheEagerKernelAndTheNaiveProduct(shape: [Int]) {
        let (users, items, hidden) = (shape[0], shape[1], shape[2])
        let s = Reference.sparse(users, items, density: 0.05, seed: 61, emptyRow: users > 1 ? 0 : nil)
        let d = Reference.matrix(users, hidden, seed: 62)
        let source = SparseTransposeProductGradient(input: s, outputGradient: d, alpha: -0.5)
        var eager = Matrix(rows: items, columns: hidden)
        Kernels.sparseTransposeDenseProduct(s, d, alpha: -0.5, accumulatingInto: &eager)
        var written = [Float](repeating: .nan, count: items * hidden)   // NaN: every entry must be overwritten
        let split = items / 3
        written.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            source.write(rows: 0..<split, into: base)
            source.write(rows: split..<items, into: base + split * hidden)
        }
        #expect(written == eager.storage)                                  // bit for bit
        var accumulated = Matrix(rows: items, columns: hidden)
        source.accumulate(into: &accumulated)
        #expect(accumulated == eager)
        let product = Reference.gemm(s.toDense(), d, transposeA: true, transposeB: false)
        Reference.expectClose(eager, product.map { $0.map { -0.5 * $0 } }, tolerance: 1e-5, scale: 2)
    }

    @Test(arguments: cases)
    func adamOnTheSourceEqualsAdamOnTheMaterialisedGradient(shape: [Int]) {
        let (users, items, hidden) = (shape[0], shape[1], shape[2])
        let s = Reference.sparse(users, items, density: 0.05, seed: 63, emptyRow: users > 1 ? 1 : nil)
        let d = Reference.matrix(users, hidden, seed: 64)
        let value = Reference.matrix(items, hidden, seed: 65)
        var m = Reference.matrix(items, hidden, seed: 66)
        Kernels.scale(&m, by: 0.1)
        var v = Reference.matrix(items, hidden, seed: 67)
        v.storage = v.storage.map { $0 * $0 * 0.01 }
        var eagerValue = value, eagerM = m, eagerV = v
        var gradient = Matrix(rows: items, columns: hidden)
        Kernels.sparseTransposeDenseProduct(s, d, accumulatingInto: &gradient)
        let eagerFinite = Kernels.adamUpdateZeroingGradient(
            value: &eagerValue, gradient: &gradient, firstMoment: &eagerM, secondMoment: &eagerV,
            learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.05, step: 3)
        var deferredValue = value, deferredM = m, deferredV = v
        let deferredFinite = Kernels.adamUpdate(
            value: &deferredValue, gradientSource: SparseTransposeProductGradient(input: s, outputGradient: d),
            firstMoment: &deferredM, secondMoment: &deferredV,
            learningRate: 0.01, beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0.05, step: 3)
        #expect(eagerFinite && deferredFinite)
        #expect(deferredValue == eagerValue && deferredM == eagerM && deferredV == eagerV)
        if items * hidden > 0 { #expect(deferredValue != value) }           // a step was taken
    }

    @Test(arguments: cases)
    func sgdOnTheSourceEqualsSGDOnTheMaterialisedGradient(shape: [Int]) {
        let (users, items, hidden) = (shape[0], shape[1], shape[2])
        let s = Reference.sparse(users, items, density: 0.05, seed: 68)
        let d = Reference.matrix(users, hidden, seed: 69)
        let value = Reference.matrix(items, hidden, seed: 70), velocity = Reference.matrix(items, hidden, seed: 71)
        var eagerValue = value, eagerVelocity = velocity
        var gradient = Matrix(rows: items, columns: hidden)
        Kernels.sparseTransposeDenseProduct(s, d, accumulatingInto: &gradient)
        _ = Kernels.sgdUpdateZeroingGradient(value: &eagerValue, gradient: &gradient, velocity: &eagerVelocity,
                                             learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        var deferredValue = value, deferredVelocity = velocity
        let finite = Kernels.sgdUpdate(value: &deferredValue, gradientSource: SparseTransposeProductGradient(input: s, outputGradient: d),
                                       velocity: &deferredVelocity, learningRate: 0.1, momentum: 0.9, weightDecay: 0.01)
        #expect(finite)
        #expect(deferredValue == eagerValue && deferredVelocity == eagerVelocity)
    }

    /// A NaN or ∞ in D reaches the gradient rows of the items its user clicked, in the lanes or the
    /// tail, in the first or a later block: reported.
    @Test(arguments: [(0, 0), (39, 37), (20, 16)], [Float.nan, .infinity])
    func nonFiniteGradientsAreReported(position: (user: Int, column: Int), bad: Float) {
        let s = Reference.sparse(40, 5_000, density: 0.05, seed: 72)
        var d = Reference.matrix(40, 38, seed: 73)
        d[position.user, position.column] = bad
        var value = Matrix(rows: 5_000, columns: 38), m = value, v = value
        let finite = Kernels.adamUpdate(value: &value, gradientSource: SparseTransposeProductGradient(input: s, outputGradient: d),
                                        firstMoment: &m, secondMoment: &v, learningRate: 0.1, beta1: 0.9, beta2: 0.999,
                                        epsilon: 1e-8, weightDecay: 0, step: 1)
        #expect(!finite)
        var clean = Reference.matrix(40, 38, seed: 73)
        clean[position.user, position.column] = 1
        #expect(Kernels.adamUpdate(value: &value, gradientSource: SparseTransposeProductGradient(input: s, outputGradient: clean),
                                   firstMoment: &m, secondMoment: &v, learningRate: 0.1, beta1: 0.9, beta2: 0.999,
                                   epsilon: 1e-8, weightDecay: 0, step: 1))
    }
}
