import Foundation

/// One parsed row handed from a scanner to the builder: file, line, its text, and the values.
typealias RowVisitor = (_ file: String, _ line: Int, _ text: UnsafeBufferPointer<UInt8>,
                        _ user: Int64, _ item: Int64, _ rating: Float, _ timestamp: Int64) throws -> Void

extension Interactions {
    /// Loads a delimited ratings file (gzip-compressed when the name ends in `.gz`).
    /// Plain files are parsed in parallel (see `loadInParallel`); gzip files, and files whose ids
    /// or timestamps do not fit in 32 unsigned bits, are read line by line. Both give the same table.
    public static func load(path: String, format: DelimitedFormat) throws -> Interactions {
        try load(path: path, format: format, segments: nil)
    }

    /// `load`, with the number of parallel segments fixed (tests use it to cut small files).
    static func load(path: String, format: DelimitedFormat, segments: Int?) throws -> Interactions {
        let scan: (RowVisitor) throws -> Void = { visit in try scanDelimited(path: path, format: format, visit) }
        if !path.hasSuffix(".gz") {
            switch try loadInParallel(path: path, format: format, segments: segments) {
            case let .table(table):
                return table
            case let .duplicate(userID, itemID):
                try locateDuplicate(userID: userID, itemID: itemID, label: path, scan: scan)
            case .needsGeneralPath:
                break
            }
        }
        return try assemble(timed: format.timestampColumn != nil, policy: format.duplicates, label: path, scan: scan)
    }

    /// Loads a MovieLens ratings file, choosing the format from its name: `u.data` (100K, tab),
    /// `ratings.dat` (1M / 10M, `::`), `ratings.csv` (20M / 25M / latest, with header).
    public static func loadMovieLens(path: String, duplicates: DuplicatePolicy = .keepLast) throws -> Interactions {
        guard var format = DelimitedFormat.movieLens(fileName: path) else {
            throw DataError.cannotOpen(file: path, reason: "not a MovieLens ratings file name (u.data, ratings.dat, ratings.csv)")
        }
        format.duplicates = duplicates
        return try load(path: path, format: format)
    }

    /// Loads the Netflix Prize `training_set/` folder (files `mv_*.txt`, optionally `.gz`), or one
    /// file in the same layout: a `MovieID:` line, then `CustomerID,Rating,YYYY-MM-DD` lines.
    /// Users are customers, items are movies, timestamps are the dates at midnight UTC.
    public static func loadNetflix(path: String, duplicates: DuplicatePolicy = .keepLast) throws -> Interactions {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw DataError.cannotOpen(file: path, reason: "no such file or folder")
        }
        var files = [path]
        if isFolder.boolValue {
            let names: [String]
            do { names = try FileManager.default.contentsOfDirectory(atPath: path) } catch {
                throw DataError.cannotOpen(file: path, reason: "\(error)")
            }
            files = names.filter { $0.hasSuffix(".txt") || $0.hasSuffix(".txt.gz") }.sorted()
                .map { (path as NSString).appendingPathComponent($0) }
            guard !files.isEmpty else { throw DataError.emptyFile(file: path) }
        }
        return try assemble(timed: true, policy: duplicates, label: path) { visit in
            for file in files { try scanNetflix(path: file, visit) }
        }
    }

    /// Runs `scan` into a builder, applies the duplicate policy, and on a rejected duplicate runs
    /// `scan` again to name both lines.
    static func assemble(timed: Bool, policy: DuplicatePolicy, label: String,
                         scan: (RowVisitor) throws -> Void) throws -> Interactions {
        var builder = InteractionsBuilder(timed: timed)
        try scan { _, _, _, user, item, rating, timestamp in
            builder.append(user: user, item: item, rating: rating, timestamp: timestamp)
        }
        switch try builder.build(file: label, policy: policy) {
        case let .table(table):
            return table
        case let .duplicate(userID, itemID):
            try locateDuplicate(userID: userID, itemID: itemID, label: label, scan: scan)
        }
    }

    /// Runs `scan` again to throw the `duplicateInteraction` error naming both lines of a pair.
    static func locateDuplicate(userID: Int64, itemID: Int64, label: String,
                                scan: (RowVisitor) throws -> Void) throws -> Never {
        var first: Int?
        try scan { file, line, text, user, item, _, _ in
            guard user == userID && item == itemID else { return }
            if let first {
                throw DataError.duplicateInteraction(file: file, line: line, text: DataError.excerpt(text),
                                                     firstLine: first)
            }
            first = line
        }
        throw DataError.duplicateInteraction(file: label, line: 0, text: "user \(userID), item \(itemID)",
                                             firstLine: first ?? 0)
    }

    static func scanDelimited(path: String, format: DelimitedFormat, _ visit: RowVisitor) throws {
        try scanDelimited(lines: LineReader(path: path), format: format, visit)
    }

    /// Scans the lines of `reader` (a file, or an entry of a zip archive) in `format`.
    static func scanDelimited(lines reader: LineReader, format: DelimitedFormat, _ visit: RowVisitor) throws {
        let path = reader.path
        let parser = DelimitedLineParser(format: format, path: path)
        var headerPending = format.hasHeader
        var rows = 0
        try reader.forEachLine { line, number in
            if DelimitedLineParser.isBlank(line) { return }
            if headerPending {
                headerPending = false
                if parser.isHeader(line) {
                    try parser.checkHeader(line, number: number)
                    return
                }
            }
            let row = try parser.parse(line, number: number)
            rows += 1
            try visit(path, number, line, row.user, row.item, row.rating, row.timestamp)
        }
        if rows == 0 { throw DataError.emptyFile(file: path) }
    }

    static func scanNetflix(path: String, _ visit: RowVisitor) throws {
        let parser = DelimitedLineParser(format: DelimitedFormat(delimiter: ",", itemColumn: 0, ratingColumn: 1,
                                                                         timestampColumn: 2, fieldCount: 3,
                                                                         ratingScale: .wholeStars,
                                                                         allowsNegativeIdentifiers: false),
                                         path: path)
        let reader = try LineReader(path: path)
        var movie: Int64?
        var rows = 0
        try reader.forEachLine { line, number in
            if DelimitedLineParser.isBlank(line) { return }
            let trimmed = FieldParsing.trimmed(line)
            if let last = trimmed.last, last == 0x3A {  // "MovieID:"
                guard let id = FieldParsing.integer(UnsafeBufferPointer(rebasing: trimmed.dropLast())) else {
                    throw DataError.invalidIdentifier(file: path, line: number, text: DataError.excerpt(line),
                                                      value: DataError.excerpt(line))
                }
                guard id >= 0 else {
                    throw DataError.valueOutOfRange(file: path, line: number, text: DataError.excerpt(line),
                                                    column: "movie id", value: String(id), allowed: "non-negative integers")
                }
                movie = id
                return
            }
            guard let item = movie else {
                throw DataError.malformedLine(file: path, line: number, text: DataError.excerpt(line),
                                              reason: "rating line before any \"MovieID:\" line")
            }
            // Columns: CustomerID, Rating, Date (the parser's item column repeats the customer).
            let row = try parser.parse(line, number: number)
            rows += 1
            try visit(path, number, line, row.user, item, row.rating, row.timestamp)
        }
        if rows == 0 { throw DataError.emptyFile(file: path) }
    }
}
