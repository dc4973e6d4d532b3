import Testing
import TensorCore
@testable import Kernels

/// The bf16 GEMM (both paths) against the Double triple loop on bfloat16-rounded operands: what is
/// left is the fp32 accumulation, so the tolerance is the fp32 GEMM's.
@Suite struct BFloat16GEMMTests {
    /// Odd shapes, k odd (a half pair), k past one depth panel (384; AMX 1024), m past one row block
    /// (240; AMX: 1 MiB of packed A, 512 rows at k ≥ 1024), n past one column panel (2048), and products large enough to be split by rows, columns
    /// and depth (GEMMPartition) on two or more threads.
    static let shapes = [GEMMShape(m: 1, n: 1, k: 1), GEMMShape(m: 17, n: 9, k: 33), GEMMShape(m: 7, n: 13, k: 777),
                         GEMMShape(m: 251, n: 67, k: 257), GEMMShape(m: 12, n: 32, k: 2), GEMMShape(m: 5, n: 2_100, k: 3),
                         GEMMShape(m: 64, n: 300, k: 120), GEMMShape(m: 300, n: 70, k: 110),
                         GEMMShape(m: 20, n: 40, k: 3_000), GEMMShape(m: 530, n: 37, k: 1_100)]

    /// The reference: op(A)·op(B) in Double on the operands rounded to bfloat16.
    static func reference(_ a: Matrix, _ b: Matrix, transposeA: Bool, transposeB: Bool) -> [[Double]] {
        Reference.gemm(Kernels.roundedToBFloat16(a), Kernels.roundedToBFloat16(b), transposeA: transposeA, transposeB: transposeB)
    }

    static func tolerance(_ k: Int) -> (Double, Double) {
        (2e-6 * Double(k).squareRoot() + 1e-6, Double(k).squareRoot())
    }

    @Test(arguments: BFloat16Path.available, shapes)
    func matchesTheRoundedTripleLoop(path: BFloat16Path, shape: GEMMShape) {
        for (tA, tB) in GEMMTests.transposes {
            let (a, b) = GEMMTests.operands(shape, tA, tB, seed: UInt64(shape.m * 37 + shape.k))
            var c = Matrix(rows: shape.m, columns: shape.n)
            Kernels.gemmBFloat16(a, b, transposeA: tA, transposeB: tB, into: &c, accumulate: false, path: path)
            let (tolerance, scale) = Self.tolerance(shape.k)
            Reference.expectClose(c, Self.reference(a, b, transposeA: tA, transposeB: tB), tolerance: tolerance, scale: scale,
                                  "\(path) \(shape.testDescription) tA \(tA) tB \(tB)")
        }
    }

    /// Skipped, with its message, where the CPU lacks AVX512_BF16: then every test above ran the
    /// emulated path only.
    @Test(.enabled(if: BFloat16Path.cpuSupportsAVX512,
                   "this CPU lacks AVX512_BF16 (grep avx512_bf16 /proc/cpuinfo): the fast bf16 path is skipped, only the emulated path is tested"))
    func avx512PathIsTested() {
        #expect(BFloat16Path.available.contains(.avx512))
        #expect(BFloat16Path.fastest != .emulated)
    }

    /// Skipped, with its message, where AMX-BF16 is missing or the kernel did not grant the tile state.
    @Test(.enabled(if: BFloat16Path.cpuSupportsAMX,
                   "no AMX-BF16 here (grep amx_bf16 /proc/cpuinfo, and Linux ≥ 5.16 for the tile state): the AMX path is skipped"))
    func amxPathIsTested() {
        #expect(BFloat16Path.available == [.amx, .avx512, .emulated])
        #expect(BFloat16Path.fastest == .amx)
    }

    /// The rounding is really applied: an operand that bfloat16 cannot hold gives the rounded product.
    @Test(arguments: BFloat16Path.available)
    func operandsAreRounded(path: BFloat16Path) {
        let a = Matrix([[1.00390625, 3]]), b = Matrix([[1], [1.01171875]])   // ties: to 1 and to 1.015625
        var c = Matrix(rows: 1, columns: 1)
        Kernels.gemmBFloat16(a, b, into: &c, accumulate: false, path: path)
        #expect(c[0, 0] == 1 + 3 * 1.015625, "\(path): \(c[0, 0])")
    }

