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
    /// SIMD lanes, in parallel chunks: a maximum does not round, so any split gives the same value.
    public static func largestMagnitude(_ x: UnsafeBufferPointer<Float>) -> Float {
        guard let base = x.baseAddress, x.count > 0 else { return 0 }
        let count = x.count, chunks = max(1, min(threadCount, count / 65_536))
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: chunks)
        defer { partials.deallocate() }
        let xp = SharedPointer(base), out = SharedMutablePointer(partials)
        parallelFor(chunks: chunks) { chunk in
            let start = chunk * count / chunks, end = (chunk + 1) * count / chunks
            var largest = SIMD16<Float>(repeating: 0), poison = SIMD16<Float>(repeating: 0)   // x·0: NaN for NaN or ±∞
            var i = start
            while i + 16 <= end {
                let v = UnsafeRawPointer(xp.base + i).loadUnaligned(as: SIMD16<Float>.self)
                let magnitude = v.replacing(with: -v, where: v .< 0)          // (pointwiseMax is lane by lane)
                largest.replace(with: magnitude, where: magnitude .> largest)
                poison += v * 0
                i += 16
            }
            var result = largest.max()
            var finite = !any(poison .!= poison)
            while i < end {
                let value = xp.base[i]
                if !value.isFinite { finite = false }
                result = max(result, abs(value))
                i += 1
            }
            if !finite {                                  // rare: tell NaN from ∞ the slow way
                for j in start..<end where xp.base[j].isNaN { result = .nan; break }
                if !result.isNaN { result = .infinity }
            }
            out.base[chunk] = result
        }
        var largest: Float = 0
        for chunk in 0..<chunks {
            if partials[chunk].isNaN { return .nan }
            largest = max(largest, partials[chunk])
        }
        return largest
    }

    /// The unit (a power of two) in which at most `terms` values of magnitude ≤ `largest` are
    /// each rounded to an integer multiple, so that any sum of them is exact in Double: every
    /// multiple is at most 2^(52 − h) in magnitude, h = max(1, ⌈log₂ terms⌉), so no partial sum, in
    /// any order, passes 2^52 (and each multiple stays within 2^51, where `addMultiples` rounds by
    /// adding 1.5·2^52). Values below one unit (2^−(51 − h) of `largest`) round to 0 or ±1 unit.
    /// nil when `largest` is not finite (the sum is then not finite either: add as usual).
    public static func multipleUnit(largest: Double, terms: Int) -> Double? {
        guard largest.isFinite else { return nil }
        guard largest > 0 else { return 1 }
        let headroom = Int.bitWidth - max(1, terms - 1).leadingZeroBitCount     // max(1, ⌈log₂ terms⌉)
        // largest < 2^(exponent + 1); the unit makes that 2^(52 − headroom).
        return Double(sign: .plus, exponent: largest.exponent + 1 - (52 - headroom), significand: 1)
    }

    /// accumulator[i] += round(Double(x[i])·weight / unit) (to nearest, ties to even): x as integer
    /// multiples of `unit`, whose sums are exact (see `multipleUnit`). The rounding adds and
    /// subtracts 1.5·2^52, which rounds any |v| ≤ 2^51 to the nearest integer, ties to even, as
    /// `rounded(.toNearestOrEven)` does, in SIMD lanes (the unit keeps every multiple within 2^51).
    public static func addMultiples(of x: UnsafeBufferPointer<Float>, weight: Double, unit: Double,
                                    into accumulator: UnsafeMutableBufferPointer<Double>) {
        precondition(x.count == accumulator.count, "addMultiples: \(x.count) values, \(accumulator.count) sums")
        let scale = weight / unit                       // weight·2^−e: the product by it rounds as x·weight does
        guard let xp = x.baseAddress, let ap = accumulator.baseAddress else { return }
        let shared = SharedPointer(xp), out = SharedMutablePointer(ap)
        let magic = 6_755_399_441_055_744.0             // 1.5·2^52
        parallelRanges(x.count, minimumPerChunk: 65_536) { range in
            var i = range.lowerBound
            while i + 8 <= range.upperBound {
                let v = SIMD8<Double>(UnsafeRawPointer(shared.base + i).loadUnaligned(as: SIMD8<Float>.self)) * scale
                let sums = UnsafeRawPointer(out.base + i).loadUnaligned(as: SIMD8<Double>.self) + ((v + magic) - magic)
                UnsafeMutableRawPointer(out.base + i).storeBytes(of: sums, as: SIMD8<Double>.self)
                i += 8
            }
            while i < range.upperBound {
                out.base[i] += (Double(shared.base[i]) * scale + magic) - magic
                i += 1
            }
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
