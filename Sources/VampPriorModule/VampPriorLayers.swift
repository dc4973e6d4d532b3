import Kernels
import NeuralNet
import TensorCore

/// Building blocks shared by the VampPrior VAE and H+Vamp, following Kim & Suh's `NonLinear`:
/// tanh(x·W + b), or the gated (x·W + b) ⊙ σ(x·V + c) with no tanh when gated.
enum VampPriorLayers {
    /// A dense layer initialised as the reference: He-normal weights N(0, 2/In) (`he_init`) and
    /// PyTorch's default biases U(±1/√In) (`he_init` leaves them).
    static func dense(_ inputSize: Int, _ outputSize: Int, name: String, rng: inout RandomGenerator) -> Dense {
        let weight = WeightInitialization.normal(standardDeviation: (2 / Float(inputSize)).squareRoot())
            .makeWeight(inputs: inputSize, outputs: outputSize, using: &rng)
        let limit = 1 / Float(inputSize).squareRoot()
        let bias = Kernels.randomUniform(rows: 1, columns: outputSize, low: -limit, high: limit, using: &rng)
        return Dense(weight: Parameter(name: "\(name).weight", value: weight),
                     bias: Parameter(name: "\(name).bias", value: bias, decays: false))
    }

    /// One hidden layer on dense input: GatedDense, or Dense then tanh.
    static func block(_ inputSize: Int, _ outputSize: Int, name: String, gated: Bool, rng: inout RandomGenerator) -> [AnyLayer] {
        let linear = dense(inputSize, outputSize, name: name, rng: &rng)
        guard gated else { return [AnyLayer(linear), AnyLayer(ActivationLayer(.tanh))] }
        let gate = dense(inputSize, outputSize, name: "\(name).gate", rng: &rng)
        return [AnyLayer(GatedDense(linear: linear, gate: gate))]
    }

    /// `count` hidden layers H → H named `name.0`, `name.1`, …
    static func blocks(_ count: Int, size: Int, name: String, gated: Bool, rng: inout RandomGenerator) -> [AnyLayer] {
        (0..<max(0, count)).flatMap { block(size, size, name: "\(name).\($0)", gated: gated, rng: &rng) }
    }

    /// The Gaussian head H → [μ | logσ²] (2Z wide): a linear map, logσ² clamped to `bounds`.
    static func gaussianHead(_ inputSize: Int, latent: Int, name: String, bounds: ClosedRange<Float>,
                             rng: inout RandomGenerator) -> [AnyLayer] {
        [AnyLayer(dense(inputSize, 2 * latent, name: name, rng: &rng)), AnyLayer(LogVarianceClamp(bounds: bounds))]
    }
}

/// Clamps the logσ² half of an encoder output [μ | logσ²] to `bounds` (the reference's
/// `Hardtanh(-12, 4)` on logσ²); the gradient is zero where the clamp is active.
struct LogVarianceClamp: Layer {
    /// The allowed logσ² range.
    let bounds: ClosedRange<Float>

    /// No parameters.
    var parameters: [Parameter] { [] }

    /// [μ | clamp(logσ²)]; the cache is the input.
    func forward(_ input: Matrix, context: inout ForwardContext) -> (output: Matrix, cache: Matrix) {
        precondition(input.columns % 2 == 0, "LogVarianceClamp: input \(input.shapeDescription) needs [μ | logσ²]")
        let half = input.columns / 2
        return (Kernels.clamp(input, low: bounds.lowerBound, high: bounds.upperBound, columns: half..<input.columns), input)
    }

    /// dμ passes; dlogσ² where the clamp was inactive, 0 elsewhere.
    func backward(_ outputGradient: Matrix, cache input: Matrix) -> Matrix {
        Kernels.clampBackward(outputGradient, input: input, low: bounds.lowerBound, high: bounds.upperBound,  // ∂clamp/∂x = [lo < x < hi]
                              columns: (input.columns / 2)..<input.columns)
    }
}

/// The first layer of an encoder on the sparse click batch: tanh(S·W + b), or (S·W + b) ⊙ σ(S·V + c)
/// when gated. `denseLayers` is the same layer (same parameters) for dense inputs: the pseudo-inputs.
struct SparseInputBlock: SparseInputLayer {
    /// S·W + b.
    let linear: SparseDense
    /// S·V + c, when gated.
    let gate: SparseDense?

    /// A fresh block I → H named `name`.
    init(_ inputSize: Int, _ outputSize: Int, name: String, gated: Bool, rng: inout RandomGenerator) {
        linear = SparseDense(VampPriorLayers.dense(inputSize, outputSize, name: name, rng: &rng))
        gate = gated ? SparseDense(VampPriorLayers.dense(inputSize, outputSize, name: "\(name).gate", rng: &rng)) : nil
    }

    /// [W, b] (+ [V, c] when gated).
    var parameters: [Parameter] { linear.parameters + (gate?.parameters ?? []) }

    /// The same block for dense inputs.
    var denseLayers: [AnyLayer] {
        if let gate { return [AnyLayer(GatedDense(linear: linear.dense, gate: gate.dense))] }
        return [AnyLayer(linear.dense), AnyLayer(ActivationLayer(.tanh))]
    }

    /// What backward needs: the sparse input, the linear output a, the gate σ(g) and g (gated) or y = tanh(a).
    struct Cache {
        let input: SparseMatrix, linearOutput: Matrix, output: Matrix
        let gatePreActivation: Matrix?, gateOutput: Matrix?
    }

    /// y = tanh(a) or a ⊙ σ(g), with a = S·W + b, g = S·V + c.
    func forward(sparse input: SparseMatrix, context: inout ForwardContext) -> (output: Matrix, cache: Cache) {
        let (a, _) = linear.forward(sparse: input, context: &context)
        guard let gate else {
            let y = Kernels.activate(a, .tanh)
            return (y, Cache(input: input, linearOutput: a, output: y, gatePreActivation: nil, gateOutput: nil))
        }
        let (g, _) = gate.forward(sparse: input, context: &context)
        let s = Kernels.activate(g, .sigmoid)
        let y = Kernels.multiply(a, s)
        return (y, Cache(input: input, linearOutput: a, output: y, gatePreActivation: g, gateOutput: s))
    }

    /// Accumulates dW, db (and dV, dc); the input is data and gets no gradient.
    func backward(_ outputGradient: Matrix, cache: Cache) {
        guard let gate, let g = cache.gatePreActivation, let s = cache.gateOutput else {
            let da = Kernels.activationBackward(outputGradient, input: cache.linearOutput, output: cache.output, .tanh) // tanh' = 1 − y²
            linear.backward(da, cache: cache.input)
            return
        }
        let da = Kernels.multiply(outputGradient, s)                                          // ∂y/∂a = σ(g)
        let dg = Kernels.activationBackward(Kernels.multiply(outputGradient, cache.linearOutput), // ∂y/∂σ(g) = a
                                            input: g, output: s, .sigmoid)                   // ∂σ/∂g = σ(1 − σ)
        linear.backward(da, cache: cache.input)
        gate.backward(dg, cache: cache.input)
    }
}
