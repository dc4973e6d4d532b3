import Testing
import Kernels
import TensorCore

/// `Kernels.fingerprint` against the published FNV-1a 64-bit test vectors, and
/// `Kernels.discardUniforms` against drawing the same uniforms one by one (the naive reference).
@Suite struct DigestAndGeneratorKernelTests {
    @Test func fingerprintIsFNV1a64() {
        #expect(Kernels.fingerprint([]) == 0xcbf2_9ce4_8422_2325)
        #expect(Kernels.fingerprint(Array("a".utf8)) == 0xaf63_dc4c_8601_ec8c)
        #expect(Kernels.fingerprint(Array("foobar".utf8)) == 0x8594_4171_f739_67e8)
        #expect(Kernels.fingerprint([1, 2]) != Kernels.fingerprint([2, 1]))
    }

    @Test func discardingUniformsLeavesTheGeneratorWhereDrawingThemWould() {
        for count in [0, 1, 7, 1000] {
            var discarded = RandomGenerator(seed: 42), drawn = RandomGenerator(seed: 42)
            Kernels.discardUniforms(count, using: &discarded)
            for _ in 0..<count { _ = drawn.nextUniform() }
            #expect(discarded.nextUniform() == drawn.nextUniform(), "after \(count)")
        }
    }
}
