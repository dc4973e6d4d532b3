extension ReportPage {
    /// The best model (`*`) and those not significantly worse (`=`): from the paired tests when
    /// there are any, else the best by the task's metric alone.
    var marks: [String: String] {
        if let significance {
            return Dictionary(uniqueKeysWithValues: [(significance.best, "*")] + significance.notSignificantlyWorse.map { ($0, "=") })
        }
        let table = ResultsTable(metrics: metrics.all, bestMetric: metrics.best, unit: "units")
        return table.best(document.results).map { [$0: "*"] } ?? [:]
    }

    /// The results table: each metric's mean ± spread, best epochs, median training seconds, parameters.
    func resultsSection() -> String {
        let (all, best) = metrics
        let seeds = Set(document.results.map(\.runs.count))
        let spread = seeds == [1] ? "mean ± standard error over the test users (one seed)" : "mean ± s.d. over seeds"
        var header = XHTML.element("th", [], "") + XHTML.element("th", [], "model")
        for metric in all { header += XHTML.element("th", [], metricName(metric).html) }
        header += ["best epoch", "train s (median)", "parameters"].map { XHTML.element("th", [], $0) }.joined()
        var rows = [XHTML.element("tr", [], header)]
        let marks = marks
        for (index, result) in document.results.enumerated() {
            let mark = marks[result.model] ?? ""
            var cells = XHTML.element("td", [("class", "mark")], mark) + XHTML.element("td", [], modelName(index).html)
            for metric in all {
                let interval = MetricInterval(result, index: index, key: metric.key)
                cells += XHTML.element("td", [("class", "number")], interval.mean.html + " ± " + interval.spread.html)
            }
            let epochs = result.runs.indices.map { ShownValue.integer(result.runs[$0].bestEpoch, source: "results[\(index)].runs[\($0)].bestEpoch").html }
            cells += XHTML.element("td", [("class", "number")], epochs.joined(separator: ", "))
            cells += XHTML.element("td", [("class", "number")],
                                   ShownValue.number(result.medianTrainingSeconds, "%.1f",
                                                     source: "median(results[\(index)].runs[*].trainingSeconds)").html)
            cells += XHTML.element("td", [("class", "number")],
                                   ShownValue.integer(result.parameterCount, source: "results[\(index)].parameterCount").html)
            rows.append(XHTML.element("tr", mark == "*" ? [("class", "best")] : [], cells))
        }
        var note = XHTML.escape(spread) + "; * best " + metricName(best).html
        if let significance {
            note += ", = not significantly worse than * (Holm-corrected paired t-test on per-user "
                + XHTML.escape(significance.metric.name) + ", p ≥ "
                + ShownValue.number(significance.alpha, "%g", source: "significance:alpha").html + ")"
        }
        return section("results", "Results", note: note, XHTML.element("table", [("class", "results")], rows.joined(separator: "\n")))
    }

    /// One bar chart per metric: each model's mean with its 95 % interval.
    func barsSection() -> String {
        let charts = metrics.all.map { metric in
            SVGBarChart(title: metricName(metric).tspan, bars: document.results.indices.map { index in
                SVGBarChart.Bar(name: modelName(index), color: ReportColors.model(index),
                                interval: MetricInterval(document.results[index], index: index, key: metric.key))
            }).render()
        }
        let note = "Bars end at the mean; whiskers and brackets give its 95 % interval: with one seed, mean ± 1.96 standard "
            + "errors over the test users; with n seeds, mean ± t(0.975, n − 1) · s.d. / √n over the seeds."
        return section("metrics", "Metrics with their 95 % intervals", note: XHTML.escape(note),
                       XHTML.element("div", [("class", "charts")], charts.joined(separator: "\n")))
    }
}
