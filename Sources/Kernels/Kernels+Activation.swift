#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TensorCore

extension Kernels {
    /// y = f(x) element-wise (multi-threaded; sigmoid and swish use the vectorised exp, tanh `tanh8`, SELU `expm1x8`).
    public static func activate(_ x: Matrix, _ activation: Activation) -> Matrix {
        switch activation {
        case .identity:
            return x
        case .relu:
            return elementwise(x) { s, d, range in for i in range { d[i] = s[i] > 0 ? s[i] : 0 } }
        case .tanh:
            return elementwise(x, minimumPerChunk: 16_384) { s, d, range in
                tanh(s + range.lowerBound, into: d + range.lowerBound, count: range.count)   // tanh8 lanes
            }
        case .selu:
            return elementwise(x, minimumPerChunk: 16_384) { s, d, range in
                selu(s + range.lowerBound, into: d + range.lowerBound, count: range.count)   // expm1x8 lanes
            }
        case .sigmoid:
            return elementwise(x, minimumPerChunk: 16_384) { s, d, range in
                // σ(x) = 1 / (1 + e^{−x}); e^{−x} = +∞ for x ≪ 0 gives exactly 0.
                var i = range.lowerBound
                while i + 8 <= range.upperBound {
                    let v = UnsafeRawPointer(s + i).loadUnaligned(as: SIMD8<Float>.self)
                    let y = 1 / (1 + exp8(-v))
                    UnsafeMutableRawPointer(d + i).storeBytes(of: y, as: SIMD8<Float>.self)
                    i += 8
                }
                while i < range.upperBound { d[i] = activationValue(s[i], .sigmoid); i += 1 }
            }
        case .swish:
            return elementwise(x, minimumPerChunk: 16_384) { s, d, range in
                // swish(x) = x·σ(x) = x / (1 + e^{−x}); e^{−x} = +∞ for x ≪ 0 gives exactly −0.
                var i = range.lowerBound
                while i + 8 <= range.upperBound {
                    let v = UnsafeRawPointer(s + i).loadUnaligned(as: SIMD8<Float>.self)
                    UnsafeMutableRawPointer(d + i).storeBytes(of: v / (1 + exp8(-v)), as: SIMD8<Float>.self)
                    i += 8
                }
                while i < range.upperBound { d[i] = activationValue(s[i], .swish); i += 1 }
            }
        }
    }

    /// dx = dy ⊙ f'(x), where `input` is x and `output` is f(x) (either may be used).
    public static func activationBackward(_ dy: Matrix, input: Matrix, output: Matrix,
                                          _ activation: Activation) -> Matrix {
        precondition(dy.rows == input.rows && dy.columns == input.columns && output.count == input.count,
                     "activationBackward: dy \(dy.shapeDescription), x \(input.shapeDescription), y \(output.shapeDescription)")
        switch activation {
        case .identity:
            return dy                                                          // d x / dx = 1
        case .tanh:
            return elementwise(dy, output) { g, y, d, range in                 // tanh' = 1 − tanh²
                tanhBackward(g + range.lowerBound, output: y + range.lowerBound, into: d + range.lowerBound,
                             count: range.count)
            }
        case .sigmoid:
            return elementwise(dy, output) { g, y, d, range in
                for i in range { d[i] = g[i] * (y[i] * (1 - y[i])) }           // σ' = σ(1 − σ)
            }
        case .relu:
            return elementwise(dy, input) { g, x, d, range in
                for i in range { d[i] = x[i] > 0 ? g[i] : 0 }                  // relu' = [x > 0]
            }
        case .swish:
            return elementwise(dy, input) { g, x, d, range in
                var i = range.lowerBound
                while i + 8 <= range.upperBound {                              // swish' = σ(x)·(1 + x·(1 − σ(x)))
                    let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
                    let gradient = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<Float>.self)
                    let sigma = 1 / (1 + exp8(-v))
                    let derivative = sigma * (1 + v * (1 - sigma))
                    UnsafeMutableRawPointer(d + i).storeBytes(of: gradient * derivative, as: SIMD8<Float>.self)
                    i += 8
                }
                while i < range.upperBound {
                    let sigma = activationValue(x[i], .sigmoid)
                    d[i] = g[i] * (sigma * (1 + x[i] * (1 - sigma)))
                    i += 1
                }
            }
        case .selu:
            return input.withUnsafeBufferPointer { xBuffer in
                let xp = xBuffer.baseAddress.map(SharedPointer.init)
                return elementwise(dy, output) { g, y, d, range in
                    guard let x = xp?.base else { return }
                    // selu' = λ for x > 0, λα·eˣ = y + λα otherwise (eight lanes at a time)
                    seluBackward(g + range.lowerBound, input: x + range.lowerBound, output: y + range.lowerBound,
                                 into: d + range.lowerBound, count: range.count)
                }
            }
        }
    }

    /// f(x) for one scalar (reference semantics of `activate`).
    @inline(__always)
    static func activationValue(_ x: Float, _ activation: Activation) -> Float {
        switch activation {
        case .identity: return x
        case .tanh: return tanhf(x)
        case .sigmoid: return x >= 0 ? 1 / (1 + expf(-x)) : expf(x) / (1 + expf(x))
        case .relu: return max(0, x)
        case .selu: return x > 0 ? Activation.seluLambda * x : Activation.seluLambda * Activation.seluAlpha * expm1f(x)
        case .swish: return x * activationValue(x, .sigmoid)
        }
    }
}
