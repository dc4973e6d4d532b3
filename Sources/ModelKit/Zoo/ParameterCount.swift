import RecCore

/// A model's trainable scalars counted from its shape and settings before anything is allocated,
/// so settings read from a file (a checkpoint's overrides) are checked against its tensors before
/// they size memory. Each entry's count is tested against the model it builds.
public struct ParameterCount {
    /// The model counted (for errors).
    public let model: String
    /// Scalars so far.
    public private(set) var total = 0

    /// An empty count for `model`.
    public init(model: String) { self.model = model }

    /// A rows × columns tensor; throws `ModelZooError.tooLarge` when the count overflows.
    public mutating func tensor(_ rows: Int, _ columns: Int) throws {
        let (size, overflow) = rows.multipliedReportingOverflow(by: columns)
        let (sum, overflowSum) = total.addingReportingOverflow(size)
        guard rows >= 0, columns >= 0, !overflow, !overflowSum else {
            throw ModelZooError.tooLarge(model: model, detail: "a \(rows) × \(columns) tensor overflows the parameter count")
        }
        total = sum
    }

    /// An affine layer In → Out: In·Out weights and Out biases.
    public mutating func dense(_ inputs: Int, _ outputs: Int) throws {
        try tensor(inputs, outputs)
        try tensor(1, outputs)
    }

    /// Affine layers between consecutive widths.
    public mutating func chain(_ widths: [Int]) throws {
        for (inputs, outputs) in zip(widths, widths.dropFirst()) { try dense(inputs, outputs) }
    }
}
