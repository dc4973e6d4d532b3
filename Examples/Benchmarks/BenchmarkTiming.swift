#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock timing helpers for the benchmarks (no Foundation needed).
enum BenchmarkTiming {
    /// Seconds taken by each of `repetitions` runs of `body` after one untimed warm-up run.
    static func measure(repetitions: Int, _ body: () -> Void) -> [Double] {
        body()
        let clock = ContinuousClock()
        return (0..<repetitions).map { _ in
            let duration = clock.measure(body)
            return Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        }
    }

    /// The median of a non-empty list.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        let middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    /// `value` with `digits` decimals.
    static func format(_ value: Double, digits: Int = 1) -> String {
        var scale = 1.0
        for _ in 0..<digits { scale *= 10 }
        let rounded = (value * scale).rounded() / scale
        var text = "\(rounded)"
        if let dot = text.firstIndex(of: ".") {
            let decimals = text.distance(from: dot, to: text.endIndex) - 1
            if decimals < digits { text += String(repeating: "0", count: digits - decimals) }
        }
        return text
    }
}
