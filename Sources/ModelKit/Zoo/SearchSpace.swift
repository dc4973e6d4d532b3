import Foundation

/// One setting a tuner may vary: an option key the model's configuration accepts, the values to
/// draw from, and the value of the model's source.
public struct SearchDimension: Sendable, Equatable, CustomStringConvertible {
    /// What values the setting takes.
    public enum Values: Sendable, Equatable {
        /// Real numbers in lower…upper, drawn uniformly, or uniformly in log(value) when `logScale`.
        case real(lower: Double, upper: Double, logScale: Bool)
        /// Integers in lower…upper, drawn uniformly, or uniformly in log(value) when `logScale`.
        case integer(lower: Int, upper: Int, logScale: Bool)
        /// One of a list, each as `--set` writes it.
        case choices([String])
    }

    /// The option key (`dropout`, `lambda`), as `--set MODEL.KEY=VALUE` writes it.
    public let key: String
    /// The values.
    public let values: Values
    /// The value of the model's paper or authors' code, as `--set` writes it; where the source
    /// tunes the setting and gives no single value, the zoo default (its origin is in the model's page).
    public let paperValue: String
    /// Why the configuration's default differs from `paperValue` (a deviation documented in the
    /// model's page); nil when the default is the paper value.
    public let defaultDifference: String?

    /// A dimension; `validated(model:)` checks it before use.
    public init(_ key: String, _ values: Values, paper paperValue: String, defaultDifference: String? = nil) {
        (self.key, self.values, self.paperValue, self.defaultDifference) = (key, values, paperValue, defaultDifference)
    }

    /// Real numbers in `range`, log-uniform when `logScale`.
    public static func real(_ key: String, _ range: ClosedRange<Double>, logScale: Bool = false, paper: String,
                            defaultDifference: String? = nil) -> SearchDimension {
        SearchDimension(key, .real(lower: range.lowerBound, upper: range.upperBound, logScale: logScale), paper: paper,
                        defaultDifference: defaultDifference)
    }

    /// One of `choices`.
    public static func choices(_ key: String, _ choices: [String], paper: String, defaultDifference: String? = nil) -> SearchDimension {
        SearchDimension(key, .choices(choices), paper: paper, defaultDifference: defaultDifference)
    }

    /// The values as `--tune-space` writes them: `0.1...0.7`, `log:1e-4...1e-2`, `int:100...1000`,
    /// `log-int:…`, or `a|b|c`.
    public var specification: String {
        switch values {
        case let .real(lower, upper, logScale): return (logScale ? "log:" : "") + "\(lower)...\(upper)"
        case let .integer(lower, upper, logScale): return (logScale ? "log-int:" : "int:") + "\(lower)...\(upper)"
        case let .choices(list): return list.joined(separator: "|")
        }
    }

    /// `key=specification (paper value)`.
    public var description: String { "\(key)=\(specification) (paper \(paperValue))" }

    /// The distinct values of a discrete dimension (choices, or an integer range of at most 64
    /// values); nil for real numbers.
    public var discreteValues: [String]? {
        switch values {
        case .choices(let list): return list
        case let .integer(lower, upper, _) where upper - lower < 64: return (lower...upper).map(String.init)
        default: return nil
        }
    }

    /// A value drawn from `uniform` (one number in [0, 1)), written as `--set` reads it: reals to
    /// four significant digits, so logs and settings stay readable.
    public func value(at uniform: Double) -> String {
        let u = min(max(uniform, 0), 1)
        switch values {
        case let .real(lower, upper, logScale):
            let raw = logScale ? exp(log(lower) + u * (log(upper) - log(lower))) : lower + u * (upper - lower)
            return Self.text(min(max(Double(String(format: "%.4g", raw)) ?? raw, lower), upper))
        case let .integer(lower, upper, logScale):
            let raw = logScale ? exp(log(Double(lower)) + u * (log(Double(upper) + 1) - log(Double(lower))))
                : Double(lower) + u * Double(upper - lower + 1)
            return String(min(upper, max(lower, Int(raw.rounded(.down)))))
        case .choices(let list):
            return list[min(list.count - 1, Int(u * Double(list.count)))]
        }
    }

    /// The shortest text of `value` that reads back as it (`0.001`, `1e-05`, `500`).
    public static func text(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        return "\(value)"
    }

    /// Throws `SearchSpaceError` naming `model` and the key when the values are empty: a range
    /// whose lower end is above its upper end, not finite, or ≤ 0 on a log scale; no choices.
    public func validate(model: String) throws {
        func empty(_ detail: String) -> SearchSpaceError { .emptyRange(model: model, key: key, detail: detail) }
        switch values {
        case let .real(lower, upper, logScale):
            guard lower.isFinite, upper.isFinite else { throw empty("\(specification) has an end that is not a finite number") }
            guard lower <= upper else { throw empty("\(specification) has its lower end above its upper end") }
            if logScale, lower <= 0 { throw empty("\(specification) is on a log scale and needs ends > 0") }
        case let .integer(lower, upper, logScale):
            guard lower <= upper else { throw empty("\(specification) has its lower end above its upper end") }
            if logScale, lower <= 0 { throw empty("\(specification) is on a log scale and needs ends > 0") }
        case .choices(let list):
            guard !list.isEmpty, !list.contains(where: \.isEmpty) else { throw empty("'\(specification)' lists no value or an empty one") }
        }
    }
}

