import TensorCore

extension Kernels {
    /// Lanes below this give exp(x) < the smallest normal Float; they return 0 (no subnormals).
    static let expLowerBound: Float = -87.336_55
    /// Lanes above this overflow; they return +∞.
    static let expUpperBound: Float = 88.722_83

    /// Vectorised e^x on eight lanes, within about 2 ulp of `expf` for normal results.
    ///
    /// Range reduction x = n·ln2 + r with |r| ≤ ln2/2 (ln2 split in a high and a low part so
    /// n·ln2_hi is exact), a degree-7 Taylor polynomial for e^r (truncation error < 2e-8 relative),
    /// and 2ⁿ built from its exponent bits. n is obtained with the 1.5·2²³ rounding trick, which
    /// uses only SSE2 operations at the default x86-64 target. NaN lanes stay NaN, lanes above
    /// `expUpperBound` give +∞ and lanes below `expLowerBound` give 0.
    @_transparent    // inlined into every loop (as @inline(__always) it stayed an outlined call per 8 lanes)
    static func exp8(_ x: SIMD8<Float>) -> SIMD8<Float> {
        let log2e: Float = 1.442_695_04, ln2High: Float = 0.693_359_375, ln2Low: Float = -2.121_944_4e-4
        let shifter: Float = 12_582_912   // 1.5·2²³: adding it rounds to an integer in the low mantissa bits
        var clamped = x.replacing(with: expLowerBound, where: x .< expLowerBound)
        clamped.replace(with: expUpperBound, where: clamped .> expUpperBound)
        let shifted = clamped * log2e + shifter
        let n = shifted - shifter                                   // round(x / ln2)
        let r = (clamped - n * ln2High) - n * ln2Low                // x − n·ln2, |r| ≤ 0.35
        // e^r ≈ Σ_{j≤7} r^j / j!  (Horner)
        var p = SIMD8<Float>(repeating: 1.0 / 5040)
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        // 2ⁿ: the integer n sits in the low mantissa bits of `shifted`; move it to the exponent.
        let shiftedBits = SIMD8<Int32>(truncatingIfNeeded: shifted.bitPattern(as: UInt32.self))
        let integerN = shiftedBits &- Int32(bitPattern: shifter.bitPattern)
        // n reaches 128 just below the overflow bound, so 2ⁿ is applied as 2^⌊n/2⌋ · 2^(n−⌊n/2⌋).
        let half = integerN &>> 1
        let twoToHalf = SIMD8<Float>(bitPattern: SIMD8<UInt32>(truncatingIfNeeded: (half &+ 127) &<< 23))
        let twoToRest = SIMD8<Float>(bitPattern: SIMD8<UInt32>(truncatingIfNeeded: (integerN &- half &+ 127) &<< 23))
        var result = p * twoToHalf * twoToRest
        result.replace(with: 0, where: x .< expLowerBound)
        result.replace(with: .infinity, where: x .> expUpperBound)
        result.replace(with: x, where: x .!= x)                     // NaN in, NaN out
        return result
    }

    /// y[i] = e^{x[i] + shift} for i in 0..<count, using `exp8` on full lanes and a padded tail.
    @inline(__always)
    static func exponential(_ x: UnsafePointer<Float>, plus shift: Float, into y: UnsafeMutablePointer<Float>,
                            count: Int) {
        mapLanes(x, into: y, count: count) { exp8($0 + shift) }
    }

    /// y[i] = f applied to x eight lanes at a time; the last partial group is padded with zeros
    /// (their results are dropped). `x` and `y` may be the same buffer.
    @inline(__always)
    static func mapLanes(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int,
                         _ f: (SIMD8<Float>) -> SIMD8<Float>) {
        var i = 0
        while i + 8 <= count {
            let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<Float>.self)
            UnsafeMutableRawPointer(y + i).storeBytes(of: f(v), as: SIMD8<Float>.self)
            i += 8
        }
        if i < count {
            var tail = SIMD8<Float>(repeating: 0)
            for j in 0..<(count - i) { tail[j] = x[i + j] }
            let out = f(tail)
            for j in 0..<(count - i) { y[i + j] = out[j] }
        }
    }

    /// e^x element-wise (vectorised, multi-threaded; see `exp8` for accuracy and limits).
    public static func exponential(_ x: Matrix) -> Matrix {
        elementwise(x, minimumPerChunk: 16_384) { source, destination, range in
            exponential(source + range.lowerBound, plus: 0, into: destination + range.lowerBound,
                        count: range.count)
        }
    }
}

extension SIMD8 where Scalar == Float {
    /// The lanes' IEEE bit patterns.
    @inline(__always)
    func bitPattern(as _: UInt32.Type) -> SIMD8<UInt32> {
        unsafeBitCast(self, to: SIMD8<UInt32>.self)
    }

    /// Lanes with the given IEEE bit patterns.
    @inline(__always)
    init(bitPattern bits: SIMD8<UInt32>) {
        self = unsafeBitCast(bits, to: SIMD8<Float>.self)
    }
}
