extension SparseMatrix {
    /// The rows `range` as their own CSR matrix (a contiguous batch: one copy of their entries).
    public func rows(in range: Range<Int>) -> SparseMatrix {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows,
                     "Row range \(range) outside sparse matrix with \(rows) rows")
        let start = rowPointers[range.lowerBound], end = rowPointers[range.upperBound]
        let pointers = rowPointers[range.lowerBound...range.upperBound].map { $0 - start }
        return SparseMatrix(rows: range.count, columns: columns, rowPointers: pointers,
                            columnIndices: Array(columnIndices[start..<end]), values: Array(values[start..<end]))
    }

    /// The rows listed in `indices`, in that order, as their own CSR matrix (a shuffled batch).
    public func rows(at indices: [Int]) -> SparseMatrix {
        var pointers = [Int]()
        pointers.reserveCapacity(indices.count + 1)
        pointers.append(0)
        var total = 0
        for r in indices {
            precondition(r >= 0 && r < rows, "Row \(r) outside sparse matrix with \(rows) rows")
            total += rowPointers[r + 1] - rowPointers[r]
            pointers.append(total)
        }
        var newIndices = [Int32]()
        var newValues = [Float]()
        newIndices.reserveCapacity(total)
        newValues.reserveCapacity(total)
        for r in indices {
            let span = rowPointers[r]..<rowPointers[r + 1]
            newIndices.append(contentsOf: columnIndices[span])
            newValues.append(contentsOf: values[span])
        }
        return SparseMatrix(rows: indices.count, columns: columns, rowPointers: pointers,
                            columnIndices: newIndices, values: newValues)
    }

    /// The same pattern with every stored value replaced by `value` (e.g. binarised clicks).
    public func withValues(_ value: Float) -> SparseMatrix {
        SparseMatrix(rows: rows, columns: columns, rowPointers: rowPointers, columnIndices: columnIndices,
                     values: [Float](repeating: value, count: nonZeroCount))
    }

    /// The same pattern with new values (one per stored entry, in storage order).
    public func withValues(_ newValues: [Float]) -> SparseMatrix {
        precondition(newValues.count == nonZeroCount,
                     "withValues needs \(nonZeroCount) values, got \(newValues.count)")
        return SparseMatrix(rows: rows, columns: columns, rowPointers: rowPointers, columnIndices: columnIndices,
                            values: newValues)
    }

    /// The transpose, as CSR (item-by-user from user-by-item), by a counting sort: O(nnz + columns).
    public func transposed() -> SparseMatrix {
        var pointers = [Int](repeating: 0, count: columns + 1)
        for c in columnIndices { pointers[Int(c) + 1] += 1 }
        for c in 0..<columns { pointers[c + 1] += pointers[c] }
        var cursor = pointers
        var newIndices = [Int32](repeating: 0, count: nonZeroCount)
        var newValues = [Float](repeating: 0, count: nonZeroCount)
        for r in 0..<rows {
            for k in rowPointers[r]..<rowPointers[r + 1] {
                let c = Int(columnIndices[k])
                newIndices[cursor[c]] = Int32(r)
                newValues[cursor[c]] = values[k]
                cursor[c] += 1
            }
        }
        return SparseMatrix(rows: columns, columns: rows, rowPointers: pointers, columnIndices: newIndices,
                            values: newValues)
    }
}
