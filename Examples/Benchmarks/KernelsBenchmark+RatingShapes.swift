import Kernels
import TensorCore

extension KernelsBenchmark {
    /// The three CSR products of I-AutoRec's ML-1M evaluation (3,706 item rows × 6,040 users,
    /// ~4.2 % stored, hidden 500) on every `SparseProductPath` available, alternated call by call;
    /// ms per call (median) and the vector path's time over the portable one's.
    static func ratingShapeSparseBenchmarks(repetitions: Int, rng: inout RandomGenerator) {
        let rows = 3706, columns = 6040, hidden = 500, density: Float = 0.042
        var triplets: [(row: Int, column: Int, value: Float)] = []
        for r in 0..<rows {
            for c in 0..<columns where rng.nextUniform() < density { triplets.append((r, c, Float(1 + rng.nextBelow(5)))) }
        }
        let s = SparseMatrix(rows: rows, columns: columns, triplets: triplets)
        let v = Kernels.randomUniform(rows: columns, columns: hidden, low: -1, high: 1, using: &rng)
        let a = Kernels.randomUniform(rows: rows, columns: hidden, low: -1, high: 1, using: &rng)
        var g = Matrix(rows: columns, columns: hidden)
        print("\nsparse at I-AutoRec's ML-1M shape (\(rows) rows × \(columns), \(s.nonZeroCount) entries, hidden \(hidden); \(Kernels.threadCount) thread(s))")
        let kernels: [(String, (SparseProductPath) -> Void)] = [
            ("csr×dense   S·V  [3706×6040]·[6040×500]", { _ = Kernels.sparseDenseProduct(s, v, path: $0) }),
            ("csrᵀ×dense  Sᵀ·A [6040×3706]·[3706×500] +=", { Kernels.sparseTransposeDenseProduct(s, a, accumulatingInto: &g, path: $0) }),
            ("sampled     A·Vᵀ at S's entries", { _ = Kernels.sampledProduct(left: a, right: v, at: s, path: $0) }),
        ]
        comparePaths(kernels, repetitions: repetitions)
    }

    /// Each kernel on every `SparseProductPath` available, alternated call by call: ms per call
    /// (median of `repetitions`) and the vector path's time over the portable one's.
    static func comparePaths(_ kernels: [(String, (SparseProductPath) -> Void)], repetitions: Int) {
        for (label, run) in kernels {
            var seconds: [SparseProductPath: [Double]] = [:]
            for path in SparseProductPath.available { run(path) }                   // warm-up
            for _ in 0..<repetitions {
                for path in SparseProductPath.available {
                    seconds[path, default: []] += BenchmarkTiming.measure(repetitions: 1) { run(path) }
                }
            }
            let medians = SparseProductPath.available.map { ($0, BenchmarkTiming.median(seconds[$0] ?? [])) }
            let text = medians.map { "\($0.0 == .vector ? "vector" : "portable") \(BenchmarkTiming.format($0.1 * 1000, digits: 3)) ms" }
            let ratio = medians.count == 2 ? "  vector/portable \(BenchmarkTiming.format(medians[0].1 / medians[1].1, digits: 3))" : ""
            print("  \(label)  \(text.joined(separator: ", "))\(ratio)")
        }
    }
}
