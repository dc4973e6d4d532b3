import TensorCore

extension Kernels {
    /// log-sum-exp of every row, computed stably as max + log Σ exp(x − max).
    public static func logSumExpRows(_ x: Matrix) -> [Float] {
        var result = [Float](repeating: 0, count: x.rows)
        for r in 0..<x.rows {
            var largest = -Float.infinity
            for c in 0..<x.columns { largest = max(largest, x.storage[r * x.columns + c]) }
            if largest == -Float.infinity { result[r] = -Float.infinity; continue }
            var sum: Double = 0
            for c in 0..<x.columns { sum += Double(expf(x.storage[r * x.columns + c] - largest)) }
            result[r] = largest + Float(log(sum))
        }
        return result
    }

    /// Row-wise log-softmax: x − logsumexp(x) per row.
    public static func logSoftmaxRows(_ x: Matrix) -> Matrix {
        let lse = logSumExpRows(x)
        var y = x
        for r in 0..<x.rows {
            for c in 0..<x.columns { y.storage[r * x.columns + c] -= lse[r] }
        }
        return y
    }

    /// Row-wise softmax: exp(x − logsumexp(x)) per row.
    public static func softmaxRows(_ x: Matrix) -> Matrix {
        var y = logSoftmaxRows(x)
        for i in 0..<y.count { y.storage[i] = expf(y.storage[i]) }
        return y
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
