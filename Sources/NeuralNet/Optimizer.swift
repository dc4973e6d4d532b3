import TensorCore
import Kernels

/// What the trainer needs of any optimizer: one step on a full-batch objective, and its state as
/// plain values for checkpoints and resuming (hyper-parameters and the learning rate are not part
/// of the state: they come from the model's recipe and the schedule).
///
/// Steppers that evaluate the objective themselves (L-BFGS's line search) implement `step`; every
/// `Optimizer` is also one (evaluate once, then `update`).
public protocol FullBatchOptimizer {
    /// One step: `evaluate` zeroes the gradients, computes the loss on the whole data and accumulates
    /// its gradients; returns the loss the step reports (L-BFGS: at the new point; others: at the old).
    mutating func step(_ parameters: [Parameter], evaluate: () -> Double) -> Double
    /// The state as named values.
    var checkpointState: OptimizerState { get }
    /// Replaces the state; throws `TrainingError.invalidConfiguration` for a state of another kind.
    mutating func restore(_ state: OptimizerState) throws
}

/// Updates parameter values from their accumulated gradients (it does not zero the gradients):
/// the optimizers of mini-batch training (Adam, SGD) and Rprop.
public protocol Optimizer: FullBatchOptimizer {
    /// The step size; the trainer's learning-rate schedule sets it before each epoch.
    var learningRate: Float { get set }
    /// One step over `parameters` (each distinct instance once: pass `uniqued()` lists).
    mutating func update(_ parameters: [Parameter])
    /// What a trainer does per update: one step, then every gradient set to zero. Returns the name
    /// of the first parameter whose gradient held NaN or ±∞ (nil when all were finite); after such
    /// a report the parameters' values are not meaningful and training must stop.
    mutating func updateZeroingGradients(_ parameters: [Parameter]) -> String?
}

extension Optimizer {
    /// A full-batch step: the loss and gradients at the current point, then `update`.
    public mutating func step(_ parameters: [Parameter], evaluate: () -> Double) -> Double {
        let loss = evaluate()
        update(parameters)
        return loss
    }

    /// The default: check every gradient (and apply nothing when one is not finite), `update`, then zero.
    public mutating func updateZeroingGradients(_ parameters: [Parameter]) -> String? {
        for parameter in parameters where !Kernels.allFinite(parameter.gradient) { return parameter.name }
        update(parameters)
        parameters.zeroGradients()
        return nil
    }
}

/// Adam (Kingma & Ba 2015) as `torch.optim.Adam`: defaults β₁ 0.9, β₂ 0.999, ε 1e-8; optional L2
/// weight decay λθ added to the gradient of parameters with `decays` (torch's `weight_decay`).
public struct Adam: Optimizer {
    /// The step size (Mult-VAE: 1e-3).
    public var learningRate: Float
    /// β₁.
    public var beta1: Float
    /// β₂.
    public var beta2: Float
    /// ε.
    public var epsilon: Float
    /// λ, added as λθ to the gradient of decaying parameters.
    public var weightDecay: Float
    /// Per-parameter state, keyed by `Parameter.name` (checkpointable plain values).
    public var state: [String: State] = [:]
    /// AdamNormGrad (Tomczak & Welling's VampPrior code, used by Kim & Suh's): each parameter's
    /// gradient is divided by its L2 norm (+ 10⁻⁷) before the weight decay and the moments, so every
    /// update sees unit-norm gradients — per column block for a parameter with
    /// `Parameter.normalizationBlocks` > 1, as the reference's separate tensors. Off for plain Adam.
    public var normalizesGradients: Bool = false

    /// Adam's state of one parameter: first and second moments and its step count t.
    public struct State: Sendable, Equatable {
        /// m, same shape as the parameter.
        public var firstMoment: Matrix
        /// v, same shape as the parameter.
        public var secondMoment: Matrix
        /// t, the number of updates applied so far.
        public var step: Int
        /// A state with the given values.
        public init(firstMoment: Matrix, secondMoment: Matrix, step: Int) {
            (self.firstMoment, self.secondMoment, self.step) = (firstMoment, secondMoment, step)
        }
    }

