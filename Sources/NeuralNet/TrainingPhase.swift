/// One part of every epoch: `passes` passes over the training rows in which the optimizer updates
/// only the named parameters (every parameter when `parameterNames` is nil).
///
/// A recipe's phases run in order each epoch, validation after the last. Alternating schedules
/// are phases: RecVAE (Shenbin et al. 2020, reference code) makes three passes updating the
/// encoder, then one updating the decoder. Adam keeps its moments and step count per parameter, so
/// one Adam updating a phase's parameters equals one `torch.optim.Adam` per phase. A model learns
/// the phase of each step from `TrainingStep.phase` (to switch dropout) and may skip the gradients
/// of parameters the phase does not update (`TrainingStep.updates(_:)`); the trainer zeroes those
/// after each update either way. `TrainableModel.willBeginPhase` is told when each phase starts.
public struct TrainingPhase: Sendable, Equatable {
    /// A name for messages and documentation (e.g. "encoder").
    public var name: String
    /// Passes over the training rows in each epoch (≥ 1), each with a fresh shuffle.
    public var passes: Int
    /// The parameters the optimizer updates in this phase, by name; nil: all of them.
    public var parameterNames: Set<String>?

    /// A phase with the given parts.
    public init(name: String, passes: Int = 1, parameterNames: Set<String>? = nil) {
        (self.name, self.passes, self.parameterNames) = (name, passes, parameterNames)
    }

    /// One pass updating every parameter: an ordinary epoch (the default of every recipe).
    public static let everyParameter = TrainingPhase(name: "all")
}
