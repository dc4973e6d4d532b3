import TensorCore

extension Kernels {
    /// Vectorised eˣ − 1 on eight lanes, accurate near 0 (where `exp8(x) − 1` would cancel).
    ///
    /// The same reduction as `exp8` — x = n·ln2 + r, |r| ≤ 0.35 — then eʳ − 1 = r + r²(½ + r/3! + … +
    /// r⁵/7!) without forming 1 + …, and eˣ − 1 = 2ⁿ(eʳ − 1) + (2ⁿ − 1), where 2ⁿ − 1 is exact for the
    /// small n that matter (n = 0 gives eʳ − 1 itself, with r = x exactly: no cancellation near 0).
    /// For n > 20, (eʳ − 1 + 1)·2ⁿ − 1 as in `exp8`, so that 2ⁿ is never formed alone near overflow.
    /// Lanes below `expLowerBound` give −1, above `expUpperBound` +∞; NaN stays NaN. One polynomial
    /// for every lane (an earlier version evaluated a Taylor series and `exp8` and blended them).
    @_transparent
    static func expm1x8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let log2e: Float = 1.442_695_04, ln2High: Float = 0.693_359_375, ln2Low: Float = -2.121_944_4e-4
        let shifter: Float = 12_582_912                                  // 1.5·2²³, as in exp8
        var clamped = x.replacing(with: expLowerBound, where: x .< expLowerBound)
        clamped.replace(with: expUpperBound, where: clamped .> expUpperBound)
        let shifted = clamped * log2e + shifter
        let n = shifted - shifter                                        // round(x / ln2)
        let r = (clamped - n * ln2High) - n * ln2Low                     // x − n·ln2 (= x when n = 0)
        var p = SIMD8<Float>(repeating: 1.0 / 5040)                      // (eʳ − 1 − r)/r² ≈ ½ + r/6 + … + r⁵/7!
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        let rMinusOne = r + (r * r) * p                                  // eʳ − 1
        let shiftedBits = SIMD8<Int32>(truncatingIfNeeded: shifted.bitPattern(as: UInt32.self))
        let integerN = shiftedBits &- Int32(bitPattern: shifter.bitPattern)
        let half = integerN &>> 1                                        // 2ⁿ = 2^⌊n/2⌋ · 2^(n−⌊n/2⌋), as in exp8
        let twoToHalf = SIMD8<Float>(bitPattern: SIMD8<UInt32>(truncatingIfNeeded: (half &+ 127) &<< 23))
        let twoToRest = SIMD8<Float>(bitPattern: SIMD8<UInt32>(truncatingIfNeeded: (integerN &- half &+ 127) &<< 23))
        let scale = twoToHalf * twoToRest
        var result = scale * rMinusOne + (scale - 1)                     // 2ⁿ(eʳ − 1) + (2ⁿ − 1)
        result.replace(with: (rMinusOne + 1) * twoToHalf * twoToRest - 1, where: n .> 20)   // Float compare: vectorised
        result.replace(with: -1, where: x .< expLowerBound)
        result.replace(with: .infinity, where: x .> expUpperBound)
        result.replace(with: x, where: x .!= x)                          // NaN in, NaN out
        return result
    }

    /// y[i] = SELU(x[i]) = λx for x > 0, λα(eˣ − 1) otherwise, on full lanes and a padded tail.
    static func selu(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
        let lambda = Activation.seluLambda, lambdaAlpha = Activation.seluLambda * Activation.seluAlpha
        @inline(__always) func lanes(_ v: SIMD8<Float>) -> SIMD8<Float> {
            var out = lambdaAlpha * expm1x8(v.replacing(with: 0, where: v .> 0))   // no overflow on the positive side
            out.replace(with: lambda * v, where: v .> 0)               // NaN: not > 0, expm1x8 kept it NaN
            return out
        }
        mapLanes(x, into: y, count: count, lanes)
    }

    /// d[i] = g[i]·SELU'(x[i]) with SELU' = λ for x > 0 and λα·eˣ = y + λα otherwise.
    static func seluBackward(_ g: UnsafePointer<Float>, input x: UnsafePointer<Float>, output y: UnsafePointer<Float>,
                             into d: UnsafeMutablePointer<Float>, count: Int) {
        let lambda = Activation.seluLambda, lambdaAlpha = Activation.seluLambda * Activation.seluAlpha
        var i = 0
        while i + 8 <= count {
            let xv = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            var slope = UnsafeRawPointer(y + i).loadUnaligned(as: SIMD8<Float>.self) + lambdaAlpha
            slope.replace(with: lambda, where: xv .> 0)
            let gv = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(d + i).storeBytes(of: gv * slope, as: SIMD8<Float>.self)
            i += 8
        }
        while i < count {
            d[i] = g[i] * (x[i] > 0 ? lambda : y[i] + lambdaAlpha)
            i += 1
        }
    }
}