    /// Adam with the given hyper-parameters (defaults from Kingma & Ba 2015).
    public init(learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0) {
        (self.learningRate, self.beta1, self.beta2) = (learningRate, beta1, beta2)
        (self.epsilon, self.weightDecay) = (epsilon, weightDecay)
    }

    /// One Adam step for every parameter.
    public mutating func update(_ parameters: [Parameter]) {
        for parameter in parameters {
            var entry = takeState(for: parameter)
            entry.step += 1
            var gradient = parameter.gradient, scale: Float = 1
            if let factors = blockGradientScales(parameter) {
                Kernels.scaleColumnBlocks(&gradient, by: factors)      // a copy: `update` leaves the gradient as it was
            } else {
                scale = gradientScale(gradient)
            }
            Kernels.adamUpdate(value: &parameter.value, gradient: gradient,
                               firstMoment: &entry.firstMoment, secondMoment: &entry.secondMoment,
                               learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                               weightDecay: parameter.decays ? weightDecay : 0, step: entry.step,
                               gradientScale: scale)
            state[parameter.name] = entry
        }
    }

    /// One Adam step fused with zeroing the gradients and checking them for NaN/∞: one pass over
    /// value, gradient and moments per parameter (`Kernels.adamUpdateZeroingGradient`), the same
    /// numbers as `update` followed by `zeroGradients()`. A gradient that is one described source
    /// (`Parameter.takeSoleGradientSource()`) is computed inside the pass instead, a block at a time
    /// (`Kernels.adamUpdate(value:gradientSource:…)`, the same numbers). Every parameter is stepped;
    /// the first whose gradient was not finite is named.
    public mutating func updateZeroingGradients(_ parameters: [Parameter]) -> String? {
        var firstNonFinite: String? = nil
        for parameter in parameters {
            var entry = takeState(for: parameter)
            entry.step += 1
            let finite: Bool
            if !normalizesGradients, let source = parameter.takeSoleGradientSource() {
                // A described gradient (the sparse first layer's): computed block by block in the step.
                finite = Kernels.adamUpdate(
                    value: &parameter.value, gradientSource: source,
                    firstMoment: &entry.firstMoment, secondMoment: &entry.secondMoment,
                    learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                    weightDecay: parameter.decays ? weightDecay : 0, step: entry.step)
            } else {
                var scale: Float = 1
                if let factors = blockGradientScales(parameter) {
                    Kernels.scaleColumnBlocks(&parameter.gradient, by: factors)   // zeroed by the step below
                } else {
                    scale = gradientScale(parameter.gradient)
                }
                finite = Kernels.adamUpdateZeroingGradient(
                    value: &parameter.value, gradient: &parameter.gradient,
                    firstMoment: &entry.firstMoment, secondMoment: &entry.secondMoment,
                    learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
                    weightDecay: parameter.decays ? weightDecay : 0, step: entry.step, gradientScale: scale)
                parameter.gradientWasZeroed()
            }
            if !finite && firstNonFinite == nil { firstNonFinite = parameter.name }
            state[parameter.name] = entry
        }
        return firstNonFinite
    }

    /// 1 for Adam; 1/(‖g‖₂ + 10⁻⁷) with `normalizesGradients` (one extra read of the gradient), for a
    /// parameter normalised whole.
    func gradientScale(_ gradient: Matrix) -> Float {
        guard normalizesGradients else { return 1 }
        return Float(1 / (Kernels.dot(gradient, gradient).squareRoot() + 1e-7))
    }

