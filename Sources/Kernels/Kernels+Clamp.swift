import TensorCore

/// Clamping (hardtanh) of a matrix, on all or some columns, and its backward pass.
extension Kernels {
    /// min(max(x, low), high) on the entries of `columns` (all columns when nil); the others pass through.
    public static func clamp(_ x: Matrix, low: Float, high: Float, columns: Range<Int>? = nil) -> Matrix {
        let range = columns ?? 0..<x.columns
        precondition(range.lowerBound >= 0 && range.upperBound <= x.columns && low <= high,
                     "clamp: columns \(range) of \(x.shapeDescription), bounds [\(low), \(high)]")
        if range == 0..<x.columns {                                                     // every entry (pseudo-inputs [K, I])
            return elementwise(x, minimumPerChunk: 65_536) { source, destination, span in
                for i in span { destination[i] = min(max(source[i], low), high) }
            }
        }
        var y = x
        for r in 0..<x.rows {
            for c in range { y.storage[r * x.columns + c] = min(max(x.storage[r * x.columns + c], low), high) }
        }
        return y
    }

    /// dx for y = clamp(x): dy where low < x < high (hardtanh's derivative, PyTorch's convention of
    /// zero at the bounds), 0 outside, on `columns`; dy passes unchanged in the other columns.
    public static func clampBackward(_ dy: Matrix, input x: Matrix, low: Float, high: Float, columns: Range<Int>? = nil) -> Matrix {
        let range = columns ?? 0..<x.columns
        precondition(dy.rows == x.rows && dy.columns == x.columns && range.lowerBound >= 0 && range.upperBound <= x.columns,
                     "clampBackward: dy \(dy.shapeDescription), x \(x.shapeDescription), columns \(range)")
        if range == 0..<x.columns {
            return elementwise(dy, x) { gradient, input, out, span in
                for i in span { out[i] = input[i] > low && input[i] < high ? gradient[i] : 0 }
            }
        }
        var dx = dy
        for r in 0..<x.rows {
            for c in range {
                let value = x.storage[r * x.columns + c]
                if !(value > low && value < high) { dx.storage[r * x.columns + c] = 0 }   // ∂clamp/∂x = [low < x < high]
            }
        }
        return dx
    }
}
