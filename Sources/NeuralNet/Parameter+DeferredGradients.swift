import Kernels
import TensorCore

/// The storage behind `Parameter.gradient`: the sum written so far, and gradients a backward pass
/// only described (`GradientSource`), not yet added in.
///
/// Why described gradients exist: the sparse first layer's ∂W = Sᵀ·D scatters every click's row of
/// D into a random row of an [I, H] matrix (48 MB on ML-20M) that Adam then reads and zeroes. When
/// such a source is the whole gradient, the optimizers compute it a block of items at a time inside
/// their own pass (`Optimizer.updateZeroingGradients`), with no gradient matrix at all. Every other
/// reader of `Parameter.gradient` (gradient checks, L-BFGS, the weight-decay and norm reads) sees
/// the sources written out first, in the order they came, so the numbers are the same either way.
/// The mechanism is internal to `NeuralNet`: only `SparseDense` describes and only the optimizers
/// take descriptions.
struct GradientStore {
    /// The gradient written so far (without `deferred`).
    var written: Matrix
    /// Gradients described but not yet added into `written`.
    var deferred: [any GradientSource] = []
    /// Whether `written` is known to hold only zeros (so a sole deferred gradient *is* the gradient).
    var writtenIsZero = true

    /// The gradient's shape, kept for `allocate` (set at creation and by `zero`).
    var shape: (rows: Int, columns: Int)

    /// A zero gradient of `rows × columns`, or (not `allocated`) an empty one until `allocate()`.
    init(rows: Int, columns: Int, allocated: Bool = true) {
        shape = (rows, columns)
        written = allocated ? Matrix(rows: rows, columns: columns) : Matrix(rows: 0, columns: 0)
    }

    /// Adds the described parts into `written`, in order.
    mutating func materialize() {
        guard !deferred.isEmpty else { return }
        let sources = deferred
        deferred.removeAll()
        for source in sources { source.accumulate(into: &written) }
        writtenIsZero = false
    }

    /// A zero gradient of `shape` when none is held (a parameter made with `allocatesGradient:
    /// false`); nothing otherwise.
    mutating func allocate() {
        guard written.rows != shape.rows || written.columns != shape.columns else { return }
        written = Matrix(rows: shape.rows, columns: shape.columns)     // described parts, if any, add into it
        writtenIsZero = true
    }

    mutating func replace(with value: Matrix) {
        deferred.removeAll()
        shape = (value.rows, value.columns)
        written = value
        writtenIsZero = false
    }

    mutating func zero(rows: Int, columns: Int) {
        deferred.removeAll()
        shape = (rows, columns)
        if written.rows == rows && written.columns == columns {
            if !writtenIsZero { Kernels.fill(&written, with: 0) }
        } else {
            written = Matrix(rows: rows, columns: columns)
        }
        writtenIsZero = true
    }
}

extension Parameter {
    /// Adds a described gradient (∂L/∂value += source) without computing it now.
    func accumulate(_ source: any GradientSource) {
        precondition(source.rows == value.rows && source.columns == value.columns,
                     "Parameter \(name): gradient source \(source.rows)×\(source.columns), value \(value.shapeDescription)")
        store.deferred.append(source)
    }

    /// The whole gradient as one described source, handed to the caller, when it is exactly that:
    /// nothing written (or all written is zero) and one source. The parameter's gradient is then
    /// zero, as after `zeroGradient()`. Nil (and nothing changed) otherwise.
    func takeSoleGradientSource() -> (any GradientSource)? {
        guard store.writtenIsZero, store.deferred.count == 1, store.written.rows == value.rows,
              store.written.columns == value.columns else { return nil }
        return store.deferred.removeLast()
    }

    /// Marks the gradient as zero after a kernel has zeroed it in its own pass (the fused optimizer
    /// steps), so the next `zeroGradient()` and `takeSoleGradientSource()` know.
    func gradientWasZeroed() {
        precondition(store.deferred.isEmpty, "Parameter \(name): gradient marked zero with \(store.deferred.count) deferred gradients")
        store.writtenIsZero = true
    }
}