    /// With `normalizesGradients` and a parameter normalised in column blocks
    /// (`Parameter.normalizationBlocks` > 1): each block's 1/(‖∇_block‖₂ + 10⁻⁷), the factor
    /// `gradientScale` gives a parameter holding just that block (the same bits); nil otherwise (the
    /// whole gradient's scale applies inside the step). The step then reads the gradient with its
    /// blocks pre-multiplied and scale 1 (x·1 = x: the same numbers as separate parameters).
    func blockGradientScales(_ parameter: Parameter) -> [Float]? {
        guard normalizesGradients, parameter.normalizationBlocks > 1 else { return nil }
        return Kernels.columnBlockSumsOfSquares(parameter.gradient, blocks: parameter.normalizationBlocks)
            .map { Float(1 / ($0.squareRoot() + 1e-7)) }
    }

    /// The parameter's state, removed from `state` so its moments are uniquely referenced (no copy
    /// when written); a fresh zero state for a parameter seen for the first time.
    private mutating func takeState(for parameter: Parameter) -> State {
        let entry = state.removeValue(forKey: parameter.name) ?? State(
            firstMoment: Matrix(rows: parameter.value.rows, columns: parameter.value.columns),
            secondMoment: Matrix(rows: parameter.value.rows, columns: parameter.value.columns), step: 0)
        return entry
    }
}

/// Stochastic gradient descent with momentum as `torch.optim.SGD` (dampening 0, Nesterov off),
/// optional L2 weight decay on parameters with `decays`.
public struct SGD: Optimizer {
    /// The step size.
    public var learningRate: Float
    /// μ, the momentum (0 for plain SGD).
    public var momentum: Float
    /// λ, added as λθ to the gradient of decaying parameters.
    public var weightDecay: Float
    /// Velocity buffers keyed by `Parameter.name` (checkpointable).
    public var velocities: [String: Matrix] = [:]

    /// SGD with the given hyper-parameters.
    public init(learningRate: Float, momentum: Float = 0, weightDecay: Float = 0) {
        (self.learningRate, self.momentum, self.weightDecay) = (learningRate, momentum, weightDecay)
    }

    /// One SGD step for every parameter.
    public mutating func update(_ parameters: [Parameter]) {
        for parameter in parameters {
            var velocity = velocities[parameter.name] ?? Matrix(rows: parameter.value.rows, columns: parameter.value.columns)
            velocities[parameter.name] = nil
            Kernels.sgdUpdate(value: &parameter.value, gradient: parameter.gradient, velocity: &velocity,
                              learningRate: learningRate, momentum: momentum,
                              weightDecay: parameter.decays ? weightDecay : 0)
            velocities[parameter.name] = velocity
        }
    }

    /// One SGD step fused with zeroing the gradients and checking them for NaN/∞: one pass over
    /// value, gradient and velocity per parameter (`Kernels.sgdUpdateZeroingGradient`), the same
    /// numbers as `update` followed by `zeroGradients()`; a described gradient source is computed
    /// inside the pass, as Adam's. Every parameter is stepped; the first whose gradient was not
    /// finite is named.
    public mutating func updateZeroingGradients(_ parameters: [Parameter]) -> String? {
        var firstNonFinite: String? = nil
        for parameter in parameters {
            var velocity = velocities[parameter.name] ?? Matrix(rows: parameter.value.rows, columns: parameter.value.columns)
            velocities[parameter.name] = nil
            let finite: Bool
            if let source = parameter.takeSoleGradientSource() {
                finite = Kernels.sgdUpdate(value: &parameter.value, gradientSource: source, velocity: &velocity,
                                           learningRate: learningRate, momentum: momentum,
                                           weightDecay: parameter.decays ? weightDecay : 0)
            } else {
                finite = Kernels.sgdUpdateZeroingGradient(
                    value: &parameter.value, gradient: &parameter.gradient, velocity: &velocity,
                    learningRate: learningRate, momentum: momentum, weightDecay: parameter.decays ? weightDecay : 0)
                parameter.gradientWasZeroed()
            }
            if !finite && firstNonFinite == nil { firstNonFinite = parameter.name }
            velocities[parameter.name] = velocity
        }
        return firstNonFinite
    }
}
