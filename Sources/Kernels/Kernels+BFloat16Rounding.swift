import TensorCore

extension Kernels {
    /// The bfloat16 bits of `x` (its upper 16 bits after rounding), exactly as AVX512_BF16's
    /// `vcvtne2ps2bf16` gives them, so the portable path and the fast path round alike:
    /// - finite normal values: round to nearest, ties to even, on the fp32 bits (add 0x7FFF plus
    ///   the lowest kept bit, keep the upper half); values past bfloat16's largest become ±∞;
    /// - subnormal inputs: ±0 with their sign (the instruction treats them as zero);
    /// - NaN: its upper bits with the quiet bit (0x0040) set, so a signalling NaN's payload never
    ///   rounds to ∞; ±∞ and ±0 are kept.
    @inlinable
    public static func bfloat16Bits(_ x: Float) -> UInt16 {
        let bits = x.bitPattern
        if x.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x0040 }
        if x.isSubnormal { return UInt16(truncatingIfNeeded: bits >> 16) & 0x8000 }
        return UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }

    /// The Float whose bits are `bits` followed by sixteen zeros (a bfloat16 widened exactly).
    @inlinable
    public static func float(bfloat16Bits bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    /// `x` rounded to bfloat16 and widened back to Float.
    @inlinable
    public static func roundedToBFloat16(_ x: Float) -> Float {
        float(bfloat16Bits: bfloat16Bits(x))
    }

    /// Every entry of `x` rounded to bfloat16 (as Floats): the emulated bf16 path's operands.
    public static func roundedToBFloat16(_ x: Matrix) -> Matrix {
        Matrix(rows: x.rows, columns: x.columns, unsafeUninitializedStorage: { output in
            x.withUnsafeBufferPointer { input in
                guard let source = input.baseAddress, let target = output.baseAddress else { return }
                let sharedSource = SharedPointer(source), sharedTarget = SharedMutablePointer(target)
                parallelRanges(input.count, minimumPerChunk: 65_536) { range in
                    for i in range { sharedTarget.base[i] = roundedToBFloat16(sharedSource.base[i]) }
                }
            }
        })
    }
}
