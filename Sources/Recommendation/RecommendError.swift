import RecCore

/// Why a recommendation request failed; every case names the file (or `--flag`), line and value.
public enum RecommendError: Error, Equatable, CustomStringConvertible {
    /// A command-line flag is missing its value or has a value that cannot be used.
    case invalidOption(flag: String, value: String, expected: String)
    /// The user id is not one of the checkpoint's training users.
    case unknownUser(source: String, line: Int, id: String)
    /// A request line is neither `user:ID` nor a comma-separated list of item ids.
    case malformedRequest(source: String, line: Int, text: String, reason: String)
    /// Item ids not in the checkpoint's item map, with `--strict`.
    case unknownItems(source: String, line: Int, ids: [String])
    /// More than 1 % of a batch's request lines so far (`unknownLines` of `lines`) name unknown item
    /// ids; `line` and `ids` are the first such line's (the batch is of another id space).
    case tooManyUnknownItems(source: String, line: Int, ids: [String], unknownLines: Int, lines: Int)
    /// The checkpoint has no training histories, so known users cannot be looked up.
    case noHistories(checkpoint: String)
    /// The model cannot fold in a new user (rating models predict only for their training users).
    case foldInUnsupported(model: String)
    /// A line of a titles file cannot be read.
    case malformedTitles(file: String, line: Int, text: String)
    /// A file cannot be opened or read.
    case cannotRead(file: String, reason: String)
    /// A line of a requests or titles file is longer than `limit` bytes (reading stops there).
    case lineTooLong(file: String, line: Int, limit: Int)

    /// A message naming the place and the value, control characters escaped
    /// (`escapingControlCharacters`) so text from a file or an argument cannot steer the terminal.
    public var description: String { message.escapingControlCharacters }

    private var message: String {
        switch self {
        case let .invalidOption(flag, value, expected): return "\(flag) '\(value)': expected \(expected)"
        case let .unknownUser(source, line, id): return "\(source):\(line): unknown user id '\(id)' (not a training user of the checkpoint)"
        case let .malformedRequest(source, line, text, reason): return "\(source):\(line): '\(text)': \(reason)"
        case let .unknownItems(source, line, ids): return "\(source):\(line): unknown item ids: \(ids.joined(separator: ", "))"
        case let .tooManyUnknownItems(source, line, ids, unknownLines, lines):
            return "\(source):\(line): unknown item ids: \(ids.prefix(10).joined(separator: ", "))\(ids.count > 10 ? ", …" : ""); "
                + "\(unknownLines) of the \(lines) request lines read so far name item ids the checkpoint does not know "
                + "(more than 1 %): requests must use the original item ids of the training data (for a vae_cf split, "
                + "the ids listed in unique_sid.txt, not their row numbers, the sid column of train.csv); "
                + "pass --lenient to score them without those ids, with a warning per line"
        case let .noHistories(checkpoint): return "\(checkpoint): holds no training histories; give item ids instead of a user id"
        case let .foldInUnsupported(model):
            return "model '\(model)' predicts ratings for its training users only; give a user id (user:ID)"
        case let .malformedTitles(file, line, text): return "\(file):\(line): cannot read a movie id and title from '\(text)'"
        case let .cannotRead(file, reason): return "\(file): cannot read: \(reason)"
        case let .lineTooLong(file, line, limit):
            return "\(file):\(line): line longer than \(limit) bytes (the limit for one line)"
        }
    }
}
