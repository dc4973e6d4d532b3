/// How the columns of a delimited ratings file are laid out.
///
/// Columns are 0-based. Identifiers must be integers (non-negative unless
/// `allowsNegativeIdentifiers`); ratings are decimal numbers within `ratingScale`; timestamps are
/// integers (seconds) or `YYYY-MM-DD` dates. Without a rating column every row counts as
/// `implicitRating`. Blank lines are skipped; every other line must parse or the load throws.
public struct DelimitedFormat: Sendable, Equatable {
    /// Field separator, one or more bytes (`"\t"`, `","`, `"::"`).
    public var delimiter: String
    /// Whether the file may start with a header: the first non-blank line is skipped as one when
    /// neither its user nor its item field is an integer; a line with an integer id is data.
    public var hasHeader: Bool
    /// Column of the user id.
    public var userColumn: Int
    /// Column of the item id.
    public var itemColumn: Int
    /// Column of the rating, or nil for implicit feedback.
    public var ratingColumn: Int?
    /// Column of the timestamp, or nil when there is none.
    public var timestampColumn: Int?
    /// When set, every line must have exactly this many fields (extra fields are an error).
    public var fieldCount: Int?
    /// The rating given to every row when `ratingColumn` is nil.
    public var implicitRating: Float
    /// What to do with repeated (user, item) pairs.
    public var duplicates: DuplicatePolicy
    /// The values a rating may take; others are `DataError.valueOutOfRange` naming the line.
    public var ratingScale: RatingScale
    /// Whether ids may be negative (else a negative id is `DataError.valueOutOfRange`).
    public var allowsNegativeIdentifiers: Bool

    /// A format with the given layout; by default `user, item, rating, timestamp`, extra fields
    /// allowed, ratings on the generic scale (finite, |r| ≤ 10⁹), ids of any sign.
    public init(delimiter: String, hasHeader: Bool = false, userColumn: Int = 0, itemColumn: Int = 1,
                ratingColumn: Int? = 2, timestampColumn: Int? = 3, fieldCount: Int? = nil,
                implicitRating: Float = 1, duplicates: DuplicatePolicy = .keepLast,
                ratingScale: RatingScale = .generic, allowsNegativeIdentifiers: Bool = true) {
        precondition(!delimiter.isEmpty, "DelimitedFormat: the delimiter must not be empty")
        self.delimiter = delimiter
        self.hasHeader = hasHeader
        self.userColumn = userColumn
        self.itemColumn = itemColumn
        self.ratingColumn = ratingColumn
        self.timestampColumn = timestampColumn
        self.fieldCount = fieldCount
        self.implicitRating = implicitRating
        self.duplicates = duplicates
        self.ratingScale = ratingScale
        self.allowsNegativeIdentifiers = allowsNegativeIdentifiers
    }

    /// MovieLens 100K `u.data`: `user \t item \t rating \t timestamp`, no header; whole stars 1–5.
    public static let movieLens100K = DelimitedFormat(delimiter: "\t", fieldCount: 4, ratingScale: .wholeStars,
                                                      allowsNegativeIdentifiers: false)
    /// MovieLens 1M / 10M `ratings.dat`: `UserID::MovieID::Rating::Timestamp`, no header; half stars 0.5–5.
    public static let movieLensDat = DelimitedFormat(delimiter: "::", fieldCount: 4, ratingScale: .halfStars,
                                                     allowsNegativeIdentifiers: false)
    /// MovieLens 20M / 25M / latest `ratings.csv`: header `userId,movieId,rating,timestamp`; half stars 0.5–5.
    public static let movieLensCSV = DelimitedFormat(delimiter: ",", hasHeader: true, fieldCount: 4,
                                                     ratingScale: .halfStars, allowsNegativeIdentifiers: false)

