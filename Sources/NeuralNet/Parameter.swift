import Kernels
import TensorCore

/// A trainable tensor: its value and the gradient accumulated into it by backward passes.
///
/// A reference type on purpose: a tied decoder and a shared encoder hold the *same* instance, so
/// gradients from every use add into one place and every optimizer is one loop over the list.
///
/// A backward pass may also hand over a gradient it has only described (`accumulate(_:)` with a
/// `GradientSource`): the optimizers then compute it block by block inside their step, without a
/// gradient matrix (the sparse first layer's 48 MB one on ML-20M). Reading `gradient` writes any
/// described gradient out first, so every reader sees the same sum either way.
public final class Parameter {
    /// A stable name (e.g. `encoder.0.weight`), used by optimizers' state and by checkpoints.
    public let name: String
    /// The current value.
    public var value: Matrix
    /// Whether weight decay applies (weights yes, biases no, as in the papers' reference code).
    public let decays: Bool
    /// The gradient written so far (without `deferred`).
    private var written: Matrix
    /// Gradients described but not yet added into `written`.
    private var deferred: [any GradientSource] = []
    /// Whether `written` is known to hold only zeros (so a sole deferred gradient *is* the gradient).
    private var writtenIsZero: Bool

    /// A parameter with the given initial value and a zero gradient of the same shape.
    public init(name: String, value: Matrix, decays: Bool = true) {
        self.name = name
        self.value = value
        self.written = Matrix(rows: value.rows, columns: value.columns)
        self.writtenIsZero = true
        self.decays = decays
    }

    /// dL/dvalue, accumulated by `backward` calls since the last `zeroGradient()` (deferred
    /// gradients are written out on access, in the order they were handed over).
    public var gradient: Matrix {
        get {
            materializeDeferred()
            return written
        }
        _modify {
            materializeDeferred()
            writtenIsZero = false
            yield &written
        }
        set {
            deferred.removeAll()
            written = newValue
            writtenIsZero = false
        }
    }

    /// Adds a described gradient (∂L/∂value += source) without computing it now.
    public func accumulate(_ source: any GradientSource) {
        precondition(source.rows == value.rows && source.columns == value.columns,
                     "Parameter \(name): gradient source \(source.rows)×\(source.columns), value \(value.shapeDescription)")
        deferred.append(source)
    }

    /// The whole gradient as one described source, handed to the caller, when it is exactly that:
    /// nothing written (or all written is zero) and one source. The parameter's gradient is then
    /// zero, as after `zeroGradient()`. Nil (and nothing changed) otherwise.
    public func takeSoleGradientSource() -> (any GradientSource)? {
        guard writtenIsZero, deferred.count == 1, written.rows == value.rows, written.columns == value.columns
        else { return nil }
        return deferred.removeLast()
    }

    /// Marks the gradient as zero after a kernel has zeroed `gradient` in its own pass (the fused
    /// optimizer steps), so the next `zeroGradient()` and `takeSoleGradientSource()` know.
    public func gradientWasZeroed() {
        precondition(deferred.isEmpty, "Parameter \(name): gradient marked zero with \(deferred.count) deferred gradients")
        writtenIsZero = true
    }

    /// Resets the accumulated gradient to zero, in place (a fresh matrix per update would page-fault
    /// tens of megabytes per step for the item-sized layers); a no-op when it is known to be zero.
    public func zeroGradient() {
        deferred.removeAll()
        if written.rows == value.rows && written.columns == value.columns {
            if !writtenIsZero { Kernels.fill(&written, with: 0) }
        } else {
            written = Matrix(rows: value.rows, columns: value.columns)
        }
        writtenIsZero = true
    }

    private func materializeDeferred() {
        guard !deferred.isEmpty else { return }
        let sources = deferred
        deferred.removeAll()
        for source in sources { source.accumulate(into: &written) }
        writtenIsZero = false
    }
}

extension Array where Element == Parameter {
    /// Resets every gradient to zero.
    public func zeroGradients() { for parameter in self { parameter.zeroGradient() } }

    /// The total number of scalar values.
    public var scalarCount: Int { reduce(0) { $0 + $1.value.count } }
}
