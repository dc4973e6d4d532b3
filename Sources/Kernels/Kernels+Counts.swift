import TensorCore

extension Kernels {
    /// The number of stored entries in each row of a CSR matrix (clicks per user).
    public static func sparseRowCounts(_ s: SparseMatrix) -> [Int] {
        (0..<s.rows).map { s.count(inRow: $0) }
    }

    /// The number of stored entries in each column of a CSR matrix (clicks per item).
    public static func sparseColumnCounts(_ s: SparseMatrix) -> [Int] {
        var counts = [Int](repeating: 0, count: s.columns)
        for column in s.columnIndices { counts[Int(column)] += 1 }
        return counts
    }

    /// How many of `values` fall in each bin of powers of two: bin 0 counts the values ≤ 0, bin k ≥ 1
    /// those in [2^(k−1), 2^k − 1] (1, 2–3, 4–7, …); the result ends at the last non-empty bin
    /// (empty for no values).
    public static func powerOfTwoHistogram(_ values: [Int]) -> [Int] {
        var counts: [Int] = []
        for value in values {
            let bin = value <= 0 ? 0 : Int.bitWidth - value.leadingZeroBitCount   // 1 → 1, 2…3 → 2, 4…7 → 3
            if bin >= counts.count { counts += [Int](repeating: 0, count: bin + 1 - counts.count) }
            counts[bin] += 1
        }
        return counts
    }
}
