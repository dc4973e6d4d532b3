import Kernels
import TensorCore

/// Clamps the logσ² half of a Gaussian encoder head's output [μ | logσ²] to `bounds` (the VampPrior
/// reference codes' `Hardtanh(-12, 4)` on logσ², Tomczak & Welling 2018; Kim & Suh 2019); the
/// gradient is zero where the clamp is active, as PyTorch's hardtanh (zero at the bounds too).
public struct LogVarianceClamp: Layer {
    /// The allowed logσ² range.
    public let bounds: ClosedRange<Float>

    /// A clamp of logσ² to `bounds`.
    public init(bounds: ClosedRange<Float>) { self.bounds = bounds }

    /// No parameters.
    public var parameters: [Parameter] { [] }

    /// [μ | clamp(logσ²)]; the cache is the input.
    public func forward(_ input: Matrix, context: inout ForwardContext) -> (output: Matrix, cache: Matrix) {
        precondition(input.columns % 2 == 0, "LogVarianceClamp: input \(input.shapeDescription) needs [μ | logσ²]")
        let half = input.columns / 2
        return (Kernels.clamp(input, low: bounds.lowerBound, high: bounds.upperBound, columns: half..<input.columns), input)
    }

    /// dμ passes; dlogσ² where the clamp was inactive, 0 elsewhere.
    public func backward(_ outputGradient: Matrix, cache input: Matrix) -> Matrix {
        Kernels.clampBackward(outputGradient, input: input, low: bounds.lowerBound, high: bounds.upperBound,  // ∂clamp/∂x = [lo < x < hi]
                              columns: (input.columns / 2)..<input.columns)
    }
}
