import Foundation
import TensorCore

extension GivenRatingSplit {
    /// Reads `train.csv` and `test.csv` (required) and `validation.csv` (optional) from `folder`;
    /// each may be gzip-compressed as `NAME.csv.gz`. Lines are `user,item,rating[,…]` with integer
    /// original ids (extra fields are ignored). A first line whose first field is not an integer is
    /// a header and skipped. Errors are `DataError`s naming the file and line: a bad line, an empty
    /// or missing file, a (user, item) pair repeated within a file or present in two files.
    public static func load(folder: String, validationFraction: Double = 0.1) throws -> GivenRatingSplit {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder), isFolder.boolValue else {
            throw DataError.cannotOpen(file: folder, reason: "no such folder")
        }
        func locate(_ name: String) -> String? {
            let plain = (folder as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: plain) { return plain }
            if FileManager.default.fileExists(atPath: plain + ".gz") { return plain + ".gz" }
            return nil
        }
        func required(_ name: String) throws -> String {
            guard let path = locate(name) else {
                throw DataError.invalidSplitFolder(folder: folder, reason: "missing \(name) (or \(name).gz)")
            }
            return path
        }
        let trainPath = try required("train.csv"), testPath = try required("test.csv")
        let validationPath = locate("validation.csv")
        let files = [(trainPath, try read(trainPath)), (testPath, try read(testPath))]
            + (try validationPath.map { [($0, try read($0))] } ?? [])
        let userIDs = union(files.map(\.1.userIDs)), itemIDs = union(files.map(\.1.itemIDs))
        let parts = files.map { reindexed($0.1.ratings, rowIDs: $0.1.userIDs, columnIDs: $0.1.itemIDs,
                                          into: userIDs, itemIDs) }
        for first in parts.indices {
            for second in parts.indices where second > first {
                if let (row, column) = firstCommonEntry(parts[first], parts[second]) {
                    throw DataError.invalidSplitFolder(folder: folder, reason:
                        "user \(userIDs[row]), item \(itemIDs[column]) is in both \(files[first].0) and \(files[second].0)")
                }
            }
        }
        return GivenRatingSplit(folder: folder, userIDs: userIDs, itemIDs: itemIDs, train: parts[0], test: parts[1],
                                validation: parts.count > 2 ? parts[2] : nil, validationFraction: validationFraction)
    }

    /// One file as `Interactions` (comma-separated, rating in column 2, duplicates rejected).
    static func read(_ path: String) throws -> Interactions {
        let format = DelimitedFormat(delimiter: ",", hasHeader: try startsWithHeader(path), ratingColumn: 2,
                                     timestampColumn: nil, duplicates: .reject)
        return try Interactions.load(path: path, format: format)
    }

    /// Whether the first non-blank line's first field is not an integer (a header such as `user,item,rating`).
    static func startsWithHeader(_ path: String) throws -> Bool {
        struct Found: Error { let header: Bool }
        do {
            try LineReader(path: path).forEachLine { line, _ in
                if DelimitedLineParser.isBlank(line) { return }
                let end = line.firstIndex(of: 0x2C) ?? line.count
                throw Found(header: FieldParsing.integer(UnsafeBufferPointer(rebasing: line[0..<end])) == nil)
            }
        } catch let found as Found {
            return found.header
        }
        return false
    }

    /// The sorted union of sorted id lists.
    static func union(_ lists: [[Int64]]) -> [Int64] {
        Array(Set(lists.joined())).sorted()
    }

    /// `matrix` (rows and columns numbered by `rowIDs`, `columnIDs`) in the index space of the
    /// larger sorted id lists `allRows`, `allColumns` (each id of the smaller lists is in them).
    static func reindexed(_ matrix: SparseMatrix, rowIDs: [Int64], columnIDs: [Int64],
                          into allRows: [Int64], _ allColumns: [Int64]) -> SparseMatrix {
        let columnMap = positions(of: columnIDs, in: allColumns).map(Int32.init)
        let rowMap = positions(of: rowIDs, in: allRows)
        var pointers = [Int](repeating: 0, count: allRows.count + 1)
        for row in 0..<matrix.rows { pointers[rowMap[row] + 1] = matrix.count(inRow: row) }
        for row in 0..<allRows.count { pointers[row + 1] += pointers[row] }
        // Both maps increase, so rows stay in order and columns stay sorted within a row.
        let columns = matrix.columnIndices.map { columnMap[Int($0)] }
        return SparseMatrix(rows: allRows.count, columns: allColumns.count, rowPointers: pointers,
                            columnIndices: columns, values: matrix.values)
    }

    /// The index of each id of sorted `ids` in sorted `all` (every id present), by one merge walk.
    static func positions(of ids: [Int64], in all: [Int64]) -> [Int] {
        var result = [Int](), cursor = 0
        result.reserveCapacity(ids.count)
        for id in ids {
            while all[cursor] != id { cursor += 1 }
            result.append(cursor)
        }
        return result
    }

    /// The first (row, column) stored in both matrices of one shape, or nil.
    static func firstCommonEntry(_ a: SparseMatrix, _ b: SparseMatrix) -> (Int, Int)? {
        for row in 0..<a.rows {
            var i = a.range(ofRow: row).lowerBound, j = b.range(ofRow: row).lowerBound
            let iEnd = a.range(ofRow: row).upperBound, jEnd = b.range(ofRow: row).upperBound
            while i < iEnd && j < jEnd {
                let ca = a.columnIndices[i], cb = b.columnIndices[j]
                if ca == cb { return (row, Int(ca)) }
                if ca < cb { i += 1 } else { j += 1 }
            }
        }
        return nil
    }
}
