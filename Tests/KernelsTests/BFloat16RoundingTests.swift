import Testing
import TensorCore
@testable import Kernels

/// The software bfloat16 rounding against hand-worked bit patterns, and against the CPU's own
/// conversion instruction where it has one.
@Suite struct BFloat16RoundingTests {
    /// (fp32 bits, expected bfloat16 bits, why) worked by hand: keep the upper 16 bits, rounding the
    /// lower 16 to nearest with ties to the even upper half.
    static let cases: [(UInt32, UInt16, String)] = [
        (0x3F80_0000, 0x3F80, "1 is exact"),
        (0x3F80_7FFF, 0x3F80, "just under half an ulp rounds down"),
        (0x3F80_8000, 0x3F80, "a tie rounds to the even 0x3F80"),
        (0x3F80_8001, 0x3F81, "just over half an ulp rounds up"),
        (0x3F81_8000, 0x3F82, "a tie above an odd half rounds up to even"),
        (0xBF80_8000, 0xBF80, "negative tie to even"),
        (0xBF81_8000, 0xBF82, "negative tie away from odd"),
        (0x4049_0FDB, 0x4049, "π rounds down to 3.140625"),
        (0x7F7F_7FFF, 0x7F7F, "just under the rounding point stays bfloat16's largest finite value"),
        (0x7F7F_FFFF, 0x7F80, "Float's largest finite value rounds up to +∞"),
        (0x7F80_0000, 0x7F80, "+∞ stays"),
        (0xFF80_0000, 0xFF80, "−∞ stays"),
        (0x0000_0000, 0x0000, "+0 stays"),
        (0x8000_0000, 0x8000, "−0 stays"),
        (0x7FC0_0000, 0x7FC0, "quiet NaN stays"),
        (0x7F80_0001, 0x7FC0, "a signalling NaN whose payload is all in the lower half becomes quiet, not ∞"),
        (0xFF81_0000, 0xFFC1, "a signalling NaN keeps sign and upper payload, gains the quiet bit"),
        (0x7FFF_FFFF, 0x7FFF, "a NaN with every bit set is not rounded up into the sign"),
        (0x0000_0001, 0x0000, "the smallest subnormal becomes +0"),
        (0x807F_FFFF, 0x8000, "the largest negative subnormal becomes −0 (the instruction treats subnormals as zero)"),
        (0x0080_0000, 0x0080, "the smallest normal is exact"),
        (0x0080_FFFF, 0x0081, "the smallest normal's neighbourhood rounds up past a half"),
    ]

    @Test func handWorkedCases() {
        for (input, expected, why) in Self.cases {
            let bits = Kernels.bfloat16Bits(Float(bitPattern: input))
            #expect(bits == expected, "0x\(String(input, radix: 16)) gave 0x\(String(bits, radix: 16)), expected 0x\(String(expected, radix: 16)): \(why)")
        }
    }

    @Test func widenedValuesAreTheRoundedFloats() {
        #expect(Kernels.roundedToBFloat16(1.00390625) == 1)                 // 1 + 2⁻⁸: a tie, to even
        #expect(Kernels.roundedToBFloat16(1.01171875) == 1.015625)          // 1 + 3·2⁻⁸: a tie, to even (up)
        #expect(Kernels.roundedToBFloat16(-3.3) == -3.296875)
        #expect(Kernels.roundedToBFloat16(.infinity) == .infinity)
        #expect(Kernels.roundedToBFloat16(.nan).isNaN)
        let matrix = Kernels.roundedToBFloat16(Matrix([[1.00390625, -3.3], [0.1, Float(bitPattern: 0x0001_0000)]]))  // the last a subnormal
        #expect(matrix == Matrix([[1, -3.296875], [0.10009765625, 0]]))
    }

    /// Patterns where rounding changes: every exponent with lower halves at and around the tie, the
    /// special values, and 200,000 random bit patterns.
    static func probePatterns() -> [UInt32] {
        var patterns = cases.map(\.0)
        for upper in stride(from: UInt32(0), through: 0xFFFF, by: 0x7F) {
            for lower: UInt32 in [0, 1, 0x7FFF, 0x8000, 0x8001, 0xFFFF] { patterns.append(upper << 16 | lower) }
        }
        var rng = RandomGenerator(seed: 2_023)
        for _ in 0..<200_000 { patterns.append(UInt32(truncatingIfNeeded: rng.next())) }
        return patterns
    }

    @Test(.enabled(if: BFloat16Path.cpuSupportsAVX512,
                   "this CPU lacks AVX512_BF16 (grep avx512_bf16 /proc/cpuinfo): the instruction cannot be compared"))
    func matchesTheConversionInstruction() throws {
        let patterns = Self.probePatterns()
        let hardware = try #require(Kernels.hardwareBFloat16Bits(patterns.map { Float(bitPattern: $0) }))
        var mismatches: [String] = []
        for (pattern, bits) in zip(patterns, hardware) where Kernels.bfloat16Bits(Float(bitPattern: pattern)) != bits {
            if mismatches.count < 5 {
                mismatches.append("0x\(String(pattern, radix: 16)): instruction 0x\(String(bits, radix: 16)), " +
                                  "software 0x\(String(Kernels.bfloat16Bits(Float(bitPattern: pattern)), radix: 16))")
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches)")
    }
}
