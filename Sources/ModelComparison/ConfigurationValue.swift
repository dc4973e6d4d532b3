/// One option's value in the experiment-file layout, as a results file's `configuration` holds it.
public enum ConfigurationValue: Sendable, Equatable, Codable {
    case bool(Bool)
    /// An integer, as its digits (a seed may exceed `Int64`).
    case integer(String)
    case number(Double)
    case string(String)
    case list([String])
    /// `{"MODEL": {"KEY": "VALUE"}}`: the values as the flag's text.
    case settings([String: [String: String]])

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .bool(let value): try container.encode(value)
        case .integer(let digits):
            if let value = Int64(digits) { try container.encode(value) }
            else if let value = UInt64(digits) { try container.encode(value) }
            else { try container.encode(digits) }
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .list(let value): try container.encode(value)
        case .settings(let value): try container.encode(value)
        }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Int64.self) { self = .integer(String(value)) }
        else if let value = try? container.decode(UInt64.self) { self = .integer(String(value)) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([String].self) { self = .list(value) }
        else { self = .settings(try container.decode([String: [String: String]].self)) }
    }
}
