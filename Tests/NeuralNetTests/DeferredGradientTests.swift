import Testing
import TensorCore
import Kernels
@testable import NeuralNet

/// Described (deferred) gradients: `Parameter.accumulate(_:)`, what readers of `gradient` see, and
/// the optimizers' block-by-block path, which must give the same training as the eager one.
@Suite struct DeferredGradientTests {
    static func batch(seed: UInt64, users: Int = 7, items: Int = 30) -> SparseMatrix {
        var rng = RandomGenerator(seed: seed)
        var triplets: [(row: Int, column: Int, value: Float)] = []
        for user in 0..<users where user != 2 {                                   // user 2 clicked nothing
            for item in 0..<items where rng.nextUniform() < 0.2 { triplets.append((user, item, 1)) }
        }
        return SparseMatrix(rows: users, columns: items, triplets: triplets)
    }

    static func source(seed: UInt64) -> SparseTransposeProductGradient {
        var rng = RandomGenerator(seed: seed)
        return SparseTransposeProductGradient(input: batch(seed: seed),
                                              outputGradient: Kernels.randomNormal(rows: 7, columns: 5, using: &rng))
    }

    static func eager(_ source: SparseTransposeProductGradient) -> Matrix {
        var g = Matrix(rows: source.rows, columns: source.columns)
        Kernels.sparseTransposeDenseProduct(source.input, source.outputGradient, accumulatingInto: &g)
        return g
    }

    @Test func readingTheGradientWritesDeferredSourcesOutInOrder() {
        let p = Parameter(name: "w", value: Matrix(rows: 30, columns: 5))
        let first = Self.source(seed: 1), second = Self.source(seed: 2)
        p.accumulate(first)
        #expect(p.gradient == Self.eager(first))
        var expected = Self.eager(first)
        Kernels.sparseTransposeDenseProduct(second.input, second.outputGradient, accumulatingInto: &expected)
        p.accumulate(second)
        #expect(p.gradient == expected)
        p.gradient[0, 0] += 1                                                      // in-place edits still work
        expected[0, 0] += 1
        #expect(p.gradient == expected)
    }

    @Test func onlyASoleSourceOnAZeroGradientIsHandedOut() {
        let p = Parameter(name: "w", value: Matrix(rows: 30, columns: 5))
        #expect(p.takeSoleGradientSource() == nil)                                 // nothing deferred
        p.accumulate(Self.source(seed: 3))
        p.accumulate(Self.source(seed: 4))
        #expect(p.takeSoleGradientSource() == nil)                                 // two sources
        p.zeroGradient()
        #expect(p.gradient == Matrix(rows: 30, columns: 5))                         // zeroing drops them
        p.gradient[1, 1] = 2
        p.accumulate(Self.source(seed: 5))
        #expect(p.takeSoleGradientSource() == nil)                                 // something written
        #expect(p.gradient[1, 1] != 0)
        p.zeroGradient()
        p.accumulate(Self.source(seed: 6))
        let taken = p.takeSoleGradientSource()
        #expect(taken != nil)
        #expect(p.gradient == Matrix(rows: 30, columns: 5))                         // handed out: zero left
    }

    /// A sparse layer and a dense layer on top, trained three steps with the weight gradient of the
    /// sparse layer deferred and eager: every parameter and the optimizer state bit-identical.
    @Test(arguments: ["adam", "adam-normgrad", "sgd"])
    func trainingIsIdenticalWithAndWithoutDeferral(optimizerName: String) {
        func run(defer deferred: Bool) -> [Matrix] {
            var rng = RandomGenerator(seed: 7)
            var first = SparseDense(inputSize: 30, outputSize: 5, name: "first", rng: &rng)
            first.defersWeightGradient = deferred
            let second = Dense(inputSize: 5, outputSize: 3, name: "second", rng: &rng)
            let parameters = first.parameters + second.parameters
            var adam = Adam(learningRate: 0.01, weightDecay: 0.1)
            adam.normalizesGradients = optimizerName == "adam-normgrad"
            var sgd = SGD(learningRate: 0.05, momentum: 0.9, weightDecay: 0.1)
            for step in 0..<3 {
                var context = ForwardContext(mode: .training, seed: UInt64(step))
                let input = Self.batch(seed: 10 + UInt64(step))
                let (h, cache) = first.forward(sparse: input, context: &context)
                let (_, secondCache) = second.forward(h, context: &context)
                let dOut = Kernels.randomNormal(rows: input.rows, columns: 3, using: &rng)
                first.backward(second.backward(dOut, cache: secondCache), cache: cache)
                let failed = optimizerName == "sgd" ? sgd.updateZeroingGradients(parameters)
                                                    : adam.updateZeroingGradients(parameters)
                #expect(failed == nil)
                #expect(parameters.allSatisfy { $0.gradient == Matrix(rows: $0.value.rows, columns: $0.value.columns) })
            }
            let state = optimizerName == "sgd" ? sgd.velocities.keys.sorted().compactMap { sgd.velocities[$0] }
                                               : adam.state.keys.sorted().flatMap { [adam.state[$0]!.firstMoment, adam.state[$0]!.secondMoment] }
            return parameters.map(\.value) + state
        }
        let deferred = run(defer: true), eager = run(defer: false)
        #expect(deferred == eager)
        #expect(deferred[0] != Matrix(rows: 30, columns: 5))
    }

    @Test func aNonFiniteDeferredGradientIsNamed() {
        let p = Parameter(name: "first.weight", value: Matrix(rows: 30, columns: 5))
        var d = Matrix(rows: 7, columns: 5, repeating: 1)
        d[0, 3] = .nan
        let input = Self.batch(seed: 8)
        #expect(input.count(inRow: 0) > 0)
        p.accumulate(SparseTransposeProductGradient(input: input, outputGradient: d))
        var adam = Adam()
        #expect(adam.updateZeroingGradients([p]) == "first.weight")
    }
}