/// The settings a tuner varies for one model, declared on its zoo entry next to its defaults.
public struct SearchSpace: Sendable, Equatable {
    /// The dimensions, each key once.
    public let dimensions: [SearchDimension]

    /// A space of `dimensions` (keys must differ: a programmer error otherwise).
    public init(_ dimensions: [SearchDimension]) {
        precondition(Set(dimensions.map(\.key)).count == dimensions.count,
                     "SearchSpace: duplicate keys in \(dimensions.map(\.key))")
        self.dimensions = dimensions
    }

    /// No dimensions: a tuner runs the defaults once.
    public static let none = SearchSpace([])

    /// The keys, in order.
    public var keys: [String] { dimensions.map(\.key) }

    /// Every dimension's paper value, by key.
    public var paperValues: [String: String] {
        Dictionary(uniqueKeysWithValues: dimensions.map { ($0.key, $0.paperValue) })
    }

    /// This space with `replacements` in place of (or added to) the dimensions of the same key.
    public func replacing(_ replacements: [SearchDimension]) -> SearchSpace {
        let replaced = dimensions.map { dimension in replacements.first { $0.key == dimension.key } ?? dimension }
        return SearchSpace(replaced + replacements.filter { new in !dimensions.contains { $0.key == new.key } })
    }

    /// This space without the dimensions whose keys are in `keys` (settings held fixed by `--set`).
    public func removing(_ keys: Set<String>) -> SearchSpace {
        SearchSpace(dimensions.filter { !keys.contains($0.key) })
    }

    /// Every combination of the dimensions' values when each is discrete and there are at most
    /// `limit` of them (a grid is then searched instead of random draws), else nil.
    public func grid(limit: Int) -> [[String: String]]? {
        var combinations: [[String: String]] = [[:]]
        for dimension in dimensions {
            guard let values = dimension.discreteValues, combinations.count * values.count <= limit else { return nil }
            combinations = combinations.flatMap { partial in values.map { partial.merging([dimension.key: $0]) { $1 } } }
        }
        return combinations
    }
}

/// A search space that cannot be used, each naming the model and the key.
public enum SearchSpaceError: Error, Equatable, CustomStringConvertible {
    /// A range or list with nothing in it.
    case emptyRange(model: String, key: String, detail: String)
    /// A key the model's configuration does not accept.
    case unknownSetting(model: String, key: String, known: [String])
    /// A specification that cannot be read.
    case unreadable(model: String, key: String, text: String)

    public var description: String {
        switch self {
        case let .emptyRange(model, key, detail):
            return "tuning space of '\(model)': the range of '\(key)' is empty: \(detail)"
        case let .unknownSetting(model, key, known):
            return "tuning space of '\(model)': unknown setting '\(key)'; known options: \(known.joined(separator: ", "))"
        case let .unreadable(model, key, text):
            return "tuning space of '\(model)': '\(key)=\(text)' cannot be read; expected LOW...HIGH, log:LOW...HIGH, "
                + "int:LOW...HIGH, log-int:LOW...HIGH or A|B|C"
        }
    }
}

extension SearchDimension {
    /// The dimension `key` read from `text` as `--tune-space` writes it (see `specification`),
    /// keeping `paperValue`; unreadable text throws `SearchSpaceError.unreadable` naming the key.
    public init(key: String, specification text: String, model: String, paper paperValue: String) throws {
        let unreadable = SearchSpaceError.unreadable(model: model, key: key, text: text)
        var body = Substring(text.trimmingCharacters(in: .whitespaces))
        var kind = "real", logScale = false
        for (prefix, prefixKind, prefixLog) in [("log-int:", "int", true), ("int:", "int", false), ("log:", "real", true)]
            where body.hasPrefix(prefix) {
            (kind, logScale) = (prefixKind, prefixLog)
            body = body.dropFirst(prefix.count)
            break
        }
        let ends = body.components(separatedBy: "...")
        if ends.count == 2 {
            if kind == "int" {
                guard let lower = Int(ends[0]), let upper = Int(ends[1]) else { throw unreadable }
                self.init(key, .integer(lower: lower, upper: upper, logScale: logScale), paper: paperValue)
            } else {
                guard let lower = Double(ends[0]), let upper = Double(ends[1]) else { throw unreadable }
                self.init(key, .real(lower: lower, upper: upper, logScale: logScale), paper: paperValue)
            }
        } else {
            guard kind == "real", !logScale, !body.contains("...") else { throw unreadable }
            self.init(key, .choices(body.isEmpty ? [] : body.components(separatedBy: "|")), paper: paperValue)
        }
    }
}
