import Foundation
import RecCore

/// Formats results as the stdout table, JSON and CSV, with the columns of the task they ran.
public struct ResultsTable: Sendable {
    /// The task's metric columns, in order.
    public let metrics: [MetricDefinition]
    /// The metric that marks the best model.
    public let bestMetric: MetricDefinition
    /// What the metrics average over (`users`, `ratings`).
    public let unit: String
    /// The task's note under the table.
    public let note: String?
    /// The per-user figure of the paired tests (`Task.perUserMetric`); nil: no tests.
    public let perUserMetric: MetricDefinition?

    /// The table of `task`.
    public init(_ task: some Task) {
        self.init(metrics: task.metrics, bestMetric: task.validationMetric, unit: task.evaluatedUnit, note: task.tableNote,
                  perUserMetric: task.perUserMetric)
    }

    /// A table with the given columns.
    public init(metrics: [MetricDefinition], bestMetric: MetricDefinition, unit: String, note: String? = nil,
                perUserMetric: MetricDefinition? = nil) {
        self.metrics = metrics
        self.bestMetric = bestMetric
        self.unit = unit
        self.note = note
        self.perUserMetric = perUserMetric
    }

    /// The model with the best `bestMetric` (mean over seeds), or nil when none has a value.
    public func best(_ results: [ModelResult]) -> String? {
        results.filter { $0.summary(bestMetric.key).mean.isFinite }.min { first, second in
            bestMetric.isBetter(first.summary(bestMetric.key).mean, than: second.summary(bestMetric.key).mean)
        }?.model
    }

    /// The paired tests of every pair of models against each other, or nil (one model, no per-user figures).
    public func significance(_ results: [ModelResult]) -> PairedSignificance? {
        guard let metric = perUserMetric, let best = best(results) else { return nil }
        return PairedSignificance.compute(results, metric: metric, best: best)
    }

    /// The table: one row per model, the best by `bestMetric` marked with `*`, and with per-user
    /// figures, those not significantly worse than it (Holm-adjusted paired t-test, p ≥ 0.05) with `=`.
    public func render(_ results: [ModelResult], dataDescription: String, splitNote: String? = nil) -> String {
        let seeds = results.first?.runs.count ?? 0
        let hasErrors = results.contains { result in metrics.contains { result.summary($0.key).standardError.isFinite } }
        let spread = seeds > 1 ? "mean ± s.d. over \(seeds) seeds"
            : hasErrors ? "mean ± standard error over test \(unit)" : "one seed"
        let best = best(results)
        let significance = significance(results)
        let notWorse = Set(significance?.notSignificantlyWorse ?? [])
        let header = ["", "model"] + metrics.map(\.name) + ["train s", "params"]
        var rows: [[String]] = [header]
        for result in results {
            let mark = result.model == best ? "*" : notWorse.contains(result.model) ? "=" : ""
            rows.append([mark, result.model] + metrics.map { Self.format(result.summary($0.key)) }
                        + [String(format: "%.1f", result.medianTrainingSeconds), Self.groupedInteger(result.parameterCount)])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = ["\(dataDescription.escapingControlCharacters) — " + (splitNote.map { "\($0), " } ?? "") + spread]
        for (index, row) in rows.enumerated() {
            let cells = row.enumerated().map { column, cell in
                column <= 1 ? cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[column] - cell.count) + cell
            }
            lines.append(cells.joined(separator: "  "))
            if index == 0 { lines.append(String(repeating: "-", count: lines.last?.count ?? 0)) }
        }
        lines.append("* best \(bestMetric.name)" + (note.map { " (\($0))" } ?? ""))
        if let significance {
            let pairs = significance.pairs.count / max(1, Set(significance.pairs.map(\.seed)).count)
            let perSeed = seeds > 1 ? " in at least one seed" : ""
            lines.append("= not significantly worse than *\(perSeed): paired t-test on per-user \(significance.metric.name), "
                         + "Holm-corrected over \(pairs) pair\(pairs == 1 ? "" : "s"), p ≥ \(significance.alpha) (Wilcoxon and every p-value in --output)")
        }
        return lines.joined(separator: "\n")
    }

    /// Results as CSV, one line per (model, seed): each metric and its standard error, the best
    /// epoch, seconds, the evaluated count, parameters and the task's counts.
    public func csv(_ results: [ModelResult]) -> String {
        let countNames = Set(results.flatMap { $0.runs.flatMap { $0.counts.keys } }).sorted()
        var lines = [(["model", "seed"] + metrics.flatMap { [$0.key, "\($0.key)_se"] }
                      + ["best_epoch", "train_seconds", "test_\(unit)", "parameters"] + countNames).joined(separator: ",")]
        for result in results {
            for run in result.runs {
                let values = metrics.flatMap { ["\(run.metric($0.key).mean)", "\(run.metric($0.key).standardError)"] }
                lines.append(([result.model, "\(run.seed)"] + values
                              + ["\(run.bestEpoch)", "\(run.trainingSeconds)", "\(run.evaluatedCount)", "\(result.parameterCount)"]
                              + countNames.map { "\(run.counts[$0] ?? 0)" }).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `mean ± error`, or the mean alone when there is no error to show.
    static func format(_ value: MeanWithError) -> String {
        value.standardError.isFinite ? String(format: "%.4f ± %.4f", value.mean, value.standardError)
            : String(format: "%.4f", value.mean)
    }

    static func groupedInteger(_ value: Int) -> String {
        let digits = String(value)
        var result = ""
        for (offset, character) in digits.enumerated() {
            if offset > 0 && (digits.count - offset) % 3 == 0 { result.append(",") }
            result.append(character)
        }
        return result
    }
}
