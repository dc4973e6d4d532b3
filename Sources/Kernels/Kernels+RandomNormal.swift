import TensorCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension Kernels {
    /// A matrix of independent N(mean, std²) draws from `rng` using *both* outputs of each Box–Muller
    /// pair: for uniforms u₁ ∈ (0, 1], u₂ ∈ [0, 1) (53 bits each, two `next()` calls) and
    /// r = √(−2 ln u₁), entries 2p and 2p + 1 are r·cos 2πu₂ and r·sin 2πu₂ (Box & Muller 1958).
    /// Half the generator calls and logarithms of `randomNormal`, which keeps only the cosine. Entry
    /// 0 equals `randomNormal`'s, later ones differ (a different stream, same distribution); an odd
    /// count uses the cosine of its last pair. Serial, so a seed gives the same numbers at any
    /// thread count.
    public static func randomNormalPairs(rows: Int, columns: Int, mean: Float = 0, standardDeviation: Float = 1,
                                         using rng: inout RandomGenerator) -> Matrix {
        Matrix(rows: rows, columns: columns) { buffer in
            let count = buffer.count
            var i = 0
            while i < count {
                let u1 = Double((rng.next() >> 11) + 1) * (1.0 / 9_007_199_254_740_992.0)   // (0, 1]: ln u₁ finite
                let u2 = Double(rng.next() >> 11) * (1.0 / 9_007_199_254_740_992.0)         // [0, 1)
                let radius = (-2.0 * log(u1)).squareRoot(), angle = 2.0 * Double.pi * u2
                buffer[i] = mean + standardDeviation * Float(radius * cos(angle))
                if i + 1 < count { buffer[i + 1] = mean + standardDeviation * Float(radius * sin(angle)) }
                i += 2
            }
        }
    }
}
