import TensorCore
import Kernels

/// Gated linear unit y = (x·W + b) ⊙ σ(x·V + c) (Dauphin et al. 2017), the gated layer of
/// Kim & Suh's H+Vamp Gated VAE (RecSys 2019).
public struct GatedDense: Layer {
    /// The linear path x·W + b.
    public let linear: Dense
    /// The gate path x·V + c (before the sigmoid).
    public let gate: Dense

    /// What the backward pass needs: both Dense caches, the linear output a and the gate σ(g).
    public struct Cache {
        let linear: Matrix, gate: Matrix, linearOutput: Matrix, gatePreActivation: Matrix, gateOutput: Matrix
    }

    /// A gated layer around two existing dense layers of the same shape.
    public init(linear: Dense, gate: Dense) {
        precondition(linear.weight.value.rows == gate.weight.value.rows && linear.outputSize == gate.outputSize,
                     "GatedDense: linear \(linear.weight.value.shapeDescription), gate \(gate.weight.value.shapeDescription)")
        (self.linear, self.gate) = (linear, gate)
    }

    /// A fresh gated layer with parameters `name.linear.*` and `name.gate.*`.
    public init(inputSize: Int, outputSize: Int, name: String,
                weightInitialization: WeightInitialization = .glorotUniform,
                biasInitialization: BiasInitialization = .zeros, rng: inout RandomGenerator) {
        self.init(linear: Dense(inputSize: inputSize, outputSize: outputSize, name: "\(name).linear",
                                weightInitialization: weightInitialization, biasInitialization: biasInitialization, rng: &rng),
                  gate: Dense(inputSize: inputSize, outputSize: outputSize, name: "\(name).gate",
                              weightInitialization: weightInitialization, biasInitialization: biasInitialization, rng: &rng))
    }

    /// [W, b, V, c].
    public var parameters: [Parameter] { linear.parameters + gate.parameters }

    /// y = a ⊙ σ(g) with a = x·W + b, g = x·V + c.
    public func forward(_ input: Matrix, context: inout ForwardContext) -> (output: Matrix, cache: Cache) {
        let (a, linearCache) = linear.forward(input, context: &context)
        let (g, gateCache) = gate.forward(input, context: &context)
        let s = Kernels.activate(g, .sigmoid)
        return (Kernels.multiply(a, s), Cache(linear: linearCache, gate: gateCache, linearOutput: a,
                                             gatePreActivation: g, gateOutput: s))
    }

    /// dx = da·Wᵀ + dg·Vᵀ with da = dy ⊙ σ(g), dg = dy ⊙ a ⊙ σ'(g).
    public func backward(_ outputGradient: Matrix, cache: Cache) -> Matrix {
        let da = Kernels.multiply(outputGradient, cache.gateOutput)                           // ∂y/∂a = σ(g)
        let dgate = Kernels.multiply(outputGradient, cache.linearOutput)                      // ∂y/∂σ(g) = a
        let dg = Kernels.activationBackward(dgate, input: cache.gatePreActivation,
                                            output: cache.gateOutput, .sigmoid)              // ∂σ/∂g = σ(1 − σ)
        var dx = linear.backward(da, cache: cache.linear)                                     // ∂a/∂x = Wᵀ
        Kernels.axpy(1, gate.backward(dg, cache: cache.gate), &dx)                            // + ∂g/∂x = Vᵀ
        return dx
    }
}
