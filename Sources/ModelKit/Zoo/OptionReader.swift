/// Reads a model's `key=value` overrides with types and defaults, then rejects unknown keys.
///
/// Usage in a model's factory: read every setting with its paper default, then call `finish()`
/// so a typo such as `dropuot=0.2` is an error listing the known keys rather than silently ignored.
public struct OptionReader {
    private let model: String
    private let overrides: [String: String]
    private var known: [String] = []

    /// A reader for `model`'s `options.overrides`.
    public init(model: String, options: ModelOptions) {
        self.model = model
        self.overrides = options.overrides
    }

    /// A floating-point setting.
    public mutating func double(_ key: String, default value: Double) throws -> Double {
        known.append(key)
        guard let text = overrides[key] else { return value }
        guard let parsed = Double(text), parsed.isFinite else {
            throw ModelZooError.invalidOption(model: model, key: key, value: text, expected: "a finite number")
        }
        return parsed
    }

    /// A floating-point setting in [minimum, maximum) — e.g. a dropout probability in [0, 1).
    public mutating func double(_ key: String, default value: Double, in range: Range<Double>) throws -> Double {
        let parsed = try double(key, default: value)
        guard range.contains(parsed) else {
            throw ModelZooError.invalidOption(model: model, key: key, value: "\(parsed)",
                                              expected: "a number in [\(range.lowerBound), \(range.upperBound))")
        }
        return parsed
    }

    /// A floating-point setting greater than zero (a learning rate, a scale).
    public mutating func positive(_ key: String, default value: Double) throws -> Double {
        let parsed = try double(key, default: value)
        guard parsed > 0 else {
            throw ModelZooError.invalidOption(model: model, key: key, value: "\(parsed)", expected: "a positive number")
        }
        return parsed
    }

    /// A floating-point setting of at least zero (a penalty weight, a β cap).
    public mutating func nonNegative(_ key: String, default value: Double) throws -> Double {
        let parsed = try double(key, default: value)
        guard parsed >= 0 else {
            throw ModelZooError.invalidOption(model: model, key: key, value: "\(parsed)", expected: "a number ≥ 0")
        }
        return parsed
    }

    /// A probability in [0, 1) (a dropout rate), as the `Float` the models use.
    public mutating func probability(_ key: String, default value: Float) throws -> Float {
        Float(try double(key, default: Double(value), in: 0..<1))
    }

    /// The largest integer setting accepted (2⁴⁰): far above any real size or count, and small
    /// enough that products of a few of them cannot overflow unnoticed.
    public static let largestInteger = 1 << 40

    /// An integer setting in `minimum`…`largestInteger`.
    public mutating func int(_ key: String, default value: Int, minimum: Int = 0) throws -> Int {
        known.append(key)
        guard let text = overrides[key] else { return value }
        guard let parsed = Int(text), parsed >= minimum, parsed <= Self.largestInteger else {
            throw ModelZooError.invalidOption(model: model, key: key, value: text,
                                              expected: "an integer in \(minimum)…\(Self.largestInteger)")
        }
        return parsed
    }

    /// A comma-separated list of positive integers (e.g. hidden sizes `600,200`).
    public mutating func intList(_ key: String, default value: [Int]) throws -> [Int] {
        known.append(key)
        guard let text = overrides[key] else { return value }
        let parts = text.split(separator: ",").map { Int($0.trimmingCharacters(in: " ")) }
        guard !parts.isEmpty, parts.allSatisfy({ ($0 ?? 0) > 0 && ($0 ?? 0) <= Self.largestInteger }) else {
            throw ModelZooError.invalidOption(model: model, key: key, value: text,
                                              expected: "comma-separated integers in 1…\(Self.largestInteger)")
        }
        return parts.compactMap { $0 }
    }

    /// A setting that must be one of `choices`.
    public mutating func choice(_ key: String, default value: String, among choices: [String]) throws -> String {
        known.append(key)
        guard let text = overrides[key] else { return value }
        guard choices.contains(text) else {
            throw ModelZooError.invalidOption(model: model, key: key, value: text,
                                              expected: "one of \(choices.joined(separator: ", "))")
        }
        return text
    }

    /// A setting naming one case of `Value` by its raw value (an activation, an optimizer).
    public mutating func choice<Value: RawRepresentable & CaseIterable>(_ key: String, default value: Value) throws -> Value
        where Value.RawValue == String {
        Value(rawValue: try choice(key, default: value.rawValue, among: Value.allCases.map(\.rawValue))) ?? value
    }

    /// Throws for any override key that was never read.
    public func finish() throws {
        for key in overrides.keys.sorted() where !known.contains(key) {
            throw ModelZooError.unknownOption(model: model, key: key, known: known)
        }
    }
}

extension StringProtocol {
    fileprivate func trimmingCharacters(in set: Character) -> Substring {
        var slice = Substring(self)
        while slice.first == set { slice.removeFirst() }
        while slice.last == set { slice.removeLast() }
        return slice
    }
}
