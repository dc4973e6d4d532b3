import Kernels
import TensorCore

extension KernelsBenchmark {
    /// The three decoder products in bf16 on each hardware path here (AMX, AVX512_BF16) against fp32
    /// on the active backend (OpenBLAS when it loads), alternated pair by pair in this process:
    /// medians of each side's GFLOP/s and the median of the per-pair speed-ups (fp32 time / bf16 time).
    static func bfloat16Comparison(repetitions: Int, rng: inout RandomGenerator) {
        let paths = BFloat16Path.available.filter { $0 != .emulated }
        if paths.isEmpty { print("\nbf16: no AMX-BF16 or AVX512_BF16 on this CPU; the emulated path is not benchmarked") }
        for path in paths { bfloat16Comparison(path: path, repetitions: repetitions, rng: &rng) }
    }

    static func bfloat16Comparison(path: BFloat16Path, repetitions: Int, rng: inout RandomGenerator) {
        print("\nbf16 (\(path)) vs fp32 (\(Kernels.activeBackend)), alternated pairs, first pair a warm-up:")
        for gemmCase in gemmCases.prefix(3) {
            let operands = gemmCase.operands(using: &rng)
            let (a, b) = (operands.a, operands.b)
            var c = operands.c
            var half: [Double] = [], single: [Double] = []
            for pair in 0...repetitions {
                let h = BenchmarkTiming.measure(repetitions: 1) {
                    Kernels.gemmBFloat16(a, b, transposeA: gemmCase.transposeA, transposeB: gemmCase.transposeB,
                                         into: &c, accumulate: false, path: path)
                }
                let s = BenchmarkTiming.measure(repetitions: 1) {
                    Kernels.gemm(a, b, transposeA: gemmCase.transposeA, transposeB: gemmCase.transposeB,
                                 into: &c, accumulate: false, precision: .float32)
                }
                if pair > 0 { half += h; single += s }
            }
            let flops = 2 * Double(gemmCase.m) * Double(gemmCase.n) * Double(gemmCase.k)
            let speedups = zip(single, half).map { $0 / $1 }
            print("  \(gemmCase.label.padding(62)) bf16 \(BenchmarkTiming.format(flops / BenchmarkTiming.median(half) / 1e9)) GFLOP/s, "
                  + "fp32 \(BenchmarkTiming.format(flops / BenchmarkTiming.median(single) / 1e9)) GFLOP/s, "
                  + "speed-up (pair median) \(BenchmarkTiming.format(BenchmarkTiming.median(speedups), digits: 2))× "
                  + "[min \(BenchmarkTiming.format(speedups.min() ?? 0, digits: 2)), max \(BenchmarkTiming.format(speedups.max() ?? 0, digits: 2))]")
        }
    }
}
