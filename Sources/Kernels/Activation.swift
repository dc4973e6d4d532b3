import TensorCore

/// Element-wise activation functions with their derivatives.
public enum Activation: String, Sendable, CaseIterable, Codable {
    case identity, tanh, sigmoid, relu, selu

    /// SELU's λ and α (Klambauer et al., 2017, eq. 2 with the fixed-point constants).
    public static let seluLambda: Float = 1.050_700_987_355_480_5
    public static let seluAlpha: Float = 1.673_263_242_354_377_3
}

extension Kernels {
    /// y = f(x) element-wise.
    public static func activate(_ x: Matrix, _ activation: Activation) -> Matrix {
        var y = x
        for i in 0..<y.count { y.storage[i] = activationValue(x.storage[i], activation) }
        return y
    }

    /// dx = dy ⊙ f'(x), where `input` is x and `output` is f(x) (either may be used).
    public static func activationBackward(_ dy: Matrix, input: Matrix, output: Matrix,
                                          _ activation: Activation) -> Matrix {
        precondition(dy.rows == input.rows && dy.columns == input.columns && output.count == input.count,
                     "activationBackward: dy \(dy.shapeDescription), x \(input.shapeDescription), y \(output.shapeDescription)")
        var dx = dy
        for i in 0..<dx.count {
            let x = input.storage[i], y = output.storage[i]
            let derivative: Float
            switch activation {
            case .identity: derivative = 1                                   // d x / dx = 1
            case .tanh: derivative = 1 - y * y                               // tanh' = 1 − tanh²
            case .sigmoid: derivative = y * (1 - y)                          // σ' = σ(1 − σ)
            case .relu: derivative = x > 0 ? 1 : 0                           // relu' = [x > 0]
            case .selu:                                                      // λ for x > 0, λα·eˣ = y + λα otherwise
                derivative = x > 0 ? Activation.seluLambda : y + Activation.seluLambda * Activation.seluAlpha
            }
            dx.storage[i] *= derivative
        }
        return dx
    }

    @inline(__always)
    static func activationValue(_ x: Float, _ activation: Activation) -> Float {
        switch activation {
        case .identity: return x
        case .tanh: return tanhf(x)
        case .sigmoid: return x >= 0 ? 1 / (1 + expf(-x)) : expf(x) / (1 + expf(x))
        case .relu: return max(0, x)
        case .selu: return x > 0 ? Activation.seluLambda * x : Activation.seluLambda * Activation.seluAlpha * (expf(x) - 1)
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
