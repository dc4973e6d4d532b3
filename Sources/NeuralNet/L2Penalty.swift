import Kernels
import TensorCore

/// The ridge penalty λ/2·Σ‖W‖² over some parameters, with its gradient λW (AutoRec's regulariser,
/// Sedhain et al. 2015, eq. 2). Unlike an optimizer's weight decay it is part of the loss, so
/// full-batch steppers (L-BFGS's line search) see it.
public struct L2Penalty {
    /// The penalised parameters.
    public let parameters: [Parameter]

    /// A penalty on `parameters`.
    public init(_ parameters: [Parameter]) { self.parameters = parameters }

    /// λ/2·Σ‖W‖², and λW added into each parameter's gradient.
    public func apply(weight lambda: Double) -> Double {
        var squares = 0.0
        for parameter in parameters { squares += Kernels.sumOfSquares(parameter.value) }
        for parameter in parameters {
            Kernels.axpy(Float(lambda), parameter.value, &parameter.gradient)        // ∂(λ/2‖W‖²)/∂W = λW
        }
        return lambda / 2 * squares
    }
}
