import TensorCore

extension Trainer {
    /// The optimizer's exportable state, or an empty `none` state for one without checkpoint support.
    public static func state<Opt: Optimizer>(of optimizer: Opt) -> OptimizerState {
        (optimizer as? any CheckpointableOptimizer)?.checkpointState ?? OptimizerState(kind: "none")
    }

    /// Restores `optimizer` from `state` when it supports checkpoints; a `none` state leaves it fresh.
    public static func restore<Opt: Optimizer>(_ optimizer: inout Opt, from state: OptimizerState) throws {
        guard var restorable = optimizer as? any CheckpointableOptimizer else {
            guard state.kind == "none" else {
                throw TrainingError.invalidConfiguration(setting: "optimizer without checkpoint support", value: state.kind)
            }
            return
        }
        try restorable.restore(state)
        if let restored = restorable as? Opt { optimizer = restored }
    }
}
