import RecCore

/// A model's metric over its seeds as the report shows it: the mean, its spread (one seed: the
/// standard error over test users; several: the sample s.d. over seeds), a 95 % interval for the
/// mean (one seed: mean ± 1.959964 · standard error; n seeds: mean ± t(0.975, n − 1) · s.d. / √n),
/// each with the source the page marks it with.
struct MetricInterval {
    let mean: ShownValue, spread: ShownValue, low: ShownValue, high: ShownValue
    /// The plain numbers, for drawing.
    let meanValue: Double, lowValue: Double, highValue: Double

    /// The interval of metric `key` of `result`, the `index`-th model of the file.
    init(_ result: ModelResult, index: Int, key: String) {
        let path = "results[\(index)]"
        let summary = result.summary(key)
        let half: Double
        if result.runs.count == 1 {
            mean = .number(summary.mean, "%.4f", source: "\(path).runs[0].metrics.\(key).mean")
            spread = .number(summary.standardError, "%.4f", source: "\(path).runs[0].metrics.\(key).standardError")
            half = 1.959963984540054 * summary.standardError
        } else {
            let values = "\(path).runs[*].metrics.\(key).mean"
            mean = .number(summary.mean, "%.4f", source: "mean(\(values))")
            spread = .number(summary.standardError, "%.4f", source: "sd(\(values))")
            let n = Double(result.runs.count)
            half = Distributions.studentTTwoSidedCritical(tail: 0.05, degreesOfFreedom: n - 1) * summary.standardError / n.squareRoot()
        }
        (meanValue, lowValue, highValue) = (summary.mean, summary.mean - half, summary.mean + half)
        low = .number(lowValue, "%.4f", source: "ci95low(\(path).\(key))")
        high = .number(highValue, "%.4f", source: "ci95high(\(path).\(key))")
    }
}
