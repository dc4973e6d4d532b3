import TensorCore

/// Sums whose bits do not depend on how the work is divided: not over threads (`withSumsIndependentOfThreads`)
/// and not over the ranks of a data-parallel group (`addMultiples` / `valuesOfMultiples`).
///
/// Float addition is not associative, so a sum split over 2 threads or 3 ranks rounds differently
/// from one over 1, and the models that amplify such differences (BENCHMARKS.md §18) end training
/// apart. The trainer's reproducible mode (`--reproducible K`, Documentation/Scaling.md) avoids
/// every such split: products are divided over threads only by rows or columns of the result, the
/// Double reductions into chunks of a fixed size, and the per-shard gradients are added as integer
/// multiples of one power of two, which a Double holds and adds exactly, in any order.
extension Kernels {
    /// Whether this thread's sums must not depend on the thread count: set by
    /// `withSumsIndependentOfThreads`, read by `GEMMPartition.plan` (no split of the depth, K) and the
    /// Double reductions (chunks of a fixed size).
    @TaskLocal public static var sumsIndependentOfThreads = false

    /// Runs `body` with `sumsIndependentOfThreads` set to `on` (a model's training and scoring run
    /// on the thread that calls them; the worker threads only run pieces already decided).
    public static func withSumsIndependentOfThreads<T>(_ on: Bool, _ body: () throws -> T) rethrows -> T {
        try $sumsIndependentOfThreads.withValue(on, operation: body)
    }

    /// Chunks of a `count`-entry Double reduction: one per thread (at least 65,536 entries each),
    /// or, when sums must not depend on the thread count, one per 65,536 entries (at most 256).
    static func reductionChunks(count: Int) -> Int {
        if sumsIndependentOfThreads { return max(1, min(256, count / 65_536)) }
        return max(1, min(threadCount, count / 65_536))
    }

    /// The largest |x[i]| (0 when empty; NaN when any entry is NaN, ∞ when one is infinite).
    public static func largestMagnitude(_ x: UnsafeBufferPointer<Float>) -> Float {
        var largest: Float = 0
        for value in x {
            if value.isNaN { return .nan }
            largest = max(largest, abs(value))
        }
        return largest
    }

    /// The unit (a power of two) in which at most `terms` values of magnitude ≤ `largest` are
    /// each rounded to an integer multiple, so that any sum of them is exact in Double: every
    /// multiple is at most 2^(52 − ⌈log₂ terms⌉) in magnitude, so no partial sum, in any order,
    /// passes 2^52. Values below one unit (2^−(51 − ⌈log₂ terms⌉) of `largest`) round to 0 or ±1 unit.
    /// nil when `largest` is not finite (the sum is then not finite either: add as usual).
    public static func multipleUnit(largest: Double, terms: Int) -> Double? {
        guard largest.isFinite else { return nil }
        guard largest > 0 else { return 1 }
        let headroom = Int.bitWidth - max(1, terms - 1).leadingZeroBitCount     // ⌈log₂ terms⌉ (0 for 1)
        // largest < 2^(exponent + 1); the unit makes that 2^(52 − headroom).
        return Double(sign: .plus, exponent: largest.exponent + 1 - (52 - headroom), significand: 1)
    }

    /// accumulator[i] += round(Double(x[i])·weight / unit) (to nearest, ties to even): x as integer
    /// multiples of `unit`, whose sums are exact (see `multipleUnit`).
    public static func addMultiples(of x: UnsafeBufferPointer<Float>, weight: Double, unit: Double,
                                    into accumulator: UnsafeMutableBufferPointer<Double>) {
        precondition(x.count == accumulator.count, "addMultiples: \(x.count) values, \(accumulator.count) sums")
        let scale = weight / unit                       // weight·2^−e: the product by it rounds as x·weight does
        guard let xp = x.baseAddress, let ap = accumulator.baseAddress else { return }
        let shared = SharedPointer(xp), out = SharedMutablePointer(ap)
        parallelRanges(x.count, minimumPerChunk: 65_536) { range in
            for i in range { out.base[i] += (Double(shared.base[i]) * scale).rounded(.toNearestOrEven) }
        }
    }

    /// y[i] = Float(multiples[i]·unit): the sums of `addMultiples` as values again.
    public static func valuesOfMultiples(_ multiples: UnsafeBufferPointer<Double>, unit: Double,
                                         into y: UnsafeMutableBufferPointer<Float>) {
        precondition(y.count == multiples.count, "valuesOfMultiples: \(multiples.count) sums, \(y.count) values")
        guard let mp = multiples.baseAddress, let yp = y.baseAddress else { return }
        let shared = SharedPointer(mp), out = SharedMutablePointer(yp)
        parallelRanges(y.count, minimumPerChunk: 65_536) { range in
            for i in range { out.base[i] = Float(shared.base[i] * unit) }
        }
    }
}
