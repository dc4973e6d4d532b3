import TensorCore
import Kernels

/// Layers applied one after another; backward runs them in reverse.
public struct Chain: OutputReusingLayer {
    /// The layers, first applied first.
    public let layers: [AnyLayer]

    /// A chain of already erased layers.
    public init(_ layers: [AnyLayer]) { self.layers = layers }

    /// A chain of any layers (each is wrapped in `AnyLayer`).
    public init(_ layers: any Layer...) { self.layers = layers.map { Chain.erase($0) } }

    private static func erase<L: Layer>(_ layer: L) -> AnyLayer { AnyLayer(layer) }

    /// Every layer's parameters in order, shared instances listed once.
    public var parameters: [Parameter] { layers.flatMap(\.parameters).uniqued() }

    /// The output of the last layer; the cache holds one cache per layer.
    public func forward(_ input: Matrix, context: inout ForwardContext) -> (output: Matrix, cache: [AnyLayerCache]) {
        var x = input
        var caches: [AnyLayerCache] = []
        caches.reserveCapacity(layers.count)
        for layer in layers {
            let (y, cache) = layer.forward(x, context: &context)
            caches.append(cache)
            x = y
        }
        return (x, caches)
    }

    /// The chain's forward pass with the last layer writing into `output` (see `OutputReusingLayer`).
    public func forward(_ input: Matrix, into output: inout Matrix, context: inout ForwardContext) -> [AnyLayerCache] {
        guard let last = layers.last else {
            output = input
            return []
        }
        var x = input
        var caches: [AnyLayerCache] = []
        caches.reserveCapacity(layers.count)
        for layer in layers.dropLast() {
            let (y, cache) = layer.forward(x, context: &context)
            caches.append(cache)
            x = y
        }
        caches.append(last.forward(x, into: &output, context: &context))
        return caches
    }

    /// dL/dinput by the chain rule through every layer, last first.
    public func backward(_ outputGradient: Matrix, cache: [AnyLayerCache]) -> Matrix {
        precondition(cache.count == layers.count, "Chain.backward: \(cache.count) caches for \(layers.count) layers")
        var gradient = outputGradient
        for index in layers.indices.reversed() {
            gradient = layers[index].backward(gradient, cache: cache[index])          // ∂L/∂x_i = ∂L/∂x_{i+1}·∂x_{i+1}/∂x_i
        }
        return gradient
    }
}

/// A multilayer perceptron: Dense layers of `sizes`, an activation after each hidden layer and
/// `outputActivation` after the last (identity by default: logits for a likelihood).
public struct MLP: OutputReusingLayer {
    /// The dense layers, in order.
    public let denseLayers: [Dense]
    /// The whole network as a chain.
    public let chain: Chain

    /// Dense layers `sizes[0] → sizes[1] → … → sizes.last`, named `name.0`, `name.1`, …
    public init(sizes: [Int], activation: Activation, outputActivation: Activation = .identity, name: String,
                weightInitialization: WeightInitialization = .glorotUniform,
                biasInitialization: BiasInitialization = .zeros, rng: inout RandomGenerator) {
        precondition(sizes.count >= 2, "MLP needs at least an input and an output size, got \(sizes)")
        var dense: [Dense] = []
        var layers: [AnyLayer] = []
        for index in 0..<(sizes.count - 1) {
            let layer = Dense(inputSize: sizes[index], outputSize: sizes[index + 1], name: "\(name).\(index)",
                              weightInitialization: weightInitialization, biasInitialization: biasInitialization, rng: &rng)
            dense.append(layer)
            layers.append(AnyLayer(layer))
            let f = index == sizes.count - 2 ? outputActivation : activation
            if f != .identity { layers.append(AnyLayer(ActivationLayer(f))) }
        }
        denseLayers = dense
        chain = Chain(layers)
    }

    /// Every dense layer's weight and bias, in order.
    public var parameters: [Parameter] { chain.parameters }

    /// The chain's forward pass.
    public func forward(_ input: Matrix, context: inout ForwardContext) -> (output: Matrix, cache: [AnyLayerCache]) {
        chain.forward(input, context: &context)
    }

    /// The chain's forward pass, the last layer writing into `output`.
    public func forward(_ input: Matrix, into output: inout Matrix, context: inout ForwardContext) -> [AnyLayerCache] {
        chain.forward(input, into: &output, context: &context)
    }

    /// The chain's backward pass.
    public func backward(_ outputGradient: Matrix, cache: [AnyLayerCache]) -> Matrix {
        chain.backward(outputGradient, cache: cache)
    }
}
