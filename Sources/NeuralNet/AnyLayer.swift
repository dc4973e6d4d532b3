import TensorCore

/// The cache of an `AnyLayer`: the wrapped layer's cache, opaque to everyone else.
public struct AnyLayerCache {
    fileprivate let value: Any
}

/// A type-erased layer, so chains can hold layers of different types (and different caches). It
/// writes into a reused output buffer when the wrapped layer can (`OutputReusingLayer`).
public struct AnyLayer: OutputReusingLayer {
    private let parametersBody: () -> [Parameter]
    private let forwardBody: (Matrix, inout ForwardContext) -> (Matrix, AnyLayerCache)
    private let forwardIntoBody: (Matrix, inout Matrix, inout ForwardContext) -> AnyLayerCache
    private let backwardBody: (Matrix, AnyLayerCache) -> Matrix
    /// The wrapped layer's type name (messages and descriptions).
    public let typeName: String

    /// Wraps `layer`.
    public init<Wrapped: Layer>(_ layer: Wrapped) {
        if let already = layer as? AnyLayer { self = already; return }
        let name = String(describing: Wrapped.self)
        typeName = name
        parametersBody = { layer.parameters }
        forwardBody = { input, context in
            let (output, cache) = layer.forward(input, context: &context)
            return (output, AnyLayerCache(value: cache))
        }
        if let reusing = layer as? any OutputReusingLayer {
            forwardIntoBody = Self.forwardInto(reusing)
        } else {
            forwardIntoBody = { input, output, context in
                let (y, cache) = layer.forward(input, context: &context)
                output = y
                return AnyLayerCache(value: cache)
            }
        }
        backwardBody = { outputGradient, erased in
            guard let cache = erased.value as? Wrapped.Cache else {
                preconditionFailure("AnyLayer(\(name)).backward got a cache of type \(type(of: erased.value)), expected \(Wrapped.Cache.self)")
            }
            return layer.backward(outputGradient, cache: cache)
        }
    }

    /// The reusing forward pass of `layer`, its cache erased.
    private static func forwardInto<Wrapped: OutputReusingLayer>(_ layer: Wrapped)
        -> (Matrix, inout Matrix, inout ForwardContext) -> AnyLayerCache {
        { input, output, context in AnyLayerCache(value: layer.forward(input, into: &output, context: &context)) }
    }

    /// The wrapped layer's parameters.
    public var parameters: [Parameter] { parametersBody() }

    /// The wrapped layer's forward pass, its cache erased.
    public func forward(_ input: Matrix, context: inout ForwardContext) -> (output: Matrix, cache: AnyLayerCache) {
        forwardBody(input, &context)
    }

    /// The wrapped layer's `forward(_:into:context:)`, its cache erased.
    public func forward(_ input: Matrix, into output: inout Matrix, context: inout ForwardContext) -> AnyLayerCache {
        forwardIntoBody(input, &output, &context)
    }

    /// The wrapped layer's backward pass; the cache must come from this layer's `forward`.
    public func backward(_ outputGradient: Matrix, cache: AnyLayerCache) -> Matrix {
        backwardBody(outputGradient, cache)
    }
}