    /// The format MovieLens uses for a file of this name (`u.data`, `ratings.dat`, `ratings.csv`,
    /// optionally `.gz`), or nil for another name.
    public static func movieLens(fileName: String) -> DelimitedFormat? {
        var name = fileName.split(separator: "/").last.map(String.init) ?? fileName
        if name.hasSuffix(".gz") { name.removeLast(3) }
        if name == "u.data" || name.hasSuffix(".base") || name.hasSuffix(".test") { return .movieLens100K }
        if name.hasSuffix(".dat") { return .movieLensDat }
        if name.hasSuffix(".csv") { return .movieLensCSV }
        return nil
    }
}

/// Splits and parses lines of one `DelimitedFormat` straight from bytes.
struct DelimitedLineParser {
    let format: DelimitedFormat
    let path: String
    private let delimiter: [UInt8]
    /// The delimiter's bytes.
    var delimiterBytes: [UInt8] { delimiter }
    /// Fields a line needs to hold every used column.
    let neededFields: Int

    init(format: DelimitedFormat, path: String) {
        self.format = format
        self.path = path
        delimiter = Array(format.delimiter.utf8)
        neededFields = [format.userColumn, format.itemColumn, format.ratingColumn ?? 0,
                        format.timestampColumn ?? 0].max().map { $0 + 1 } ?? 2
    }

    /// One parsed row.
    struct Row { var user: Int64; var item: Int64; var rating: Float; var timestamp: Int64 }

    /// Whether a line holds only spaces, tabs or nothing.
    @inline(__always)
    static func isBlank(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in line where byte != 0x20 && byte != 0x09 { return false }
        return true
    }

    /// Checks that a header line splits into enough fields with this delimiter.
    func checkHeader(_ line: UnsafeBufferPointer<UInt8>, number: Int) throws {
        let fields = fieldRanges(line)
        if fields.count < neededFields { try throwMissing(line, number: number, fields: fields.count) }
    }

    /// Whether the first non-blank line of a file that may have a header is one: neither its user
    /// nor its item field is an integer (or it has too few fields, which `checkHeader` reports).
    /// A line with an integer id is data, parsed (and reported when bad), never skipped.
    func isHeader(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        let fields = fieldRanges(line)
        guard fields.count > max(format.userColumn, format.itemColumn) else { return true }
        return FieldParsing.integer(slice(line, fields[format.userColumn])) == nil
            && FieldParsing.integer(slice(line, fields[format.itemColumn])) == nil
    }

    /// Parses one non-blank data line or throws the `DataError` that names it.
    @inline(__always)
    func parse(_ line: UnsafeBufferPointer<UInt8>, number: Int) throws -> Row {
        let first = delimiter[0]
        let width = delimiter.count
        var field = 0, fieldStart = 0, index = 0
        var user = 0..<0, item = 0..<0, rating = 0..<0, time = 0..<0
        let userColumn = format.userColumn, itemColumn = format.itemColumn
        let ratingColumn = format.ratingColumn ?? -1, timeColumn = format.timestampColumn ?? -1
        let count = line.count
        while true {
            var atDelimiter = false
            if width == 1 {
                // Fast path for one-byte delimiters: skip to the next delimiter or the end.
                while index < count && line[index] != first { index += 1 }
                atDelimiter = index < count
            } else if index < count && line[index] == first {
                atDelimiter = index + width <= count && matchesRest(line, at: index)
            }
            if index == count || atDelimiter {
                let range = fieldStart..<index
                if field == userColumn { user = range }
                if field == itemColumn { item = range }
                if field == ratingColumn { rating = range }
                if field == timeColumn { time = range }
                if index == count { break }
                field += 1
                index += width
                fieldStart = index
            } else {
                index += 1
            }
        }
        let fields = field + 1
        if fields < neededFields { try throwMissing(line, number: number, fields: fields) }
        if let expected = format.fieldCount, fields != expected {
            throw DataError.malformedLine(file: path, line: number, text: DataError.excerpt(line),
                                          reason: "expected \(expected) fields separated by \(Self.name(format.delimiter)), found \(fields)")
        }
        let userID = try identifier(line, user, number: number, column: "user id")
        let itemID = try identifier(line, item, number: number, column: "item id")
        var value = format.implicitRating
        if ratingColumn >= 0 {
            guard let parsed = FieldParsing.number(slice(line, rating)) else {
                throw DataError.invalidRating(file: path, line: number, text: DataError.excerpt(line),
                                              value: DataError.excerpt(slice(line, rating)))
            }
            guard format.ratingScale.contains(parsed) else {
                throw DataError.valueOutOfRange(file: path, line: number, text: DataError.excerpt(line), column: "rating",
                                                value: DataError.excerpt(FieldParsing.trimmed(slice(line, rating))),
                                                allowed: format.ratingScale.description)
            }
            value = parsed
        }
        var timestamp: Int64 = 0
        if timeColumn >= 0 {
            guard let parsed = FieldParsing.timestamp(slice(line, time)) else {
                throw DataError.invalidTimestamp(file: path, line: number, text: DataError.excerpt(line),
                                                 value: DataError.excerpt(slice(line, time)))
            }
            timestamp = parsed
        }
        return Row(user: userID, item: itemID, rating: value, timestamp: timestamp)
    }

