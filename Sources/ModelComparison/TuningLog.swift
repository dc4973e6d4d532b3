import Foundation
import ModelKit

/// What a search ran on, written into every trial's line so that a log is only continued by the
/// same search: the data, the task and its metric, the epochs, the settings held fixed, the space
/// and the stopping rule.
public struct SearchContext: Sendable, Codable, Equatable {
    /// The data set's description and the data options.
    public var data: String
    /// The task's name.
    public var task: String
    /// The validation metric that chose.
    public var metric: String
    /// `--epochs`, or `default`.
    public var epochs: String
    /// The settings every trial has (`--set`, small-data settings), by key.
    public var fixedSettings: [String: String]
    /// The space, one dimension each (`key=specification (paper value)`).
    public var space: [String]
    /// The stopping rule.
    public var rule: String

    /// The first field that differs from `other`: its name, its value here and there.
    func difference(from other: SearchContext) -> (field: String, here: String, there: String)? {
        let fields: [(String, String, String)] = [
            ("data", data, other.data), ("task", task, other.task), ("metric", metric, other.metric),
            ("epochs", epochs, other.epochs),
            ("fixed settings", TrialPlan.describe(fixedSettings), TrialPlan.describe(other.fixedSettings)),
            ("space", space.joined(separator: "; "), other.space.joined(separator: "; ")), ("rule", rule, other.rule),
        ]
        return fields.first { $0.1 != $0.2 }.map { (field: $0.0, here: $0.1, there: $0.2) }
    }
}

/// One finished trial, one JSON line of the log.
public struct TrialRecord: Sendable, Codable, Equatable {
    /// The zoo name.
    public var model: String
    /// The seed the search ran with (the model's seed and the split's).
    public var seed: UInt64
    /// The trial's index in its plan (from 0).
    public var trial: Int
    /// The trial's settings.
    public var settings: [String: String]
    /// The validation metric after each epoch run (null where not finite).
    public var validation: [Double?]
    /// The best validation value (nil: none finite, or the fit failed).
    public var bestValue: Double?
    /// Its epoch, from 1.
    public var bestEpoch: Int?
    /// Whether training ended before its last epoch (the median rule, or the model's patience).
    public var stoppedEarly: Bool
    /// Why it ended early (`median rule`, `patience`), when it did.
    public var stopReason: String?
    /// Why the fit failed (a non-finite loss), when it did; such a trial is never chosen.
    public var failure: String?
    /// Seconds the trial took, validation included.
    public var seconds: Double
    /// What the search ran on.
    public var search: SearchContext
}

/// The JSON-lines log of a search: every finished trial appended as one line, read back on the
/// next run so a stopped search continues where it stopped.
public struct TuningLog {
    /// The log's path.
    public let path: String

    /// The log at `path` (created on the first append).
    public init(path: String) { self.path = path }

    /// The trials the file holds (none when it does not exist), each with its line number. A last
    /// line cut short (a process killed while writing it) is dropped from the file, with a note to
    /// `log`; any other line that is not a trial throws `TuningLogError.unreadableLine`.
    public func read(log: (String) -> Void = { _ in }) throws -> [(line: Int, record: TrialRecord)] {
        guard FileManager.default.fileExists(atPath: path) else { return [] }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let text = String(data: data, encoding: .utf8) else {
            throw TuningLogError.unreadableLine(file: path, line: 1, reason: "the file is not UTF-8 text")
        }
        var lines = text.components(separatedBy: "\n")
        let endsWithNewline = lines.last == ""
        if endsWithNewline { lines.removeLast() }
        let decoder = JSONDecoder()
        var records: [(line: Int, record: TrialRecord)] = []
        for (index, line) in lines.enumerated() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            do {
                records.append((index + 1, try decoder.decode(TrialRecord.self, from: Data(line.utf8))))
            } catch {
                if index == lines.count - 1 && !endsWithNewline {
                    log("\(path) line \(index + 1): a trial cut short (the run was stopped while writing it) is dropped")
                    let kept = lines.dropLast().map { $0 + "\n" }.joined()
                    try kept.write(toFile: path, atomically: true, encoding: .utf8)
                    break
                }
                throw TuningLogError.unreadableLine(file: path, line: index + 1, reason: Self.reason(error))
            }
        }
        return records
    }

    /// Appends `record` as one line (the file is created when absent).
    public func append(_ record: TrialRecord) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var line = try encoder.encode(record)
        line.append(0x0A)
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw TuningLogError.cannotWrite(file: path)
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw TuningLogError.cannotWrite(file: path) }
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: line)
    }

    /// A decoding error in a few words.
    private static func reason(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "no '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "'\(context.codingPath.map(\.stringValue).joined(separator: "."))' has the wrong type"
        case DecodingError.dataCorrupted: return "not a JSON object"
        default: return "\(error)"
        }
    }
}

/// A tuning log that cannot be continued; each names the file and line.
public enum TuningLogError: Error, Equatable, CustomStringConvertible {
    /// A line that is not a trial.
    case unreadableLine(file: String, line: Int, reason: String)
    /// A trial of another search: the field that differs, its value in the file and now.
    case otherSearch(file: String, line: Int, model: String, field: String, there: String, now: String)
    /// A trial whose settings are not those this search plans for its index.
    case otherSettings(file: String, line: Int, model: String, trial: Int, there: String, now: String)
    /// A trial listed twice.
    case repeatedTrial(file: String, line: Int, model: String, trial: Int, firstLine: Int)
    /// The log cannot be created or appended to.
    case cannotWrite(file: String)

    public var description: String {
        let advice = "delete it or pass another --tune-log"
        switch self {
        case let .unreadableLine(file, line, reason):
            return "\(file) line \(line): not a trial of a tuning log (\(reason)); \(advice)"
        case let .otherSearch(file, line, model, field, there, now):
            return "\(file) line \(line): a trial of '\(model)' from another search (\(field): \(there) there, \(now) now); \(advice)"
        case let .otherSettings(file, line, model, trial, there, now):
            return "\(file) line \(line): trial \(trial) of '\(model)' has settings \(there), this search plans \(now); \(advice)"
        case let .repeatedTrial(file, line, model, trial, firstLine):
            return "\(file) line \(line): trial \(trial) of '\(model)' again (first on line \(firstLine)); \(advice)"
        case let .cannotWrite(file):
            return "cannot write the tuning log \(file)"
        }
    }
}
