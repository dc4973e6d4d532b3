/// Every way reading or splitting recommender data can fail on bad input.
///
/// Each case names the file and, where the problem sits on one line, the 1-based line number and
/// the offending text (cut to 120 characters), so a user can open the file at that line.
public enum DataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file or folder could not be opened or read (`reason` is the system's message).
    case cannotOpen(file: String, reason: String)
    /// The file holds no data lines (zero bytes, or only a header and blank lines).
    case emptyFile(file: String)
    /// A line that cannot be parsed at all (e.g. too many fields for a fixed format).
    case malformedLine(file: String, line: Int, text: String, reason: String)
    /// A line has fewer fields than the column the format needs.
    case missingColumn(file: String, line: Int, text: String, column: String, fieldsFound: Int)
    /// A line splits into one field with the expected delimiter but would split with another one.
    case wrongDelimiter(file: String, line: Int, text: String, expected: String, found: String)
    /// A rating that is not a finite number (non-numeric text, NaN, infinity).
    case invalidRating(file: String, line: Int, text: String, value: String)
    /// A user or item identifier that is not an integer.
    case invalidIdentifier(file: String, line: Int, text: String, value: String)
    /// A timestamp that is neither an integer nor a `YYYY-MM-DD` date.
    case invalidTimestamp(file: String, line: Int, text: String, value: String)
    /// A repeated (user, item) pair under `DuplicatePolicy.reject`; `firstLine` is the earlier one.
    case duplicateInteraction(file: String, line: Int, text: String, firstLine: Int)
    /// A gzip stream that ends before its end marker; `line` is the line being read when it ended.
    case truncatedGzip(file: String, line: Int, text: String)
    /// A gzip stream with invalid contents (zlib's message in `reason`).
    case corruptGzip(file: String, line: Int, reason: String)
    /// zlib could not be loaded at run time (the names tried are listed).
    case zlibUnavailable(triedLibraries: [String])
    /// A split folder lacks a file it needs, or its files disagree (`reason`).
    case invalidSplitFolder(folder: String, reason: String)
    /// A time-ordered split was asked of data without timestamps (`source` names the data).
    case missingTimestamps(source: String)
    /// Timestamps span more than 2³² seconds (136 years), more than the compact storage holds.
    case timestampRangeTooWide(file: String, minimum: Int64, maximum: Int64)
    /// A line longer than `limit` bytes (`LineReader.maximumLineBytes`): not a ratings file, or a
    /// file without line breaks. Reading stops there, so the cost is bounded.
    case lineTooLong(file: String, line: Int, limit: Int)
    /// A number that parses but lies outside what the format allows (`allowed` says what it allows):
    /// a rating outside the format's scale, a negative identifier where ids are non-negative.
    case valueOutOfRange(file: String, line: Int, text: String, column: String, value: String, allowed: String)
    /// A held-out user of a split folder who is also a user of another part (`otherFile`, `otherLine`).
    case overlappingUser(file: String, line: Int, text: String, user: Int64, otherFile: String, otherLine: Int)
    /// A zip archive whose structure is broken at byte `offset` (`reason` names the field and its value).
    case corruptArchive(file: String, offset: Int, reason: String)

    /// A one-line message in `file:line: problem "text"` form, control characters escaped
    /// (`escapingControlCharacters`) so text from the file cannot steer the terminal.
    public var description: String { message.escapingControlCharacters }

    private var message: String {
        switch self {
        case let .cannotOpen(file, reason):
            return "\(file): cannot open (\(reason))"
        case let .emptyFile(file):
            return "\(file): empty file (no data lines)"
        case let .malformedLine(file, line, text, reason):
            return "\(file):\(line): malformed line \"\(text)\" (\(reason))"
        case let .missingColumn(file, line, text, column, found):
            return "\(file):\(line): missing column \(column) in \"\(text)\" (found \(found) field\(found == 1 ? "" : "s"))"
        case let .wrongDelimiter(file, line, text, expected, found):
            return "\(file):\(line): wrong delimiter in \"\(text)\": expected \(expected), the line uses \(found)"
        case let .invalidRating(file, line, text, value):
            return "\(file):\(line): rating \"\(value)\" is not a finite number in \"\(text)\""
        case let .invalidIdentifier(file, line, text, value):
            return "\(file):\(line): identifier \"\(value)\" is not an integer in \"\(text)\""
        case let .invalidTimestamp(file, line, text, value):
            return "\(file):\(line): timestamp \"\(value)\" is neither an integer nor YYYY-MM-DD in \"\(text)\""
        case let .duplicateInteraction(file, line, text, firstLine):
            return "\(file):\(line): duplicate (user, item) pair \"\(text)\", first seen on line \(firstLine)"
        case let .truncatedGzip(file, line, text):
            return "\(file):\(line): gzip stream ends early (truncated file) after \"\(text)\""
        case let .corruptGzip(file, line, reason):
            return "\(file):\(line): corrupt gzip data (\(reason))"
        case let .zlibUnavailable(tried):
            return "zlib could not be loaded (tried \(tried.joined(separator: ", "))); install zlib to read .gz files"
        case let .invalidSplitFolder(folder, reason):
            return "\(folder): invalid split folder (\(reason))"
        case let .missingTimestamps(source):
            return "\(source): no timestamps, so a time-ordered split is impossible"
        case let .timestampRangeTooWide(file, minimum, maximum):
            return "\(file): timestamps span \(minimum)...\(maximum), more than 2^32 seconds"
        case let .lineTooLong(file, line, limit):
            return "\(file):\(line): line longer than \(limit) bytes (the limit for one line; is this a text file of ratings?)"
        case let .valueOutOfRange(file, line, text, column, value, allowed):
            return "\(file):\(line): \(column) \"\(value)\" is outside the allowed values (\(allowed)) in \"\(text)\""
        case let .overlappingUser(file, line, text, user, otherFile, otherLine):
            return "\(file):\(line): user \(user) in \"\(text)\" is also a user of \(otherFile) (line \(otherLine)); the parts of a split must not share users"
        case let .corruptArchive(file, offset, reason):
            return "\(file): corrupt zip archive at byte \(offset) (\(reason))"
        }
    }

    /// The same error with every line number moved by `offset` (a segment's local numbers made the file's).
    func shiftingLines(by offset: Int) -> DataError {
        switch self {
        case let .malformedLine(file, line, text, reason):
            return .malformedLine(file: file, line: line + offset, text: text, reason: reason)
        case let .missingColumn(file, line, text, column, found):
            return .missingColumn(file: file, line: line + offset, text: text, column: column, fieldsFound: found)
        case let .wrongDelimiter(file, line, text, expected, found):
            return .wrongDelimiter(file: file, line: line + offset, text: text, expected: expected, found: found)
        case let .invalidRating(file, line, text, value):
            return .invalidRating(file: file, line: line + offset, text: text, value: value)
        case let .invalidIdentifier(file, line, text, value):
            return .invalidIdentifier(file: file, line: line + offset, text: text, value: value)
        case let .invalidTimestamp(file, line, text, value):
            return .invalidTimestamp(file: file, line: line + offset, text: text, value: value)
        case let .duplicateInteraction(file, line, text, firstLine):
            return .duplicateInteraction(file: file, line: line + offset, text: text, firstLine: firstLine + offset)
        case let .truncatedGzip(file, line, text):
            return .truncatedGzip(file: file, line: line + offset, text: text)
        case let .corruptGzip(file, line, reason):
            return .corruptGzip(file: file, line: line + offset, reason: reason)
        case let .lineTooLong(file, line, limit):
            return .lineTooLong(file: file, line: line + offset, limit: limit)
        case let .valueOutOfRange(file, line, text, column, value, allowed):
            return .valueOutOfRange(file: file, line: line + offset, text: text, column: column, value: value, allowed: allowed)
        case .overlappingUser, .corruptArchive, .cannotOpen, .emptyFile, .zlibUnavailable, .invalidSplitFolder, .missingTimestamps, .timestampRangeTooWide:
            return self
        }
    }

    /// Text of a line as shown in messages: invalid UTF-8 repaired, cut to 120 characters.
    static func excerpt(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let shown = UnsafeBufferPointer(rebasing: bytes[0..<min(bytes.count, 120)])
        let text = String(decoding: shown, as: UTF8.self)
        return bytes.count > 120 ? text + "…" : text
    }
}
