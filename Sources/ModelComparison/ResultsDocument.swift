import Foundation
import RecCore

/// What `--output FILE.json` holds: every model's results and what produced them, so that a page
/// (`--report`) or a later run can be made from the file alone.
///
/// Layout 2 (this one) is an object; layout 1 was the bare array of `results`, which
/// `ResultsDocument.read` still accepts (its other fields then say they are unknown).
public struct ResultsDocument: Sendable, Codable, Equatable {
    /// The layout version written by this program.
    public static let currentFormat = 2

    /// The layout version of this document.
    public var format: Int
    /// The task every model ran.
    public var task: TaskName
    /// The data line the run printed (file, users, items, split).
    public var data: String
    /// Where and how it ran.
    public var environment: RunEnvironment
    /// One entry per model, in the order they ran.
    public var results: [ModelResult]
    /// The run's experiment options in the `--config` layout, so the file itself runs it again
    /// (nil in files written before it was recorded).
    public var configuration: [String: ConfigurationValue]?
    /// The program and version that wrote the file (nil in older files).
    public var program: ProgramInfo?
    /// The SHA-256 of the data the run read (nil in older files).
    public var dataFingerprint: DataFingerprint?
    /// Users, items, density and the interaction histograms of the training data; nil in files
    /// written before it was recorded.
    public var dataSummary: DataSummary?

    /// A document of `results` of `task` on `data` (summarised by `dataSummary`), run in
    /// `environment` with `configuration` by `program` on the data of `dataFingerprint`.
    public init(task: TaskName, data: String, environment: RunEnvironment, results: [ModelResult],
                configuration: [String: ConfigurationValue]? = nil, program: ProgramInfo? = nil,
                dataFingerprint: DataFingerprint? = nil, dataSummary: DataSummary? = nil) {
        (self.format, self.task, self.data, self.environment, self.results) = (Self.currentFormat, task, data, environment, results)
        (self.configuration, self.program, self.dataFingerprint) = (configuration, program, dataFingerprint)
        self.dataSummary = dataSummary
    }

    /// Pretty-printed JSON, keys sorted.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Reads a results file written by `--output` (either layout); a file that is neither names
    /// itself and what the decoder found.
    public static func read(_ path: String) throws -> ResultsDocument {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw ResultsFileError.unreadable(file: path, reason: error.localizedDescription)
        }
        let decoder = JSONDecoder()
        if let document = try? decoder.decode(ResultsDocument.self, from: data) {
            guard document.format <= currentFormat else {
                throw ResultsFileError.malformed(file: path, reason: "layout \(document.format) is newer than this program's \(currentFormat)")
            }
            return document
        }
        if let results = try? decoder.decode([ModelResult].self, from: data), let task = results.first?.task {
            return ResultsDocument(task: task, data: "unknown (layout 1 file)", environment: .unknown, results: results)
        }
        do { _ = try decoder.decode(ResultsDocument.self, from: data) } catch {
            throw ResultsFileError.malformed(file: path, reason: ResultsFileError.describe(error))
        }
        throw ResultsFileError.malformed(file: path, reason: "no results")
    }
}

/// A results file that cannot be used.
public enum ResultsFileError: Error, CustomStringConvertible, Equatable {
    case unreadable(file: String, reason: String)
    case malformed(file: String, reason: String)
    /// A file that belongs to other results (a significance file of other models or seeds).
    case mismatched(file: String, reason: String)
    case unwritable(file: String, reason: String)

    public var description: String {
        switch self {
        case let .unreadable(file, reason): return "cannot read \(file): \(reason)"
        case let .malformed(file, reason): return "\(file) is not a CompareModels results file: \(reason)"
        case let .mismatched(file, reason): return "\(file) does not belong to these results: \(reason)"
        case let .unwritable(file, reason): return "cannot write \(file): \(reason)"
        }
    }

    /// A decoding error as `key.path: what`.
    static func describe(_ error: Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "top level" : keys.joined(separator: ".")
        }
        switch error {
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
            return "\(path(context)): \(context.debugDescription)"
        case let .keyNotFound(key, context):
            return "\(path(context)): missing key '\(key.stringValue)'"
        @unknown default: return "\(error)"
        }
    }
}

/// Where a comparison ran: the machine, the kernel backend and the run's wall time.
public struct RunEnvironment: Sendable, Codable, Equatable {
    /// The CPU's model name (`/proc/cpuinfo` on Linux), or "unknown".
    public var cpu: String
    /// Cores the process could use.
    public var cores: Int
    /// The operating system, as Foundation describes it.
    public var operatingSystem: String
    /// The kernel backend line (`kernels: …`) the run printed first.
    public var kernels: String
    /// When the run started (ISO 8601, UTC).
    public var started: String
    /// Wall-clock seconds from the start to the moment the file was written.
    public var seconds: Double

    /// An environment with the given values.
    public init(cpu: String, cores: Int, operatingSystem: String, kernels: String, started: String, seconds: Double) {
        (self.cpu, self.cores, self.operatingSystem, self.kernels, self.started, self.seconds)
            = (cpu, cores, operatingSystem, kernels, started, seconds)
    }

    /// For files of layout 1, which did not record it.
    public static let unknown = RunEnvironment(cpu: "unknown", cores: 0, operatingSystem: "unknown", kernels: "unknown",
                                               started: "unknown", seconds: 0)

    /// This process, for a run that started at `started` and uses `kernels`.
    public static func current(started: Date, kernels: String) -> RunEnvironment {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return RunEnvironment(cpu: cpuModelName(), cores: ProcessInfo.processInfo.activeProcessorCount,
                              operatingSystem: ProcessInfo.processInfo.operatingSystemVersionString,
                              kernels: kernels, started: formatter.string(from: started),
                              seconds: Date().timeIntervalSince(started))
    }

    /// The first `model name` line of /proc/cpuinfo, or "unknown".
    static func cpuModelName() -> String {
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in text.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }
}
