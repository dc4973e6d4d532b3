/// The values a rating column may hold: a closed range, optionally in fixed steps. A rating outside
/// its format's scale (−1, 0 or 6 stars, 1e19, a NaN or an infinity) is an error naming its line,
/// never a value the models train on.
public struct RatingScale: Sendable, Equatable, CustomStringConvertible {
    /// The smallest and the largest rating allowed.
    public var range: ClosedRange<Float>
    /// When set, every rating must be a whole multiple of it (0.5 for half stars).
    public var step: Float?

    /// A scale of `range`, optionally in steps of `step` (which must be positive).
    public init(_ range: ClosedRange<Float>, step: Float? = nil) {
        precondition(range.lowerBound.isFinite && range.upperBound.isFinite,
                     "RatingScale: the range must be finite, got \(range)")
        precondition(step.map { $0 > 0 && $0.isFinite } ?? true, "RatingScale: the step must be positive, got \(step ?? 0)")
        self.range = range
        self.step = step
    }

    /// MovieLens 100K and Netflix: whole stars, 1 to 5.
    public static let wholeStars = RatingScale(1...5, step: 1)
    /// MovieLens 1M, 10M, 20M, 25M and latest: 0.5 to 5 in half stars (1M uses whole stars only).
    public static let halfStars = RatingScale(0.5...5, step: 0.5)
    /// Any other delimited file: finite ratings of magnitude at most 10⁹ (play counts and signed
    /// scores fit; a larger value is a corrupt field, and its square would overflow Float sums).
    public static let generic = RatingScale(-1e9...1e9)

    /// Whether `value` is on the scale (NaN never is).
    @inline(__always)
    public func contains(_ value: Float) -> Bool {
        guard range.contains(value) else { return false }
        guard let step else { return true }
        return (value / step).rounded() * step == value
    }

    /// E.g. `0.5...5.0 in steps of 0.5`.
    public var description: String {
        let bounds = "\(range.lowerBound)...\(range.upperBound)"
        return step.map { bounds + " in steps of \($0)" } ?? bounds
    }
}
