extension SparseMatrix {
    /// The same shape with only the stored entries whose position e (index into `values`) satisfies
    /// `keep(e)`; row order and within-row order are kept. Splits use it to cut one matrix into parts.
    public func keepingEntries(where keep: (Int) -> Bool) -> SparseMatrix {
        var pointers = [0], columns: [Int32] = [], kept: [Float] = []
        pointers.reserveCapacity(rows + 1)
        for row in 0..<rows {
            for position in range(ofRow: row) where keep(position) {
                columns.append(columnIndices[position])
                kept.append(values[position])
            }
            pointers.append(columns.count)
        }
        return SparseMatrix(rows: rows, columns: self.columns, rowPointers: pointers, columnIndices: columns, values: kept)
    }
}
