import TensorCore
import Kernels

/// The VampPrior p(z) = (1/K) Σ_k q(z | u_k) (Tomczak & Welling, AISTATS 2018): a mixture of the
/// variational posteriors of K learned pseudo-inputs u_k, passed through the *same* encoder as the
/// data. The KL term is the one-sample Monte-Carlo estimate log q(z|x) − log p(z), averaged over
/// users, with log p(z) by log-sum-exp over the components.
///
/// `encoder` maps dense inputs [K, I] to [μ | logσ²] ([K, 2Z]) and must hold the same `Parameter`
/// instances as the data path (for a sparse first layer, use its `SparseDense.dense`). `divergence`
/// runs it once on all pseudo-inputs (once per update, not per user), back-propagates β·∂KL/∂[μ_k |
/// logσ²_k] through it, so the encoder's parameters receive gradient from both paths, and adds
/// β·∂KL/∂u into `pseudoInputs.gradient`.
public struct VampPrior: Prior {
    /// U, the raw pseudo-inputs [K, I].
    public let pseudoInputs: Parameter
    /// The shared encoder on dense inputs: [K, I] → [K, 2Z] = [μ | logσ²].
    public let encoder: AnyLayer
    /// The pseudo-inputs fed to the encoder are clamp(U, bounds) (hardtanh; [0, 1] in both
    /// reference codes), or U itself when nil.
    public let pseudoInputBounds: ClosedRange<Float>?

    /// A prior around existing pseudo-inputs and an encoder sharing the data encoder's parameters.
    public init(pseudoInputs: Parameter, encoder: AnyLayer, pseudoInputBounds: ClosedRange<Float>? = 0...1) {
        self.pseudoInputs = pseudoInputs
        self.encoder = encoder
        self.pseudoInputBounds = pseudoInputBounds
    }

    /// K fresh pseudo-inputs of width `inputSize`, drawn from N(mean, std²) (0.05, 0.01 in the
    /// reference codes of Tomczak & Welling and Kim & Suh), named `name`.
    public init(componentCount: Int, inputSize: Int, encoder: AnyLayer, name: String = "vampprior.pseudoinputs",
                initialMean: Float = 0.05, initialStandardDeviation: Float = 0.01,
                pseudoInputBounds: ClosedRange<Float>? = 0...1, rng: inout RandomGenerator) {
        precondition(componentCount > 0 && inputSize > 0, "VampPrior: \(componentCount) components of width \(inputSize)")
        let value = Kernels.randomNormal(rows: componentCount, columns: inputSize, mean: initialMean,
                                         standardDeviation: initialStandardDeviation, using: &rng)
        self.init(pseudoInputs: Parameter(name: name, value: value, decays: false), encoder: encoder,
                  pseudoInputBounds: pseudoInputBounds)
    }

    /// K, the number of mixture components.
    public var componentCount: Int { pseudoInputs.value.rows }

    /// The pseudo-inputs, then the encoder's parameters (shared with the data path; list once).
    public var parameters: [Parameter] { ([pseudoInputs] + encoder.parameters).uniqued() }

    /// The inputs the encoder sees: clamp(U) or U.
    public var encodedPseudoInputs: Matrix {
        guard let bounds = pseudoInputBounds else { return pseudoInputs.value }
        return Kernels.clamp(pseudoInputs.value, low: bounds.lowerBound, high: bounds.upperBound)
    }

    /// The components' (μ_k, logσ²_k), each [K, Z], by one encoder pass (draws dropout from `context`).
    public func components(context: inout ForwardContext) -> (mean: Matrix, logVariance: Matrix) {
        let (h, _) = encoder.forward(encodedPseudoInputs, context: &context)
        let latent = h.columns / 2
        return (Kernels.columns(0..<latent, of: h), Kernels.columns(latent..<(2 * latent), of: h))
    }

    /// mean_b [log q(z_b|x_b) − log p(z_b)] and the gradients of `weight` times it; accumulates
    /// into the encoder's parameters and the pseudo-inputs (skipped when `weight` is 0).
    public func divergence(from posterior: GaussianPosterior, weight: Double, context: inout ForwardContext) -> Divergence {
        let (h, cache) = encoder.forward(encodedPseudoInputs, context: &context)        // [K, 2Z]
        let z = posterior.sample, latent = z.columns
        precondition(h.rows == componentCount && h.columns == 2 * latent,
                     "VampPrior: encoder output \(h.shapeDescription), expected \(componentCount)×\(2 * latent) for samples \(z.shapeDescription)")
        let componentMeans = Kernels.columns(0..<latent, of: h)
        let componentLogVariances = Kernels.columns(latent..<(2 * latent), of: h)
        let (logPrior, responsibilities) = Kernels.gaussianMixtureLogDensity(
            sample: z, means: componentMeans, logVariances: componentLogVariances)         // log p(z_b)
        let logPosterior = Kernels.diagonalGaussianLogDensity(sample: z, mean: posterior.mean,
                                                              logVariance: posterior.logVariance) // log q(z_b|x_b)
        let value = Kernels.meanDifference(logPosterior, logPrior)
        let scale = Float(z.rows > 0 ? weight / Double(z.rows) : 0)
        let q = Kernels.diagonalGaussianLogDensityBackward(sample: z, mean: posterior.mean,
                                                           logVariance: posterior.logVariance, scale: scale)   // ∂(s·Σ log q)
        let p = Kernels.gaussianMixtureLogDensityBackward(sample: z, means: componentMeans, logVariances: componentLogVariances,
                                                          responsibilities: responsibilities, scale: -scale)   // ∂(−s·Σ log p)
        if weight != 0 {
            let dh = Kernels.concatenateColumns(p.means, p.logVariances)                // ∂/∂[μ_k | logσ²_k]
            let dInputs = encoder.backward(dh, cache: cache)                           // ∂/∂clamp(U), encoder θ accumulated
            let dU = pseudoInputBounds.map {                                           // ∂clamp/∂U = [lo < U < hi]
                Kernels.clampBackward(dInputs, input: pseudoInputs.value, low: $0.lowerBound, high: $0.upperBound)
            } ?? dInputs
            Kernels.axpy(1, dU, &pseudoInputs.gradient)
        }
        return Divergence(value: value, mean: q.mean, logVariance: q.logVariance,
                          sample: Kernels.add(q.sample, p.sample))                    // ∂z: log q and log p both use z
    }
}
