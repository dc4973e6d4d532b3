import Foundation

/// A map from data values to SVG pixels along one axis, linear or base-10 logarithmic, with the
/// gridline values a reader can read it by.
struct SVGScale {
    /// The data range shown (for a log scale, both > 0).
    let low: Double, high: Double
    /// The pixel range it maps to (`start` is where `low` lands; may be larger than `end` for y).
    let start: Double, end: Double
    /// Whether the axis is logarithmic.
    let logarithmic: Bool

    /// Whether gridlines fall on whole numbers only (epochs).
    var integers = false

    /// A linear scale over [low, high], widened to round gridline values (whole numbers with
    /// `integers`), mapped to [start, end].
    static func linear(_ values: [Double], start: Double, end: Double, includingZero: Bool = false,
                       integers: Bool = false) -> SVGScale {
        let finite = values.filter(\.isFinite) + (includingZero ? [0] : [])
        var low = finite.min() ?? 0, high = finite.max() ?? 1
        if low == high { (low, high) = (low - max(1, abs(low)) * 0.05, high + max(1, abs(high)) * 0.05) }
        let step = integers ? max(1, niceStep((high - low) / 5)) : niceStep((high - low) / 5)
        return SVGScale(low: (low / step).rounded(.down) * step, high: (high / step).rounded(.up) * step,
                        start: start, end: end, logarithmic: false, integers: integers)
    }

    /// A log scale from the power of ten at or below the smallest positive value to the one at or above the largest.
    static func logarithmic(_ values: [Double], start: Double, end: Double) -> SVGScale {
        let positive = values.filter { $0.isFinite && $0 > 0 }
        let low = pow(10, (log10(positive.min() ?? 1)).rounded(.down))
        var high = pow(10, (log10(positive.max() ?? 10)).rounded(.up))
        if high <= low { high = low * 10 }
        return SVGScale(low: low, high: high, start: start, end: end, logarithmic: true, integers: false)
    }

    /// 1, 2 or 5 times a power of ten, at least `rough`.
    static func niceStep(_ rough: Double) -> Double {
        guard rough > 0, rough.isFinite else { return 1 }
        let power = pow(10, log10(rough).rounded(.down))
        let fraction = rough / power
        return (fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10) * power
    }

    /// The pixel of `value` (clamped to the range).
    func pixel(_ value: Double) -> Double {
        let clamped = min(max(value, low), high)
        let fraction = logarithmic ? (log10(clamped) - log10(low)) / (log10(high) - log10(low))
            : (clamped - low) / (high - low)
        return start + (fraction.isFinite ? fraction : 0) * (end - start)
    }

    /// The gridline values: about five round values (linear), or each power of ten (log).
    var ticks: [Double] {
        if logarithmic {
            let first = Int(log10(low).rounded()), last = Int(log10(high).rounded())
            return (first...max(first, last)).map { pow(10, Double($0)) }
        }
        let step = integers ? max(1, Self.niceStep((high - low) / 5)) : Self.niceStep((high - low) / 5)
        let count = Int(((high - low) / step).rounded())
        return (0...max(0, count)).map { low + Double($0) * step }
    }

    /// A gridline value as printed: `%g` (enough digits for the step), marked as an axis label.
    func label(_ value: Double) -> ShownValue {
        .number(abs(value) < 1e-12 * max(abs(low), abs(high)) ? 0 : value, "%g", source: "axis")
    }
}
