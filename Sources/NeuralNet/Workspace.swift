import TensorCore

/// Storage a model keeps across training steps for its large per-step matrices (the [B, I] logits
/// and their gradient), so they are not allocated, page-faulted and freed afresh on every batch.
///
/// The reuse rule: a step `take`s a buffer at its start (the workspace forgets it, so the step holds
/// the only reference and kernels write into it in place), and `keep`s it back when nothing computed
/// from it is still needed. A buffer that is never kept back only costs a fresh allocation next
/// time; a buffer still referenced elsewhere when written is copied (value semantics), so reuse can
/// never change a result.
public final class Workspace {
    private var matrices: [String: Matrix] = [:]

    /// An empty workspace.
    public init() {}

    /// The matrix kept under `key`, removed from the workspace (an empty 0×0 matrix when none).
    public func take(_ key: String) -> Matrix {
        matrices.removeValue(forKey: key) ?? Matrix(rows: 0, columns: 0)
    }

    /// Keeps `matrix` under `key` for the next `take`.
    public func keep(_ matrix: Matrix, as key: String) {
        matrices[key] = matrix
    }
}
