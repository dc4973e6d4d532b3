#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import TensorCore

extension Kernels {
    /// log Σ_c e^{row[c]} computed stably as max + log Σ e^{row[c] − max}. The exponentials use
    /// `exp8`; eight Float lanes are summed per block of 256 columns and the block sums in Double.
    @inline(__always)
    static func logSumExp(_ row: UnsafePointer<Float>, count: Int, scratch: UnsafeMutablePointer<Float>) -> Float {
        guard count > 0 else { return -.infinity }
        var largest = -Float.infinity
        var i = 0
        if count >= 8 {
            var lanes = SIMD8<Float>(repeating: -.infinity)
            while i + 8 <= count {
                let v = UnsafeRawPointer(row + i).loadUnaligned(as: SIMD8<Float>.self)
                lanes.replace(with: v, where: v .> lanes)
                i += 8
            }
            largest = lanes.max()
        }
        while i < count { largest = max(largest, row[i]); i += 1 }
        if largest == -.infinity { return -.infinity }     // every entry −∞ (or empty)
        if !largest.isFinite { return largest }            // +∞ or NaN dominates
        var total: Double = 0
        var blockStart = 0
        while blockStart < count {
            let blockCount = min(256, count - blockStart)
            exponential(row + blockStart, plus: -largest, into: scratch, count: blockCount)
            var lanes = SIMD8<Float>()
            var j = 0
            while j + 8 <= blockCount {
                lanes += UnsafeRawPointer(scratch + j).loadUnaligned(as: SIMD8<Float>.self)
                j += 8
            }
            var blockTotal = lanes.sum()
            while j < blockCount { blockTotal += scratch[j]; j += 1 }
            total += Double(blockTotal)
            blockStart += blockCount
        }
        return largest + Float(log(total))
    }

    /// Runs `body(row, out, scratch)` for every row of x in parallel; `scratch` holds 256 floats.
    @inline(__always)
    static func rowMap(_ x: Matrix,
                       _ body: @Sendable (UnsafePointer<Float>, UnsafeMutablePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> Matrix {
        let rows = x.rows, columns = x.columns
        return Matrix(rows: rows, columns: columns) { out in
            x.withUnsafeBufferPointer { source in
                guard let s = source.baseAddress, let d = out.baseAddress else { return }
                let sp = SharedPointer(s), dp = SharedMutablePointer(d)
                parallelRanges(rows, minimumPerChunk: max(1, 16_384 / max(1, columns))) { range in
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: 256)
                    defer { scratch.deallocate() }
                    for r in range { body(sp.base + r * columns, dp.base + r * columns, scratch) }
                }
            }
        }
    }

    /// log-sum-exp of every row, computed stably as max + log Σ exp(x − max).
    public static func logSumExpRows(_ x: Matrix) -> [Float] {
        let columns = x.columns
        return rowwise(x, minimumRowsPerChunk: max(1, 16_384 / max(1, columns))) { row in
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 256) { scratch in
                guard let base = scratch.baseAddress else { return -.infinity }
                return logSumExp(row, count: columns, scratch: base)
            }
        }
    }

    /// Row-wise log-softmax: x − logsumexp(x) per row.
    public static func logSoftmaxRows(_ x: Matrix) -> Matrix {
        let columns = x.columns
        return rowMap(x) { row, out, scratch in
            let lse = logSumExp(row, count: columns, scratch: scratch)
            for c in 0..<columns { out[c] = row[c] - lse }
        }
    }

    /// Row-wise softmax: exp(x − max) / Σ exp(x − max) per row.
    public static func softmaxRows(_ x: Matrix) -> Matrix {
        let columns = x.columns
        return rowMap(x) { row, out, scratch in
            let lse = logSumExp(row, count: columns, scratch: scratch)
            guard lse.isFinite else {
                // All −∞ (or a +∞/NaN entry): fall back to exp(x − lse) entry by entry.
                for c in 0..<columns { out[c] = expf(row[c] - lse) }
                return
            }
            // e^{x − lse} = e^{x − max} · e^{max − lse}
            exponential(row, plus: -lse, into: out, count: columns)
        }
    }
}