    @Test(arguments: BFloat16Path.available)
    func alphaBetaAndAccumulate(path: BFloat16Path) {
        let shape = GEMMShape(m: 19, n: 37, k: 29)
        for (tA, tB) in GEMMTests.transposes {
            let (a, b) = GEMMTests.operands(shape, tA, tB, seed: 7)
            let start = Reference.matrix(shape.m, shape.n, seed: 99)
            let product = Self.reference(a, b, transposeA: tA, transposeB: tB)
            var c = start
            Kernels.gemmBFloat16(a, b, transposeA: tA, transposeB: tB, alpha: -0.5, beta: 2, into: &c, accumulate: true, path: path)
            let expected = (0..<shape.m).map { i in (0..<shape.n).map { j in -0.5 * product[i][j] + 2 * Double(start[i, j]) } }
            Reference.expectClose(c, expected, tolerance: 1e-5, "\(path) α/β tA \(tA) tB \(tB)")

            var d = start                                           // β = 1 keeps C unrounded: only operands are bf16
            Kernels.gemmBFloat16(a, b, transposeA: tA, transposeB: tB, alpha: 3, beta: 1, into: &d, accumulate: true, path: path)
            let expectedD = (0..<shape.m).map { i in (0..<shape.n).map { j in 3 * product[i][j] + Double(start[i, j]) } }
            Reference.expectClose(d, expectedD, tolerance: 1e-5, "\(path) accumulate tA \(tA) tB \(tB)")
        }
    }

    @Test(arguments: BFloat16Path.available)
    func overwriteIgnoresOldContentsAndEmptyDepthScales(path: BFloat16Path) {
        let (a, b) = GEMMTests.operands(GEMMShape(m: 13, n: 11, k: 5), false, false, seed: 3)
        var c = Matrix(rows: 13, columns: 11, repeating: .nan)
        Kernels.gemmBFloat16(a, b, beta: 5, into: &c, accumulate: false, path: path)
        Reference.expectClose(c, Self.reference(a, b, transposeA: false, transposeB: false), "\(path)")

        var d = Matrix(rows: 4, columns: 3, repeating: 2)                    // k = 0: C ← β·C
        Kernels.gemmBFloat16(Matrix(rows: 4, columns: 0), Matrix(rows: 0, columns: 3), beta: 0.5, into: &d,
                             accumulate: true, path: path)
        #expect(d == Matrix(rows: 4, columns: 3, repeating: 1), "\(path)")
    }

    /// `gemm` follows the thread's precision: bf16 inside `withProductPrecision(.bfloat16)`, the
    /// default outside, and an explicit `precision:` wins.
    @Test func gemmFollowsTheThreadPrecision() {
        let a = Matrix([[1.00390625]]), b = Matrix([[1]])
        let outside = Kernels.productPrecision
        let inside = Kernels.withProductPrecision(.bfloat16) { (Kernels.productPrecision, Kernels.gemm(a, b)[0, 0]) }
        #expect(inside.0 == .bfloat16)
        #expect(inside.1 == 1, "bf16 rounds 1 + 2⁻⁸ to 1")
        #expect(Kernels.productPrecision == outside, "the previous precision is restored")
        let explicit = Kernels.withProductPrecision(.bfloat16) { Kernels.gemm(a, b, precision: .float32)[0, 0] }
        #expect(explicit == 1.00390625)
        #expect(Kernels.withProductPrecision(.float32) { Kernels.gemm(a, b)[0, 0] } == 1.00390625)
    }

    /// The log line names the precision and, for bf16, the path; for fp32 it points to the flag
    /// exactly where the CPU has AMX-BF16 (the only path faster than fp32).
    @Test func precisionLineNamesThePathAndTheFasterChoice() {
        #expect(Kernels.productPrecisionDescription(.bfloat16).hasSuffix("(\(BFloat16Path.fastest.description))"))
        let fp32 = Kernels.productPrecisionDescription(.float32)
        #expect(fp32.hasPrefix("products: fp32"))
        #expect(fp32.contains("--precision bf16") == BFloat16Path.cpuSupportsAMX, "\(fp32)")
    }

    @Test func precisionArguments() {
        #expect(ProductPrecision(argument: "bf16") == .bfloat16)
        #expect(ProductPrecision(argument: " BF16 ") == .bfloat16)
        #expect(ProductPrecision(argument: "fp32") == .float32)
        #expect(ProductPrecision(argument: "fp16") == nil)
        #expect(ProductPrecision(argument: "") == nil)
    }

    /// The two paths agree with each other to fp32 accumulation order on a product split over threads.
    @Test func pathsAgree() {
        let a = Reference.matrix(61, 1_203, seed: 11), b = Reference.matrix(45, 1_203, seed: 12)
        let results = BFloat16Path.available.map { path -> Matrix in
            var c = Matrix(rows: 61, columns: 45)
            Kernels.gemmBFloat16(a, b, transposeB: true, into: &c, accumulate: false, path: path)
            return c
        }
        for result in results.dropFirst() { Reference.expectClose(result, Reference.nested(results[0]), tolerance: 1e-5, scale: 35) }
    }
}
