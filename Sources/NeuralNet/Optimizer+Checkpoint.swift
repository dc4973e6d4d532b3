import TensorCore

extension Adam {
    /// m, v as `m/NAME`, `v/NAME` and the step count as `t/NAME` for every parameter seen so far.
    public var checkpointState: OptimizerState {
        var result = OptimizerState(kind: "adam")
        for (name, entry) in state {
            result.tensors["m/" + name] = entry.firstMoment
            result.tensors["v/" + name] = entry.secondMoment
            result.integers["t/" + name] = entry.step
        }
        return result
    }

    /// Restores every parameter's moments and step count.
    public mutating func restore(_ saved: OptimizerState) throws {
        try saved.requireKind("adam")
        var restored: [String: State] = [:]
        for key in saved.integers.keys where key.hasPrefix("t/") {
            let name = String(key.dropFirst(2))
            restored[name] = State(firstMoment: try saved.tensor("m/" + name), secondMoment: try saved.tensor("v/" + name),
                                   step: try saved.integer(key))
        }
        state = restored
    }
}

extension SGD {
    /// The velocity buffers as `velocity/NAME`.
    public var checkpointState: OptimizerState {
        var result = OptimizerState(kind: "sgd")
        for (name, velocity) in velocities { result.tensors["velocity/" + name] = velocity }
        return result
    }

    /// Restores the velocity buffers.
    public mutating func restore(_ saved: OptimizerState) throws {
        try saved.requireKind("sgd")
        var restored: [String: Matrix] = [:]
        for (key, value) in saved.tensors where key.hasPrefix("velocity/") { restored[String(key.dropFirst(9))] = value }
        velocities = restored
    }
}

extension Rprop {
    /// The previous gradients and step sizes as `previous/NAME`, `steps/NAME`.
    public var checkpointState: OptimizerState {
        var result = OptimizerState(kind: "rprop")
        for (name, entry) in state {
            result.tensors["previous/" + name] = entry.previousGradient
            result.tensors["steps/" + name] = entry.stepSizes
        }
        return result
    }

    /// Restores the per-weight buffers.
    public mutating func restore(_ saved: OptimizerState) throws {
        try saved.requireKind("rprop")
        var restored: [String: (previousGradient: Matrix, stepSizes: Matrix)] = [:]
        for key in saved.tensors.keys where key.hasPrefix("previous/") {
            let name = String(key.dropFirst(9))
            restored[name] = (try saved.tensor(key), try saved.tensor("steps/" + name))
        }
        state = restored
    }
}
