/// A compressed-sparse-row (CSR) matrix of `Float`.
///
/// Row `r` holds the entries `columnIndices[rowPointers[r]..<rowPointers[r+1]]` with the matching
/// `values`; within a row the column indices are strictly increasing. Column indices are `Int32`
/// so an interaction costs 8 bytes (index + value) plus its share of the row pointers.
public struct SparseMatrix: Sendable, Equatable {
    /// Number of rows (users, in a user-by-item matrix).
    public let rows: Int
    /// Number of columns (items).
    public let columns: Int
    /// `rows + 1` offsets into `columnIndices` / `values`; `rowPointers[0] == 0`.
    public let rowPointers: [Int]
    /// Column of every stored entry, row after row, increasing within a row.
    public let columnIndices: [Int32]
    /// Value of every stored entry.
    public let values: [Float]

    /// A CSR matrix from its three arrays; validates the structure (shape bugs are programmer errors).
    public init(rows: Int, columns: Int, rowPointers: [Int], columnIndices: [Int32], values: [Float]) {
        precondition(rows >= 0 && columns >= 0, "SparseMatrix shape must be non-negative, got \(rows)×\(columns)")
        precondition(columns <= Int(Int32.max), "SparseMatrix has \(columns) columns, more than Int32 can index")
        precondition(rowPointers.count == rows + 1,
                     "SparseMatrix with \(rows) rows needs \(rows + 1) row pointers, got \(rowPointers.count)")
        precondition(rowPointers.first == 0, "SparseMatrix rowPointers must start at 0")
        precondition(rowPointers.last == columnIndices.count && columnIndices.count == values.count,
                     "SparseMatrix: last row pointer \(rowPointers.last ?? -1), \(columnIndices.count) indices, \(values.count) values must agree")
        #if DEBUG
        for r in 0..<rows {
            let start = rowPointers[r], end = rowPointers[r + 1]
            precondition(start <= end, "SparseMatrix row \(r): row pointers decrease (\(start) > \(end))")
            var previous: Int32 = -1
            for k in start..<end {
                let c = columnIndices[k]
                precondition(c > previous && Int(c) < columns,
                             "SparseMatrix row \(r): column \(c) out of order or outside 0..<\(columns)")
                previous = c
            }
        }
        #endif
        self.rows = rows
        self.columns = columns
        self.rowPointers = rowPointers
        self.columnIndices = columnIndices
        self.values = values
    }

    /// A CSR matrix from (row, column, value) triplets in any order; duplicates are summed.
    public init(rows: Int, columns: Int, triplets: [(row: Int, column: Int, value: Float)]) {
        var counts = [Int](repeating: 0, count: rows + 1)
        for t in triplets {
            precondition(t.row >= 0 && t.row < rows && t.column >= 0 && t.column < columns,
                         "Triplet (\(t.row), \(t.column)) outside \(rows)×\(columns)")
            counts[t.row + 1] += 1
        }
        for r in 0..<rows { counts[r + 1] += counts[r] }
        var order = [Int](repeating: 0, count: triplets.count)
        var cursor = counts
        for (index, t) in triplets.enumerated() {
            order[cursor[t.row]] = index
            cursor[t.row] += 1
        }
        var pointers = [0]
        pointers.reserveCapacity(rows + 1)
        var indices: [Int32] = []
        var entries: [Float] = []
        indices.reserveCapacity(triplets.count)
        entries.reserveCapacity(triplets.count)
        for r in 0..<rows {
            let rowEntries = order[counts[r]..<counts[r + 1]]
                .map { (column: triplets[$0].column, value: triplets[$0].value) }
                .sorted { $0.column < $1.column }
            for entry in rowEntries {
                if let last = indices.last, indices.count > pointers[r], Int(last) == entry.column {
                    entries[entries.count - 1] += entry.value
                } else {
                    indices.append(Int32(entry.column))
                    entries.append(entry.value)
                }
            }
            pointers.append(indices.count)
        }
        self.init(rows: rows, columns: columns, rowPointers: pointers, columnIndices: indices, values: entries)
    }

    /// A CSR matrix holding the non-zero entries of a dense matrix.
    public init(dense: Matrix) {
        var pointers = [0]
        var indices: [Int32] = []
        var entries: [Float] = []
        for r in 0..<dense.rows {
            for c in 0..<dense.columns where dense.storage[r * dense.columns + c] != 0 {
                indices.append(Int32(c))
                entries.append(dense.storage[r * dense.columns + c])
            }
            pointers.append(indices.count)
        }
        self.init(rows: dense.rows, columns: dense.columns, rowPointers: pointers,
                  columnIndices: indices, values: entries)
    }

    /// An empty `rows × columns` matrix.
    public static func empty(rows: Int, columns: Int) -> SparseMatrix {
        SparseMatrix(rows: rows, columns: columns, rowPointers: [Int](repeating: 0, count: rows + 1),
                     columnIndices: [], values: [])
    }

    /// Number of stored entries.
    public var nonZeroCount: Int { columnIndices.count }

    /// Number of stored entries in row `r`.
    public func count(inRow r: Int) -> Int { rowPointers[r + 1] - rowPointers[r] }

    /// The positions of row `r` inside `columnIndices` / `values`.
    public func range(ofRow r: Int) -> Range<Int> {
        precondition(r >= 0 && r < rows, "Row \(r) outside sparse matrix with \(rows) rows")
        return rowPointers[r]..<rowPointers[r + 1]
    }

    /// The column indices of row `r`.
    public func columns(inRow r: Int) -> ArraySlice<Int32> { columnIndices[range(ofRow: r)] }

    /// The values of row `r`.
    public func values(inRow r: Int) -> ArraySlice<Float> { values[range(ofRow: r)] }

    /// The dense equivalent (tests and small data only).
    public func toDense() -> Matrix {
        var dense = Matrix(rows: rows, columns: columns)
        for r in 0..<rows {
            for k in range(ofRow: r) {
                dense.storage[r * columns + Int(columnIndices[k])] = values[k]
            }
        }
        return dense
    }

    /// Approximate bytes held by the three arrays.
    public var storageBytes: Int {
        rowPointers.count * MemoryLayout<Int>.stride + columnIndices.count * MemoryLayout<Int32>.stride
            + values.count * MemoryLayout<Float>.stride
    }
}
