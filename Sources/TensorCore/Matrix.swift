/// A dense, row-major matrix of `Float`: element (r, c) lives at `storage[r * columns + c]`.
///
/// A value type with copy-on-write storage. It holds data and shape only; every numeric loop over
/// it lives in the `Kernels` module.
public struct Matrix: Sendable, Equatable {
    /// Number of rows (for a batch: one per user).
    public private(set) var rows: Int
    /// Number of columns.
    public private(set) var columns: Int
    /// The elements, row after row. Kernels write elements in place; they must never change the
    /// element count (`storage.count == rows * columns`). No property observer here on purpose: an
    /// observed property cannot be modified in place, so every element write would copy the array.
    public var storage: [Float]

    /// A `rows × columns` matrix with every element equal to `value`.
    public init(rows: Int, columns: Int, repeating value: Float = 0) {
        precondition(rows >= 0 && columns >= 0, "Matrix shape must be non-negative, got \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.storage = [Float](unsafeUninitializedCapacity: rows * columns) { buffer, count in
            HugePages.advise(buffer)                                    // before the first write
            buffer.initialize(repeating: value)
            count = rows * columns
        }
    }

    /// A `rows × columns` matrix taking `storage` as its row-major elements.
    public init(rows: Int, columns: Int, storage: [Float]) {
        precondition(rows >= 0 && columns >= 0, "Matrix shape must be non-negative, got \(rows)×\(columns)")
        precondition(storage.count == rows * columns,
                     "Matrix of shape \(rows)×\(columns) needs \(rows * columns) values, got \(storage.count)")
        self.rows = rows
        self.columns = columns
        self.storage = storage
    }

    /// A matrix from nested rows (tests and small fixtures); every row must have the same length.
    public init(_ nestedRows: [[Float]]) {
        let columnCount = nestedRows.first?.count ?? 0
        for (index, row) in nestedRows.enumerated() {
            precondition(row.count == columnCount,
                         "Matrix row \(index) has \(row.count) values, row 0 has \(columnCount)")
        }
        self.init(rows: nestedRows.count, columns: columnCount, storage: nestedRows.flatMap { $0 })
    }

    /// A matrix that takes ownership of storage filled in place by `initializer`, skipping the zero fill.
    public init(rows: Int, columns: Int,
                unsafeUninitializedStorage initializer: (UnsafeMutableBufferPointer<Float>) -> Void) {
        precondition(rows >= 0 && columns >= 0, "Matrix shape must be non-negative, got \(rows)×\(columns)")
        self.rows = rows
        self.columns = columns
        self.storage = [Float](unsafeUninitializedCapacity: rows * columns) { buffer, count in
            HugePages.advise(buffer)                                    // before the first write
            initializer(buffer)
            count = rows * columns
        }
    }

    /// The element at row `row`, column `column` (bounds-checked).
    public subscript(row: Int, column: Int) -> Float {
        get {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns,
                         "Index (\(row), \(column)) outside matrix of shape \(rows)×\(columns)")
            return storage[row * columns + column]
        }
        set {
            precondition(row >= 0 && row < rows && column >= 0 && column < columns,
                         "Index (\(row), \(column)) outside matrix of shape \(rows)×\(columns)")
            storage[row * columns + column] = newValue
        }
    }

    /// Number of elements.
    public var count: Int { rows * columns }

    /// The shape as `(rows, columns)`, handy in precondition messages.
    public var shape: (rows: Int, columns: Int) { (rows, columns) }

    /// A printable shape such as `500×600`.
    public var shapeDescription: String { "\(rows)×\(columns)" }

    /// The same storage viewed with another shape of equal element count.
    public func reshaped(rows newRows: Int, columns newColumns: Int) -> Matrix {
        precondition(newRows * newColumns == count,
                     "Cannot reshape \(shapeDescription) (\(count) values) to \(newRows)×\(newColumns)")
        return Matrix(rows: newRows, columns: newColumns, storage: storage)
    }

    /// One row copied out as an array.
    public func row(_ index: Int) -> [Float] {
        precondition(index >= 0 && index < rows, "Row \(index) outside matrix with \(rows) rows")
        return Array(storage[(index * columns)..<((index + 1) * columns)])
    }

    /// Calls `body` with a read-only pointer to the row-major elements.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try storage.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with a mutable pointer to the row-major elements.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        try storage.withUnsafeMutableBufferPointer(body)
    }
}

extension Matrix: CustomStringConvertible {
    /// A short description: the shape and, for small matrices, the values.
    public var description: String {
        if count > 64 { return "Matrix(\(shapeDescription))" }
        let body = (0..<rows).map { r in
            (0..<columns).map { c in "\(storage[r * columns + c])" }.joined(separator: ", ")
        }.joined(separator: "; ")
        return "Matrix(\(shapeDescription): [\(body)])"
    }
}
