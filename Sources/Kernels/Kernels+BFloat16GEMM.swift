import CBF16Kernels
import TensorCore

/// How a bf16 product is computed: AMX tiles, the AVX512_BF16 kernel, or the portable emulation.
public enum BFloat16Path: Sendable, Equatable, CustomStringConvertible {
    /// `tdpbf16ps` on AMX tiles (CBF16Kernels/AMXBF16GEMM.c): the same packing and rounding as
    /// `.avx512`, 32 × 32 blocks of C in four tiles.
    case amx
    /// `vdpbf16ps` (CBF16Kernels/BF16GEMM.c): operands rounded to bfloat16 while packed, fp32 sums.
    case avx512
    /// Both operands rounded to bfloat16 in Swift (`Kernels.bfloat16Bits`), then the fp32 GEMM of
    /// the given backend: a product of two bfloat16 values is exact in fp32, so only the order of
    /// the fp32 sums differs from the fast path. Slow (two rounded copies), but runs everywhere.
    case emulated

    public var description: String {
        switch self {
        case .amx: return "AMX-BF16 tdpbf16ps kernel"
        case .avx512: return "AVX512_BF16 vdpbf16ps kernel"
        case .emulated: return "emulated: operands rounded in Swift, fp32 GEMM"
        }
    }

    /// Whether this CPU and operating system run the AVX512_BF16 kernel (CPUID and XGETBV, once).
    public static let cpuSupportsAVX512: Bool = zoo_bf16_cpu_supported() != 0

    /// Whether AMX-BF16 runs here (CPUID, and on Linux the tile state granted to this process, once).
    public static let cpuSupportsAMX: Bool = zoo_amx_bf16_supported() != 0

    /// The path `gemm` takes for bf16: AMX, else the AVX512_BF16 kernel, else the emulation.
    /// (vdpbf16ps is not faster than fp32 FMAs on every CPU — on the one it was written on it ran
    /// at half their rate — but it is still the fastest way to bf16 numerics without AMX.)
    public static var fastest: BFloat16Path { available[0] }

    /// Every path that can run here, fastest first (tests run each).
    public static var available: [BFloat16Path] {
        (cpuSupportsAMX ? [.amx] : []) + (cpuSupportsAVX512 ? [.avx512] : []) + [.emulated]
    }
}

extension Kernels {
    /// C = α·op(A)·op(B) (+ β·C) with both operands rounded to bfloat16 and fp32 accumulation, on
    /// `path`; the emulated path's fp32 product runs on `backend`. Same contract as `gemm`
    /// (accumulate == false never reads C). The fast path cuts the product into
    /// `GEMMPartition.plan`'s pieces over `threadCount` threads, as the BLAS path does.
    public static func gemmBFloat16(_ a: Matrix, _ b: Matrix, transposeA: Bool = false, transposeB: Bool = false,
                                    alpha: Float = 1, beta: Float = 1, into c: inout Matrix, accumulate: Bool,
                                    path: BFloat16Path = .fastest, backend: KernelBackend = Kernels.activeBackend) {
        switch path {
        case .emulated:
            gemm(roundedToBFloat16(a), roundedToBFloat16(b), transposeA: transposeA, transposeB: transposeB,
                 alpha: alpha, beta: beta, into: &c, accumulate: accumulate, precision: .float32, backend: backend)
        case .avx512, .amx:
            precondition(BFloat16Path.available.contains(path), "gemmBFloat16: path \(path) asked for on a CPU without it")
            withProductOperands("gemmBFloat16", a, b, transposeA: transposeA, transposeB: transposeB, beta: beta, into: &c,
                                accumulate: accumulate) { p in
                guard let (aBase, bBase) = p.factorsElseScaleC(alpha: alpha) else { return }
                bfloat16Product(onAMX: path == .amx, m: p.m, n: p.n, k: p.k, alpha: alpha, a: aBase, lda: p.lda, transposeA: transposeA,
                                b: bBase, ldb: p.ldb, transposeB: transposeB, beta: p.beta, c: p.c, ldc: p.ldc)
            }
        }
    }

    /// The AMX or AVX512_BF16 product on raw operands (m, n, k > 0), one kernel call per piece of the plan.
    static func bfloat16Product(onAMX: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>, lda: Int, transposeA: Bool,
                                b: UnsafePointer<Float>, ldb: Int, transposeB: Bool, beta: Float,
                                c: UnsafeMutablePointer<Float>, ldc: Int) {
        let sharedA = SharedPointer(a), sharedB = SharedPointer(b)
        let partition = GEMMPartition.plan(m: m, n: n, k: k, parts: threadCount)
        runPartitioned(partition, m: m, n: n, k: k, beta: beta, c: c, ldc: ldc) { rows, columns, depth, beta, target, ldt in
            let start = operandStarts(rows: rows, columns: columns, depth: depth, transposeA: transposeA, lda: lda,
                                      transposeB: transposeB, ldb: ldb)
            let kernel = onAMX ? zoo_amx_bf16_gemm : zoo_bf16_gemm
            kernel(rows.count, columns.count, depth.count, alpha, sharedA.base + start.a, lda, transposeA ? 1 : 0,
                   sharedB.base + start.b, ldb, transposeB ? 1 : 0, beta, target, ldt)
        }
    }

    /// The bfloat16 bits the AVX512_BF16 conversion instruction gives for each of `values` (tests
    /// compare them with `bfloat16Bits`); nil where the CPU lacks the instruction.
    public static func hardwareBFloat16Bits(_ values: [Float]) -> [UInt16]? {
        guard BFloat16Path.cpuSupportsAVX512 else { return nil }
        var bits = [UInt16](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { source in
            bits.withUnsafeMutableBufferPointer { target in
                guard let from = source.baseAddress, let to = target.baseAddress else { return }
                zoo_bf16_convert(from, to, values.count)
            }
        }
        return bits
    }
}
