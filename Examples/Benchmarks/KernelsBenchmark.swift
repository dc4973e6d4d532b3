import Kernels
import TensorCore

/// `Benchmarks kernels`: GEMM and CSR×dense throughput for every backend that loads here.
enum KernelsBenchmark {
    /// One GEMM case: op(A)·op(B) with op(A) [m, k] and op(B) [k, n].
    struct GEMMCase {
        let label: String
        let m: Int, n: Int, k: Int
        let transposeA: Bool, transposeB: Bool

        /// Uniform(−1, 1) operands A and B stored as the case transposes them, and a zero C.
        func operands(using rng: inout RandomGenerator) -> (a: Matrix, b: Matrix, c: Matrix) {
            let aShape = transposeA ? (k, m) : (m, k)
            let bShape = transposeB ? (n, k) : (k, n)
            return (Kernels.randomUniform(rows: aShape.0, columns: aShape.1, low: -1, high: 1, using: &rng),
                    Kernels.randomUniform(rows: bShape.0, columns: bShape.1, low: -1, high: 1, using: &rng),
                    Matrix(rows: m, columns: n))
        }
    }

    /// The Mult-VAE decoder's products (B = 500 users, H = 600 hidden, I = 20108 items), plus small ones.
    static let gemmCases: [GEMMCase] = [
        GEMMCase(label: "forward  Y = h·W      [500×600]·[600×20108]", m: 500, n: 20108, k: 600,
                 transposeA: false, transposeB: false),
        GEMMCase(label: "backward dW = hᵀ·dY   [600×500]·[500×20108] (transposeA)", m: 600, n: 20108, k: 500,
                 transposeA: true, transposeB: false),
        GEMMCase(label: "backward dX = dY·Wᵀ   [500×20108]·[20108×600] (transposeB)", m: 500, n: 600, k: 20108,
                 transposeA: false, transposeB: true),
        GEMMCase(label: "hidden   [500×600]·[600×200]", m: 500, n: 200, k: 600,
                 transposeA: false, transposeB: false),
        GEMMCase(label: "hidden   [500×600]·[600×600]", m: 500, n: 600, k: 600,
                 transposeA: false, transposeB: false),
    ]