    /// The integer id in `range` of `line`, checked against the format's sign rule.
    @inline(__always)
    private func identifier(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>, number: Int,
                            column: String) throws -> Int64 {
        guard let id = FieldParsing.integer(slice(line, range)) else {
            throw DataError.invalidIdentifier(file: path, line: number, text: DataError.excerpt(line),
                                              value: DataError.excerpt(slice(line, range)))
        }
        if id < 0 && !format.allowsNegativeIdentifiers {
            throw DataError.valueOutOfRange(file: path, line: number, text: DataError.excerpt(line), column: column,
                                            value: String(id), allowed: "non-negative integers")
        }
        return id
    }

    @inline(__always)
    private func matchesRest(_ line: UnsafeBufferPointer<UInt8>, at index: Int) -> Bool {
        for offset in 1..<delimiter.count where line[index + offset] != delimiter[offset] { return false }
        return true
    }

    @inline(__always)
    private func slice(_ line: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(rebasing: line[range])
    }

    private func fieldRanges(_ line: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0, index = 0
        while index < line.count {
            if line[index] == delimiter[0] && index + delimiter.count <= line.count && matchesRest(line, at: index) {
                ranges.append(start..<index)
                index += delimiter.count
                start = index
            } else { index += 1 }
        }
        ranges.append(start..<line.count)
        return ranges
    }

    /// Throws `wrongDelimiter` when a one-field line would split with a common other delimiter,
    /// else `missingColumn` naming the first needed column that is absent.
    private func throwMissing(_ line: UnsafeBufferPointer<UInt8>, number: Int, fields: Int) throws -> Never {
        let text = DataError.excerpt(line)
        if fields == 1 {
            let content = String(decoding: line, as: UTF8.self)
            for other in ["::", "\t", ",", ";", "|", " "] where other != format.delimiter && content.contains(other) {
                throw DataError.wrongDelimiter(file: path, line: number, text: text,
                                               expected: Self.name(format.delimiter), found: Self.name(other))
            }
        }
        let names = [(format.userColumn, "user"), (format.itemColumn, "item"),
                     (format.ratingColumn ?? -1, "rating"), (format.timestampColumn ?? -1, "timestamp")]
        let missing = names.filter { $0.0 >= fields }.min { $0.0 < $1.0 }
        let column = missing.map { "\($0.0 + 1) (\($0.1))" } ?? "\(neededFields)"
        throw DataError.missingColumn(file: path, line: number, text: text, column: column, fieldsFound: fields)
    }

    /// A readable name for a delimiter in messages.
    static func name(_ delimiter: String) -> String {
        switch delimiter {
        case "\t": return "tab"
        case " ": return "space"
        default: return "\"\(delimiter)\""
        }
    }
}
