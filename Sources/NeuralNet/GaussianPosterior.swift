import TensorCore
import Kernels

/// A diagonal-Gaussian posterior q(z|x) = N(μ, diag σ²) with its reparameterised sample
/// z = μ + exp(½·logσ²)·ε (Kingma & Welling 2014); in inference z = μ (no noise), as Mult-VAE.
public struct GaussianPosterior {
    /// μ, shape [B, Z].
    public let mean: Matrix
    /// logσ², shape [B, Z].
    public let logVariance: Matrix
    /// ε ~ N(0, I) used for `sample`, or nil when z = μ.
    public let noise: Matrix?
    /// z, shape [B, Z].
    public let sample: Matrix

    /// Samples z with ε from `context.rng` in training; z = μ in inference.
    public init(mean: Matrix, logVariance: Matrix, context: inout ForwardContext) {
        precondition(mean.rows == logVariance.rows && mean.columns == logVariance.columns,
                     "GaussianPosterior: mean \(mean.shapeDescription), logVariance \(logVariance.shapeDescription)")
        if context.isTraining {
            let columns = mean.columns
            let epsilon = context.drawBatchRows(mean.rows) { rows, rng in Kernels.randomNormal(rows: rows, columns: columns, using: &rng) }
            self.init(mean: mean, logVariance: logVariance, noise: epsilon)
        } else {
            self.init(mean: mean, logVariance: logVariance, noise: nil)
        }
    }

    /// A posterior with the given noise (nil: z = μ).
    public init(mean: Matrix, logVariance: Matrix, noise: Matrix?) {
        self.mean = mean
        self.logVariance = logVariance
        self.noise = noise
        if let noise {
            sample = Kernels.reparameterize(mean: mean, logVariance: logVariance, noise: noise)
        } else {
            sample = mean
        }
    }

    /// Splits an encoder output h [B, 2Z] into μ = h[:, :Z], logσ² = h[:, Z:] (Mult-VAE's layout) and samples.
    public init(encoderOutput h: Matrix, context: inout ForwardContext) {
        self.init(encoderOutput: h, pairedNoise: false, context: &context)
    }

    /// As `init(encoderOutput:context:)`; with `pairedNoise` ε uses both outputs of each Box–Muller
    /// pair (`Kernels.randomNormalPairs`: half the generator calls and logarithms, another stream).
    public init(encoderOutput h: Matrix, pairedNoise: Bool, context: inout ForwardContext) {
        precondition(h.columns % 2 == 0, "GaussianPosterior: encoder output \(h.shapeDescription) needs an even column count")
        let z = h.columns / 2
        let mean = Kernels.columns(0..<z, of: h), logVariance = Kernels.columns(z..<(2 * z), of: h)
        if pairedNoise && context.isTraining {
            let columns = mean.columns
            let epsilon = context.drawBatchRows(mean.rows) { rows, rng in
                Kernels.randomNormalPairs(rows: rows, columns: columns, using: &rng)
            }
            self.init(mean: mean, logVariance: logVariance, noise: epsilon)
        } else {
            self.init(mean: mean, logVariance: logVariance, context: &context)
        }
    }

    /// (dμ, dlogσ²) for dL/dz (zero dlogσ² when z = μ).
    public func backward(sampleGradient dz: Matrix) -> (mean: Matrix, logVariance: Matrix) {
        guard let noise else { return (dz, Matrix(rows: dz.rows, columns: dz.columns)) }   // z = μ: ∂z/∂μ = 1
        return Kernels.reparameterizeBackward(sampleGradient: dz, logVariance: logVariance, noise: noise)
    }

    /// dL/dh for an encoder output h = [μ | logσ²], given dL/dμ and dL/dlogσ².
    public static func encoderGradient(mean dMean: Matrix, logVariance dLogVariance: Matrix) -> Matrix {
        Kernels.concatenateColumns(dMean, dLogVariance)                                   // ∂h = [∂μ | ∂logσ²]
    }
}
