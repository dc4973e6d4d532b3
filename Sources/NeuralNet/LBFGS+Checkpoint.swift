import TensorCore

extension LBFGS {
    /// The curvature pairs as `s/K/I`, `y/K/I` (pair K, parameter I in list order) and the current
    /// point's loss and gradient (`loss`, `g/I`), when there is one.
    public var checkpointState: OptimizerState {
        var result = OptimizerState(kind: "lbfgs")
        result.integers["pairs"] = steps.count
        for (k, (s, y)) in zip(steps, changes).enumerated() {
            for (i, value) in s.enumerated() { result.tensors["s/\(k)/\(i)"] = value }
            for (i, value) in y.enumerated() { result.tensors["y/\(k)/\(i)"] = value }
        }
        if let current {
            result.reals["loss"] = current.loss
            result.integers["gradients"] = current.gradient.count
            for (i, value) in current.gradient.enumerated() { result.tensors["g/\(i)"] = value }
        }
        return result
    }

    /// Restores the curvature pairs and the current point.
    public mutating func restore(_ saved: OptimizerState) throws {
        try saved.requireKind("lbfgs")
        let pairs = saved.integers["pairs"] ?? 0
        guard (0...saved.tensors.count).contains(pairs) else {
            throw TrainingError.invalidConfiguration(setting: "optimizer state integer pairs", value: "\(pairs)")
        }
        let count = saved.tensors.keys.filter { $0.hasPrefix("s/0/") }.count
        steps = try (0..<pairs).map { k in try (0..<count).map { try saved.tensor("s/\(k)/\($0)") } }
        changes = try (0..<pairs).map { k in try (0..<count).map { try saved.tensor("y/\(k)/\($0)") } }
        if let loss = saved.reals["loss"] {
            let gradients = try saved.integer("gradients")
            guard (0...saved.tensors.count).contains(gradients) else {
                throw TrainingError.invalidConfiguration(setting: "optimizer state integer gradients", value: "\(gradients)")
            }
            current = (loss, try (0..<gradients).map { try saved.tensor("g/\($0)") })
        } else {
            current = nil
        }
    }
}