    static func run(_ arguments: [String]) -> Int32 {
        var repetitions = 7, onlyBFloat16 = false, onlySparse = false
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--help", "-h":
                print("usage: Benchmarks kernels [--repetitions N] [--bf16-only | --sparse-only]   (median of N timed runs after one warm-up;")
                print("       default 7; --bf16-only: only the bf16-vs-fp32 pairs at the decoder shapes; --sparse-only: only the")
                print("       CSR products, Mult-VAE's first layer and I-AutoRec's ML-1M shape on every sparse path)")
                return 0
            case "--bf16-only":
                onlyBFloat16 = true
            case "--sparse-only":
                onlySparse = true
            case "--repetitions":
                guard let text = iterator.next(), let value = Int(text), value > 0 else {
                    print("--repetitions needs a positive integer"); return 1
                }
                repetitions = value
            default:
                print("unknown option '\(argument)' (try --help)"); return 1
            }
        }
        print("threads: \(Kernels.threadCount); repetitions: \(repetitions) (median reported)")
        var rng = RandomGenerator(seed: 42)
        if onlyBFloat16 {
            bfloat16Comparison(repetitions: repetitions, rng: &rng)
            return 0
        }
        if onlySparse {
            sparseBenchmarks(repetitions: repetitions, rng: &rng)
            ratingShapeSparseBenchmarks(repetitions: repetitions, rng: &rng)
            return 0
        }
        for backend in Kernels.availableBackends {
            print("\nbackend \(backend)")
            for gemmCase in gemmCases {
                let operands = gemmCase.operands(using: &rng)
                let (a, b) = (operands.a, operands.b)
                var c = operands.c
                let seconds = BenchmarkTiming.median(BenchmarkTiming.measure(repetitions: repetitions) {
                    Kernels.gemm(a, b, transposeA: gemmCase.transposeA, transposeB: gemmCase.transposeB,
                                 into: &c, accumulate: false, precision: .float32, backend: backend)
                })
                let gflops = 2 * Double(gemmCase.m) * Double(gemmCase.n) * Double(gemmCase.k) / seconds / 1e9
                print("  gemm \(gemmCase.label.padding(62)) \(BenchmarkTiming.format(gflops)) GFLOP/s  \(BenchmarkTiming.format(seconds * 1000, digits: 2)) ms")
            }
        }
        partitionComparison(repetitions: repetitions, rng: &rng)
        bfloat16Comparison(repetitions: repetitions, rng: &rng)
        sparseBenchmarks(repetitions: repetitions, rng: &rng)
        ratingShapeSparseBenchmarks(repetitions: repetitions, rng: &rng)
        return 0
    }

    /// The three decoder products split by us into single-threaded calls (`GEMMPartition`) against
    /// one call threaded by OpenBLAS itself, alternated in this process; medians and the median of
    /// the per-pair time ratios.
    static func partitionComparison(repetitions: Int, rng: inout RandomGenerator) {
        guard let library = Kernels.blasLibrary, let parts = library.partitionParts else {
            print("\npartitioned products: not compared (no OpenBLAS, one thread, or \(BLASLibrary.partitionVariable)=0)")
            return
        }
        print("\npartitioned products (\(parts) single-threaded calls) vs one call threaded by the library, alternated:")
        for gemmCase in gemmCases.prefix(3) {
            let operands = gemmCase.operands(using: &rng)
            let (a, b) = (operands.a, operands.b)
            var c = operands.c
            var split: [Double] = [], whole: [Double] = []
            for pair in 0...repetitions {
                let s = BenchmarkTiming.measure(repetitions: 1) {
                    Kernels.gemm(a, b, transposeA: gemmCase.transposeA, transposeB: gemmCase.transposeB,
                                 into: &c, accumulate: false, precision: .float32, backend: .blas(library))
                }
                let w = BenchmarkTiming.measure(repetitions: 1) {
                    Kernels.gemmUsingLibraryThreading(a, b, transposeA: gemmCase.transposeA,
                                                      transposeB: gemmCase.transposeB, into: &c, library: library)
                }
                if pair > 0 { split += s; whole += w }                              // the first pair warms up
            }
            let ratios = zip(split, whole).map { $0 / $1 }
            let plan = GEMMPartition.plan(m: gemmCase.m, n: gemmCase.n, k: gemmCase.k, parts: parts)
            let splitMs = BenchmarkTiming.format(BenchmarkTiming.median(split) * 1000, digits: 2)
            let wholeMs = BenchmarkTiming.format(BenchmarkTiming.median(whole) * 1000, digits: 2)
            print("  \(gemmCase.label.padding(62)) \(planName(plan)): split \(splitMs) ms, library-threaded \(wholeMs) ms, "
                  + "pair ratio median \(BenchmarkTiming.format(BenchmarkTiming.median(ratios), digits: 3))")
        }
    }

    static func planName(_ plan: GEMMPartition) -> String {
        switch plan {
        case .whole: return "whole"
        case .rows(let pieces): return "\(pieces.count) row pieces"
        case .columns(let pieces): return "\(pieces.count) column pieces"
        case .depth(let pieces): return "\(pieces.count) depth pieces"
        }
    }

    /// CSR×dense forward and CSRᵀ×dense gradient at 500 users × ~70 clicks × 600 hidden.
    static func sparseBenchmarks(repetitions: Int, rng: inout RandomGenerator) {
        let users = 500, items = 20108, hidden = 600, clicks = 70
        var triplets: [(row: Int, column: Int, value: Float)] = []
        for user in 0..<users {
            var seen = Set<Int>()
            let count = clicks / 2 + Int(rng.nextBelow(UInt64(clicks)))   // 35...104, mean ≈ 70
            while seen.count < count { seen.insert(Int(rng.nextBelow(UInt64(items)))) }
            for item in seen.sorted() { triplets.append((user, item, 1)) }
        }
        let s = SparseMatrix(rows: users, columns: items, triplets: triplets)
        let w = Kernels.randomUniform(rows: items, columns: hidden, low: -1, high: 1, using: &rng)
        let d = Kernels.randomUniform(rows: users, columns: hidden, low: -1, high: 1, using: &rng)
        let flops = 2 * Double(s.nonZeroCount) * Double(hidden)
        print("\nsparse (\(SparseProductPath.fastest); \(users) users, \(s.nonZeroCount) clicks, \(items) items, \(hidden) hidden)")
        let forward = BenchmarkTiming.median(BenchmarkTiming.measure(repetitions: repetitions) {
            _ = Kernels.sparseDenseProduct(s, w)
        })
        print("  csr×dense   S·W   [500×20108]·[20108×600]  \(BenchmarkTiming.format(flops / forward / 1e9)) GFLOP/s  \(BenchmarkTiming.format(forward * 1000, digits: 3)) ms")
        var g = Matrix(rows: items, columns: hidden)
        let backward = BenchmarkTiming.median(BenchmarkTiming.measure(repetitions: repetitions) {
            Kernels.sparseTransposeDenseProduct(s, d, accumulatingInto: &g)
        })
        print("  csrᵀ×dense  Sᵀ·D  [20108×500]·[500×600] += \(BenchmarkTiming.format(flops / backward / 1e9)) GFLOP/s  \(BenchmarkTiming.format(backward * 1000, digits: 3)) ms")
        var gPaths = Matrix(rows: items, columns: hidden)
        print("  the same two on every sparse path, alternated:")
        comparePaths([("csr×dense   S·W  ", { _ = Kernels.sparseDenseProduct(s, w, path: $0) }),
                      ("csrᵀ×dense  Sᵀ·D +=", { Kernels.sparseTransposeDenseProduct(s, d, accumulatingInto: &gPaths, path: $0) })],
                     repetitions: repetitions)
        firstLayerAdamStep(s, d, label: "uniform items", repetitions: repetitions)
        // Real click data is skewed: popular items' rows are hit again and again (and stay in cache).
        var skewed: [(row: Int, column: Int, value: Float)] = []
        for user in 0..<users {
            var seen = Set<Int>()
            let count = clicks / 2 + Int(rng.nextBelow(UInt64(clicks)))
            while seen.count < count {
                let u = Double(rng.nextUniform())
                seen.insert(min(items - 1, Int(Double(items) * u * u * u)))       // item = ⌊I·u³⌋
            }
            for item in seen.sorted() { skewed.append((user, item, 1)) }
        }
        firstLayerAdamStep(SparseMatrix(rows: users, columns: items, triplets: skewed), d,
                           label: "skewed items ⌊I·u³⌋", repetitions: repetitions)
    }

    /// The first encoder layer's whole weight update, both ways, alternated: eager (Sᵀ·D scattered
    /// into a zeroed [I, H] gradient, then Adam's fused pass reading and zeroing it) and deferred
    /// (Adam computing Sᵀ·D a block of items at a time, no gradient matrix).
    static func firstLayerAdamStep(_ s: SparseMatrix, _ d: Matrix, label: String, repetitions: Int) {
        let items = s.columns, hidden = d.columns
        var value = Matrix(rows: items, columns: hidden), m = value, v = value, gradient = value
        var eager: [Double] = [], deferred: [Double] = []
        for step in 1...(repetitions + 1) {
            let eagerSeconds = BenchmarkTiming.measure(repetitions: 1) {
                Kernels.sparseTransposeDenseProduct(s, d, accumulatingInto: &gradient)
                _ = Kernels.adamUpdateZeroingGradient(value: &value, gradient: &gradient, firstMoment: &m, secondMoment: &v,
                                                      learningRate: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-8,
                                                      weightDecay: 0, step: 2 * step - 1)
            }
            let deferredSeconds = BenchmarkTiming.measure(repetitions: 1) {
                _ = Kernels.adamUpdate(value: &value, gradientSource: SparseTransposeProductGradient(input: s, outputGradient: d),
                                       firstMoment: &m, secondMoment: &v, learningRate: 1e-3, beta1: 0.9, beta2: 0.999,
                                       epsilon: 1e-8, weightDecay: 0, step: 2 * step)
            }
            if step > 1 { eager += eagerSeconds; deferred += deferredSeconds }     // the first pair warms up
        }
        let e = BenchmarkTiming.median(eager), f = BenchmarkTiming.median(deferred)
        print("  Adam step of the sparse layer's W [20108×600], \(label), \(s.nonZeroCount) clicks:")
        print("    eager Sᵀ·D + Adam pass \(BenchmarkTiming.format(e * 1000, digits: 2)) ms, deferred \(BenchmarkTiming.format(f * 1000, digits: 2)) ms (ratio \(BenchmarkTiming.format(f / e, digits: 3)))")
    }
}
