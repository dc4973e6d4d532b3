import TensorCore
import Kernels

/// Resilient propagation as `torch.optim.Rprop` (iRprop⁻, Igel & Hüsken 2000; Riedmiller & Braun
/// 1993): a per-weight step size that grows by η⁺ while the gradient keeps its sign and shrinks by
/// η⁻ when it flips; only the gradient's sign moves the weight. Meant for full-batch gradients
/// (AutoRec trains with Rprop, Sedhain et al. 2015).
public struct Rprop: Optimizer {
    /// The initial step size of every weight (torch: 0.01).
    public var learningRate: Float
    /// η⁻, the shrink factor on a sign flip (0.5).
    public var etaMinus: Float
    /// η⁺, the growth factor while the sign holds (1.2).
    public var etaPlus: Float
    /// The smallest step size (1e-6).
    public var minimumStep: Float
    /// The largest step size (50).
    public var maximumStep: Float
    /// Per-parameter state keyed by `Parameter.name`: previous gradient and step sizes.
    public var state: [String: (previousGradient: Matrix, stepSizes: Matrix)] = [:]

    /// Rprop with torch's defaults.
    public init(learningRate: Float = 0.01, etaMinus: Float = 0.5, etaPlus: Float = 1.2,
                minimumStep: Float = 1e-6, maximumStep: Float = 50) {
        (self.learningRate, self.etaMinus, self.etaPlus) = (learningRate, etaMinus, etaPlus)
        (self.minimumStep, self.maximumStep) = (minimumStep, maximumStep)
    }

    /// One Rprop step for every parameter (weight decay, if any, must already be in the gradient).
    public mutating func update(_ parameters: [Parameter]) {
        for parameter in parameters {
            let shape = (parameter.value.rows, parameter.value.columns)
            var entry = state[parameter.name] ?? (Matrix(rows: shape.0, columns: shape.1),
                                                  Matrix(rows: shape.0, columns: shape.1, repeating: learningRate))
            state[parameter.name] = nil                      // keep the buffers uniquely referenced
            Kernels.rpropUpdate(value: &parameter.value, gradient: parameter.gradient,
                                previousGradient: &entry.previousGradient, stepSizes: &entry.stepSizes,
                                etaMinus: etaMinus, etaPlus: etaPlus, minimumStep: minimumStep, maximumStep: maximumStep)
            state[parameter.name] = entry
        }
    }
}
