/// Which rows of a ratings file a strong-generalisation split counts as clicks (`--min-rating`).
///
/// Liang et al. (WWW 2018) keep MovieLens ratings strictly above 3.5 (four stars and up) as clicks;
/// a click file (`user,item`, no rating column) is clicks already, so every row counts.
public enum ClickThreshold: Sendable, Equatable {
    /// Ratings strictly above the value are clicks; the others are dropped.
    case above(Float)
    /// Every row is a click, whatever its rating.
    case everyRow

    /// The default for a file: ratings above 3.5 where it has a rating column (Liang et al.),
    /// every row for a click file.
    public static func standard(hasRatings: Bool) -> ClickThreshold { hasRatings ? .above(3.5) : .everyRow }

    /// Parses the value of `--min-rating`: a finite number, or `none` for every row.
    public init?(argument: String) {
        if argument == "none" { self = .everyRow; return }
        guard let value = Float(argument), value.isFinite else { return nil }
        self = .above(value)
    }

    /// The option's value as it would be written: `3.5`, `4` or `none`.
    public var argument: String {
        switch self {
        case .everyRow: return "none"
        case .above(let value):
            return value == value.rounded() && abs(value) < 1e9 ? String(Int64(value)) : "\(value)"
        }
    }

    /// The split keeps ratings strictly greater than this (−∞ for every row).
    public var ratingAbove: Float {
        switch self {
        case .everyRow: return -.infinity
        case .above(let value): return value
        }
    }

    /// Which rows count, for the data line and errors: "ratings > 3.5" or "every row".
    public var rule: String {
        switch self {
        case .everyRow: return "every row"
        case .above: return "ratings > \(argument)"
        }
    }
}
