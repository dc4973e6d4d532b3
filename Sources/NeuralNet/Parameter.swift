import Kernels
import TensorCore

/// A trainable tensor: its value and the gradient accumulated into it by backward passes.
///
/// A reference type on purpose: a tied decoder and a shared encoder hold the *same* instance, so
/// gradients from every use add into one place and every optimizer is one loop over the list.
/// (How a gradient may be handed over described rather than written, for the optimizers' fused
/// steps, is internal to the framework: `Parameter+DeferredGradients.swift`.)
public final class Parameter {
    /// A stable name (e.g. `encoder.0.weight`), used by optimizers' state and by checkpoints.
    public let name: String
    /// The current value.
    public var value: Matrix
    /// Whether weight decay applies (weights yes, biases no, as in the papers' reference code).
    public let decays: Bool
    /// Where the gradient lives (written sum and any described parts).
    var store: GradientStore
    /// In how many equal blocks of columns AdamNormGrad (`Adam.normalizesGradients`) normalises
    /// this gradient, each block divided by its own L2 norm (+ 10⁻⁷): for a parameter that packs
    /// several tensors of a reference side by side, such as a Gaussian head's [W_μ | W_logσ²] where
    /// the reference has two `nn.Linear` layers, each normalised on its own. 1 (the default): the
    /// whole tensor is one. Plain Adam, SGD, Rprop and L-BFGS ignore it (their steps are the same).
    /// Must divide the column count.
    public var normalizationBlocks: Int = 1 {
        didSet {
            precondition(normalizationBlocks >= 1 && value.columns % normalizationBlocks == 0,
                         "Parameter \(name): normalizationBlocks \(normalizationBlocks) must be ≥ 1 and divide its \(value.columns) columns (\(value.shapeDescription))")
        }
    }

    /// A parameter with the given initial value and a zero gradient of the same shape. With
    /// `allocatesGradient` false the gradient is allocated on first use instead: a closed-form
    /// model's [I, I] matrix (EASE) would otherwise double its memory with zeros it never reads.
    public init(name: String, value: Matrix, decays: Bool = true, allocatesGradient: Bool = true) {
        self.name = name
        self.value = value
        self.store = GradientStore(rows: value.rows, columns: value.columns, allocated: allocatesGradient)
        self.decays = decays
    }

    /// dL/dvalue, accumulated by `backward` calls since the last `zeroGradient()`.
    public var gradient: Matrix {
        get {
            store.allocate()                          // a gradient not allocated yet (never reads `value`:
                                                      // optimizers hold it inout while they write the gradient)
            store.materialize()                       // described parts are written out on any read
            return store.written
        }
        _modify {
            store.allocate()
            store.materialize()
            store.writtenIsZero = false
            yield &store.written
        }
        set { store.replace(with: newValue) }
    }

    /// Resets the accumulated gradient to zero, in place (a fresh matrix per update would page-fault
    /// tens of megabytes per step for the item-sized layers).
    public func zeroGradient() { store.zero(rows: value.rows, columns: value.columns) }
}

extension Array where Element == Parameter {
    /// Resets every gradient to zero.
    public func zeroGradients() { for parameter in self { parameter.zeroGradient() } }

    /// The total number of scalar values.
    public var scalarCount: Int { reduce(0) { $0 + $1.value.count } }

    /// The parameters with repeated instances removed (first occurrence kept): tied and shared
    /// parameters appear once, so an optimizer updates each exactly once.
    public func uniqued() -> [Parameter] {
        var seen = Set<ObjectIdentifier>()
        return filter { seen.insert(ObjectIdentifier($0)).inserted }
    }
}

extension Parameter {
    /// Traps unless this bias is one row of `width` values, the output width of `layer`'s `weight`
    /// (the check of every affine layer built around given parameters).
    func requireBiasShape(width: Int, of layer: String, weight: Parameter) {
        precondition(value.rows == 1 && value.columns == width,
                     "\(layer): weight \(weight.value.shapeDescription) needs bias 1×\(width), got \(value.shapeDescription)")
    }
}
