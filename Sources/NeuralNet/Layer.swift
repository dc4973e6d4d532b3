import TensorCore

/// A differentiable block with an explicit, caller-owned cache.
///
/// `forward` never mutates the layer; it returns the output and what `backward` needs. `backward`
/// returns dL/dinput and *adds* dL/dθ into each parameter's `gradient`, so one layer may run several
/// times (VampPrior runs the encoder on the batch and on its pseudo-inputs) before one optimizer step.
public protocol Layer {
    /// What the forward pass keeps for the backward pass.
    associatedtype Cache
    /// The trainable parameters, in a stable order.
    var parameters: [Parameter] { get }
    /// Output for `input` ([B, In] → [B, Out]) and the cache for `backward`.
    func forward(_ input: Matrix, context: inout ForwardContext) -> (output: Matrix, cache: Cache)
    /// dL/dinput for dL/doutput; accumulates dL/dθ into the parameters' gradients.
    func backward(_ outputGradient: Matrix, cache: Cache) -> Matrix
}

/// A layer that can write its output into a buffer the caller keeps across steps: the speed path
/// for item-sized outputs (the [B, I] logits, reused every step through a model's `Workspace`
/// instead of being allocated and page-faulted afresh). The same numbers as `forward`.
public protocol OutputReusingLayer: Layer {
    /// `forward`, with the output written to `output`, whose storage is reused when it already has
    /// the output's shape.
    func forward(_ input: Matrix, into output: inout Matrix, context: inout ForwardContext) -> Cache
}
