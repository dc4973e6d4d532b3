import Kernels
import TensorCore

/// A hidden layer on the sparse click batch: f(S·W + b), or the gated linear unit
/// (S·W + b) ⊙ σ(S·V + c) (Dauphin et al. 2017; Kim & Suh's gated VAE, RecSys 2019).
///
/// `denseLayers` is the same layer (the same parameters) for dense inputs, such as a VampPrior's
/// pseudo-inputs, which run through the data encoder.
public struct SparseHiddenLayer: SparseInputLayer {
    /// S·W + b.
    public let linear: SparseDense
    /// S·V + c, when gated.
    public let gate: SparseDense?
    /// f of the ungated layer (unused when gated: the gate replaces it).
    public let activation: Activation

    /// A layer around existing sparse layers (`gate` nil: ungated, `activation` applies).
    public init(linear: SparseDense, gate: SparseDense?, activation: Activation = .tanh) {
        self.linear = linear
        self.gate = gate
        self.activation = activation
    }

    /// [W, b] (+ [V, c] when gated).
    public var parameters: [Parameter] { linear.parameters + (gate?.parameters ?? []) }

    /// The same layer for dense inputs.
    public var denseLayers: [AnyLayer] {
        if let gate { return [AnyLayer(GatedDense(linear: linear.dense, gate: gate.dense))] }
        return [AnyLayer(linear.dense), AnyLayer(ActivationLayer(activation))]
    }

    /// What backward needs: the sparse input, the linear output a, the output y, and g, σ(g) when gated.
    public struct Cache {
        let input: SparseMatrix, linearOutput: Matrix, output: Matrix
        let gatePreActivation: Matrix?, gateOutput: Matrix?
    }

    /// y = f(a) or a ⊙ σ(g), with a = S·W + b, g = S·V + c.
    public func forward(sparse input: SparseMatrix, context: inout ForwardContext) -> (output: Matrix, cache: Cache) {
        let (a, _) = linear.forward(sparse: input, context: &context)
        guard let gate else {
            let y = Kernels.activate(a, activation)
            return (y, Cache(input: input, linearOutput: a, output: y, gatePreActivation: nil, gateOutput: nil))
        }
        let (g, _) = gate.forward(sparse: input, context: &context)
        let s = Kernels.activate(g, .sigmoid)
        let y = Kernels.multiply(a, s)
        return (y, Cache(input: input, linearOutput: a, output: y, gatePreActivation: g, gateOutput: s))
    }

    /// Accumulates dW, db (and dV, dc); the input is data and gets no gradient.
    public func backward(_ outputGradient: Matrix, cache: Cache) {
        guard let gate, let g = cache.gatePreActivation, let s = cache.gateOutput else {
            let da = Kernels.activationBackward(outputGradient, input: cache.linearOutput, output: cache.output,
                                                activation)                                          // ∂y/∂a = f'(a)
            linear.backward(da, cache: cache.input)
            return
        }
        let da = Kernels.multiply(outputGradient, s)                                              // ∂y/∂a = σ(g)
        let dg = Kernels.activationBackward(Kernels.multiply(outputGradient, cache.linearOutput),     // ∂y/∂σ(g) = a
                                            input: g, output: s, .sigmoid)                           // ∂σ/∂g = σ(1 − σ)
        linear.backward(da, cache: cache.input)
        gate.backward(dg, cache: cache.input)
    }
}
