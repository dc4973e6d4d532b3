extension DelimitedFormat {
    /// `--format csv` with ratings: `user,item,rating[,…]`, header optional, extra fields ignored.
    public static let ratingsCSV = DelimitedFormat(delimiter: ",", hasHeader: true, ratingColumn: 2, timestampColumn: nil)
    /// `--format csv` without ratings: `user,item` and nothing else, header optional; every row is
    /// one click (rating 1). A later line with a third field is `malformedLine` naming it.
    public static let clicksCSV = DelimitedFormat(delimiter: ",", hasHeader: true, ratingColumn: nil,
                                                  timestampColumn: nil, fieldCount: 2)
}

extension DataRequest {
    /// How a `--format csv` file is read: as clicks (`DelimitedFormat.clicksCSV`) when its first
    /// non-blank line (header or data) has exactly two comma-separated fields, else as ratings
    /// (`DelimitedFormat.ratingsCSV`). Play counts, bookmarks and purchases come as `user,item`.
    public static func csvLayout(path: String) throws -> DelimitedFormat {
        struct FirstLine: Error { let fields: Int }
        do {
            try LineReader(path: path).forEachLine { line, _ in
                if DelimitedLineParser.isBlank(line) { return }
                throw FirstLine(fields: line.lazy.filter { $0 == 0x2C }.count + 1)
            }
        } catch let first as FirstLine {
            return first.fields == 2 ? .clicksCSV : .ratingsCSV
        }
        return .ratingsCSV   // an empty file: the loader reports it
    }

    /// Whether the ratings file at `path` in `format` has a rating column (a two-field `--format csv`
    /// file has none: it is clicks). Split folders answer false for a vae_cf split, true otherwise.
    public func hasRatingColumn(path: String, format: DataFormat) throws -> Bool {
        switch format {
        case .csv: return try Self.csvLayout(path: path).ratingColumn != nil
        case .vaeCFSplit: return false
        case .movielens100k, .movielens1m, .movielens20m, .netflix, .ratingSplit: return true
        }
    }
}
